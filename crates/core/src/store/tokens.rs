//! The fleet's shared access token per provider account, and the lock that makes its refresh
//! single flight across processes.
//!
//! [`crate::CachedTokenSource`] keeps its in-process fast path in front of a [`TokenStore`]
//! ([`crate::CachedTokenSource::with_store`]): a process asks the store only when its own copy
//! is due for refresh, takes the store's lock before fetching, and waiters re-read the store
//! instead of fetching. A lock has a time-to-live, so a holder that crashed mid-refresh delays
//! the others by at most that long.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::{ProviderId, Result};

/// Which account a shared token belongs to: the provider and a non-secret account id (a
/// project id, a client id). Never built from a secret: it is a key in a shared store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    provider: ProviderId,
    account: String,
}

impl TokenKey {
    /// The token of `account` at `provider`.
    pub fn new(provider: ProviderId, account: impl Into<String>) -> Self {
        TokenKey {
            provider,
            account: account.into(),
        }
    }

    /// The provider.
    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// The account id.
    pub fn account(&self) -> &str {
        &self.account
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider, self.account)
    }
}

/// A token as the fleet shares it. Times are Unix milliseconds by the wall clock, the one clock
/// separate machines share.
///
/// `Debug` shows the id and times, never a token.
#[derive(Clone)]
#[non_exhaustive]
pub struct SharedToken {
    /// Random id of the fetch that produced it: a process that saw it rejected (HTTP 401)
    /// recognises it in the store and refreshes instead of reusing it.
    pub id: String,
    /// The access token.
    pub access_token: SecretString,
    /// When it was fetched.
    pub issued_at_ms: i64,
    /// When it stops being used (the cache's caps already applied).
    pub expires_at_ms: i64,
    /// The refresh token issued with it, if any.
    pub refresh_token: Option<SecretString>,
    /// When the refresh token expires, if known.
    pub refresh_expires_at_ms: Option<i64>,
}

impl SharedToken {
    /// A token fetched at `issued_at_ms`, used until `expires_at_ms`.
    pub fn new(
        id: impl Into<String>,
        access_token: SecretString,
        issued_at_ms: i64,
        expires_at_ms: i64,
    ) -> Self {
        SharedToken {
            id: id.into(),
            access_token,
            issued_at_ms,
            expires_at_ms,
            refresh_token: None,
            refresh_expires_at_ms: None,
        }
    }

    /// Adds the refresh token issued with it.
    pub fn with_refresh(mut self, token: SecretString, expires_at_ms: Option<i64>) -> Self {
        self.refresh_token = Some(token);
        self.refresh_expires_at_ms = expires_at_ms;
        self
    }

    /// How long, from now, the store should keep it: until it expires (at least a millisecond,
    /// so a store never receives a zero time-to-live).
    pub fn time_to_live(&self) -> Duration {
        let left = self.expires_at_ms.saturating_sub(unix_millis()).max(1);
        Duration::from_millis(u64::try_from(left).unwrap_or(1))
    }
}

impl fmt::Debug for SharedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedToken")
            .field("id", &self.id)
            .field("access_token", &"[REDACTED]")
            .field("issued_at_ms", &self.issued_at_ms)
            .field("expires_at_ms", &self.expires_at_ms)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("refresh_expires_at_ms", &self.refresh_expires_at_ms)
            .finish()
    }
}

/// A held refresh lock: only its owner can release it, and it lapses on its own after its
/// time-to-live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshLease {
    key: TokenKey,
    owner: String,
}

impl RefreshLease {
    /// A lease of `key`'s lock held by `owner` (a random value only the holder knows).
    pub fn new(key: TokenKey, owner: impl Into<String>) -> Self {
        RefreshLease {
            key,
            owner: owner.into(),
        }
    }

    /// The token the lock guards.
    pub fn key(&self) -> &TokenKey {
        &self.key
    }

    /// The holder's random value, compared on release so a lapsed lease never frees the lock
    /// someone else took since.
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

/// Where a fleet keeps one access token per provider account.
///
/// Implementations must make [`TokenStore::try_lock`] atomic across processes (Redis
/// `SET NX PX`) and [`TokenStore::unlock`] a compare-and-delete on the owner.
#[async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The shared token of `key`, if one is stored and has not expired.
    async fn load(&self, key: &TokenKey) -> Result<Option<SharedToken>>;

    /// Stores `token` for `key` until it expires, replacing the previous one.
    async fn save(&self, key: &TokenKey, token: &SharedToken) -> Result<()>;

    /// Takes `key`'s refresh lock for `ttl`; `None` when someone else holds it.
    async fn try_lock(&self, key: &TokenKey, ttl: Duration) -> Result<Option<RefreshLease>>;

    /// Releases `lease`, unless it lapsed and another holder took the lock since.
    async fn unlock(&self, lease: &RefreshLease) -> Result<()>;
}

