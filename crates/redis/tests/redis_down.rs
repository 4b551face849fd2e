//! Redis going down: every store call fails fast as `Error::Store { backend: "redis" }`, the
//! token cache still gets its token from its fetcher, and the stores work again once Redis is
//! back.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use paykit_core::store::{StoredSession, TokenKey};
use paykit_core::{
    CachedTokenSource, ClaimStore, Error, Expiry, PaymentRecord, PaymentRecords, ProviderId,
    Result, SecretString, SessionStore, TokenCacheConfig, TokenFetcher, TokenGrant, TokenSource,
    TokenStore, async_trait,
};
use paykit_redis::{RedisConfig, RedisStores};
use paykit_testkit::servers::RedisServer;

/// The stores' timeout in this test.
const TIMEOUT: Duration = Duration::from_secs(1);

/// What a call may take: the timeout, with room for a loaded machine, and less than the
/// default timeout (2 s), so a configured timeout that were ignored would show.
const FAST: Duration = Duration::from_millis(1_900);

#[derive(Debug)]
struct Fetcher(Arc<AtomicUsize>);

#[async_trait]
impl TokenFetcher for Fetcher {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(TokenGrant::access_only(
            SecretString::from("fetched-token"),
            Expiry::After(Duration::from_secs(300)),
        ))
    }
}

fn session() -> StoredSession {
    StoredSession::new(SecretString::from("a"), SecretString::from("r"), 1)
}

/// Runs `call`, asserting it failed as a Redis store error within [`FAST`].
async fn fails_fast<T: std::fmt::Debug>(what: &str, call: impl Future<Output = Result<T>>) {
    let started = Instant::now();
    let outcome = call.await;
    let took = started.elapsed();
    match outcome {
        Err(Error::Store { backend, .. }) => assert_eq!(backend, "redis", "{what}"),
        other => panic!("{what}: {other:?}"),
    }
    assert!(took < FAST, "{what} took {took:?}");
}

#[tokio::test]
async fn a_stopped_server_fails_calls_fast_and_a_restarted_one_serves_again() {
    let mut server = RedisServer::start().unwrap();
    let config = RedisConfig::default().key_prefix("down:").timeout(TIMEOUT);
    let stores = RedisStores::connect(&server.url(), config.clone())
        .await
        .unwrap();
    let key = TokenKey::new(ProviderId("maib"), "p");
    let record = PaymentRecord::new(ProviderId("maib"), "pay-1");
    stores.records().put(&record).await.unwrap();
    server.stop();

    let (tokens, claims, records, sessions) = (
        stores.tokens(),
        stores.claims(),
        stores.records(),
        stores.sessions(),
    );
    tokio::join!(
        fails_fast("load token", tokens.load(&key)),
        fails_fast("lock token", tokens.try_lock(&key, Duration::from_secs(5))),
        fails_fast("claim", claims.claim("cb", Duration::from_secs(5))),
        fails_fast("put record", records.put(&record)),
        fails_fast("get record", records.get(ProviderId("maib"), "pay-1")),
        fails_fast("unsettled", records.unsettled(SystemTime::now(), 10)),
        fails_fast("load session", sessions.load("s")),
    );

    // Later calls meet the reconnection under way: the deadline bounds their wait too.
    let pair = session();
    tokio::join!(
        fails_fast("load token again", tokens.load(&key)),
        fails_fast("put record again", records.put(&record)),
        fails_fast(
            "swap session again",
            sessions.compare_and_swap("s", None, &pair)
        ),
    );

    // The token cache falls back to its own fetch, once.
    let fetches = Arc::new(AtomicUsize::new(0));
    let store: Arc<dyn TokenStore> = stores.tokens();
    let source = CachedTokenSource::new(Fetcher(fetches.clone()), TokenCacheConfig::default())
        .with_store(store, key.clone());
    let started = Instant::now();
    assert_eq!(
        source.token().await.unwrap().expose_secret(),
        "fetched-token"
    );
    assert_eq!(
        source.token().await.unwrap().expose_secret(),
        "fetched-token"
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());

    // Connecting to a server that is down fails within the timeout too.
    let started = Instant::now();
    let refused = RedisStores::connect(&server.url(), config).await;
    assert!(matches!(
        refused,
        Err(Error::Store {
            backend: "redis",
            ..
        })
    ));
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());

    // Back up (empty: persistence is off): the same stores reconnect on their own.
    server.restart().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match records.put(&record).await {
            Ok(()) => break,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("no reconnection within 10 s: {error}"),
        }
    }
    assert!(
        records
            .get(ProviderId("maib"), "pay-1")
            .await
            .unwrap()
            .is_some()
    );
}
