//! What the executor hands back: status, headers and the whole (size-capped) body.

use bytes::Bytes;
use http::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{Error, ProviderId, Result, Sent, TransportKind};

/// A complete HTTP response. Any status: mapping provider errors is the adapter's job.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// Which provider answered.
    pub provider: ProviderId,
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body, at most the executor's size cap.
    pub body: Bytes,
    /// Whether the request may have moved money (so an unusable error answer leaves the outcome
    /// unknown): [`super::Effect::MovesMoney`].
    pub mutating: bool,
    /// Whether the body may hold secrets (token endpoints).
    pub sensitive: bool,
}

impl RawResponse {
    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// True when the body is empty or only whitespace.
    pub fn is_empty(&self) -> bool {
        self.body.iter().all(u8::is_ascii_whitespace)
    }

    /// Parses the body as JSON into `T`; failures become [`Error::Decode`] with a bounded excerpt
    /// (none for sensitive responses).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body)
            .map_err(|e| Error::decode(self.provider, e, &self.body, self.sensitive))
    }

    /// The error for a non-success response whose body the adapter could not interpret as a
    /// provider error: 401/403 are authentication failures; anything else is a transport-level
    /// failure that may have been acted upon.
    pub fn unrecognized_error(&self) -> Error {
        match self.status.as_u16() {
            429 => self.rate_limited(),
            401 | 403 => Error::Auth {
                provider: self.provider,
                message: format!(
                    "HTTP {} without a recognizable error body",
                    self.status.as_u16()
                ),
            },
            status => Error::Transport {
                provider: self.provider,
                kind: TransportKind::Status(status),
                sent: Sent::MaybeSent,
                mutating: self.mutating,
            },
        }
    }
}

impl RawResponse {
    /// The provider's `Retry-After`, in delta-seconds.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        super::retry::retry_after(&self.headers)
    }

    /// [`Error::RateLimited`] with this response's status and `Retry-After`.
    pub fn rate_limited(&self) -> Error {
        Error::RateLimited {
            provider: self.provider,
            http_status: self.status.as_u16(),
            retry_after: self.retry_after(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &'static str, mutating: bool) -> RawResponse {
        RawResponse {
            provider: ProviderId("t"),
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
            mutating,
            sensitive: false,
        }
    }

    #[test]
    fn gateway_errors_on_payments_leave_the_outcome_unknown() {
        let e = response(502, "<html>bad gateway</html>", true).unrecognized_error();
        assert!(e.outcome_unknown());
        let e = response(502, "<html>bad gateway</html>", false).unrecognized_error();
        assert!(!e.outcome_unknown());
        assert!(e.is_retryable());
    }

    #[test]
    fn rate_limits_are_refusals_with_their_wait() {
        let mut r = response(429, "", true);
        r.headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("7"),
        );
        let e = r.unrecognized_error();
        assert!(e.is_retryable() && !e.outcome_unknown());
        assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(7)));
    }

    #[test]
    fn unauthorized_without_body_is_an_auth_error() {
        let e = response(401, "", false).unrecognized_error();
        assert!(matches!(e, Error::Auth { .. }));
    }

    #[test]
    fn malformed_json_is_a_decode_error() {
        let r = response(200, "{\"result\":", false);
        let e = r.json::<serde_json::Value>().unwrap_err();
        assert!(matches!(e, Error::Decode { ref snippet, .. } if snippet == "{\"result\":"));
        assert!(response(200, "  \n", false).is_empty());
    }
}
