//! The gateway's error bodies (maya-checkout.md §7): `{code, message}` for payment errors,
//! `2553` (or `PYBY0001` on Pay with Maya) with `parameters[]` for validation, and the key
//! layer's `{error, code, reference}`. Server faults answer HTTP 400, `PY0047` HTTP 401.

use serde::Serialize;

use crate::random;
use crate::server::SimResponse;

/// `{code, message}` with `status`.
pub(crate) fn payment(status: u16, code: &str, message: &str) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        code: &'a str,
        message: &'a str,
    }
    SimResponse::json(status, &Body { code, message })
}

/// One entry of `parameters[]`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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

/// Which validation code a product answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Product {
    /// Checkout, Vault and payment operations: `2553`.
    Gateway,
    /// Pay with Maya: `PYBY0001`.
    PayWithMaya,
}

/// HTTP 400 with the offending fields.
pub(crate) fn invalid(product: Product, parameters: &[Parameter]) -> SimResponse {
    #[derive(Serialize)]
    struct Body<'a> {
        code: &'static str,
        message: &'static str,
        parameters: &'a [Parameter],
    }
    let (code, message) = match product {
        Product::Gateway => ("2553", "Missing/invalid parameters."),
        Product::PayWithMaya => ("PYBY0001", "Missing/invalid parameters."),
    };
    SimResponse::json(
        400,
        &Body {
            code,
            message,
            parameters,
        },
    )
}

/// The key layer's errors (`K001`…`K006`), HTTP 401.
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

/// `PY0009`, HTTP 404.
pub(crate) fn no_payment() -> SimResponse {
    payment(404, "PY0009", "Payment does not exist.")
}

/// `PY0064`, HTTP 400.
pub(crate) fn bad_json() -> SimResponse {
    payment(400, "PY0064", "Request body is not a valid JSON.")
}

/// `PY0037`, HTTP 400 (`PYBY0014` on Pay with Maya).
pub(crate) fn currency(product: Product) -> SimResponse {
    match product {
        Product::Gateway => payment(400, "PY0037", "Currency is not supported."),
        Product::PayWithMaya => payment(400, "PYBY0014", "Currency is not supported."),
    }
}

/// The answer to an injected server fault: `PY9999`, HTTP 400 (Maya sends system faults as
/// 400, so only the code tells a client the outcome is unknown).
pub(crate) fn fault() -> SimResponse {
    payment(
        400,
        "PY9999",
        "A problem is encountered. Please contact your system administrator.",
    )
}
