//! The edges of the shared-session protocol against wiremock, which counts every
//! `POST /tokens`: a refusal that ends the session, a store that fails, a push or another
//! instance writing during a refresh, a passing failure, and what `Debug` shows.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use common::*;
use paykit_core::store::{InMemorySessionStore, StoredSession, SwapOutcome, Versioned};
use paykit_core::{Error, ExposeSecret, Result, SecretString, SessionStore};
use paykit_maya::{CustomerSession, MayaClient};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "customer-session-7f3a";
const ACCESS_3: &str = "test-customer-access-token-3";
const REFRESH_3: &str = "test-customer-refresh-token-3";

fn memory() -> Arc<dyn SessionStore> {
    Arc::new(InMemorySessionStore::new())
}

/// `POST /tokens` with `refresh`, answered after `delay` with the second pair, `times` times.
async fn mount_refresh(server: &MockServer, refresh: &str, delay: Duration, times: u64) {
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .and(body_json(json!({ "refreshToken": refresh })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({
                    "accessToken": ACCESS_2,
                    "refreshToken": REFRESH_2,
                    "expiresAt": FUTURE,
                }))
                .set_delay(delay),
        )
        .expect(times)
        .named(format!("refresh with {refresh}"))
        .mount(server)
        .await;
}

/// The client token endpoint, however often each instance asks.
async fn mount_client_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(CLIENT_TOKEN)))
        .named("client token")
        .mount(server)
        .await;
}

async fn refresh_posts(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/tokens")
        .count()
}

async fn stored(store: &Arc<dyn SessionStore>) -> Versioned<StoredSession> {
    store.load(ID).await.unwrap().unwrap()
}

fn field(error: &Error) -> &str {
    match error {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected an input error, got {other}"),
    }
}

async fn shared(
    client: &MayaClient,
    store: &Arc<dyn SessionStore>,
    expires_at: i64,
) -> CustomerSession {
    client
        .store_session(store.clone(), ID, tokens(ACCESS, REFRESH, expires_at))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_refusal_ends_the_session_for_every_instance_with_one_post() {
    let server = MockServer::start().await;
    mount_client_token(&server).await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_token",
            "error_description": "Invalid refresh token.",
        })))
        .expect(1)
        .named("refused refresh")
        .mount(&server)
        .await;
    let store = memory();
    let (a, b) = (client(&server), client(&server));
    let on_a = shared(&a, &store, PAST).await;
    let on_b = b.shared_session(store.clone(), ID).await.unwrap();

    on_a.ensure_fresh().await.unwrap_err();
    assert!(on_a.is_ended());
    let ended = stored(&store).await.value;
    assert!(ended.ended.is_some() && ended.refreshing.is_none());
    assert!(!ended.ended.unwrap().contains(REFRESH));

    // The other instance learns it from the store, without asking Maya again.
    let error = on_b.ensure_fresh().await.unwrap_err();
    assert_eq!(field(&error), "session", "{error}");
    assert!(on_b.is_ended());
    assert_eq!(refresh_posts(&server).await, 1);
    // And a session opened later is ended from the start.
    let later = b.shared_session(store.clone(), ID).await.unwrap();
    assert!(later.is_ended());
    later.ensure_fresh().await.unwrap_err();
    assert_eq!(refresh_posts(&server).await, 1);
}

/// A store that works until it is told to fail, then fails everything (a Redis outage).
#[derive(Debug, Default)]
struct FailingStore {
    inner: InMemorySessionStore,
    failing: AtomicBool,
}

impl FailingStore {
    fn check(&self, operation: &'static str) -> Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::store("test", operation, "connection refused"));
        }
        Ok(())
    }
}

#[async_trait]
impl SessionStore for FailingStore {
    async fn load(&self, id: &str) -> Result<Option<Versioned<StoredSession>>> {
        self.check("load session")?;
        self.inner.load(id).await
    }

