//! Callbacks: matched against the stored pair, confirmed by re-querying iPay.

mod common;

use std::sync::Arc;

use common::*;
use http::{HeaderMap, HeaderValue};
use paykit_bog::{
    BogWebhook, InMemoryOrderStore, Notification, NotificationKind, OrderStore, PaymentHash,
    StoredOrder,
};
use paykit_core::{
    Authenticity, Error, EventKind, PaymentProvider, PaymentStatus, RefundState, Result,
    SignatureError, Webhook, WebhookRequest, async_trait,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// TV-3: the spec's status-change callback.
const TV3: &str = "status=success&order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&payment_hash=d7936f718c2b0ec2517a28c9de76966bcbecfe29&ipay_payment_id=18625&status_description=PERFORMED&shop_order_id=shop-10042&payment_method=GC_CARD&card_type=VISA&pan=411111%2A%2A%2A%2A%2A%2A1111&transaction_id=6F1A2B3C4D5E6F70819";

const REFUND_NOTICE: &str = "order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&payment_hash=d7936f718c2b0ec2517a28c9de76966bcbecfe29&ipay_payment_id=18625&status_description=PERFORMED&shop_order_id=shop-10042&payment_method=GC_CARD&card_type=VISA";

fn store() -> Arc<InMemoryOrderStore> {
    let store = InMemoryOrderStore::new();
    store.insert(StoredOrder::new(
        ORDER_ID,
        PaymentHash::new(PAYMENT_HASH),
        Some("shop-10042".into()),
    ));
    Arc::new(store)
}

fn form_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    headers
}

async fn mount_details(server: &MockServer, body: serde_json::Value, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(times)
        .mount(server)
        .await;
}

async fn verify(webhook: &BogWebhook, body: &str) -> Result<paykit_core::VerifiedEvent> {
    let headers = form_headers();
    webhook
        .verify(&WebhookRequest::new(&headers, body.as_bytes()))
        .await
}

#[tokio::test]
async fn the_tv3_callback_is_confirmed_by_the_api() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, details_body(ORDER_ID, PAYMENT_HASH, "success"), 2).await;
    let webhook = BogWebhook::new(client(&server), store());
    let event = verify(&webhook, TV3).await.unwrap();
    assert_eq!(event.authenticity, Authenticity::Confirmed);
    assert_eq!(event.provider.as_str(), "bog");
    let EventKind::Payment(outcome) = &event.kind else {
        panic!("{event:?}")
    };
    assert_eq!(outcome.provider_payment_id, ORDER_ID);
    assert_eq!(outcome.status, PaymentStatus::Captured);
    assert_eq!(outcome.order_id.as_deref(), Some("shop-10042"));
    // BOG retries: the same notification gives the same key.
    let again = verify(&webhook, TV3).await.unwrap();
    assert_eq!(again.dedupe_key, event.dedupe_key);
    assert_eq!(
        event.dedupe_key,
        format!("bog:{ORDER_ID}:payment:success:-")
    );
}

#[tokio::test]
async fn the_event_follows_the_api_not_the_callback() {
    // The callback claims success; iPay says the payment failed. The API wins.
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, details_body(ORDER_ID, PAYMENT_HASH, "error"), 1).await;
    let webhook = BogWebhook::new(client(&server), store());
    let event = verify(&webhook, TV3).await.unwrap();
    assert!(
        matches!(
            event.payment().unwrap().status,
            PaymentStatus::Failed { .. }
        ),
        "{event:?}"
    );
    assert_eq!(event.dedupe_key, format!("bog:{ORDER_ID}:payment:error:-"));
}

#[tokio::test]
async fn a_later_state_change_gets_a_new_dedupe_key() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    let mut blocked = details_body(ORDER_ID, PAYMENT_HASH, "success");
    blocked["pre_auth_status"] = json!("in_progress");
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(blocked))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    let mut completed = details_body(ORDER_ID, PAYMENT_HASH, "success");
    completed["pre_auth_status"] = json!("success");
    mount_details(&server, completed, 1).await;
    let webhook = BogWebhook::new(client(&server), store());
    let authorized = verify(&webhook, TV3).await.unwrap();
    assert_eq!(
        authorized.payment().unwrap().status,
        PaymentStatus::Authorized
    );
    let captured = verify(&webhook, TV3).await.unwrap();
    assert_eq!(captured.payment().unwrap().status, PaymentStatus::Captured);
    assert_ne!(authorized.dedupe_key, captured.dedupe_key);
}

