//! Injected faults: added latency, a rate of 5xx answers (before or after processing), a rate
//! of 429 answers, dropped, badly signed, duplicated and reordered callbacks, and a token
//! endpoint that fails for a while; and a count of every fault injected, per provider, so a
//! soak can say how hard it was hit.

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
    /// Percentage (0..=100) of API requests answered with HTTP 429 instead of being
    /// processed. Only providers with a rate-limit answer of their own take part (today the
    /// Bank of Georgia Payments API); the others ignore it.
    pub rate_limited_percent: u8,
    /// Percentage (0..=100) of header-signed callbacks (the Payments API's
    /// `Callback-Signature`) sent with a signature that does not verify.
    pub bad_signature_callbacks_percent: u8,
    /// Percentage (0..=100) of header-signed callbacks delivered twice, byte for byte.
    pub duplicate_callbacks_percent: u8,
    /// Percentage (0..=100) of header-signed callbacks held back and delivered after the
    /// provider's next callback (or after two seconds when no other comes): out-of-order
    /// delivery.
    pub reorder_callbacks_percent: u8,
}

/// The longest a reordered callback is held back waiting for a later one to overtake it.
pub(crate) const REORDER_HOLD: Duration = Duration::from_secs(2);

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

    /// Sets the percentage of API requests answered with HTTP 429.
    #[must_use]
    pub fn with_rate_limited(mut self, percent: u8) -> Self {
        self.rate_limited_percent = percent.min(100);
        self
    }

    /// Sets the percentage of header-signed callbacks sent with a bad signature.
    #[must_use]
    pub fn with_bad_callback_signatures(mut self, percent: u8) -> Self {
        self.bad_signature_callbacks_percent = percent.min(100);
        self
    }

    /// Sets the percentage of header-signed callbacks delivered twice.
    #[must_use]
    pub fn with_duplicate_callbacks(mut self, percent: u8) -> Self {
        self.duplicate_callbacks_percent = percent.min(100);
        self
    }

    /// Sets the percentage of header-signed callbacks delivered out of order.
    #[must_use]
    pub fn with_reordered_callbacks(mut self, percent: u8) -> Self {
        self.reorder_callbacks_percent = percent.min(100);
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
    /// API requests answered with HTTP 429.
    pub rate_limited: u64,
    /// Callbacks sent with a signature that does not verify.
    pub bad_signatures: u64,
    /// Callbacks delivered a second time.
    pub duplicated_callbacks: u64,
    /// Callbacks held back so a later one overtook them.
    pub reordered_callbacks: u64,
}

impl FaultCounts {
    /// Every fault injected, added up.
    pub fn total(&self) -> u64 {
        self.delayed
            .saturating_add(self.failed_before)
            .saturating_add(self.failed_after)
            .saturating_add(self.token_failed)
            .saturating_add(self.dropped_callbacks)
            .saturating_add(self.rate_limited)
            .saturating_add(self.bad_signatures)
            .saturating_add(self.duplicated_callbacks)
            .saturating_add(self.reordered_callbacks)
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
    RateLimited,
    BadSignature,
    DuplicatedCallback,
    ReorderedCallback,
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
            Injected::RateLimited => &mut c.rate_limited,
            Injected::BadSignature => &mut c.bad_signatures,
            Injected::DuplicatedCallback => &mut c.duplicated_callbacks,
            Injected::ReorderedCallback => &mut c.reordered_callbacks,
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
