//! miaPOS error answers (miapos.md §6) turned into [`Error`].
//!
//! Two envelopes are accepted: the real API's `{"errorCode": "1", "errorMessage": "..."}` and
//! the web page's `{"error": {"code": "...", "message": "...", "requestId": "..."}}`. The
//! observed `errorCode` is always `"1"`, so the HTTP status carries the meaning:
//!
//! - 401 (with or without a body: the real API sends none) is [`Error::Auth`];
//! - 429 is [`Error::RateLimited`] with its `Retry-After` (core answers it before any parsing);
//! - a 5xx with `Retry-After` (the web page's `RAIL_UNAVAILABLE`) keeps the wait: on a call that
//!   may move money it is a bare HTTP status, which core's classification turns into an
//!   unknown outcome carrying the wait; on any other call nothing is at stake and it is
//!   [`Error::RateLimited`], "come back after this long";
//! - any other answer with an envelope is [`Error::Api`], retryable for 5xx;
//! - anything else is `RawResponse::unrecognized_error`.
//!
//! Whether an error leaves a payment's outcome unknown is not decided here: core's
//! `HttpExecutor::call` decides it from the call's declared `Effect` (DESIGN.md §8).

use paykit_core::http::RawResponse;
use paykit_core::{Error, Sent, TransportKind};
use serde_json::Value;

use crate::PROVIDER;

/// Longest provider message kept in an error.
const MAX_MESSAGE_CHARS: usize = 500;

/// A parsed error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Envelope {
    pub(crate) code: String,
    pub(crate) message: String,
}

/// Reads either envelope; `None` for empty, non-JSON or differently shaped bodies.
pub(crate) fn parse_envelope(body: &[u8]) -> Option<Envelope> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let (code, message) = if object.contains_key("errorCode") || object.contains_key("errorMessage")
    {
        (
            text(object.get("errorCode")),
            text(object.get("errorMessage")),
        )
    } else {
        let nested = object.get("error")?.as_object()?;
        let mut message = text(nested.get("message"));
        if let Some(request_id) = text(nested.get("requestId")) {
            let base = message.unwrap_or_default();
            message = Some(format!("{base} (requestId {request_id})").trim().to_owned());
        }
        (text(nested.get("code")), message)
    };
    if code.is_none() && message.is_none() {
        return None;
    }
    Some(Envelope {
        code: code.unwrap_or_default(),
        message: bounded(message.unwrap_or_default()),
    })
}

/// Cuts a provider message to [`MAX_MESSAGE_CHARS`] characters.
fn bounded(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!("{}...", &message[..end]),
        None => message,
    }
}

/// The error for a non-success answer of an API endpoint.
pub(crate) fn api_error(response: &RawResponse) -> Error {
    let status = response.status.as_u16();
    let envelope = parse_envelope(&response.body);
    if status == 401 {
        return Error::Auth {
            provider: PROVIDER,
            message: match envelope {
                Some(e) => format!("HTTP 401: {} {}", e.code, e.message)
                    .trim()
                    .to_owned(),
                None => "HTTP 401: the access token was refused".to_owned(),
            },
        };
    }
    if status == 429 {
        return response.rate_limited();
    }
    if response.status.is_server_error() {
        if let Some(e) = &envelope {
            tracing::warn!(
                http_status = status,
                code = %e.code,
                message = %e.message,
                "miaPOS answered with a server error"
            );
        }
        if response.retry_after().is_some() {
            return if response.mutating {
                // A bare status: core makes it an unknown outcome and keeps the wait.
                Error::Transport {
                    provider: PROVIDER,
                    kind: TransportKind::Status(status),
                    sent: Sent::MaybeSent,
                    mutating: true,
                }
            } else {
                response.rate_limited()
            };
        }
    }
    match envelope {
        Some(e) => Error::Api {
            provider: PROVIDER,
            http_status: Some(status),
            code: e.code,
            message: e.message,
            retryable: response.status.is_server_error(),
        },
        None => response.unrecognized_error(),
    }
}

/// The error for a non-success answer of a token endpoint: refused credentials or refresh
/// tokens (400, 401, 403) are [`Error::Auth`]; the rest as [`api_error`].
pub(crate) fn token_error(response: &RawResponse, grant: &str) -> Error {
    let status = response.status.as_u16();
    if matches!(status, 400 | 401 | 403) {
        let detail = parse_envelope(&response.body)
            .map(|e| format!(": {} {}", e.code, e.message))
            .unwrap_or_default();
        return Error::Auth {
            provider: PROVIDER,
            message: format!("{grant} refused (HTTP {status}){detail}")
                .trim()
                .to_owned(),
        };
    }
    api_error(response)
}

#[cfg(test)]
mod tests {
    use paykit_core::http::StatusCode;

