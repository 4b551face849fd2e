//! Shared setup for the integration tests: a migrated database of its own per test, on the
//! test binary's PostgreSQL server.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use paykit_postgres::PgStores;
use paykit_postgres::sqlx::PgPool;
use paykit_testkit::servers::PostgresServer;

/// A new empty database named `name` on the shared server; its URL.
pub fn database(name: &str) -> String {
    PostgresServer::shared().create_database(name)
}

/// Stores on a new migrated database named `name`, and its URL (for more pools on it).
pub async fn migrated(name: &str) -> (PgStores, String) {
    let url = database(name);
    let stores = PgStores::connect(&url).await.unwrap();
    stores.migrate().await.unwrap();
    (stores, url)
}

/// A plain sqlx pool on `url`, for looking at the tables behind the stores' backs.
pub async fn inspect(url: &str) -> PgPool {
    PgPool::connect(url).await.unwrap()
}
