//! Test infrastructure for paykit: the fixture format and its loader, wiremock mounting of
//! recorded interactions, the shared conformance list, the contract-test runner, independent
//! test signers for callbacks, and JSON descriptions of outcomes and errors.
//!
//! A provider crate's `tests/contract.rs` calls [`runner::run_provider`] and
//! [`runner::run_callbacks`]; see `fixtures/README.md` for the file format.

pub mod conformance;
pub mod fixture;
pub mod json;
pub mod mock;
pub mod runner;
pub mod signers;

pub use runner::{Described, run_callbacks, run_provider};