/// A random value for lock owners and token ids: unguessable, so another holder cannot release
/// a lock it does not hold.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // The system RNG failing is not recoverable and not caused by input; an all-zero id is then
    // still unique enough within one process thanks to the counter below.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // Hex by table: a `format!` per byte made this most of an in-memory claim (issue 16).
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let nibble = |value: u64| char::from(HEX.get((value & 0xf) as usize).copied().unwrap_or(b'0'));
    let mut id = String::with_capacity(32 + 1 + 16);
    for byte in bytes {
        id.push(nibble(u64::from(byte >> 4)));
        id.push(nibble(u64::from(byte)));
    }
    id.push('-');
    // The counter without leading zeros, as `{n:x}` writes it.
    let digits = (64 - n.leading_zeros()).div_ceil(4).max(1);
    for shift in (0..digits).rev() {
        id.push(nibble(n >> (shift * 4)));
    }
    id
}

/// Milliseconds since the Unix epoch by the system clock.
pub fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn deadline_ms(ttl: Duration) -> i64 {
    unix_millis().saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX))
}

#[derive(Default)]
struct TokenTable {
    tokens: HashMap<TokenKey, SharedToken>,
    locks: HashMap<TokenKey, (String, i64)>,
}

/// [`TokenStore`] in memory: one process's instances share it (several clients of one account
/// in one process). A fleet uses a shared engine (`paykit-redis`).
#[derive(Default)]
pub struct InMemoryTokenStore {
    table: Mutex<TokenTable>,
}

impl InMemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        InMemoryTokenStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TokenTable> {
        // Every change is one insert or remove, so a poisoned table is still consistent.
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for InMemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = self.lock();
        f.debug_struct("InMemoryTokenStore")
            .field("tokens", &table.tokens.len())
            .field("locks", &table.locks.len())
            .finish()
    }
}

#[async_trait]
impl TokenStore for InMemoryTokenStore {
    async fn load(&self, key: &TokenKey) -> Result<Option<SharedToken>> {
        let now = unix_millis();
        Ok(self
            .lock()
            .tokens
            .get(key)
            .filter(|token| token.expires_at_ms > now)
            .cloned())
    }

    async fn save(&self, key: &TokenKey, token: &SharedToken) -> Result<()> {
        self.lock().tokens.insert(key.clone(), token.clone());
        Ok(())
    }

    async fn try_lock(&self, key: &TokenKey, ttl: Duration) -> Result<Option<RefreshLease>> {
        let now = unix_millis();
        let mut table = self.lock();
        if table.locks.get(key).is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        let lease = RefreshLease::new(key.clone(), random_id());
        table
            .locks
            .insert(key.clone(), (lease.owner.clone(), deadline_ms(ttl)));
        Ok(Some(lease))
    }

    async fn unlock(&self, lease: &RefreshLease) -> Result<()> {
        let mut table = self.lock();
        if table
            .locks
            .get(&lease.key)
            .is_some_and(|(owner, _)| *owner == lease.owner)
        {
            table.locks.remove(&lease.key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: fn() -> TokenKey = || TokenKey::new(ProviderId("t"), "acct");

    #[tokio::test]
    async fn a_lock_is_exclusive_until_released_or_lapsed() {
        let store = InMemoryTokenStore::new();
        let first = store
            .try_lock(&KEY(), Duration::from_millis(40))
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .try_lock(&KEY(), Duration::from_secs(1))
                .await
                .unwrap()
                .is_none()
        );
        store.unlock(&first).await.unwrap();
        let second = store
            .try_lock(&KEY(), Duration::from_millis(30))
            .await
            .unwrap()
            .unwrap();
        // The first holder's late release must not free the second holder's lock.
        store.unlock(&first).await.unwrap();
        assert!(
            store
                .try_lock(&KEY(), Duration::from_secs(1))
                .await
                .unwrap()
                .is_none()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            store
                .try_lock(&KEY(), Duration::from_secs(1))
                .await
                .unwrap()
                .is_some(),
            "{second:?} lapsed"
        );
    }

    #[tokio::test]
    async fn expired_tokens_are_not_loaded_and_debug_hides_values() {
        let store = InMemoryTokenStore::new();
        let now = unix_millis();
        let stale = SharedToken::new("a", SecretString::from("tok-secret"), now - 10, now - 1);
        store.save(&KEY(), &stale).await.unwrap();
        assert!(store.load(&KEY()).await.unwrap().is_none());
        let live = SharedToken::new("b", SecretString::from("tok-secret"), now, now + 60_000)
            .with_refresh(SecretString::from("refresh-secret"), None);
        store.save(&KEY(), &live).await.unwrap();
        let loaded = store.load(&KEY()).await.unwrap().unwrap();
        assert_eq!(loaded.id, "b");
        let shown = format!("{loaded:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(live.time_to_live() > Duration::from_secs(50));
        assert_eq!(stale.time_to_live(), Duration::from_millis(1));
    }

    #[test]
    fn random_ids_differ() {
        assert_ne!(random_id(), random_id());
        // 32 hex digits, `-`, the counter in hex without leading zeros.
        let id = random_id();
        let (random, counter) = id.split_once('-').unwrap();
        assert_eq!(random.len(), 32);
        assert!(
            random
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let n = u64::from_str_radix(counter, 16).unwrap();
        assert_eq!(counter, format!("{n:x}"));
        assert_eq!(KEY().to_string(), "t:acct");
    }
}
