//! End to end: the maib client (`paykit-maib`) against the simulator (`paykit-sim`) over
//! loopback HTTP. The client talks to the simulator through a recording proxy, the customer
//! step is a plain GET of `payUrl`, and the signed callback arrives at a merchant listener
//! where it is verified with the client's own `Webhook` and the simulator's Signature Key.

// The setup helpers below are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::Ipv4Addr;
use std::time::Duration;

use common::{Merchant, Proxy, Received, eventually, http_client, open_page};
use paykit_core::{
    Authenticity, CaptureMode, Currency, Customer, Decimal, Error, EventKind, Money, NextAction,
    PaymentOutcome, PaymentProvider, PaymentRequest, PaymentStatus, SecretString, SignatureError,
    VerifiedEvent, Webhook, WebhookRequest,
};
use paykit_maib::{MaibClient, MaibWebhook, PaymentFlow, SignatureVariant, TransactionStatus};
use paykit_sim::{CallbackOutcome, SimConfig, Simulator};

const TOKEN: &str = "/v1/generate-token";

struct Env {
    sim: Simulator,
    proxy: Proxy,
    merchant: Merchant,
    client: MaibClient,
}

async fn env() -> Env {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let proxy = Proxy::start(&sim.maib().base_url).await;
    let merchant = Merchant::start().await;
    let info = sim.maib();
    let client = MaibClient::builder(
        info.project_id.clone(),
        SecretString::from(info.project_secret.clone()),
    )
    .base_url(proxy.base.clone())
    .signature_key(SecretString::from(info.signature_key.clone()))
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

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

fn dec(amount: &str) -> Decimal {
    Decimal::from_str_exact(amount).unwrap()
}

impl Env {
    fn request(&self, amount: &str, order_id: &str) -> PaymentRequest {
        PaymentRequest::new(mdl(amount))
            .order_id(order_id)
            .description(format!("Order {order_id}"))
            .language("ro")
            .customer(Customer::default().ip(Ipv4Addr::new(135, 250, 245, 121)))
            .callback_url(self.merchant.url("/maib/callback"))
            .return_url("https://shop.example.md/maib/ok")
            .fail_url("https://shop.example.md/maib/fail")
    }

    /// Creates the payment, checks the redirect to the simulator's payment page and opens it.
    /// Returns the outcome of create, the page HTML and the callback received.
    async fn pay(&mut self, request: &PaymentRequest) -> (PaymentOutcome, String, Received) {
        let outcome = self.client.create_payment(request).await.unwrap();
        assert_eq!(outcome.status, PaymentStatus::RequiresAction);
        assert_eq!(outcome.amount, Some(request.amount));
        assert_eq!(outcome.order_id, request.order_id);
        let NextAction::Redirect { url } = &outcome.next_action else {
            panic!("maib redirects to payUrl, got {:?}", outcome.next_action);
        };
        let page_prefix = format!(
            "{}/ecomm01/ClientHandler?trans_id=",
            self.sim.maib().base_url
        );
        assert!(url.starts_with(&page_prefix), "{url}");
        let (status, html) = open_page(url).await;
        assert_eq!(status, 200, "{html}");
        let callback = self.merchant.next().await;
        assert_eq!(callback.method, "POST");
        assert_eq!(callback.path, "/maib/callback");
        assert_eq!(callback.header("content-type"), Some("application/json"));
        (outcome, html, callback)
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

fn api_code(result: paykit_core::Result<impl std::fmt::Debug>) -> (String, Option<u16>) {
    match result {
        Err(Error::Api {
            code, http_status, ..
        }) => (code, http_status),
        other => panic!("expected a maib API error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_payment_lifecycle_with_signed_callback_and_partial_refund() {
    let mut env = env().await;
    let request = env.request("10.25", "order-1001");

    let created = env.client.create_payment(&request).await.unwrap();
    let pay_id = created.provider_payment_id.clone();
    assert!(!pay_id.is_empty());
    // Not paid yet: pay-info says CREATED and no callback has been sent.
    let before = env.client.get_payment(&pay_id).await.unwrap();
    assert_eq!(before.status, PaymentStatus::RequiresAction);
    assert_eq!(before.raw_status.as_deref(), Some("CREATED"));
    assert!(env.merchant.quiet_for(Duration::from_millis(100)).await);

    let NextAction::Redirect { url } = &created.next_action else {
        panic!("{:?}", created.next_action);
    };
    let (status, html) = open_page(url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment approved"), "{html}");
    let callback = env.merchant.next().await;
    assert_eq!(callback.path, "/maib/callback");

    // The common Webhook: signed, keyed by payId and status, captured 10.25 MDL for
    // order-1001 (the client recorded a direct payment when it created it).
    let event = env.verify(&callback).await;
    assert_eq!(event.provider, paykit_maib::PROVIDER);
    assert_eq!(event.authenticity, Authenticity::Signed);
    assert_eq!(event.dedupe_key, format!("{pay_id}:OK"));
    assert!(!event.is_fit_for_fulfilment());
    let paid = payment_of(&event);
    assert_eq!(paid.provider_payment_id, pay_id);
    assert_eq!(paid.status, PaymentStatus::Captured);
    assert_eq!(paid.amount, Some(mdl("10.25")));
    assert_eq!(paid.order_id.as_deref(), Some("order-1001"));
    assert_eq!(paid.raw_status.as_deref(), Some("OK"));
    // Confirmed with pay-info: fit for fulfilment.
    let confirmed = env.client.confirm(event.clone()).await.unwrap();
    assert_eq!(confirmed.authenticity, Authenticity::Confirmed);
    assert!(confirmed.is_fit_for_fulfilment());
    assert_eq!(payment_of(&confirmed).amount, Some(mdl("10.25")));

    // The native verifier sees every field, signed the way maib's reference code signs.
    let verified = env
        .client
        .webhook()
        .unwrap()
        .verify_notification(&callback.body)
        .unwrap();
    assert_eq!(verified.variant, SignatureVariant::Php);
    let n = &verified.notification;
    assert_eq!(n.pay_id, pay_id);
    assert_eq!(n.status, Some(TransactionStatus::Ok));
    assert_eq!(n.status_code.as_deref(), Some("000"));
    assert_eq!(n.amount, Some(dec("10.25")));
    assert_eq!(n.currency.as_deref(), Some("MDL"));
    assert_eq!(n.card_number.as_deref(), Some("510218******1124"));
    assert!(n.rrn.as_deref().is_some_and(|r| r.len() == 12), "{n:?}");

    // A tampered body, or the wrong key, is refused.
    let tampered = callback.text().replace("10.25", "1.25");
    assert_ne!(tampered, callback.text());
    let err = Webhook::verify(&env.client, &WebhookRequest::body_only(tampered.as_bytes()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    let wrong_key = MaibWebhook::new(SecretString::from("not-the-signature-key")).unwrap();
    let err = wrong_key.verify_body(&callback.body).unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );

    // Status after paying.
    let now = env.client.get_payment(&pay_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Captured);
    assert_eq!(now.amount, Some(mdl("10.25")));
    assert_eq!(now.order_id.as_deref(), Some("order-1001"));

    // Partial refund through the common trait.
    let refunds = env.client.refund().expect("maib refunds");
    let refunded = refunds.refund(&pay_id, Some(mdl("4.00"))).await.unwrap();
    assert_eq!(refunded.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(refunded.refunded, Some(mdl("4.00")));
    let info = env.client.pay_info(&pay_id).await.unwrap();
    assert_eq!(info.refund_amount, Some(dec("4.00")));
    assert_eq!(info.amount, Some(dec("10.25")));
    let now = env.client.get_payment(&pay_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(now.refunded, Some(mdl("4.00")));

    // maib refunds a payment once.
    let (code, http) = api_code(refunds.refund(&pay_id, Some(mdl("1.00"))).await);
    assert_eq!((code.as_str(), http), ("13116", Some(409)));

    // Exactly one callback was sent (none for the refund), and the merchant acknowledged it.
    let maib_callbacks = || -> Vec<_> {
        env.sim
            .callbacks()
            .into_iter()
            .filter(|c| c.provider == "maib")
            .collect()
    };
    assert!(
        eventually(|| maib_callbacks()
            .iter()
            .all(|c| c.outcome == CallbackOutcome::Delivered { status: 200 }))
        .await
    );
    let sent = maib_callbacks();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].url, env.merchant.url("/maib/callback"));
    assert_eq!(sent[0].body.as_bytes(), &callback.body[..]);
    // The payment itself was registered once.
    assert_eq!(env.proxy.statuses("POST", "/v1/pay"), [200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_beyond_the_paid_amount_is_rejected() {
    let mut env = env().await;
    let request = env.request("10.25", "order-1002");
    let (created, _, callback) = env.pay(&request).await;
    let pay_id = created.provider_payment_id;
    assert_eq!(
        payment_of(&env.verify(&callback).await).status,
        PaymentStatus::Captured
    );
    let refunds = env.client.refund().unwrap();

    // One cent more than was paid: refused, nothing refunded.
    let (code, http) = api_code(refunds.refund(&pay_id, Some(mdl("10.26"))).await);
    assert_eq!((code.as_str(), http), ("13102", Some(409)));
    let info = env.client.pay_info(&pay_id).await.unwrap();
    assert_eq!(info.refund_amount, None);
    assert_eq!(info.status, Some(TransactionStatus::Ok));

    // The whole amount is fine.
    let refunded = refunds.refund(&pay_id, None).await.unwrap();
    assert_eq!(refunded.status, PaymentStatus::Refunded);
    let now = env.client.get_payment(&pay_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Refunded);
    assert_eq!(now.refunded, Some(mdl("10.25")));
    let (code, _) = api_code(refunds.refund(&pay_id, Some(mdl("0.50"))).await);
    assert_eq!(code, "13116");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_payment_is_failed_in_callback_and_status() {
    let mut env = env().await;
    let request = env.request("10.01", "order-1003");
    let (created, html, callback) = env.pay(&request).await;
    let pay_id = created.provider_payment_id;
    assert!(html.contains("Payment declined"), "{html}");

    let event = env.verify(&callback).await;
    assert_eq!(event.authenticity, Authenticity::Signed);
    let failed = payment_of(&event);
    assert_eq!(
        failed.status,
        PaymentStatus::Failed {
            reason: Some("Decline, not sufficient funds".into())
        }
    );
    assert_eq!(failed.amount, Some(mdl("10.01")));
    let n = env
        .client
        .webhook()
        .unwrap()
        .verify_notification(&callback.body)
        .unwrap()
        .notification;
    assert_eq!(n.status, Some(TransactionStatus::Failed));
    assert_eq!(n.status_code.as_deref(), Some("116"));

    let now = env.client.get_payment(&pay_id).await.unwrap();
    assert!(
        matches!(now.status, PaymentStatus::Failed { .. }),
        "{now:?}"
    );
    assert_eq!(now.raw_status.as_deref(), Some("FAILED"));
    // Nothing to refund.
    let (code, _) = api_code(env.client.refund().unwrap().refund(&pay_id, None).await);
    assert_eq!(code, "13117");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_step_hold_is_approved_then_partly_completed_and_refunded() {
    let mut env = env().await;
    let request = env
        .request("25.00", "order-1004")
        .capture(CaptureMode::Manual);
    let (created, html, callback) = env.pay(&request).await;
    let pay_id = created.provider_payment_id;
    // Manual capture registered a hold, not a direct payment.
    assert_eq!(env.proxy.statuses("POST", "/v1/hold"), [200]);
    assert!(env.proxy.calls("POST", "/v1/pay").is_empty());
    assert!(html.contains("Payment authorized"), "{html}");

    let verified = env
        .client
        .webhook()
        .unwrap()
        .verify_notification(&callback.body)
        .unwrap();
    assert_eq!(
        verified.notification.outcome(PaymentFlow::Hold).status,
        PaymentStatus::Authorized
    );
    assert_eq!(verified.notification.amount, Some(dec("25.00")));
    let info = env.client.pay_info(&pay_id).await.unwrap();
    assert_eq!(
        info.outcome(PaymentFlow::Hold).status,
        PaymentStatus::Authorized
    );
    assert_eq!(info.confirm_amount, None);
    // Through the common traits the client knows it was a hold: authorized, never captured,
    // in the callback, its confirmation and get_payment.
    let event = env.verify(&callback).await;
    assert_eq!(payment_of(&event).status, PaymentStatus::Authorized);
    let confirmed = env.client.confirm(event).await.unwrap();
    assert!(confirmed.is_fit_for_fulfilment());
    assert_eq!(payment_of(&confirmed).status, PaymentStatus::Authorized);
    assert_eq!(
        env.client.get_payment(&pay_id).await.unwrap().status,
        PaymentStatus::Authorized
    );

    let capture = env.client.capture().expect("maib captures holds");
    // More than was held is refused.
    let (code, http) = api_code(capture.capture(&pay_id, Some(mdl("25.01"))).await);
    assert_eq!((code.as_str(), http), ("13004", Some(409)));
    // Part of it is taken; the outcome says how much.
    let captured = capture.capture(&pay_id, Some(mdl("10.00"))).await.unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(captured.amount, Some(mdl("10.00")));
    let info = env.client.pay_info(&pay_id).await.unwrap();
    assert_eq!(info.confirm_amount, Some(dec("10.00")));
    assert_eq!(info.amount, Some(dec("25.00")));
    // Completing twice is refused.
    let (code, _) = api_code(capture.capture(&pay_id, None).await);
    assert_eq!(code, "13115");

    // Refunds are bounded by what was captured, not by what was held.
    let refunds = env.client.refund().unwrap();
    let (code, _) = api_code(refunds.refund(&pay_id, Some(mdl("10.01"))).await);
    assert_eq!(code, "13103");
    let refunded = refunds.refund(&pay_id, Some(mdl("5.00"))).await.unwrap();
    assert_eq!(refunded.status, PaymentStatus::PartiallyRefunded);
    let now = env.client.get_payment(&pay_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(now.refunded, Some(mdl("5.00")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_renewed_transparently_mid_flow() {
    let mut env = env().await;
    let request = env.request("10.25", "order-1005");
    let (created, _, callback) = env.pay(&request).await;
    let pay_id = created.provider_payment_id;
    env.verify(&callback).await;
    let first_grant = env.proxy.calls("POST", TOKEN);
    assert_eq!(first_grant.len(), 1);
    assert!(first_grant[0].request_body.contains("projectId"));

    // The access token lives 300 s: the client still holds it, the simulator refuses it.
    env.sim.advance(Duration::from_secs(301));
    let now = env.client.get_payment(&pay_id).await.unwrap();
    assert_eq!(now.status, PaymentStatus::Captured);
    let pay_info = format!("/v1/pay-info/{pay_id}");
    assert_eq!(env.proxy.statuses("GET", &pay_info), [401, 200]);
    assert!(
        env.proxy.calls("GET", &pay_info)[0]
            .response_body
            .contains("11003")
    );
    let grants = env.proxy.calls("POST", TOKEN);
    assert_eq!(grants.len(), 2);
    assert!(
        grants[1].request_body.contains("refreshToken"),
        "{grants:?}"
    );
    assert_eq!(grants[1].status, 200);

    // Concurrent calls on a token that died share one renewal.
    env.sim.advance(Duration::from_secs(301));
    let calls = (0..6).map(|_| {
        let client = env.client.clone();
        let pay_id = pay_id.clone();
        tokio::spawn(async move { client.pay_info(&pay_id).await })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(
            call.await.unwrap().unwrap().status,
            Some(TransactionStatus::Ok)
        );
    }
    assert_eq!(
        env.proxy.calls("POST", TOKEN).len(),
        3,
        "{:?}",
        env.proxy.statuses("POST", TOKEN)
    );

    // Refresh token (1800 s) dead too: refused (11002), then the Project credentials.
    env.sim.advance(Duration::from_secs(1801));
    let refunded = env
        .client
        .refund()
        .unwrap()
        .refund(&pay_id, Some(mdl("1.00")))
        .await
        .unwrap();
    assert_eq!(refunded.status, PaymentStatus::PartiallyRefunded);
    // The trait reads pay-info first: that read met the dead token; the refund went once.
    assert_eq!(
        env.proxy.statuses("GET", &pay_info).last_chunk::<2>(),
        Some(&[401, 200])
    );
    assert_eq!(env.proxy.statuses("POST", "/v1/refund"), [200]);
    let grants = env.proxy.calls("POST", TOKEN);
    assert_eq!(grants.len(), 5, "{grants:?}");
    assert_eq!(grants[3].status, 401);
    assert!(grants[3].request_body.contains("refreshToken"));
    assert!(grants[3].response_body.contains("11002"));
    assert_eq!(grants[4].status, 200);
    assert!(grants[4].request_body.contains("projectId"));
    // Refunded once, for the amount asked.
    let info = env.client.pay_info(&pay_id).await.unwrap();
    assert_eq!(info.refund_amount, Some(dec("1.00")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_answered_5xx_after_processing_is_an_unknown_outcome() {
    let mut env = env().await;
    let request = env.request("10.25", "order-1006");
    let (created, _, _) = env.pay(&request).await;
    let pay_id = created.provider_payment_id;
    env.sim
        .set_faults(paykit_sim::Faults::none().with_error_after_processing_rate(100));
    // Through the trait, pay-info is read first: it fails, so no refund is sent at all.
    let err = env
        .client
        .refund()
        .unwrap()
        .refund(&pay_id, None)
        .await
        .unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    assert!(env.proxy.calls("POST", "/v1/refund").is_empty());
    // The refund itself, answered 5xx after maib processed it.
    let err = env.client.refund_payment(&pay_id, None).await.unwrap_err();
    env.sim.set_faults(paykit_sim::Faults::none());
    assert!(err.outcome_unknown(), "{err:?}");
    let ids = err.payment_ref().unwrap();
    assert_eq!(ids.provider_payment_id.as_deref(), Some(pay_id.as_str()));
    assert_eq!(ids.merchant_reference.as_deref(), Some("order-1006"));
    // maib did refund: pay-info, the reconciliation the error asks for, shows it.
    let info = env.client.pay_info(&pay_id).await.unwrap();
    assert_eq!(info.refund_amount, Some(dec("10.25")));
    assert_eq!(
        env.client.get_payment(&pay_id).await.unwrap().status,
        PaymentStatus::Refunded
    );
}
