//! Maya's error bodies (spec §7.1) and the code catalogue (§7.3). Errors are classified by
//! **code, not HTTP status**: Maya answers its own server faults (`PY0015`, `PY9999`, …) with
//! HTTP 400 and a business refusal (`PY0047`, ineligible for refund) with HTTP 401.

use std::fmt;

use paykit_core::http::RawResponse;
use paykit_core::{Error, Result};
use serde_json::{Map, Value};

use crate::PROVIDER;

/// Longest provider message kept in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 400;

/// What a Maya error code means for the caller (spec §7.3's "crate error kind").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `K001`–`K007`: the API key (missing, expired, unknown, wrong kind, bad Base64, scope).
    Auth,
    /// `2553`, `PY0037`, `PY0048`, `PY0095`, `PY0096`, `PY0113`, `PY0127`, `PY0026`, `PYBY0001`,
    /// `PYBY0014`: the request breaks a rule.
    Validation,
    /// `PY0064`: the body was not JSON (a bug on our side).
    Bug,
    /// A system fault that may have been processed (`PY0015`, `PY9999`, …): look the payment
    /// up by its reference before trying again.
    MaybeProcessed,
    /// A transient upstream fault where nothing moved (`PY0001`, `PY0013`, `K999`, …).
    Upstream,
    /// `PY0009`, `PY0023`, `PY0027`, `PY0038`, `PY0046`, `PY0063`, `PY0065`, `PYBY0009`.
    NotFound,
    /// `PY0017`, `PY0058`, `PYBY0003`: the merchant account is not set up for this.
    MerchantConfig,
    /// `PY0019`, `PYBY0004`: the feature is not enabled for this key or profile.
    Forbidden,
    /// `PY0045`, `PY0073`: not available for void (state, or past the Manila cut-off).
    NotVoidable,
    /// `PY0047`: ineligible for refund (same day, or older than 180 days). Not an auth error,
    /// even though it arrives as HTTP 401.
    NotRefundable,
    /// `PY0072`: refund before the next-day cut-off; possible from 00:00 Asia/Manila.
    NotRefundableYet,
    /// `PY0094`: not available for capture.
    NotCapturable,
    /// `PY0082`, `PY0093`, `PY0039`: a conflicting record exists; re-read before deciding.
    Conflict,
    /// `PY0104`: the reference names several payments; use the payment id.
    AmbiguousReference,
    /// A decline of the customer's card or wallet.
    Declined,
    /// `PY0057`, `PY0103`: the payment expired.
    Expired,
    /// `PY0146`: the customer cancelled.
    Cancelled,
    /// `PY0007`, `PY0008`, `PY0021`, `PY0024`, `PY0025`, `PY0028`–`PY0030`, `PY0042`,
    /// `PY0043`: a Vault token, customer or card problem.
    Vault,
    /// `PYBY0010`: the wallet link is inactive or deleted.
    LinkInactive,
    /// `PY0044` and codes this version does not know.
    Other,
}

impl ErrorKind {
    /// The kind of `code`.
    pub fn of(code: &str) -> ErrorKind {
        match code {
            "K001" | "K002" | "K003" | "K004" | "K005" | "K006" | "K007" => ErrorKind::Auth,
            "2553" | "PY0037" | "PY0048" | "PY0095" | "PY0096" | "PY0113" | "PY0127" | "PY0026"
            | "PYBY0001" | "PYBY0014" => ErrorKind::Validation,
            "PY0064" => ErrorKind::Bug,
            "PY0015" | "PY0016" | "PY0040" | "PY0041" | "PY0059" | "PY0060" | "PY0066"
            | "PY0067" | "PY0069" | "PY0122" | "PY0143" | "PY0144" | "PY9999" | "PYBY0006"
            | "PYBY0012" | "PYBY9999" => ErrorKind::MaybeProcessed,
            "K999" | "PY0001" | "PY0013" | "PY0014" | "PY0068" | "PY0114" | "PY0115" | "PY0129"
            | "PY0130" | "PY0169" | "PY0170" => ErrorKind::Upstream,
            "PY0009" | "PY0023" | "PY0027" | "PY0038" | "PY0046" | "PY0063" | "PY0065"
            | "PYBY0009" => ErrorKind::NotFound,
            "PY0017" | "PY0058" | "PYBY0003" => ErrorKind::MerchantConfig,
            "PY0019" | "PYBY0004" => ErrorKind::Forbidden,
            "PY0045" | "PY0073" => ErrorKind::NotVoidable,
            "PY0047" => ErrorKind::NotRefundable,
            "PY0072" => ErrorKind::NotRefundableYet,
            "PY0094" => ErrorKind::NotCapturable,
            "PY0082" | "PY0093" | "PY0039" => ErrorKind::Conflict,
            "PY0104" => ErrorKind::AmbiguousReference,
            "PY0002" | "PY0036" | "PY0070" | "PY0100" | "PY0101" | "PY0105" | "PY0116"
            | "PY0117" | "PY0119" | "PY0120" | "PY0121" | "PY0123" | "PY0124" | "PY0136"
            | "PY0137" | "PY0138" => ErrorKind::Declined,
            "PY0057" | "PY0103" => ErrorKind::Expired,
            "PY0146" => ErrorKind::Cancelled,
            "PY0007" | "PY0008" | "PY0021" | "PY0024" | "PY0025" | "PY0028" | "PY0029"
            | "PY0030" | "PY0042" | "PY0043" => ErrorKind::Vault,
            "PYBY0010" => ErrorKind::LinkInactive,
            _ => ErrorKind::Other,
        }
    }

