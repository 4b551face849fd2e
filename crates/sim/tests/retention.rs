//! The retention horizon over real HTTP: settled payments are forgotten a horizon after
//! their last change and then answer the provider's "not found"; unsettled ones (an open
//! hold) stay; `keep_everything` keeps all; the ledger stays complete unless told otherwise.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use std::time::Duration;

use common::{client, json, open_page};
use paykit_sim::{SimConfig, Simulator};
use serde_json::{Value, json};

const MINUTE: Duration = Duration::from_secs(60);

async fn start(config: SimConfig) -> Simulator {
    paykit_sim::start(config).await.unwrap()
}

/// A fresh maib access token (they live 300 s, less than any horizon here).
async fn token(sim: &Simulator) -> String {
    let info = sim.maib();
    let (status, body) = json(
        client()
            .post(format!("{}/v1/generate-token", info.base_url))
            .json(&json!({"projectId": info.project_id, "projectSecret": info.project_secret}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["result"]["accessToken"].as_str().unwrap().to_owned()
}

async fn post(sim: &Simulator, endpoint: &str, body: &Value) -> (u16, Value) {
    json(
        client()
            .post(format!("{}/v1/{endpoint}", sim.maib().base_url))
            .bearer_auth(token(sim).await)
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Registers at `endpoint` and returns (payId, payUrl).
async fn register(sim: &Simulator, endpoint: &str) -> (String, String) {
    let (status, res) = post(
        sim,
        endpoint,
        &json!({"amount": 10.00, "currency": "MDL", "clientIp": "127.0.0.1", "language": "en"}),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    (
        res["result"]["payId"].as_str().unwrap().to_owned(),
        res["result"]["payUrl"].as_str().unwrap().to_owned(),
    )
}

/// `pay-info`'s HTTP status, the payment's status, and the first error code.
async fn pay_info(sim: &Simulator, pay_id: &str) -> (u16, Option<String>, Option<String>) {
    let (status, body) = json(
        client()
            .get(format!("{}/v1/pay-info/{pay_id}", sim.maib().base_url))
            .bearer_auth(token(sim).await)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    (
        status,
        text(&body["result"]["status"]),
        text(&body["errors"][0]["errorCode"]),
    )
}

#[tokio::test]
async fn a_settled_payment_is_forgotten_past_the_horizon() {
    let sim = start(SimConfig::default().with_retention(30 * MINUTE)).await;
    let (pay_id, pay_url) = register(&sim, "pay").await;
    open_page(&pay_url).await;
    assert_eq!(pay_info(&sim, &pay_id).await.1.as_deref(), Some("OK"));
    assert_eq!(sim.live_payments(), 1);

    sim.advance(29 * MINUTE);
    assert_eq!(pay_info(&sim, &pay_id).await.1.as_deref(), Some("OK"));
    sim.advance(2 * MINUTE);
    let (status, _, code) = pay_info(&sim, &pay_id).await;
    assert_eq!((status, code.as_deref()), (404, Some("13002")));
    assert_eq!(sim.live_payments(), 0);
    // The payment page is forgotten with it, and a late refund is refused the same way.
    assert_eq!(open_page(&pay_url).await.0, 404);
    let (status, res) = post(&sim, "refund", &json!({"payId": pay_id})).await;
    assert_eq!(
        (status, res["errors"][0]["errorCode"].as_str()),
        (404, Some("13002"))
    );
    // The ledger stays complete by default.
    assert_eq!(sim.ledger_len(), 1);
    assert!(
        sim.ledger()
            .payment(paykit_sim::LedgerProvider::Maib, &pay_id)
            .is_some()
    );
}

#[tokio::test]
async fn the_horizon_runs_from_the_last_change() {
    let sim = start(SimConfig::default().with_retention(60 * MINUTE)).await;
    // Never paid: times out after 10 minutes, and that timeout is its last change.
    let (unpaid, _) = register(&sim, "pay").await;
    sim.advance(61 * MINUTE);
    assert_eq!(pay_info(&sim, &unpaid).await.1.as_deref(), Some("TIMEOUT"));
    sim.advance(59 * MINUTE);
    assert_eq!(pay_info(&sim, &unpaid).await.1.as_deref(), Some("TIMEOUT"));
    sim.advance(2 * MINUTE);
    assert_eq!(pay_info(&sim, &unpaid).await.0, 404);

    // A refund is a change: it restarts the horizon.
    let (paid, pay_url) = register(&sim, "pay").await;
    open_page(&pay_url).await;
    sim.advance(50 * MINUTE);
    let (status, res) = post(&sim, "refund", &json!({"payId": paid})).await;
    assert_eq!(status, 200, "{res}");
    sim.advance(50 * MINUTE);
    assert_eq!(pay_info(&sim, &paid).await.0, 200);
    sim.advance(11 * MINUTE);
    assert_eq!(pay_info(&sim, &paid).await.0, 404);
}

#[tokio::test]
async fn an_open_hold_is_never_evicted() {
    let sim = start(SimConfig::default().with_retention(10 * MINUTE)).await;
    let (pay_id, pay_url) = register(&sim, "hold").await;
    open_page(&pay_url).await;
    for _ in 0..5 {
        sim.advance(24 * 60 * MINUTE);
        assert_eq!(pay_info(&sim, &pay_id).await.1.as_deref(), Some("OK"));
    }
    // Captured, it is settled and goes a horizon later.
    let (status, res) = post(&sim, "complete", &json!({"payId": pay_id})).await;
    assert_eq!(status, 200, "{res}");
    sim.advance(9 * MINUTE);
    assert_eq!(pay_info(&sim, &pay_id).await.0, 200);
    sim.advance(2 * MINUTE);
    assert_eq!(pay_info(&sim, &pay_id).await.0, 404);
}

#[tokio::test]
async fn keep_everything_forgets_nothing_and_the_default_is_an_hour() {
    let keep = start(SimConfig::default().keep_everything()).await;
    let fallback = start(SimConfig::default()).await;
    let mut ids = Vec::new();
    for sim in [&keep, &fallback] {
        let (pay_id, pay_url) = register(sim, "pay").await;
        open_page(&pay_url).await;
        sim.advance(59 * MINUTE);
        assert_eq!(pay_info(sim, &pay_id).await.0, 200);
        ids.push(pay_id);
    }
    for sim in [&keep, &fallback] {
        sim.advance(30 * 24 * 60 * MINUTE);
    }
    assert_eq!(pay_info(&keep, &ids[0]).await.1.as_deref(), Some("OK"));
    assert_eq!(pay_info(&fallback, &ids[1]).await.0, 404);
    assert_eq!((keep.live_payments(), fallback.live_payments()), (1, 0));
}

#[tokio::test]
async fn the_ledger_can_follow_eviction() {
    let sim = start(
        SimConfig::default()
            .with_retention(MINUTE)
            .with_ledger_following_eviction(),
    )
    .await;
    let (kept, _) = register(&sim, "hold").await;
    for _ in 0..3 {
        let (_, pay_url) = register(&sim, "pay").await;
        open_page(&pay_url).await;
    }
    assert_eq!(sim.ledger_len(), 4);
    sim.advance(2 * MINUTE);
    assert_eq!((sim.ledger_len(), sim.live_payments()), (1, 1));
    assert!(
        sim.ledger()
            .payment(paykit_sim::LedgerProvider::Maib, &kept)
            .is_some()
    );
    // The unpaid hold times out when the simulator next looks (a change), and is settled
    // from then on.
    sim.advance(20 * MINUTE);
    assert_eq!((sim.ledger_len(), sim.live_payments()), (1, 1));
    sim.advance(2 * MINUTE);
    assert_eq!((sim.ledger_len(), sim.live_payments()), (0, 0));
}

fn bog_api(sim: &Simulator, path: &str) -> String {
    format!("{}/opay/api/v1/{path}", sim.bog().base_url)
}

async fn bog_token(sim: &Simulator) -> String {
    let info = sim.bog();
    let (status, body) = json(
        client()
            .post(bog_api(sim, "oauth2/token"))
            .basic_auth(&info.client_id, Some(&info.secret_key))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn bog_details(sim: &Simulator, id: &str) -> (u16, Value) {
    json(
        client()
            .get(bog_api(sim, &format!("checkout/payment/{id}")))
            .bearer_auth(bog_token(sim).await)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn an_expired_ipay_order_calls_back_then_is_forgotten() {
    let mut merchant = common::Merchant::start().await;
    let sim = start(
        SimConfig::default()
            .with_retention(30 * MINUTE)
            .with_bog_callback_url(merchant.url("/bog/status")),
    )
    .await;
    let body = json!({
        "intent": "CAPTURE",
        "items": [{"amount": "9.00", "description": "Blue mug", "quantity": 1, "product_id": "SKU-1"}],
        "locale": "en-US",
        "redirect_url": "https://shop.example.ge/return",
        "purchase_units": [{"amount": {"currency_code": "GEL", "value": "9.00"}}]
    });
    let (status, res) = json(
        client()
            .post(bog_api(&sim, "checkout/orders"))
            .bearer_auth(bog_token(&sim).await)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    let id = res["order_id"].as_str().unwrap().to_owned();

    // An hour unpaid: it fails, with its callback, and that is its last change.
    sim.advance(61 * MINUTE);
    let callback = merchant.next().await;
    assert!(callback.body.contains("status=error"), "{}", callback.body);
    assert_eq!(bog_details(&sim, &id).await.1["status"], "error");
    sim.advance(29 * MINUTE);
    assert_eq!(bog_details(&sim, &id).await.0, 200);
    sim.advance(2 * MINUTE);
    let (status, res) = bog_details(&sim, &id).await;
    assert_eq!(status, 404, "{res}");
    assert_eq!(sim.live_payments(), 0);
}
