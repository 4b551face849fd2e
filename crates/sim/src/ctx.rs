//! What every simulated provider shares: the clock, the callback dispatcher, its base URL.

use std::sync::Arc;

use crate::callback::Dispatcher;
use crate::clock::SimClock;
use crate::ledger::LedgerBook;

/// A provider's view of the simulator.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) clock: Arc<SimClock>,
    pub(crate) dispatcher: Dispatcher,
    /// `http://host:port` of this provider's listener, without a trailing slash.
    pub(crate) base_url: String,
    /// What the providers actually did, for [`crate::Simulator::ledger`].
    pub(crate) ledger: LedgerBook,
}
