//! # paykit-redis
//!
//! paykit's shared state (DESIGN.md §9) on one Redis server, for a fleet of processes: the
//! four store traits of [`paykit_core::store`] over one connection that reconnects by itself.
//!
//! - [`RedisTokenStore`] ([`paykit_core::TokenStore`]): one access token per provider account
//!   for the whole fleet, and the lock that makes its refresh single flight;
//! - [`RedisClaimStore`] ([`paykit_core::ClaimStore`]): "this callback is handled", claimed
//!   atomically, for [`paykit_core::store::handle_once`];
//! - [`RedisPaymentRecords`] ([`paykit_core::PaymentRecords`]): what paykit asked each
//!   provider to do and learned, merged atomically, with an index of the unsettled ones;
//! - [`RedisSessionStore`] ([`paykit_core::SessionStore`]): rotating customer token pairs,
//!   changed by compare-and-swap.
//!
//! ```no_run
//! use paykit_core::SecretString;
//! use paykit_redis::{RedisConfig, RedisStores};
//!
//! # async fn run() -> paykit_core::Result<()> {
//! let stores = RedisStores::connect("redis://:password@redis.internal:6379/0", RedisConfig::default()).await?;
//! let maib = paykit_maib::MaibClient::builder("project-id", SecretString::from("project-secret"))
//!     .token_store(stores.tokens())
//!     .payment_records(stores.records())
//!     .build()?;
//! # drop(maib);
//! # Ok(()) }
//! ```
//!
//! ## Keys
//!
//! Every key starts with [`RedisConfig::key_prefix`] (`paykit:` by default), written `{prefix}`:
//!
//! | key | type | holds | expires |
//! | --- | --- | --- | --- |
//! | `{prefix}token:{provider}:{account}` | string | the shared token as JSON: `id`, `access_token`, `issued_at_ms`, `expires_at_ms`, `refresh_token`, `refresh_expires_at_ms` | when the token does |
//! | `{prefix}token-lock:{provider}:{account}` | string | the refresh lock holder's random owner id | after the lock's ttl |
//! | `{prefix}claim:{key}` | string | `claimed:{owner}` while handled, `done` after | claim ttl, then the keep-done time |
//! | `{prefix}record:{provider}:{provider_payment_id}` | string | [`paykit_core::PaymentRecord::to_json`] | never |
//! | `{prefix}records:unsettled` | sorted set | one member per unsettled record: the JSON array `["{provider}","{provider_payment_id}"]`, scored by its `updated_at` in Unix ms | never (members leave when settled) |
//! | `{prefix}session:{id}` | string | JSON `{revision, access_token, refresh_token, expires_at, refreshing: {owner, until_ms} \| null, ended: string \| null}` | never (removed on logout or end) |
//!
//! Access tokens, refresh tokens and iPay payment hashes are stored in clear: protect the
//! server (a password or ACL user, TLS with the `tls` feature, a private network).
//!
//! ## Failures
//!
//! Every Redis failure is a [`paykit_core::Error::Store`] with backend `"redis"`, whose message
//! names the failure's kind only (never a key's value, never the URL). No call waits longer
//! than [`RedisConfig::timeout`] (2 s by default), reconnecting included. A write that timed
//! out may still have been applied; each is safe to repeat (records merge, a session swap
//! re-reads on conflict). What the caller does with the error is documented with each trait in
//! core: the token cache fetches for itself, [`paykit_core::store::handle_once`] refuses to run
//! unclaimed, and an adapter that cannot record a payment that moved money returns
//! [`paykit_core::Error::NotRecorded`].
//!
//! Scripts touch more than one key (a record and the index), so Redis Cluster is not supported;
//! a single server, with replicas or Sentinel, is.

// No panic in library code (issue 11), as in paykit-core.
#![deny(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable,
    clippy::unwrap_used
)]

mod claims;
mod config;
mod connection;
mod error;
mod keys;
mod records;
mod scripts;
mod session_doc;
mod sessions;
mod stores;
mod token_doc;
mod tokens;

pub use claims::RedisClaimStore;
pub use config::RedisConfig;
pub use records::RedisPaymentRecords;
pub use sessions::RedisSessionStore;
pub use stores::RedisStores;
pub use tokens::RedisTokenStore;
