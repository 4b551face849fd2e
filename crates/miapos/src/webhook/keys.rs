//! The callback-verification key: fetched with a Bearer token, cached per base URL, and kept
//! bounded in what it costs when the key endpoint is down or callbacks are forged.
//!
//! - While the key is within its TTL it is used as is; once expired, one caller fetches it
//!   again (single flight) and the others wait for that fetch.
//! - A failed fetch is remembered with a back-off (doubling per consecutive failure, jittered,
//!   bounded): until it passes nobody fetches, so a flood of callbacks while the endpoint is
//!   down costs one fetch per back-off step, not one per callback.
//! - When a fetch fails, an expired key is still used: keys rotate about yearly, and miaPOS
//!   sends each callback once, so refusing a genuine callback because the endpoint is briefly
//!   down would lose it.
//! - A signature mismatch refetches the key once (a rotation), unless a mismatch refetch was
//!   *attempted* within the cool-down (successful or not), the failure back-off is running,
//!   or the key in hand was fetched after the callback arrived (it is already the newest).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use paykit_core::http::{ApiRequest, Credential, Effect, HttpExecutor, RawResponse};
use paykit_core::webhook::RsaPublicKey;
use paykit_core::{Error, PaymentRef, Result};
use tokio::time::Instant;

use crate::error::api_error;
use crate::types::PublicKey;
use crate::wire;

/// Path of the key endpoint. (The spec's `/api/v1/public-key` answers 500.)
pub(crate) const PUBLIC_KEY_PATH: &str = "ecomm/api/v1/public-key";

/// Default time to live of a cached key (the key rotates about yearly).
pub const DEFAULT_KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Default minimum time between two key fetches caused by failed verifications (counted
/// from the last attempt, successful or not).
pub const DEFAULT_KEY_REFETCH_COOLDOWN: Duration = Duration::from_secs(60);

/// Default wait after a failed key fetch before the next one (doubled per consecutive
/// failure, with jitter, up to [`DEFAULT_KEY_FETCH_MAX_BACKOFF`]).
pub const DEFAULT_KEY_FETCH_BACKOFF: Duration = Duration::from_secs(1);

/// Default upper bound of the key fetch back-off.
pub const DEFAULT_KEY_FETCH_MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Callback verification keys, cached per base URL (each environment and bank has its own).
///
/// One cache is created per client by default; share one between clients of the same
/// environment with [`crate::MiaPosBuilder::public_key_cache`].
#[derive(Default)]
pub struct PublicKeyCache {
    slots: Mutex<HashMap<String, Arc<KeySlot>>>,
}

impl PublicKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        PublicKeyCache::default()
    }

    /// Stores `key` for `base_url` as if just fetched (it expires with the client's TTL).
    pub fn insert(&self, base_url: &str, key: RsaPublicKey) {
        self.slot(base_url).store(key, Instant::now());
    }

    /// Forgets every cached key and remembered failure, also for clients already built on
    /// this cache (they hold their slot, so emptying the map alone would not reach them).
    pub fn clear(&self) {
        for slot in lock(&self.slots).values() {
            *lock(&slot.state) = SlotState::default();
        }
    }

    pub(crate) fn slot(&self, base_url: &str) -> Arc<KeySlot> {
        let normalized = base_url.trim_end_matches('/').to_owned();
        Arc::clone(lock(&self.slots).entry(normalized).or_default())
    }
}

impl fmt::Debug for PublicKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = lock(&self.slots);
        let mut map = f.debug_map();
        for (base_url, slot) in slots.iter() {
            map.entry(base_url, &lock(&slot.state).key);
        }
        map.finish()
    }
}

/// Every update under these locks is a single assignment, so a poisoned lock is safe to reuse.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One base URL's key.
#[derive(Default)]
pub(crate) struct KeySlot {
    state: Mutex<SlotState>,
    fetch_lock: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct SlotState {
    key: Option<RsaPublicKey>,
    fetched_at: Option<Instant>,
    generation: u64,
    /// When a mismatch last caused a fetch attempt, whatever its result: the cool-down runs
    /// from here, so a failing endpoint does not get one fetch per forged callback.
    last_refetch: Option<Instant>,
    failure: Option<FetchFailure>,
}

/// The last failed fetch, so callers arriving during its back-off do not fetch again.
struct FetchFailure {
    error: Error,
    failed_at: Instant,
    retry_at: Instant,
    streak: u32,
}

/// The key a verification uses, with the facts that decide whether a mismatch may refetch.
pub(crate) struct KeyInHand {
    key: RsaPublicKey,
    generation: u64,
    fetched_at: Option<Instant>,
}

impl KeyInHand {
    /// The key itself.
    pub(crate) fn key(&self) -> &RsaPublicKey {
        &self.key
    }
}

impl KeySlot {
    fn store(&self, key: RsaPublicKey, at: Instant) -> KeyInHand {
        let mut state = lock(&self.state);
        state.generation = state.generation.wrapping_add(1);
        state.key = Some(key.clone());
        state.fetched_at = Some(at);
        state.failure = None;
        KeyInHand {
            key,
            generation: state.generation,
            fetched_at: Some(at),
        }
    }

