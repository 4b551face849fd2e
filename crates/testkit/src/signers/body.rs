//! The `{"result": {...}, "signature": "..."}` envelope shared by maib and miaPOS callbacks.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use super::SignError;
use crate::json::Exact;

/// A callback body split into its `result` (parsed exactly, plus its text as received) and
/// its `signature`.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// `result`, with number literals kept.
    pub result: Exact,
    /// `result`'s JSON text exactly as received.
    pub result_text: String,
    /// The sibling `signature`, when present.
    pub signature: Option<String>,
}

impl Envelope {
    /// Splits a callback body.
    pub fn parse(body: &[u8]) -> Result<Self, SignError> {
        let malformed = |e: serde_json::Error| SignError::Malformed(e.to_string());
        let members: BTreeMap<String, Box<RawValue>> =
            serde_json::from_slice(body).map_err(malformed)?;
        let raw_result = members
            .get("result")
            .ok_or_else(|| SignError::Malformed("no `result`".into()))?;
        let result = Exact::from_raw(raw_result).map_err(malformed)?;
        let signature = match members.get("signature") {
            None => None,
            Some(raw) => Some(
                serde_json::from_str(raw.get())
                    .map_err(|_| SignError::Malformed("`signature` is not a string".into()))?,
            ),
        };
        Ok(Self {
            result,
            result_text: raw_result.get().to_owned(),
            signature,
        })
    }

    /// The body `{"result":<result_text>,"signature":"<signature>"}`, `result` kept verbatim.
    pub fn body_with(result_text: &str, signature: &str) -> String {
        format!(r#"{{"result":{result_text},"signature":"{signature}"}}"#)
    }
}
