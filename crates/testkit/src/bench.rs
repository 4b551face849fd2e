//! What every `benches/verify.rs` needs besides its own two sides (DESIGN.md §7): polling a
//! verification that never waits, timing a round of calls, the median of per-round ratios, a
//! fixture file, and the one verdict line `cargo xtask bench` reads.
//!
//! Ratios, not times, are the targets, and each bench alternates its sides round by round, so
//! drift on a busy machine hits both alike. The arithmetic on the timings stays in the benches
//! (library code here does none).
//!
//! ```
//! use paykit_testkit::bench::{median, ready, timed};
//!
//! let answer = ready(async { 42 });
//! assert_eq!(answer, 42);
//! let round = timed(1000, || {
//!     std::hint::black_box(answer);
//! });
//! assert!(round.as_nanos() > 0);
//! assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
//! ```

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Polls `future` once: a verification that has nothing to await (no records, a fixed or
/// cached key) is ready at the first poll.
///
/// # Panics
///
/// When the future is not ready: the bench would then time something other than it claims.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a verification timed as ready awaited something"),
    }
}

/// How long `calls` calls of `call` take, back to back.
pub fn timed(calls: usize, mut call: impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..calls {
        call();
    }
    started.elapsed()
}

/// The median of `values` (the upper one of an even count), sorting them in place; `None`
/// when there are none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// The text of `fixtures/<path>` in the workspace whose crate directory is `manifest_dir`
/// (a bench passes `env!("CARGO_MANIFEST_DIR")`).
///
/// # Panics
///
/// When the file cannot be read, naming it.
pub fn fixture(manifest_dir: &str, path: &str) -> String {
    let path = format!("{manifest_dir}/../../fixtures/{path}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Prints the verdict line `cargo xtask bench` collects (`<name> = <ratio> (target <= <target>)
/// PASS|FAIL`) and says whether the target was met.
pub fn verdict(name: &str, ratio: f64, target: f64) -> bool {
    let pass = ratio <= target;
    let word = if pass { "PASS" } else { "FAIL" };
    #[allow(clippy::print_stdout)] // The line is the bench's output.
    {
        println!("{name} = {ratio:.3} (target <= {target:.2}) {word}");
    }
    pass
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_value_whatever_the_order() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5.0]), Some(5.0));
        assert_eq!(median(&mut [9.0, 1.0, 5.0, 7.0, 3.0]), Some(5.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(3.0));
    }

    #[test]
    fn a_target_is_met_up_to_and_including_it() {
        assert!(verdict("x_ratio", 1.10, 1.10));
        assert!(verdict("x_ratio", 0.5, 1.10));
        assert!(!verdict("x_ratio", 1.11, 1.10));
    }

    #[test]
    #[should_panic(expected = "awaited something")]
    fn a_future_that_waits_is_refused() {
        ready(std::future::pending::<()>());
    }

    #[test]
    fn a_fixture_is_read_from_the_workspace() {
        let text = fixture(env!("CARGO_MANIFEST_DIR"), "maib/keys/signature_key.txt");
        assert!(!text.trim().is_empty());
    }
}
