//! [`ClaimStore`] on Redis: `SET NX PX` of `claimed:{owner}`; `done` once handled.

use std::fmt;
use std::time::Duration;

use paykit_core::store::{Claim, ClaimOutcome, random_id};
use paykit_core::{ClaimStore, Result, async_trait};
use redis::Value;

use crate::connection::{Redis, px};
use crate::error::unreadable;
use crate::scripts::{COMPARE_AND_DELETE, COMPLETE_CLAIM};

/// What a handled key holds.
const DONE: &str = "done";

/// What a key being handled holds before its owner.
const CLAIMED: &str = "claimed:";

/// Rounds of "the SET found a key, the GET found none" before answering
/// [`ClaimOutcome::InProgress`]: the key is being claimed and released by others that fast.
const CLAIM_ROUNDS: u32 = 4;

/// Claims in Redis (see the crate docs for the keys).
#[derive(Clone)]
pub struct RedisClaimStore {
    redis: Redis,
}

impl RedisClaimStore {
    pub(crate) fn new(redis: Redis) -> Self {
        RedisClaimStore { redis }
    }
}

impl fmt::Debug for RedisClaimStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisClaimStore")
            .field("prefix", &self.redis.keys.prefix())
            .finish()
    }
}

fn held_by(claim: &Claim) -> String {
    format!("{CLAIMED}{}", claim.owner())
}

#[async_trait]
impl ClaimStore for RedisClaimStore {
    async fn claim(&self, key: &str, ttl: Duration) -> Result<ClaimOutcome> {
        let stored_key = self.redis.keys.claim(key);
        for _round in 0..CLAIM_ROUNDS {
            let claim = Claim::new(key, random_id());
            let reply: Value = self
                .redis
                .query(
                    "claim",
                    redis::cmd("SET")
                        .arg(&stored_key)
                        .arg(held_by(&claim))
                        .arg("NX")
                        .arg("PX")
                        .arg(px(ttl)),
                )
                .await?;
            if reply != Value::Nil {
                return Ok(ClaimOutcome::Claimed(claim));
            }
            let current: Option<String> = self
                .redis
                .query("claim", redis::cmd("GET").arg(&stored_key))
                .await?;
            match current.as_deref() {
                Some(DONE) => return Ok(ClaimOutcome::AlreadyDone),
                Some(value) if value.starts_with(CLAIMED) => return Ok(ClaimOutcome::InProgress),
                Some(_) => return Err(unreadable("claim", "neither claimed nor done")),
                // Released or lapsed between the two calls: free again, so claim again.
                None => {}
            }
        }
        Ok(ClaimOutcome::InProgress)
    }

    async fn complete(&self, claim: &Claim, keep_for: Duration) -> Result<bool> {
        let marked: i64 = self
            .redis
            .eval(
                "complete claim",
                COMPLETE_CLAIM
                    .key(self.redis.keys.claim(claim.key()))
                    .arg(held_by(claim))
                    .arg(px(keep_for)),
            )
            .await?;
        Ok(marked == 1)
    }

    async fn release(&self, claim: &Claim) -> Result<()> {
        let _: i64 = self
            .redis
            .eval(
                "release claim",
                COMPARE_AND_DELETE
                    .key(self.redis.keys.claim(claim.key()))
                    .arg(held_by(claim)),
            )
            .await?;
        Ok(())
    }
}
