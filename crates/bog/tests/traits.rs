//! The common paykit traits over iPay: a whole lifecycle through `&dyn PaymentProvider`.

mod common;

use std::sync::Arc;

use common::*;
use paykit_bog::{InMemoryOrderStore, Locale, OrderStore};
use paykit_core::{
    CallbackAuthenticity, CaptureMode, CardUsage, Currency, NextAction, PaymentProvider,
    PaymentRequest, PaymentStatus, RefundSupport, SavedCardCharge,
};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NEW_ORDER: &str = "9c1e7a2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a";
const NEW_HASH: &str = "3f0c6b1e8a2d4c5b9e7f1a0d2c4b6e8f0a1b3c5d";

fn created() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "status": "CREATED", "payment_hash": NEW_HASH, "order_id": NEW_ORDER,
        "links": [
            {"href": format!("https://ipay.ge/opay/api/v1/checkout/orders/{NEW_ORDER}"), "rel": "self", "method": "GET"},
            {"href": format!("https://ipay.ge/?order_id={NEW_ORDER}&locale=ka"), "rel": "approve", "method": "REDIRECT"}
        ]
    }))
}

#[test]
fn capabilities_are_honest() {
    let server_less =
        paykit_bog::BogClient::builder(CLIENT_ID, paykit_core::SecretString::from(SECRET))
            .build()
            .unwrap();
    let caps = server_less.capabilities();
    assert_eq!(caps.currencies, vec![Currency::GEL]);
    assert!(caps.capture_modes.contains(&CaptureMode::Manual));
    assert!(caps.partial_capture);
    assert!(caps.void);
    assert_eq!(caps.refunds, RefundSupport::FullAndPartial);
    assert_eq!(caps.saved_cards, vec![CardUsage::Recurring]);
    assert_eq!(caps.callbacks, CallbackAuthenticity::Confirmed);
    assert_eq!(server_less.id().as_str(), "bog");
    assert_eq!(server_less.base_url(), "https://ipay.ge/opay/api/v1");
}

#[tokio::test]
async fn create_payment_redirects_to_the_approve_link_and_stores_the_hash() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/orders")))
        .and(body_json(json!({
            "intent": "CAPTURE",
            "items": [{"amount": "10.50", "description": "Blue mug", "quantity": 1, "product_id": "1"}],
            "shop_order_id": "A-1001",
            "redirect_url": "https://shop.example.ge/return?order=A-1001",
            "capture_method": "MANUAL",
            "locale": "ka",
            "purchase_units": [{"amount": {"currency_code": "GEL", "value": "10.50"}}]
        })))
        .respond_with(created())
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(InMemoryOrderStore::new());
    let client = builder(&server)
        .order_store(store.clone())
        .default_locale(Locale::Ka)
        .build()
        .unwrap();
    let provider: &dyn PaymentProvider = &client;
    let request = PaymentRequest::new(gel("10.5"))
        .order_id("A-1001")
        .description("Blue mug")
        .capture(CaptureMode::Manual)
        .callback_url("https://shop.example.ge/ignored")
        .return_url("https://shop.example.ge/return?order=A-1001");
    let outcome = provider.create_payment(&request).await.unwrap();
    assert_eq!(outcome.provider_payment_id, NEW_ORDER);
    assert_eq!(outcome.status, PaymentStatus::RequiresAction);
    assert_eq!(
        outcome.next_action,
        NextAction::Redirect {
            url: format!("https://ipay.ge/?order_id={NEW_ORDER}&locale=ka")
        }
    );
    assert_eq!(outcome.amount, Some(gel("10.50")));
    assert_eq!(outcome.order_id.as_deref(), Some("A-1001"));
    assert_eq!(outcome.raw_status.as_deref(), Some("CREATED"));
    assert_eq!(
        store
            .find(NEW_ORDER, None)
            .await
            .unwrap()
            .unwrap()
            .payment_hash
            .expose_secret(),
        NEW_HASH
    );
}

#[tokio::test]
async fn get_payment_maps_status_and_reports_the_card() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(details_body(
            ORDER_ID,
            PAYMENT_HASH,
            "success",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let outcome = client.get_payment(ORDER_ID).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Captured);
    assert_eq!(outcome.order_id.as_deref(), Some("shop-10042"));
    assert_eq!(outcome.raw_status.as_deref(), Some("success"));
    let card = outcome.saved_card.unwrap();
    assert_eq!(card.id, ORDER_ID);
    assert_eq!(card.masked_pan.as_deref(), Some("411111******1111"));
}

