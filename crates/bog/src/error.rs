//! iPay's error answers. iPay documents no error schema, so three shapes seen in the wild are
//! read on a best-effort basis:
//!
//! - `{"error_code": ..., "error_message": ...}` (read by laravel-ipay);
//! - the OAuth style `{"error": ..., "error_description": ...}` (token endpoint);
//! - the Spring style `{"timestamp", "status", "error", "message", "path"}`.
//!
//! This module only says what an answer *is*; what it *means* for money is decided once, in
//! core's `HttpExecutor::call`, from the [`paykit_core::http::Effect`] each call declares
//! (a 5xx of a refund is an unknown outcome there, a 5xx of a status query a retryable error).
//! The mapping, in order:
//! - 429: [`Error::RateLimited`] (core answers it before any parsing; kept for completeness);
//! - 5xx: a bare status ([`RawResponse::unrecognized_error`]), whatever the body says: iPay may
//!   have acted before failing, so the body is logged and not believed;
//! - 401/403: [`Error::Auth`] with the provider's message when there is one;
//! - any other non-2xx: [`Error::Api`] with the envelope's code, or the HTTP status as the code
//!   when the body is not an envelope (a 4xx means the request was refused, so nothing moved).

use paykit_core::http::RawResponse;
use paykit_core::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::PROVIDER;

/// Longest provider message kept in an error.
const MESSAGE_LEN: usize = 300;

/// What an error body says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Envelope {
    code: Option<String>,
    message: Option<String>,
}

