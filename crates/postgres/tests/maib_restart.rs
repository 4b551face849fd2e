//! A maib hold read back after a process restart is Authorized, not Captured: maib's own
//! `pay-info` says "OK" for both, so only the payment record of the process that created the
//! hold can tell, and on PostgreSQL that record outlives the process.

// Setup helpers are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::Ipv4Addr;

use paykit_core::{
    CaptureMode, Currency, Customer, Flow, Money, NextAction, PaymentProvider, PaymentRecords,
    PaymentRequest, PaymentStatus, ProviderId, SecretString,
};
use paykit_maib::MaibClient;
use paykit_postgres::PgStores;
use paykit_sim::{SimConfig, Simulator};

/// An HTTP client that never goes through a proxy from the environment.
fn loopback_http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A maib client of "one process": the simulator's project, and the records of `stores`.
fn client(sim: &Simulator, stores: Option<&PgStores>) -> MaibClient {
    let info = sim.maib();
    let builder = MaibClient::builder(
        info.project_id.clone(),
        SecretString::from(info.project_secret.clone()),
    )
    .base_url(info.base_url.clone())
    .http_client(loopback_http());
    match stores {
        Some(stores) => builder.payment_records(stores.records()),
        None => builder,
    }
    .build()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maib_hold_read_back_after_a_restart_is_authorized_until_captured() {
    let url = common::database("maib_restart");
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();

    // Process A creates the hold; the customer pays on maib's page.
    let pay_id = {
        let stores = PgStores::connect(&url).await.unwrap();
        stores.migrate().await.unwrap();
        let a = client(&sim, Some(&stores));
        let request = PaymentRequest::new(Money::parse("25.00", Currency::MDL).unwrap())
            .order_id("restart-1")
            .description("a hold across a restart")
            .language("en")
            .capture(CaptureMode::Manual)
            .customer(Customer::default().ip(Ipv4Addr::LOCALHOST));
        let hold = a.create_payment(&request).await.unwrap();
        let NextAction::Redirect { url: page } = &hold.next_action else {
            panic!("maib redirects to payUrl, got {:?}", hold.next_action);
        };
        let paid = loopback_http().get(page).send().await.unwrap();
        assert_eq!(paid.status(), 200);
        assert_eq!(
            a.get_payment(&hold.provider_payment_id)
                .await
                .unwrap()
                .status,
            PaymentStatus::Authorized
        );
        hold.provider_payment_id
        // Client A and its pool end here, as the process would.
    };

    // Without the record nobody can tell a hold from a payment: the premise of this test.
    assert!(client(&sim, None).get_payment(&pay_id).await.is_err());

    // Process B, started afresh, reads the record: still a hold, authorized.
    let stores = PgStores::connect(&url).await.unwrap();
    let record = stores
        .records()
        .get(ProviderId("maib"), &pay_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.flow, Some(Flow::Hold));
    let b = client(&sim, Some(&stores));
    assert_eq!(
        b.get_payment(&pay_id).await.unwrap().status,
        PaymentStatus::Authorized
    );
    let captured = b.capture().unwrap().capture(&pay_id, None).await.unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(
        b.get_payment(&pay_id).await.unwrap().status,
        PaymentStatus::Captured
    );

    // A third process sees the capture B recorded.
    let stores = PgStores::connect(&url).await.unwrap();
    let c = client(&sim, Some(&stores));
    assert_eq!(
        c.get_payment(&pay_id).await.unwrap().status,
        PaymentStatus::Captured
    );
    sim.shutdown().await;
}
