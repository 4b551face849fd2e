//! Customer sessions: a rotating token pair (Maya's customer tokens) shared by a fleet, changed
//! only by compare-and-swap on a revision.
//!
//! A refresh token is spent by its first use, so two instances that refresh the same session
//! at once end it. The protocol that prevents this lives with the provider (it knows how to
//! refresh); the store gives it the one primitive it needs: write only if the revision is still
//! the one read. An instance that loses the race re-reads the pair the winner wrote.
//!
//! The protocol, as Maya's client runs it:
//!
//! 1. read the session; if its access token is fresh, use it;
//! 2. if another instance's refresh lease is running, wait for the revision to change;
//! 3. swap in a lease (`refreshing` set to this instance, a deadline); on conflict, go to 1;
//! 4. refresh with the pair's refresh token, then swap in the new pair with the lease cleared.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::Result;

/// An instance's claim to be refreshing a session, until a deadline (Unix ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLease {
    /// The refreshing instance's random value.
    pub owner: String,
    /// When the lease lapses and another instance may refresh.
    pub until_ms: i64,
}

/// One customer's token pair as the fleet stores it. `Debug` never shows a token.
#[derive(Clone)]
#[non_exhaustive]
pub struct StoredSession {
    /// The customer access token.
    pub access_token: SecretString,
    /// The refresh token, spent by its first use.
    pub refresh_token: SecretString,
    /// When the access token expires, Unix seconds.
    pub expires_at: i64,
    /// Set while an instance refreshes the pair.
    pub refreshing: Option<SessionLease>,
    /// Set once the provider refused a refresh: the session ends with its access token.
    pub ended: Option<String>,
}

impl StoredSession {
    /// A pair with no refresh under way.
    pub fn new(access_token: SecretString, refresh_token: SecretString, expires_at: i64) -> Self {
        StoredSession {
            access_token,
            refresh_token,
            expires_at,
            refreshing: None,
            ended: None,
        }
    }
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .field("refreshing", &self.refreshing)
            .field("ended", &self.ended)
            .finish()
    }
}

/// A stored value and the revision it was read at.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    /// Starts at 1 and grows by one on every successful swap.
    pub revision: u64,
    /// The value.
    pub value: T,
}

/// What a compare-and-swap did.
#[derive(Debug, Clone)]
pub enum SwapOutcome {
    /// Written; this is the new revision.
    Swapped(u64),
    /// Someone wrote first; this is what is stored now (`None`: the session was removed).
    Conflict(Option<Versioned<StoredSession>>),
}

/// Where a fleet keeps customer sessions.
#[async_trait]
pub trait SessionStore: Send + Sync + fmt::Debug {
    /// The session `id`, with its revision.
    async fn load(&self, id: &str) -> Result<Option<Versioned<StoredSession>>>;

    /// Writes `session` if the stored revision is `expected` (`None`: only if absent).
    async fn compare_and_swap(
        &self,
        id: &str,
        expected: Option<u64>,
        session: &StoredSession,
    ) -> Result<SwapOutcome>;

    /// Forgets session `id` (the customer logged out, or it ended).
    async fn remove(&self, id: &str) -> Result<()>;
}

/// [`SessionStore`] in memory: for one process.
#[derive(Default)]
pub struct InMemorySessionStore {
    sessions: Mutex<HashMap<String, Versioned<StoredSession>>>,
}

impl InMemorySessionStore {
    /// An empty store.
    pub fn new() -> Self {
        InMemorySessionStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Versioned<StoredSession>>> {
        // Every change is one insert or remove, so a poisoned map is still consistent.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for InMemorySessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemorySessionStore")
            .field("sessions", &self.lock().len())
            .finish()
    }
}

#[async_trait]
impl SessionStore for InMemorySessionStore {
    async fn load(&self, id: &str) -> Result<Option<Versioned<StoredSession>>> {
        Ok(self.lock().get(id).cloned())
    }

    async fn compare_and_swap(
        &self,
        id: &str,
        expected: Option<u64>,
        session: &StoredSession,
    ) -> Result<SwapOutcome> {
        let mut sessions = self.lock();
        let current = sessions.get(id);
        if current.map(|stored| stored.revision) != expected {
            return Ok(SwapOutcome::Conflict(current.cloned()));
        }
        let revision = expected.unwrap_or(0).saturating_add(1);
        sessions.insert(
            id.to_owned(),
            Versioned {
                revision,
                value: session.clone(),
            },
        );
        Ok(SwapOutcome::Swapped(revision))
    }

    async fn remove(&self, id: &str) -> Result<()> {
        self.lock().remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn pair(n: u32) -> StoredSession {
        StoredSession::new(
            SecretString::from(format!("access-{n}")),
            SecretString::from(format!("refresh-{n}")),
            1_767_225_600,
        )
    }

    #[tokio::test]
    async fn only_the_reader_of_the_current_revision_may_write() {
        let store = InMemorySessionStore::new();
        assert!(matches!(
            store.compare_and_swap("s", None, &pair(1)).await.unwrap(),
            SwapOutcome::Swapped(1)
        ));
        assert!(matches!(
            store.compare_and_swap("s", None, &pair(9)).await.unwrap(),
            SwapOutcome::Conflict(Some(Versioned { revision: 1, .. }))
        ));
        assert!(matches!(
            store
                .compare_and_swap("s", Some(1), &pair(2))
                .await
                .unwrap(),
            SwapOutcome::Swapped(2)
        ));
        let SwapOutcome::Conflict(Some(now)) = store
            .compare_and_swap("s", Some(1), &pair(3))
            .await
            .unwrap()
        else {
            panic!("a stale revision was accepted");
        };
        assert_eq!(now.value.refresh_token.expose_secret(), "refresh-2");
        assert!(!format!("{now:?}").contains("refresh-2"));
        store.remove("s").await.unwrap();
        assert!(store.load("s").await.unwrap().is_none());
    }
}
