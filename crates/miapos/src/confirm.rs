//! Confirming a callback by asking miaPOS (issue 10 §3, DESIGN.md §8).
//!
//! A valid signature proves miaPOS produced the *values* of a callback's `result`, not which
//! field each value belongs to: the signature covers the values in key order, not the names.
//! The shape checks of `webhook/shape.rs` pin most of them, but a merchant should not fulfil on
//! a signature alone. The confirmed path re-queries `GET /payment/{paymentId}` (an unsigned
//! answer over TLS from the API itself) and accepts the callback only when the payment id,
//! order id, amount, currency and state agree with miaPOS's own answer; the event then carries
//! that answer and is [`Authenticity::Confirmed`](paykit_core::Authenticity::Confirmed).

use paykit_core::{Error, Result, VerifiedEvent, WebhookRequest};

use crate::webhook::dedupe_key;
use crate::{MiaPos, PROVIDER};

impl MiaPos {
    /// Verifies a callback (signature and field shapes) and confirms it with
    /// `GET /payment/{paymentId}`: the event to fulfil from
    /// ([`VerifiedEvent::is_fit_for_fulfilment`] is true).
    ///
    /// Errors: [`Error::Signature`] for a forged, tampered or malformed callback (answer 400);
    /// [`Error::Integrity`] when miaPOS's answer contradicts the callback (a relabelled or
    /// replayed body: answer 400, and reconcile the payment by polling); the status query's
    /// own error when miaPOS could not be asked (answer 5xx and reconcile by polling).
    ///
    /// ```no_run
    /// use paykit_core::WebhookRequest;
    /// use paykit_miapos::MiaPos;
    ///
    /// # async fn run(client: &MiaPos, body: &[u8]) -> paykit_core::Result<()> {
    /// let event = client.verify_confirmed(&WebhookRequest::body_only(body)).await?;
    /// assert!(event.is_fit_for_fulfilment());
    /// # Ok(()) }
    /// ```
    pub async fn verify_confirmed(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        let event = self.inner.webhook.verify_event(request).await?;
        self.confirm(event).await
    }

    /// Confirms a signed miaPOS event (from [`paykit_core::Webhook::verify`]) with
    /// `GET /payment/{paymentId}`. The payment id, order id, amount, currency and state must
    /// agree with miaPOS's answer ([`VerifiedEvent::confirm_with`] plus the order id); the
    /// returned event carries that answer, and its dedupe key names the confirmed state.
    pub async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        if event.provider != PROVIDER {
            return Err(Error::invalid_input(
                "event",
                format!("is a {} event, not a miaPOS one", event.provider),
            ));
        }
        let Some(claimed) = event.payment() else {
            // Not a payment event: there is nothing miaPOS could confirm.
            return Ok(event);
        };
        let queried = self.payment(&claimed.provider_payment_id).await?;
        let answered = queried.to_outcome();
        if answered.amount.is_none() {
            // confirm_with compares amounts only when both are known: an answer whose amount
            // cannot be read confirms nothing.
            return Err(Error::Integrity {
                provider: PROVIDER,
                field: "amount".into(),
                expected: "an MDL amount with at most 2 decimals".to_owned(),
                actual: format!("{} {}", queried.amount, queried.currency),
            });
        }
        if claimed.order_id != answered.order_id {
            return Err(Error::Integrity {
                provider: PROVIDER,
                field: "orderId".into(),
                expected: answered.order_id.unwrap_or_default(),
                actual: claimed.order_id.clone().unwrap_or_default(),
            });
        }
        let mut confirmed = event.confirm_with(&answered)?;
        confirmed.dedupe_key = dedupe_key(&queried.payment_id, &queried.status);
        Ok(confirmed)
    }
}
