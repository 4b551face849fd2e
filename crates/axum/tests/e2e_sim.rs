//! End to end over real sockets: the routes served by `axum::serve` on 127.0.0.1, the
//! simulator creating payments, taking the customer's "payment", and delivering its real
//! callbacks (maib signed, miaPOS RSA-signed, iPay unsigned form posts) and Maya's session push
//! to them.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use common::Recorder;
use paykit_axum::CallbackRoutes;
use paykit_bog::BogClient;
use paykit_core::store::InMemorySessionStore;
use paykit_core::{
    Currency, Customer, Money, NextAction, PaymentProvider, PaymentRequest, PaymentStatus,
    SecretString, SessionStore,
};
use paykit_maib::MaibClient;
use paykit_maya::MayaClient;
use paykit_miapos::MiaPos;
use paykit_sim::{CallbackOutcome, CallbackRecord, SimConfig, Simulator};

/// How long a callback may take to arrive.
const WAIT: Duration = Duration::from_secs(10);

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// What the customer's browser does with a payment page: a plain GET.
async fn open_page(url: &str) {
    let status = http_client().get(url).send().await.unwrap().status();
    assert_eq!(status, 200, "{url}");
}

/// The redirect or checkout page of a created payment.
fn page_of(next: &NextAction) -> String {
    match next {
        NextAction::Redirect { url } => url.clone(),
        NextAction::Checkout { url: Some(url), .. } => url.clone(),
        other => panic!("no payment page: {other:?}"),
    }
}

