//! How the stores use Redis: the key prefix and the time a call may take.

use std::time::Duration;

/// Configuration of [`crate::RedisStores`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RedisConfig {
    /// Starts every key (default `"paykit:"`): several applications, or tests, can share one
    /// server without seeing each other's keys.
    pub key_prefix: String,
    /// The longest one store call waits for Redis, connecting or reconnecting included
    /// (default 2 s). A server that is down then costs a caller this long at most, and the
    /// caller falls back as its store trait documents.
    pub timeout: Duration,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            key_prefix: "paykit:".to_owned(),
            timeout: Duration::from_secs(2),
        }
    }
}

impl RedisConfig {
    /// Sets [`RedisConfig::key_prefix`].
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Sets [`RedisConfig::timeout`] (at least a millisecond: a zero timeout would fail every
    /// call).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_setters() {
        let config = RedisConfig::default();
        assert_eq!(config.key_prefix, "paykit:");
        assert_eq!(config.timeout, Duration::from_secs(2));
        let config = config.key_prefix("shop:").timeout(Duration::ZERO);
        assert_eq!(config.key_prefix, "shop:");
        assert_eq!(config.timeout, Duration::from_millis(1));
    }
}
