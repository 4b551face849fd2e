//! Maya's gateway route against the simulator: the customer pays on the hosted Checkout page,
//! the simulator signs the `PAYMENT_SUCCESS` webhook (v1: nonce, signature, timestamp) and
//! delivers it to the route on a loopback socket, registered as Maya's W1 would register it;
//! the route confirms it by reading the payment back.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use common::sim::{
    answered, closed_url, http_client, logs, open_page, post_again, serve, statuses,
};
use common::{Recorder, fast};
use http::StatusCode;
use paykit_axum::{Answer, CallbackRoutes, CallbackVerifier, RouteError};
use paykit_core::{
    Authenticity, Currency, Money, PaymentProvider, PaymentRequest, PaymentStatus, SecretString,
};
use paykit_maya_checkout::{
    Environment, KeyPair, MayaCheckoutClient, MayaCheckoutWebhook, WebhookConfig, WebhookEvent,
    WebhookKeys,
};
use paykit_sim::{CallbackOutcome, CallbackRecord, Faults, LedgerProvider, SimConfig, Simulator};

const PATH: &str = "/callbacks/maya-checkout";

async fn gateway() -> (Simulator, MayaCheckoutClient) {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let client = client_of(&sim, &sim.maya_checkout().base_url.clone());
    (sim, client)
}

/// A client of the simulator's keys, calling `base_url`.
fn client_of(sim: &Simulator, base_url: &str) -> MayaCheckoutClient {
    let info = sim.maya_checkout();
    let keys = KeyPair::new(
        SecretString::from(info.public_key.clone()),
        SecretString::from(info.secret_key.clone()),
    )
    .unwrap();
    MayaCheckoutClient::builder(Environment::Sandbox, keys)
        .api_base_url(base_url)
        .http_client(http_client())
        .executor_config(fast())
        .build()
        .unwrap()
}

/// A receiver trusting only the simulator's announced key, with a nonce cache of its own.
fn webhook(sim: &Simulator) -> MayaCheckoutWebhook {
    let keys = WebhookKeys::new()
        .with_pem("sim", &sim.maya_checkout().webhook_public_key_pem)
        .unwrap();
    MayaCheckoutWebhook::new(WebhookConfig::new(keys))
}

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

/// Registers `url` for `PAYMENT_SUCCESS` (W1).
async fn register(client: &MayaCheckoutClient, url: &str) {
    client
        .create_webhook(&WebhookEvent::PaymentSuccess, url)
        .await
        .unwrap();
}

/// A checkout of `amount` PHP, paid on the simulator's page.
async fn pay(client: &MayaCheckoutClient, reference: &str, amount: &str) {
    let request = PaymentRequest::new(php(amount))
        .order_id(reference)
        .return_url("https://shop.example.ph/return");
    let created = client.create_payment(&request).await.unwrap();
    open_page(&created.next_action).await;
}

/// The payment id a delivery is about.
fn payment_id(record: &CallbackRecord) -> String {
    let body: serde_json::Value = serde_json::from_str(&record.body).unwrap();
    body["id"].as_str().unwrap().to_owned()
}

fn header<'a>(record: &'a CallbackRecord, name: &str) -> &'a str {
    record
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap()
}

/// The simulator delivers payment `id`'s webhook to `url`, signed afresh, and waits for the
/// answer.
async fn deliver(sim: &Simulator, id: &str, url: &str) -> CallbackRecord {
    sim.trigger_callback(LedgerProvider::MayaCheckout, id, Some(url))
        .await
        .unwrap()
}