    use super::*;

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
    fn both_envelopes_are_read() {
        let real = parse_envelope(
            br#"{"errorCode":"1","errorMessage":"Field 'amount' with value '0' failed validation, reason - must be greater than 0."}"#,
        )
        .unwrap();
        assert_eq!(real.code, "1");
        assert!(real.message.contains("must be greater than 0"));
        let page = parse_envelope(
            br#"{"error":{"code":"UNKNOWN_PAYMENT","message":"No such payment","requestId":"req_01"}}"#,
        )
        .unwrap();
        assert_eq!(page.code, "UNKNOWN_PAYMENT");
        assert_eq!(page.message, "No such payment (requestId req_01)");
        let numeric = parse_envelope(br#"{"errorCode":1}"#).unwrap();
        assert_eq!(numeric.code, "1");
    }

    #[test]
    fn other_bodies_are_not_envelopes() {
        for body in [
            &b""[..],
            b"<html>502</html>",
            b"[]",
            b"{}",
            b"{\"error\":\"x\"}",
            b"{\"paymentId\":\"p\"}",
            b"\xff\xfe",
        ] {
            assert_eq!(parse_envelope(body), None, "{body:?}");
        }
    }

    #[test]
    fn long_messages_are_bounded_on_char_boundaries() {
        let body = format!(
            r#"{{"errorCode":"1","errorMessage":"{}"}}"#,
            "ă".repeat(2000)
        );
        let envelope = parse_envelope(body.as_bytes()).unwrap();
        assert_eq!(envelope.message.chars().count(), MAX_MESSAGE_CHARS + 3);
    }

    #[test]
    fn validation_errors_are_api_errors() {
        let err = api_error(&response(
            400,
            r#"{"errorCode":"1","errorMessage":"Pos terminal with id: [X] not found"}"#,
            true,
        ));
        match err {
            Error::Api {
                http_status: Some(400),
                ref code,
                retryable: false,
                ..
            } if code == "1" => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unauthorized_is_auth_with_or_without_body() {
        assert!(matches!(
            api_error(&response(401, "", false)),
            Error::Auth { .. }
        ));
        let err = api_error(&response(
            401,
            r#"{"error":{"code":"TOKEN_EXPIRED","message":"expired"}}"#,
            false,
        ));
        assert!(err.to_string().contains("TOKEN_EXPIRED"), "{err}");
    }

    fn with_retry_after(mut response: RawResponse, seconds: &'static str) -> RawResponse {
        response.headers.insert(
            reqwest::header::RETRY_AFTER,
            reqwest::header::HeaderValue::from_static(seconds),
        );
        response
    }

    #[test]
    fn server_errors_keep_the_providers_code_and_leave_the_verdict_to_core() {
        // Whether a 5xx leaves a payment unknown is core's decision (the call's Effect); here
        // it is the provider's error, transient.
        for mutating in [true, false] {
            let err = api_error(&response(
                500,
                r#"{"errorCode":"1","errorMessage":"Internal error"}"#,
                mutating,
            ));
            assert!(
                matches!(&err, Error::Api { code, http_status: Some(500), retryable: true, .. } if code == "1"),
                "{err:?}"
            );
            let err = api_error(&response(502, "<html></html>", mutating));
            assert!(
                matches!(
                    err,
                    Error::Transport {
                        kind: TransportKind::Status(502),
                        ..
                    }
                ),
                "{err:?}"
            );
        }
    }

    #[test]
    fn a_429_is_rate_limited_with_its_wait() {
        let err = api_error(&with_retry_after(
            response(
                429,
                r#"{"error":{"code":"RATE_LIMITED","message":"slow down"}}"#,
                true,
            ),
            "7",
        ));
        assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
        assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));
    }

    #[test]
    fn a_503_with_retry_after_keeps_the_wait() {
        let body = r#"{"error":{"code":"RAIL_UNAVAILABLE","message":"rail down"}}"#;
        // Nothing at stake: come back later.
        let err = api_error(&with_retry_after(response(503, body, false), "12"));
        assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
        assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(12)));
        // A payment may exist: a bare status, which core turns into an unknown outcome with
        // the wait.
        let err = api_error(&with_retry_after(response(503, body, true), "12"));
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportKind::Status(503),
                    mutating: true,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn token_refusals_are_auth_errors() {
        let err = token_error(
            &response(400, r#"{"errorCode":"1","errorMessage":"bad"}"#, false),
            "token request",
        );
        assert!(matches!(err, Error::Auth { .. }), "{err:?}");
        assert!(matches!(
            token_error(&response(401, "", false), "token request"),
            Error::Auth { .. }
        ));
        assert!(token_error(&response(503, "", false), "token request").is_retryable());
    }
}
