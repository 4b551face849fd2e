//! When and how long to wait before trying a call again.

use std::time::Duration;

use http::HeaderMap;
use reqwest::StatusCode;

/// Backoff for retryable failures: exponential with full jitter, `Retry-After` honoured.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Upper bound of the first backoff.
    pub base_delay: Duration,
    /// Upper bound of any backoff.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the response is returned instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets [`RetryPolicy::max_attempts`].
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets [`RetryPolicy::base_delay`] and [`RetryPolicy::max_delay`].
    pub fn delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// The jittered backoff before attempt `attempt + 1` (attempts count from 1).
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(random_u64() % ceiling_ms.saturating_add(1))
    }

    /// How long to wait before retrying a response with this status, or `None` if it must not
    /// be retried (not a transient status, or a `Retry-After` beyond the limit).
    pub(crate) fn delay_for_status(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        attempt: u32,
    ) -> Option<Duration> {
        if !is_transient_status(status) {
            return None;
        }
        match retry_after(headers) {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt)),
        }
    }
}

/// 429 and the 5xx statuses that mean "try later".
pub(crate) fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` as a wait from now: delta-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    super::retry_after::retry_after_at(headers, std::time::SystemTime::now())
}

/// The longest wait a [`FailureBackoff`] ever gives, whatever it is configured with.
const MAX_FAILURE_BACKOFF: Duration = Duration::from_secs(24 * 60 * 60);

/// The wait after consecutive failures of something whose failure is remembered (a token or a
/// key fetch): `base` doubled per failure up to `max`, then jittered into `[ceiling/2, ceiling]`
/// so that clients which failed together do not come back together.
///
/// ```
/// use std::time::Duration;
/// use paykit_core::http::FailureBackoff;
///
/// let backoff = FailureBackoff::new(Duration::from_secs(1), Duration::from_secs(8));
/// let third = backoff.wait(3);
/// assert!(third >= Duration::from_secs(2) && third <= Duration::from_secs(4));
/// assert!(backoff.wait(u32::MAX) <= Duration::from_secs(8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureBackoff {
    /// The ceiling after the first failure.
    pub base: Duration,
    /// The largest ceiling.
    pub max: Duration,
}

impl FailureBackoff {
    /// A back-off from `base` up to `max` (at least `base`).
    pub fn new(base: Duration, max: Duration) -> Self {
        FailureBackoff { base, max }
    }

    /// The wait after the `streak`-th consecutive failure (counted from 1).
    pub fn wait(&self, streak: u32) -> Duration {
        let doubling = 1_u32
            .checked_shl(streak.saturating_sub(1).min(16))
            .unwrap_or(1);
        let ceiling = self
            .base
            .saturating_mul(doubling)
            .min(self.max.max(self.base))
            .min(MAX_FAILURE_BACKOFF);
        let half = ceiling.checked_div(2).unwrap_or_default();
        let spread = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        let offset = random_u64()
            .checked_rem(spread.saturating_add(1))
            .unwrap_or(0);
        half.saturating_add(Duration::from_millis(offset))
    }
}

/// A random number from the system RNG (for jitter).
pub(crate) fn random_u64() -> u64 {
    let mut bytes = [0_u8; 8];
    // The system RNG only fails if the OS has none; a zero then just means "no wait".
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let policy =
            RetryPolicy::default().delays(Duration::from_millis(100), Duration::from_millis(300));
        for attempt in 1..10 {
            assert!(policy.backoff(attempt) <= Duration::from_millis(300));
        }
        assert!(policy.backoff(1) <= Duration::from_millis(100));
    }

    #[test]
    fn retry_after_is_honoured_within_the_limit() {
        let policy = RetryPolicy::default();
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(
            policy.delay_for_status(StatusCode::TOO_MANY_REQUESTS, &headers, 1),
            Some(Duration::from_secs(2))
        );
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from_static("3600"));
        assert_eq!(
            policy.delay_for_status(StatusCode::TOO_MANY_REQUESTS, &headers, 1),
            None
        );
    }

    #[test]
    fn client_errors_are_not_transient() {
        let policy = RetryPolicy::default();
        for status in [400, 401, 404, 409, 422] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(policy.delay_for_status(status, &HeaderMap::new(), 1), None);
        }
    }
}
