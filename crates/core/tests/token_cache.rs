//! The token cache under contention, expiry, refresh-ahead and failures (tokio time paused where
//! time matters).
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use paykit_core::{
    CachedTokenSource, Error, Expiry, ExposeSecret, ProviderId, Result, SecretString,
    TokenCacheConfig, TokenFetcher, TokenGrant, TokenSource,
};

/// A fetcher that counts calls and can be told to fail or to take time.
#[derive(Debug, Default)]
struct Counting {
    credentials: AtomicUsize,
    refreshes: AtomicUsize,
    lifetime_secs: u64,
    latency: Duration,
    fail_credentials: std::sync::atomic::AtomicBool,
    reject_refresh: bool,
    issue_refresh: bool,
}

impl Counting {
    fn lasting(lifetime_secs: u64) -> Self {
        Counting {
            lifetime_secs,
            ..Counting::default()
        }
    }

    fn grant(&self, n: usize, kind: &str) -> TokenGrant {
        TokenGrant {
            access_token: SecretString::from(format!("{kind}-{n}")),
            expires: Expiry::After(Duration::from_secs(self.lifetime_secs)),
            refresh_token: self
                .issue_refresh
                .then(|| SecretString::from(format!("refresh-{n}"))),
            refresh_expires: self
                .issue_refresh
                .then_some(Expiry::After(Duration::from_secs(3600))),
        }
    }

    fn total(&self) -> usize {
        self.credentials.load(Ordering::SeqCst) + self.refreshes.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl TokenFetcher for Counting {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        let n = self.credentials.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.latency).await;
        if self.fail_credentials.load(Ordering::SeqCst) {
            return Err(Error::Auth {
                provider: ProviderId("test"),
                message: "token endpoint down".into(),
            });
        }
        Ok(self.grant(n, "cred"))
    }

    async fn fetch_with_refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.latency).await;
        assert!(refresh_token.expose_secret().starts_with("refresh-"));
        if self.reject_refresh {
            return Err(Error::Api {
                provider: ProviderId("test"),
                http_status: Some(401),
                code: "11002".into(),
                message: "Invalid or expired 'refreshToken' parameter".into(),
                retryable: false,
            });
        }
        Ok(self.grant(n, "refreshed"))
    }
}

