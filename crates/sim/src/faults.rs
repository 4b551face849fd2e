//! Injected faults: added latency, a rate of 5xx answers (before or after processing),
//! dropped callbacks and a token endpoint that fails for a while; and a count of every fault
//! injected, per provider, so a soak can say how hard it was hit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::lock::lock;

/// Faults the simulator injects. All off by default; change them at any time with
/// [`crate::Simulator::set_faults`].
///
/// Faults apply to the providers' API endpoints only. The customer pages (payment page,
/// checkout, approve link) and the simulator's own `/_sim/` control endpoints are never
/// faulted, so a demo can always complete a payment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Faults {
    /// Extra time to wait before answering each API request.
    pub latency: Duration,
    /// Percentage (0..=100, larger values count as 100) of API requests answered with a
    /// provider-shaped HTTP 5xx error instead of being processed.
    pub error_rate_percent: u8,
    /// Like `error_rate_percent`, but the request *is* processed first and only its answer is
    /// replaced by the 5xx: the outcome a client must treat as unknown and reconcile.
    pub error_after_processing_percent: u8,
    /// Percentage (0..=100) of callbacks that are never delivered.
    pub drop_callbacks_percent: u8,
    /// The token endpoint of each provider answers its next this many requests with a 5xx
    /// (counted from when these faults were set): an identity provider down for a while.
    pub token_failures: u32,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Sets the added latency.
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Sets the percentage of API requests answered with a 5xx before processing.
    #[must_use]
    pub fn with_error_rate(mut self, percent: u8) -> Self {
        self.error_rate_percent = percent.min(100);
        self
    }

    /// Sets the percentage of API requests processed and then answered with a 5xx.
    #[must_use]
    pub fn with_error_after_processing_rate(mut self, percent: u8) -> Self {
        self.error_after_processing_percent = percent.min(100);
        self
    }

    /// Sets the percentage of callbacks dropped.
    #[must_use]
    pub fn with_dropped_callbacks(mut self, percent: u8) -> Self {
        self.drop_callbacks_percent = percent.min(100);
        self
    }
}

impl Faults {
    /// Sets how many token requests each provider fails before its token endpoint recovers.
    #[must_use]
    pub fn with_token_failures(mut self, requests: u32) -> Self {
        self.token_failures = requests;
        self
    }
}

/// How many faults one provider's listener injected so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FaultCounts {
    /// API requests delayed by the latency fault.
    pub delayed: u64,
    /// API requests answered with a 5xx without being processed.
    pub failed_before: u64,
    /// API requests processed and then answered with a 5xx.
    pub failed_after: u64,
    /// Token requests failed by the token outage.
    pub token_failed: u64,
    /// Callbacks never delivered.
    pub dropped_callbacks: u64,
}

impl FaultCounts {
    /// Every fault injected, added up.
    pub fn total(&self) -> u64 {
        self.delayed
            .saturating_add(self.failed_before)
            .saturating_add(self.failed_after)
            .saturating_add(self.token_failed)
            .saturating_add(self.dropped_callbacks)
    }
}

/// Which fault was injected, for the counters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Injected {
    Delayed,
    FailedBefore,
    FailedAfter,
    TokenFailed,
    DroppedCallback,
}

/// The current faults, shared by every listener and the callback dispatcher.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    current: Mutex<Faults>,
    /// Token requests failed per provider since the faults were last set.
    token_failed: Mutex<HashMap<&'static str, u32>>,
    counts: Mutex<HashMap<&'static str, FaultCounts>>,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            current: Mutex::new(faults),
            ..Self::default()
        }
    }

    pub(crate) fn get(&self) -> Faults {
        lock(&self.current).clone()
    }

    pub(crate) fn set(&self, faults: Faults) {
        *lock(&self.current) = faults;
        lock(&self.token_failed).clear();
    }

    /// Whether `provider`'s next token request fails (and counts it when it does).
    pub(crate) fn token_outage(&self, provider: &'static str) -> bool {
        let budget = lock(&self.current).token_failures;
        let mut failed = lock(&self.token_failed);
        let so_far = failed.entry(provider).or_insert(0);
        if *so_far >= budget {
            return false;
        }
        *so_far = so_far.saturating_add(1);
        drop(failed);
        self.count(provider, Injected::TokenFailed);
        true
    }

    /// Counts one injected fault.
    pub(crate) fn count(&self, provider: &'static str, fault: Injected) {
        let mut counts = lock(&self.counts);
        let c = counts.entry(provider).or_default();
        let slot = match fault {
            Injected::Delayed => &mut c.delayed,
            Injected::FailedBefore => &mut c.failed_before,
            Injected::FailedAfter => &mut c.failed_after,
            Injected::TokenFailed => &mut c.token_failed,
            Injected::DroppedCallback => &mut c.dropped_callbacks,
        };
        *slot = slot.saturating_add(1);
    }

    /// The faults injected so far for `provider`.
    pub(crate) fn counts(&self, provider: &'static str) -> FaultCounts {
        lock(&self.counts)
            .get(provider)
            .copied()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_outage_fails_the_next_n_requests_per_provider_then_recovers() {
        let state = FaultState::new(Faults::none().with_token_failures(2));
        let maib: Vec<bool> = (0..4).map(|_| state.token_outage("maib")).collect();
        assert_eq!(maib, [true, true, false, false]);
        assert!(state.token_outage("bog"));
        assert_eq!(state.counts("maib").token_failed, 2);
        state.set(Faults::none().with_token_failures(1));
        assert!(state.token_outage("maib"));
        assert!(!state.token_outage("maib"));
    }
}
