//! Maya's error bodies (three shapes and a legacy fourth, spec §7.1) and their classification
//! by code, not by HTTP status: Maya reports its own server faults (`PY0001`, `PY9999`, ...)
//! as HTTP 400.

use std::fmt;

use paykit_core::http::RawResponse;
use paykit_core::{Error, UnknownCause};
use serde_json::{Map, Value};

use crate::PROVIDER;

/// `PY0010`: the payment has already been executed (approved or declined) by an earlier call.
pub const ALREADY_PROCESSED: &str = "PY0010";

/// Codes Maya documents as system errors, unreachable services or timeouts (spec §7.2). They
/// arrive as HTTP 400 and are transient.
const SERVER_FAULTS: &[&str] = &[
    "PY0001", "PY0013", "PY0014", "PY0015", "PY0016", "PY0040", "PY0041", "PY0059", "PY0060",
    "PY0066", "PY0067", "PY0069", "PY0122", "PY0143", "PY0144", "PY9999",
];

/// Wallet declines answered as errors on execute (spec §7.2: insufficient balance, account
/// declined, limit reached, transaction not completed). They are outcomes, not failures.
const DECLINES: &[&str] = &["PY0105", "PY0116", "PY0119", "PY0123"];

/// Longest provider message kept in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 600;

/// Which of Maya's error body layouts an answer used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorShape {
    /// Payment services: `{"code", "message", "parameters"?}`.
    Gateway,
    /// API gateway key layer: `{"error": "<text>", "code": "K00x", "reference"}`.
    KeyLayer,
    /// Maya Connect OAuth: `{"error": "<oauth code>", "error_description"}`.
    OAuth,
    /// Older services: `{"error": {"code", "message", "parameters"?}}`.
    Nested,
}

/// One entry of a `parameters` list (`2553` validation errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The offending field as Maya names it (`amount.value`).
    pub field: String,
    /// What is wrong with it.
    pub description: String,
}

/// A Maya error body, whatever its shape.
///
/// ```
/// use paykit_maya::{ErrorBody, ErrorShape};
///
/// let body = ErrorBody::parse(br#"{"error":"Invalid authentication credentials.","code":"K003","reference":"r-1"}"#)
///     .expect("a Maya error body");
/// assert_eq!(body.shape, ErrorShape::KeyLayer);
/// assert_eq!(body.code, "K003");
/// assert_eq!(body.reference.as_deref(), Some("r-1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The layout it came in.
    pub shape: ErrorShape,
    /// The code: `PY0010`, `2553`, `K003`, or an OAuth code such as `invalid_client`.
    pub code: String,
    /// Maya's message (empty when none was given).
    pub message: String,
    /// Field errors of a validation failure.
    pub parameters: Vec<FieldError>,
    /// The gateway's trace reference, when given.
    pub reference: Option<String>,
}