    /// True for faults Maya documents as transient. On a call that may move money they leave
    /// the outcome unknown (paykit-core turns them into [`Error::OutcomeUnknown`]).
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorKind::MaybeProcessed | ErrorKind::Upstream)
    }
}

/// The kind of a paykit error carrying a Maya code (`Error::Api`, or an unknown outcome whose
/// cause is a Maya fault), if any.
pub fn error_kind(error: &Error) -> Option<ErrorKind> {
    match error {
        Error::OutcomeUnknown {
            cause: paykit_core::UnknownCause::ProviderFault { code, .. },
            ..
        } => Some(ErrorKind::of(code)),
        other => other.api_code().map(ErrorKind::of),
    }
}

/// One `parameters` entry of a `2553` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field as Maya names it (`totalAmount.value`).
    pub field: String,
    /// What is wrong.
    pub description: String,
}

/// A Maya error body: `{code, message, parameters?}`, the key layer's
/// `{error, code, reference}`, or a nested `{error: {code, message}}`.
///
/// ```
/// use paykit_maya_checkout::{ErrorBody, ErrorKind};
///
/// let body = ErrorBody::parse(br#"{"code":"PY0047","message":"Payment is ineligible for refund."}"#).unwrap();
/// assert_eq!(body.kind(), ErrorKind::NotRefundable);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The code (`PY0009`, `2553`, `K004`, `PYBY0009`).
    pub code: String,
    /// Maya's message (empty when none).
    pub message: String,
    /// Field errors of a `2553`.
    pub parameters: Vec<FieldError>,
    /// The key layer's trace reference.
    pub reference: Option<String>,
}

impl ErrorBody {
    /// Reads any of the shapes; `None` when the bytes carry no code.
    pub fn parse(body: &[u8]) -> Option<ErrorBody> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        let top_code = object.get("code").and_then(scalar_text);
        let (code, message, parameters) = match object.get("error") {
            Some(Value::Object(inner)) => (
                inner.get("code").and_then(scalar_text).or(top_code)?,
                inner
                    .get("message")
                    .and_then(scalar_text)
                    .or_else(|| object.get("message").and_then(scalar_text)),
                parameters(inner).or_else(|| parameters(object)),
            ),
            Some(Value::String(text)) => (top_code?, Some(text.clone()), parameters(object)),
            _ => (
                top_code?,
                object.get("message").and_then(scalar_text),
                parameters(object),
            ),
        };
        if code.is_empty() {
            return None;
        }
        Some(ErrorBody {
            code,
            message: message.unwrap_or_default(),
            parameters: parameters.unwrap_or_default(),
            reference: object.get("reference").and_then(scalar_text),
        })
    }

    /// What the code means.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::of(&self.code)
    }

    /// Message, field errors and reference, bounded.
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
        let hint = match self.kind() {
            ErrorKind::MaybeProcessed => {
                Some("Maya may have processed it: look the payment up by its reference first")
            }
            ErrorKind::NotRefundable => Some(
                "refunds open at 00:00 Asia/Manila the day after the payment and close after 180 days",
            ),
            ErrorKind::NotVoidable => {
                Some("voids close at midnight Asia/Manila of the payment's day")
            }
            ErrorKind::AmbiguousReference => Some("use the payment id instead of the reference"),
            _ => None,
        };
        if let Some(hint) = hint {
            text = join(text, hint);
        }
        if let Some(reference) = &self.reference {
            text = join(text, &format!("[reference {}]", bounded(reference)));
        }
        text
    }

    /// The paykit error for this body received with `http_status`.
    pub fn into_error(self, http_status: u16) -> Error {
        let kind = self.kind();
        if kind == ErrorKind::Auth {
            return Error::Auth {
                provider: PROVIDER,
                message: format!("{}: {}", self.code, self.describe()),
            };
        }
        Error::Api {
            provider: PROVIDER,
            http_status: Some(http_status),
            message: self.describe(),
            retryable: kind.is_transient(),
            code: self.code,
        }
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.describe())
    }
}

/// The error of a non-2xx answer: Maya's body when it has one, else core's reading of the
/// status.
pub(crate) fn from_response(response: &RawResponse) -> Error {
    match ErrorBody::parse(&response.body) {
        Some(body) => body.into_error(response.status.as_u16()),
        None => response.unrecognized_error(),
    }
}

/// Parses a 2xx answer as `T`, or turns a non-2xx into the error.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(response: &RawResponse) -> Result<T> {
    if response.is_success() {
        response.json()
    } else {
        Err(from_response(response))
    }
}

fn parameters(object: &Map<String, Value>) -> Option<Vec<FieldError>> {
    let list = object.get("parameters")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|entry| {
                let entry = entry.as_object()?;
                Some(FieldError {
                    field: entry.get("field").and_then(scalar_text).unwrap_or_default(),
                    description: entry
                        .get("description")
                        .and_then(scalar_text)
                        .unwrap_or_default(),
                })
            })
            .collect(),
    )
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn bounded(text: &str) -> String {
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    cut.push('…');
    cut
}

fn join(text: String, more: &str) -> String {
    if text.is_empty() {
        more.to_owned()
    } else {
        format!("{text} {more}")
    }
}
