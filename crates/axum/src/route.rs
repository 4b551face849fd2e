//! One callback route at work: verify, claim, run the handler, answer.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::response::Response;
use paykit_core::store::{ClaimConfig, ClaimStore, Handled, handle_once};
use paykit_core::{Error, VerifiedEvent};
use tracing::{Instrument, Span};

use crate::answer::{Answer, refusal};
use crate::classify::summary;
use crate::handler::{CallbackHandler, HandlerError};
use crate::outcome::CallbackOutcome;
use crate::trace::{callback_span, finish, record_event};
use crate::verifier::CallbackVerifier;

/// The key a callback is claimed under: `"{provider}:{dedupe_key}"`. Every delivery of one
/// callback has the same key; two providers' keys never collide.
///
/// ```
/// use paykit_axum::claim_key;
/// use paykit_core::{Authenticity, EventKind, ProviderId, VerifiedEvent};
///
/// let event = VerifiedEvent::new(
///     ProviderId("maib"),
///     Authenticity::Confirmed,
///     "pay-1:OK",
///     EventKind::Unknown { name: None, raw: String::new() },
/// );
/// assert_eq!(claim_key(&event), "maib:pay-1:OK");
/// ```
pub fn claim_key(event: &VerifiedEvent) -> String {
    format!("{}:{}", event.provider, event.dedupe_key)
}

/// Everything one mounted callback route needs.
pub(crate) struct CallbackRoute {
    pub(crate) path: String,
    pub(crate) verifier: CallbackVerifier,
    pub(crate) answer: Answer,
    pub(crate) body_limit: usize,
    pub(crate) handler: Arc<dyn CallbackHandler>,
    pub(crate) claims: Arc<dyn ClaimStore>,
    pub(crate) claim_config: ClaimConfig,
}

/// Why a claimed run did not finish.
enum Failure {
    /// The claim store could not be reached (nothing ran).
    Store(Error),
    /// The handler failed (its claim was released).
    Handler(HandlerError),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Store(error)
    }
}

/// The axum handler of a callback route.
pub(crate) async fn serve_callback(
    State(route): State<Arc<CallbackRoute>>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let span = callback_span(route.verifier.provider_name(), &route.path);
    let (outcome, response) = route.answer(request, &span).instrument(span.clone()).await;
    finish(&span, outcome, Some(response.status()), started);
    response
}

impl CallbackRoute {
    async fn answer(&self, request: Request, span: &Span) -> (CallbackOutcome, Response) {
        let event = match self.verifier.verify_request(request, self.body_limit).await {
            Ok(event) => event,
            // A replay is acknowledged with the route's success answer.
            Err(outcome) => return (outcome, self.respond(outcome)),
        };
        record_event(span, &event, self.verifier.provider_name());
        let outcome = self.handle_once(&event).await;
        (outcome, self.respond(outcome))
    }

    /// The success answer, or the outcome's refusal.
    fn respond(&self, outcome: CallbackOutcome) -> Response {
        match outcome.refusal_status() {
            None => self.answer.to_response(),
            Some(_) => refusal(outcome),
        }
    }

    /// Runs the handler under the callback's claim.
    async fn handle_once(&self, event: &VerifiedEvent) -> CallbackOutcome {
        let key = claim_key(event);
        let handled = handle_once(self.claims.as_ref(), &key, &self.claim_config, || async {
            self.handler.handle(event).await.map_err(Failure::Handler)
        })
        .await;
        match handled {
            Ok(Handled::Ran(())) => CallbackOutcome::Handled,
            Ok(Handled::AlreadyDone) => CallbackOutcome::Duplicate,
            Ok(Handled::InProgress) => CallbackOutcome::InProgress,
            Err(Failure::Store(error)) => {
                tracing::warn!(
                    reason = summary(&error).as_str(),
                    "the callback could not be claimed; the handler did not run"
                );
                CallbackOutcome::StoreFailed
            }
            Err(Failure::Handler(error)) => {
                tracing::warn!(
                    error = error.message(),
                    retryable = error.is_retryable(),
                    "the callback handler failed; its claim was released"
                );
                if error.is_retryable() {
                    CallbackOutcome::HandlerFailed
                } else {
                    CallbackOutcome::HandlerRefused
                }
            }
        }
    }
}
