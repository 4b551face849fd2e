//! The fleet half of [`CachedTokenSource`]: one token per provider account in a
//! [`TokenStore`], refreshed by one instance at a time.
//!
//! The in-process cache calls this only when its own copy is due for refresh, under its own
//! single-flight lock, so each process sends at most one caller here at a time. Then:
//!
//! 1. a fresh token in the store (not one this process saw rejected) is adopted;
//! 2. otherwise the store's refresh lock is tried; its holder re-reads the store (another
//!    holder may have saved just before), fetches, saves, and releases the lock;
//! 3. an instance that did not get the lock serves a still-valid token if it has one, else
//!    re-reads the store every [`super::TokenCacheConfig::fleet_poll`] until the holder saves, for at
//!    most the lock's time-to-live; then the lock has lapsed (its holder crashed) and it tries
//!    to take it.
//!
//! A store that fails never costs the call: the instance fetches for itself and logs it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::Instant;

use super::cache::{Cached, RefreshCredential};
use super::{AccessToken, CachedTokenSource, TokenFetcher};
use crate::error::Result;
use crate::store::{SharedToken, TokenKey, TokenStore, random_id, unix_millis};

/// The store and account a cache shares its token through.
pub(super) struct Fleet {
    pub(super) store: Arc<dyn TokenStore>,
    pub(super) key: TokenKey,
}

/// Lock lifetimes to wait for another holder before fetching regardless: a lock that should
/// have lapsed twice over without a token means the store is not doing its job.
const MAX_WAIT_ROUNDS: u32 = 3;

/// What the store holds, as seen from this process.
enum InStore {
    /// A token to use at once.
    Fresh(AccessToken),
    /// A token past its refresh point but still valid: usable while someone else refreshes.
    Valid(SharedToken),
    /// Nothing usable.
    Nothing,
}

fn millis_to_duration(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms.max(0)).unwrap_or(0))
}

impl<F: TokenFetcher> CachedTokenSource<F> {
    pub(super) async fn fetch_shared(&self, fleet: &Fleet) -> Result<AccessToken> {
        let ttl = self.config.fleet_lock_ttl;
        // A holder that crashed lets its lock lapse after `ttl`; a store whose locks never
        // lapse is broken, and after this long the token is fetched regardless.
        let give_up_at = Instant::now() + ttl.saturating_mul(MAX_WAIT_ROUNDS);
        loop {
            let valid = match self.read_store(fleet).await {
                Ok(InStore::Fresh(token)) => return Ok(token),
                Ok(InStore::Valid(shared)) => Some(shared),
                Ok(InStore::Nothing) => None,
                Err(error) => return self.without_store(fleet, "load", &error).await,
            };
            let lease = match fleet.store.try_lock(&fleet.key, ttl).await {
                Ok(lease) => lease,
                Err(error) => return self.without_store(fleet, "lock", &error).await,
            };
            if let Some(lease) = lease {
                let result = match self.read_store(fleet).await {
                    Ok(InStore::Fresh(token)) => Ok(token),
                    _ => self.fetch_and_share(fleet).await,
                };
                if let Err(error) = fleet.store.unlock(&lease).await {
                    tracing::warn!(key = %fleet.key, %error, "could not release the token lock; it lapses on its own");
                }
                return result;
            }
            // Someone else is refreshing: a still-valid token serves meanwhile.
            if let Some(own) = self.valid(Instant::now()) {
                return Ok(own);
            }
            if let Some(shared) = valid {
                return Ok(self.adopt(&shared));
            }
            if Instant::now() >= give_up_at {
                tracing::warn!(key = %fleet.key, "no shared token and the lock never lapsed; fetching without it");
                return self.fetch_and_share(fleet).await;
            }
            // Re-read (and try the lock again: it lapses if its holder crashed) shortly.
            tokio::time::sleep(self.config.fleet_poll).await;
        }
    }

    /// The store failed: fetch here, so the call is not lost, and say so.
    async fn without_store(
        &self,
        fleet: &Fleet,
        operation: &str,
        error: &crate::Error,
    ) -> Result<AccessToken> {
        tracing::warn!(key = %fleet.key, %error, operation, "token store failed; fetching in-process");
        self.fetch_here().await
    }

