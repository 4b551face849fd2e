//! The ledger records what the providers did, whatever answer the client got, and the fault
//! counters say what was injected; the token endpoint can be down for a while.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use common::{client, json, open_page, sim};
use paykit_sim::{Faults, LedgerProvider, OpKind};
use serde_json::json;

async fn maib_token(sim: &paykit_sim::Simulator) -> reqwest::Response {
    let info = sim.maib();
    client()
        .post(format!("{}/v1/generate-token", info.base_url))
        .json(&json!({"projectId": info.project_id, "projectSecret": info.project_secret}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_token_endpoint_fails_for_a_while_then_recovers() {
    let sim = sim().await;
    sim.set_faults(Faults::none().with_token_failures(3));
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(maib_token(&sim).await.status().as_u16());
    }
    assert_eq!(statuses, [500, 500, 500, 200, 200]);
    assert_eq!(sim.fault_counts(LedgerProvider::Maib).token_failed, 3);
    assert_eq!(sim.fault_counts(LedgerProvider::Bog).token_failed, 0);
}

#[tokio::test]
async fn the_ledger_records_operations_whose_answer_was_a_fault() {
    let sim = sim().await;
    let (_, token) = json(maib_token(&sim).await).await;
    let token = token["result"]["accessToken"].as_str().unwrap().to_owned();
    let base = sim.maib().base_url.clone();
    let post = |path: &str, body: serde_json::Value| {
        client()
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let (_, held) = json(
        post(
            "/v1/hold",
            json!({"amount": 25.5, "currency": "MDL", "clientIp": "127.0.0.1",
                   "language": "en", "orderId": "ledger-1", "description": "x"}),
        )
        .await
        .unwrap(),
    )
    .await;
    let pay_id = held["result"]["payId"].as_str().unwrap().to_owned();
    let (status, _) = open_page(held["result"]["payUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    sim.set_faults(Faults::none().with_error_after_processing_rate(100));
    let (status, _) = json(
        post(
            "/v1/complete",
            json!({"payId": pay_id, "confirmAmount": 20}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 500, "the answer says it failed");
    sim.set_faults(Faults::none());

    let ledger = sim.ledger();
    let p = ledger.payment(LedgerProvider::Maib, &pay_id).unwrap();
    assert_eq!(p.order_id.as_deref(), Some("ledger-1"));
    assert_eq!(p.count(OpKind::Register), 1);
    assert_eq!(p.count(OpKind::Hold), 1);
    assert_eq!(p.count(OpKind::Capture), 1, "it happened all the same");
    assert_eq!(p.total(OpKind::Capture).to_string(), "20");
    assert_eq!(
        ledger.by_order_id(LedgerProvider::Maib, "ledger-1").count(),
        1
    );
    assert_eq!(sim.fault_counts(LedgerProvider::Maib).failed_after, 1);
}
