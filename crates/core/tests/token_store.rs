//! The token cache sharing its token through a `TokenStore`: several caches stand for several
//! instances of a fleet (the real-process version, on Redis, is in paykit-redis's tests).
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::store::{InMemoryTokenStore, RefreshLease, SharedToken, TokenKey};
use paykit_core::{
    CachedTokenSource, Error, Expiry, ProviderId, Result, SecretString, TokenCacheConfig,
    TokenFetcher, TokenGrant, TokenSource, TokenStore,
};

/// Counts fetches across every instance of the test.
#[derive(Debug)]
struct Fetcher {
    fetches: Arc<AtomicUsize>,
    latency: Duration,
}

#[async_trait]
impl TokenFetcher for Fetcher {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.latency).await;
        Ok(TokenGrant::access_only(
            SecretString::from(format!("token-{n}")),
            Expiry::After(Duration::from_secs(300)),
        ))
    }
}

/// A store whose every call fails while `down` is set.
#[derive(Debug, Default)]
struct Flaky {
    inner: InMemoryTokenStore,
    down: AtomicBool,
}

impl Flaky {
    fn check(&self) -> Result<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(Error::store("test", "any", "connection refused"))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl TokenStore for Flaky {
    async fn load(&self, key: &TokenKey) -> Result<Option<SharedToken>> {
        self.check()?;
        self.inner.load(key).await
    }
    async fn save(&self, key: &TokenKey, token: &SharedToken) -> Result<()> {
        self.check()?;
        self.inner.save(key, token).await
    }
    async fn try_lock(&self, key: &TokenKey, ttl: Duration) -> Result<Option<RefreshLease>> {
        self.check()?;
        self.inner.try_lock(key, ttl).await
    }
    async fn unlock(&self, lease: &RefreshLease) -> Result<()> {
        self.check()?;
        self.inner.unlock(lease).await
    }
}

fn key() -> TokenKey {
    TokenKey::new(ProviderId("test"), "project-1")
}

fn instance(
    store: Arc<dyn TokenStore>,
    fetches: &Arc<AtomicUsize>,
    lock_ttl: Duration,
) -> Arc<CachedTokenSource<Fetcher>> {
    let fetcher = Fetcher {
        fetches: fetches.clone(),
        latency: Duration::from_millis(30),
    };
    let config = TokenCacheConfig::default().fleet(lock_ttl, Duration::from_millis(5));
    Arc::new(CachedTokenSource::new(fetcher, config).with_store(store, key()))
}

#[tokio::test]
async fn eight_instances_with_many_callers_fetch_once() {
    let store: Arc<dyn TokenStore> = Arc::new(InMemoryTokenStore::new());
    let fetches = Arc::new(AtomicUsize::new(0));
    let instances: Vec<_> = (0..8)
        .map(|_| instance(store.clone(), &fetches, Duration::from_secs(5)))
        .collect();
    let mut calls = Vec::new();
    for source in &instances {
        for _ in 0..50 {
            let source = source.clone();
            calls.push(tokio::spawn(async move { source.token().await }));
        }
    }
    let mut values = std::collections::HashSet::new();
    for call in calls {
        values.insert(call.await.unwrap().unwrap().expose_secret().to_owned());
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert_eq!(values.len(), 1, "{values:?}");
}

#[tokio::test]
async fn a_crashed_holders_lock_delays_the_others_by_its_ttl_only() {
    let store: Arc<dyn TokenStore> = Arc::new(InMemoryTokenStore::new());
    let ttl = Duration::from_millis(300);
    // The "crashed" holder: took the lock and will never save or release it.
    let taken = store.try_lock(&key(), ttl).await.unwrap();
    assert!(taken.is_some());
    let fetches = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let a = instance(store.clone(), &fetches, ttl);
    let b = instance(store.clone(), &fetches, ttl);
    let (ta, tb) = tokio::join!(a.token(), b.token());
    let waited = started.elapsed();
    assert_eq!(ta.unwrap().expose_secret(), tb.unwrap().expose_secret());
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert!(waited >= ttl, "{waited:?}");
    assert!(waited < ttl * 3, "{waited:?}");
}

#[tokio::test]
async fn a_rejected_shared_token_is_refreshed_not_readopted() {
    let store: Arc<dyn TokenStore> = Arc::new(InMemoryTokenStore::new());
    let fetches = Arc::new(AtomicUsize::new(0));
    let a = instance(store.clone(), &fetches, Duration::from_secs(5));
    let b = instance(store.clone(), &fetches, Duration::from_secs(5));
    let first = a.token().await.unwrap();
    assert_eq!(
        b.token().await.unwrap().expose_secret(),
        first.expose_secret()
    );
    // The provider rejects it (HTTP 401) on b.
    let seen = b.token().await.unwrap();
    b.invalidate(&seen);
    let second = b.token().await.unwrap();
    assert_ne!(second.expose_secret(), first.expose_secret());
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // a keeps its fresh copy until it is rejected there too, then adopts b's new token.
    a.invalidate(&first);
    assert_eq!(
        a.token().await.unwrap().expose_secret(),
        second.expose_secret()
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_store_that_fails_costs_no_call() {
    let flaky = Arc::new(Flaky::default());
    flaky.down.store(true, Ordering::SeqCst);
    let fetches = Arc::new(AtomicUsize::new(0));
    let a = instance(flaky.clone(), &fetches, Duration::from_secs(5));
    let token = a.token().await.unwrap();
    assert_eq!(token.expose_secret(), "token-1");
    // The in-process fast path still serves without touching the store.
    assert_eq!(a.token().await.unwrap().expose_secret(), "token-1");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    flaky.down.store(false, Ordering::SeqCst);
    let b = instance(flaky.clone(), &fetches, Duration::from_secs(5));
    assert_eq!(b.token().await.unwrap().expose_secret(), "token-2");
    let c = instance(flaky, &fetches, Duration::from_secs(5));
    assert_eq!(c.token().await.unwrap().expose_secret(), "token-2");
}
