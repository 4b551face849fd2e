//! miaPOS error bodies: `{"errorCode": "1", "errorMessage": ...}` for business and
//! validation errors (the code carries no meaning, miapos.md §6.1), and an empty 401 for a
//! missing or expired token.

use serde::Serialize;

use crate::server::SimResponse;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    error_code: &'a str,
    error_message: &'a str,
}

/// A 400 (or other status) with the `{errorCode, errorMessage}` body.
pub(crate) fn error(status: u16, message: &str) -> SimResponse {
    SimResponse::json(
        status,
        &ErrorBody {
            error_code: "1",
            error_message: message,
        },
    )
}

/// A field that failed validation, in miaPOS's observed wording.
pub(crate) fn field(name: &str, value: &str, reason: &str) -> SimResponse {
    error(
        400,
        &format!("Field '{name}' with value '{value}' failed validation, reason - {reason}."),
    )
}

/// A required field that is missing.
pub(crate) fn required(name: &str) -> SimResponse {
    field(name, "null", &format!("{name} is required"))
}

/// Missing or expired access token: 401 with an empty body.
pub(crate) fn unauthorized() -> SimResponse {
    SimResponse::empty(401)
}
