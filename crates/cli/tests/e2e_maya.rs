//! End to end: the Maya Mini App client (`paykit-maya`) against the simulator (`paykit-sim`)
//! over loopback HTTP. The customer session comes from the simulator's push to the merchant's
//! Session URL; the client talks to the simulator through a recording proxy, which also lets a
//! test switch the simulator's "5xx after processing" fault off right after the one execute it
//! should hit.

// The setup helpers below are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Merchant, Proxy, http_client};
use paykit_core::{
    Currency, Error, ExposeSecret, Money, PaymentProvider, PaymentRequest, PaymentStatus,
    SecretString, Webhook, WebhookRequest,
};
use paykit_maya::{
    CreatePayment, CustomerSession, ExecuteOutcome, ExecutePayment, MayaClient,
    MiniAppPaymentStatus, SessionPush, SessionReply, SessionTokens, is_already_processed,
};
use paykit_sim::{Faults, SimConfig, Simulator};

const TOKEN: &str = "/oauth/token";
const REFRESH: &str = "/tokens";
const CREATE: &str = "/merchant/payments";

/// The id the merchant's Session URL hands back.
const SESSION_ID: &str = "b6f0e3d2-1c4a-4f7e-9a55-0e8d2c7b9a31";

struct Env {
    sim: Arc<Simulator>,
    proxy: Proxy,
    client: MayaClient,
    /// When set, the next successful create switches on "5xx after processing".
    fault_next_execute: Arc<AtomicBool>,
}

/// A simulator behind a proxy that can aim the simulator's "5xx after processing" fault at
/// exactly one execute: switched on when a create has been answered (while armed), switched
/// off as soon as an execute has been answered with a 5xx. The hook runs after the simulator
/// answered and before the client sees the answer, so no other request is hit.
async fn env() -> Env {
    let sim = Arc::new(paykit_sim::start(SimConfig::default()).await.unwrap());
    let fault_next_execute = Arc::new(AtomicBool::new(false));
    let (hook_sim, armed) = (Arc::clone(&sim), Arc::clone(&fault_next_execute));
    let proxy = Proxy::with_hook(&sim.maya().base_url, move |e| {
        if e.method != "POST" {
            return;
        }
        if e.path == CREATE && e.status == 200 && armed.swap(false, Ordering::SeqCst) {
            hook_sim.set_faults(Faults::none().with_error_after_processing_rate(100));
        }
        if e.path.ends_with("/execute") && e.status >= 500 {
            hook_sim.set_faults(Faults::none());
        }
    })
    .await;
    let info = sim.maya();
    let client = MayaClient::builder(
        info.client_id.clone(),
        SecretString::from(info.client_secret.clone()),
    )
    .token_url(format!("{}{TOKEN}", proxy.base))
    .api_base_url(proxy.base.clone())
    .p2m_id(info.p2m_id.clone())
    .http_client(http_client())
    .build()
    .unwrap();
    Env {
        sim,
        proxy,
        client,
        fault_next_execute,
    }
}

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

impl Env {
    /// A customer session as a merchant gets it: without a Session URL call.
    async fn session(&self) -> CustomerSession {
        let s = self.sim.open_maya_session(None).await.unwrap();
        let tokens = SessionTokens::new(
            SecretString::from(s.access_token),
            SecretString::from(s.refresh_token),
            i64::try_from(s.expires_at).unwrap(),
        )
        .unwrap();
        self.client.session(tokens).unwrap()
    }

    fn execute_path(id: &str) -> String {
        format!("{CREATE}/{id}/execute")
    }
}