    /// The cached key, expired or not.
    fn any(&self) -> Option<KeyInHand> {
        let state = lock(&self.state);
        state.key.clone().map(|key| KeyInHand {
            key,
            generation: state.generation,
            fetched_at: state.fetched_at,
        })
    }

    #[cfg(test)]
    pub(crate) fn fresh(&self, ttl: Duration) -> Option<RsaPublicKey> {
        self.fresh_in_hand(ttl, Instant::now()).map(|k| k.key)
    }

    fn fresh_in_hand(&self, ttl: Duration, now: Instant) -> Option<KeyInHand> {
        let state = lock(&self.state);
        let fetched_at = state.fetched_at?;
        if now.saturating_duration_since(fetched_at) >= ttl {
            return None;
        }
        state.key.clone().map(|key| KeyInHand {
            key,
            generation: state.generation,
            fetched_at: Some(fetched_at),
        })
    }

    /// The remembered failure, if it happened while the caller waited (`since`) or its
    /// back-off has not passed.
    fn backing_off(&self, since: Instant, now: Instant) -> Option<Error> {
        let state = lock(&self.state);
        state
            .failure
            .as_ref()
            .filter(|f| f.failed_at >= since || now < f.retry_at)
            .map(|f| f.error.clone())
    }

    fn remember_failure(&self, error: &Error, now: Instant, backoff: &Backoff) {
        let mut state = lock(&self.state);
        let streak = state
            .failure
            .as_ref()
            .map_or(1, |f| f.streak.saturating_add(1));
        let wait = backoff.wait(streak);
        state.failure = Some(FetchFailure {
            error: error.clone(),
            failed_at: now,
            retry_at: now.checked_add(wait).unwrap_or(now),
            streak,
        });
    }
}

/// The back-off after failed key fetches: core's, shared with the token cache.
pub(crate) type Backoff = paykit_core::http::FailureBackoff;

/// Fetches keys from the API for one base URL and caches them.
pub(crate) struct RemoteKeys {
    pub(crate) executor: HttpExecutor,
    pub(crate) credential: Credential,
    pub(crate) slot: Arc<KeySlot>,
    pub(crate) ttl: Duration,
    pub(crate) refetch_cooldown: Duration,
    pub(crate) backoff: Backoff,
}

impl RemoteKeys {
    /// One fetch, remembered as a failure (with back-off) when it fails.
    async fn fetch(&self) -> Result<KeyInHand> {
        let started = Instant::now();
        match fetch_public_key(&self.executor, &self.credential).await {
            Ok(fetched) => Ok(self.slot.store(fetched.key, started)),
            Err(error) => {
                self.slot
                    .remember_failure(&error, Instant::now(), &self.backoff);
                Err(error)
            }
        }
    }

    /// An expired key when one is cached (used rather than losing a genuine callback), else
    /// `error`.
    fn stale_or(&self, error: Error) -> Result<KeyInHand> {
        match self.slot.any() {
            Some(stale) => {
                tracing::warn!(
                    %error,
                    "miaPOS public key could not be fetched; verifying with the expired key"
                );
                Ok(stale)
            }
            None => Err(error),
        }
    }

    /// The cached key while fresh; else one fetch shared by every concurrent caller, unless
    /// a failure's back-off is running; an expired key when no new one can be had. The
    /// verify, and the refetch on a mismatch ([`RemoteKeys::after_mismatch`]), are the
    /// caller's, which holds the callback's reading between them.
    pub(crate) async fn current(&self) -> Result<KeyInHand> {
        let arrived = Instant::now();
        if let Some(fresh) = self.slot.fresh_in_hand(self.ttl, arrived) {
            return Ok(fresh);
        }
        if let Some(error) = self.slot.backing_off(arrived, arrived) {
            return self.stale_or(error);
        }
        let _guard = self.slot.fetch_lock.lock().await;
        let now = Instant::now();
        if let Some(fresh) = self.slot.fresh_in_hand(self.ttl, now) {
            return Ok(fresh);
        }
        // A fetch that failed while this caller queued counts for it too.
        if let Some(error) = self.slot.backing_off(arrived, now) {
            return self.stale_or(error);
        }
        match self.fetch().await {
            Ok(fetched) => Ok(fetched),
            Err(error) => self.stale_or(error),
        }
    }

