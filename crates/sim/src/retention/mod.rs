//! How long the simulator remembers a payment, and the map that forgets them.
//!
//! Every provider keeps its payments in a [`Retained`] map. Besides the values it keeps a
//! min-heap of "look at this key again at" deadlines, one per key, so both time-driven
//! transitions (an unpaid payment timing out) and eviction cost a heap pop each, and a
//! request's sweep does a bounded number of them instead of walking every payment.

mod map;

pub(crate) use map::{Lifecycle, Retained};

use std::time::Duration;

/// The default horizon: settled payments are forgotten an hour (simulated time) after
/// their last change.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(3600);

/// How many due payments one request's sweep looks at, at most. [`crate::Simulator::advance`]
/// sweeps without a limit, so a clock jump is fully applied before it returns; real time
/// passing between requests makes only a handful due per request, which this covers.
pub(crate) const REQUEST_SWEEP_BUDGET: usize = 64;

/// How long the simulator remembers settled payments.
///
/// A payment is *settled* when time alone can no longer change it and it is not waiting
/// for a merchant's capture or release: every provider documents which of its statuses
/// count (see each provider module). Its callback, if any, went out at the transition (the
/// dispatcher sends a copy, so eviction never cancels one). A settled payment whose last
/// change is older than the horizon is evicted: a status query then answers the
/// provider's "not found", and a late refund is refused the same way, so the horizon is
/// also the refund window the simulator honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Retention {
    /// Never forget a payment (for tests that read old payments back).
    KeepAll,
    /// Forget settled payments whose last change is older than this.
    Horizon(Duration),
}

impl Default for Retention {
    fn default() -> Self {
        Self::Horizon(DEFAULT_RETENTION)
    }
}

impl Retention {
    /// The horizon in milliseconds, `None` for [`Retention::KeepAll`].
    pub(crate) fn horizon_ms(self) -> Option<u64> {
        match self {
            Self::KeepAll => None,
            Self::Horizon(d) => Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }
    }
}