async fn mount_completion(server: &MockServer, body: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path(format!(
            "{API}/checkout/payment/{ORDER_ID}/pre-auth/completion"
        )))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": "success", "description": "Pre-authorization successfully completed"}),
        ))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn capture_partial_capture_and_void_are_pre_auth_completions() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_completion(&server, json!({"auth_type": "FULL_COMPLETE"})).await;
    mount_completion(
        &server,
        json!({"auth_type": "PARTIAL_COMPLETE", "amount": "4.00"}),
    )
    .await;
    mount_completion(&server, json!({"auth_type": "CANCEL"})).await;
    let client = client(&server);
    let provider: &dyn PaymentProvider = &client;
    let full = provider
        .capture()
        .unwrap()
        .capture(ORDER_ID, None)
        .await
        .unwrap();
    assert_eq!(full.status, PaymentStatus::Captured);
    let part = provider
        .capture()
        .unwrap()
        .capture(ORDER_ID, Some(gel("4")))
        .await
        .unwrap();
    assert_eq!(part.status, PaymentStatus::Captured);
    assert_eq!(part.amount, Some(gel("4")));
    let voided = provider.void().unwrap().void(ORDER_ID).await.unwrap();
    assert_eq!(voided.status, PaymentStatus::Cancelled);
}

#[tokio::test]
async fn refunds_partial_then_full() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    // No record of this payment: iPay is asked whether it is a held block (it is not).
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(details_body(
            ORDER_ID,
            PAYMENT_HASH,
            "success",
        )))
        .mount(&server)
        .await;
    for form in [
        format!("order_id={ORDER_ID}&amount=2.50"),
        format!("order_id={ORDER_ID}"),
    ] {
        Mock::given(method("POST"))
            .and(path(format!("{API}/checkout/refund")))
            .and(body_string(form))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let refunds = client.refund().unwrap();
    let part = refunds.refund(ORDER_ID, Some(gel("2.5"))).await.unwrap();
    assert_eq!(part.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(part.refunded, Some(gel("2.50")));
    let full = refunds.refund(ORDER_ID, None).await.unwrap();
    assert_eq!(full.status, PaymentStatus::Refunded);
    // The payment's amount is unknown to this client, so how much went back in all is too.
    assert_eq!(full.refunded, None);
    let now = client.get_payment(ORDER_ID).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Refunded);
}

#[tokio::test]
async fn a_saved_card_is_charged_through_the_subscription_call() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/payment/subscription")))
        .and(body_json(json!({
            "order_id": ORDER_ID,
            "amount": {"currency_code": "GEL", "value": "19.99"},
            "shop_order_id": "SUB-2025-04",
            "purchase_description": "Monthly plan"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": "in_progress", "payment_hash": NEW_HASH, "order_id": NEW_ORDER}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let charge = SavedCardCharge::new(
        ORDER_ID,
        CardUsage::Recurring,
        PaymentRequest::new(gel("19.99"))
            .order_id("SUB-2025-04")
            .description("Monthly plan"),
    );
    let outcome = client
        .recurring()
        .unwrap()
        .charge_saved_card(&charge)
        .await
        .unwrap();
    assert_eq!(outcome.provider_payment_id, NEW_ORDER);
    assert_eq!(outcome.status, PaymentStatus::Pending);
    assert_eq!(outcome.amount, Some(gel("19.99")));
}

#[tokio::test]
async fn save_card_is_a_card_only_order() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/orders")))
        .and(body_json(json!({
            "intent": "AUTHORIZE",
            "items": [{"amount": "0.10", "description": "Card check", "quantity": 1, "product_id": "1"}],
            "redirect_url": "https://shop.example.ge/cards/return",
            "capture_method": "AUTOMATIC",
            "purchase_units": [{"amount": {"currency_code": "GEL", "value": "0.10"}}]
        })))
        .respond_with(created())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let outcome = client
        .recurring()
        .unwrap()
        .save_card(
            &PaymentRequest::new(gel("0.10"))
                .description("Card check")
                .return_url("https://shop.example.ge/cards/return"),
            CardUsage::Recurring,
        )
        .await
        .unwrap();
    assert!(matches!(outcome.next_action, NextAction::Redirect { .. }));
}