impl ErrorBody {
    /// Reads any of the shapes; `None` when the bytes are not a Maya error body (no code).
    pub fn parse(body: &[u8]) -> Option<ErrorBody> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        let code = object.get("code").and_then(scalar_text);
        let reference = object.get("reference").and_then(scalar_text);
        let message = object.get("message").and_then(scalar_text);
        let (shape, code, message, parameters) = match object.get("error") {
            Some(Value::Object(inner)) => (
                ErrorShape::Nested,
                inner.get("code").and_then(scalar_text).or(code)?,
                inner.get("message").and_then(scalar_text).or(message),
                parameters(inner).or_else(|| parameters(object)),
            ),
            Some(Value::String(text)) => match code {
                Some(code) => (ErrorShape::KeyLayer, code, Some(text.clone()), None),
                None => (
                    ErrorShape::OAuth,
                    non_empty(text)?,
                    object
                        .get("error_description")
                        .and_then(scalar_text)
                        .or(message),
                    None,
                ),
            },
            _ => (ErrorShape::Gateway, code?, message, parameters(object)),
        };
        Some(ErrorBody {
            shape,
            code,
            message: message.unwrap_or_default(),
            parameters: parameters.unwrap_or_default(),
            reference,
        })
    }

    /// True for the `PY00xx`/`PY9999` system faults Maya documents as transient.
    pub fn is_server_fault(&self) -> bool {
        SERVER_FAULTS.contains(&self.code.as_str())
    }

    /// True for wallet declines (`PY0105` insufficient balance, `PY0116`, `PY0119`, `PY0123`).
    pub fn is_decline(&self) -> bool {
        DECLINES.contains(&self.code.as_str())
    }

    /// True for `PY0010`, "The payment has already been processed".
    pub fn is_already_processed(&self) -> bool {
        self.code == ALREADY_PROCESSED
    }

    /// True for the API gateway's key codes (`K001` …), which concern the client credentials.
    pub fn is_key_error(&self) -> bool {
        self.code.len() == 4
            && self.code.starts_with('K')
            && self.code[1..].bytes().all(|b| b.is_ascii_digit())
    }

    /// True for codes spec §7.2 and §3.4 attribute to the client credentials or the merchant
    /// account rather than to the customer: the gateway's key codes (`K001` missing, `K002`
    /// expired, `K003` invalid, `K004` wrong key type, `K006` not Base64), Maya Connect's
    /// `invalid_client`, `PY0017` (merchant not found) and `PY0019` (credentials lack the
    /// feature).
    pub(crate) fn concerns_client(&self) -> bool {
        self.is_key_error() || matches!(self.code.as_str(), "invalid_client" | "PY0017" | "PY0019")
    }

    /// True when Maya's message names the customer's token (`"Customer access token has
    /// expired."`, `"Missing customer access token."`, or the `X-Authorization` header). The
    /// gateway answers those with the same `K00x` codes as client-key problems, so the message
    /// is what tells them apart.
    pub(crate) fn names_customer_token(&self) -> bool {
        let message = self.message.to_ascii_lowercase();
        message.contains("customer") || message.contains("x-authorization")
    }

    /// Maya's message, the field errors, the reference and, for codes with a known cause,
    /// our explanation, bounded in length.
    pub fn describe(&self) -> String {
        let mut text = bounded(self.message.trim());
        if !self.parameters.is_empty() {
            let fields: Vec<String> = self
                .parameters
                .iter()
                .map(|p| format!("{}: {}", p.field, p.description))
                .collect();
            text = join(text, &bounded(&format!("({})", fields.join("; "))));
        }
        if let Some(hint) = explanation(&self.code) {
            text = join(text, hint);
        }
        if let Some(reference) = &self.reference {
            text = join(text, &format!("[reference {}]", bounded(reference)));
        }
        text
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.describe())
    }
}

/// True when `error` is Maya's `PY0010` "already processed" answer: the payment was executed by
/// an earlier call, and this answer does not say whether that execution was approved.
///
/// The common `create_payment` reports it as [`Error::OutcomeUnknown`] (its own execute was
/// lost and repeated, so money may have moved) with `PY0010` as the provider fault; an
/// [`Error::Api`] with that code is recognised too.
pub fn is_already_processed(error: &Error) -> bool {
    match error {
        Error::OutcomeUnknown {
            cause: UnknownCause::ProviderFault { code, .. },
            ..
        } => code == ALREADY_PROCESSED,
        other => other.api_code() == Some(ALREADY_PROCESSED),
    }
}

/// Our explanation for codes whose cause is known and not obvious from Maya's message.
fn explanation(code: &str) -> Option<&'static str> {
    Some(match code {
        "K001" => "Maya received no authentication header.",
        "K002" => "Maya says the key or token has expired.",
        "K003" => {
            "K003 means Maya does not accept these credentials here: they are mistyped, or they \
             belong to the other environment (sandbox credentials sent to production, or \
             production credentials sent to the sandbox). Check that the client id and secret, \
             the token URL and the API base URL all come from the same environment."
        }
        "K004" => {
            "Maya says the endpoint is wrong or the credentials are of the wrong type for it."
        }
        "K006" => "Maya could not decode the credentials (invalid Base64).",
        "PY0010" => {
            "The payment was executed by an earlier call; this answer does not say whether it was \
             approved or declined. Reconcile it in Maya Manager before charging again."
        }
        "PY0017" => "Maya cannot find the merchant: check the p2mId and the environment.",
        "PY0019" => "These credentials are not enabled for this feature; contact Maya.",
        "PY0037" => {
            "The merchant account does not accept this currency (one currency per account)."
        }
        "invalid_client" => "Maya Connect rejected the client id/secret or the grant type.",
        _ => return None,
    })
}

