//! Claims: "this callback (or this operation) is being handled, or was", taken atomically, so two
//! deliveries of one callback to two processes cause one side effect.
//!
//! A claim is taken for a time-to-live. The handler that took it marks it done when it has
//! finished (kept for a while, so late retries are recognised), or releases it when it failed,
//! so the provider's retry is handled. A claimant that crashed leaves a claim that lapses after
//! its time-to-live, and the next delivery is handled.
//!
//! ```
//! use std::time::Duration;
//! use paykit_core::store::{ClaimConfig, Handled, InMemoryClaimStore, handle_once};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> paykit_core::Result<()> {
//! let claims = InMemoryClaimStore::new();
//! let config = ClaimConfig::default();
//! let first = handle_once(&claims, "callback:maib:pay-1:OK", &config, || async {
//!     // ship the order
//!     Ok::<_, paykit_core::Error>("shipped")
//! })
//! .await?;
//! assert_eq!(first, Handled::Ran("shipped"));
//! let again = handle_once(&claims, "callback:maib:pay-1:OK", &config, || async {
//!     Ok::<_, paykit_core::Error>("shipped twice")
//! })
//! .await?;
//! assert_eq!(again, Handled::AlreadyDone);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use super::tokens::unix_millis;
use crate::error::{Error, Result};

/// A claim this process holds: only it can complete or release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    key: String,
    owner: String,
}

impl Claim {
    /// A claim of `key` by `owner`: a value that tells this claim from every other claim of
    /// its store (random in a shared engine, a counter in [`InMemoryClaimStore`]).
    pub fn new(key: impl Into<String>, owner: impl Into<String>) -> Self {
        Claim {
            key: key.into(),
            owner: owner.into(),
        }
    }

    /// What was claimed.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The claimant's value.
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

/// What an attempt to claim a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The key was free: this caller handles it.
    Claimed(Claim),
    /// Someone else is handling it now.
    InProgress,
    /// It was handled already.
    AlreadyDone,
}

/// Where a fleet claims keys.
///
/// [`ClaimStore::claim`] must be atomic across processes (Redis `SET NX`, PostgreSQL
/// `INSERT … ON CONFLICT DO NOTHING`); [`ClaimStore::complete`] and [`ClaimStore::release`]
/// act only on a claim the caller still holds.
#[async_trait]
pub trait ClaimStore: Send + Sync + fmt::Debug {
    /// Claims `key` for `ttl`, unless it is claimed or done. A claim older than its `ttl` is
    /// free again.
    async fn claim(&self, key: &str, ttl: Duration) -> Result<ClaimOutcome>;

    /// Marks `claim` done, remembered for `keep_for`. Returns false when the claim had lapsed
    /// and someone else holds the key now (their handling proceeds; this one already happened).
    async fn complete(&self, claim: &Claim, keep_for: Duration) -> Result<bool>;

    /// Gives `claim` up (its handler failed), so the next delivery is handled.
    async fn release(&self, claim: &Claim) -> Result<()>;
}

/// How long claims last.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClaimConfig {
    /// How long a handler may take before its claim lapses and another delivery is handled.
    /// Longer than the slowest handler; a handler that crashed delays the retry this long.
    pub ttl: Duration,
    /// How long a handled key is remembered. Longer than the provider retries the callback.
    pub keep_done_for: Duration,
}

