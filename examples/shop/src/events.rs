//! What a verified callback does to an order: the shop's side of paykit-axum's
//! `CallbackHandler`. paykit-axum has checked the signature (or asked the provider), claimed
//! the callback so a duplicate never reaches here twice, and answers the provider only after
//! this returns `Ok`.

use std::fmt;
use std::sync::Arc;

use paykit_core::{PaymentOutcome, VerifiedEvent};

use crate::orders::Order;
use crate::provider::Provider;
use crate::state::ShopState;

/// Why a callback could not be processed now; the provider is answered with a 5xx and sends
/// it again (where it retries at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError(String);

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EventError {}

/// Marks orders from callbacks.
#[derive(Debug, Clone)]
pub struct ShopEvents {
    state: Arc<ShopState>,
}

impl ShopEvents {
    pub(crate) fn new(state: Arc<ShopState>) -> Self {
        ShopEvents { state }
    }

    /// Applies `event` to its order: the payment's new status, and fulfilment when it became
    /// paid. An event only signed, not confirmed (maib and miaPOS sign values, not names:
    /// DESIGN.md §8), is confirmed here by asking the provider before anything is believed.
    pub async fn on_event(&self, event: &VerifiedEvent) -> Result<(), EventError> {
        let Some(payment) = event.payment() else {
            tracing::info!(provider = %event.provider, "callback about no payment; nothing to do");
            return Ok(());
        };
        let Some(provider) = Provider::ALL.into_iter().find(|p| p.id() == event.provider) else {
            return Err(EventError(format!(
                "callback from {}, not a provider of this shop",
                event.provider
            )));
        };
        let order = self.order_of(provider, payment)?;
        let confirmed = if event.is_fit_for_fulfilment() {
            event.clone()
        } else {
            self.confirm(provider, event, payment).await?
        };
        let Some(payment) = confirmed.payment() else {
            return Ok(());
        };
        let update = self
            .state
            .book
            .update(&order.id, &payment.status, "callback");
        self.state
            .book
            .callback_handled(&order.id, &confirmed.dedupe_key);
        tracing::info!(
            order = %order.id,
            status = %payment.status,
            changed = update.changed,
            fulfilled = update.fulfilled,
            "callback applied"
        );
        Ok(())
    }

    /// The order of the payment a callback names. Unknown: answered with an error, so that a
    /// callback racing the shop's own record of the payment is sent again.
    ///
    /// Maya's gateway created a checkout, whose id the order keeps, and its webhooks name the
    /// payment behind it: that order is found by the reference the shop gave (its order id).
    fn order_of(&self, provider: Provider, payment: &PaymentOutcome) -> Result<Order, EventError> {
        let by_reference = || {
            payment
                .order_id
                .as_deref()
                .and_then(|id| self.state.book.get(id))
                .filter(|order| order.provider == provider && provider == Provider::MayaCheckout)
        };
        self.state
            .book
            .find_payment(provider, &payment.provider_payment_id)
            .or_else(by_reference)
            .ok_or_else(|| {
                EventError(format!(
                    "no order has {provider} payment {}",
                    payment.provider_payment_id
                ))
            })
    }

    /// Asks the provider about the payment and cross-checks the event against its answer.
    async fn confirm(
        &self,
        provider: Provider,
        event: &VerifiedEvent,
        payment: &PaymentOutcome,
    ) -> Result<VerifiedEvent, EventError> {
        let client = self
            .state
            .clients
            .payments(provider)
            .ok_or_else(|| EventError(format!("{provider} cannot be asked about a payment")))?;
        let queried = client
            .get_payment(&payment.provider_payment_id)
            .await
            .map_err(|e| EventError(format!("could not confirm with {provider}: {e}")))?;
        event
            .clone()
            .confirm_with(&queried)
            .map_err(|e| EventError(format!("{provider} does not confirm the callback: {e}")))
    }
}
