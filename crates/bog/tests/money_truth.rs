//! The defects of issue 10 ("money truth"), one test each: every state the client reports is
//! true, or it says that it does not know. Each test failed before the fix.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use http::{HeaderMap, HeaderValue};
use paykit_bog::{
    BogClient, BogWebhook, InMemoryOrderStore, OrderStore, PaymentHash, StoredOrder,
    SubscriptionCharge,
};
use paykit_core::http::ExecutorConfig;
use paykit_core::{
    CaptureMode, CardUsage, Error, EventKind, PaymentProvider, PaymentRequest, PaymentStatus,
    Result, SavedCardCharge, VerifiedEvent, Webhook, WebhookRequest, async_trait,
};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NEW_ORDER: &str = "9c1e7a2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a";
const NEW_HASH: &str = "3f0c6b1e8a2d4c5b9e7f1a0d2c4b6e8f0a1b3c5d";
const CHARGE_ORDER: &str = "0d2f4b6a8c1e3f5a7b9d0e2c4a6f8b0d1e3c5a7b";
const CHARGE_HASH: &str = "b2d4f6a8c0e1f3a5b7d9e0c2a4f6b8d0e1c3a5b7";

const REFUND_NOTICE: &str = "order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&payment_hash=d7936f718c2b0ec2517a28c9de76966bcbecfe29&ipay_payment_id=18625&status_description=PERFORMED&shop_order_id=shop-10042&payment_method=GC_CARD&card_type=VISA";

async fn mount_create(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/orders")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "CREATED", "payment_hash": NEW_HASH, "order_id": NEW_ORDER,
            "links": [{"href": format!("https://ipay.ge/?order_id={NEW_ORDER}&locale=ka"), "rel": "approve", "method": "REDIRECT"}]
        })))
        .mount(server)
        .await;
}

async fn mount_details(server: &MockServer, order_id: &str, hash: &str, pre_auth: Option<&str>) {
    let mut body = details_body(order_id, hash, "success");
    body["pre_auth_status"] = json!(pre_auth);
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{order_id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn mount_refund(server: &MockServer, form: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/refund")))
        .and(body_string(form))
        .respond_with(ResponseTemplate::new(200))
        .expect(times)
        .mount(server)
        .await;
}

/// A payment created through the client: 60.00 GEL, automatic or blocked (MANUAL).
async fn created(client: &BogClient, capture: CaptureMode) -> String {
    let request = PaymentRequest::new(gel("60.00"))
        .order_id("A-7")
        .capture(capture)
        .return_url("https://shop.example.ge/return?order=A-7");
    client
        .create_payment(&request)
        .await
        .expect("the order is created")
        .provider_payment_id
}

fn tv3_store() -> Arc<InMemoryOrderStore> {
    let store = InMemoryOrderStore::new();
    store.insert(StoredOrder::new(
        ORDER_ID,
        PaymentHash::new(PAYMENT_HASH),
        Some("shop-10042".into()),
    ));
    Arc::new(store)
}

async fn notice(webhook: &BogWebhook, body: &str) -> Result<VerifiedEvent> {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    webhook
        .verify(&WebhookRequest::new(&headers, body.as_bytes()))
        .await
}

#[tokio::test]
async fn a_malformed_subscription_answer_is_an_unknown_outcome() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/payment/subscription")))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"status":"in_progress","payment_hash":"{CHARGE_HASH}","order_id":"0d2f"#
        )))
        .expect(1)
        .mount(&server)
        .await;
    let charge = SubscriptionCharge::new(NEW_ORDER, gel("19.99")).shop_order_id("SUB-1");
    let err = client(&server)
        .charge_subscription(&charge)
        .await
        .unwrap_err();
    assert!(err.outcome_unknown() && !err.is_retryable(), "{err:?}");
    let ids = err.payment_ref().expect("ids");
    assert_eq!(ids.merchant_reference.as_deref(), Some("SUB-1"));
    assert!(err.to_string().contains("SUB-1"), "{err}");
}

