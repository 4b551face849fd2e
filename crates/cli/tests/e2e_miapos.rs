//! End to end: the miaPOS client (`paykit-miapos`) against the simulator (`paykit-sim`) over
//! loopback HTTP. The client talks to the simulator through a recording proxy; the customer
//! step is a plain GET of `checkoutPage`; the RSA-signed callback is verified with the
//! client's own `Webhook`, which fetches the verification key from the simulator's
//! `/public-key`; payments are settled by polling with core's `poll_payment`.

// The setup helpers below are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Merchant, Proxy, Received, http_client, open_page};
use paykit_core::{
    Authenticity, Currency, Error, EventKind, Money, NextAction, PaymentOutcome, PaymentProvider,
    PaymentRequest, PaymentStatus, PollConfig, PollOutcome, SecretString, SignatureError,
    VerifiedEvent, Webhook, WebhookRequest, poll_payment,
};
use paykit_miapos::{MiaPos, MiaPosStatus};
use paykit_sim::{SimConfig, Simulator};
use tokio::sync::Notify;

const TOKEN: &str = "/ecomm/api/v1/token";
const REFRESH: &str = "/ecomm/api/v1/token/refresh";
const PUBLIC_KEY: &str = "/ecomm/api/v1/public-key";

struct Env {
    sim: Simulator,
    proxy: Proxy,
    merchant: Merchant,
    client: MiaPos,
}

async fn env() -> Env {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let proxy = Proxy::start(&sim.miapos().base_url).await;
    Env::new(sim, proxy).await
}

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

/// Fast polling: first query at once, then every 50-200 ms, for at most 5 s.
fn fast_poll() -> PollConfig {
    PollConfig::new(
        Duration::from_millis(50),
        Duration::from_millis(200),
        Duration::from_secs(5),
    )
}

impl Env {
    async fn new(sim: Simulator, proxy: Proxy) -> Self {
        let merchant = Merchant::start().await;
        let info = sim.miapos();
        let client = MiaPos::builder(
            proxy.base.clone(),
            info.merchant_id.clone(),
            SecretString::from(info.secret_key.clone()),
        )
        .terminal_id(info.terminal_id.clone())
        .http_client(http_client())
        .build()
        .unwrap();
        Env {
            sim,
            proxy,
            merchant,
            client,
        }
    }

    fn request(&self, amount: &str, order_id: &str) -> PaymentRequest {
        PaymentRequest::new(mdl(amount))
            .order_id(order_id)
            .description(format!("Order {order_id}"))
            .language("ro")
            .callback_url(self.merchant.url("/miapos/callback"))
            .return_url("https://shop.example.md/miapos/return")
    }

    /// Creates the payment and returns its outcome and checkout page.
    async fn create(&self, request: &PaymentRequest) -> (PaymentOutcome, String) {
        let outcome = self.client.create_payment(request).await.unwrap();
        assert_eq!(outcome.status, PaymentStatus::RequiresAction);
        assert_eq!(outcome.amount, Some(request.amount));
        assert_eq!(outcome.order_id, request.order_id);
        let NextAction::Checkout {
            url: Some(url),
            qr_payload: None,
        } = &outcome.next_action
        else {
            panic!(
                "miaPOS answers a checkout page, got {:?}",
                outcome.next_action
            );
        };
        let expected = format!(
            "{}/checkout?paymentId={}",
            self.sim.miapos().base_url,
            outcome.provider_payment_id
        );
        assert!(url.starts_with(&expected), "{url}");
        let url = url.clone();
        (outcome, url)
    }

    async fn callback(&mut self) -> Received {
        let callback = self.merchant.next().await;
        assert_eq!(callback.method, "POST");
        assert_eq!(callback.path, "/miapos/callback");
        assert_eq!(callback.header("content-type"), Some("application/json"));
        callback
    }

    async fn verify(&self, callback: &Received) -> VerifiedEvent {
        Webhook::verify(
            &self.client,
            &WebhookRequest::new(&callback.headers, &callback.body),
        )
        .await
        .unwrap()
    }
}

fn payment_of(event: &VerifiedEvent) -> &PaymentOutcome {
    match &event.kind {
        EventKind::Payment(outcome) => outcome,
        other => panic!("expected a payment event, got {other:?}"),
    }
}

