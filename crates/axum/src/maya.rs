//! Maya's Session URL (feature `maya`, maya.md §4.1): Maya posts a customer's token pair; the
//! route stores it and answers `{"sessionId": "..."}` with a fresh single-use id.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use paykit_core::{Error, SessionStore, WebhookRequest};
use paykit_maya::{MayaClient, SessionPush, SessionReply};
use tracing::Instrument;

use crate::CallbackRoutes;
use crate::answer::refusal;
use crate::body::read_limited;
use crate::classify::summary;
use crate::outcome::CallbackOutcome;
use crate::routes::Mount;
use crate::trace::{callback_span, finish};

impl CallbackRoutes {
    /// Maya's Session URL at `path`: the pushed token pair is checked
    /// ([`SessionPush`]: JSON, both tokens, `expiresAt`), stored in `sessions` under a fresh
    /// random UUIDv4 ([`MayaClient::store_session`]: one compare-and-swap, nothing sent to
    /// Maya), and the answer is `200 {"sessionId": "<id>"}`. Maya appends the id to the
    /// landing page's URL; the landing page opens the session with
    /// [`MayaClient::shared_session`] and should remove it from `sessions` once opened (the
    /// id is single use).
    ///
    /// The handler is not called: a session push is not a payment event. A body that is not
    /// a token pair is answered 400, one over the body limit 413, a store that cannot be
    /// reached 503. The tokens and the session id never appear in logs.
    pub fn maya_session(
        self,
        path: &str,
        client: MayaClient,
        sessions: Arc<dyn SessionStore>,
    ) -> Self {
        self.mount(Mount::MayaSession {
            path: path.to_owned(),
            route: SessionRoute {
                client,
                sessions,
                path: String::new(),
                body_limit: 0,
            },
        })
    }
}

/// The Session URL route.
pub(crate) struct SessionRoute {
    client: MayaClient,
    sessions: Arc<dyn SessionStore>,
    path: String,
    body_limit: usize,
}

impl SessionRoute {
    /// The route as mounted at `path` with `body_limit`.
    pub(crate) fn mounted(self, path: &str, body_limit: usize) -> Self {
        SessionRoute {
            path: path.to_owned(),
            body_limit,
            ..self
        }
    }

    async fn answer(&self, request: Request) -> (CallbackOutcome, Response) {
        let (parts, body) = request.into_parts();
        let bytes = match read_limited(&parts.headers, body, self.body_limit).await {
            Ok(bytes) => bytes,
            Err(outcome) => return (outcome, refusal(outcome)),
        };
        let request = WebhookRequest::new(&parts.headers, &bytes);
        let push = match SessionPush::parse_request_within(&request, self.body_limit) {
            Ok(push) => push,
            Err(error) => {
                tracing::warn!(
                    reason = summary(&error).as_str(),
                    "Session URL push refused"
                );
                return (
                    CallbackOutcome::Malformed,
                    refusal(CallbackOutcome::Malformed),
                );
            }
        };
        let reply = match SessionReply::generate() {
            Ok(reply) => reply,
            Err(error) => {
                tracing::error!(reason = summary(&error).as_str(), "no session id");
                return (
                    CallbackOutcome::Misconfigured,
                    refusal(CallbackOutcome::Misconfigured),
                );
            }
        };
        let request_reference = push.request_reference().map(str::to_owned);
        let stored = self
            .client
            .store_session(
                self.sessions.clone(),
                reply.session_id(),
                push.into_tokens(),
            )
            .await;
        if let Err(error) = stored {
            let outcome = match error {
                Error::InvalidInput { .. } => CallbackOutcome::Misconfigured,
                _ => CallbackOutcome::StoreFailed,
            };
            tracing::warn!(
                reason = summary(&error).as_str(),
                "the pushed customer session could not be stored"
            );
            return (outcome, refusal(outcome));
        }
        tracing::debug!(
            request_reference = request_reference.as_deref(),
            "customer session stored"
        );
        let mut response = (StatusCode::OK, reply.body()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(SessionReply::CONTENT_TYPE),
        );
        (CallbackOutcome::Handled, response)
    }
}

impl fmt::Debug for SessionRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRoute")
            .field("path", &self.path)
            .field("sessions", &self.sessions)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// The axum handler of the Session URL.
pub(crate) async fn serve_session(
    State(route): State<Arc<SessionRoute>>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let span = callback_span(Some("maya"), &route.path);
    let (outcome, response) = route.answer(request).instrument(span.clone()).await;
    finish(&span, outcome, Some(response.status()), started);
    response
}