#[tokio::test]
async fn a_malformed_or_mismatched_completion_answer_is_an_unknown_outcome() {
    for answer in [
        r#"{"status":"success","descr"#.to_owned(),
        format!(
            r#"{{"status":"success","description":"Pre-authorization successfully completed","order_id":"{NEW_ORDER}"}}"#
        ),
    ] {
        let server = MockServer::start().await;
        mount_token(&server, TOKEN, 1).await;
        Mock::given(method("POST"))
            .and(path(format!(
                "{API}/checkout/payment/{ORDER_ID}/pre-auth/completion"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_string(answer))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).order_store(tv3_store()).build().unwrap();
        let err = client
            .capture()
            .unwrap()
            .capture(ORDER_ID, None)
            .await
            .unwrap_err();
        assert!(err.outcome_unknown() && !err.is_retryable(), "{err:?}");
        let ids = err.payment_ref().expect("ids");
        assert_eq!(ids.provider_payment_id.as_deref(), Some(ORDER_ID));
        assert_eq!(ids.payment_hash_secret(), Some(PAYMENT_HASH));
        assert!(!err.to_string().contains(PAYMENT_HASH), "{err}");
    }
}

/// A store whose writes fail (a database outage).
struct BrokenStore;

#[async_trait]
impl OrderStore for BrokenStore {
    async fn save(&self, _order: &StoredOrder) -> Result<()> {
        Err(Error::invalid_input("store", "the database is down"))
    }

    async fn find(&self, _order_id: &str, _shop: Option<&str>) -> Result<Option<StoredOrder>> {
        Ok(None)
    }
}

#[tokio::test]
async fn a_charge_whose_store_write_fails_is_not_recorded_with_its_ids() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/payment/subscription")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": "in_progress", "payment_hash": CHARGE_HASH, "order_id": CHARGE_ORDER}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .order_store(Arc::new(BrokenStore))
        .build()
        .unwrap();
    let native = client
        .charge_subscription(
            &SubscriptionCharge::new(NEW_ORDER, gel("19.99")).shop_order_id("SUB-1"),
        )
        .await
        .unwrap_err();
    let charge = SavedCardCharge::new(
        NEW_ORDER,
        CardUsage::Recurring,
        PaymentRequest::new(gel("19.99")).order_id("SUB-2"),
    );
    let common = client
        .recurring()
        .unwrap()
        .charge_saved_card(&charge)
        .await
        .unwrap_err();
    for (err, reference) in [(native, "SUB-1"), (common, "SUB-2")] {
        let Error::NotRecorded { outcome, .. } = &err else {
            panic!("expected NotRecorded, got {err:?}")
        };
        assert_eq!(outcome.provider_payment_id, CHARGE_ORDER);
        assert_eq!(outcome.status, PaymentStatus::Pending);
        let ids = err.payment_ref().unwrap();
        assert_eq!(ids.provider_payment_id.as_deref(), Some(CHARGE_ORDER));
        assert_eq!(ids.payment_hash_secret(), Some(CHARGE_HASH));
        assert_eq!(ids.merchant_reference.as_deref(), Some(reference));
        assert!(
            !err.is_retryable(),
            "a charge that happened is never retried"
        );
        assert!(err.to_string().contains("database is down"), "{err}");
        assert!(!err.to_string().contains(CHARGE_HASH), "{err}");
    }
}

#[tokio::test]
async fn get_payment_after_refunds_reads_refunded_from_the_records() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_create(&server).await;
    mount_details(&server, NEW_ORDER, NEW_HASH, None).await;
    mount_refund(&server, &format!("order_id={NEW_ORDER}&amount=5.00"), 1).await;
    mount_refund(&server, &format!("order_id={NEW_ORDER}"), 1).await;
    let client = client(&server);
    let id = created(&client, CaptureMode::Automatic).await;
    let refunds = client.refund().unwrap();
    refunds.refund(&id, Some(gel("5"))).await.unwrap();
    let now = client.get_payment(&id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(now.refunded, Some(gel("5.00")));
    assert_eq!(now.amount, Some(gel("60.00")));
    let rest = refunds.refund(&id, None).await.unwrap();
    assert_eq!(rest.status, PaymentStatus::Refunded);
    let now = client.get_payment(&id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Refunded);
    assert_eq!(now.refunded, Some(gel("60.00")));
}

#[tokio::test]
async fn refunding_a_blocked_pre_auth_releases_it_as_cancelled() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_create(&server).await;
    mount_details(&server, NEW_ORDER, NEW_HASH, Some("in_progress")).await;
    mount_refund(&server, &format!("order_id={NEW_ORDER}"), 1).await;
    let client = client(&server);
    let id = created(&client, CaptureMode::Manual).await;
    let released = client.refund().unwrap().refund(&id, None).await.unwrap();
    assert_eq!(released.status, PaymentStatus::Cancelled);
    assert_eq!(released.refunded, None);
}

#[tokio::test]
async fn a_refund_notice_while_the_block_is_held_is_not_a_refund() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, ORDER_ID, PAYMENT_HASH, Some("in_progress")).await;
    let webhook = BogWebhook::new(client(&server), tv3_store());
    let event = notice(&webhook, REFUND_NOTICE).await.unwrap();
    let EventKind::Payment(outcome) = &event.kind else {
        panic!("a held block is no refund: {event:?}")
    };
    assert_eq!(outcome.status, PaymentStatus::Authorized);
}

