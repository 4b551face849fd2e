//! [`RedisStores`]: one connection, and the four stores over it.

use std::fmt;
use std::sync::Arc;

use paykit_core::Result;

use crate::claims::RedisClaimStore;
use crate::config::RedisConfig;
use crate::connection::Redis;
use crate::records::RedisPaymentRecords;
use crate::sessions::RedisSessionStore;
use crate::tokens::RedisTokenStore;

/// One connection to Redis (it reconnects by itself after a failure), and the four stores
/// over it. Clones share the connection.
///
/// `Debug` shows the key prefix and the timeout, never the URL (it may hold the password).
#[derive(Clone)]
pub struct RedisStores {
    redis: Redis,
}

impl RedisStores {
    /// Connects to the server at `url`: `redis://[[user]:password@]host[:port][/db]`, or
    /// `rediss://…` with this crate's `tls` feature.
    ///
    /// # Errors
    ///
    /// [`paykit_core::Error::Store`] when the URL is unusable or the server does not answer
    /// within [`RedisConfig::timeout`].
    pub async fn connect(url: &str, config: RedisConfig) -> Result<RedisStores> {
        Ok(RedisStores {
            redis: Redis::connect(url, &config).await?,
        })
    }

    /// The shared access tokens ([`paykit_core::TokenStore`]).
    pub fn tokens(&self) -> Arc<RedisTokenStore> {
        Arc::new(RedisTokenStore::new(self.redis.clone()))
    }

    /// Claims of callbacks and operations ([`paykit_core::ClaimStore`]).
    pub fn claims(&self) -> Arc<RedisClaimStore> {
        Arc::new(RedisClaimStore::new(self.redis.clone()))
    }

    /// Payment records ([`paykit_core::PaymentRecords`]).
    pub fn records(&self) -> Arc<RedisPaymentRecords> {
        Arc::new(RedisPaymentRecords::new(self.redis.clone()))
    }

    /// Customer sessions ([`paykit_core::SessionStore`]).
    pub fn sessions(&self) -> Arc<RedisSessionStore> {
        Arc::new(RedisSessionStore::new(self.redis.clone()))
    }
}

impl fmt::Debug for RedisStores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStores")
            .field("redis", &self.redis)
            .finish()
    }
}
