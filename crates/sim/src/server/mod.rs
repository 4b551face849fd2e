//! The HTTP side: one hyper listener per provider, fault injection, and the provider trait.

mod listener;
mod request;
mod response;

pub(crate) use listener::{
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Limits, Listener, bind,
};
pub(crate) use request::SimRequest;
pub(crate) use response::SimResponse;

use crate::callback::Prepared;
use crate::trigger::TriggerError;

/// One simulated provider, as the listener sees it.
pub(crate) trait Provider: Send + Sync + std::fmt::Debug + 'static {
    /// Answers one request. Never panics, whatever the request holds.
    fn handle(&self, req: &SimRequest) -> SimResponse;

    /// Whether `req` is a customer-facing page (exempt from injected faults).
    fn is_page(&self, req: &SimRequest) -> bool;

    /// The provider's short name, as in the ledger and the fault counters.
    fn name(&self) -> &'static str;

    /// Whether `req` asks the provider's token endpoint for a merchant token (the target of
    /// the token-outage fault).
    fn is_token(&self, req: &SimRequest) -> bool;

    /// The provider-shaped answer to an injected server fault.
    fn fault_response(&self) -> SimResponse;

    /// The provider-shaped answer to an injected rate limit, for providers that take part
    /// in the 429 fault (`None`, the default: the fault skips this provider).
    fn rate_limited_response(&self) -> Option<SimResponse> {
        None
    }

    /// Moves time-driven state forward (expiry, eviction), as of the simulator clock,
    /// looking at no more than `budget` due payments.
    fn sweep(&self, budget: usize);

    /// How many payments the provider holds right now.
    fn live_payments(&self) -> usize;

    /// The callback `payment_id` has in its current state, built as its normal delivery
    /// builds it, addressed to `url` or else to the URL on record (see `crate::trigger` for
    /// which states have one). The default: a provider that sends no callbacks.
    fn prepare_callback(
        &self,
        payment_id: &str,
        url: Option<String>,
    ) -> Result<Prepared, TriggerError> {
        let _ = (payment_id, url);
        Err(TriggerError::NoCallbacks {
            provider: self.name(),
        })
    }
}