    async fn read_store(&self, fleet: &Fleet) -> Result<InStore> {
        let Some(shared) = fleet.store.load(&fleet.key).await? else {
            return Ok(InStore::Nothing);
        };
        let rejected = self.lock_state().rejected_shared.clone();
        if rejected.as_deref() == Some(shared.id.as_str()) {
            return Ok(InStore::Nothing);
        }
        let now = unix_millis();
        if shared.expires_at_ms <= now {
            return Ok(InStore::Nothing);
        }
        let lifetime = shared.expires_at_ms.saturating_sub(shared.issued_at_ms);
        let margin = i64::try_from(self.config.refresh_margin.as_millis())
            .unwrap_or(i64::MAX)
            .min(lifetime / 2);
        if now < shared.expires_at_ms.saturating_sub(margin) {
            Ok(InStore::Fresh(self.adopt(&shared)))
        } else {
            Ok(InStore::Valid(shared))
        }
    }

    /// Caches a token read from the store, with the expiry its fetcher gave it.
    fn adopt(&self, shared: &SharedToken) -> AccessToken {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let token = AccessToken::new(shared.access_token.clone(), generation);
        let now_ms = unix_millis();
        let now = Instant::now();
        let left = millis_to_duration(shared.expires_at_ms.saturating_sub(now_ms));
        let lifetime = millis_to_duration(shared.expires_at_ms.saturating_sub(shared.issued_at_ms));
        let expires_at = now.checked_add(left).unwrap_or(now);
        let margin = self.config.refresh_margin.min(lifetime / 2).min(left);
        let mut state = self.lock_state();
        state.access = Some(Cached {
            token: token.clone(),
            fetched_at: now,
            refresh_at: expires_at - margin,
            expires_at,
            shared_id: Some(shared.id.clone()),
        });
        if let Some(refresh) = &shared.refresh_token {
            state.refresh = Some(RefreshCredential {
                token: refresh.clone(),
                expires_at: shared.refresh_expires_at_ms.map(|at| {
                    let left = millis_to_duration(at.saturating_sub(now_ms));
                    now.checked_add(left).unwrap_or(now)
                }),
            });
        }
        token
    }

    /// Fetches (holding the fleet's lock) and saves the token for the others.
    async fn fetch_and_share(&self, fleet: &Fleet) -> Result<AccessToken> {
        let token = self.fetch_here().await?;
        let Some(shared) = self.to_shared(&token) else {
            return Ok(token);
        };
        if let Err(error) = fleet.store.save(&fleet.key, &shared).await {
            tracing::warn!(key = %fleet.key, %error, "could not share the new token; this instance keeps it");
        }
        Ok(token)
    }

    /// The cached `token` as the fleet stores it, naming it with a new shared id.
    fn to_shared(&self, token: &AccessToken) -> Option<SharedToken> {
        let now_ms = unix_millis();
        let now = Instant::now();
        let mut state = self.lock_state();
        let to_wall = |at: Instant| {
            let ahead = at.saturating_duration_since(now).as_millis();
            let behind = now.saturating_duration_since(at).as_millis();
            now_ms
                .saturating_add(i64::try_from(ahead).unwrap_or(i64::MAX))
                .saturating_sub(i64::try_from(behind).unwrap_or(i64::MAX))
        };
        let refresh = state
            .refresh
            .as_ref()
            .map(|r| (r.token.clone(), r.expires_at.map(to_wall)));
        let cached = state
            .access
            .as_mut()
            .filter(|c| c.token.generation() == token.generation())?;
        let id = random_id();
        cached.shared_id = Some(id.clone());
        let mut shared = SharedToken::new(
            id,
            token_value(&cached.token),
            to_wall(cached.fetched_at),
            to_wall(cached.expires_at),
        );
        if let Some((refresh_token, expires)) = refresh {
            shared = shared.with_refresh(refresh_token, expires);
        }
        Some(shared)
    }
}

fn token_value(token: &AccessToken) -> secrecy::SecretString {
    secrecy::SecretString::from(token.expose_secret().to_owned())
}