impl Default for ClaimConfig {
    fn default() -> Self {
        ClaimConfig {
            ttl: Duration::from_secs(60),
            keep_done_for: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

impl ClaimConfig {
    /// Sets [`ClaimConfig::ttl`].
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets [`ClaimConfig::keep_done_for`].
    pub fn keep_done_for(mut self, keep: Duration) -> Self {
        self.keep_done_for = keep;
        self
    }
}

/// What [`handle_once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled<T> {
    /// This call claimed the key and ran the handler, which returned this.
    Ran(T),
    /// Another delivery is being handled now: answer the provider so that it retries later
    /// (a non-2xx), or acknowledge if the other handler is trusted to finish.
    InProgress,
    /// Handled before: acknowledge without doing it again.
    AlreadyDone,
}

/// Runs `handler` once per `key` across everyone sharing `claims`.
///
/// - The key is claimed first; if it is claimed or done, the handler does not run.
/// - A handler error releases the claim (the provider's retry is then handled) and is returned.
/// - If the store cannot be reached, the handler does not run and the store's error is
///   returned: answering the provider with an error makes it retry, which is safe; running
///   unclaimed could do the work twice.
/// - If marking the key done fails after the handler succeeded, the result is still
///   [`Handled::Ran`] (the work happened); the claim lapses after its `ttl` and a later delivery
///   would run again, so this is logged.
pub async fn handle_once<T, E, F, Fut>(
    claims: &dyn ClaimStore,
    key: &str,
    config: &ClaimConfig,
    handler: F,
) -> std::result::Result<Handled<T>, E>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = std::result::Result<T, E>>,
    E: From<Error>,
{
    let claim = match claims.claim(key, config.ttl).await? {
        ClaimOutcome::Claimed(claim) => claim,
        ClaimOutcome::InProgress => return Ok(Handled::InProgress),
        ClaimOutcome::AlreadyDone => return Ok(Handled::AlreadyDone),
    };
    match handler().await {
        Ok(value) => {
            match claims.complete(&claim, config.keep_done_for).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!(
                    key,
                    "the claim lapsed while its handler ran; raise ClaimConfig::ttl"
                ),
                Err(error) => tracing::warn!(
                    key,
                    %error,
                    "handled, but could not be marked done; a delivery after the claim lapses runs again"
                ),
            }
            Ok(Handled::Ran(value))
        }
        Err(error) => {
            if let Err(release) = claims.release(&claim).await {
                tracing::warn!(key, error = %release, "could not release a failed claim; it lapses after its ttl");
            }
            Err(error)
        }
    }
}

#[derive(Debug, Clone)]
enum Entry {
    Claimed { owner: String, until_ms: i64 },
    Done { until_ms: i64 },
}

impl Entry {
    /// Whether this is a claim held by `owner`.
    fn owned_by(&self, owner: &str) -> bool {
        matches!(self, Entry::Claimed { owner: held, .. } if held == owner)
    }

    fn until_ms(&self) -> i64 {
        match self {
            Entry::Claimed { until_ms, .. } | Entry::Done { until_ms } => *until_ms,
        }
    }
}

/// The smallest size at which lapsed entries are swept out.
const SWEEP_AT_LEAST: usize = 1024;

/// The entries, and the size at which the lapsed ones are next swept out: sweeping when the
/// map has doubled since the last sweep costs each claim O(1) on average, and keeps memory to
/// about twice what the live entries need, so a long-running process does not grow with every
/// key it ever claimed.
///
/// `claims` numbers this store's claims: an owner only has to differ from every other owner of
/// the same store, so a counter serves where a shared engine needs a random value (issue 16:
/// the random id was most of an in-memory claim's cost).
#[derive(Debug)]
struct Table {
    entries: HashMap<String, Entry>,
    sweep_at: usize,
    claims: u64,
}

impl Default for Table {
    fn default() -> Self {
        Table {
            entries: HashMap::new(),
            sweep_at: SWEEP_AT_LEAST,
            claims: 0,
        }
    }
}

/// [`ClaimStore`] in memory: for one process. A fleet uses a shared engine.
#[derive(Default)]
pub struct InMemoryClaimStore {
    table: Mutex<Table>,
}

impl InMemoryClaimStore {
    /// An empty store.
    pub fn new() -> Self {
        InMemoryClaimStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // Every change is one insert, remove or sweep, so a poisoned map is still consistent.
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many keys are held (claimed or done, lapsed ones not yet swept included).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for InMemoryClaimStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryClaimStore")
            .field("entries", &self.len())
            .finish()
    }
}

fn after(ttl: Duration) -> i64 {
    unix_millis().saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX))
}

#[async_trait]
impl ClaimStore for InMemoryClaimStore {
    async fn claim(&self, key: &str, ttl: Duration) -> Result<ClaimOutcome> {
        let now = unix_millis();
        let mut table = self.lock();
        if table.entries.len() >= table.sweep_at {
            table.entries.retain(|_, entry| entry.until_ms() > now);
            table.sweep_at = table.entries.len().saturating_mul(2).max(SWEEP_AT_LEAST);
        }
        match table.entries.get(key) {
            Some(Entry::Done { until_ms }) if *until_ms > now => {
                return Ok(ClaimOutcome::AlreadyDone);
            }
            Some(Entry::Claimed { until_ms, .. }) if *until_ms > now => {
                return Ok(ClaimOutcome::InProgress);
            }
            _ => {}
        }
        table.claims = table.claims.wrapping_add(1);
        let claim = Claim::new(key, table.claims.to_string());
        table.entries.insert(
            key.to_owned(),
            Entry::Claimed {
                owner: claim.owner.clone(),
                until_ms: after(ttl),
            },
        );
        Ok(ClaimOutcome::Claimed(claim))
    }

