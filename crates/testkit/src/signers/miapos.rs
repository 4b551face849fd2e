//! miaPOS callback signatures (miapos.md §4), written independently of the client:
//! RSASSA-PKCS1-v1_5 with SHA-256 over the values of `result`, nulls dropped, keys sorted,
//! `amount` with exactly two decimals, joined by `;`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::SignError;
use super::body::Envelope;
use super::rsa::RsaSigner;
use crate::json::{Exact, ExactDecimal};

/// The canonical string of `result`.
pub fn canonical_string(result: &Exact) -> Result<String, SignError> {
    let Exact::Object(members) = result else {
        return Err(SignError::Malformed("`result` is not an object".into()));
    };
    let mut parts = Vec::new();
    // BTreeMap<String, _> iterates in byte (= code point) order, as Java's TreeMap.
    for (field, value) in members {
        let bad = |reason: String| SignError::Value {
            field: field.clone(),
            reason,
        };
        match (field.as_str(), value) {
            (_, Exact::Null) => {}
            ("amount", Exact::Number(literal) | Exact::String(literal)) => {
                let amount = ExactDecimal::parse(literal).map_err(|e| bad(e.to_string()))?;
                parts.push(amount.to_fixed(2));
            }
            (_, Exact::String(text)) => parts.push(text.clone()),
            (_, other) => {
                return Err(bad(format!("a {} has no defined form", other.type_name())));
            }
        }
    }
    Ok(parts.join(";"))
}

/// A PKCS#8 RSA key pair that signs miaPOS callbacks.
#[derive(Debug)]
pub struct Signer {
    key: RsaSigner,
}

impl Signer {
    /// Reads a PKCS#8 private key in PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, SignError> {
        RsaSigner::from_pkcs8_pem(pem).map(|key| Self { key })
    }

    /// The base64 signature of `text`.
    pub fn sign_text(&self, text: &str) -> Result<String, SignError> {
        Ok(STANDARD.encode(self.key.sign(text.as_bytes())?))
    }

    /// The base64 signature of `result`'s canonical string.
    pub fn signature(&self, result: &Exact) -> Result<String, SignError> {
        self.sign_text(&canonical_string(result)?)
    }

    /// A full callback body for `result_json` (kept verbatim), signed.
    pub fn signed_body(&self, result_json: &str) -> Result<String, SignError> {
        let result = Exact::parse(result_json).map_err(|e| SignError::Malformed(e.to_string()))?;
        Ok(Envelope::body_with(
            result_json.trim(),
            &self.signature(&result)?,
        ))
    }

    /// Whether the body's stored `signature` is the one this key gives (PKCS#1 v1.5 is
    /// deterministic, so re-signing reproduces it).
    pub fn stored_signature_matches(&self, body: &[u8]) -> Result<bool, SignError> {
        let envelope = Envelope::parse(body)?;
        match envelope.signature {
            Some(stored) => Ok(self.signature(&envelope.result)? == stored),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests;
