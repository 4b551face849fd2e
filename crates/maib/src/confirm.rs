//! Confirming a callback by asking maib (issue 10 §3, DESIGN.md §8).
//!
//! maib's signature covers the values of `result` in key order, not their names, so a holder of
//! one genuine callback can relabel its values and keep the signature valid. A callback becomes
//! fit for fulfilment only when `pay-info`, asked directly, agrees with its payment id, amount,
//! currency and state: core's [`VerifiedEvent::confirm_with`] makes that comparison once for
//! every adapter, and marks the event [`paykit_core::Authenticity::Confirmed`].

use paykit_core::{Error, PaymentProvider, Result, VerifiedEvent, Webhook, WebhookRequest};

use crate::{MaibClient, PROVIDER};

impl MaibClient {
    /// Confirms a verified maib callback: queries `pay-info` for its payment (read with the
    /// flow in this client's records, as [`PaymentProvider::get_payment`] does) and returns
    /// the event marked confirmed, carrying maib's answer as its payment.
    ///
    /// Errors: [`Error::Integrity`] when maib's answer contradicts the callback (another
    /// amount, currency or state: a forgery or a stale notice), [`Error::Unsupported`] when
    /// the payment has no record and its state depends on whether it was a hold, and the
    /// errors of `pay-info` (retryable: answer maib non-200 and it delivers again). Events
    /// this version cannot read ([`paykit_core::EventKind::Unknown`]) come back unchanged,
    /// still only signed.
    pub async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        if event.provider != PROVIDER {
            return Err(Error::invalid_input(
                "event",
                format!("a {} event, not maib's", event.provider),
            ));
        }
        let Some(claimed) = event.payment() else {
            return Ok(event);
        };
        let queried = self.get_payment(&claimed.provider_payment_id).await?;
        event.confirm_with(&queried)
    }

    /// Verifies a callback ([`Webhook::verify`]) and confirms it ([`MaibClient::confirm`]):
    /// the path to fulfilment. Check [`VerifiedEvent::is_fit_for_fulfilment`] before shipping.
    pub async fn verify_confirmed(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        let event = Webhook::verify(self, request).await?;
        self.confirm(event).await
    }
}
