//! What paykit remembers (DESIGN.md §9): small store traits with in-memory defaults.
//!
//! Providers forget things a merchant needs, and a merchant runs more than one process:
//!
//! - [`PaymentRecords`]: what paykit asked each provider to do and what it learned (maib's
//!   `pay-info` cannot tell a hold from a payment, iPay's details show no refunds), so the states
//!   it reports are true; the [reconciler](crate::reconcile) sweeps the unsettled ones;
//! - [`TokenStore`]: one access token per provider account for the whole fleet, refreshed by one
//!   instance at a time;
//! - [`ClaimStore`]: "this callback is handled", claimed atomically, so a callback delivered to
//!   two instances causes one side effect ([`handle_once`]);
//! - [`SessionStore`]: rotating customer token pairs, changed by compare-and-swap.
//!
//! The in-memory implementations suit tests and single-process tools; a fleet puts the stores
//! on a shared engine (the `paykit-redis` and `paykit-postgres` crates).

mod claims;
mod merge;
mod record_json;
mod records;
mod sessions;
mod tokens;

pub use claims::{
    Claim, ClaimConfig, ClaimOutcome, ClaimStore, Handled, InMemoryClaimStore, handle_once,
};
pub use merge::status_rank;
pub use records::{
    Flow, InMemoryPaymentRecords, PaymentRecord, PaymentRecords, RefundRecord, RefundState,
    whole_millis,
};
pub use sessions::{
    InMemorySessionStore, SessionLease, SessionStore, StoredSession, SwapOutcome, Versioned,
};
pub use tokens::{
    InMemoryTokenStore, RefreshLease, SharedToken, TokenKey, TokenStore, random_id, unix_millis,
};
