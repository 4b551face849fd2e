//! iPay error bodies. iPay documents no error schema (bog-ipay.md §8); the simulator uses the
//! three shapes clients are told to parse: OAuth `{error, error_description}` for
//! authentication, `{error_code, error_message}` for business and validation errors, and
//! Spring's `{timestamp, status, error, message, path}` for unreadable bodies.

use serde::Serialize;

use crate::server::SimResponse;

/// OAuth-style error (token endpoint, bearer checks).
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

/// A missing, unknown or expired bearer token.
pub(crate) fn invalid_token(expired: bool) -> SimResponse {
    let description = if expired {
        "Access token expired"
    } else {
        "Invalid access token"
    };
    oauth(401, "invalid_token", description)
}

/// Business or validation error.
pub(crate) fn business(status: u16, code: &str, message: &str) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        error_code: &'a str,
        error_message: &'a str,
    }
    SimResponse::json(
        status,
        &Body {
            error_code: code,
            error_message: message,
        },
    )
}

/// A request field failed validation.
pub(crate) fn invalid(message: &str) -> SimResponse {
    business(400, "INVALID_REQUEST", message)
}

/// No order with this id.
pub(crate) fn not_found(order_id: &str) -> SimResponse {
    business(
        404,
        "ORDER_NOT_FOUND",
        &format!("Order {order_id} not found"),
    )
}

/// The order is in the wrong state for the operation.
pub(crate) fn conflict(message: &str) -> SimResponse {
    business(400, "INVALID_ORDER_STATE", message)
}

/// Spring's default error body, for unreadable requests.
pub(crate) fn spring(
    status: u16,
    error: &str,
    message: &str,
    path: &str,
    now_ms: u64,
) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        timestamp: String,
        status: u16,
        error: &'a str,
        message: &'a str,
        path: &'a str,
    }
    let secs = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    let timestamp = format!(
        "{}.{:03}+00:00",
        crate::calendar::DateTime::from_unix(secs).iso_local(),
        now_ms % 1000
    );
    SimResponse::json(
        status,
        &Body {
            timestamp,
            status,
            error,
            message,
            path,
        },
    )
}
