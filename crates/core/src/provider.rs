//! The common interface every provider implements, and the optional operations reached through
//! accessors so that "not supported" is visible before any call.

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::{ProviderId, Result};
use crate::money::Money;
use crate::outcome::PaymentOutcome;
use crate::request::{CardUsage, PaymentRequest, SavedCardCharge};

/// A payment provider: create a payment and ask about it. Everything else is optional.
///
/// ```no_run
/// use paykit_core::{Money, Currency, PaymentProvider, PaymentRequest, NextAction};
///
/// async fn checkout(provider: &dyn PaymentProvider) -> paykit_core::Result<()> {
///     let request = PaymentRequest::new(Money::parse("49.90", Currency::MDL)?).order_id("A-17");
///     let outcome = provider.create_payment(&request).await?;
///     if let NextAction::Redirect { url } = &outcome.next_action {
///         println!("send the customer to {url}");
///     }
///     if let Some(refunds) = provider.refund() {
///         refunds.refund(&outcome.provider_payment_id, None).await?;
///     }
///     Ok(())
/// }
/// ```
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// The provider's identifier.
    fn id(&self) -> ProviderId;

    /// What it supports.
    fn capabilities(&self) -> &Capabilities;

    /// Registers a payment. The outcome usually asks for a customer action.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome>;

    /// The current state of a payment.
    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome>;

    /// Two-step capture, when supported.
    fn capture(&self) -> Option<&dyn Capture> {
        None
    }

    /// Refunds, when supported.
    fn refund(&self) -> Option<&dyn Refund> {
        None
    }

    /// Releasing an authorization, when supported.
    fn void(&self) -> Option<&dyn Void> {
        None
    }

    /// Stored cards, when supported.
    fn recurring(&self) -> Option<&dyn Recurring> {
        None
    }
}

/// Capturing an authorized (two-step) payment.
///
/// Mapping rules for adapters: `None` means the whole authorized amount. A provider that needs
/// the amount on the wire takes it from the payment records the client keeps when it has
/// them, and otherwise reads the payment first (one extra read, declared as a read, never a
/// guess). An answer that only acknowledges the capture is [`PaymentOutcome::accepted`].
#[async_trait]
pub trait Capture: Send + Sync {
    /// Captures `amount`, or the whole authorization when `None`.
    async fn capture(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome>;
}

/// Returning money to the customer.
///
/// Mapping rules for adapters: a refund of an authorized payment that was never captured is
/// not a refund. Where the provider's refund call releases a hold, send it and report what the
/// provider says (usually [`PaymentStatus::Cancelled`](crate::PaymentStatus::Cancelled));
/// where it does not, refuse before I/O with `Error::InvalidInput` on `provider_payment_id`
/// pointing at [`Void`]. An answer that only acknowledges the refund is
/// [`PaymentOutcome::accepted`].
#[async_trait]
pub trait Refund: Send + Sync {
    /// Refunds `amount`, or everything still refundable when `None`.
    async fn refund(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome>;
}

/// Releasing an authorization without capturing it.
///
/// Mapping rules for adapters: a cancel whose answer names no state (an empty 2xx, an
/// acknowledgement) is [`PaymentOutcome::accepted`], never an invented `Cancelled`.
#[async_trait]
pub trait Void: Send + Sync {
    /// Cancels the authorization.
    async fn void(&self, provider_payment_id: &str) -> Result<PaymentOutcome>;
}

/// Stored cards: save one during a payment, charge it later, forget it.
#[async_trait]
pub trait Recurring: Send + Sync {
    /// Starts a payment that also stores the card for `usage`. The card reference arrives in
    /// [`PaymentOutcome::saved_card`] once the customer has paid (status query or callback).
    async fn save_card(&self, request: &PaymentRequest, usage: CardUsage)
    -> Result<PaymentOutcome>;

    /// Charges a stored card.
    async fn charge_saved_card(&self, charge: &SavedCardCharge) -> Result<PaymentOutcome>;

    /// Deletes a stored card at the provider.
    async fn delete_saved_card(&self, card_id: &str) -> Result<()>;
}
