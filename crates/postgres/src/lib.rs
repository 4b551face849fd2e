//! # paykit-postgres
//!
//! paykit's durable state on PostgreSQL (DESIGN.md §9): **payment records**, so every process
//! of a shop and every restart reports the same true state of a payment, and **claims**, so a
//! callback delivered twice, to two processes, causes one side effect.
//!
//! ```no_run
//! use paykit_core::store::{ClaimConfig, Handled, handle_once};
//! use paykit_core::SecretString;
//! use paykit_postgres::PgStores;
//!
//! # async fn shop() -> paykit_core::Result<()> {
//! let stores = PgStores::connect("postgres://shop:password@db.internal/shop").await?;
//! stores.migrate().await?;
//!
//! // Every instance's client writes and reads the same records: a hold created by one is
//! // reported as a hold (authorized, not captured) by any other, after any restart.
//! let maib = paykit_maib::MaibClient::builder("project-id", SecretString::from("secret"))
//!     .payment_records(stores.records())
//!     .build()?;
//!
//! // A verified callback is handled once, whichever instance it reaches and however often.
//! let claims = stores.claims();
//! let handled = handle_once(
//!     claims.as_ref(),
//!     "callback:maib:pay-1:OK",
//!     &ClaimConfig::default(),
//!     || async {
//!         // mark the order paid, ship it
//!         Ok::<_, paykit_core::Error>(())
//!     },
//! )
//! .await?;
//! if handled == Handled::InProgress {
//!     // another instance is on it: answer the provider with a non-2xx so it retries
//! }
//! # drop(maib);
//! # Ok(()) }
//! ```
//!
//! ## Tables and migrations
//!
//! [`PgStores::migrate`] applies the SQL files shipped in `migrations/`, in order, in one
//! transaction under an advisory lock, recording each in `paykit_schema_migrations`; several
//! processes may call it at once. A merchant who runs a migration tool of their own applies the
//! same files with it instead (each is idempotent). The tables:
//!
//! - `paykit_payment_records`: one row per `(provider, provider_payment_id)`; `document` is
//!   [`PaymentRecord::to_json`](paykit_core::PaymentRecord::to_json) verbatim. A write locks
//!   the row, merges over it with
//!   [`PaymentRecord::merged_over`](paykit_core::PaymentRecord::merged_over) and writes back,
//!   so nothing recorded is lost and no state goes backwards, whoever writes.
//! - `paykit_claims`: one row per claimed key, with its owner and expiry by the database's
//!   clock.
//!
//! ## Errors
//!
//! Every failure is [`paykit_core::Error::Store`] with backend `"postgres"`. Its message never
//! quotes a stored or bound value: a server error is reduced to its SQLSTATE code. While the
//! database is down an operation fails within the pool's acquire timeout (2 s with
//! [`PgStores::connect`]).
//!
//! ## TLS
//!
//! Off by default (tests and same-host databases need none). The `rustls` feature enables TLS
//! through rustls on aws-lc-rs with Mozilla's roots; ask for it in the URL with
//! `?sslmode=verify-full` (or `require`).

// No panicking shortcuts in library code, as in paykit-core: a store error is a value.
#![deny(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable,
    clippy::unwrap_used
)]

mod claims;
mod error;
mod migrate;
mod records;
mod sql_time;
mod stores;

pub use claims::PgClaimStore;
pub use records::PgPaymentRecords;
pub use stores::PgStores;

/// The sqlx this crate is built on, for [`PgStores::from_pool`]'s pool.
pub use sqlx;
