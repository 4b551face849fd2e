//! Bank of Georgia Payments API callback signatures (bog-payments.md §7.2), written
//! independently of the client: RSASSA-PKCS1-v1_5 with SHA-256 over the exact raw body, base64
//! in the `Callback-Signature` header.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::SignError;
use super::rsa::RsaSigner;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Callback-Signature";

/// Signs Payments API callbacks with a test key.
#[derive(Debug)]
pub struct Signer {
    key: RsaSigner,
}

impl Signer {
    /// Reads a PKCS#8 private key in PEM.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, SignError> {
        RsaSigner::from_pkcs8_pem(pem).map(|key| Self { key })
    }

    /// The `Callback-Signature` value for `body`, byte for byte as it will be sent.
    pub fn signature(&self, body: &[u8]) -> Result<String, SignError> {
        Ok(STANDARD.encode(self.key.sign(body)?))
    }

    /// The headers of a signed delivery of `body`.
    pub fn headers(&self, body: &[u8]) -> Result<BTreeMap<String, String>, SignError> {
        Ok(BTreeMap::from([
            (SIGNATURE_HEADER.to_owned(), self.signature(body)?),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ]))
    }

    /// Whether `headers` carry the signature this key gives for `body` (header names are
    /// case-insensitive).
    pub fn stored_signature_matches(
        &self,
        headers: &BTreeMap<String, String>,
        body: &[u8],
    ) -> Result<bool, SignError> {
        match header(headers, SIGNATURE_HEADER) {
            Some(stored) => Ok(self.signature(body)? == stored.trim()),
            None => Ok(false),
        }
    }
}

/// The value of header `name`, case-insensitively.
pub(crate) fn header<'a>(headers: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}
