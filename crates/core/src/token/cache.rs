//! The shared token cache: a fast read path, single-flight refresh, refresh ahead of expiry,
//! refresh grant first with the credentials grant as fallback.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::time::Instant;

use super::shared::Fleet;
use super::{AccessToken, Expiry, TokenFetcher, TokenGrant, TokenSource};
use crate::error::{Error, Result};
use crate::http::FailureBackoff;
use crate::store::{TokenKey, TokenStore};

/// Tuning of a [`CachedTokenSource`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenCacheConfig {
    /// Refresh this long before expiry. Capped at half the token's lifetime, so a short-lived
    /// token is not refreshed on every call.
    pub refresh_margin: Duration,
    /// Never trust a token longer than this, whatever the provider says (Bank of Georgia's tokens
    /// die long before their stated expiry).
    pub max_lifetime: Option<Duration>,
    /// Lifetime assumed for [`Expiry::Unknown`].
    pub default_lifetime: Duration,
    /// A freshly fetched token is reused for at least this long, whatever lifetime it claims: a
    /// token that arrives already inside its refresh margin (lifetime 0, a host clock ahead of
    /// the provider's) must not make every caller fetch its own. A token that really has
    /// expired is caught by the 401 path. Seeded grants (received earlier, elsewhere) get no
    /// floor: their stated expiry is believed.
    pub min_reuse: Duration,
    /// After a failed fetch, no new fetch for this long (doubling per consecutive failure, with
    /// jitter); callers meanwhile get the failure, or a still-valid token.
    pub failure_backoff: Duration,
    /// Upper bound of the doubling [`TokenCacheConfig::failure_backoff`].
    pub max_failure_backoff: Duration,
    /// With a [`TokenStore`]: how long the fleet-wide refresh lock is held at most. Longer than
    /// a token request takes; a holder that crashed delays the others this long.
    pub fleet_lock_ttl: Duration,
    /// With a [`TokenStore`]: how often an instance waiting for another's refresh re-reads
    /// the store.
    pub fleet_poll: Duration,
}

impl Default for TokenCacheConfig {
    fn default() -> Self {
        TokenCacheConfig {
            refresh_margin: Duration::from_secs(30),
            max_lifetime: None,
            default_lifetime: Duration::from_secs(300),
            min_reuse: Duration::from_secs(1),
            failure_backoff: Duration::from_millis(500),
            max_failure_backoff: Duration::from_secs(30),
            fleet_lock_ttl: Duration::from_secs(15),
            fleet_poll: Duration::from_millis(20),
        }
    }
}

impl TokenCacheConfig {
    /// Sets [`TokenCacheConfig::refresh_margin`].
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Sets [`TokenCacheConfig::max_lifetime`].
    pub fn max_lifetime(mut self, cap: Duration) -> Self {
        self.max_lifetime = Some(cap);
        self
    }

    /// Sets [`TokenCacheConfig::default_lifetime`].
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Sets [`TokenCacheConfig::min_reuse`].
    pub fn min_reuse(mut self, window: Duration) -> Self {
        self.min_reuse = window;
        self
    }

    /// Sets [`TokenCacheConfig::fleet_lock_ttl`] and [`TokenCacheConfig::fleet_poll`].
    pub fn fleet(mut self, lock_ttl: Duration, poll: Duration) -> Self {
        self.fleet_lock_ttl = lock_ttl;
        self.fleet_poll = poll.max(Duration::from_millis(1));
        self
    }

    /// Sets [`TokenCacheConfig::failure_backoff`] and its upper bound.
    pub fn failure_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.failure_backoff = base;
        self.max_failure_backoff = max.max(base);
        self
    }
}

/// Longest lifetime believed, whatever the provider says.
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

pub(super) struct Cached {
    pub(super) token: AccessToken,
    pub(super) fetched_at: Instant,
    pub(super) refresh_at: Instant,
    pub(super) expires_at: Instant,
    /// The id it has in the fleet's [`TokenStore`], when it is shared.
    pub(super) shared_id: Option<String>,
}

