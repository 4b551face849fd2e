//! Injected faults: added latency, a rate of 5xx answers, and dropped callbacks.

use std::sync::Mutex;
use std::time::Duration;

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

/// The current faults, shared by every listener and the callback dispatcher.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    current: Mutex<Faults>,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            current: Mutex::new(faults),
        }
    }

    pub(crate) fn get(&self) -> Faults {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set(&self, faults: Faults) {
        *self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = faults;
    }
}
