//! A fleet against the simulator: several `MayaClient`s (separate token caches, as separate
//! processes have) share customer sessions through one `SessionStore`, and Maya, which spends
//! a refresh token on its first use, sees one refresh however many instances need one.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paykit_core::store::{
    InMemorySessionStore, InMemoryTokenStore, SessionLease, StoredSession, unix_millis,
};
use paykit_core::{
    Currency, ExposeSecret, Money, PaymentProvider, PaymentRequest, PaymentStatus, SecretString,
    SessionStore, TokenStore,
};
use paykit_maya::{CustomerSession, MayaClient, MayaClientBuilder, SessionTokens};
use paykit_sim::{LedgerProvider, SimConfig, Simulator, TokenIssue};
use tokio::time::Instant;

const ID: &str = "b6f0e3d2-1c4a-4f7e-9a55-0e8d2c7b9a31";

async fn simulator() -> Simulator {
    paykit_sim::start(SimConfig::default()).await.unwrap()
}

/// One "instance" of the merchant's backend: its own client, so its own token caches.
fn builder(sim: &Simulator) -> MayaClientBuilder {
    let info = sim.maya();
    MayaClient::builder(
        info.client_id.clone(),
        SecretString::from(info.client_secret.clone()),
    )
    .token_url(format!("{}/oauth/token", info.base_url))
    .api_base_url(info.base_url.clone())
    .p2m_id(info.p2m_id.clone())
    .http_client(reqwest::Client::builder().no_proxy().build().unwrap())
}

fn instance(sim: &Simulator) -> MayaClient {
    builder(sim).build().unwrap()
}

fn unix_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// A pair as the simulator's Session URL push carries it; `expires_at` overridden when given
/// (the client's view of the expiry: the simulator still decides what it accepts).
async fn pushed(sim: &Simulator, expires_at: Option<i64>) -> SessionTokens {
    let s = sim.open_maya_session(None).await.unwrap();
    SessionTokens::new(
        SecretString::from(s.access_token),
        SecretString::from(s.refresh_token),
        expires_at.unwrap_or_else(|| i64::try_from(s.expires_at).unwrap()),
    )
    .unwrap()
}

fn customer_refreshes(sim: &Simulator) -> usize {
    sim.ledger()
        .tokens_issued(LedgerProvider::Maya, TokenIssue::CustomerRefresh)
}

fn access(tokens: &SessionTokens) -> String {
    tokens.access_token().expose_secret().to_owned()
}

async fn stored(store: &Arc<dyn SessionStore>) -> StoredSession {
    store.load(ID).await.unwrap().unwrap().value
}

fn memory() -> Arc<dyn SessionStore> {
    Arc::new(InMemorySessionStore::new())
}