/// Reads the error body, if it is one of the known shapes.
fn envelope(body: &[u8]) -> Option<Envelope> {
    let Value::Object(map) = serde_json::from_slice::<Value>(body).ok()? else {
        return None;
    };
    let text = |key: &str| -> Option<String> {
        match map.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let code = text("error_code")
        .or_else(|| text("error"))
        .or_else(|| text("code"));
    let message = text("error_message")
        .or_else(|| text("error_description"))
        .or_else(|| text("message"))
        .or_else(|| text("description"));
    if code.is_none() && message.is_none() {
        return None;
    }
    Some(Envelope {
        code,
        message: message.map(|m| bounded(&m)),
    })
}

fn bounded(text: &str) -> String {
    match text.char_indices().nth(MESSAGE_LEN) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The error for a non-2xx response.
pub(crate) fn from_response(response: &RawResponse) -> Error {
    let status = response.status.as_u16();
    if status == 429 {
        return response.rate_limited();
    }
    if response.status.is_server_error() {
        if let Some(envelope) = envelope(&response.body) {
            tracing::debug!(
                status,
                code = envelope.code.as_deref().unwrap_or(""),
                message = envelope.message.as_deref().unwrap_or(""),
                "iPay server error"
            );
        }
        return response.unrecognized_error();
    }
    // The token endpoint's body is never echoed: it may hold credentials.
    let envelope = if response.sensitive {
        None
    } else {
        envelope(&response.body)
    };
    match (status, envelope) {
        (401 | 403, Some(envelope)) => Error::Auth {
            provider: PROVIDER,
            message: format!(
                "HTTP {status}: {}",
                envelope
                    .message
                    .or(envelope.code)
                    .unwrap_or_else(|| "refused".to_owned())
            ),
        },
        (401 | 403, None) => response.unrecognized_error(),
        (_, Some(envelope)) => Error::Api {
            provider: PROVIDER,
            http_status: Some(status),
            code: envelope.code.unwrap_or_else(|| status.to_string()),
            message: envelope.message.unwrap_or_default(),
            retryable: false,
        },
        (_, None) => Error::Api {
            provider: PROVIDER,
            http_status: Some(status),
            code: status.to_string(),
            message: format!(
                "HTTP {status} without an error body iPay is known to send ({} bytes)",
                response.body.len()
            ),
            retryable: false,
        },
    }
}

/// The error for a non-2xx answer of the token endpoint: 5xx as above, anything else an
/// [`Error::Auth`] naming the OAuth `error` code when there is one (never the description or
/// the body, which could echo what was sent).
pub(crate) fn token_error(response: &RawResponse) -> Error {
    if response.status.is_server_error() {
        return response.unrecognized_error();
    }
    let status = response.status.as_u16();
    let code = envelope(&response.body).and_then(|e| e.code).filter(|c| {
        c.len() <= 64
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b' ')
    });
    Error::Auth {
        provider: PROVIDER,
        message: match code {
            Some(code) => format!("token request refused with HTTP {status} ({code})"),
            None => format!("token request refused with HTTP {status}"),
        },
    }
}

/// `Ok` for 2xx, the mapped error otherwise.
pub(crate) fn ensure_success(response: &RawResponse) -> Result<()> {
    if response.is_success() {
        Ok(())
    } else {
        Err(from_response(response))
    }
}

/// Parses a 2xx JSON body; maps every other status.
pub(crate) fn parse<T: DeserializeOwned>(response: &RawResponse) -> Result<T> {
    ensure_success(response)?;
    response.json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_core::http::StatusCode;

    fn response(status: u16, body: &str, mutating: bool) -> RawResponse {
        RawResponse {
            provider: PROVIDER,
            status: StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.to_owned().into_bytes().into(),
            mutating,
            sensitive: false,
        }
    }

    #[test]
    fn all_three_envelopes_are_read() {
        let e = from_response(&response(
            400,
            r#"{"error_code":"INVALID_ORDER","error_message":"Order not found"}"#,
            false,
        ));
        assert!(
            matches!(&e, Error::Api { code, message, http_status: Some(400), .. } if code == "INVALID_ORDER" && message == "Order not found"),
            "{e:?}"
        );
        let e = from_response(&response(
            400,
            r#"{"error":"invalid_request","error_description":"grant_type missing"}"#,
            false,
        ));
        assert_eq!(e.api_code(), Some("invalid_request"));
        let e = from_response(&response(
            415,
            r#"{"timestamp":"2024-01-01T00:00:00.000+0000","status":415,"error":"Unsupported Media Type","message":"Content type 'application/json' not supported","path":"/opay/api/v1/checkout/refund"}"#,
            true,
        ));
        assert!(
            matches!(&e, Error::Api { code, message, .. } if code == "Unsupported Media Type" && message.contains("not supported")),
            "{e:?}"
        );
    }

    #[test]
    fn bodiless_client_errors_use_the_status_as_code() {
        let e = from_response(&response(404, "<html>nope</html>", true));
        assert_eq!(e.api_code(), Some("404"));
        assert!(!e.outcome_unknown());
    }

    #[test]
    fn server_errors_are_bare_statuses_whatever_the_body_says() {
        // What a 5xx means for money is core's decision (HttpExecutor::call); here it is only
        // never read as a refusal.
        let e = from_response(&response(500, r#"{"error_code":"DECLINED"}"#, true));
        assert!(
            matches!(
                e,
                Error::Transport {
                    kind: paykit_core::TransportKind::Status(500),
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.api_code(), None);
        let e = from_response(&response(429, "", true));
        assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    }

    #[test]
    fn unauthorized_is_an_auth_error() {
        let e = from_response(&response(401, r#"{"error":"invalid_token"}"#, false));
        assert!(matches!(e, Error::Auth { .. }), "{e:?}");
        let e = from_response(&response(401, "", false));
        assert!(matches!(e, Error::Auth { .. }), "{e:?}");
    }

    #[test]
    fn sensitive_bodies_are_not_echoed() {
        let mut r = response(
            400,
            r#"{"error":"x","error_description":"secret=abc"}"#,
            false,
        );
        r.sensitive = true;
        let e = from_response(&r);
        assert!(!e.to_string().contains("abc"), "{e}");
    }

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let long = "ა".repeat(1000);
        let e = from_response(&response(
            400,
            &format!(r#"{{"error_message":"{long}"}}"#),
            false,
        ));
        let Error::Api { message, .. } = e else {
            panic!()
        };
        assert!(message.chars().count() <= MESSAGE_LEN + 3);
    }
}
