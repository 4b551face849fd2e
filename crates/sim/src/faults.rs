//! Injected faults: added latency, a rate of 5xx answers (before or after processing), a rate
//! of 429 answers, dropped, badly signed, duplicated and reordered callbacks, a token
//! endpoint that fails for a while, and, for Maya's signed webhooks, stale timestamps and
//! missing signature headers; and a count of every fault injected, per provider, so a soak
//! can say how hard it was hit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::lock::lock;
use crate::random;

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
    /// Percentage (0..=100) of header-signed callbacks sent with a signature that does not
    /// verify: the Payments API's `Callback-Signature` (rolled once per callback, so its
    /// resends repeat it) and Maya's `v1` webhook signature (rolled per attempt, as each
    /// attempt is signed afresh).
    pub bad_signature_callbacks_percent: u8,
    /// Percentage (0..=100) of Maya's signed webhook attempts whose timestamp is ten minutes
    /// in the past (outside the ±5 minute window).
    pub stale_timestamp_percent: u8,
    /// Percentage (0..=100) of header-signed callbacks delivered twice: byte for byte for the
    /// Payments API, with the same nonce for Maya (a replay the receiver's nonce cache must
    /// catch).
    pub duplicate_callbacks_percent: u8,
    /// Percentage (0..=100) of header-signed callbacks held back so a later one overtakes
    /// them: the Payments API holds one until the provider's next callback (or two seconds
    /// when no other comes); Maya's gateway delays it by a second.
    pub reorder_callbacks_percent: u8,
    /// Percentage (0..=100) of Maya's signed webhook attempts sent without the signature and
    /// timestamp headers (a delivery from before Maya signed webhooks).
    pub unsigned_callbacks_percent: u8,
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
    /// Sets the percentage of Maya's signed webhook attempts with a stale timestamp.
    #[must_use]
    pub fn with_stale_timestamps(mut self, percent: u8) -> Self {
        self.stale_timestamp_percent = percent.min(100);
        self
    }

    /// Sets the percentage of Maya's signed webhook attempts sent without signature headers.
    #[must_use]
    pub fn with_unsigned_callbacks(mut self, percent: u8) -> Self {
        self.unsigned_callbacks_percent = percent.min(100);
        self
    }

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

    /// Sets the percentage of header-signed callbacks (or Maya's webhook attempts) sent with a
    /// bad signature.
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
    /// Callbacks (or Maya webhook attempts) sent with a signature that does not verify.
    pub bad_signatures: u64,
    /// Webhook attempts sent with a stale timestamp.
    pub stale_timestamps: u64,
    /// Callbacks delivered a second time.
    pub duplicated_callbacks: u64,
    /// Callbacks held back so a later one overtook them.
    pub reordered_callbacks: u64,
    /// Webhook attempts sent without signature headers.
    pub unsigned_callbacks: u64,
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
            .saturating_add(self.stale_timestamps)
            .saturating_add(self.duplicated_callbacks)
            .saturating_add(self.reordered_callbacks)
            .saturating_add(self.unsigned_callbacks)
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
    StaleTimestamp,
    DuplicatedCallback,
    ReorderedCallback,
    UnsignedCallback,
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

    /// Rolls `fault` at its current percentage for `provider`, counting it when it hits:
    /// the one place a callback fault is decided, for every delivery path.
    pub(crate) fn roll(&self, provider: &'static str, fault: Injected) -> bool {
        let f = self.get();
        let percent = match fault {
            Injected::DroppedCallback => f.drop_callbacks_percent,
            Injected::RateLimited => f.rate_limited_percent,
            Injected::BadSignature => f.bad_signature_callbacks_percent,
            Injected::StaleTimestamp => f.stale_timestamp_percent,
            Injected::DuplicatedCallback => f.duplicate_callbacks_percent,
            Injected::ReorderedCallback => f.reorder_callbacks_percent,
            Injected::UnsignedCallback => f.unsigned_callbacks_percent,
            // Decided by the listener from latency, error rates and the token budget.
            Injected::Delayed
            | Injected::FailedBefore
            | Injected::FailedAfter
            | Injected::TokenFailed => 0,
        };
        let hit = random::hit(percent);
        if hit {
            self.count(provider, fault);
        }
        hit
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
            Injected::StaleTimestamp => &mut c.stale_timestamps,
            Injected::DuplicatedCallback => &mut c.duplicated_callbacks,
            Injected::ReorderedCallback => &mut c.reordered_callbacks,
            Injected::UnsignedCallback => &mut c.unsigned_callbacks,
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

    #[test]
    fn a_roll_counts_its_fault_once_when_it_hits_and_never_when_off() {
        let state = FaultState::new(
            Faults::none()
                .with_bad_callback_signatures(100)
                .with_stale_timestamps(100),
        );
        assert!(state.roll("maya-checkout", Injected::BadSignature));
        assert!(state.roll("maya-checkout", Injected::StaleTimestamp));
        assert!(!state.roll("maya-checkout", Injected::UnsignedCallback));
        assert!(!state.roll("bog-payments", Injected::DuplicatedCallback));
        let counts = state.counts("maya-checkout");
        assert_eq!((counts.bad_signatures, counts.stale_timestamps), (1, 1));
        assert_eq!(counts.total(), 2);
        assert_eq!(state.counts("bog-payments").total(), 0);
        // Listener faults are not rolled here.
        assert!(!state.roll("maib", Injected::Delayed));
    }
}
