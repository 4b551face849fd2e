//! [`SessionStore`] on Redis: one JSON document per session, swapped by a script that compares
//! the stored revision.

use std::fmt;

use paykit_core::store::{StoredSession, SwapOutcome, Versioned};
use paykit_core::{Result, SessionStore, async_trait};

use crate::connection::Redis;
use crate::scripts::SWAP_SESSION;
use crate::session_doc;

/// Customer sessions in Redis (see the crate docs for the keys).
#[derive(Clone)]
pub struct RedisSessionStore {
    redis: Redis,
}

impl RedisSessionStore {
    pub(crate) fn new(redis: Redis) -> Self {
        RedisSessionStore { redis }
    }
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.redis.keys.prefix())
            .finish()
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn load(&self, id: &str) -> Result<Option<Versioned<StoredSession>>> {
        let stored: Option<String> = self
            .redis
            .query(
                "load session",
                redis::cmd("GET").arg(self.redis.keys.session(id)),
            )
            .await?;
        stored.as_deref().map(session_doc::decode).transpose()
    }

    async fn compare_and_swap(
        &self,
        id: &str,
        expected: Option<u64>,
        session: &StoredSession,
    ) -> Result<SwapOutcome> {
        let revision = expected.unwrap_or(0).saturating_add(1);
        let (swapped, current): (i64, String) = self
            .redis
            .eval(
                "swap session",
                SWAP_SESSION
                    .key(self.redis.keys.session(id))
                    .arg(expected.map(|r| r.to_string()).unwrap_or_default())
                    .arg(session_doc::encode(revision, session)),
            )
            .await?;
        if swapped == 1 {
            return Ok(SwapOutcome::Swapped(revision));
        }
        let now = if current.is_empty() {
            None
        } else {
            Some(session_doc::decode(&current)?)
        };
        Ok(SwapOutcome::Conflict(now))
    }

    async fn remove(&self, id: &str) -> Result<()> {
        let _: i64 = self
            .redis
            .query(
                "remove session",
                redis::cmd("DEL").arg(self.redis.keys.session(id)),
            )
            .await?;
        Ok(())
    }
}
