//! Payments API error bodies. BOG documents none (bog-payments.md §9.1); the simulator
//! answers API errors in Spring's default shape `{status, error, message, path, timestamp}`
//! (the backend is Java), with the rule or field in `message`, and token errors in
//! Keycloak's `{error, error_description}`.

use serde::Serialize;

use super::wire::zoned;
use crate::server::SimResponse;

/// The reason phrase of `status`.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Spring's error body for the request at `path`.
pub(crate) fn spring(status: u16, message: &str, path: &str, now_ms: u64) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        status: u16,
        error: &'a str,
        message: &'a str,
        path: &'a str,
        timestamp: String,
    }
    SimResponse::json(
        status,
        &Body {
            status,
            error: reason(status),
            message,
            path,
            timestamp: zoned(now_ms),
        },
    )
}

/// Keycloak's token-endpoint error.
pub(crate) fn oauth(status: u16, error: &str, description: &str) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        error: &'a str,
        error_description: &'a str,
    }
    SimResponse::json(
        status,
        &Body {
            error,
            error_description: description,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spring_body_names_status_reason_and_path() {
        let res = spring(400, "Invalid order_id", "/payments/v1/receipt/x", 0);
        assert_eq!(res.status.as_u16(), 400);
        let body: serde_json::Value = serde_json::from_slice(&res.body).unwrap();
        assert_eq!(body["error"], "Bad Request");
        assert_eq!(body["message"], "Invalid order_id");
        assert_eq!(body["path"], "/payments/v1/receipt/x");
        assert_eq!(body["timestamp"], "1970-01-01T00:00:00.000000Z");
        assert_eq!(reason(599), "Internal Server Error");
    }
}
