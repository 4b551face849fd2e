//! What every simulated provider shares: the clock, the callback dispatcher, its base URL.

use std::sync::Arc;

use crate::callback::Dispatcher;
use crate::clock::SimClock;
use crate::ledger::{LedgerBook, LedgerProvider};

/// A provider's view of the simulator.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) clock: Arc<SimClock>,
    pub(crate) dispatcher: Dispatcher,
    /// `http://host:port` of this provider's listener, without a trailing slash.
    pub(crate) base_url: String,
    /// What the providers actually did, for [`crate::Simulator::ledger`].
    pub(crate) ledger: LedgerBook,
    /// How long settled payments are remembered (`None`: forever).
    pub(crate) horizon_ms: Option<u64>,
    /// Whether evicting a payment also drops its ledger record.
    pub(crate) ledger_follows_eviction: bool,
}

impl Ctx {
    /// After `provider` evicted `payment_ids`: drops their ledger records too, when the
    /// simulator was configured so.
    pub(crate) fn evicted(&self, provider: LedgerProvider, payment_ids: &[String]) {
        if self.ledger_follows_eviction && !payment_ids.is_empty() {
            self.ledger.forget(provider, payment_ids);
        }
    }
}
