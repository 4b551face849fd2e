//! BOG's error answers. None is documented (§9.1), so three shapes are read on a best-effort
//! basis: `{message[, code]}`, the OAuth `{error, error_description}` (Keycloak), and Spring's
//! `{timestamp, status, error, message, path}`. What an error *means* for money is decided by
//! core's `HttpExecutor::call` from each call's declared effect; this module only says what an
//! answer is:
//!
//! - 429: [`Error::RateLimited`];
//! - 5xx: a bare status, whatever the body says (BOG may have acted before failing);
//! - 401: [`Error::Auth`] (reached only after core's one refresh and retry);
//! - 400 whose message names `order_id`: [`Error::Api`] with code `not_found` (BOG answers an
//!   unknown order with 400, not 404, §5.1);
//! - any other non-2xx: [`Error::Api`] with the body's code, or the HTTP status.

use paykit_core::http::RawResponse;
use paykit_core::{Error, Result};
use serde_json::Value;

use crate::PROVIDER;

/// Longest provider message kept in an error.
const MESSAGE_LEN: usize = 300;

/// The code of an unknown order.
pub const NOT_FOUND: &str = "not_found";

#[derive(Debug, Default)]
struct Envelope {
    code: Option<String>,
    message: Option<String>,
}

fn envelope(body: &[u8]) -> Option<Envelope> {
    let Value::Object(map) = serde_json::from_slice::<Value>(body).ok()? else {
        return None;
    };
    let text = |key: &str| -> Option<String> {
        match map.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(bounded(s.trim())),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let message = text("message")
        .or_else(|| text("error_description"))
        .or_else(|| text("detail"));
    // Spring's `error` is the reason phrase ("Bad Request"), not a code: the status says it.
    let spring = map.contains_key("timestamp") || map.contains_key("path");
    let code = text("code").or_else(|| if spring { None } else { text("error") });
    if code.is_none() && message.is_none() {
        return None;
    }
    Some(Envelope { code, message })
}

fn bounded(text: &str) -> String {
    match text.char_indices().nth(MESSAGE_LEN) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// The error of a non-2xx answer to an API call.
pub(crate) fn from_response(response: &RawResponse) -> Error {
    let status = response.status.as_u16();
    if status == 429 {
        return response.rate_limited();
    }
    if response.status.is_server_error() {
        return response.unrecognized_error();
    }
    let envelope = envelope(&response.body);
    if status == 401 {
        return Error::Auth {
            provider: PROVIDER,
            message: format!(
                "HTTP 401: {}",
                envelope
                    .and_then(|e| e.message.or(e.code))
                    .unwrap_or_else(|| "the access token was refused".to_owned())
            ),
        };
    }
    let envelope = envelope.unwrap_or_default();
    let message = envelope.message.unwrap_or_default();
    let unknown_order = status == 400 && message.to_ascii_lowercase().contains("order_id");
    let code = if unknown_order {
        NOT_FOUND.to_owned()
    } else {
        match (status, envelope.code) {
            (403, None) => "forbidden".to_owned(),
            (_, Some(code)) => code,
            (_, None) => status.to_string(),
        }
    };
    Error::Api {
        provider: PROVIDER,
        http_status: Some(status),
        code,
        message,
        retryable: false,
    }
}

/// The error of a token answer: always an authentication failure carrying the status and
/// Keycloak's `error`, never the body (it may echo credentials).
pub(crate) fn token_error(response: &RawResponse) -> Error {
    let status = response.status.as_u16();
    if status == 429 {
        return response.rate_limited();
    }
    if response.status.is_server_error() {
        return response.unrecognized_error();
    }
    let code = envelope(&response.body)
        .and_then(|e| e.code)
        .unwrap_or_else(|| "no error code".to_owned());
    Error::Auth {
        provider: PROVIDER,
        message: format!("token request refused: HTTP {status}, {code}"),
    }
}

/// Parses a 2xx JSON body, or returns the error of a non-2xx one.
pub(crate) fn json_value(response: &RawResponse) -> Result<Value> {
    if !response.is_success() {
        return Err(from_response(response));
    }
    response.json::<Value>()
}