fn status_of(record: &CallbackRecord) -> u16 {
    statuses(std::slice::from_ref(record))[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_checkout_reaches_the_handler_once_confirmed() {
    let logs = logs();
    let (sim, client) = gateway().await;
    let handler = Recorder::new();
    let routes =
        CallbackRoutes::new(handler.clone()).maya_checkout(PATH, webhook(&sim), client.clone());
    let secret = sim.maya_checkout().secret_key.clone();
    let public = sim.maya_checkout().public_key.clone();
    for debug in [
        format!("{routes:?}"),
        format!(
            "{:?}",
            CallbackVerifier::maya_checkout(webhook(&sim), client.clone())
        ),
    ] {
        assert!(
            !debug.contains(&secret) && !debug.contains(&public),
            "{debug}"
        );
    }
    let url = format!("{}{PATH}", serve(routes.into_router().unwrap()).await);
    register(&client, &url).await;

    pay(&client, "MC-1001", "1500.00").await;
    let first = answered(&sim, &url, 1).await;
    assert_eq!(statuses(&first), [200]);
    let events = handler.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.provider.as_str(), "maya-checkout");
    assert_eq!(event.authenticity, Authenticity::Confirmed);
    assert!(event.is_fit_for_fulfilment());
    let payment = event.payment().unwrap();
    let id = payment_id(&first[0]);
    assert_eq!(payment.provider_payment_id, id);
    assert_eq!(payment.amount, Some(php("1500.00")));
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(payment.order_id.as_deref(), Some("MC-1001"));

    // Maya sending the same event again, signed with a fresh nonce: the claim answers it.
    let again = deliver(&sim, &id, &url).await;
    assert_ne!(
        header(&again, "x-maya-webhook-signature"),
        header(&first[0], "x-maya-webhook-signature")
    );
    assert_eq!(status_of(&again), 200);
    // The first attempt's exact bytes and headers: a replayed nonce, answered 2xx.
    let (status, body) = post_again(&first[0], &url, &first[0].body).await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert_eq!(handler.runs(), 1, "handled once: {:?}", handler.events());

    let signature = header(&first[0], "x-maya-webhook-signature").to_owned();
    let nonce = signature
        .split(',')
        .find_map(|part| part.trim().strip_prefix("nonce="))
        .unwrap()
        .to_owned();
    let v1 = signature
        .split(',')
        .find_map(|part| part.trim().strip_prefix("v1="))
        .unwrap()
        .to_owned();
    logs.assert_clean(PATH, &[&secret, &public, &signature, &nonce, &v1]);
    assert!(logs.text().contains("outcome=\"replayed\""));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_nonce_is_answered_2xx_and_never_reaches_the_handler() {
    let (sim, client) = gateway().await;
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .maya_checkout(PATH, webhook(&sim), client.clone())
        .into_router()
        .unwrap();
    let url = format!("{}{PATH}", serve(router).await);
    register(&client, &url).await;

    // The handler fails the first delivery: 500, its claim released, so Maya's retry would
    // run it again. The same attempt posted again is a replay: 200, and the handler does not
    // run (had it reached the released claim, it would have).
    handler.fail_next(1);
    pay(&client, "MC-2001", "250.75").await;
    let first = answered(&sim, &url, 1).await;
    assert_eq!(statuses(&first), [500]);
    for _ in 0..2 {
        let (status, body) = post_again(&first[0], &url, &first[0].body).await;
        assert_eq!((status, body.as_str()), (200, ""));
    }
    assert_eq!(
        handler.runs(),
        1,
        "only the failed run: {:?}",
        handler.events()
    );

    // Maya's retry comes signed afresh: handled.
    let id = payment_id(&first[0]);
    assert_eq!(status_of(&deliver(&sim, &id, &url).await), 200);
    assert_eq!(handler.runs(), 2);

    // The simulator's duplicate fault posts an accepted attempt again, headers and all.
    sim.set_faults(Faults::none().with_duplicate_callbacks(100));
    pay(&client, "MC-2002", "99.00").await;
    let all = answered(&sim, &url, 3).await;
    sim.set_faults(Faults::none());
    let duplicated: Vec<CallbackRecord> = all
        .into_iter()
        .filter(|r| r.body.contains("MC-2002"))
        .collect();
    assert_eq!(duplicated.len(), 2, "{duplicated:?}");
    assert_eq!(duplicated[0].headers, duplicated[1].headers);
    assert_eq!(statuses(&duplicated), [200, 200]);
    let runs = handler
        .events()
        .iter()
        .filter(|e| e.payment().unwrap().order_id.as_deref() == Some("MC-2002"))
        .count();
    assert_eq!(runs, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_unsigned_and_tampered_deliveries_never_reach_the_handler() {
    let (sim, client) = gateway().await;
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .maya_checkout(PATH, webhook(&sim), client.clone())
        .into_router()
        .unwrap();
    let url = format!("{}{PATH}", serve(router).await);
    // Registered where nothing listens: every delivery below is a trigger.
    let nowhere = format!("{}/nowhere", closed_url());
    register(&client, &nowhere).await;
    pay(&client, "MC-3001", "420.00").await;
    let first = answered(&sim, &nowhere, 1).await.remove(0);
    assert!(matches!(first.outcome, CallbackOutcome::Failed { .. }));
    let id = payment_id(&first);

    for faults in [
        Faults::none().with_bad_callback_signatures(100),
        Faults::none().with_stale_timestamps(100),
        Faults::none().with_unsigned_callbacks(100),
    ] {
        sim.set_faults(faults.clone());
        assert_eq!(
            status_of(&deliver(&sim, &id, &url).await),
            401,
            "{faults:?}"
        );
    }
    sim.set_faults(Faults::none());

    let genuine = deliver(&sim, &id, &closed_url()).await;
    assert!(matches!(genuine.outcome, CallbackOutcome::Failed { .. }));
    let body = genuine.body.clone();
    for (what, tampered) in [
        ("the amount", body.replacen("420", "920", 1)),
        ("the reference", body.replacen("MC-3001", "MC-3009", 1)),
        ("not JSON", "{\"id\":".to_owned()),
    ] {
        assert_ne!(tampered, body, "{what}");
        let (status, _) = post_again(&genuine, &url, &tampered).await;
        assert!(
            [400, 401].contains(&status),
            "{what}: {status} (not authentic, or not readable)"
        );
    }
    assert_eq!(handler.runs(), 0, "{:?}", handler.events());
    // The untouched attempt is handled: its nonce was not spent by the refusals.
    let (status, _) = post_again(&genuine, &url, &body).await;
    assert_eq!(status, 200);
    assert_eq!(handler.runs(), 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_maya_cannot_be_asked_about_is_answered_503_and_handled_later() {
    let (sim, client) = gateway().await;
    let handler = Recorder::new();
    let down = client_of(&sim, &closed_url());
    let router = CallbackRoutes::new(handler.clone())
        .route(
            "/down",
            CallbackVerifier::maya_checkout(webhook(&sim), down),
            Answer::empty(StatusCode::OK),
        )
        .maya_checkout("/up", webhook(&sim), client.clone())
        .into_router()
        .unwrap();
    let base = serve(router).await;
    register(&client, &format!("{base}/down")).await;
    pay(&client, "MC-4001", "61.10").await;
    let first = answered(&sim, &format!("{base}/down"), 1).await;
    assert_eq!(statuses(&first), [503], "so Maya delivers again");
    let id = payment_id(&first[0]);
    assert_eq!(
        status_of(&deliver(&sim, &id, &format!("{base}/down")).await),
        503
    );
    assert_eq!(handler.runs(), 0);
    assert_eq!(
        status_of(&deliver(&sim, &id, &format!("{base}/up")).await),
        200
    );
    let events = handler.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].payment().unwrap().amount, Some(php("61.10")));
    sim.shutdown().await;
}

#[test]
fn a_route_that_could_verify_or_confirm_nothing_is_refused() {
    let keys = |secret: bool| {
        let public = SecretString::from("pk-route-test-public");
        if secret {
            KeyPair::new(public, SecretString::from("sk-route-test-secret")).unwrap()
        } else {
            KeyPair::public_only(public).unwrap()
        }
    };
    let client = |secret| {
        MayaCheckoutClient::builder(Environment::Sandbox, keys(secret))
            .build()
            .unwrap()
    };
    let sandbox = || {
        MayaCheckoutWebhook::new(WebhookConfig::new(
            WebhookKeys::maya(Environment::Sandbox).unwrap(),
        ))
    };
    let no_keys = MayaCheckoutWebhook::new(WebhookConfig::new(WebhookKeys::new()));
    for (what, webhook, secret) in [
        ("no webhook keys", no_keys, true),
        ("no secret key", sandbox(), false),
    ] {
        let refused = CallbackRoutes::new(Recorder::new())
            .maya_checkout("/maya", webhook, client(secret))
            .into_router::<()>();
        assert!(
            matches!(&refused, Err(RouteError::Unusable { path, .. }) if path == "/maya"),
            "{what}: {:?}",
            refused.as_ref().err()
        );
    }
    assert!(
        CallbackRoutes::new(Recorder::new())
            .maya_checkout("/maya", sandbox(), client(true))
            .into_router::<()>()
            .is_ok()
    );
}
