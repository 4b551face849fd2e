//! [`TokenStore`] on Redis: the token with `PX` its remaining life, the lock with
//! `SET NX PX`, released by a compare-and-delete script.

use std::fmt;
use std::time::Duration;

use paykit_core::store::{RefreshLease, SharedToken, TokenKey, random_id, unix_millis};
use paykit_core::{Result, TokenStore, async_trait};
use redis::Value;

use crate::connection::{Redis, px};
use crate::scripts::COMPARE_AND_DELETE;
use crate::token_doc;

/// The fleet's shared access tokens in Redis (see the crate docs for the keys).
#[derive(Clone)]
pub struct RedisTokenStore {
    redis: Redis,
}

impl RedisTokenStore {
    pub(crate) fn new(redis: Redis) -> Self {
        RedisTokenStore { redis }
    }
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("prefix", &self.redis.keys.prefix())
            .finish()
    }
}

#[async_trait]
impl TokenStore for RedisTokenStore {
    async fn load(&self, key: &TokenKey) -> Result<Option<SharedToken>> {
        let stored: Option<String> = self
            .redis
            .query(
                "load token",
                redis::cmd("GET").arg(self.redis.keys.token(key)),
            )
            .await?;
        let Some(text) = stored else {
            return Ok(None);
        };
        let token = token_doc::decode(&text)?;
        // PX expires it by the server's clock; this check covers a skew between the clocks.
        Ok((token.expires_at_ms > unix_millis()).then_some(token))
    }

    async fn save(&self, key: &TokenKey, token: &SharedToken) -> Result<()> {
        let _: Value = self
            .redis
            .query(
                "save token",
                redis::cmd("SET")
                    .arg(self.redis.keys.token(key))
                    .arg(token_doc::encode(token))
                    .arg("PX")
                    .arg(px(token.time_to_live())),
            )
            .await?;
        Ok(())
    }

    async fn try_lock(&self, key: &TokenKey, ttl: Duration) -> Result<Option<RefreshLease>> {
        let owner = random_id();
        let reply: Value = self
            .redis
            .query(
                "lock token",
                redis::cmd("SET")
                    .arg(self.redis.keys.token_lock(key))
                    .arg(&owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(px(ttl)),
            )
            .await?;
        // `SET … NX` answers OK when it set the key and nil when the key existed.
        Ok((reply != Value::Nil).then(|| RefreshLease::new(key.clone(), owner)))
    }

    async fn unlock(&self, lease: &RefreshLease) -> Result<()> {
        let _: i64 = self
            .redis
            .eval(
                "unlock token",
                COMPARE_AND_DELETE
                    .key(self.redis.keys.token_lock(lease.key()))
                    .arg(lease.owner()),
            )
            .await?;
        Ok(())
    }
}
