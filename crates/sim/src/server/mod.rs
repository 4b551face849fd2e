//! The HTTP side: one hyper listener per provider, fault injection, and the provider trait.

mod listener;
mod request;
mod response;

pub(crate) use listener::{Listener, bind};
pub(crate) use request::SimRequest;
pub(crate) use response::SimResponse;

/// One simulated provider, as the listener sees it.
pub(crate) trait Provider: Send + Sync + std::fmt::Debug + 'static {
    /// Answers one request. Never panics, whatever the request holds.
    fn handle(&self, req: &SimRequest) -> SimResponse;

    /// Whether `req` is a customer-facing page (exempt from injected faults).
    fn is_page(&self, req: &SimRequest) -> bool;

    /// The provider-shaped answer to an injected server fault.
    fn fault_response(&self) -> SimResponse;

    /// Moves time-driven state forward (expiry), as of the simulator clock.
    fn sweep(&self);
}
