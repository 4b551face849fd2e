//! Access tokens: the [`TokenSource`] every authenticated call draws from, and
//! [`CachedTokenSource`], the one cache every provider uses over its own [`TokenFetcher`].

mod cache;
mod grant;
mod shared;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Result;

pub use cache::{CachedTokenSource, TokenCacheConfig};
pub use grant::{Expiry, TokenFetcher, TokenGrant};

/// A bearer credential, tagged with the generation of the cache that issued it.
///
/// Cheap to clone. `Debug` shows the generation only, never the value.
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<TokenInner>,
}

struct TokenInner {
    value: SecretString,
    generation: u64,
}

impl AccessToken {
    /// Wraps a token value issued as generation `generation`.
    pub fn new(value: SecretString, generation: u64) -> Self {
        AccessToken {
            inner: Arc::new(TokenInner { value, generation }),
        }
    }

    /// The token value, for building the one header that carries it.
    pub fn expose_secret(&self) -> &str {
        self.inner.value.expose_secret()
    }

    /// Which fetch produced this token; [`TokenSource::invalidate`] uses it to drop only the
    /// token a failed call actually used.
    pub fn generation(&self) -> u64 {
        self.inner.generation
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("generation", &self.inner.generation)
            .field("value", &"[REDACTED]")
            .finish()
    }
}

/// Something that hands out a currently valid access token.
#[async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A token believed to be valid now, fetching one if needed.
    async fn token(&self) -> Result<AccessToken>;

    /// Reports that `stale` was rejected (HTTP 401). Only that generation is dropped: a burst
    /// of reports about the same token causes one refresh, and a report about an older token
    /// never discards a newer one.
    fn invalidate(&self, stale: &AccessToken);
}

/// A fixed token, for tests and for callers that manage tokens themselves.
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Always serves `value`.
    pub fn new(value: SecretString) -> Self {
        StaticToken(AccessToken::new(value, 0))
    }
}

#[async_trait]
impl TokenSource for StaticToken {
    async fn token(&self) -> Result<AccessToken> {
        Ok(self.0.clone())
    }

    fn invalidate(&self, _stale: &AccessToken) {}
}
