//! Timing loops: run an operation for a time budget and count.
//!
//! Results are integers (operations and nanoseconds), so the JSON carries no rounding and the
//! caller derives rates and ratios without floating point.

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Operations done and the time they took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Measurement {
    /// Operations completed.
    pub(crate) ops: u64,
    /// Nanoseconds they took, together.
    pub(crate) elapsed_ns: u128,
}

impl Measurement {
    /// `{"ops":..,"elapsed_ns":..}`.
    pub(crate) fn to_json(self) -> Value {
        json!({"ops": self.ops, "elapsed_ns": u64::try_from(self.elapsed_ns).unwrap_or(u64::MAX)})
    }
}

/// Operations run before the clock starts: connections opened, tokens fetched, caches warm.
const WARM_UP: u64 = 20;

/// How many operations between two looks at the clock: reading it costs tens of nanoseconds,
/// which would weigh on a microsecond operation if done every time.
const BATCH: u64 = 16;

/// Runs `op` (its argument: the running count) until `budget` has passed, after a warm-up;
/// stops at the first error.
pub(crate) async fn run_for<F, Fut, E>(budget: Duration, mut op: F) -> Result<Measurement, E>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    for i in 0..WARM_UP {
        op(i).await?;
    }
    let started = Instant::now();
    let mut ops = 0_u64;
    loop {
        for _ in 0..BATCH {
            op(ops).await?;
            ops = ops.saturating_add(1);
        }
        let elapsed = started.elapsed();
        if elapsed >= budget {
            return Ok(Measurement {
                ops,
                elapsed_ns: elapsed.as_nanos(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn it_counts_whole_batches_until_the_budget_is_spent() {
        let mut seen = Vec::new();
        let measured = run_for(Duration::from_millis(20), |i| {
            seen.push(i);
            async {
                tokio::time::sleep(Duration::from_micros(200)).await;
                Ok::<(), ()>(())
            }
        })
        .await
        .unwrap();
        assert!(measured.elapsed_ns >= 20_000_000, "{measured:?}");
        assert_eq!(measured.ops % BATCH, 0);
        assert!(measured.ops >= BATCH);
        assert_eq!(seen.len() as u64, WARM_UP + measured.ops);
        assert_eq!(seen.last().copied(), Some(measured.ops - 1));
    }

    #[tokio::test]
    async fn the_first_error_stops_the_run() {
        let mut calls = 0_u32;
        let result = run_for(Duration::from_secs(60), |i| {
            calls += 1;
            async move { if i == 30 { Err(i) } else { Ok(()) } }
        })
        .await;
        assert_eq!(result, Err(30));
        assert_eq!(calls, 20 + 31);
    }

    #[test]
    fn the_json_has_both_integers() {
        let m = Measurement {
            ops: 3,
            elapsed_ns: 1_500,
        };
        assert_eq!(m.to_json(), json!({"ops": 3, "elapsed_ns": 1500}));
    }
}
