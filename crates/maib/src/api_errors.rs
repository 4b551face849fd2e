//! Every entry of maib's `errors[]`, kept whole (protocol notes maib.md §1.1, §8.1; §10 gotcha 8).
//!
//! paykit's [`Error::Api`] has room for one code and one message. maib may answer several
//! errors, each with `errorArgs` (the parameter, the allowed range, ...). So the `message` of
//! every maib error is written in one fixed, lossless form that people can read and
//! [`api_errors`] can read back:
//!
//! ```text
//! 12001: "Parameter 'amount' is invalid" {"parameter":"amount"}; 12005: "bad currency"
//! ```
//!
//! Each entry is its code, `: `, its message as a JSON string, and its `errorArgs` as a JSON
//! object when there are any; entries are joined by `; `. The first entry's code is also the
//! error's `code`.

use std::collections::BTreeMap;

use paykit_core::{Error, UnknownCause};
use serde_json::Value;

use crate::PROVIDER;

/// One entry of maib's `errors[]`: its code, message and `errorArgs`.
///
/// ```
/// use paykit_maib::{ApiErrorEntry, api_errors};
///
/// let entry = ApiErrorEntry::new("12001", "Parameter 'amount' is invalid")
///     .arg("parameter", "amount");
/// let error = paykit_core::Error::Api {
///     provider: paykit_maib::PROVIDER,
///     http_status: Some(400),
///     code: "12001".into(),
///     message: paykit_maib::render_api_errors(std::slice::from_ref(&entry)),
///     retryable: false,
/// };
/// assert_eq!(api_errors(&error), vec![entry]);
/// assert!(error.to_string().contains(r#"{"parameter":"amount"}"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ApiErrorEntry {
    /// `errorCode`, verbatim (empty when maib sent none).
    pub code: String,
    /// `errorMessage`, verbatim (placeholders already filled in by maib).
    pub message: String,
    /// `errorArgs`: strings as they are, other JSON values as their JSON text.
    pub args: BTreeMap<String, String>,
}

impl ApiErrorEntry {
    /// An entry with `code` and `message` and no arguments.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiErrorEntry {
            code: code.into(),
            message: message.into(),
            args: BTreeMap::new(),
        }
    }

    /// Adds an `errorArgs` entry.
    pub fn arg(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.args.insert(name.into(), value.into());
        self
    }

    /// What maib's error table says about this code, if it is documented.
    pub fn meaning(&self) -> Option<&'static str> {
        crate::error::describe_error_code(&self.code)
    }
}

/// A code is written bare when it cannot be mistaken for the separators around it.
fn bare_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn json_string(text: &str) -> String {
    // Serializing a str cannot fail.
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The lossless text of `entries` (see the module docs), used as [`Error::Api`]'s `message`.
pub fn render_api_errors(entries: &[ApiErrorEntry]) -> String {
    let mut out = String::new();
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            out.push_str("; ");
        }
        if bare_code(&entry.code) {
            out.push_str(&entry.code);
        } else {
            out.push_str(&json_string(&entry.code));
        }
        out.push_str(": ");
        out.push_str(&json_string(&entry.message));
        if !entry.args.is_empty() {
            let object: serde_json::Map<String, Value> = entry
                .args
                .iter()
                .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                .collect();
            out.push(' ');
            out.push_str(&Value::Object(object).to_string());
        }
    }
    out
}

/// Every entry of maib's `errors[]` behind `error`: a maib [`Error::Api`] or [`Error::Auth`],
/// or an unknown outcome caused by a maib fault (`10000`). Empty for any other error.
pub fn api_errors(error: &Error) -> Vec<ApiErrorEntry> {
    let message = match error {
        Error::Api {
            provider, message, ..
        }
        | Error::Auth { provider, message }
            if *provider == PROVIDER =>
        {
            message
        }
        Error::OutcomeUnknown {
            provider,
            cause: UnknownCause::ProviderFault { message, .. },
            ..
        } if *provider == PROVIDER => message,
        _ => return Vec::new(),
    };
    parse(message).unwrap_or_default()
}

/// Reads [`render_api_errors`]'s text back; `None` when `text` is not in that form.
fn parse(text: &str) -> Option<Vec<ApiErrorEntry>> {
    let mut entries = Vec::new();
    let mut rest = text;
    loop {
        let (code, after_code) = if rest.starts_with('"') {
            let (code, after) = json_value(rest)?;
            (code.as_str()?.to_owned(), after)
        } else {
            let end = rest.find(':')?;
            (rest[..end].to_owned(), &rest[end..])
        };
        let after_colon = after_code.strip_prefix(": ")?;
        let (message, mut after) = json_value(after_colon)?;
        let mut entry = ApiErrorEntry::new(code, message.as_str()?);
        if let Some(args_text) = after.strip_prefix(' ').filter(|t| t.starts_with('{')) {
            let (args, after_args) = json_value(args_text)?;
            for (name, value) in args.as_object()? {
                entry.args.insert(name.clone(), value.as_str()?.to_owned());
            }
            after = after_args;
        }
        entries.push(entry);
        if after.is_empty() {
            return Some(entries);
        }
        rest = after.strip_prefix("; ")?;
    }
}

/// The first JSON value of `text` and what follows it.
fn json_value(text: &str) -> Option<(Value, &str)> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let value = stream.next()?.ok()?;
    let end = stream.byte_offset();
    Some((value, text.get(end..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(message: String) -> Error {
        Error::Api {
            provider: PROVIDER,
            http_status: Some(400),
            code: "12001".into(),
            message,
            retryable: false,
        }
    }

    #[test]
    fn every_entry_survives_the_round_trip() {
        let entries = vec![
            ApiErrorEntry::new("12001", "Parameter 'amount' is invalid").arg("parameter", "amount"),
            ApiErrorEntry::new("12014", "a; b: \"c\" {d}")
                .arg("minValue", "1")
                .arg("maxValue", "100000"),
            ApiErrorEntry::new("", "no code"),
            ApiErrorEntry::new("odd code: x", ""),
        ];
        let text = render_api_errors(&entries);
        assert!(
            text.starts_with(
                r#"12001: "Parameter 'amount' is invalid" {"parameter":"amount"}; 12014: "#
            ),
            "{text}"
        );
        assert_eq!(api_errors(&api(text)), entries);
    }

    #[test]
    fn other_errors_have_no_entries() {
        assert!(api_errors(&api("free text".into())).is_empty());
        assert!(api_errors(&Error::invalid_input("x", "y")).is_empty());
        let foreign = Error::Api {
            provider: paykit_core::ProviderId("other"),
            http_status: None,
            code: "1".into(),
            message: render_api_errors(&[ApiErrorEntry::new("1", "m")]),
            retryable: false,
        };
        assert!(api_errors(&foreign).is_empty());
    }

    #[test]
    fn meanings_come_from_the_table() {
        assert_eq!(
            ApiErrorEntry::new("13116", "").meaning(),
            Some("already refunded")
        );
    }
}
