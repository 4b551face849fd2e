//! core's CachedTokenSource sharing its token through Redis: eight caches stand for eight
//! instances of a fleet (as crates/core/tests/token_store.rs does in memory).

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use paykit_core::store::TokenKey;
use paykit_core::{
    CachedTokenSource, Expiry, ProviderId, Result, SecretString, TokenCacheConfig, TokenFetcher,
    TokenGrant, TokenSource, TokenStore, async_trait,
};

/// Counts fetches across every instance.
#[derive(Debug)]
struct Fetcher {
    fetches: Arc<AtomicUsize>,
}

#[async_trait]
impl TokenFetcher for Fetcher {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        // Slow enough that the other instances arrive while the lock is held.
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(TokenGrant::access_only(
            SecretString::from(format!("token-{n}")),
            Expiry::After(Duration::from_secs(300)),
        ))
    }
}

#[tokio::test]
async fn eight_instances_with_fifty_callers_each_fetch_once() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let key = TokenKey::new(ProviderId("maib"), "project-1");
    let mut instances = Vec::new();
    for _ in 0..8 {
        // Each instance with a connection of its own, as separate processes would have.
        let store: Arc<dyn TokenStore> = common::stores("fleet").await.tokens();
        let fetcher = Fetcher {
            fetches: fetches.clone(),
        };
        let config =
            TokenCacheConfig::default().fleet(Duration::from_secs(5), Duration::from_millis(10));
        instances.push(Arc::new(
            CachedTokenSource::new(fetcher, config).with_store(store, key.clone()),
        ));
    }
    let mut calls = Vec::new();
    for source in &instances {
        for _ in 0..50 {
            let source = source.clone();
            calls.push(tokio::spawn(async move { source.token().await }));
        }
    }
    let mut values = HashSet::new();
    for call in calls {
        values.insert(call.await.unwrap().unwrap().expose_secret().to_owned());
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert_eq!(values, HashSet::from(["token-1".to_owned()]));
}
