//! The extractor for merchants who write their own route.

use std::fmt;
use std::time::Instant;

use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use paykit_core::{MAX_CALLBACK_BYTES, VerifiedEvent};
use tracing::Instrument;

use crate::answer::refusal;
use crate::outcome::CallbackOutcome;
use crate::trace::{callback_span, finish, record_event};
use crate::verifier::CallbackVerifier;

/// A verified callback, extracted from the raw body and headers by the route's
/// [`CallbackVerifier`] (the state, or part of it through [`FromRef`]).
///
/// The extractor verifies (and confirms, per the verifier's [`Accept`](crate::Accept)); it does
/// not claim the callback: call [`paykit_core::store::handle_once`] with
/// [`claim_key`](crate::claim_key) before acting, as [`CallbackRoutes`](crate::CallbackRoutes)
/// does. A refusal answers with [`CallbackRejection`]: 413, 400, 401 or 5xx as the
/// [`CallbackOutcome`] says; a replayed delivery ([`CallbackOutcome::Replayed`], Maya's
/// gateway) is turned away too, answered 200 `ok`, so the merchant's code never sees it. It
/// must be the handler's last argument (it takes the body).
///
/// ```no_run
/// use std::sync::Arc;
/// use axum::{Router, routing::post};
/// use paykit_axum::{Accept, CallbackVerifier, Verified};
/// use paykit_core::Webhook;
///
/// async fn maib_callback(Verified(event): Verified) -> &'static str {
///     assert!(event.is_fit_for_fulfilment()); // Accept::Confirmed
///     // claim event.dedupe_key, record the payment, then:
///     "OK"
/// }
///
/// # fn app(client: paykit_maib::MaibClient) -> Router {
/// let verifier = CallbackVerifier::new(Arc::new(client.clone()), Accept::Confirmed)
///     .confirm_with(Arc::new(client));
/// Router::new().route("/maib/callback", post(maib_callback).with_state(verifier))
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified(pub VerifiedEvent);

/// Why [`Verified`] refused a request; answers with the outcome's status and a fixed phrase
/// (200 `ok` for a [`CallbackOutcome::Replayed`] delivery, which needs nothing more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackRejection {
    outcome: CallbackOutcome,
}

impl CallbackRejection {
    /// What was wrong.
    pub fn outcome(&self) -> CallbackOutcome {
        self.outcome
    }
}

impl fmt::Display for CallbackRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "callback refused: {}", self.outcome)
    }
}

impl std::error::Error for CallbackRejection {}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        refusal(self.outcome)
    }
}

impl<S> FromRequest<S> for Verified
where
    S: Send + Sync,
    CallbackVerifier: FromRef<S>,
{
    type Rejection = CallbackRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = CallbackVerifier::from_ref(state);
        let started = Instant::now();
        let span = callback_span(verifier.provider_name(), request.uri().path());
        let limit = verifier.limit_or(MAX_CALLBACK_BYTES);
        let verified = verifier
            .verify_request(request, limit)
            .instrument(span.clone())
            .await;
        match verified {
            Ok(event) => {
                record_event(&span, &event, verifier.provider_name());
                finish(&span, CallbackOutcome::Verified, None, started);
                Ok(Verified(event))
            }
            Err(outcome) => {
                let status = outcome.refusal_status().unwrap_or(StatusCode::OK);
                finish(&span, outcome, Some(status), started);
                Err(CallbackRejection { outcome })
            }
        }
    }
}
