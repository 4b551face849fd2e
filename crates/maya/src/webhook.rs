//! Callbacks: Maya sends none for Mini App payments (spec §8.1). Execute answers synchronously
//! and finally; the only inbound call is the Session URL push, handled by
//! [`SessionPush`](crate::SessionPush), which is not a payment event.

use async_trait::async_trait;
use paykit_core::{Error, Result, VerifiedEvent, Webhook, WebhookRequest};

use crate::PROVIDER;

/// The [`Webhook`] of Maya Mini App payments: every request is answered with
/// [`Error::Unsupported`], because Maya documents no payment callbacks for this product. Do not
/// treat an inbound request claiming to be one as authentic.
///
/// ```
/// use paykit_core::{Webhook, WebhookRequest};
/// use paykit_maya::MayaWebhook;
///
/// # async fn demo() {
/// let verdict = MayaWebhook.verify(&WebhookRequest::body_only(b"{}")).await;
/// assert!(matches!(verdict, Err(paykit_core::Error::Unsupported { .. })));
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MayaWebhook;

#[async_trait]
impl Webhook for MayaWebhook {
    async fn verify(&self, _request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        Err(Error::unsupported(
            PROVIDER,
            "webhooks: Maya sends no callbacks for Mini App payments; execute's answer is final",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_request_is_unsupported() {
        for body in [
            &b""[..],
            b"{\"id\":\"x\",\"status\":\"PAYMENT_SUCCESS\"}",
            b"\xff",
        ] {
            let err = MayaWebhook
                .verify(&WebhookRequest::body_only(body))
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Unsupported { .. }), "{err}");
        }
    }
}
