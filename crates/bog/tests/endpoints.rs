//! Every native endpoint against a mock iPay: exact requests, typed answers.

mod common;

use std::sync::Arc;

use common::*;
use paykit_bog::{
    CaptureMethod, CardType, CreateOrder, InMemoryOrderStore, Intent, Locale, OrderItem,
    OrderStore, PaymentMethod, PaymentState, PreAuthCompletion, PreAuthStatus, SubscriptionCharge,
};
use paykit_core::{Error, PaymentStatus};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NEW_ORDER: &str = "9c1e7a2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a";
const NEW_HASH: &str = "3f0c6b1e8a2d4c5b9e7f1a0d2c4b6e8f0a1b3c5d";

fn spec_order() -> CreateOrder {
    CreateOrder::new(
        Intent::Authorize,
        gel("30.00"),
        "https://shop.example.ge/checkout/return?ref=A-20250314-0007",
    )
    .item(OrderItem::new("SKU-1001", "Blue mug", gel("12.50"), 2))
    .item(OrderItem::new("SHIP", "Delivery", gel("5.00"), 1))
    .locale(Locale::EnUs)
    .shop_order_id("A-20250314-0007")
    .show_shop_order_id_on_extract(true)
    .capture_method(CaptureMethod::Automatic)
}

fn created_body(links_reversed: bool) -> serde_json::Value {
    let mut links = vec![
        json!({"href": format!("https://ipay.ge/opay/api/v1/checkout/orders/{NEW_ORDER}"), "rel": "self", "method": "GET"}),
        json!({"href": format!("https://ipay.ge/?order_id={NEW_ORDER}&locale=en-US"), "rel": "approve", "method": "REDIRECT"}),
    ];
    if links_reversed {
        links.reverse();
    }
    json!({"status": "CREATED", "payment_hash": NEW_HASH, "links": links, "order_id": NEW_ORDER})
}

