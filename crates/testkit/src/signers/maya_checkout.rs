//! Maya webhook signatures, version 1 (maya-checkout.md §6.4), written independently of the
//! client: the body's JSON flattened to sorted `path=value` pairs (nulls, empty strings and
//! empty containers dropped, numbers in their canonical PHP/JavaScript rendering), joined by
//! `&`, then `&nonce=<nonce>`, signed with RSASSA-PKCS1-v1_5 and SHA-256, lowercase hex in
//! `X-Maya-Webhook-Signature: nonce=…,v1=…`; the timestamp header is not signed.

use std::collections::BTreeMap;

use super::SignError;
use super::bog_payments::header;
use super::rsa::RsaSigner;
use crate::json::{Exact, php_string};

/// The header that carries the nonce and the signature.
pub const SIGNATURE_HEADER: &str = "X-Maya-Webhook-Signature";
/// The header that carries the send time, in Unix milliseconds.
pub const TIMESTAMP_HEADER: &str = "X-Maya-Webhook-Timestamp";

/// The string v1 signs: `body`'s pairs sorted bytewise, joined by `&`, then `&nonce=<nonce>`.
pub fn signed_string(body: &[u8], nonce: &str) -> Result<String, SignError> {
    let tree = Exact::parse_bytes(body).map_err(|e| SignError::Malformed(e.to_string()))?;
    let mut pairs = Vec::new();
    flatten("", &tree, &mut pairs)?;
    pairs.sort();
    Ok(format!("{}&nonce={nonce}", pairs.join("&")))
}

/// Appends the `path=value` pairs under `node`.
fn flatten(path: &str, node: &Exact, pairs: &mut Vec<String>) -> Result<(), SignError> {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match node {
        Exact::Object(members) => {
            for (key, value) in members {
                flatten(&child(key), value, pairs)?;
            }
        }
        Exact::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                flatten(&child(&index.to_string()), value, pairs)?;
            }
        }
        Exact::Null => {}
        Exact::String(text) if text.is_empty() => {}
        Exact::String(text) => pairs.push(format!("{path}={text}")),
        Exact::Bool(flag) => pairs.push(format!("{path}={flag}")),
        Exact::Number(literal) => {
            let rendered = php_string(literal).map_err(|e| SignError::Value {
                field: path.to_owned(),
                reason: e.to_string(),
            })?;
            pairs.push(format!("{path}={rendered}"));
        }
    }
    Ok(())
}

/// Signs Maya webhooks with a test key.
#[derive(Debug)]
pub struct Signer {
    key: RsaSigner,
}

impl Signer {
    /// Reads a PKCS#8 private key in PEM.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, SignError> {
        RsaSigner::from_pkcs8_pem(pem).map(|key| Self { key })
    }

    /// The `v1` value (lowercase hex) for `body` and `nonce`.
    pub fn v1(&self, body: &[u8], nonce: &str) -> Result<String, SignError> {
        let signature = self.key.sign(signed_string(body, nonce)?.as_bytes())?;
        Ok(signature.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The headers of a signed delivery of `body` sent at `timestamp_ms`.
    pub fn headers(
        &self,
        body: &[u8],
        nonce: &str,
        timestamp_ms: u64,
    ) -> Result<BTreeMap<String, String>, SignError> {
        let v1 = self.v1(body, nonce)?;
        Ok(BTreeMap::from([
            (
                SIGNATURE_HEADER.to_owned(),
                format!("nonce={nonce},v1={v1}"),
            ),
            (TIMESTAMP_HEADER.to_owned(), timestamp_ms.to_string()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ]))
    }

    /// Whether `headers` carry the `v1` this key gives for `body` and their own nonce.
    pub fn stored_signature_matches(
        &self,
        headers: &BTreeMap<String, String>,
        body: &[u8],
    ) -> Result<bool, SignError> {
        let Some(value) = header(headers, SIGNATURE_HEADER) else {
            return Ok(false);
        };
        let part = |name: &str| {
            value
                .split(',')
                .map(str::trim)
                .find_map(|p| p.strip_prefix(name))
                .unwrap_or_default()
        };
        let (nonce, stored) = (part("nonce="), part("v1="));
        if nonce.is_empty() || stored.is_empty() {
            return Ok(false);
        }
        Ok(self.v1(body, nonce)? == stored.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_is_flattened_sorted_and_ends_with_the_nonce() {
        let body = br#"{"id":"p-1","amount":100.00,"fee":199.50,"paid":true,"zero":0,
            "gone":null,"blank":"","none":[],"empty":{},
            "items":[{"name":"A&B"},{"name":"C"}],"meta":{"x":{"y":"z"}}}"#;
        assert_eq!(
            signed_string(body, "n1").unwrap(),
            "amount=100&fee=199.5&id=p-1&items.0.name=A&B&items.1.name=C&meta.x.y=z\
             &paid=true&zero=0&nonce=n1"
        );
        assert_eq!(signed_string(b"{}", "n").unwrap(), "&nonce=n");
    }

    #[test]
    fn whole_pairs_sort_bytewise_so_ten_comes_before_two() {
        let items: Vec<String> = (0..11).map(|i| format!(r#"{{"q":{i}}}"#)).collect();
        let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
        let text = signed_string(body.as_bytes(), "n").unwrap();
        let ten = text.find("items.10.q").unwrap();
        let two = text.find("items.2.q").unwrap();
        assert!(ten < two, "{text}");
    }
}