/// The last failed fetch, remembered so queued and later callers do not repeat it at once.
struct FetchFailure {
    error: Error,
    failed_at: Instant,
    retry_at: Instant,
    streak: u32,
}

pub(super) struct RefreshCredential {
    pub(super) token: SecretString,
    pub(super) expires_at: Option<Instant>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) access: Option<Cached>,
    pub(super) refresh: Option<RefreshCredential>,
    failure: Option<FetchFailure>,
    /// The shared id of the last token a provider rejected (HTTP 401): not adopted again from
    /// the store.
    pub(super) rejected_shared: Option<String>,
}

/// A [`TokenSource`] that caches what a [`TokenFetcher`] returns.
///
/// - Callers share one token; while it is fresh, `token()` is a short uncontended lock.
/// - Inside the refresh margin, one caller refreshes while the others keep the still-valid
///   token; once it has expired, everyone waits for that one refresh (single flight).
/// - The refresh grant is tried first; if it fails, the credentials grant.
/// - If refreshing fails while the old token is still valid, the old token is served.
/// - A failed fetch is remembered: until its back-off (doubling, jittered) has passed, callers
///   get that failure (or a still-valid token) instead of a fetch each, so an endpoint that is
///   down sees one request per back-off step however many callers queue.
/// - Callers that queued behind a fetch use its token, even one that claims no lifetime.
/// - Lifetimes run from an instant taken *before* the token request, on tokio's clock, so a slow
///   token endpoint cannot make a token look fresher than it is, and tests can pause time.
///
/// With a [`TokenStore`] ([`CachedTokenSource::with_store`]) the cache shares its token with a
/// fleet: when its own copy is due for refresh it reads the store; only the instance holding
/// the store's refresh lock fetches, the others re-read the store. A holder that crashed costs
/// the others its lock's time-to-live and one fetch.
pub struct CachedTokenSource<F> {
    pub(super) fetcher: F,
    pub(super) config: TokenCacheConfig,
    state: Mutex<State>,
    refresh_lock: tokio::sync::Mutex<()>,
    pub(super) generation: AtomicU64,
    pub(super) fleet: Option<Fleet>,
}

impl<F: TokenFetcher> CachedTokenSource<F> {
    /// An empty cache over `fetcher`; the first `token()` fetches.
    pub fn new(fetcher: F, config: TokenCacheConfig) -> Self {
        CachedTokenSource {
            fetcher,
            config,
            state: Mutex::new(State::default()),
            refresh_lock: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            fleet: None,
        }
    }

    /// Shares the token of account `key` with every instance using `store`.
    pub fn with_store(mut self, store: Arc<dyn TokenStore>, key: TokenKey) -> Self {
        self.fleet = Some(Fleet { store, key });
        self
    }

    /// A cache that starts with a grant obtained elsewhere (Maya pushes the customer's token pair
    /// to the merchant), received at `received_at`.
    pub fn seeded(
        fetcher: F,
        config: TokenCacheConfig,
        grant: TokenGrant,
        received_at: Instant,
    ) -> Self {
        let source = CachedTokenSource::new(fetcher, config);
        let token = source.store(grant, received_at, false);
        drop(token);
        source
    }

    /// The fetcher this cache drives.
    pub fn fetcher(&self) -> &F {
        &self.fetcher
    }

