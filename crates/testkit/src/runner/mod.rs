//! Running every fixture of a provider against its client and failing once, at the end,
//! with every failure listed.

mod callbacks;
mod filter;
mod outcome;
mod scenarios;
mod summary;

pub use callbacks::{
    check_callbacks, check_confirmed_callbacks, run_callbacks, run_confirmed_callbacks,
};
pub use filter::{Filter, SCENARIO_FILTER_ENV};
pub use outcome::{Described, SCENARIO_TIMEOUT, compare};
pub use scenarios::{check_provider, check_scenario, run_provider, unknown_operation};
pub use summary::Summary;

/// What is left to do in a skeleton fixture (one whose description still starts with `TODO`,
/// as `cargo xtask new-provider` and `cargo xtask fixtures new` write them), or `None` for a
/// filled-in fixture. Skeletons fail without running: they hold no recording yet.
fn skeleton(description: &str, covers: &[String]) -> Option<String> {
    if !description.trim_start().starts_with("TODO") {
        return None;
    }
    let what: Vec<&str> = covers
        .iter()
        .filter_map(|name| crate::conformance::find(name))
        .map(|c| c.description.as_str())
        .collect();
    Some(if what.is_empty() {
        "a skeleton still to fill in: replace every TODO with a recorded interaction".to_owned()
    } else {
        format!(
            "a skeleton still to fill in: record an exchange where {}",
            what.join("; and where ")
        )
    })
}

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