fn final_of(poll: PollOutcome) -> PaymentOutcome {
    match poll {
        PollOutcome::Final(outcome) => outcome,
        PollOutcome::TimedOut(last) => panic!("polling timed out at {last:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_payment_lifecycle_with_rsa_signed_callback() {
    let mut env = env().await;
    let request = env.request("249.90", "WEB-2026-000451");
    let (created, checkout) = env.create(&request).await;
    let payment_id = created.provider_payment_id.clone();

    let before = env.client.get_payment(&payment_id).await.unwrap();
    assert_eq!(before.status, PaymentStatus::RequiresAction);
    assert_eq!(before.raw_status.as_deref(), Some("CREATED"));
    assert!(env.merchant.quiet_for(Duration::from_millis(100)).await);

    let (status, html) = open_page(&checkout).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment successful"), "{html}");
    let callback = env.callback().await;

    // The common Webhook: the key comes from the simulator's /public-key, fetched by the
    // client itself; the event is signed, keyed by paymentId:status.
    assert!(env.proxy.calls("GET", PUBLIC_KEY).is_empty());
    let event = env.verify(&callback).await;
    assert_eq!(event.provider, paykit_miapos::PROVIDER);
    assert_eq!(event.authenticity, Authenticity::Signed);
    assert_eq!(event.dedupe_key, format!("{payment_id}:SUCCESS"));
    let paid = payment_of(&event);
    assert_eq!(paid.provider_payment_id, payment_id);
    assert_eq!(paid.status, PaymentStatus::Captured);
    assert_eq!(paid.amount, Some(mdl("249.90")));
    assert_eq!(paid.order_id.as_deref(), Some("WEB-2026-000451"));
    assert_eq!(env.proxy.statuses("GET", PUBLIC_KEY), [200]);
    assert!(!event.is_fit_for_fulfilment());

    // The path to fulfil from: the same callback, confirmed with the simulator's own answer
    // to GET /payment/{id}.
    let queries = format!("/ecomm/api/v1/payment/{payment_id}");
    let asked_before = env.proxy.calls("GET", &queries).len();
    let confirmed = env
        .client
        .verify_confirmed(&WebhookRequest::new(&callback.headers, &callback.body))
        .await
        .unwrap();
    assert!(confirmed.is_fit_for_fulfilment());
    assert_eq!(confirmed.authenticity, Authenticity::Confirmed);
    assert_eq!(confirmed.dedupe_key, format!("{payment_id}:SUCCESS"));
    assert_eq!(payment_of(&confirmed).status, PaymentStatus::Captured);
    assert_eq!(payment_of(&confirmed).amount, Some(mdl("249.90")));
    assert_eq!(env.proxy.calls("GET", &queries).len(), asked_before + 1);

    // The native verifier shares the key cache: no second fetch.
    let info = env
        .client
        .webhook()
        .verify_callback(&callback.body)
        .await
        .unwrap();
    assert_eq!(info.status, MiaPosStatus::Success);
    assert_eq!(info.payment_id, payment_id);
    assert_eq!(info.order_id, "WEB-2026-000451");
    assert_eq!(info.terminal_id, env.sim.miapos().terminal_id);
    assert_eq!(info.amount, mdl("249.90").amount());
    assert_eq!(info.currency, "MDL");
    assert_eq!(info.swift_payer_bank.as_deref(), Some("AGRNMD2X"));
    assert_eq!(env.proxy.calls("GET", PUBLIC_KEY).len(), 1);

    // A tampered body is refused. The first mismatch refetches the key once (it could be a
    // rotation); that attempt starts the cool-down, so further forgeries fetch nothing.
    let tampered = callback.text().replace("249.90", "149.90");
    assert_ne!(tampered, callback.text());
    for _ in 0..2 {
        let err = Webhook::verify(&env.client, &WebhookRequest::body_only(tampered.as_bytes()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Signature(SignatureError::Mismatch)),
            "{err:?}"
        );
    }
    assert_eq!(env.proxy.calls("GET", PUBLIC_KEY).len(), 2);

    // The key the client fetched is the simulator's.
    let key = env.client.public_key().await.unwrap();
    assert_eq!(key.spki_base64, env.sim.miapos().public_key);

    // Status query, and polling, agree.
    let now = env.client.get_payment(&payment_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Captured);
    assert_eq!(now.amount, Some(mdl("249.90")));
    assert_eq!(now.raw_status.as_deref(), Some("SUCCESS"));
    let settled = final_of(
        poll_payment(&env.client, &payment_id, &fast_poll())
            .await
            .unwrap(),
    );
    assert_eq!(settled.status, PaymentStatus::Captured);

    // miaPOS has no refunds or capture; the client says so without I/O.
    assert!(env.client.refund().is_none());
    assert!(env.client.capture().is_none());
    assert_eq!(env.proxy.statuses("POST", "/ecomm/api/v1/pay"), [200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_reaches_the_final_status_after_the_payer_pays() {
    // The payer opens the checkout page only after the first status query answered CREATED,
    // so polling must see CREATED first and keep asking until SUCCESS.
    let first_answer = Arc::new(Notify::new());
    let signal = Arc::clone(&first_answer);
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let proxy = Proxy::with_hook(&sim.miapos().base_url, move |e| {
        if e.method == "GET"
            && e.path.starts_with("/ecomm/api/v1/payment/")
            && e.response_body.contains("\"CREATED\"")
        {
            signal.notify_one();
        }
    })
    .await;
    let mut env = Env::new(sim, proxy).await;
    let request = env.request("75.00", "WEB-2026-000452");
    let (created, checkout) = env.create(&request).await;
    let payment_id = created.provider_payment_id;

    let payer = tokio::spawn(async move {
        first_answer.notified().await;
        open_page(&checkout).await
    });
    let settled = final_of(
        poll_payment(&env.client, &payment_id, &fast_poll())
            .await
            .unwrap(),
    );
    assert_eq!(settled.status, PaymentStatus::Captured);
    assert_eq!(settled.provider_payment_id, payment_id);
    assert_eq!(settled.amount, Some(mdl("75.00")));
    assert_eq!(settled.raw_status.as_deref(), Some("SUCCESS"));
    let (status, html) = payer.await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Payment successful"), "{html}");

    let queries = env
        .proxy
        .calls("GET", &format!("/ecomm/api/v1/payment/{payment_id}"));
    assert!(queries.len() >= 2, "{queries:?}");
    assert!(queries[0].response_body.contains("\"CREATED\""));
    assert!(
        queries
            .last()
            .unwrap()
            .response_body
            .contains("\"SUCCESS\"")
    );
    assert!(queries.iter().all(|q| q.status == 200));

    // The callback came too, and agrees.
    let callback = env.callback().await;
    assert_eq!(
        payment_of(&env.verify(&callback).await).status,
        PaymentStatus::Captured
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_payment_is_failed_in_callback_and_polling() {
    let mut env = env().await;
    let request = env.request("10.01", "WEB-2026-000453");
    let (created, checkout) = env.create(&request).await;
    let payment_id = created.provider_payment_id;
    let (status, html) = open_page(&checkout).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment declined"), "{html}");

    let declined = PaymentStatus::Failed {
        reason: Some("DECLINED".into()),
    };
    let callback = env.callback().await;
    let event = env.verify(&callback).await;
    assert_eq!(event.dedupe_key, format!("{payment_id}:DECLINED"));
    assert_eq!(payment_of(&event).status, declined);
    assert_eq!(payment_of(&event).amount, Some(mdl("10.01")));

    let settled = final_of(
        poll_payment(&env.client, &payment_id, &fast_poll())
            .await
            .unwrap(),
    );
    assert_eq!(settled.status, declined);
    assert_eq!(settled.raw_status.as_deref(), Some("DECLINED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaid_payment_expires_with_a_signed_callback() {
    let mut env = env().await;
    let request = env.request("12.50", "WEB-2026-000454");
    let (created, _checkout) = env.create(&request).await;
    let payment_id = created.provider_payment_id;

    // Five minutes later the QR is dead; miaPOS calls back with EXPIRED.
    env.sim.advance(Duration::from_secs(301));
    let callback = env.callback().await;
    let event = env.verify(&callback).await;
    assert_eq!(event.dedupe_key, format!("{payment_id}:EXPIRED"));
    assert_eq!(payment_of(&event).status, PaymentStatus::Expired);

    let settled = final_of(
        poll_payment(&env.client, &payment_id, &fast_poll())
            .await
            .unwrap(),
    );
    assert_eq!(settled.status, PaymentStatus::Expired);
    assert_eq!(settled.raw_status.as_deref(), Some("EXPIRED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_is_refreshed_mid_flow() {
    let mut env = env().await;
    let request = env.request("33.00", "WEB-2026-000455");
    let (created, checkout) = env.create(&request).await;
    let payment_id = created.provider_payment_id;
    assert_eq!(open_page(&checkout).await.0, 200);
    let callback = env.callback().await;
    assert_eq!(env.proxy.statuses("POST", TOKEN), [200]);

    // The access token lives 300 s: the client still holds it, the simulator refuses it.
    env.sim.advance(Duration::from_secs(301));
    let now = env.client.get_payment(&payment_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Captured);
    let query = format!("/ecomm/api/v1/payment/{payment_id}");
    assert_eq!(env.proxy.statuses("GET", &query), [401, 200]);
    // Renewed with the refresh grant, not the credentials.
    assert_eq!(env.proxy.statuses("POST", REFRESH), [200]);
    assert_eq!(env.proxy.statuses("POST", TOKEN), [200]);

    // The key fetch behind callback verification uses the renewed token.
    let event = env.verify(&callback).await;
    assert_eq!(payment_of(&event).status, PaymentStatus::Captured);
    assert_eq!(env.proxy.statuses("GET", PUBLIC_KEY), [200]);
    assert_eq!(env.proxy.calls("POST", REFRESH).len(), 1);
}