fn config(margin_secs: u64) -> TokenCacheConfig {
    TokenCacheConfig::default().refresh_margin(Duration::from_secs(margin_secs))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_on_an_empty_cache_cause_one_fetch() {
    let fetcher = Counting {
        latency: Duration::from_millis(20),
        ..Counting::lasting(300)
    };
    let cache = Arc::new(CachedTokenSource::new(fetcher, config(30)));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let cache = Arc::clone(&cache);
        tasks.spawn(async move { cache.token().await.map(|t| t.expose_secret().to_owned()) });
    }
    let mut values = std::collections::HashSet::new();
    while let Some(joined) = tasks.join_next().await {
        values.insert(joined.unwrap().unwrap());
    }
    assert_eq!(cache.fetcher().total(), 1);
    assert_eq!(values.len(), 1, "every caller got the same token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_on_an_expired_token_cause_one_refetch() {
    let fetcher = Counting {
        latency: Duration::from_millis(20),
        ..Counting::lasting(1)
    };
    let config = config(0).min_reuse(Duration::ZERO);
    let cache = Arc::new(CachedTokenSource::new(fetcher, config));
    cache.token().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let cache = Arc::clone(&cache);
        tasks.spawn(async move { cache.token().await.map(|t| t.generation()) });
    }
    while let Some(joined) = tasks.join_next().await {
        assert_eq!(joined.unwrap().unwrap(), 2);
    }
    assert_eq!(cache.fetcher().total(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_invalidations_of_one_token_causes_one_refresh() {
    let cache = Arc::new(CachedTokenSource::new(Counting::lasting(300), config(30)));
    let stale = cache.token().await.unwrap();
    for _ in 0..50 {
        cache.invalidate(&stale);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let cache = Arc::clone(&cache);
        let stale = stale.clone();
        tasks.spawn(async move {
            cache.invalidate(&stale);
            cache.token().await.unwrap().generation()
        });
    }
    while let Some(joined) = tasks.join_next().await {
        assert_eq!(joined.unwrap(), 2);
    }
    assert_eq!(cache.fetcher().total(), 2);
}

#[tokio::test(start_paused = true)]
async fn invalidating_an_older_generation_keeps_the_newer_token() {
    let cache = CachedTokenSource::new(Counting::lasting(300), config(30));
    let first = cache.token().await.unwrap();
    cache.invalidate(&first);
    let second = cache.token().await.unwrap();
    cache.invalidate(&first);
    let again = cache.token().await.unwrap();
    assert_eq!(second.generation(), again.generation());
    assert_eq!(cache.fetcher().total(), 2);
}

#[tokio::test(start_paused = true)]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let cache = CachedTokenSource::new(Counting::lasting(100), config(30));
    assert_eq!(cache.token().await.unwrap().expose_secret(), "cred-1");
    tokio::time::advance(Duration::from_secs(69)).await;
    assert_eq!(cache.token().await.unwrap().expose_secret(), "cred-1");
    assert_eq!(cache.fetcher().total(), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(cache.token().await.unwrap().expose_secret(), "cred-2");
    assert_eq!(cache.fetcher().total(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_is_never_served() {
    let cache = CachedTokenSource::new(Counting::lasting(100), config(0));
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(100)).await;
    assert_eq!(cache.token().await.unwrap().expose_secret(), "cred-2");
}

#[tokio::test(start_paused = true)]
async fn lifetime_counts_from_before_the_token_request() {
    // The token endpoint takes 20 s to answer a 60 s token: it is good until t=60, not t=80.
    let fetcher = Counting {
        latency: Duration::from_secs(20),
        ..Counting::lasting(60)
    };
    let cache = CachedTokenSource::new(fetcher, config(0));
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(39)).await; // t = 59
    assert_eq!(cache.token().await.unwrap().generation(), 1);
    tokio::time::advance(Duration::from_secs(2)).await; // t = 61
    assert_eq!(cache.token().await.unwrap().generation(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_serving_the_still_valid_token() {
    let cache = CachedTokenSource::new(Counting::lasting(100), config(30));
    cache.token().await.unwrap();
    cache
        .fetcher()
        .fail_credentials
        .store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(80)).await;
    let token = cache.token().await.unwrap();
    assert_eq!(token.expose_secret(), "cred-1");
    assert_eq!(cache.fetcher().total(), 2, "a refresh was attempted");
    tokio::time::advance(Duration::from_secs(21)).await;
    let err = cache.token().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
}

#[tokio::test(start_paused = true)]
async fn inside_the_margin_other_callers_do_not_wait_for_the_refresh() {
    let fetcher = Counting {
        latency: Duration::from_secs(5),
        ..Counting::lasting(100)
    };
    let cache = Arc::new(CachedTokenSource::new(fetcher, config(30)));
    cache.token().await.unwrap(); // t = 5, expires at t = 100, refresh from t = 70
    tokio::time::advance(Duration::from_secs(70)).await;
    let refresher = tokio::spawn({
        let cache = Arc::clone(&cache);
        async move { cache.token().await.unwrap().generation() }
    });
    tokio::task::yield_now().await;
    // While the refresh is in flight, another caller gets the old, still valid token at once.
    let other = cache.token().await.unwrap();
    assert_eq!(other.generation(), 1);
    assert_eq!(refresher.await.unwrap(), 2);
    assert_eq!(cache.fetcher().total(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_refresh_grant_comes_first() {
    let fetcher = Counting {
        issue_refresh: true,
        ..Counting::lasting(100)
    };
    let cache = CachedTokenSource::new(fetcher, config(0));
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(100)).await;
    assert_eq!(cache.token().await.unwrap().expose_secret(), "refreshed-1");
    assert_eq!(cache.fetcher().credentials.load(Ordering::SeqCst), 1);
    assert_eq!(cache.fetcher().refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_rejected_refresh_token_falls_back_to_credentials() {
    let fetcher = Counting {
        issue_refresh: true,
        reject_refresh: true,
        ..Counting::lasting(100)
    };
    let cache = CachedTokenSource::new(fetcher, config(0));
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(100)).await;
    assert_eq!(cache.token().await.unwrap().expose_secret(), "cred-2");
    assert_eq!(cache.fetcher().refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(cache.fetcher().credentials.load(Ordering::SeqCst), 2);
}

/// A fetcher answering with Bank of Georgia's absolute epoch-millisecond expiry.
#[derive(Debug, Default)]
struct AbsoluteExpiry {
    calls: AtomicUsize,
}

#[async_trait]
impl TokenFetcher for AbsoluteExpiry {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now_ms = i64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        Ok(TokenGrant::access_only(
            SecretString::from("bog"),
            Expiry::AtUnixMillis(now_ms + 600_000),
        ))
    }
}

#[tokio::test(start_paused = true)]
async fn absolute_expiry_is_capped_by_max_lifetime() {
    let config = TokenCacheConfig::default()
        .refresh_margin(Duration::ZERO)
        .max_lifetime(Duration::from_secs(50));
    let cache = CachedTokenSource::new(AbsoluteExpiry::default(), config);
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(49)).await;
    cache.token().await.unwrap();
    assert_eq!(
        cache.fetcher().calls.load(Ordering::SeqCst),
        1,
        "10 minutes away is read as absolute, not relative"
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    cache.token().await.unwrap();
    assert_eq!(cache.fetcher().calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_seeded_cache_serves_the_seed_then_refreshes() {
    let fetcher = Counting {
        issue_refresh: true,
        ..Counting::lasting(100)
    };
    let seed = TokenGrant {
        access_token: SecretString::from("pushed"),
        expires: Expiry::After(Duration::from_secs(10)),
        refresh_token: Some(SecretString::from("refresh-0")),
        refresh_expires: None,
    };
    let cache = CachedTokenSource::seeded(fetcher, config(0), seed, tokio::time::Instant::now());
    assert_eq!(cache.token().await.unwrap().expose_secret(), "pushed");
    tokio::time::advance(Duration::from_secs(11)).await;
    assert_eq!(cache.token().await.unwrap().expose_secret(), "refreshed-1");
    assert_eq!(cache.fetcher().credentials.load(Ordering::SeqCst), 0);
}

/// Refresh fails transiently once, then works; there is no credentials grant.
#[derive(Debug, Default)]
struct FlakyRefresh {
    refreshes: AtomicUsize,
}

#[async_trait]
impl TokenFetcher for FlakyRefresh {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        Err(Error::Auth {
            provider: ProviderId("test"),
            message: "no credentials grant".into(),
        })
    }

    async fn fetch_with_refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 1 {
            return Err(Error::Transport {
                provider: ProviderId("test"),
                kind: paykit_core::TransportKind::Timeout,
                sent: paykit_core::Sent::MaybeSent,
                mutating: false,
            });
        }
        assert_eq!(
            refresh_token.expose_secret(),
            "refresh-0",
            "the refresh token survived"
        );
        Ok(TokenGrant::access_only(
            SecretString::from("renewed"),
            Expiry::After(Duration::from_secs(60)),
        ))
    }
}

#[tokio::test(start_paused = true)]
async fn a_transient_refresh_failure_keeps_the_refresh_token() {
    let seed = TokenGrant {
        access_token: SecretString::from("pushed"),
        expires: Expiry::After(Duration::from_secs(10)),
        refresh_token: Some(SecretString::from("refresh-0")),
        refresh_expires: None,
    };
    let cache = CachedTokenSource::seeded(
        FlakyRefresh::default(),
        config(0),
        seed,
        tokio::time::Instant::now(),
    );
    tokio::time::advance(Duration::from_secs(11)).await;
    let error = cache.token().await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { .. }),
        "the refresh error is reported: {error}"
    );
    // The failure is remembered for its back-off, then the kept refresh token is used.
    assert!(cache.token().await.is_err());
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(cache.token().await.unwrap().expose_secret(), "renewed");
}

/// Claims a lifetime of u64::MAX seconds.
#[derive(Debug)]
struct Forever;

#[async_trait]
impl TokenFetcher for Forever {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        Ok(TokenGrant::access_only(
            SecretString::from("forever"),
            Expiry::After(Duration::from_secs(u64::MAX)),
        ))
    }
}

#[tokio::test]
async fn an_absurd_lifetime_does_not_overflow() {
    let cache = CachedTokenSource::new(Forever, config(30));
    assert_eq!(cache.token().await.unwrap().expose_secret(), "forever");
    assert_eq!(cache.token().await.unwrap().generation(), 1);
}

/// Issues tokens that claim no lifetime at all (maib `expiresIn: 0`, a skewed absolute expiry).
#[derive(Debug, Default)]
struct Instantly {
    fetches: AtomicUsize,
    expiry_ms: Option<i64>,
}

#[async_trait]
impl TokenFetcher for Instantly {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let expires = match self.expiry_ms {
            Some(ms) => Expiry::AtUnixMillis(ms),
            None => Expiry::After(Duration::ZERO),
        };
        Ok(TokenGrant::access_only(
            SecretString::from(format!("t{n}")),
            expires,
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_without_lifetime_keep_single_flight() {
    let cache = Arc::new(CachedTokenSource::new(Instantly::default(), config(30)));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let cache = Arc::clone(&cache);
        tasks.spawn(async move { cache.token().await.map(|t| t.generation()) });
    }
    while let Some(joined) = tasks.join_next().await {
        assert_eq!(
            joined.unwrap().unwrap(),
            1,
            "every caller shares the one fetch"
        );
    }
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_fetched_token_already_past_its_absolute_expiry_is_reused_briefly() {
    // A host clock ahead of the provider's: the token "expired" before it arrived.
    let fetcher = Instantly {
        expiry_ms: Some(1_000),
        ..Instantly::default()
    };
    let cache = CachedTokenSource::new(fetcher, config(0));
    cache.token().await.unwrap();
    tokio::time::advance(Duration::from_millis(900)).await;
    cache.token().await.unwrap();
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_millis(200)).await;
    cache.token().await.unwrap();
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_seeded_grant_past_its_expiry_is_not_floored() {
    let seed = TokenGrant::access_only(
        SecretString::from("pushed-long-ago"),
        Expiry::AtUnixMillis(1_000),
    );
    let cache = CachedTokenSource::seeded(
        Instantly::default(),
        config(0),
        seed,
        tokio::time::Instant::now(),
    );
    assert_eq!(cache.token().await.unwrap().expose_secret(), "t1");
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoint_that_is_down_sees_one_fetch_per_back_off_step() {
    let fetcher = Counting {
        latency: Duration::from_millis(50),
        ..Counting::lasting(300)
    };
    fetcher.fail_credentials.store(true, Ordering::SeqCst);
    let config = config(30).failure_backoff(Duration::from_secs(2), Duration::from_secs(8));
    let cache = Arc::new(CachedTokenSource::new(fetcher, config));
    let burst = |cache: &Arc<CachedTokenSource<Counting>>| {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..100 {
            let cache = Arc::clone(cache);
            tasks.spawn(async move { cache.token().await.is_err() });
        }
        tasks
    };
    let mut tasks = burst(&cache);
    while let Some(joined) = tasks.join_next().await {
        assert!(joined.unwrap(), "every caller gets the failure");
    }
    assert_eq!(cache.fetcher().total(), 1, "100 queued callers, one fetch");
    // Within the back-off nobody fetches; after it, one caller does.
    let mut tasks = burst(&cache);
    while tasks.join_next().await.is_some() {}
    assert_eq!(cache.fetcher().total(), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    let mut tasks = burst(&cache);
    while tasks.join_next().await.is_some() {}
    assert_eq!(cache.fetcher().total(), 2);
    // The endpoint recovers: the next fetch after the (doubled) back-off succeeds.
    cache
        .fetcher()
        .fail_credentials
        .store(false, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(4)).await;
    assert!(cache.token().await.is_ok());
    assert_eq!(cache.fetcher().total(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_still_valid_token_is_served_while_refreshing_backs_off() {
    let fetcher = Counting::lasting(60);
    let cache = CachedTokenSource::new(fetcher, config(30));
    let first = cache.token().await.unwrap();
    cache
        .fetcher()
        .fail_credentials
        .store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(31)).await;
    for _ in 0..50 {
        let token = cache.token().await.unwrap();
        assert_eq!(token.generation(), first.generation());
    }
    assert_eq!(
        cache.fetcher().total(),
        2,
        "one failed refresh, then back-off"
    );
}
