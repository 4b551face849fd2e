//! Running every fixture of a provider against its client and failing once, at the end,
//! with every failure listed.

mod callbacks;
mod filter;
mod outcome;
mod scenarios;
mod summary;

pub use callbacks::{check_callbacks, run_callbacks};
pub use filter::{Filter, SCENARIO_FILTER_ENV};
pub use outcome::{Described, SCENARIO_TIMEOUT, compare};
pub use scenarios::{check_provider, run_provider, unknown_operation};
pub use summary::Summary;

/// Prints one progress line (shown with `--nocapture`).
#[expect(
    clippy::print_stderr,
    reason = "progress of a test run, for the developer"
)]
fn progress(verdict: &str, what: &str) {
    eprintln!("{verdict:<6} {what}");
}

#[cfg(test)]
mod tests;
