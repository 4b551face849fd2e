//! Reconciliation by polling: ask until the payment reaches a final status or a deadline passes.
//!
//! Some providers send a callback once and never again (miaPOS); a lost callback, or a payment
//! whose creation ended with an unknown outcome, is settled by asking.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Result;
use crate::outcome::PaymentOutcome;
use crate::provider::PaymentProvider;

/// The shortest wait between two queries, whatever the config says: a zero interval must not
/// turn polling into a busy loop against the provider.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How often and how long to poll.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PollConfig {
    /// Wait before the second query.
    pub initial_interval: Duration,
    /// The wait doubles up to this.
    pub max_interval: Duration,
    /// Give up after this long.
    pub deadline: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            initial_interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
            deadline: Duration::from_secs(15 * 60),
        }
    }
}

impl PollConfig {
    /// A config with these intervals and deadline.
    pub fn new(initial_interval: Duration, max_interval: Duration, deadline: Duration) -> Self {
        PollConfig {
            initial_interval,
            max_interval: max_interval.max(initial_interval),
            deadline,
        }
    }
}

/// How polling ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// The payment reached a final status.
    Final(PaymentOutcome),
    /// The deadline passed; this is the last answer seen.
    TimedOut(PaymentOutcome),
}

/// Calls `query` until its outcome is final or `config.deadline` passes. Retryable errors
/// (timeouts, 5xx) are ridden out; any other error ends polling. When the deadline passes, the
/// last answer is returned as [`PollOutcome::TimedOut`], or the last error if there was none.
pub async fn poll_until_final<F, Fut>(config: &PollConfig, mut query: F) -> Result<PollOutcome>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<PaymentOutcome>>,
{
    let started = Instant::now();
    let ceiling = config.max_interval.max(MIN_POLL_INTERVAL);
    let mut interval = config.initial_interval.clamp(MIN_POLL_INTERVAL, ceiling);
    let mut last_answer: Option<PaymentOutcome> = None;
    loop {
        let answer = query().await;
        let out_of_time = started.elapsed().saturating_add(interval) > config.deadline;
        match answer {
            Ok(outcome) if outcome.status.is_final() => return Ok(PollOutcome::Final(outcome)),
            Ok(outcome) if out_of_time => return Ok(PollOutcome::TimedOut(outcome)),
            Ok(outcome) => last_answer = Some(outcome),
            Err(error) if !error.is_retryable() => return Err(error),
            Err(error) if out_of_time => {
                return match last_answer {
                    Some(outcome) => Ok(PollOutcome::TimedOut(outcome)),
                    None => Err(error),
                };
            }
            Err(_) => {}
        }
        tokio::time::sleep(interval).await;
        interval = interval.saturating_mul(2).min(ceiling);
    }
}

/// [`poll_until_final`] over [`PaymentProvider::get_payment`].
pub async fn poll_payment(
    provider: &dyn PaymentProvider,
    provider_payment_id: &str,
    config: &PollConfig,
) -> Result<PollOutcome> {
    poll_until_final(config, || provider.get_payment(provider_payment_id)).await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::outcome::PaymentStatus;

    async fn pending(queries: &AtomicUsize) -> Result<PaymentOutcome> {
        queries.fetch_add(1, Ordering::SeqCst);
        Ok(PaymentOutcome::new("p", PaymentStatus::Pending))
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_interval_does_not_busy_loop() {
        let queries = AtomicUsize::new(0);
        let config = PollConfig::new(Duration::ZERO, Duration::ZERO, Duration::from_secs(1));
        let outcome = poll_until_final(&config, || pending(&queries))
            .await
            .unwrap();
        assert!(matches!(outcome, PollOutcome::TimedOut(_)));
        // One query per MIN_POLL_INTERVAL at most: 1 s / 100 ms, plus the first.
        assert!(queries.load(Ordering::SeqCst) <= 11, "{queries:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn huge_intervals_and_deadlines_do_not_overflow() {
        let queries = AtomicUsize::new(0);
        let config = PollConfig::new(Duration::MAX, Duration::MAX, Duration::from_secs(5));
        let outcome = poll_until_final(&config, || pending(&queries))
            .await
            .unwrap();
        assert!(matches!(outcome, PollOutcome::TimedOut(_)));
        assert_eq!(queries.load(Ordering::SeqCst), 1);
        let long = PollConfig::new(
            Duration::from_secs(u64::MAX / 4),
            Duration::MAX,
            Duration::MAX,
        );
        let finished = tokio::time::timeout(
            Duration::from_secs(1),
            poll_until_final(&long, || async {
                Ok(PaymentOutcome::new("p", PaymentStatus::Captured))
            }),
        )
        .await;
        assert!(matches!(finished, Ok(Ok(PollOutcome::Final(_)))));
    }
}
