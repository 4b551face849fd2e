//! End to end: the Bank of Georgia iPay client (`paykit-bog`) against the simulator
//! (`paykit-sim`) over loopback HTTP. The client talks to the simulator through a recording
//! proxy; the customer step is a plain GET of the `rel=approve` link; iPay's unsigned form
//! callbacks go to the merchant URLs set with `set_bog_callback_urls` and are confirmed with
//! the client's own `BogWebhook`: the order store (order id + payment hash) and a re-query.

// The setup helpers below are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Merchant, Proxy, Received, http_client, open_page};
use paykit_bog::{
    BogClient, BogWebhook, InMemoryOrderStore, PaymentState, PreAuthCompletion, PreAuthStatus,
};
use paykit_core::{
    Authenticity, CaptureMode, Currency, Error, EventKind, Money, NextAction, PaymentOutcome,
    PaymentProvider, PaymentRequest, PaymentStatus, SecretString, SignatureError, VerifiedEvent,
    Webhook, WebhookRequest,
};
use paykit_sim::{SimConfig, Simulator};

const API: &str = "/opay/api/v1";

struct Env {
    sim: Simulator,
    proxy: Proxy,
    merchant: Merchant,
    store: Arc<InMemoryOrderStore>,
    client: BogClient,
    webhook: BogWebhook,
}

async fn env() -> Env {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let proxy = Proxy::start(&sim.bog().base_url).await;
    let merchant = Merchant::start().await;
    sim.set_bog_callback_urls(
        Some(merchant.url("/bog/status")),
        Some(merchant.url("/bog/refund")),
    );
    let store = Arc::new(InMemoryOrderStore::new());
    let info = sim.bog();
    let client = BogClient::builder(
        info.client_id.clone(),
        SecretString::from(info.secret_key.clone()),
    )
    .base_url(format!("{}{API}", proxy.base))
    .order_store(store.clone())
    .http_client(http_client())
    .build()
    .unwrap();
    let webhook = client.webhook().expect("an order store is configured");
    Env {
        sim,
        proxy,
        merchant,
        store,
        client,
        webhook,
    }
}

fn gel(amount: &str) -> Money {
    Money::parse(amount, Currency::GEL).unwrap()
}

fn details_path(order_id: &str) -> String {
    format!("{API}/checkout/payment/{order_id}")
}

fn api_error(result: paykit_core::Result<impl std::fmt::Debug>) -> (String, String) {
    match result {
        Err(Error::Api { code, message, .. }) => (code, message),
        other => panic!("expected an iPay API error, got {other:?}"),
    }
}

impl Env {
    fn request(&self, amount: &str, shop_order_id: &str) -> PaymentRequest {
        PaymentRequest::new(gel(amount))
            .order_id(shop_order_id)
            .description(format!("Order {shop_order_id}"))
            .language("en")
            .return_url(format!(
                "https://shop.example.ge/return?order={shop_order_id}"
            ))
    }

    /// Creates the order, checks the approve link, opens it and receives the status callback.
    async fn pay(&mut self, request: &PaymentRequest) -> (PaymentOutcome, String, Received) {
        let created = self.client.create_payment(request).await.unwrap();
        assert_eq!(created.status, PaymentStatus::RequiresAction);
        assert_eq!(created.amount, Some(request.amount));
        assert_eq!(created.order_id, request.order_id);
        let NextAction::Redirect { url } = &created.next_action else {
            panic!(
                "iPay redirects to the approve link, got {:?}",
                created.next_action
            );
        };
        let approve = format!(
            "{}/?order_id={}&locale=en-US",
            self.sim.bog().base_url,
            created.provider_payment_id
        );
        assert_eq!(url, &approve);
        let (status, html) = open_page(url).await;
        assert_eq!(status, 200, "{html}");
        let callback = self.status_callback().await;
        (created, html, callback)
    }