#[tokio::test]
async fn create_order_sends_the_documented_json_and_picks_the_approve_link() {
    for reversed in [false, true] {
        let server = MockServer::start().await;
        mount_token(&server, TOKEN, 1).await;
        Mock::given(method("POST"))
            .and(path(format!("{API}/checkout/orders")))
            .and(header("authorization", "Bearer test-access-token"))
            .and(header("content-type", "application/json"))
            .and(body_json(json!({
                "intent": "AUTHORIZE",
                "items": [
                    {"amount": "12.50", "description": "Blue mug", "quantity": 2, "product_id": "SKU-1001"},
                    {"amount": "5.00", "description": "Delivery", "quantity": 1, "product_id": "SHIP"}
                ],
                "locale": "en-US",
                "shop_order_id": "A-20250314-0007",
                "redirect_url": "https://shop.example.ge/checkout/return?ref=A-20250314-0007",
                "show_shop_order_id_on_extract": true,
                "capture_method": "AUTOMATIC",
                "purchase_units": [{"amount": {"currency_code": "GEL", "value": "30.00"}}]
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(created_body(reversed)))
            .expect(1)
            .mount(&server)
            .await;
        let store = Arc::new(InMemoryOrderStore::new());
        let client = builder(&server).order_store(store.clone()).build().unwrap();
        let order = client.create_order(&spec_order()).await.unwrap();
        assert_eq!(order.order_id, NEW_ORDER);
        assert_eq!(order.status, "CREATED");
        assert_eq!(
            order.approve_url,
            format!("https://ipay.ge/?order_id={NEW_ORDER}&locale=en-US")
        );
        assert_eq!(order.payment_hash.expose_secret(), NEW_HASH);
        assert_eq!(order.links.len(), 2);
        let stored = store.find(NEW_ORDER, None).await.unwrap().unwrap();
        assert_eq!(stored.payment_hash.expose_secret(), NEW_HASH);
        assert_eq!(stored.shop_order_id.as_deref(), Some("A-20250314-0007"));
    }
}

async fn details(body: serde_json::Value) -> paykit_core::Result<paykit_bog::PaymentDetails> {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{NEW_ORDER}")))
        .and(header("authorization", "Bearer test-access-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).payment_details(NEW_ORDER).await
}

#[tokio::test]
async fn payment_details_of_a_paid_card_payment() {
    let d = details(json!({"status":"success","order_id":NEW_ORDER,"payment_hash":NEW_HASH,"ipay_payment_id":"402117","status_description":"PERFORMED","shop_order_id":"A-20250314-0007","payment_method":"GC_CARD","card_type":"VISA","pan":"411111******1111","transaction_id":"7E1D0C2B3A495867F01","pre_auth_status":null}))
        .await
        .unwrap();
    assert_eq!(d.status, PaymentState::Success);
    assert_eq!(d.payment_method, Some(PaymentMethod::GcCard));
    assert_eq!(d.card_type, Some(CardType::Visa));
    assert_eq!(d.pan.as_deref(), Some("411111******1111"));
    assert_eq!(d.ipay_payment_id.as_deref(), Some("402117"));
    assert_eq!(d.payment_status(), PaymentStatus::Captured);
}

#[tokio::test]
async fn payment_details_of_a_rejected_and_a_blocked_payment() {
    let d = details(json!({"status":"error","pan":null,"order_id":NEW_ORDER,"pre_auth_status":null,"payment_hash":NEW_HASH,"ipay_payment_id":"402118","status_description":"REJECTED","shop_order_id":"A-20250314-0008","payment_method":"UNKNOWN","card_type":"UNKNOWN","transaction_id":null}))
        .await
        .unwrap();
    assert_eq!(
        d.payment_status(),
        PaymentStatus::Failed {
            reason: Some("REJECTED".into())
        }
    );
    let d = details(json!({"status":"success","order_id":NEW_ORDER,"payment_hash":NEW_HASH,"ipay_payment_id":"402119","status_description":"PERFORMED","shop_order_id":null,"payment_method":"GC_CARD","card_type":"MC","pan":"512345******0008","transaction_id":"X1","pre_auth_status":"in_progress"}))
        .await
        .unwrap();
    assert_eq!(d.pre_auth_status, Some(PreAuthStatus::InProgress));
    assert_eq!(d.payment_status(), PaymentStatus::Authorized);
}

#[tokio::test]
async fn payment_details_for_another_order_is_an_integrity_error() {
    let err = details(details_body("someone-else", NEW_HASH, "success"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Integrity { field, .. } if field == "order_id"),
        "{err:?}"
    );
}

async fn mount_refund(server: &MockServer, form: &str) {
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/refund")))
        .and(header("authorization", "Bearer test-access-token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(form))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn refunds_are_form_encoded_and_an_empty_200_is_success() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_refund(&server, "order_id=899318b1ce0d5885cb7405fe86e3930178ff90be").await;
    mount_refund(
        &server,
        "order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&amount=5.25",
    )
    .await;
    let client = client(&server);
    client.refund_order(ORDER_ID, None).await.unwrap();
    client
        .refund_order(ORDER_ID, Some(gel("5.25")))
        .await
        .unwrap();
}

async fn completion(
    form: serde_json::Value,
    answer: serde_json::Value,
    how: PreAuthCompletion,
) -> paykit_bog::PreAuthResult {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!(
            "{API}/checkout/payment/{NEW_ORDER}/pre-auth/completion"
        )))
        .and(header("content-type", "application/json"))
        .and(header("authorization", "Bearer test-access-token"))
        .and(body_json(form))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .complete_pre_auth(NEW_ORDER, &how)
        .await
        .expect("completion")
}

#[tokio::test]
async fn pre_auth_completion_full_partial_and_cancel() {
    let done = json!({"status":"success","description":"Pre-authorization successfully completed"});
    let r = completion(
        json!({"auth_type": "FULL_COMPLETE"}),
        done.clone(),
        PreAuthCompletion::Full,
    )
    .await;
    assert_eq!(r.status, PaymentState::Success);
    assert_eq!(
        r.description.as_deref(),
        Some("Pre-authorization successfully completed")
    );
    completion(
        json!({"auth_type": "PARTIAL_COMPLETE", "amount": "7.50"}),
        done.clone(),
        PreAuthCompletion::Partial(gel("7.5")),
    )
    .await;
    let r = completion(
        json!({"auth_type": "CANCEL"}),
        json!({"status":"success","description":"Already completed successful"}),
        PreAuthCompletion::Cancel,
    )
    .await;
    assert_eq!(
        r.description.as_deref(),
        Some("Already completed successful")
    );
}

#[tokio::test]
async fn a_subscription_charge_is_a_new_payment_and_is_stored() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/payment/subscription")))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"order_id":NEW_ORDER,"amount":{"currency_code":"GEL","value":"19.99"},"shop_order_id":"SUB-2025-04","purchase_description":"Monthly plan"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status":"in_progress","payment_hash":"b2d4f6a8c0e1f3a5b7d9e0c2a4f6b8d0e1c3a5b7","order_id":"0d2f4b6a8c1e3f5a7b9d0e2c4a6f8b0d1e3c5a7b"})))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(InMemoryOrderStore::new());
    let client = builder(&server).order_store(store.clone()).build().unwrap();
    let payment = client
        .charge_subscription(
            &SubscriptionCharge::new(NEW_ORDER, gel("19.99"))
                .shop_order_id("SUB-2025-04")
                .purchase_description("Monthly plan"),
        )
        .await
        .unwrap();
    assert_eq!(payment.order_id, "0d2f4b6a8c1e3f5a7b9d0e2c4a6f8b0d1e3c5a7b");
    assert_eq!(payment.status, PaymentState::InProgress);
    assert!(
        store
            .find("0d2f4b6a8c1e3f5a7b9d0e2c4a6f8b0d1e3c5a7b", None)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn the_legacy_reads() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/orders/{NEW_ORDER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": NEW_ORDER, "status": "PERFORMED", "intent": "CAPTURE",
            "payer": {"name": "Test Buyer", "email_address": "buyer@example.ge", "payer_id": "p-1"},
            "purchaseUnit": {
                "amount": {"value": "0.10", "currency_code": "GEL"},
                "payee": {"addres": "Tbilisi", "contact": "-", "email_address": "shop@example.ge"},
                "payments": [{"captures": [{"id": "c-1", "status": "PERFORMED", "amount": {"value": 0.10, "currency_code": "GEL"},
                    "final_capture": "true", "create_time": "Tue Nov 17 19:04:29 GET 2020", "update_time": "Tue Nov 17 19:04:29 GET 2020"}]}],
                "shop_order_id": "A-1"
            },
            "createTime": "Tue Nov 17 19:04:29 GET 2020", "updateTime": "Tue Nov 17 19:04:29 GET 2020",
            "errorHistory": []
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/orders/status/{NEW_ORDER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "REJECTED"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let order = client.legacy_order(NEW_ORDER).await.unwrap();
    assert_eq!(order.status.as_deref(), Some("PERFORMED"));
    assert_eq!(order.amount.unwrap().value.to_string(), "0.10");
    assert_eq!(order.captures[0].final_capture, Some(true));
    assert_eq!(
        order.create_time.as_deref(),
        Some("Tue Nov 17 19:04:29 GET 2020")
    );
    let status = client.legacy_order_status(NEW_ORDER).await.unwrap();
    assert_eq!(status.status, "REJECTED");
    assert!(matches!(
        status.payment_status(),
        PaymentStatus::Failed { .. }
    ));
}

#[tokio::test]
async fn order_ids_are_percent_encoded_in_paths() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/a%2Fb%3Fc")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(details_body("a/b?c", NEW_HASH, "success")),
        )
        .expect(1)
        .mount(&server)
        .await;
    client(&server).payment_details("a/b?c").await.unwrap();
}
