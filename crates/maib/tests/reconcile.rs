//! The reconciler (core) over maib's payment records: a refunded record is settled and never
//! swept again; one whose refund answer was lost, or whose capture answer was lost, is swept,
//! and settled once `pay-info` shows what happened.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::records::TestRecords;
use common::*;
use paykit_core::reconcile::{ReconcileReport, Reconciler, ReconcilerConfig};
use paykit_core::{
    Currency, Flow, Money, PaymentProvider, PaymentRecord, PaymentRecords, PaymentRef,
    PaymentStatus, RefundState, SecretString,
};
use paykit_maib::{MaibClient, PROVIDER};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

fn client_on(server: &MockServer, records: &Arc<TestRecords>) -> Arc<MaibClient> {
    Arc::new(
        MaibClient::builder(PROJECT_ID, SecretString::from(PROJECT_SECRET))
            .base_url(server.uri())
            .payment_records(records.clone())
            .build()
            .unwrap(),
    )
}

async fn records_with(flow: Flow, status: PaymentStatus) -> Arc<TestRecords> {
    let records = Arc::new(TestRecords::new());
    let mut record = PaymentRecord::new(PROVIDER, PAY_ID)
        .with_flow(flow)
        .with_amount(Some(mdl("10.25")))
        .with_ids(&PaymentRef::new().merchant_reference("123"));
    record.last_status = Some(status);
    records.put(&record).await.unwrap();
    records
}

/// One sweep of every record not changed in the last instant.
async fn sweep(records: &Arc<TestRecords>, client: &Arc<MaibClient>) -> ReconcileReport {
    // Records are stamped to the millisecond; the sweep takes those strictly older.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let provider: Arc<dyn PaymentProvider> = client.clone();
    let reconciler = Reconciler::new(
        records.clone(),
        [provider],
        ReconcilerConfig::default().older_than(Duration::ZERO),
    );
    reconciler.sweep().await
}

/// Mounts pay-info answering `info` the next `times` times.
async fn mount_pay_info(server: &MockServer, info: Value, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ok(info))
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

async fn pay_info_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().starts_with("/v1/pay-info/"))
        .count()
}

#[tokio::test]
async fn a_refunded_record_is_not_swept_again() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "status": "OK",
                                "statusCode": "400", "statusMessage": "Accepted",
                                "refundAmount": 10.25}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let records = records_with(Flow::Pay, PaymentStatus::Captured).await;
    let client = client_on(&server, &records);
    client.refund_payment(PAY_ID, None).await.unwrap();

    let report = sweep(&records, &client).await;
    assert_eq!(report.examined, 0, "{report}");
    assert_eq!(pay_info_requests(&server).await, 0);
    let record = records.snapshot(PAY_ID).unwrap();
    assert_eq!(record.last_status, Some(PaymentStatus::Refunded));
    assert_eq!(record.refunds[0].state, RefundState::Accepted);
}

#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_swept_until_pay_info_shows_it() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(errors(500, "10000", "Internal error"))
        .expect(1)
        .mount(&server)
        .await;
    // First maib does not show the refund (yet), then it does.
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 10.25,
               "currency": "MDL"}),
        1,
    )
    .await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 10.25,
               "refundAmount": 4.00, "currency": "MDL"}),
        1,
    )
    .await;
    let records = records_with(Flow::Pay, PaymentStatus::Captured).await;
    let client = client_on(&server, &records);
    let err = client
        .refund_payment(PAY_ID, Some(mdl("4").amount()))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");

    // pay-info shows no refund: reported as pay-info says (captured), the entry left
    // requested, the record still open.
    let report = sweep(&records, &client).await;
    assert_eq!((report.examined, report.still_open), (1, 1), "{report}");
    assert!(report.changed.is_empty(), "{report}");
    let record = records.snapshot(PAY_ID).unwrap();
    assert_eq!(record.last_status, Some(PaymentStatus::Captured));
    assert_eq!(record.refunds[0].state, RefundState::Requested);

    // pay-info shows it: the entry is confirmed and the record settled.
    let report = sweep(&records, &client).await;
    assert_eq!((report.examined, report.settled), (1, 1), "{report}");
    assert_eq!(report.changed.len(), 1, "{report}");
    assert_eq!(report.changed[0].to, PaymentStatus::PartiallyRefunded);
    let record = records.snapshot(PAY_ID).unwrap();
    assert!(record.is_settled(), "{record:?}");
    assert_eq!(record.last_status, Some(PaymentStatus::PartiallyRefunded));
    let states: Vec<_> = record.refunds.iter().map(|r| (r.amount, r.state)).collect();
    assert_eq!(states, vec![(mdl("4"), RefundState::Confirmed)]);

    // Settled: the next sweep asks maib nothing.
    let report = sweep(&records, &client).await;
    assert_eq!(report.examined, 0, "{report}");
    assert_eq!(pay_info_requests(&server).await, 2);
}