    async fn status_callback(&mut self) -> Received {
        let callback = self.merchant.next().await;
        assert_eq!(callback.method, "POST");
        assert_eq!(callback.path, "/bog/status");
        assert_eq!(
            callback.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        callback
    }

    async fn refund_callback(&mut self) -> Received {
        let callback = self.merchant.next().await;
        assert_eq!(callback.method, "POST");
        assert_eq!(callback.path, "/bog/refund");
        callback
    }

    async fn verify(&self, callback: &Received) -> paykit_core::Result<VerifiedEvent> {
        self.webhook
            .verify(&WebhookRequest::new(&callback.headers, &callback.body))
            .await
    }

    /// Number of status queries (re-queries included) iPay received for `order_id`.
    fn queries(&self, order_id: &str) -> usize {
        self.proxy.calls("GET", &details_path(order_id)).len()
    }
}

fn payment_of(event: &VerifiedEvent) -> &PaymentOutcome {
    match &event.kind {
        EventKind::Payment(outcome) => outcome,
        other => panic!("expected a payment event, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_lifecycle_with_confirmed_callbacks_and_refunds() {
    let mut env = env().await;
    let request = env.request("20.00", "A-1001");

    let created = env.client.create_payment(&request).await.unwrap();
    let order_id = created.provider_payment_id.clone();
    // The client recorded order id and payment hash for the callbacks.
    assert_eq!(env.store.len(), 1);
    let before = env.client.get_payment(&order_id).await.unwrap();
    assert_eq!(before.status, PaymentStatus::Pending);
    assert_eq!(before.raw_status.as_deref(), Some("in_progress"));
    assert!(env.merchant.quiet_for(Duration::from_millis(100)).await);

    let NextAction::Redirect { url } = &created.next_action else {
        panic!("{:?}", created.next_action);
    };
    let (status, html) = open_page(url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment successful"), "{html}");
    let callback = env.status_callback().await;
    assert!(callback.text().contains(&format!("order_id={order_id}")));

    // Confirmed: the stored pair matched and iPay, asked again, agreed.
    let queries = env.queries(&order_id);
    let event = env.verify(&callback).await.unwrap();
    assert_eq!(env.queries(&order_id), queries + 1, "one re-query");
    assert_eq!(event.provider, paykit_bog::PROVIDER);
    assert_eq!(event.authenticity, Authenticity::Confirmed);
    assert_eq!(
        event.dedupe_key,
        format!("bog:{order_id}:payment:success:-")
    );
    let paid = payment_of(&event);
    assert_eq!(paid.provider_payment_id, order_id);
    assert_eq!(paid.status, PaymentStatus::Captured);
    assert_eq!(paid.order_id.as_deref(), Some("A-1001"));
    let card = paid.saved_card.as_ref().expect("a card payment");
    assert_eq!(card.id, order_id);
    assert_eq!(card.masked_pan.as_deref(), Some("411111******1111"));

    // Forgeries are refused before iPay is asked anything.
    let queries = env.queries(&order_id);
    let hash = callback
        .text()
        .split('&')
        .find_map(|kv| kv.strip_prefix("payment_hash=").map(str::to_owned))
        .unwrap();
    let forged_hash = callback.text().replace(&hash, &"0".repeat(hash.len()));
    let err = env
        .webhook
        .verify(&WebhookRequest::body_only(forged_hash.as_bytes()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    let unknown_order = callback
        .text()
        .replace(&order_id, &"f".repeat(order_id.len()));
    let err = env
        .webhook
        .verify(&WebhookRequest::body_only(unknown_order.as_bytes()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "order_id"),
        "{err:?}"
    );
    assert_eq!(env.queries(&order_id), queries, "no re-query for forgeries");

    let now = env.client.get_payment(&order_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Captured);
    assert_eq!(now.raw_status.as_deref(), Some("success"));

    // A partial refund through the common trait, and its confirmed refund notice.
    let client = env.client.clone();
    let refunds = client.refund().expect("iPay refunds");
    let refunded = refunds.refund(&order_id, Some(gel("5.25"))).await.unwrap();
    assert_eq!(refunded.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(refunded.refunded, Some(gel("5.25")));
    let notice = env.refund_callback().await;
    let event = env.verify(&notice).await.unwrap();
    assert_eq!(event.authenticity, Authenticity::Confirmed);
    // Keyed by what paykit and iPay confirm (the first refund iPay confirmed), not by the
    // notice's unsigned fields.
    assert_eq!(event.dedupe_key, format!("bog:{order_id}:refund:1"));
    match &event.kind {
        EventKind::Refund(outcome) => {
            assert_eq!(outcome.provider_payment_id, order_id);
            assert_eq!(outcome.status, PaymentStatus::PartiallyRefunded);
            assert_eq!(outcome.refunded, Some(gel("5.25")));
        }
        other => panic!("expected a refund event, got {other:?}"),
    }
    // iPay's details still read success after a refund; get_payment knows better.
    let details = env.client.payment_details(&order_id).await.unwrap();
    assert_eq!(details.status, PaymentState::Success);
    let now = env.client.get_payment(&order_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(now.refunded, Some(gel("5.25")));
    assert_eq!(now.amount, Some(gel("20.00")));

    // 14.75 is left: 15.00 is beyond the balance and refused; nothing moves.
    let (code, message) = api_error(refunds.refund(&order_id, Some(gel("15.00"))).await);
    assert_eq!(code, "INVALID_ORDER_STATE");
    assert!(message.contains("refundable balance"), "{message}");
    assert!(env.merchant.quiet_for(Duration::from_millis(100)).await);
    // The rest is fine, and then nothing is left.
    let rest = refunds.refund(&order_id, None).await.unwrap();
    assert_eq!(rest.status, PaymentStatus::Refunded);
    assert_eq!(rest.refunded, Some(gel("20.00")));
    let notice = env.refund_callback().await;
    let event = env.verify(&notice).await.unwrap();
    assert_eq!(event.dedupe_key, format!("bog:{order_id}:refund:2"));
    // BOG delivers a notice up to five times: the same key again.
    let again = env.verify(&notice).await.unwrap();
    assert_eq!(again.dedupe_key, event.dedupe_key);
    let now = env.client.get_payment(&order_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Refunded);
    let (code, message) = api_error(refunds.refund(&order_id, Some(gel("0.10"))).await);
    assert_eq!(code, "INVALID_ORDER_STATE");
    assert!(message.contains("fully refunded"), "{message}");

    // The order was created once.
    assert_eq!(
        env.proxy
            .statuses("POST", &format!("{API}/checkout/orders")),
        [200]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_payment_is_failed_in_callback_and_status() {
    let mut env = env().await;
    let request = env.request("10.01", "A-1002");
    let (created, html, callback) = env.pay(&request).await;
    let order_id = created.provider_payment_id;
    assert!(html.contains("Payment failed"), "{html}");

    let rejected = PaymentStatus::Failed {
        reason: Some("REJECTED".into()),
    };
    let event = env.verify(&callback).await.unwrap();
    assert_eq!(event.dedupe_key, format!("bog:{order_id}:payment:error:-"));
    let failed = payment_of(&event);
    assert_eq!(failed.status, rejected);
    assert_eq!(failed.saved_card, None);
    let now = env.client.get_payment(&order_id).await.unwrap();
    assert_eq!(now.status, rejected);
    assert_eq!(now.raw_status.as_deref(), Some("error"));
    // Nothing to refund.
    let (code, _) = api_error(env.client.refund().unwrap().refund(&order_id, None).await);
    assert_eq!(code, "INVALID_ORDER_STATE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authorization_is_blocked_then_partly_completed() {
    let mut env = env().await;
    let request = env
        .request("120.00", "HOTEL-77")
        .capture(CaptureMode::Manual);
    let (created, html, callback) = env.pay(&request).await;
    let order_id = created.provider_payment_id;
    assert!(html.contains("Amount blocked"), "{html}");
    let created_body = &env.proxy.calls("POST", &format!("{API}/checkout/orders"))[0];
    assert!(
        created_body
            .request_body
            .contains(r#""capture_method":"MANUAL""#),
        "{}",
        created_body.request_body
    );

    let event = env.verify(&callback).await.unwrap();
    assert_eq!(
        event.dedupe_key,
        format!("bog:{order_id}:payment:success:in_progress")
    );
    assert_eq!(payment_of(&event).status, PaymentStatus::Authorized);
    assert_eq!(
        env.client.get_payment(&order_id).await.unwrap().status,
        PaymentStatus::Authorized
    );

    let capture = env
        .client
        .capture()
        .expect("iPay completes pre-authorizations");
    // Completing more than was blocked is refused; the block stands.
    let (code, _) = api_error(capture.capture(&order_id, Some(gel("120.01"))).await);
    assert_eq!(code, "INVALID_REQUEST");
    assert_eq!(
        env.client.get_payment(&order_id).await.unwrap().status,
        PaymentStatus::Authorized
    );
    // 95.00 of the 120.00 is taken, the rest released.
    let captured = capture
        .capture(&order_id, Some(gel("95.00")))
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(captured.amount, Some(gel("95.00")));
    let callback = env.status_callback().await;
    let event = env.verify(&callback).await.unwrap();
    assert_eq!(
        event.dedupe_key,
        format!("bog:{order_id}:payment:success:success")
    );
    assert_eq!(payment_of(&event).status, PaymentStatus::Captured);
    let details = env.client.payment_details(&order_id).await.unwrap();
    assert_eq!(details.pre_auth_status, Some(PreAuthStatus::Success));
    // A second completion is answered as already done, not charged again.
    let again = env
        .client
        .complete_pre_auth(&order_id, &PreAuthCompletion::Full)
        .await
        .unwrap();
    assert_eq!(again.status, PaymentState::Success);
    assert_eq!(
        again.description.as_deref(),
        Some("Already completed successful")
    );

    // Refunds are bounded by the 95.00 captured, not the 120.00 blocked.
    let refunds = env.client.refund().unwrap();
    let (code, _) = api_error(refunds.refund(&order_id, Some(gel("95.01"))).await);
    assert_eq!(code, "INVALID_ORDER_STATE");
    let refunded = refunds.refund(&order_id, Some(gel("40.00"))).await.unwrap();
    assert_eq!(refunded.status, PaymentStatus::PartiallyRefunded);
    let (code, message) = api_error(refunds.refund(&order_id, Some(gel("55.01"))).await);
    assert_eq!(code, "INVALID_ORDER_STATE");
    assert!(message.contains("refundable balance"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authorization_can_be_released() {
    let mut env = env().await;
    let request = env
        .request("60.00", "HOTEL-78")
        .capture(CaptureMode::Manual);
    let (created, _, callback) = env.pay(&request).await;
    let order_id = created.provider_payment_id;
    assert_eq!(
        payment_of(&env.verify(&callback).await.unwrap()).status,
        PaymentStatus::Authorized
    );
    let released = env.client.void().unwrap().void(&order_id).await.unwrap();
    assert_eq!(released.status, PaymentStatus::Cancelled);
    let callback = env.status_callback().await;
    let event = env.verify(&callback).await.unwrap();
    assert_eq!(payment_of(&event).status, PaymentStatus::Cancelled);
    assert_eq!(
        env.client.get_payment(&order_id).await.unwrap().status,
        PaymentStatus::Cancelled
    );
    // Nothing left to capture.
    let (code, _) = api_error(env.client.capture().unwrap().capture(&order_id, None).await);
    assert_eq!(code, "INVALID_ORDER_STATE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_is_renewed_mid_flow() {
    let mut env = env().await;
    let request = env.request("15.00", "A-1003");
    let (created, _, callback) = env.pay(&request).await;
    let order_id = created.provider_payment_id;
    let token = format!("{API}/oauth2/token");
    assert_eq!(env.proxy.statuses("POST", &token), [200]);

    // iPay tokens live about a minute: the client still holds its token, iPay refuses it.
    env.sim.advance(Duration::from_secs(61));
    // The callback's re-query meets the expired token, gets a new one and confirms.
    let event = env.verify(&callback).await.unwrap();
    assert_eq!(payment_of(&event).status, PaymentStatus::Captured);
    let requery = env.proxy.calls("GET", &details_path(&order_id));
    let statuses: Vec<u16> = requery.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [401, 200]);
    assert!(requery[0].response_body.contains("invalid_token"));
    assert_eq!(env.proxy.statuses("POST", &token), [200, 200]);

    // Again, on a call that moves money: refused once, then sent with the new token.
    env.sim.advance(Duration::from_secs(61));
    let refunded = env
        .client
        .refund()
        .unwrap()
        .refund(&order_id, Some(gel("5.00")))
        .await
        .unwrap();
    assert_eq!(refunded.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(
        env.proxy
            .statuses("POST", &format!("{API}/checkout/refund")),
        [401, 200]
    );
    assert_eq!(env.proxy.statuses("POST", &token), [200, 200, 200]);
    let notice = env.refund_callback().await;
    assert!(matches!(
        env.verify(&notice).await.unwrap().kind,
        EventKind::Refund(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_of_a_blocked_payment_releases_it() {
    let mut env = env().await;
    let request = env
        .request("70.00", "HOTEL-79")
        .capture(CaptureMode::Manual);
    let (created, _, callback) = env.pay(&request).await;
    let order_id = created.provider_payment_id;
    assert_eq!(
        payment_of(&env.verify(&callback).await.unwrap()).status,
        PaymentStatus::Authorized
    );
    let released = env
        .client
        .refund()
        .unwrap()
        .refund(&order_id, None)
        .await
        .unwrap();
    // Nothing was refunded: the block was lifted.
    assert_eq!(released.status, PaymentStatus::Cancelled);
    assert_eq!(released.refunded, None);
    // iPay sends a status change and a refund notice, in either order; both are the released
    // payment.
    let mut callbacks = [env.merchant.next().await, env.merchant.next().await];
    callbacks.sort_by(|a, b| b.path.cmp(&a.path));
    let [status, notice] = callbacks;
    assert_eq!(
        (status.path.as_str(), notice.path.as_str()),
        ("/bog/status", "/bog/refund")
    );
    let status_event = env.verify(&status).await.unwrap();
    assert_eq!(payment_of(&status_event).status, PaymentStatus::Cancelled);
    let notice_event = env.verify(&notice).await.unwrap();
    assert_eq!(payment_of(&notice_event).status, PaymentStatus::Cancelled);
    assert_eq!(notice_event.dedupe_key, status_event.dedupe_key);
    assert_eq!(
        env.client.get_payment(&order_id).await.unwrap().status,
        PaymentStatus::Cancelled
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_amount_is_captured_and_refunded_as_full() {
    let mut env = env().await;
    let request = env
        .request("45.00", "HOTEL-80")
        .capture(CaptureMode::Manual);
    let (created, _, callback) = env.pay(&request).await;
    let order_id = created.provider_payment_id;
    env.verify(&callback).await.unwrap();
    // iPay refuses a PARTIAL_COMPLETE of the whole blocked amount; it goes out as FULL.
    let captured = env
        .client
        .capture()
        .unwrap()
        .capture(&order_id, Some(gel("45.00")))
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(captured.amount, Some(gel("45.00")));
    let completion = &env.proxy.calls(
        "POST",
        &format!("{API}/checkout/payment/{order_id}/pre-auth/completion"),
    )[0];
    assert!(
        completion.request_body.contains("FULL_COMPLETE"),
        "{}",
        completion.request_body
    );
    env.status_callback().await;
    // Likewise a refund of everything goes out without an amount.
    let refunded = env
        .client
        .refund()
        .unwrap()
        .refund(&order_id, Some(gel("45.00")))
        .await
        .unwrap();
    assert_eq!(refunded.status, PaymentStatus::Refunded);
    let refund = &env.proxy.calls("POST", &format!("{API}/checkout/refund"))[0];
    assert_eq!(refund.request_body, format!("order_id={order_id}"));
    let notice = env.refund_callback().await;
    assert!(matches!(
        env.verify(&notice).await.unwrap().kind,
        EventKind::Refund(_)
    ));
    assert_eq!(
        env.client.get_payment(&order_id).await.unwrap().status,
        PaymentStatus::Refunded
    );
}
