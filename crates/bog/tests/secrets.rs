//! No secret in any `Debug` or `Display` output of the crate's public types.

mod common;

use std::sync::Arc;

use common::*;
use paykit_bog::{
    BogClient, BogWebhook, InMemoryOrderStore, Notification, PaymentHash, StoredOrder,
};
use paykit_core::{PaymentProvider, SecretString};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LEAKY_TOKEN: &str = "test-access-token-must-not-leak";

fn assert_clean(text: &str) {
    for secret in [SECRET, LEAKY_TOKEN, PAYMENT_HASH, "MTAwNjo1ODFiYTVl"] {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }
}

#[tokio::test]
async fn configs_clients_events_and_errors_hide_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(LEAKY_TOKEN, now_ms())))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(details_body(
            ORDER_ID,
            PAYMENT_HASH,
            "success",
        )))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/refund")))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error_code": "E", "error_message": "refused"})),
        )
        .mount(&server)
        .await;

    let store = Arc::new(InMemoryOrderStore::new());
    store.insert(StoredOrder::new(
        ORDER_ID,
        PaymentHash::new(PAYMENT_HASH),
        None,
    ));
    let builder = builder(&server).order_store(store.clone());
    assert_clean(&format!("{builder:?}"));
    let client = builder.build().unwrap();
    // Draw a token first so the cache holds one while it is formatted.
    let details = client.payment_details(ORDER_ID).await.unwrap();
    let outcome = client.get_payment(ORDER_ID).await.unwrap();
    let webhook = BogWebhook::new(client.clone(), store.clone());
    let body =
        format!("status=success&order_id={ORDER_ID}&payment_hash={PAYMENT_HASH}&ipay_payment_id=1");
    let notice = Notification::parse(None, body.as_bytes()).unwrap();
    let event = webhook.verify_notification(&notice).await.unwrap();
    let stored = StoredOrder::new(ORDER_ID, PaymentHash::new(PAYMENT_HASH), None);
    let refund_error = client.refund_order(ORDER_ID, None).await.unwrap_err();
    for text in [
        format!("{client:?}"),
        format!("{webhook:?}"),
        format!("{store:?}"),
        format!("{stored:?}"),
        format!("{details:?}"),
        format!("{outcome:?}"),
        format!("{notice:?}"),
        format!("{event:?}"),
        format!("{:?}", client.token_source()),
        format!("{:?}", client.capabilities()),
        format!("{refund_error:?} {refund_error}"),
    ] {
        assert_clean(&text);
    }
}

#[tokio::test]
async fn token_failures_hide_secrets() {
    for answer in [
        ResponseTemplate::new(401)
            .set_body_json(json!({"error": "invalid_client", "error_description": SECRET})),
        ResponseTemplate::new(400).set_body_string(format!("bad {SECRET}")),
        ResponseTemplate::new(200).set_body_string(format!("{{\"access_token\":\"{LEAKY_TOKEN}\"")),
        ResponseTemplate::new(500).set_body_string(SECRET),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(answer)
            .mount(&server)
            .await;
        let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
        assert_clean(&format!("{err:?} {err}"));
    }
}

#[test]
fn a_bad_builder_does_not_echo_its_secret() {
    let err = BogClient::builder("", SecretString::from(SECRET))
        .build()
        .unwrap_err();
    assert_clean(&format!("{err:?} {err}"));
    let builder = BogClient::builder(CLIENT_ID, SecretString::from(SECRET));
    assert_clean(&format!("{builder:?}"));
}