    async fn complete(&self, claim: &Claim, keep_for: Duration) -> Result<bool> {
        let mut table = self.lock();
        // Marked done in place: no second copy of the key, no second lookup.
        match table.entries.get_mut(&claim.key) {
            Some(entry @ Entry::Claimed { .. }) if entry.owned_by(&claim.owner) => {
                *entry = Entry::Done {
                    until_ms: after(keep_for),
                };
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn release(&self, claim: &Claim) -> Result<()> {
        let mut table = self.lock();
        let entries = &mut table.entries;
        if entries
            .get(&claim.key)
            .is_some_and(|entry| entry.owned_by(&claim.owner))
        {
            entries.remove(&claim.key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_claim_per_key_until_done_released_or_lapsed() {
        let store = InMemoryClaimStore::new();
        let ttl = Duration::from_millis(30);
        let ClaimOutcome::Claimed(first) = store.claim("k", ttl).await.unwrap() else {
            panic!("free key not claimed");
        };
        assert_eq!(
            store.claim("k", ttl).await.unwrap(),
            ClaimOutcome::InProgress
        );
        store.release(&first).await.unwrap();
        let ClaimOutcome::Claimed(second) = store.claim("k", ttl).await.unwrap() else {
            panic!("released key not claimed");
        };
        tokio::time::sleep(Duration::from_millis(40)).await;
        let ClaimOutcome::Claimed(third) = store.claim("k", ttl).await.unwrap() else {
            panic!("lapsed claim not taken over");
        };
        // The lapsed claimant finishing late, or giving up late, does not touch the new
        // holder's claim.
        assert_ne!(second.owner(), third.owner());
        store.release(&second).await.unwrap();
        assert_eq!(
            store.claim("k", ttl).await.unwrap(),
            ClaimOutcome::InProgress
        );
        assert!(!store.complete(&second, ttl).await.unwrap());
        assert!(
            store
                .complete(&third, Duration::from_secs(5))
                .await
                .unwrap()
        );
        assert_eq!(
            store.claim("k", ttl).await.unwrap(),
            ClaimOutcome::AlreadyDone
        );
    }

    /// Lapsed keys are swept out once the map has reached its sweep size, live ones are kept:
    /// memory follows the keys claimed within their ttl, not every key the process ever saw.
    #[tokio::test]
    async fn lapsed_keys_are_swept_out_and_live_ones_kept() {
        const SHORT: Duration = Duration::from_millis(300);
        const AT: usize = 8;
        // A small sweep size, so the test needs few keys (a debug build claims slowly).
        let store = InMemoryClaimStore {
            table: Mutex::new(Table {
                sweep_at: AT,
                ..Table::default()
            }),
        };
        let claim = |key: String, ttl| {
            let store = &store;
            async move {
                let ClaimOutcome::Claimed(claim) = store.claim(&key, ttl).await.unwrap() else {
                    panic!("{key} is fresh");
                };
                assert!(store.complete(&claim, ttl).await.unwrap());
            }
        };
        for i in 0..AT - 1 {
            claim(format!("old-{i}"), SHORT).await;
        }
        claim("live".to_owned(), Duration::from_secs(60)).await;
        assert_eq!(store.len(), AT);
        tokio::time::sleep(SHORT + Duration::from_millis(50)).await;
        // The next claim sweeps: only `live` and the new key are left, and the next sweep
        // waits until the map holds the sweep size again.
        claim("new".to_owned(), Duration::from_secs(60)).await;
        assert_eq!(store.len(), 2);
        assert_eq!(store.lock().sweep_at, SWEEP_AT_LEAST);
        assert_eq!(
            store.claim("live", Duration::from_secs(60)).await.unwrap(),
            ClaimOutcome::AlreadyDone
        );
    }

    #[tokio::test]
    async fn a_failed_handler_releases_its_claim_for_the_retry() {
        let store = InMemoryClaimStore::new();
        let config = ClaimConfig::default();
        let failed: std::result::Result<Handled<()>, Error> =
            handle_once(&store, "cb", &config, || async {
                Err(Error::invalid_input("order", "not ready"))
            })
            .await;
        assert!(failed.is_err());
        let retried = handle_once(&store, "cb", &config, || async { Ok::<_, Error>(7) })
            .await
            .unwrap();
        assert_eq!(retried, Handled::Ran(7));
        let third = handle_once(&store, "cb", &config, || async { Ok::<_, Error>(8) })
            .await
            .unwrap();
        assert_eq!(third, Handled::AlreadyDone);
    }
}
