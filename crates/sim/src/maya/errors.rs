//! Maya's error bodies (maya.md §7.1): the payment services'
//! `{code, message, parameters?}`, the API gateway's `{error, code, reference}` for
//! credentials, and Maya Connect's OAuth `{error, error_description}`.

use serde::Serialize;

use crate::random;
use crate::server::SimResponse;

/// `{code, message}`.
pub(crate) fn payment(status: u16, code: &str, message: &str) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        code: &'a str,
        message: &'a str,
    }
    SimResponse::json(status, &Body { code, message })
}

/// One entry of `parameters[]`.
#[derive(Debug, Serialize)]
pub(crate) struct Parameter {
    pub(crate) field: String,
    pub(crate) description: String,
}

impl Parameter {
    pub(crate) fn new(field: &str, description: &str) -> Self {
        Self {
            field: field.to_owned(),
            description: description.to_owned(),
        }
    }
}

/// `2553`, HTTP 400, with the offending fields.
pub(crate) fn invalid(parameters: &[Parameter]) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        code: &'static str,
        message: &'static str,
        parameters: &'a [Parameter],
    }
    SimResponse::json(
        400,
        &Body {
            code: "2553",
            message: "Missing/invalid parameters.",
            parameters,
        },
    )
}

/// The gateway's credential errors (`K001` missing, `K002` expired, `K003` invalid), HTTP 401.
pub(crate) fn key(code: &str, error: &str) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        error: &'a str,
        code: &'a str,
        reference: String,
    }
    SimResponse::json(
        401,
        &Body {
            error,
            code,
            reference: random::uuid_v4(),
        },
    )
}

/// Maya Connect's OAuth error.
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