/// The [`Error`] for a non-success response: Maya's error body classified by code, or the
/// executor's fallback when the body is not one. `secrets` are removed from Maya's text (Maya
/// Connect echoes a rejected refresh token in its message).
pub(crate) fn from_response(response: &RawResponse, secrets: &[&str]) -> Error {
    match ErrorBody::parse(&response.body) {
        Some(body) => api_error(response, &body, secrets),
        None => response.unrecognized_error(),
    }
}

/// [`Error::Api`] for a parsed body. Retryable when Maya marks the code as a system fault, or
/// the HTTP status itself is transient (429, 5xx). On a call that moves money (execute) core
/// turns a retryable fault into an unknown outcome; on create it stays a retryable error with
/// Maya's code.
pub(crate) fn api_error(response: &RawResponse, body: &ErrorBody, secrets: &[&str]) -> Error {
    let status = response.status.as_u16();
    Error::Api {
        provider: PROVIDER,
        http_status: Some(status),
        code: scrub(&bounded(&body.code), secrets),
        message: scrub(&body.describe(), secrets),
        retryable: body.is_server_fault() || status == 429 || (500..=599).contains(&status),
    }
}

/// A failure from the token endpoint: Maya Connect's OAuth and key errors on 400/401/403 become
/// [`Error::Auth`] (the credentials are wrong, not the request); transient answers stay
/// [`Error::Api`] so they can be retried.
pub(crate) fn token_error(response: &RawResponse) -> Error {
    let status = response.status.as_u16();
    match ErrorBody::parse(&response.body) {
        Some(body) if matches!(status, 400 | 401 | 403) && !body.is_server_fault() => Error::Auth {
            provider: PROVIDER,
            message: format!("token endpoint answered HTTP {status}: {body}"),
        },
        Some(body) => api_error(response, &body, &[]),
        None => response.unrecognized_error(),
    }
}

/// Replaces every occurrence of each non-empty secret with `[REDACTED]`.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |acc, secret| {
            acc.replace(secret, "[REDACTED]")
        })
}

fn parameters(object: &Map<String, Value>) -> Option<Vec<FieldError>> {
    let list = object.get("parameters")?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_object)
            .map(|p| FieldError {
                field: p.get("field").and_then(scalar_text).unwrap_or_default(),
                description: p
                    .get("description")
                    .or_else(|| p.get("message"))
                    .and_then(scalar_text)
                    .unwrap_or_default(),
            })
            .collect(),
    )
}

/// A string, or a number's text (`2553`), trimmed; `None` for anything else or blank.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => non_empty(text),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn join(text: String, more: &str) -> String {
    if text.is_empty() {
        more.to_owned()
    } else {
        format!("{text} {more}")
    }
}

/// At most [`MAX_MESSAGE_CHARS`] characters, marked when cut.
fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Builds the error for a success body that is not what the spec describes.
pub(crate) fn unexpected(reason: impl fmt::Display, body: &[u8], sensitive: bool) -> Error {
    Error::decode(PROVIDER, reason, body, sensitive)
}

#[cfg(test)]
mod tests {
    use bytes_of::response;

    use super::*;

    mod bytes_of {
        use paykit_core::http::{RawResponse, StatusCode};

        pub(super) fn response(status: u16, body: &str) -> RawResponse {
            RawResponse {
                provider: crate::PROVIDER,
                status: StatusCode::from_u16(status).unwrap(),
                headers: http::HeaderMap::new(),
                body: body.as_bytes().to_vec().into(),
                mutating: true,
                sensitive: false,
            }
        }
    }

    #[test]
    fn gateway_shape_with_parameters() {
        let body = ErrorBody::parse(
            br#"{"code":"2553","message":"Missing/invalid parameters.","parameters":[{"field":"amount.value","description":"value must be a number"}]}"#,
        )
        .unwrap();
        assert_eq!(body.shape, ErrorShape::Gateway);
        assert_eq!(body.code, "2553");
        assert_eq!(body.parameters[0].field, "amount.value");
        assert!(
            body.describe()
                .contains("amount.value: value must be a number")
        );
    }

