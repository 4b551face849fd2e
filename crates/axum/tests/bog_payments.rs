//! The Payments API's route against the simulator: the customer pays on BOG's page, the
//! simulator signs the callback (`Callback-Signature`, RSA SHA-256 over the raw bytes) and
//! delivers it to the route on a loopback socket; the route confirms it with the receipt.
//!
//! The client refuses plain-HTTP callback URLs (BOG calls only HTTPS), so each order is created
//! with an HTTPS URL nobody listens on, and the real signed callback is then delivered to the
//! route with the simulator's trigger (the same body and signing as its normal delivery).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use common::sim::{closed_url, http_client, logs, open_page, post_again, serve, statuses};
use common::{Recorder, fast};
use http::StatusCode;
use paykit_axum::{CallbackRoutes, CallbackVerifier};
use paykit_bog_payments::BogPaymentsClient;
use paykit_core::{
    Authenticity, Currency, Money, PaymentProvider, PaymentRequest, PaymentStatus, SecretString,
};
use paykit_sim::{CallbackOutcome, CallbackRecord, Faults, LedgerProvider, SimConfig, Simulator};

const PATH: &str = "/callbacks/bog-payments";

/// The simulator (no resends: every delivery here is a trigger) and a client of it.
async fn bank() -> (Simulator, BogPaymentsClient) {
    let mut config = SimConfig::default();
    config.bog_payments = config.bog_payments.with_callback_resend_delays(Vec::new());
    let sim = paykit_sim::start(config).await.unwrap();
    let client = client_of(&sim, &sim.bog_payments().api_base.clone());
    (sim, client)
}

/// A client of the simulator's credentials and callback key, calling `api_base`.
fn client_of(sim: &Simulator, api_base: &str) -> BogPaymentsClient {
    let info = sim.bog_payments();
    BogPaymentsClient::builder(
        info.client_id.clone(),
        SecretString::from(info.client_secret.clone()),
    )
    .api_base(api_base)
    .token_url(info.token_url.clone())
    .callback_key(info.callback_public_key_pem.clone())
    .only_configured_callback_keys()
    .http_client(http_client())
    .executor_config(fast())
    .build()
    .unwrap()
}

fn gel(amount: &str) -> Money {
    Money::parse(amount, Currency::GEL).unwrap()
}

/// An order of `amount` GEL, paid by the customer on the simulator's page: BOG's order id.
async fn paid(client: &BogPaymentsClient, order_id: &str, amount: &str) -> String {
    let request = PaymentRequest::new(gel(amount))
        .order_id(order_id)
        .description(format!("Order {order_id}"))
        .callback_url("https://127.0.0.1:1/bog/callback")
        .return_url("https://shop.example.ge/pay/ok");
    let created = client.create_payment(&request).await.unwrap();
    open_page(&created.next_action).await;
    created.provider_payment_id
}

/// The simulator delivers order `id`'s callback, as BOG would, to `url`, and waits for the
/// answer.
async fn deliver(sim: &Simulator, id: &str, url: &str) -> CallbackRecord {
    sim.trigger_callback(LedgerProvider::BogPayments, id, Some(url))
        .await
        .unwrap()
}

fn status_of(record: &CallbackRecord) -> u16 {
    statuses(std::slice::from_ref(record))[0]
}