#[tokio::test]
async fn a_refund_notice_confirms_the_refund_paykit_sent() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
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
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).order_store(store()).build().unwrap();
    client
        .refund()
        .unwrap()
        .refund(ORDER_ID, Some(gel("4.00")))
        .await
        .unwrap();
    let webhook = client.webhook().unwrap();
    let event = verify(&webhook, REFUND_NOTICE).await.unwrap();
    assert!(event.is_fit_for_fulfilment());
    let EventKind::Refund(outcome) = &event.kind else {
        panic!("{event:?}")
    };
    assert_eq!(outcome.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(outcome.refunded, Some(gel("4.00")));
    assert_eq!(event.dedupe_key, format!("bog:{ORDER_ID}:refund:1"));
    let record = client
        .payment_records()
        .get(paykit_bog::PROVIDER, ORDER_ID)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.refunds[0].state, RefundState::Confirmed);
    // The docs label the refund notice "JSON EXAMPLE": JSON is accepted too. A redelivery
    // confirms nothing new and keeps the key.
    let json_body = json!({
        "order_id": ORDER_ID, "payment_hash": PAYMENT_HASH, "ipay_payment_id": "18625",
        "status_description": "PERFORMED", "shop_order_id": "shop-10042",
        "payment_method": "GC_CARD", "card_type": "VISA"
    })
    .to_string();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let again = webhook
        .verify(&WebhookRequest::new(&headers, json_body.as_bytes()))
        .await
        .unwrap();
    assert!(matches!(again.kind, EventKind::Refund(_)));
    assert_eq!(again.dedupe_key, event.dedupe_key);
}

#[tokio::test]
async fn a_refund_notice_of_a_released_block_is_a_cancellation() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    let mut released = details_body(ORDER_ID, PAYMENT_HASH, "success");
    released["pre_auth_status"] = json!("success_unblocked");
    mount_details(&server, released, 1).await;
    let webhook = BogWebhook::new(client(&server), store());
    let event = verify(&webhook, REFUND_NOTICE).await.unwrap();
    let EventKind::Payment(outcome) = &event.kind else {
        panic!("{event:?}")
    };
    assert_eq!(outcome.status, PaymentStatus::Cancelled);
    assert_eq!(
        event.dedupe_key,
        format!("bog:{ORDER_ID}:payment:success:success_unblocked")
    );
}

#[tokio::test]
async fn a_wrong_hash_is_rejected_without_asking_ipay() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let webhook = BogWebhook::new(client(&server), store());
    // TV-3's negative case: the hash's last character differs.
    let forged = TV3.replace(
        "d7936f718c2b0ec2517a28c9de76966bcbecfe29",
        "d7936f718c2b0ec2517a28c9de76966bcbecfe2a",
    );
    let err = verify(&webhook, &forged).await.unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    let truncated = TV3.replace(
        "d7936f718c2b0ec2517a28c9de76966bcbecfe29",
        "d7936f718c2b0ec2517a28c9de76966bcbecfe2",
    );
    let err = verify(&webhook, &truncated).await.unwrap_err();
    assert!(matches!(err, Error::Signature(SignatureError::Mismatch)));
    server.verify().await;
}

/// A store keyed by the merchant's own id, as many shops keep it.
struct ByShopOrderId(StoredOrder);

#[async_trait]
impl OrderStore for ByShopOrderId {
    async fn save(&self, _order: &StoredOrder) -> Result<()> {
        Ok(())
    }

    async fn find(
        &self,
        _order_id: &str,
        shop_order_id: Option<&str>,
    ) -> Result<Option<StoredOrder>> {
        Ok((shop_order_id == self.0.shop_order_id.as_deref()).then(|| self.0.clone()))
    }
}

