//! What every test file shares: a connection to this binary's Redis under a prefix of its own.
#![allow(dead_code, clippy::unwrap_used)] // Each test binary uses part of it; helpers may unwrap.

use paykit_redis::{RedisConfig, RedisStores};
use paykit_testkit::servers::RedisServer;

/// A key prefix no other test (nor another run of this one) shares.
pub(crate) fn prefix(name: &str) -> String {
    format!("t{}:{name}:", std::process::id())
}

/// The four stores on the shared server, under `name`'s prefix.
pub(crate) async fn stores(name: &str) -> RedisStores {
    RedisStores::connect(
        &RedisServer::shared().url(),
        RedisConfig::default().key_prefix(prefix(name)),
    )
    .await
    .unwrap()
}

/// A plain connection to the shared server, to look at (or damage) what the stores wrote.
pub(crate) async fn raw() -> redis::aio::MultiplexedConnection {
    redis::Client::open(RedisServer::shared().url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}