    #[test]
    fn numeric_codes_are_read_as_text() {
        let body = ErrorBody::parse(br#"{"code":2553,"message":"m"}"#).unwrap();
        assert_eq!(body.code, "2553");
    }

    #[test]
    fn key_layer_shape_uses_error_as_the_message() {
        let body = ErrorBody::parse(
            br#"{"error":"Invalid authentication credentials. Kindly verify if the key you are using is correct.","code":"K003","reference":"bdd5260f-f7ef-42a0-9472-dcdf757f6a35"}"#,
        )
        .unwrap();
        assert_eq!(body.shape, ErrorShape::KeyLayer);
        assert!(body.is_key_error());
        let text = body.describe();
        assert!(
            text.starts_with("Invalid authentication credentials."),
            "{text}"
        );
        assert!(text.contains("other environment"), "{text}");
        assert!(text.contains("bdd5260f"), "{text}");
    }

    #[test]
    fn oauth_shape_uses_error_as_the_code() {
        let body = ErrorBody::parse(
            br#"{"error":"invalid_client","error_description":"Bad client credentials."}"#,
        )
        .unwrap();
        assert_eq!(body.shape, ErrorShape::OAuth);
        assert_eq!(body.code, "invalid_client");
        assert!(body.message.contains("Bad client credentials."));
    }

    #[test]
    fn nested_shape() {
        let body = ErrorBody::parse(
            br#"{"error":{"code":"PY0009","message":"Payment does not exist","parameters":[{"field":"id","description":"unknown"}],"details":{"x":1}}}"#,
        )
        .unwrap();
        assert_eq!(body.shape, ErrorShape::Nested);
        assert_eq!(body.code, "PY0009");
        assert_eq!(body.parameters.len(), 1);
    }

    #[test]
    fn bodies_without_a_code_are_not_maya_errors() {
        for bad in [
            &b""[..],
            b"<html>502</html>",
            b"[]",
            br#"{"message":"Internal server error"}"#,
            br#"{"code":"","message":"x"}"#,
            br#"{"error":""}"#,
            br#"{"error":{"message":"no code"}}"#,
            b"\xff\xfe",
        ] {
            assert!(ErrorBody::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn server_faults_on_http_400_are_retryable() {
        let r = response(400, r#"{"code":"PY0001","message":"System error"}"#);
        let e = from_response(&r, &[]);
        assert!(e.is_retryable(), "{e}");
        let r = response(400, r#"{"code":"PY0044","message":"Payment is invalid"}"#);
        assert!(!from_response(&r, &[]).is_retryable());
        let r = response(503, r#"{"code":"X1","message":"busy"}"#);
        assert!(from_response(&r, &[]).is_retryable());
    }

    #[test]
    fn unrecognized_bodies_fall_back_to_the_executor_rules() {
        let e = from_response(&response(502, "<html/>"), &[]);
        assert!(e.outcome_unknown(), "{e}");
        let e = from_response(&response(401, ""), &[]);
        assert!(matches!(e, Error::Auth { .. }), "{e}");
    }

    #[test]
    fn secrets_are_scrubbed_and_messages_bounded() {
        let r = response(
            400,
            r#"{"error":"invalid_token","error_description":"Invalid refresh token: test-refresh-token"}"#,
        );
        let e = from_response(&r, &["test-refresh-token", ""]);
        assert!(!e.to_string().contains("test-refresh-token"), "{e}");
        assert!(e.to_string().contains("[REDACTED]"), "{e}");
        let long = format!(r#"{{"code":"PY0001","message":"{}"}}"#, "é".repeat(5000));
        let e = from_response(&response(400, &long), &[]);
        assert!(
            e.to_string().chars().count() < 800,
            "{}",
            e.to_string().len()
        );
    }

    #[test]
    fn token_endpoint_rejections_are_auth_errors() {
        let r = response(
            401,
            r#"{"error":"invalid_client","error_description":"Bad client credentials."}"#,
        );
        assert!(matches!(token_error(&r), Error::Auth { .. }));
        let r = response(503, r#"{"error":"temporarily_unavailable"}"#);
        assert!(token_error(&r).is_retryable());
    }

    #[test]
    fn already_processed_is_recognised_on_the_error() {
        let r = response(
            400,
            r#"{"code":"PY0010","message":"The payment has already been processed"}"#,
        );
        let e = from_response(&r, &[]);
        assert!(is_already_processed(&e));
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("Maya Manager"), "{e}");
        // As the common create_payment reports it: an unknown outcome caused by PY0010.
        let unknown = |code: &str| Error::OutcomeUnknown {
            provider: PROVIDER,
            call: "maya-execute-payment",
            cause: UnknownCause::ProviderFault {
                http_status: None,
                code: code.to_owned(),
                message: String::new(),
            },
            payment: Box::default(),
        };
        assert!(is_already_processed(&unknown("PY0010")));
        assert!(!is_already_processed(&unknown("PY9999")));
    }
}
