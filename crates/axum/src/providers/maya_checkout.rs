//! Maya's payment gateway (feature `maya-checkout`): v1-signed webhooks with a timestamp window
//! and a nonce replay cache, confirmed by re-reading the payment.

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use paykit_core::{Result, VerifiedEvent, WebhookRequest};
use paykit_maya_checkout::{KeyKind, MayaCheckoutClient, MayaCheckoutWebhook, PROVIDER, Product};

use crate::check::{Check, Unchecked};
use crate::{Accept, Answer, CallbackRoutes, CallbackVerifier, Confirm, RouteError};

#[async_trait]
impl Confirm for MayaCheckoutClient {
    /// [`MayaCheckoutClient::confirm`]: the payment is read again (P1, with the secret key; a
    /// legacy checkout body by its checkout, C2) and its id, amount, currency and state must
    /// agree. Maya's records can trail its webhooks: an error here is answered 503 and Maya
    /// delivers again.
    async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        MayaCheckoutClient::confirm(self, event).await
    }
}

/// The native check, which tells a replayed nonce from a refusal: the common
/// `Webhook::verify` reports both as errors.
struct MayaCheckoutCheck(MayaCheckoutWebhook);

#[async_trait]
impl Check for MayaCheckoutCheck {
    async fn check(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent, Unchecked> {
        match self.0.check(request).await {
            Ok(delivery) => Ok(delivery.to_event()),
            Err(error) if error.is_replay() => Err(Unchecked::Replayed),
            Err(error) => Err(Unchecked::Refused(error.into())),
        }
    }
}

impl CallbackVerifier {
    /// The gateway's verification: `webhook` checks the v1 signature (any of its keys, either
    /// number rendering), the timestamp window and the nonce cache, then `client` confirms the
    /// event by reading the payment back ([`Accept::Confirmed`]): v1 does not bind values to
    /// names (maya-checkout.md §6.4.2 step 6), so only a confirmed event is fit for
    /// fulfilment. A nonce the cache has seen is [`CallbackOutcome::Replayed`](crate::CallbackOutcome::Replayed):
    /// answered with success, never handled.
    ///
    /// Share the nonce cache across a fleet with `MayaCheckoutWebhook::nonce_store`.
    pub fn maya_checkout(webhook: MayaCheckoutWebhook, client: MayaCheckoutClient) -> Self {
        CallbackVerifier::with_check(Arc::new(MayaCheckoutCheck(webhook)), Accept::Confirmed)
            .confirm_with(Arc::new(client))
            .provider(PROVIDER.as_str())
    }
}

impl CallbackRoutes {
    /// The gateway's webhook route at `path` ([`CallbackVerifier::maya_checkout`]): the
    /// handler sees confirmed events only. The answer is 200 with an empty body
    /// ([`Answer::empty`]): Maya wants a 2xx and ignores the body (maya-checkout.md §6.2), so
    /// no answer of its own is needed. A replayed nonce is answered the same and handled by no one; a
    /// forged, stale or unsigned delivery 401; a failed confirmation 503, so Maya delivers
    /// again (four attempts over about 65 minutes; each attempt is signed with a fresh
    /// nonce, maya-checkout.md §6.3).
    ///
    /// [`CallbackRoutes::into_router`] refuses with [`RouteError::Unusable`] a webhook
    /// without keys (it would refuse every delivery) and a client without the secret key for
    /// payment retrieval (it could confirm none).
    pub fn maya_checkout(
        self,
        path: &str,
        webhook: MayaCheckoutWebhook,
        client: MayaCheckoutClient,
    ) -> Self {
        let unusable = |reason| RouteError::Unusable {
            path: path.to_owned(),
            reason,
        };
        if webhook.config().keys.is_empty() {
            return self.problem(unusable(
                "the Maya webhook has no keys (WebhookKeys::maya, or with_pem for the \
                 simulator's), so it cannot verify deliveries",
            ));
        }
        if !client.has_key(Product::Payments, KeyKind::Secret) {
            return self.problem(unusable(
                "the Maya client has no secret key for payment retrieval (KeyPair::new or \
                 product_keys for Product::Payments), so it cannot confirm deliveries",
            ));
        }
        let verifier = CallbackVerifier::maya_checkout(webhook, client);
        self.route(path, verifier, Answer::empty(StatusCode::OK))
    }
}