    /// After key `used` failed to verify a callback that arrived at `arrived`: the newer key
    /// another caller already fetched, or the result of one new fetch; `None` when no fetch
    /// is allowed (see the module docs) or the fetch failed.
    pub(crate) async fn after_mismatch(
        &self,
        used: &KeyInHand,
        arrived: Instant,
    ) -> Option<RsaPublicKey> {
        if used.fetched_at.is_some_and(|at| at >= arrived) {
            // Fetched for this very callback: no newer key exists.
            return None;
        }
        let _guard = self.slot.fetch_lock.lock().await;
        let now = Instant::now();
        {
            let state = lock(&self.slot.state);
            if state.generation != used.generation {
                return state.key.clone();
            }
            let cooling = state
                .last_refetch
                .is_some_and(|at| now.saturating_duration_since(at) < self.refetch_cooldown);
            if cooling {
                return None;
            }
        }
        if self.slot.backing_off(arrived, now).is_some() {
            return None;
        }
        lock(&self.slot.state).last_refetch = Some(now);
        tracing::debug!("callback signature mismatch: fetching the miaPOS public key again");
        match self.fetch().await {
            Ok(fetched) => Some(fetched.key),
            Err(error) => {
                // The key in hand says no and no other can be had: the mismatch stands.
                tracing::warn!(%error, "miaPOS public key refetch after a mismatch failed");
                None
            }
        }
    }

    /// The cached key if it is fresh at `now`, without waiting on anything: what
    /// [`RemoteKeys::current`] answers first.
    pub(crate) fn fresh(&self, now: Instant) -> Option<KeyInHand> {
        self.slot.fresh_in_hand(self.ttl, now)
    }
}

impl fmt::Debug for RemoteKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteKeys")
            .field("key_from", &self.executor.base_url().as_str())
            .field("ttl", &self.ttl)
            .field("refetch_cooldown", &self.refetch_cooldown)
            .finish_non_exhaustive()
    }
}

/// `GET /ecomm/api/v1/public-key` with a Bearer token.
pub(crate) async fn fetch_public_key(
    executor: &HttpExecutor,
    credential: &Credential,
) -> Result<PublicKey> {
    let request = ApiRequest::get("public-key", PUBLIC_KEY_PATH)
        .effect(Effect::Read)
        .auth(credential.clone());
    let answer: wire::PublicKeyResponse = executor
        .call(&request, &PaymentRef::new(), public_key_response)
        .await?;
    public_key_of(answer)
}

/// The `public-key` answer, or the error it carries.
pub(crate) fn public_key_response(response: &RawResponse) -> Result<wire::PublicKeyResponse> {
    if !response.is_success() {
        return Err(api_error(response));
    }
    response.json()
}

/// The key a `public-key` answer names.
pub(crate) fn public_key_of(answer: wire::PublicKeyResponse) -> Result<PublicKey> {
    let key = RsaPublicKey::from_spki_base64(&answer.public_key)?;
    Ok(PublicKey {
        spki_base64: answer.public_key,
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_jitters_and_stays_bounded() {
        let backoff = Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(60),
        };
        for _ in 0..100 {
            let first = backoff.wait(1);
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
            let third = backoff.wait(3);
            assert!(third >= Duration::from_secs(2) && third <= Duration::from_secs(4));
            for streak in [7, 40, u32::MAX] {
                let late = backoff.wait(streak);
                assert!(late >= Duration::from_secs(30) && late <= Duration::from_secs(60));
            }
        }
        let draws: std::collections::HashSet<Duration> = (0..50).map(|_| backoff.wait(1)).collect();
        assert!(draws.len() > 1, "no jitter: {draws:?}");
        let absurd = Backoff {
            base: Duration::MAX,
            max: Duration::MAX,
        };
        // Core caps every back-off at a day: a day without trying is a day of callbacks refused.
        assert!(absurd.wait(u32::MAX) <= Duration::from_secs(24 * 60 * 60));
    }
}
