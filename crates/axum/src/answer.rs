//! The success answer of a route: what the provider must receive once a callback is handled.

use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

use crate::outcome::CallbackOutcome;

/// The status and body a route answers a handled (or already handled) callback with. It must
/// be a 2xx: [`CallbackRoutes::into_router`](crate::CallbackRoutes::into_router) refuses any
/// other.
///
/// ```
/// use paykit_axum::Answer;
///
/// assert_eq!(Answer::maib().status(), 200);
/// assert_eq!(Answer::bog().body(), b"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

impl Answer {
    /// `status` with an empty body.
    pub fn empty(status: StatusCode) -> Self {
        Answer {
            status,
            content_type: None,
            body: Bytes::new(),
        }
    }

    /// `status` with a `text/plain` body.
    pub fn text(status: StatusCode, body: &'static str) -> Self {
        Answer {
            status,
            content_type: Some(HeaderValue::from_static("text/plain; charset=utf-8")),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    /// maib (maib.md §6.1): HTTP 200; anything else is delivered again after 10 s, 1 min,
    /// 5 min, 10 min, 1 h, 12 h and 24 h. The body is not read; `OK`, as maib's own plugins
    /// answer.
    pub fn maib() -> Self {
        Answer::text(StatusCode::OK, "OK")
    }

    /// miaPOS (miapos.md §3.7): HTTP 200 when processed. The callback is sent once and never
    /// retried; a refusal is only logged by miaPOS, so reconcile by polling. `OK`, as its
    /// plugins answer.
    pub fn miapos() -> Self {
        Answer::text(StatusCode::OK, "OK")
    }

    /// Bank of Georgia iPay (bog-ipay.md §7): HTTP 200 with an empty body; anything else is
    /// delivered again every 15 s, 5 attempts in all.
    pub fn bog() -> Self {
        Answer::empty(StatusCode::OK)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub(crate) fn to_response(&self) -> Response {
        let mut response = (self.status, self.body.clone()).into_response();
        if let Some(content_type) = &self.content_type {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type.clone());
        }
        response
    }
}

/// The answer to a refused callback: the outcome's status and a fixed phrase, never a detail
/// of the callback or of the error. An outcome that is no refusal (a replay the
/// [`Verified`](crate::Verified) extractor turned away) is a plain 200.
pub(crate) fn refusal(outcome: CallbackOutcome) -> Response {
    let status = outcome.refusal_status().unwrap_or(StatusCode::OK);
    let mut response = (status, outcome.phrase()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