fn executed(outcome: ExecuteOutcome) -> paykit_maya::ExecutedPayment {
    match outcome {
        ExecuteOutcome::Executed(payment) => payment,
        other => panic!("expected an executed payment, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_push_then_create_and_execute() {
    let env = env().await;

    // The customer opens the tile: Maya pushes the token pair to the Session URL, which
    // parses it with the crate's SessionPush and answers with a SessionReply.
    let mut merchant = Merchant::start_with(|received| {
        match SessionPush::parse(&received.headers, &received.body) {
            Ok(_) => {
                let reply = SessionReply::new(SESSION_ID).unwrap();
                (
                    SessionReply::STATUS,
                    SessionReply::CONTENT_TYPE,
                    reply.body(),
                )
            }
            Err(_) => (400, "text/plain", Vec::new()),
        }
    })
    .await;
    let opened = env
        .sim
        .open_maya_session(Some(&merchant.url("/maya/session")))
        .await
        .unwrap();
    assert_eq!(opened.session_id.as_deref(), Some(SESSION_ID));
    let received = merchant.next().await;
    assert_eq!(received.path, "/maya/session");
    let push = SessionPush::parse(&received.headers, &received.body).unwrap();
    assert!(push.request_reference().is_some());
    assert_eq!(
        push.tokens().access_token().expose_secret(),
        opened.access_token
    );
    assert_eq!(
        push.tokens().refresh_token().expose_secret(),
        opened.refresh_token
    );
    assert_eq!(
        push.tokens().expires_at(),
        i64::try_from(opened.expires_at).unwrap()
    );
    let session = env.client.session(push.into_tokens()).unwrap();

    // The common trait: create and execute in one call.
    let payments = env.client.payments(session.clone());
    let request = PaymentRequest::new(php("249.50")).order_id("order-10042");
    let paid = payments.create_payment(&request).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Captured);
    assert_eq!(paid.amount, Some(php("249.50")));
    assert_eq!(paid.order_id.as_deref(), Some("order-10042"));
    assert_eq!(paid.raw_status.as_deref(), Some("APPROVED"));
    let execute = Env::execute_path(&paid.provider_payment_id);
    assert_eq!(env.proxy.statuses("POST", &execute), [200]);
    assert_eq!(env.proxy.statuses("POST", CREATE), [200]);

    // The native API, step by step.
    let created = env
        .client
        .create_payment(&session, &CreatePayment::new(php("99.00")))
        .await
        .unwrap();
    assert_eq!(created.amount, php("99.00"));
    assert_eq!(
        created.p2m_id.as_deref(),
        Some(env.sim.maya().p2m_id.as_str())
    );
    let done = executed(
        env.client
            .execute_payment(&session, &ExecutePayment::new(created.id.clone()))
            .await
            .unwrap(),
    );
    assert_eq!(done.id, created.id);
    assert_eq!(done.status, MiniAppPaymentStatus::Approved);
    assert_eq!(done.amount, Some(php("99.00")));

    // Execute-once: a second execute is answered "already processed", never a second debit.
    let again = env
        .client
        .execute_payment(&session, &ExecutePayment::new(created.id.clone()))
        .await
        .unwrap();
    assert!(
        matches!(&again, ExecuteOutcome::AlreadyProcessed { payment_id, .. } if *payment_id == created.id),
        "{again:?}"
    );
    let execute = Env::execute_path(&created.id);
    assert_eq!(env.proxy.statuses("POST", &execute), [200, 400]);

    // No status query and no callbacks in this product.
    let err = payments
        .get_payment(&paid.provider_payment_id)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    let err = env
        .client
        .webhook()
        .verify(&WebhookRequest::body_only(b"{}"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    // One client token served every call.
    assert_eq!(env.proxy.statuses("POST", TOKEN), [200]);
    assert!(env.proxy.calls("POST", REFRESH).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_execute_is_a_failed_outcome() {
    let env = env().await;
    let session = env.session().await;
    let payments = env.client.payments(session.clone());
    let outcome = payments
        .create_payment(&PaymentRequest::new(php("10.01")))
        .await
        .unwrap();
    assert_eq!(
        outcome.status,
        PaymentStatus::Failed {
            reason: Some("DECLINED".into())
        }
    );
    assert_eq!(outcome.raw_status.as_deref(), Some("DECLINED"));

    let created = env
        .client
        .create_payment(&session, &CreatePayment::new(php("20.01")))
        .await
        .unwrap();
    let outcome = env
        .client
        .execute_payment(&session, &ExecutePayment::new(created.id.clone()))
        .await
        .unwrap();
    assert!(!outcome.is_approved());
    assert_eq!(executed(outcome).status, MiniAppPaymentStatus::Declined);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_retried_after_a_lost_answer_is_charged_once() {
    let env = env().await;
    let session = env.session().await;
    let created = env
        .client
        .create_payment(&session, &CreatePayment::new(php("249.50")))
        .await
        .unwrap();
    let execute = Env::execute_path(&created.id);

    // The next execute is processed, and its answer replaced by a 5xx (the proxy switches the
    // fault off once that answer has passed).
    env.sim
        .set_faults(Faults::none().with_error_after_processing_rate(100));
    let outcome = env
        .client
        .execute_payment(&session, &ExecutePayment::new(created.id.clone()))
        .await
        .unwrap();
    // The client repeated execute by itself; the repeat found the payment processed.
    assert!(
        matches!(&outcome, ExecuteOutcome::AlreadyProcessed { payment_id, .. } if *payment_id == created.id),
        "{outcome:?}"
    );
    let attempts = env.proxy.calls("POST", &execute);
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(attempts[0].status, 500);
    assert!(attempts[0].response_body.contains("PY9999"));
    assert_eq!(attempts[1].status, 400);
    assert!(attempts[1].response_body.contains("PY0010"));
    assert_eq!(env.sim.faults(), Faults::none());
    // The payment was created once, and executing it once more still finds it processed:
    // the simulator executes a payment once, so the lost first answer was the only debit.
    assert_eq!(env.proxy.statuses("POST", CREATE), [200]);
    let again = env
        .client
        .execute_payment(&session, &ExecutePayment::new(created.id.clone()))
        .await
        .unwrap();
    assert!(
        matches!(again, ExecuteOutcome::AlreadyProcessed { .. }),
        "{again:?}"
    );

    // Through the common trait (create and execute in one call) the same thing is an unknown
    // outcome recognisable as "already processed", carrying the payment to reconcile; it is
    // not retried as a new payment.
    env.fault_next_execute.store(true, Ordering::SeqCst);
    let payments = env.client.payments(session.clone());
    let err = payments
        .create_payment(&PaymentRequest::new(php("75.00")))
        .await
        .unwrap_err();
    assert!(is_already_processed(&err), "{err:?}");
    // Its own first execute went through, approved or not: money may have moved.
    assert!(err.outcome_unknown() && !err.is_retryable(), "{err:?}");
    assert_eq!(env.proxy.statuses("POST", CREATE), [200, 200]);
    let second = env.proxy.calls("POST", CREATE)[1].response_body.clone();
    let second_id = serde_json::from_str::<serde_json::Value>(&second).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(err.to_string().contains(&second_id), "{err}");
    assert_eq!(
        err.payment_ref()
            .and_then(|ids| ids.provider_payment_id.as_deref()),
        Some(second_id.as_str())
    );
    assert_eq!(
        env.proxy.statuses("POST", &Env::execute_path(&second_id)),
        [500, 400]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_customer_and_client_tokens_are_renewed_mid_flow() {
    let env = env().await;
    let session = env.session().await;
    let payments = env.client.payments(session.clone());
    let first = session.tokens();
    let paid = payments
        .create_payment(&PaymentRequest::new(php("10.00")))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Captured);
    assert_eq!(session.revision(), 0);

    // The customer access token lives 15 minutes: the session still holds it, Maya refuses
    // it (K002). The session refreshes it through POST /tokens and the call goes through.
    env.sim.advance(Duration::from_secs(16 * 60));
    let paid = payments
        .create_payment(&PaymentRequest::new(php("11.00")))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Captured);
    assert_eq!(session.revision(), 1);
    let second = session.tokens();
    assert_ne!(
        second.access_token().expose_secret(),
        first.access_token().expose_secret()
    );
    // Maya rotates refresh tokens.
    assert_ne!(
        second.refresh_token().expose_secret(),
        first.refresh_token().expose_secret()
    );
    assert_eq!(env.proxy.statuses("POST", REFRESH), [200]);
    let creates = env.proxy.calls("POST", CREATE);
    let statuses: Vec<u16> = creates.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [200, 401, 200], "refused once, then sent again");
    assert!(creates[1].response_body.contains("K002"));

    // An hour later the client token (3600 s) has died as well.
    env.sim.advance(Duration::from_secs(61 * 60));
    let paid = payments
        .create_payment(&PaymentRequest::new(php("12.00")))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Captured);
    assert_eq!(session.revision(), 2);
    assert_eq!(env.proxy.statuses("POST", REFRESH), [200, 200]);
    // Both tokens are dead after the jump: each 401 blames one of them, so each is renewed in
    // turn (a 401 means Maya did nothing, so the create may be sent again).
    let statuses = env.proxy.statuses("POST", CREATE);
    assert_eq!(statuses, [200, 401, 200, 401, 401, 200]);
    let tokens = env.proxy.statuses("POST", TOKEN);
    assert!(
        tokens.len() >= 2 && tokens.iter().all(|s| *s == 200),
        "{tokens:?}"
    );
    // Every payment was executed exactly once.
    let executes: Vec<_> = env
        .proxy
        .exchanges()
        .into_iter()
        .filter(|e| e.path.ends_with("/execute"))
        .map(|e| e.status)
        .collect();
    assert_eq!(executes, [200, 200, 200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_answered_5xx_after_processing_is_retryable_and_charges_nothing() {
    let env = env().await;
    let session = env.session().await;
    env.client.client_token().await.unwrap();
    env.sim
        .set_faults(Faults::none().with_error_after_processing_rate(100));
    let err = env
        .client
        .create_payment(&session, &CreatePayment::new(php("10.00")))
        .await
        .unwrap_err();
    env.sim.set_faults(Faults::none());
    // Maya did create the payment, but create moves no money (spec §5): the error is
    // retryable, never an unknown outcome, and the client sent create once only.
    assert_eq!(env.proxy.statuses("POST", CREATE), [500]);
    assert!(err.is_retryable(), "{err:?}");
    assert!(!err.outcome_unknown(), "{err:?}");
    assert!(err.payment_ref().is_none(), "{err:?}");
    // Nothing was executed: the orphan expires unexecuted, and paying again works.
    assert!(
        env.proxy
            .exchanges()
            .iter()
            .all(|e| !e.path.ends_with("/execute")),
        "no execute was sent"
    );
    let paid = env
        .client
        .payments(session)
        .create_payment(&PaymentRequest::new(php("10.00")))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Captured);
}