#[tokio::test]
async fn a_full_amount_capture_and_refund_go_out_as_full() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_create(&server).await;
    Mock::given(method("POST"))
        .and(path(format!(
            "{API}/checkout/payment/{NEW_ORDER}/pre-auth/completion"
        )))
        .and(body_json(json!({"auth_type": "FULL_COMPLETE"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": "success", "description": "Pre-authorization successfully completed"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mount_refund(&server, &format!("order_id={NEW_ORDER}"), 1).await;
    let client = client(&server);
    let id = created(&client, CaptureMode::Manual).await;
    let captured = client
        .capture()
        .unwrap()
        .capture(&id, Some(gel("60.00")))
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(captured.amount, Some(gel("60.00")));
    let refunded = client
        .refund()
        .unwrap()
        .refund(&id, Some(gel("60")))
        .await
        .unwrap();
    assert_eq!(refunded.status, PaymentStatus::Refunded);
    assert_eq!(refunded.refunded, Some(gel("60.00")));
}

#[tokio::test]
async fn refund_events_come_from_confirmed_data_and_keys_ignore_callback_fields() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 2).await; // two clients
    mount_details(&server, ORDER_ID, PAYMENT_HASH, None).await;
    mount_refund(&server, &format!("order_id={ORDER_ID}&amount=2.50"), 1).await;
    // Nothing was refunded through this client: a "refund notice" is not believed.
    let untouched = BogWebhook::new(client(&server), tv3_store());
    let event = notice(&untouched, REFUND_NOTICE).await.unwrap();
    assert!(
        matches!(&event.kind, EventKind::Payment(o) if o.status == PaymentStatus::Captured),
        "{event:?}"
    );
    // A refund paykit sent, then its notice, then the notice again with other unsigned fields.
    let client = builder(&server).order_store(tv3_store()).build().unwrap();
    client
        .refund()
        .unwrap()
        .refund(ORDER_ID, Some(gel("2.50")))
        .await
        .unwrap();
    let webhook = client.webhook().unwrap();
    let first = notice(&webhook, REFUND_NOTICE).await.unwrap();
    let EventKind::Refund(outcome) = &first.kind else {
        panic!("{first:?}")
    };
    assert_eq!(outcome.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(outcome.refunded, Some(gel("2.50")));
    let relabelled = REFUND_NOTICE
        .replace("ipay_payment_id=18625", "ipay_payment_id=1")
        .replace(
            "status_description=PERFORMED",
            "status_description=REFUNDED",
        )
        + "&amount=99.00";
    let again = notice(&webhook, &relabelled).await.unwrap();
    assert_eq!(again.dedupe_key, first.dedupe_key);
    assert!(!first.dedupe_key.contains("18625"), "{}", first.dedupe_key);
}

#[tokio::test]
async fn a_void_of_a_completed_pre_auth_is_refused_not_cancelled() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!(
            "{API}/checkout/payment/{ORDER_ID}/pre-auth/completion"
        )))
        .and(body_json(json!({"auth_type": "CANCEL"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": "success", "description": "Already completed successful"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .void()
        .unwrap()
        .void(ORDER_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { .. }) && !err.is_retryable() && !err.outcome_unknown(),
        "the money was captured, nothing was released: {err:?}"
    );
}

#[tokio::test]
async fn an_unknown_refund_outcome_carries_the_order_id_and_hash() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/refund")))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(800)))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .order_store(tv3_store())
        .executor_config(ExecutorConfig::default().timeout(Duration::from_millis(200)))
        .build()
        .unwrap();
    let err = client
        .refund_order(ORDER_ID, Some(gel("1.00")))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    let ids = err.payment_ref().expect("ids");
    assert_eq!(ids.provider_payment_id.as_deref(), Some(ORDER_ID));
    assert_eq!(ids.payment_hash_secret(), Some(PAYMENT_HASH));
    assert_eq!(ids.merchant_reference.as_deref(), Some("shop-10042"));
    assert!(err.to_string().contains(ORDER_ID), "{err}");
    assert!(!err.to_string().contains(PAYMENT_HASH), "{err}");
}

#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_not_sent_twice_and_reads_pending() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, ORDER_ID, PAYMENT_HASH, None).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/refund")))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).order_store(tv3_store()).build().unwrap();
    let refunds = client.refund().unwrap();
    let lost = refunds.refund(ORDER_ID, Some(gel("3"))).await.unwrap_err();
    assert!(lost.outcome_unknown(), "{lost:?}");
    // The README's advice: reconcile with get_payment. It must not read plain Captured.
    let now = client.get_payment(ORDER_ID).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Pending, "{now:?}");
    // Repeating the partial refund could pay it back twice: refused before sending.
    let again = refunds.refund(ORDER_ID, Some(gel("3"))).await.unwrap_err();
    assert!(
        matches!(&again, Error::InvalidInput { field, .. } if field == "amount"),
        "{again:?}"
    );
    server.verify().await;
}
