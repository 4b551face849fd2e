//! iPay's route: unsigned callbacks, confirmed by `BogWebhook` (stored order id and payment
//! hash, then a re-query) before the handler; success is 200 with an empty body.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use http::StatusCode;
use paykit_axum::CallbackRoutes;
use paykit_bog::{BogClient, InMemoryOrderStore, PaymentHash, StoredOrder};
use paykit_core::{Authenticity, PaymentStatus, SecretString};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORDER_ID: &str = "899318b1ce0d5885cb7405fe86e3930178ff90be";
const PAYMENT_HASH: &str = "d7936f718c2b0ec2517a28c9de76966bcbecfe29";
const API: &str = "/opay/api/v1";

/// The spec's TV-3 status-change callback.
const TV3: &str = "status=success&order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&payment_hash=d7936f718c2b0ec2517a28c9de76966bcbecfe29&ipay_payment_id=18625&status_description=PERFORMED&shop_order_id=shop-10042&payment_method=GC_CARD&card_type=VISA&pan=411111%2A%2A%2A%2A%2A%2A1111&transaction_id=6F1A2B3C4D5E6F70819";

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

fn details(status: &str) -> Value {
    json!({
        "status": status, "order_id": ORDER_ID, "payment_hash": PAYMENT_HASH,
        "ipay_payment_id": "18625", "status_description": "PERFORMED",
        "shop_order_id": "shop-10042", "payment_method": "GC_CARD", "card_type": "VISA",
        "pan": "411111******1111", "transaction_id": "6F1A2B3C4D5E6F70819",
        "pre_auth_status": null
    })
}

async fn server(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    let in_a_minute = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 60_000;
    Mock::given(method("POST"))
        .and(path(format!("{API}/oauth2/token")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "test-bog-access", "token_type": "Bearer", "app_id": "1A2019",
            "expires_in": in_a_minute as u64
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

fn router(server: &MockServer, handler: &Recorder) -> axum::Router {
    let store = InMemoryOrderStore::new();
    store.insert(StoredOrder::new(
        ORDER_ID,
        PaymentHash::new(PAYMENT_HASH),
        Some("shop-10042".into()),
    ));
    let client = BogClient::builder("1006", SecretString::from("test-bog-secret"))
        .base_url(format!("{}{API}", server.uri()))
        .order_store(Arc::new(store))
        .executor_config(fast().timeout(Duration::from_secs(5)))
        .build()
        .unwrap();
    let webhook = client.webhook().unwrap();
    CallbackRoutes::new(handler.clone())
        .bog("/bog/status", webhook.clone())
        .bog("/bog/refund", webhook)
        .into_router()
        .unwrap()
}

#[tokio::test]
async fn a_confirmed_callback_is_answered_200_with_an_empty_body_once_handled() {
    let server = server(ResponseTemplate::new(200).set_body_json(details("success"))).await;
    let handler = Recorder::new();
    let router = router(&server, &handler);
    for _ in 0..2 {
        let answered = post(&router, "/bog/status", &[FORM], TV3).await;
        assert_eq!(answered.status, StatusCode::OK);
        assert!(answered.body.is_empty(), "iPay expects an empty body");
    }
    let events = handler.events();
    assert_eq!(
        events.len(),
        1,
        "BOG's retry is acknowledged without a second run"
    );
    assert_eq!(events[0].authenticity, Authenticity::Confirmed);
    assert_eq!(events[0].payment().unwrap().status, PaymentStatus::Captured);
}

#[tokio::test]
async fn a_failed_re_query_is_503_so_bog_delivers_again() {
    let server = server(ResponseTemplate::new(500)).await;
    let handler = Recorder::new();
    let router = router(&server, &handler);
    let answered = post(&router, "/bog/status", &[FORM], TV3).await;
    assert_eq!(answered.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(handler.runs(), 0);
}

#[tokio::test]
async fn a_wrong_hash_is_401_and_an_unknown_order_400() {
    let server = server(ResponseTemplate::new(200).set_body_json(details("success"))).await;
    let handler = Recorder::new();
    let router = router(&server, &handler);
    let wrong_hash = TV3.replace(PAYMENT_HASH, "0000000000000000000000000000000000000000");
    assert_eq!(
        post(&router, "/bog/status", &[FORM], wrong_hash)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = TV3.replace(ORDER_ID, "1111111111111111111111111111111111111111");
    assert_eq!(
        post(&router, "/bog/status", &[FORM], unknown).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(&router, "/bog/status", &[FORM], "order_id=")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(handler.runs(), 0);
    assert!(
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| !r.url.path().contains("/checkout/payment/")),
        "nothing forged made iPay be asked"
    );
}
