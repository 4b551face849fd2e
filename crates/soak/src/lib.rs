//! A fault soak of paykit: the simulator runs in-process with faults on (latency, 5xx before
//! and after processing, dropped callbacks, a token endpoint that fails for a while), and
//! every provider client (maib, miaPOS, iPay, Maya Mini App, the BOG Payments API, Maya's
//! gateway) drives payments, captures, voids and refunds concurrently through the common
//! traits and the native APIs. Every operation is attempted until its effect is known; an
//! outcome paykit reports as unknown is reconciled (status query, or the simulator's ledger
//! where no query can tell) before any new attempt, and a Payments API call is repeated only
//! under its first idempotency key. Maya's gateway refunds only from the next Manila day, so
//! its refunds run last, once the simulator's clock has moved on a day. At the end every
//! belief is compared with the simulator's ledger of what the providers actually did.
//!
//! The maib, iPay and Payments API clients share one payment-record store. Once the flows are
//! done the faults stop and core's `Reconciler` sweeps those records until a sweep changes
//! nothing; every record is then compared with the ledger too ([`RecordsReport`]). Maya's
//! gateway writes a store of its own, swept and compared the same way after its next-day
//! refunds.
//!
//! Two numbers must be zero: money moved that paykit reported as not moved, and operations
//! a provider performed twice. [`Report::passed`] says whether they are (and whether paykit
//! never claimed money moved when it did not, and no payment record contradicts the ledger).
//!
//! ```no_run
//! # async fn demo() -> Result<(), paykit_soak::SoakError> {
//! let report = paykit_soak::run(paykit_soak::SoakConfig::default()).await?;
//! println!("{report}");
//! assert!(report.passed());
//! # Ok(()) }
//! ```

mod check;
mod drive;
mod reconcile;
mod report;
mod rng;
mod run;

pub use report::{Finding, FindingKind, ProviderReport, RecordsReport, Report};
pub use run::{SoakConfig, SoakError, default_faults, run};

use std::sync::Arc;

/// What every flow shares.
#[derive(Debug)]
pub(crate) struct Env {
    pub(crate) sim: Arc<paykit_sim::Simulator>,
    /// The customer's browser.
    pub(crate) http: reqwest::Client,
    pub(crate) seed: u64,
    /// Where callbacks go: the simulator's own sink (the soak reconciles by query and ledger;
    /// callbacks are sent so that the dropped-callback fault has something to drop).
    pub(crate) callback_sink: String,
}