#[tokio::test]
async fn a_capture_whose_answer_was_lost_is_settled_by_pay_info_confirm_amount() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/complete"))
        .respond_with(errors(500, "10000", "Internal error"))
        .expect(1)
        .mount(&server)
        .await;
    // pay-info says OK for a hold and a captured hold alike; only confirmAmount tells.
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 10.25,
               "currency": "MDL"}),
        1,
    )
    .await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 10.25,
               "confirmAmount": 10.25, "currency": "MDL"}),
        1,
    )
    .await;
    let records = records_with(Flow::Hold, PaymentStatus::Authorized).await;
    let client = client_on(&server, &records);
    let err = client.complete(PAY_ID, None).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    // Nothing was written from a lost answer: the hold's state, not final.
    let record = records.snapshot(PAY_ID).unwrap();
    assert_eq!(record.last_status, Some(PaymentStatus::Authorized));
    assert!(!record.is_settled());

    // No confirmAmount: still a hold, still open.
    let report = sweep(&records, &client).await;
    assert_eq!((report.examined, report.still_open), (1, 1), "{report}");
    assert_eq!(
        records.snapshot(PAY_ID).unwrap().last_status,
        Some(PaymentStatus::Authorized)
    );

    // confirmAmount shows the capture: settled, captured.
    let report = sweep(&records, &client).await;
    assert_eq!((report.examined, report.settled), (1, 1), "{report}");
    let record = records.snapshot(PAY_ID).unwrap();
    assert_eq!(record.last_status, Some(PaymentStatus::Captured));
    assert!(record.is_settled());
}

#[tokio::test]
async fn a_native_release_of_a_hold_whose_capture_may_have_happened_is_left_to_pay_info() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/complete"))
        .respond_with(errors(500, "10000", "Internal error"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "status": "OK",
                                "statusCode": "400", "statusMessage": "Accepted",
                                "refundAmount": 10.25}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // maib had captured the hold after all, so the refund returned money.
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 10.25,
               "confirmAmount": 10.25, "refundAmount": 10.25, "currency": "MDL"}),
        1,
    )
    .await;
    let records = records_with(Flow::Hold, PaymentStatus::Authorized).await;
    let client = client_on(&server, &records);
    assert!(
        client
            .complete(PAY_ID, None)
            .await
            .unwrap_err()
            .outcome_unknown()
    );
    // The native refund reads nothing first: released or refunded, the records cannot tell,
    // so it writes no final state (a `cancelled` here would settle the record on a falsehood).
    client.refund_payment(PAY_ID, None).await.unwrap();
    let record = records.snapshot(PAY_ID).unwrap();
    assert_eq!(record.last_status, Some(PaymentStatus::Authorized));
    assert!(record.refunds.is_empty());
    assert!(!record.is_settled());

    let report = sweep(&records, &client).await;
    assert_eq!((report.examined, report.settled), (1, 1), "{report}");
    assert_eq!(
        records.snapshot(PAY_ID).unwrap().last_status,
        Some(PaymentStatus::Refunded)
    );
}