/// A payment through the common trait: create and execute with the session's tokens.
async fn pay(client: &MayaClient, session: &CustomerSession) {
    let request = PaymentRequest::new(Money::parse("249.50", Currency::PHP).unwrap());
    let outcome = client
        .payments(session.clone())
        .create_payment(&request)
        .await
        .unwrap();
    assert_eq!(outcome.status, PaymentStatus::Captured);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_refreshing_at_once_spend_the_refresh_token_once() {
    let sim = simulator().await;
    let store = memory();
    let (a, b) = (instance(&sim), instance(&sim));
    let first = pushed(&sim, None).await;
    let on_a = a
        .store_session(store.clone(), ID, first.clone())
        .await
        .unwrap();
    let on_b = b.shared_session(store.clone(), ID).await.unwrap();
    assert!(on_a.is_shared() && on_b.is_shared());

    let (ra, rb) = (on_a.clone(), on_b.clone());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { ra.refresh().await }),
        tokio::spawn(async move { rb.refresh().await })
    );
    let (ra, rb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());

    assert_eq!(
        customer_refreshes(&sim),
        1,
        "one POST /tokens for the fleet"
    );
    let newest = stored(&store).await;
    assert!(newest.refreshing.is_none() && newest.ended.is_none());
    let newest = newest.access_token.expose_secret().to_owned();
    assert_ne!(newest, access(&first), "the pair was refreshed");
    for tokens in [ra, rb, on_a.tokens(), on_b.tokens()] {
        assert_eq!(access(&tokens), newest);
    }
    assert!(on_a.revision() >= 1 && on_b.revision() >= 1);

    // The session survived: both instances pay with it, and nobody refreshes again.
    pay(&a, &on_a).await;
    pay(&b, &on_b).await;
    assert_eq!(customer_refreshes(&sim), 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_instances_of_25_calls_on_an_expired_token_refresh_once() {
    let sim = simulator().await;
    let store = memory();
    // Expired for the client, and dead at the simulator too (its access tokens live 15 min).
    let first = pushed(&sim, Some(unix_now() - 60)).await;
    sim.advance(Duration::from_secs(16 * 60));
    let instances: Vec<MayaClient> = (0..8).map(|_| instance(&sim)).collect();
    instances[0]
        .store_session(store.clone(), ID, first.clone())
        .await
        .unwrap();
    let mut sessions = Vec::new();
    for client in &instances {
        sessions.push(client.shared_session(store.clone(), ID).await.unwrap());
    }

    let mut calls = Vec::new();
    for (client, session) in instances.iter().zip(&sessions) {
        for _ in 0..25 {
            let (client, session) = (client.clone(), session.clone());
            calls.push(tokio::spawn(async move { client.profile(&session).await }));
        }
    }
    assert_eq!(calls.len(), 200);
    for call in calls {
        let profile = call.await.unwrap().unwrap();
        assert!(!profile.data.expose_secret().is_empty());
    }

    assert_eq!(
        customer_refreshes(&sim),
        1,
        "200 calls, 8 instances, 1 refresh"
    );
    let newest = stored(&store).await.access_token.expose_secret().to_owned();
    assert_ne!(newest, access(&first));
    for session in &sessions {
        assert_eq!(access(&session.tokens()), newest);
    }
    sim.shutdown().await;
}

/// A lease as an instance that crashed mid-refresh leaves it, on an expired pair.
async fn crashed_lease(sim: &Simulator, store: &Arc<dyn SessionStore>, lapses_in: Duration) {
    let first = pushed(sim, Some(unix_now() - 60)).await;
    let mut session = StoredSession::new(
        first.access_token().clone(),
        first.refresh_token().clone(),
        first.expires_at(),
    );
    session.refreshing = Some(SessionLease {
        owner: "crashed-instance".to_owned(),
        until_ms: unix_millis() + i64::try_from(lapses_in.as_millis()).unwrap(),
    });
    store.compare_and_swap(ID, None, &session).await.unwrap();
}

/// Two instances need a fresh token at once; returns how long that took.
async fn both_ensure_fresh(a: CustomerSession, b: CustomerSession) -> Duration {
    let started = Instant::now();
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { a.ensure_fresh().await }),
        tokio::spawn(async move { b.ensure_fresh().await })
    );
    ra.unwrap().unwrap();
    rb.unwrap().unwrap();
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_instances_lease_delays_the_refresh_by_at_most_the_lease() {
    let sim = simulator().await;
    let store = memory();
    let lease = Duration::from_millis(400);
    crashed_lease(&sim, &store, lease).await;
    let lapses = Instant::now() + lease;
    let (a, b) = (instance(&sim), instance(&sim));
    let on_a = a.shared_session(store.clone(), ID).await.unwrap();
    let on_b = b.shared_session(store.clone(), ID).await.unwrap();

    let took = both_ensure_fresh(on_a.clone(), on_b.clone()).await;

    // Nobody refreshed under the dead instance's lease, and nobody waited much past it.
    assert!(
        Instant::now() + Duration::from_millis(25) >= lapses,
        "refreshed before the lease lapsed ({took:?})"
    );
    assert!(took < lease + Duration::from_secs(2), "{took:?}");
    assert_eq!(customer_refreshes(&sim), 1);
    let newest = stored(&store).await;
    assert!(newest.refreshing.is_none());
    assert_eq!(access(&on_a.tokens()), access(&on_b.tokens()));
    assert_eq!(
        access(&on_a.tokens()),
        newest.access_token.expose_secret().to_owned()
    );
    pay(&a, &on_a).await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_claiming_an_hour_is_waited_for_one_lease_length_only() {
    let sim = simulator().await;
    let store = memory();
    crashed_lease(&sim, &store, Duration::from_secs(3600)).await;
    let lease = Duration::from_millis(300);
    let (a, b) = (
        builder(&sim).session_lease(lease).build().unwrap(),
        builder(&sim).session_lease(lease).build().unwrap(),
    );
    let on_a = a.shared_session(store.clone(), ID).await.unwrap();
    let on_b = b.shared_session(store.clone(), ID).await.unwrap();

    let took = both_ensure_fresh(on_a.clone(), on_b).await;

    assert!(took >= lease - Duration::from_millis(25), "{took:?}");
    assert!(took < lease + Duration::from_secs(2), "{took:?}");
    assert_eq!(customer_refreshes(&sim), 1);
    pay(&a, &on_a).await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_sharing_a_token_store_fetch_one_client_token() {
    let sim = simulator().await;
    let tokens: Arc<dyn TokenStore> = Arc::new(InMemoryTokenStore::new());
    let a = builder(&sim).token_store(tokens.clone()).build().unwrap();
    let b = builder(&sim).token_store(tokens.clone()).build().unwrap();

    let (ta, tb) = tokio::join!(
        tokio::spawn(async move { a.client_token().await }),
        tokio::spawn(async move { b.client_token().await })
    );
    let (ta, tb) = (ta.unwrap().unwrap(), tb.unwrap().unwrap());

    assert_eq!(ta.expose_secret(), tb.expose_secret());
    assert_eq!(
        sim.ledger()
            .tokens_issued(LedgerProvider::Maya, TokenIssue::Merchant),
        1
    );
    // A third instance joining later adopts it too.
    let c = builder(&sim).token_store(tokens).build().unwrap();
    assert_eq!(
        c.client_token().await.unwrap().expose_secret(),
        ta.expose_secret()
    );
    assert_eq!(
        sim.ledger()
            .tokens_issued(LedgerProvider::Maya, TokenIssue::Merchant),
        1
    );
    sim.shutdown().await;
}