/// Waits for the simulator's delivery to `url` to get an answer, and returns its record.
async fn delivered(sim: &Simulator, url: &str) -> CallbackRecord {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let done = sim.callbacks().into_iter().find(|record| {
            record.url == url && !matches!(record.outcome, CallbackOutcome::Pending)
        });
        if let Some(record) = done {
            return record;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no answered callback to {url}: {:?}",
            sim.callbacks()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

struct Shop {
    sim: Simulator,
    base: String,
    handler: Recorder,
    sessions: Arc<dyn SessionStore>,
    maib: MaibClient,
    miapos: MiaPos,
    bog: BogClient,
    maya: MayaClient,
}

/// The simulator, the clients, and the callback routes listening on a loopback port.
async fn shop() -> Shop {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let info = sim.maib();
    let maib = MaibClient::builder(
        info.project_id.clone(),
        SecretString::from(info.project_secret.clone()),
    )
    .base_url(info.base_url.clone())
    .signature_key(SecretString::from(info.signature_key.clone()))
    .http_client(http_client())
    .build()
    .unwrap();
    let info = sim.miapos();
    let miapos = MiaPos::builder(
        info.base_url.clone(),
        info.merchant_id.clone(),
        SecretString::from(info.secret_key.clone()),
    )
    .terminal_id(info.terminal_id.clone())
    .http_client(http_client())
    .build()
    .unwrap();
    let info = sim.bog();
    let bog = BogClient::builder(
        info.client_id.clone(),
        SecretString::from(info.secret_key.clone()),
    )
    .base_url(format!("{}/opay/api/v1", info.base_url))
    .http_client(http_client())
    .build()
    .unwrap();
    let info = sim.maya();
    let maya = MayaClient::builder(
        info.client_id.clone(),
        SecretString::from(info.client_secret.clone()),
    )
    .token_url(info.token_url.clone())
    .http_client(http_client())
    .build()
    .unwrap();
    let handler = Recorder::new();
    let sessions: Arc<dyn SessionStore> = Arc::new(InMemorySessionStore::new());
    let bog_webhook = bog.webhook().unwrap();
    let app = CallbackRoutes::new(handler.clone())
        .maib("/callbacks/maib", maib.clone())
        .miapos("/callbacks/miapos", miapos.clone())
        .bog("/callbacks/bog/status", bog_webhook.clone())
        .bog("/callbacks/bog/refund", bog_webhook)
        .maya_session("/maya/session", maya.clone(), sessions.clone())
        .into_router()
        .unwrap();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    sim.set_bog_callback_urls(
        Some(format!("{base}/callbacks/bog/status")),
        Some(format!("{base}/callbacks/bog/refund")),
    );
    Shop {
        sim,
        base,
        handler,
        sessions,
        maib,
        miapos,
        bog,
        maya,
    }
}

fn money(amount: &str, currency: Currency) -> Money {
    Money::parse(amount, currency).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_callbacks_from_the_simulator_are_handled_once_and_answered_as_each_provider_expects()
{
    let shop = shop().await;

    // maib: the handler fails the first delivery (500); maib's retry (the same bytes, sent
    // again as maib would) is handled, and a third delivery is a duplicate.
    let url = format!("{}/callbacks/maib", shop.base);
    let request = PaymentRequest::new(money("10.25", Currency::MDL))
        .order_id("shop-order-1")
        .description("Order shop-order-1")
        .language("ro")
        .customer(Customer::default().ip(Ipv4Addr::new(135, 250, 245, 121)))
        .callback_url(url.clone())
        .return_url("https://shop.example.md/ok")
        .fail_url("https://shop.example.md/fail");
    let created = shop.maib.create_payment(&request).await.unwrap();
    shop.handler.fail_next(1);
    open_page(&page_of(&created.next_action)).await;
    let first = delivered(&shop.sim, &url).await;
    assert_eq!(first.outcome, CallbackOutcome::Delivered { status: 500 });
    // maib delivers again (the same bytes), then once more: handled once, then a duplicate.
    for delivery in ["the retry", "a duplicate"] {
        let again = http_client()
            .post(&url)
            .header("content-type", first.content_type)
            .body(first.body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200, "{delivery}");
        assert_eq!(again.text().await.unwrap(), "OK", "{delivery}");
        let runs = shop
            .handler
            .events()
            .into_iter()
            .filter(|e| e.provider == paykit_maib::PROVIDER)
            .count();
        assert_eq!(
            runs, 2,
            "{delivery}: one failed run, then exactly one that succeeded"
        );
    }
    let maib_event = shop.handler.events().pop().unwrap();
    assert!(maib_event.is_fit_for_fulfilment());
    assert_eq!(
        maib_event.payment().unwrap().status,
        PaymentStatus::Captured
    );

    // miaPOS: signed by the simulator's key (fetched by the client), confirmed, 200 "OK".
    let url = format!("{}/callbacks/miapos", shop.base);
    let request = PaymentRequest::new(money("249.90", Currency::MDL))
        .order_id("shop-order-2")
        .description("Order shop-order-2")
        .callback_url(url.clone())
        .return_url("https://shop.example.md/miapos/return");
    let created = shop.miapos.create_payment(&request).await.unwrap();
    open_page(&page_of(&created.next_action)).await;
    assert_eq!(
        delivered(&shop.sim, &url).await.outcome,
        CallbackOutcome::Delivered { status: 200 }
    );

    // iPay: an unsigned form post, confirmed by re-querying the simulator.
    let url = format!("{}/callbacks/bog/status", shop.base);
    let request = PaymentRequest::new(money("25.00", Currency::GEL))
        .order_id("shop-order-3")
        .description("Order shop-order-3")
        .language("en")
        .return_url("https://shop.example.ge/return");
    let created = shop.bog.create_payment(&request).await.unwrap();
    open_page(&page_of(&created.next_action)).await;
    assert_eq!(
        delivered(&shop.sim, &url).await.outcome,
        CallbackOutcome::Delivered { status: 200 }
    );

    let events = shop.handler.events();
    for provider in ["miapos", "bog"] {
        let of_provider: Vec<_> = events
            .iter()
            .filter(|e| e.provider.as_str() == provider)
            .collect();
        assert_eq!(of_provider.len(), 1, "{provider}: {events:?}");
        assert!(of_provider[0].is_fit_for_fulfilment(), "{provider}");
        assert_eq!(
            of_provider[0].payment().unwrap().status,
            PaymentStatus::Captured,
            "{provider}"
        );
    }

    // Maya: the customer opens the Mini App; the simulator pushes the pair to the Session URL
    // and reads back the session id, under which the pair is now stored.
    let session = shop
        .sim
        .open_maya_session(Some(&format!("{}/maya/session", shop.base)))
        .await
        .unwrap();
    let session_id = session.session_id.clone().unwrap();
    let opened = shop
        .maya
        .shared_session(shop.sessions.clone(), &session_id)
        .await
        .unwrap();
    assert_eq!(
        paykit_core::ExposeSecret::expose_secret(opened.tokens().access_token()),
        session.access_token
    );
    shop.sim.shutdown().await;
}
