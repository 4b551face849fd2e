//! What a route asks to verify a request: the common [`Webhook`], or a provider's own check
//! when the common error cannot say what the route must answer.

use std::sync::Arc;

use async_trait::async_trait;
use paykit_core::{Error, VerifiedEvent, Webhook, WebhookRequest};

/// Why a check let nothing through.
pub(crate) enum Unchecked {
    /// Not verified: the error says why, and the route answers as [`crate::classify`] says.
    Refused(Error),
    /// An authentic delivery already accepted once (Maya's gateway: a signature nonce seen
    /// before). The provider must get a 2xx, and nothing may run again: the common
    /// [`Webhook::verify`] reports it as an error like any refusal, so the provider helper
    /// asks its native check instead.
    #[cfg_attr(not(feature = "maya-checkout"), allow(dead_code))]
    Replayed,
}

/// A request's verification, as one route needs it.
#[async_trait]
pub(crate) trait Check: Send + Sync + 'static {
    /// The authentic event, or why not.
    async fn check(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent, Unchecked>;
}

/// Any [`Webhook`]: its errors are refusals.
pub(crate) struct WebhookCheck(pub(crate) Arc<dyn Webhook>);

#[async_trait]
impl Check for WebhookCheck {
    async fn check(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent, Unchecked> {
        self.0.verify(request).await.map_err(Unchecked::Refused)
    }
}
