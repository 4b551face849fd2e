//! [`PaymentRecords`] on Redis: each record a JSON document, merged by optimistic
//! compare-and-set, and a sorted set indexing the unsettled ones by last change.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paykit_core::http::FailureBackoff;
use paykit_core::store::whole_millis;
use paykit_core::{Error, PaymentRecord, PaymentRecords, ProviderId, Result, async_trait};

use crate::connection::Redis;
use crate::error::{BACKEND, relabel, unreadable};
use crate::keys::{index_member, parse_index_member};
use crate::scripts::PUT_RECORD;

/// Read-merge-write rounds before a put gives up: each lost round means another writer's put
/// of the same record went in between.
const MAX_PUT_ATTEMPTS: u32 = 16;

/// The pause after a lost round, jittered so that writers that collided do not collide again.
const CONTENTION_BACKOFF: FailureBackoff = FailureBackoff {
    base: Duration::from_millis(2),
    max: Duration::from_millis(64),
};

/// Payment records in Redis (see the crate docs for the keys).
#[derive(Clone)]
pub struct RedisPaymentRecords {
    redis: Redis,
}

impl RedisPaymentRecords {
    pub(crate) fn new(redis: Redis) -> Self {
        RedisPaymentRecords { redis }
    }

    async fn read(&self, operation: &'static str, key: &str) -> Result<Option<String>> {
        self.redis
            .query(operation, redis::cmd("GET").arg(key))
            .await
    }
}

impl fmt::Debug for RedisPaymentRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisPaymentRecords")
            .field("prefix", &self.redis.keys.prefix())
            .finish()
    }
}

fn decode(operation: &'static str, text: &str) -> Result<PaymentRecord> {
    PaymentRecord::from_json(text).map_err(|e| relabel(operation, e))
}

/// Whole milliseconds since the epoch, rounded down (a stamped `updated_at` is whole already).
fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The exclusive score bound for "changed before `before`": scores are whole milliseconds, so
/// `score < before` holds exactly when `score < ceil(before in ms)`.
fn exclusive_bound(before: SystemTime) -> u64 {
    match before.duration_since(UNIX_EPOCH) {
        Ok(since) if since.subsec_nanos() % 1_000_000 != 0 => millis(before).saturating_add(1),
        Ok(_) => millis(before),
        // Before the epoch: no record was changed that early.
        Err(_) => 0,
    }
}

#[async_trait]
impl PaymentRecords for RedisPaymentRecords {
    async fn get(
        &self,
        provider: ProviderId,
        provider_payment_id: &str,
    ) -> Result<Option<PaymentRecord>> {
        let key = self.redis.keys.record(provider, provider_payment_id);
        match self.read("get record", &key).await? {
            Some(text) => decode("get record", &text).map(Some),
            None => Ok(None),
        }
    }

    async fn put(&self, record: &PaymentRecord) -> Result<()> {
        const OPERATION: &str = "put record";
        let key = self
            .redis
            .keys
            .record(record.provider, record.provider_payment_id());
        let index = self.redis.keys.unsettled_index();
        let member = index_member(record.provider, record.provider_payment_id());
        for attempt in 1..=MAX_PUT_ATTEMPTS {
            let stored = self.read(OPERATION, &key).await?;
            let mut merged = match &stored {
                Some(text) => record.merged_over(&decode(OPERATION, text)?),
                None => record.clone(),
            };
            merged.updated_at = whole_millis(SystemTime::now());
            let written: i64 = self
                .redis
                .eval(
                    OPERATION,
                    PUT_RECORD
                        .key(&key)
                        .key(&index)
                        .arg(if stored.is_some() { "1" } else { "0" })
                        .arg(stored.as_deref().unwrap_or_default())
                        .arg(merged.to_json())
                        .arg(if merged.is_settled() { "0" } else { "1" })
                        .arg(millis(merged.updated_at))
                        .arg(&member),
                )
                .await?;
            if written == 1 {
                return Ok(());
            }
            tokio::time::sleep(CONTENTION_BACKOFF.wait(attempt)).await;
        }
        Err(Error::store(
            BACKEND,
            OPERATION,
            format!(
                "too much contention: the record changed under each of {MAX_PUT_ATTEMPTS} attempts"
            ),
        ))
    }

    async fn unsettled(&self, before: SystemTime, limit: usize) -> Result<Vec<PaymentRecord>> {
        const OPERATION: &str = "list unsettled records";
        if limit == 0 {
            return Ok(Vec::new());
        }
        let members: Vec<String> = self
            .redis
            .query(
                OPERATION,
                redis::cmd("ZRANGEBYSCORE")
                    .arg(self.redis.keys.unsettled_index())
                    .arg("-inf")
                    .arg(format!("({}", exclusive_bound(before)))
                    .arg("LIMIT")
                    .arg(0)
                    .arg(limit),
            )
            .await?;
        if members.is_empty() {
            return Ok(Vec::new());
        }
        let keys = members
            .iter()
            .map(|member| {
                let (provider, id) = parse_index_member(member).ok_or_else(|| {
                    unreadable(OPERATION, "an index member is not [provider, id]")
                })?;
                Ok(self.redis.keys.record(provider, &id))
            })
            .collect::<Result<Vec<String>>>()?;
        let documents: Vec<Option<String>> = self
            .redis
            .query(OPERATION, redis::cmd("MGET").arg(&keys))
            .await?;
        let mut found = Vec::with_capacity(documents.len());
        // In index order: oldest first. A record deleted since the range read is skipped; one
        // written since is checked again, as the index would now place it.
        for text in documents.into_iter().flatten() {
            let record = decode(OPERATION, &text)?;
            if !record.is_settled() && record.updated_at < before {
                found.push(record);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_rounds_up_only_a_fraction_of_a_millisecond() {
        let whole = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(exclusive_bound(whole), 1_700_000_000_123);
        let fraction = whole + Duration::from_micros(1);
        assert_eq!(exclusive_bound(fraction), 1_700_000_000_124);
        assert_eq!(exclusive_bound(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }
}