    async fn compare_and_swap(
        &self,
        id: &str,
        expected: Option<u64>,
        session: &StoredSession,
    ) -> Result<SwapOutcome> {
        self.check("swap session")?;
        self.inner.compare_and_swap(id, expected, session).await
    }

    async fn remove(&self, id: &str) -> Result<()> {
        self.check("remove session")?;
        self.inner.remove(id).await
    }
}

#[tokio::test]
async fn a_failing_store_fails_the_refresh_and_nothing_is_sent() {
    let server = MockServer::start().await;
    mount_refresh(&server, REFRESH, Duration::ZERO, 0).await;
    let failing = Arc::new(FailingStore::default());
    let store: Arc<dyn SessionStore> = failing.clone();
    let client = client(&server);
    let fresh = shared(&client, &store, FUTURE).await;
    let expired = client
        .store_session(
            store.clone(),
            "expired-session",
            tokens(ACCESS_3, REFRESH_3, PAST),
        )
        .await
        .unwrap();
    failing.failing.store(true, Ordering::SeqCst);

    let error = fresh.refresh().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Store {
                backend: "test",
                ..
            }
        ),
        "{error}"
    );
    // The access token it holds is still valid and keeps serving.
    assert_eq!(fresh.tokens().access_token().expose_secret(), ACCESS);
    fresh.ensure_fresh().await.unwrap();

    let error = expired.ensure_fresh().await.unwrap_err();
    assert!(matches!(error, Error::Store { .. }), "{error}");
    assert!(!expired.is_ended());
    // Not even the client token was asked for: nothing reached Maya.
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_push_during_a_refresh_wins() {
    let server = MockServer::start().await;
    mount_client_token(&server).await;
    mount_refresh(&server, REFRESH, Duration::from_millis(300), 1).await;
    let store = memory();
    let (a, b) = (client(&server), client(&server));
    let on_a = shared(&a, &store, FUTURE).await;

    let refreshing = tokio::spawn({
        let on_a = on_a.clone();
        async move { on_a.refresh().await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        stored(&store).await.value.refreshing.is_some(),
        "a holds the lease"
    );
    // The customer reopened the Mini App: Maya pushed a newer pair.
    b.store_session(store.clone(), ID, tokens(ACCESS_3, REFRESH_3, FUTURE))
        .await
        .unwrap();
    let adopted = refreshing.await.unwrap().unwrap();

    assert_eq!(adopted.access_token().expose_secret(), ACCESS_3);
    assert_eq!(on_a.tokens().refresh_token().expose_secret(), REFRESH_3);
    let now = stored(&store).await.value;
    assert_eq!(now.access_token.expose_secret(), ACCESS_3);
    assert!(now.refreshing.is_none() && now.ended.is_none());
}

#[tokio::test]
async fn a_refreshed_pair_replaces_an_end_written_for_the_token_it_spent() {
    let server = MockServer::start().await;
    mount_client_token(&server).await;
    mount_refresh(&server, REFRESH, Duration::from_millis(300), 1).await;
    let store = memory();
    let client = client(&server);
    let session = shared(&client, &store, FUTURE).await;

    let refreshing = tokio::spawn({
        let session = session.clone();
        async move { session.refresh().await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // As if a's lease had lapsed and another instance, refused for the refresh token a had
    // already spent, recorded the end: it is not newer than a's answer.
    let leased = stored(&store).await;
    let mut ended = StoredSession::new(
        leased.value.access_token.clone(),
        leased.value.refresh_token.clone(),
        leased.value.expires_at,
    );
    ended.ended = Some("refused by Maya".to_owned());
    let written = store
        .compare_and_swap(ID, Some(leased.revision), &ended)
        .await
        .unwrap();
    assert!(matches!(written, SwapOutcome::Swapped(_)));
    let refreshed = refreshing.await.unwrap().unwrap();

    assert_eq!(refreshed.access_token().expose_secret(), ACCESS_2);
    let now = stored(&store).await.value;
    assert_eq!(now.refresh_token.expose_secret(), REFRESH_2);
    assert!(now.ended.is_none() && now.refreshing.is_none());
    assert!(!session.is_ended());
}

#[tokio::test]
async fn a_passing_failure_clears_the_lease_so_another_instance_refreshes_at_once() {
    let server = MockServer::start().await;
    mount_client_token(&server).await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .named("refresh fault")
        .mount(&server)
        .await;
    mount_refresh(&server, REFRESH, Duration::ZERO, 1).await;
    let store = memory();
    let (a, b) = (client(&server), client(&server));
    let on_a = shared(&a, &store, PAST).await;
    let on_b = b.shared_session(store.clone(), ID).await.unwrap();

    let error = on_a.ensure_fresh().await.unwrap_err();
    assert!(error.is_retryable() || error.outcome_unknown(), "{error}");
    let after = stored(&store).await.value;
    assert!(after.refreshing.is_none() && after.ended.is_none());
    assert!(!on_a.is_ended());

    // No lease to wait out: b refreshes with the stored refresh token straight away.
    let started = tokio::time::Instant::now();
    on_b.ensure_fresh().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(on_b.tokens().access_token().expose_secret(), ACCESS_2);
    assert_eq!(
        stored(&store).await.value.access_token.expose_secret(),
        ACCESS_2
    );
}

#[tokio::test]
async fn unknown_and_removed_sessions_are_refused() {
    let server = MockServer::start().await;
    mount_refresh(&server, REFRESH, Duration::ZERO, 0).await;
    let store = memory();
    let client = client(&server);
    let error = client.shared_session(store.clone(), ID).await.unwrap_err();
    assert_eq!(field(&error), "session_id");
    let error = client
        .store_session(store.clone(), "has space", tokens(ACCESS, REFRESH, FUTURE))
        .await
        .unwrap_err();
    assert_eq!(field(&error), "session_id");

    let session = shared(&client, &store, PAST).await;
    store.remove(ID).await.unwrap();
    let error = session.ensure_fresh().await.unwrap_err();
    assert_eq!(field(&error), "session", "{error}");
    assert!(session.is_ended());
}

#[tokio::test]
async fn a_push_revives_an_ended_session_on_every_instance() {
    let server = MockServer::start().await;
    let store = memory();
    let (a, b) = (client(&server), client(&server));
    let mut ended = StoredSession::new(
        SecretString::from(ACCESS),
        SecretString::from(REFRESH),
        PAST,
    );
    ended.ended = Some("refused by Maya".to_owned());
    store.compare_and_swap(ID, None, &ended).await.unwrap();
    let on_b = b.shared_session(store.clone(), ID).await.unwrap();
    assert!(on_b.is_ended());

    let on_a = a
        .store_session(store.clone(), ID, tokens(ACCESS_3, REFRESH_3, FUTURE))
        .await
        .unwrap();

    assert!(!on_a.is_ended());
    // b still holds the ended pair, and picks up the pushed one from the store.
    on_b.ensure_fresh().await.unwrap();
    assert!(!on_b.is_ended());
    assert_eq!(on_b.tokens().access_token().expose_secret(), ACCESS_3);
    let now = stored(&store).await.value;
    assert!(now.ended.is_none());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn debug_of_a_shared_session_shows_no_token_and_no_store_key() {
    let server = MockServer::start().await;
    let store = memory();
    let client = client(&server);
    let session = shared(&client, &store, FUTURE).await;
    let text = format!("{session:?} {store:?} {client:?} {:?}", session.tokens());
    for secret in [ACCESS, REFRESH, ID] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(text.contains("shared: true"), "{text}");
    let text = format!("{:?}", stored(&store).await);
    assert!(!text.contains(ACCESS) && !text.contains(REFRESH), "{text}");
}
