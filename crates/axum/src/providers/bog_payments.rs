//! Bank of Georgia Payments API (feature `bog-payments`): RSA-signed callbacks
//! (`Callback-Signature`), confirmed with `GET /receipt/{order_id}`.

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use paykit_bog_payments::{BogPaymentsClient, BogPaymentsWebhook, PROVIDER};
use paykit_core::{Result, VerifiedEvent};

use crate::{Accept, Answer, CallbackRoutes, CallbackVerifier, Confirm};

#[async_trait]
impl Confirm for BogPaymentsClient {
    /// [`BogPaymentsClient::confirm_event`]: the receipt is read again and the payment id,
    /// amount, currency and state must agree with the callback's.
    async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        self.confirm_event(event).await
    }
}

impl CallbackVerifier {
    /// The Payments API's verification: `webhook` checks `Callback-Signature` (RSA SHA-256
    /// over the raw bytes, against the client's callback keys) before reading the body, and
    /// the order against the client's payment records (amount, currency, reference); then
    /// `client` confirms the event with the receipt ([`Accept::Confirmed`]). The signature
    /// covers every byte, but BOG's integrators re-read the receipt before granting value
    /// (bog-payments.md §7.5), and so does this route; when BOG cannot be asked the callback
    /// is answered 503.
    ///
    /// `webhook` is usually `client.webhook()`; build it with
    /// `accept_unrecorded_orders()` for orders created outside this client's records.
    pub fn bog_payments(webhook: BogPaymentsWebhook, client: BogPaymentsClient) -> Self {
        CallbackVerifier::new(Arc::new(webhook), Accept::Confirmed)
            .confirm_with(Arc::new(client))
            .provider(PROVIDER.as_str())
    }
}

impl CallbackRoutes {
    /// The Payments API's callback route at `path` ([`CallbackVerifier::bog_payments`] with
    /// the client's own webhook): the handler sees confirmed events only. The answer is 200
    /// with an empty body ([`Answer::empty`]): BOG wants a 200 once the result is stored and
    /// takes any body (bog-payments.md §7.3), so no answer of its own is needed. BOG documents no
    /// retries, so keep a reconciler polling unfinished orders; a refusal (401 for a bad
    /// signature, 503 when the receipt cannot be read) is only a hint for the resends BOG
    /// may make.
    ///
    /// A client always has a callback key (its builder refuses to build without one), so
    /// this route cannot be left unable to verify. Orders must be in the client's payment
    /// records (share them across a fleet with `payment_records`); for orders created
    /// elsewhere mount [`CallbackVerifier::bog_payments`] with
    /// `client.webhook().accept_unrecorded_orders()` through [`CallbackRoutes::route`].
    pub fn bog_payments(self, path: &str, client: BogPaymentsClient) -> Self {
        let verifier = CallbackVerifier::bog_payments(client.webhook(), client);
        self.route(path, verifier, Answer::empty(StatusCode::OK))
    }
}
