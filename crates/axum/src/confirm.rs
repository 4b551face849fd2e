//! Which events a route lets through to the handler (DESIGN.md §8), and how a signed event is
//! confirmed by asking the provider.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use paykit_core::{Error, PaymentProvider, Result, VerifiedEvent};

/// Which events reach the handler.
///
/// A signature proves who sent the bytes, not what each field means where the provider signs
/// values only (maib, miaPOS): an event is fit for fulfilment once its payment id, amount,
/// currency and state were confirmed by asking the provider
/// ([`VerifiedEvent::is_fit_for_fulfilment`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accept {
    /// Every authentic event, signed-only ones included: the handler must check
    /// [`VerifiedEvent::is_fit_for_fulfilment`] before it ships anything. The route does not
    /// confirm (a confirmer, if set, is not used).
    Signed,
    /// Only events fit for fulfilment. A signed event is confirmed through the route's
    /// [`Confirm`] ([`CallbackVerifier::confirm_with`](crate::CallbackVerifier::confirm_with));
    /// when the provider cannot be asked, the callback is answered 503 and delivered again.
    /// An event that is neither confirmed by its webhook nor confirmable (no confirmer) never
    /// reaches the handler: answered 500 and logged as a misconfiguration.
    Confirmed,
}

/// Turns a signed event into a confirmed one by asking the provider about its payment.
///
/// Implemented for the provider clients whose callbacks are only signed (`MaibClient` with the
/// `maib` feature, `MiaPos` with `miapos`, `BogPaymentsClient` with `bog-payments`,
/// `MayaCheckoutClient` with `maya-checkout`), and by [`ConfirmByQuery`] for any
/// [`PaymentProvider`].
#[async_trait]
pub trait Confirm: Send + Sync + 'static {
    /// The event, confirmed (its payment as the provider answers it), or why not:
    /// `Error::Integrity` when the provider's answer contradicts it, the query's own error when
    /// the provider could not be asked. An event kind the confirmer cannot read may come back
    /// unchanged (still only signed); the route refuses it.
    async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent>;
}

/// [`Confirm`] for any provider: `get_payment` of the event's payment id, then core's
/// [`VerifiedEvent::confirm_with`]. Provider clients that check more (miaPOS also compares the
/// order id) implement [`Confirm`] themselves; prefer theirs.
#[derive(Clone)]
pub struct ConfirmByQuery {
    provider: Arc<dyn PaymentProvider>,
}

impl ConfirmByQuery {
    /// Confirms through `provider`'s `get_payment`.
    pub fn new(provider: Arc<dyn PaymentProvider>) -> Self {
        ConfirmByQuery { provider }
    }
}

impl fmt::Debug for ConfirmByQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfirmByQuery")
            .field("provider", &self.provider.id())
            .finish()
    }
}

#[async_trait]
impl Confirm for ConfirmByQuery {
    async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        if event.provider != self.provider.id() {
            return Err(Error::invalid_input(
                "event",
                format!(
                    "a {} event cannot be confirmed by asking {}",
                    event.provider,
                    self.provider.id()
                ),
            ));
        }
        let Some(claimed) = event.payment() else {
            return Ok(event);
        };
        let queried = self
            .provider
            .get_payment(&claimed.provider_payment_id)
            .await?;
        event.confirm_with(&queried)
    }
}