    pub(super) fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave `State` half-written (every update is a
        // single assignment), so a poisoned lock is safe to reuse.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached token when it is fresh (before its refresh point).
    fn fresh(&self, now: Instant) -> Option<AccessToken> {
        let state = self.lock_state();
        state
            .access
            .as_ref()
            .filter(|c| now < c.refresh_at)
            .map(|c| c.token.clone())
    }

    /// A token fetched at or after `since` (while the caller waited for the refresh lock) and
    /// not yet expired: single flight holds even for a token that arrived inside its margin.
    fn fetched_since(&self, since: Instant, now: Instant) -> Option<AccessToken> {
        let state = self.lock_state();
        state
            .access
            .as_ref()
            .filter(|c| c.fetched_at >= since && now < c.expires_at)
            .map(|c| c.token.clone())
    }

    /// The remembered failure, when it happened while the caller waited or its back-off has
    /// not passed yet.
    fn backing_off(&self, waited_from: Instant, now: Instant) -> Option<Error> {
        let state = self.lock_state();
        state
            .failure
            .as_ref()
            .filter(|f| f.failed_at >= waited_from || now < f.retry_at)
            .map(|f| f.error.clone())
    }

    fn remember_failure(&self, error: &Error, now: Instant) {
        let mut state = self.lock_state();
        let streak = state
            .failure
            .as_ref()
            .map_or(1, |f| f.streak.saturating_add(1));
        let wait =
            FailureBackoff::new(self.config.failure_backoff, self.config.max_failure_backoff)
                .wait(streak);
        state.failure = Some(FetchFailure {
            error: error.clone(),
            failed_at: now,
            retry_at: now.checked_add(wait).unwrap_or(now),
            streak,
        });
    }

    /// The cached token when it has not expired, fresh or not.
    pub(super) fn valid(&self, now: Instant) -> Option<AccessToken> {
        let state = self.lock_state();
        state
            .access
            .as_ref()
            .filter(|c| now < c.expires_at)
            .map(|c| c.token.clone())
    }

    /// When a token obtained at `started` expires. `max_lifetime` caps access tokens only: it is
    /// about access tokens dying early, not refresh tokens.
    fn deadline(&self, expiry: Expiry, started: Instant, capped: bool) -> (Instant, Duration) {
        let lifetime = match expiry {
            Expiry::After(d) => d,
            Expiry::AtUnixMillis(ms) => {
                let now_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
                Duration::from_millis(u64::try_from(ms.saturating_sub(now_ms)).unwrap_or(0))
            }
            Expiry::Unknown => self.config.default_lifetime,
        };
        let lifetime = match self.config.max_lifetime {
            Some(cap) if capped => lifetime.min(cap),
            _ => lifetime,
        };
        // A provider may claim an absurd lifetime (u64::MAX seconds); clamp instead of overflowing.
        let lifetime = lifetime.min(MAX_LIFETIME);
        (started.checked_add(lifetime).unwrap_or(started), lifetime)
    }

    /// Caches `grant`, obtained at `started`; `fresh` grants were fetched just now and get the
    /// [`TokenCacheConfig::min_reuse`] floor.
    pub(super) fn store(&self, grant: TokenGrant, started: Instant, fresh: bool) -> AccessToken {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let token = AccessToken::new(grant.access_token, generation);
        let (_, lifetime) = self.deadline(grant.expires, started, true);
        let lifetime = if fresh {
            // The floor never outlives an explicit cap: a provider known to kill tokens early
            // (iPay) keeps its cap.
            let floored = lifetime.max(self.config.min_reuse);
            self.config
                .max_lifetime
                .map_or(floored, |cap| floored.min(cap))
        } else {
            lifetime
        };
        let expires_at = started.checked_add(lifetime).unwrap_or(started);
        let margin = self.config.refresh_margin.min(lifetime / 2);
        let cached = Cached {
            token: token.clone(),
            fetched_at: started,
            refresh_at: expires_at - margin,
            expires_at,
            shared_id: None,
        };
        let mut state = self.lock_state();
        state.access = Some(cached);
        state.failure = None;
        if let Some(refresh) = grant.refresh_token {
            let expires_at = grant
                .refresh_expires
                .map(|e| self.deadline(e, started, false).0);
            state.refresh = Some(RefreshCredential {
                token: refresh,
                expires_at,
            });
        }
        token
    }

    /// A refresh token that has not expired yet, if any.
    fn usable_refresh_token(&self, now: Instant) -> Option<SecretString> {
        let state = self.lock_state();
        state
            .refresh
            .as_ref()
            .filter(|r| r.expires_at.is_none_or(|at| now < at))
            .map(|r| r.token.clone())
    }

    fn forget_refresh_token(&self) {
        self.lock_state().refresh = None;
    }

    /// A new token: from the fleet's store when there is one, else fetched here.
    async fn fetch(&self) -> Result<AccessToken> {
        match &self.fleet {
            Some(fleet) => self.fetch_shared(fleet).await,
            None => self.fetch_here().await,
        }
    }

    /// Fetches a new token: refresh grant first, credentials as fallback.
    pub(super) async fn fetch_here(&self) -> Result<AccessToken> {
        let started = Instant::now();
        let grant = match self.usable_refresh_token(started) {
            Some(refresh) => match self.fetcher.fetch_with_refresh(&refresh).await {
                Ok(grant) => grant,
                Err(error) => {
                    tracing::debug!(%error, "refresh grant failed; using the credentials grant");
                    // A definitive refusal spends the refresh token; a transient failure (timeout,
                    // 5xx) does not, and the token stays for the next attempt.
                    if !error.is_retryable() {
                        self.forget_refresh_token();
                    }
                    match self.fetcher.fetch_with_credentials().await {
                        Ok(grant) => grant,
                        // Without a credentials grant (a customer session), the refresh error is
                        // the one that explains what happened.
                        Err(fallback) if error.is_retryable() => {
                            tracing::debug!(%fallback, "credentials grant failed too");
                            return Err(error);
                        }
                        Err(fallback) => return Err(fallback),
                    }
                }
            },
            None => self.fetcher.fetch_with_credentials().await?,
        };
        Ok(self.store(grant, started, true))
    }

    /// Refreshes while holding the refresh lock; on failure serves `fallback` if still valid.
    async fn refresh_or_keep(&self) -> Result<AccessToken> {
        let error = match self.fetch().await {
            Ok(token) => return Ok(token),
            Err(error) => error,
        };
        let now = Instant::now();
        self.remember_failure(&error, now);
        match self.valid(now) {
            Some(still_valid) => {
                tracing::warn!(%error, "token refresh failed; the current token is still valid");
                Ok(still_valid)
            }
            None => Err(error),
        }
    }
}

#[async_trait]
impl<F: TokenFetcher> TokenSource for CachedTokenSource<F> {
    async fn token(&self) -> Result<AccessToken> {
        let now = Instant::now();
        if let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        if let Some(still_valid) = self.valid(now) {
            // Refresh ahead: one caller refreshes, the rest keep using the valid token; nobody
            // refreshes while a failed refresh is backing off.
            if self.backing_off(now, now).is_some() {
                return Ok(still_valid);
            }
            return match self.refresh_lock.try_lock() {
                Ok(_guard) => match self.fresh(Instant::now()) {
                    Some(token) => Ok(token),
                    None => self.refresh_or_keep().await,
                },
                Err(_) => Ok(still_valid),
            };
        }
        let waited_from = Instant::now();
        let _guard = self.refresh_lock.lock().await;
        let now = Instant::now();
        // Whoever held the lock before us may have fetched already, or failed to.
        if let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        if let Some(token) = self.fetched_since(waited_from, now) {
            return Ok(token);
        }
        if let Some(error) = self.backing_off(waited_from, now) {
            return Err(error);
        }
        self.refresh_or_keep().await
    }

    fn invalidate(&self, stale: &AccessToken) {
        let mut state = self.lock_state();
        if let Some(cached) = state
            .access
            .as_ref()
            .filter(|c| c.token.generation() == stale.generation())
        {
            state.rejected_shared = cached.shared_id.clone();
            state.access = None;
        }
    }
}

impl<F: fmt::Debug> fmt::Debug for CachedTokenSource<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let generation = self.generation.load(Ordering::Relaxed);
        f.debug_struct("CachedTokenSource")
            .field("fetcher", &self.fetcher)
            .field("config", &self.config)
            .field("generation", &generation)
            .finish_non_exhaustive()
    }
}
