//! The one connection every store shares, and the deadline on each call.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use paykit_core::Result;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncConnectionConfig, Cmd, FromRedisValue, RedisResult, ScriptInvocation};

use crate::config::RedisConfig;
use crate::error::{from_redis, timed_out};
use crate::keys::Keys;

/// The longest pause between two reconnection attempts, in milliseconds: a server that comes
/// back is found within about this long.
const MAX_RECONNECT_DELAY_MS: u64 = 1_000;

/// A [`ConnectionManager`] (one multiplexed connection, reconnected in the background after a
/// failure) with the key shapes and the per-call deadline.
#[derive(Clone)]
pub(crate) struct Redis {
    manager: ConnectionManager,
    pub(crate) keys: Keys,
    timeout: Duration,
}

impl Redis {
    /// Connects to `url` (`redis://[user][:password@]host[:port][/db]`, or `rediss://` with the
    /// `tls` feature).
    pub(crate) async fn connect(url: &str, config: &RedisConfig) -> Result<Redis> {
        let client = redis::Client::open(url).map_err(|e| from_redis("connect", &e))?;
        // One plain attempt first: the manager retries every failure until the deadline, so a
        // wrong password or a refused connection would otherwise surface only as a timeout.
        let probe = AsyncConnectionConfig::new()
            .set_connection_timeout(config.timeout)
            .set_response_timeout(config.timeout);
        within(
            "connect",
            config.timeout,
            client.get_multiplexed_async_connection_with_config(&probe),
        )
        .await?;
        // The library's own timeouts bound each connection attempt and each reply; the
        // deadline in `within` also bounds the wait for a reconnection under way.
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(config.timeout)
            .set_response_timeout(config.timeout)
            .set_max_delay(MAX_RECONNECT_DELAY_MS);
        let manager = within(
            "connect",
            config.timeout,
            ConnectionManager::new_with_config(client, manager_config),
        )
        .await?;
        Ok(Redis {
            manager,
            keys: Keys::new(config.key_prefix.clone()),
            timeout: config.timeout,
        })
    }

    /// Runs `command`, converting its reply to `T`.
    pub(crate) async fn query<T: FromRedisValue>(
        &self,
        operation: &'static str,
        command: &Cmd,
    ) -> Result<T> {
        let mut connection = self.manager.clone();
        within(
            operation,
            self.timeout,
            command.query_async(&mut connection),
        )
        .await
    }

    /// Runs a script (EVALSHA, loading it on first use), converting its reply to `T`.
    pub(crate) async fn eval<T: FromRedisValue>(
        &self,
        operation: &'static str,
        invocation: &ScriptInvocation<'_>,
    ) -> Result<T> {
        let mut connection = self.manager.clone();
        within(
            operation,
            self.timeout,
            invocation.invoke_async(&mut connection),
        )
        .await
    }
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the URL: it may carry the password.
        f.debug_struct("Redis")
            .field("prefix", &self.keys.prefix())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `future`'s result as paykit's, or a timeout error once `timeout` has passed.
async fn within<T>(
    operation: &'static str,
    timeout: Duration,
    future: impl Future<Output = RedisResult<T>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(from_redis(operation, &error)),
        Err(_elapsed) => Err(timed_out(operation, timeout)),
    }
}

/// `ttl` in whole milliseconds for `PX`, at least 1 (Redis refuses `PX 0`).
pub(crate) fn px(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn px_is_never_zero() {
        assert_eq!(px(Duration::ZERO), 1);
        assert_eq!(px(Duration::from_micros(1500)), 1);
        assert_eq!(px(Duration::from_secs(2)), 2000);
    }
}