#[tokio::test]
async fn both_the_order_id_and_the_hash_must_match() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    // The right hash with another order id: found by shop_order_id, refused on the id.
    let stored = StoredOrder::new(
        "0000000000000000000000000000000000000000",
        PaymentHash::new(PAYMENT_HASH),
        Some("shop-10042".into()),
    );
    let webhook = BogWebhook::new(client(&server), Arc::new(ByShopOrderId(stored)));
    let err = verify(&webhook, TV3).await.unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn an_unknown_order_is_refused_without_asking_ipay() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let webhook = BogWebhook::new(client(&server), Arc::new(InMemoryOrderStore::new()));
    let err = verify(&webhook, TV3).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "order_id"),
        "{err:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_failed_requery_yields_no_event() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let webhook = BogWebhook::new(client(&server), store());
    let err = verify(&webhook, TV3).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_different_hash_at_ipay_is_an_integrity_error() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(
        &server,
        details_body(
            ORDER_ID,
            "ffffffffffffffffffffffffffffffffffffffff",
            "success",
        ),
        1,
    )
    .await;
    let webhook = BogWebhook::new(client(&server), store());
    let err = verify(&webhook, TV3).await.unwrap_err();
    assert!(
        matches!(&err, Error::Integrity { field, .. } if field == "payment_hash"),
        "{err:?}"
    );
    assert!(!err.to_string().contains(PAYMENT_HASH));
}

#[tokio::test]
async fn a_garbled_body_is_a_bad_body() {
    let server = MockServer::start().await;
    let webhook = BogWebhook::new(client(&server), store());
    for body in ["", "status=success", "\u{0}\u{1}garbage", "{\"order_id\":"] {
        let err = verify(&webhook, body).await.unwrap_err();
        assert!(
            matches!(err, Error::Signature(SignatureError::BadBody(_))),
            "{body:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn without_a_store_callbacks_are_matched_against_the_payment_records() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/orders")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "CREATED", "payment_hash": PAYMENT_HASH, "order_id": ORDER_ID,
            "links": [{"href": format!("https://ipay.ge/?order_id={ORDER_ID}&locale=ka"), "rel": "approve", "method": "REDIRECT"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_details(&server, details_body(ORDER_ID, PAYMENT_HASH, "success"), 1).await;
    let client = client(&server);
    client
        .create_payment(
            &paykit_core::PaymentRequest::new(gel("20.00"))
                .order_id("shop-10042")
                .return_url("https://shop.example.ge/r"),
        )
        .await
        .unwrap();
    let webhook = client.webhook().expect("the records carry the hash");
    let event = verify(&webhook, TV3).await.unwrap();
    let outcome = event.payment().unwrap();
    assert_eq!(outcome.status, PaymentStatus::Captured);
    // The records know the amount iPay's details leave out.
    assert_eq!(outcome.amount, Some(gel("20.00")));
    let forged = TV3.replace(PAYMENT_HASH, &"0".repeat(40));
    let err = verify(&webhook, &forged).await.unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unknown_order_is_confirmed_only_when_asked_and_only_with_ipays_hash() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, details_body(ORDER_ID, PAYMENT_HASH, "success"), 2).await;
    let store = Arc::new(InMemoryOrderStore::new());
    let webhook = BogWebhook::new(client(&server), store.clone()).confirm_unknown_orders();
    // A forged hash: iPay's answer does not carry it.
    let forged = TV3.replace(PAYMENT_HASH, &"0".repeat(40));
    let err = verify(&webhook, &forged).await.unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    assert!(store.is_empty());
    // The genuine callback of a charge whose answer was lost: found, confirmed, adopted.
    let event = verify(&webhook, TV3).await.unwrap();
    assert!(event.is_fit_for_fulfilment());
    let outcome = event.payment().unwrap();
    assert_eq!(outcome.provider_payment_id, ORDER_ID);
    assert_eq!(outcome.order_id.as_deref(), Some("shop-10042"));
    assert_eq!(outcome.status, PaymentStatus::Captured);
    let stored = store.find(ORDER_ID, None).await.unwrap().unwrap();
    assert_eq!(stored.payment_hash.expose_secret(), PAYMENT_HASH);
    server.verify().await;
}

#[test]
fn notifications_parse_offline() {
    let n = Notification::parse(Some("application/x-www-form-urlencoded"), TV3.as_bytes()).unwrap();
    assert_eq!(n.kind, NotificationKind::StatusChange);
    assert_eq!(n.pan.as_deref(), Some("411111******1111"));
    let n = Notification::parse(None, REFUND_NOTICE.as_bytes()).unwrap();
    assert_eq!(n.kind, NotificationKind::AmountReturn);
}
