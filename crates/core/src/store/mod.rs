//! What paykit remembers (DESIGN.md §9): small store traits with in-memory defaults.
//!
//! Providers forget things a merchant needs: maib's `pay-info` cannot tell a hold from a
//! payment, iPay's details show no refunds. paykit writes down what it asked each provider to do
//! and what it learned, in [`PaymentRecords`], so that the states it reports are true. The
//! in-memory implementation suits tests and single-process tools; a fleet puts the records on a
//! shared engine (the `paykit-redis` and `paykit-postgres` crates).

mod records;

pub use records::{
    Flow, InMemoryPaymentRecords, PaymentRecord, PaymentRecords, RefundRecord, RefundState,
};
