//! [`PgStores`]: one pool, and the stores that share it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use paykit_core::Result;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::claims::PgClaimStore;
use crate::error::store_error;
use crate::records::PgPaymentRecords;

/// Connections [`PgStores::connect`] opens at most: each store operation holds one for a few
/// statements, so a handful serve a busy instance.
const MAX_CONNECTIONS: u32 = 5;

/// How long [`PgStores::connect`]'s pool waits for a connection (a free one, or a new one to
/// an unreachable server) before the operation fails with [`paykit_core::Error::Store`]. Short,
/// because a callback handler waiting on it keeps the provider waiting.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// paykit's PostgreSQL stores on one connection pool: [`PgStores::records`] and
/// [`PgStores::claims`]. Cloning shares the pool.
///
/// `Debug` shows where it connects (host, port, database, user), never the password.
#[derive(Clone)]
pub struct PgStores {
    pool: PgPool,
    records: Arc<PgPaymentRecords>,
    claims: Arc<PgClaimStore>,
}

impl PgStores {
    /// Connects to `url` (`postgres://user:password@host:port/database`, with `?sslmode=…`
    /// when built with the `rustls` feature) with a small pool: at most 5 connections, each
    /// operation waiting at most 2 s for one. Fails when the database cannot be reached.
    ///
    /// For other pool settings build a [`sqlx::PgPool`] with
    /// [`PgPoolOptions`](sqlx::postgres::PgPoolOptions) and use [`PgStores::from_pool`].
    pub async fn connect(url: &str) -> Result<PgStores> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(|e| store_error("connect", &e))?;
        Ok(PgStores::from_pool(pool))
    }

    /// The stores on a pool the caller built (its own size, timeouts, TLS settings). The
    /// pool's acquire timeout bounds how long an operation waits while the database is down.
    pub fn from_pool(pool: PgPool) -> PgStores {
        PgStores {
            records: Arc::new(PgPaymentRecords::new(pool.clone())),
            claims: Arc::new(PgClaimStore::new(pool.clone())),
            pool,
        }
    }

    /// Applies the shipped migrations (`migrations/*.sql`) that this database has not
    /// recorded in `paykit_schema_migrations`, in order, in one transaction. Idempotent, and
    /// safe from several processes at once: they queue on an advisory lock, and the first
    /// applies.
    pub async fn migrate(&self) -> Result<()> {
        crate::migrate::migrate(&self.pool).await
    }

    /// Payment records ([`paykit_core::PaymentRecords`]), for a provider client's
    /// `.payment_records(..)` and the reconciler.
    pub fn records(&self) -> Arc<PgPaymentRecords> {
        self.records.clone()
    }

    /// Claims ([`paykit_core::ClaimStore`]), for [`paykit_core::store::handle_once`].
    pub fn claims(&self) -> Arc<PgClaimStore> {
        self.claims.clone()
    }
}

impl fmt::Debug for PgStores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Field by field: the connect options' own Debug includes the password.
        let options = self.pool.connect_options();
        f.debug_struct("PgStores")
            .field("host", &options.get_host())
            .field("port", &options.get_port())
            .field("database", &options.get_database())
            .field("username", &options.get_username())
            .field("connections", &self.pool.size())
            .finish_non_exhaustive()
    }
}
