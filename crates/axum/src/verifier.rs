//! One route's verification: the webhook, what it accepts, how it confirms, its body limit.

use std::fmt;
use std::sync::Arc;

use axum::extract::Request;
use http::HeaderMap;
use paykit_core::{VerifiedEvent, Webhook, WebhookRequest};

use crate::body::read_limited;
use crate::check::{Check, Unchecked, WebhookCheck};
use crate::classify::{Phase, outcome_of, summary};
use crate::confirm::{Accept, Confirm};
use crate::outcome::CallbackOutcome;

/// How one callback route turns a request into a [`VerifiedEvent`]: the raw body within its
/// limit, the webhook's verification over it and the headers, and, when the route accepts
/// only confirmed events, confirmation by asking the provider.
///
/// It is the state of the [`Verified`](crate::Verified) extractor and the first half of every
/// route of [`CallbackRoutes`](crate::CallbackRoutes). Cheap to clone.
///
/// ```
/// use std::sync::Arc;
/// use paykit_axum::{Accept, CallbackVerifier};
/// use paykit_core::{Error, Result, SignatureError, VerifiedEvent, Webhook, WebhookRequest, async_trait};
///
/// struct RefuseAll;
///
/// #[async_trait]
/// impl Webhook for RefuseAll {
///     async fn verify(&self, _: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
///         Err(Error::Signature(SignatureError::Mismatch))
///     }
/// }
///
/// let verifier = CallbackVerifier::new(Arc::new(RefuseAll), Accept::Signed).body_limit(4096);
/// assert_eq!(verifier.accepts(), Accept::Signed);
/// ```
#[derive(Clone)]
pub struct CallbackVerifier {
    check: Arc<dyn Check>,
    confirm: Option<Arc<dyn Confirm>>,
    accept: Accept,
    body_limit: Option<usize>,
    provider: Option<&'static str>,
}

impl CallbackVerifier {
    /// Verifies with `webhook` and lets through what `accept` says. With
    /// [`Accept::Confirmed`], events the webhook returns only signed need a confirmer
    /// ([`CallbackVerifier::confirm_with`]); a webhook that confirms by itself (iPay's
    /// `BogWebhook`) needs none.
    pub fn new(webhook: Arc<dyn Webhook>, accept: Accept) -> Self {
        CallbackVerifier::with_check(Arc::new(WebhookCheck(webhook)), accept)
    }

    /// Verifies with a provider's own check (one that tells a replay from a forgery).
    pub(crate) fn with_check(check: Arc<dyn Check>, accept: Accept) -> Self {
        CallbackVerifier {
            check,
            confirm: None,
            accept,
            body_limit: None,
            provider: None,
        }
    }

    /// Confirms signed events through `confirm` before they are let through (with
    /// [`Accept::Confirmed`]; [`Accept::Signed`] does not confirm).
    pub fn confirm_with(mut self, confirm: Arc<dyn Confirm>) -> Self {
        self.confirm = Some(confirm);
        self
    }

    /// Lets through what `accept` says.
    pub fn accept(mut self, accept: Accept) -> Self {
        self.accept = accept;
        self
    }

    /// Refuses bodies over `bytes` (413) before reading them whole. Unset, a route uses
    /// [`CallbackRoutes::body_limit`](crate::CallbackRoutes::body_limit) and the extractor
    /// [`paykit_core::MAX_CALLBACK_BYTES`].
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Names the provider in the logs of callbacks refused before their provider is known (a
    /// body too large, a forged signature). The provider helpers set it.
    pub fn provider(mut self, name: &'static str) -> Self {
        self.provider = Some(name);
        self
    }

    /// What is let through.
    pub fn accepts(&self) -> Accept {
        self.accept
    }

    /// The provider named for logs, if any.
    pub fn provider_name(&self) -> Option<&'static str> {
        self.provider
    }

    pub(crate) fn limit_or(&self, default: usize) -> usize {
        self.body_limit.unwrap_or(default)
    }

    /// Verifies a body already read: the webhook's check over `body` and `headers`, then
    /// confirmation as [`Accept`] says. On refusal, the outcome to answer with; the reason is
    /// logged (at `warn`, without any value of the callback). A delivery the provider's check
    /// knows as a replay (Maya's gateway: a nonce seen before) is
    /// [`CallbackOutcome::Replayed`], which is answered with success and handled by no one.
    pub async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedEvent, CallbackOutcome> {
        let request = WebhookRequest::new(headers, body);
        let event = match self.check.check(&request).await {
            Ok(event) => event,
            Err(Unchecked::Refused(error)) => return Err(refused(&error, Phase::Verify)),
            Err(Unchecked::Replayed) => {
                tracing::info!(
                    outcome = CallbackOutcome::Replayed.as_str(),
                    "an authentic delivery was accepted before; acknowledged, not handled again"
                );
                return Err(CallbackOutcome::Replayed);
            }
        };
        if self.accept == Accept::Signed || event.is_fit_for_fulfilment() {
            return Ok(event);
        }
        let Some(confirm) = &self.confirm else {
            tracing::error!(
                provider = event.provider.as_str(),
                "the route accepts only confirmed events, but its webhook returned one it did \
                 not confirm and the route has no confirmer (CallbackVerifier::confirm_with)"
            );
            return Err(CallbackOutcome::Misconfigured);
        };
        let confirmed = confirm
            .confirm(event)
            .await
            .map_err(|error| refused(&error, Phase::Confirm))?;
        if !confirmed.is_fit_for_fulfilment() {
            tracing::warn!(
                provider = confirmed.provider.as_str(),
                dedupe_key = confirmed.dedupe_key.as_str(),
                "an authentic callback could not be confirmed (an event kind this version does \
                 not read, or a payment whose state depends on records paykit lacks); reconcile \
                 the payment"
            );
            return Err(CallbackOutcome::ConfirmationFailed);
        }
        Ok(confirmed)
    }

    /// Reads the request's body within `limit` and verifies it.
    pub(crate) async fn verify_request(
        &self,
        request: Request,
        limit: usize,
    ) -> Result<VerifiedEvent, CallbackOutcome> {
        let (parts, body) = request.into_parts();
        let bytes = read_limited(&parts.headers, body, limit).await?;
        self.verify(&parts.headers, &bytes).await
    }
}

/// The outcome of `error`, logged.
fn refused(error: &paykit_core::Error, phase: Phase) -> CallbackOutcome {
    let outcome = outcome_of(error, phase);
    tracing::warn!(
        outcome = outcome.as_str(),
        reason = summary(error).as_str(),
        "callback not verified"
    );
    outcome
}

impl fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("provider", &self.provider)
            .field("accept", &self.accept)
            .field("confirms", &self.confirm.is_some())
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}