fn signature_of(record: &CallbackRecord) -> String {
    record
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("callback-signature"))
        .map(|(_, value)| value.clone())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_order_reaches_the_handler_once_confirmed_and_redeliveries_are_acknowledged() {
    let logs = logs();
    let (sim, client) = bank().await;
    let handler = Recorder::new();
    let routes = CallbackRoutes::new(handler.clone()).bog_payments(PATH, client.clone());
    let secret = sim.bog_payments().client_secret.clone();
    assert!(!format!("{routes:?}").contains(&secret));
    let verifier = CallbackVerifier::bog_payments(client.webhook(), client.clone());
    assert!(!format!("{verifier:?}").contains(&secret));
    let url = format!("{}{PATH}", serve(routes.into_router().unwrap()).await);

    let id = paid(&client, "shop-bp-1001", "30.00").await;
    let record = deliver(&sim, &id, &url).await;
    assert_eq!(record.outcome, CallbackOutcome::Delivered { status: 200 });
    let events = handler.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.provider.as_str(), "bog-payments");
    assert_eq!(event.authenticity, Authenticity::Confirmed);
    assert!(event.is_fit_for_fulfilment());
    let payment = event.payment().unwrap();
    assert_eq!(payment.provider_payment_id, id);
    assert_eq!(payment.amount, Some(gel("30.00")));
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(payment.order_id.as_deref(), Some("shop-bp-1001"));

    // The same bytes again (a resend), twice: 200 with an empty body, not handled again.
    for attempt in ["a resend", "another"] {
        let (status, body) = post_again(&record, &url, &record.body).await;
        assert_eq!((status, body.as_str()), (200, ""), "{attempt}");
    }
    // The simulator delivering the order's callback once more: the same claim.
    let again = deliver(&sim, &id, &url).await;
    assert_eq!(status_of(&again), 200);
    assert_eq!(handler.runs(), 1, "handled once: {:?}", handler.events());

    // A second order is a callback of its own.
    let second = paid(&client, "shop-bp-1002", "12.50").await;
    assert_eq!(status_of(&deliver(&sim, &second, &url).await), 200);
    let events = handler.events();
    assert_eq!(events.len(), 2);
    let payment = events[1].payment().unwrap();
    assert_eq!(
        (payment.provider_payment_id.as_str(), payment.amount),
        (second.as_str(), Some(gel("12.50")))
    );

    logs.assert_clean(
        PATH,
        &[
            secret.as_str(),
            signature_of(&record).as_str(),
            signature_of(&again).as_str(),
            "400000xxxxxx0001",
            "zoned_request_time",
        ],
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_tampered_and_unsigned_callbacks_never_reach_the_handler() {
    let (sim, client) = bank().await;
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .bog_payments(PATH, client.clone())
        .into_router()
        .unwrap();
    let url = format!("{}{PATH}", serve(router).await);
    let id = paid(&client, "shop-bp-2001", "45.20").await;

    // The simulator's bad-signature fault: a signature of the right length that is wrong.
    sim.set_faults(Faults::none().with_bad_callback_signatures(100));
    assert_eq!(status_of(&deliver(&sim, &id, &url).await), 401);
    sim.set_faults(Faults::none());

    // The genuine callback, delivered where nothing listens: its bytes and signature.
    let genuine = deliver(&sim, &id, &closed_url()).await;
    assert!(matches!(genuine.outcome, CallbackOutcome::Failed { .. }));
    let body = genuine.body.clone();
    assert!(body.contains("\"event\""), "{body}");
    for (what, tampered) in [
        // The same JSON, one space more: the signature covers the raw bytes.
        ("a space", body.replacen("\"event\"", "\"event\" ", 1)),
        ("the amount", body.replacen("45.2", "95.2", 1)),
        (
            "the order",
            body.replacen(&id, &id.replacen('-', "_", 1), 1),
        ),
        ("not JSON", "{\"event\":".to_owned()),
    ] {
        assert_ne!(tampered, body, "{what}");
        let (status, answer) = post_again(&genuine, &url, &tampered).await;
        assert_eq!(status, 401, "{what}");
        assert_eq!(answer, "callback not authentic", "{what}");
    }
    // No signature at all.
    let unsigned = http_client()
        .post(&url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(handler.runs(), 0, "{:?}", handler.events());

    // The genuine bytes are handled: the refusals above were about the tampering.
    let (status, _) = post_again(&genuine, &url, &body).await;
    assert_eq!(status, 200);
    assert_eq!(handler.runs(), 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_that_cannot_be_read_is_answered_503_and_a_later_delivery_is_handled() {
    let (sim, client) = bank().await;
    let handler = Recorder::new();
    // BOG's API unreachable for this route's confirmations; the signature and the order
    // records are checked as usual.
    let down = client_of(&sim, &format!("{}/payments/v1", closed_url()));
    let router = CallbackRoutes::new(handler.clone())
        .route(
            "/down",
            CallbackVerifier::bog_payments(client.webhook(), down),
            paykit_axum::Answer::empty(StatusCode::OK),
        )
        .bog_payments("/up", client.clone())
        .into_router()
        .unwrap();
    let base = serve(router).await;
    let id = paid(&client, "shop-bp-3001", "7.05").await;

    for _ in 0..2 {
        let record = deliver(&sim, &id, &format!("{base}/down")).await;
        assert_eq!(status_of(&record), 503, "BOG may deliver again");
    }
    assert_eq!(handler.runs(), 0);
    // Nothing was claimed by the refused deliveries: the next one is handled.
    assert_eq!(
        status_of(&deliver(&sim, &id, &format!("{base}/up")).await),
        200
    );
    let events = handler.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].payment().unwrap().amount, Some(gel("7.05")));
    sim.shutdown().await;
}
