//! miaPOS callback signature (miapos.md §4): RSASSA-PKCS1-v1_5 with SHA-256 over the values
//! of `result`, keys sorted byte-wise, nulls skipped, `amount` with exactly two decimals,
//! joined with `;`.

use std::collections::BTreeMap;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::value::RawValue;

use crate::json::{JsonKind, kind_of, parse_number, parse_plain_decimal};

/// The canonical string of the JSON object `result_json`. `None` if it is not an object of
/// strings (plus the numeric `amount`), which is all miaPOS ever signs.
pub(crate) fn canonical(result_json: &str) -> Option<String> {
    let map: BTreeMap<String, &RawValue> = serde_json::from_str(result_json).ok()?;
    let mut parts = Vec::with_capacity(map.len());
    for (key, raw) in map {
        match kind_of(raw) {
            JsonKind::Null => {}
            JsonKind::Number if key == "amount" => {
                parts.push(two_decimals(parse_number(raw.get().trim())?));
            }
            JsonKind::String if key == "amount" => {
                let text: String = serde_json::from_str(raw.get()).ok()?;
                parts.push(two_decimals(parse_plain_decimal(&text)?));
            }
            JsonKind::String => parts.push(serde_json::from_str::<String>(raw.get()).ok()?),
            _ => return None,
        }
    }
    Some(parts.join(";"))
}

/// `number_format(v, 2, '.', '')`: half away from zero, exactly two decimals.
fn two_decimals(value: Decimal) -> String {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v.to_string()
}

/// Why a key could not be set up.
#[derive(Debug)]
pub(crate) struct KeyError(pub(crate) String);

/// The simulator's miaPOS signing key.
pub(crate) struct RsaSigner {
    key: KeyPair,
    public_key_b64: String,
}

impl std::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaSigner")
            .field("public_key_b64", &self.public_key_b64)
            .finish_non_exhaustive()
    }
}

impl RsaSigner {
    /// A fresh RSA-2048 key.
    pub(crate) fn generate() -> Result<Self, KeyError> {
        let key = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| KeyError("RSA key generation failed".into()))?;
        Self::from_key(key)
    }

    /// A key from unencrypted PKCS#8 DER.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        let key = KeyPair::from_pkcs8(der)
            .map_err(|e| KeyError(format!("miaPOS private key rejected: {e}")))?;
        Self::from_key(key)
    }

    fn from_key(key: KeyPair) -> Result<Self, KeyError> {
        let spki = key
            .public_key()
            .as_der()
            .map_err(|_| KeyError("public key encoding failed".into()))?;
        let public_key_b64 = STANDARD.encode(spki.as_ref());
        Ok(Self {
            key,
            public_key_b64,
        })
    }

    /// The public key as miaPOS serves it: base64 of the DER SubjectPublicKeyInfo.
    pub(crate) fn public_key_b64(&self) -> &str {
        &self.public_key_b64
    }

    /// Base64 PKCS#1 v1.5 / SHA-256 signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Option<String> {
        self.signature(message).map(|sig| STANDARD.encode(sig))
    }

    /// The raw PKCS#1 v1.5 / SHA-256 signature bytes of `message`.
    pub(crate) fn signature(&self, message: &[u8]) -> Option<Vec<u8>> {
        let mut sig = vec![0_u8; self.key.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.key
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut sig)
            .ok()?;
        Some(sig)
    }

    /// The public key as a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo), 64 columns.
    pub(crate) fn public_key_pem(&self) -> String {
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        let b64 = self.public_key_b64.as_bytes();
        for line in b64.chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }
}

/// Decodes a PEM block's base64 body (armour lines dropped) to DER.
#[cfg(test)]
pub(crate) fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    STANDARD.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTORS: &str = include_str!("../../testdata/miapos-vectors.json");

    fn vectors() -> serde_json::Value {
        serde_json::from_str(VECTORS).unwrap()
    }

    fn result_of(body: &str) -> String {
        let outer: BTreeMap<String, &RawValue> = serde_json::from_str(body).unwrap();
        outer["result"].get().to_owned()
    }

    fn test_signer() -> RsaSigner {
        let pem = vectors()["privateKey_pkcs8_pem_TEST_ONLY"]
            .as_str()
            .unwrap()
            .to_owned();
        RsaSigner::from_pkcs8(&pem_to_der(&pem).unwrap()).unwrap()
    }

    #[test]
    fn canonical_strings_match_every_vector() {
        let v = vectors();
        let list = v["vectors"].as_array().unwrap();
        assert_eq!(list.len(), 6);
        for vector in list {
            let body = vector["callback_body"].as_str().unwrap();
            assert_eq!(
                canonical(&result_of(body)).unwrap(),
                vector["sign_string"].as_str().unwrap(),
                "{}",
                vector["name"]
            );
        }
        let real = &v["real_sandbox_callback_unverifiable_here"];
        let body = real["callback_body"].as_str().unwrap();
        assert_eq!(
            canonical(&result_of(body)).unwrap(),
            real["sign_string"].as_str().unwrap()
        );
    }

    #[test]
    fn signatures_match_every_vector_with_the_test_key() {
        let signer = test_signer();
        assert_eq!(
            signer.public_key_b64(),
            vectors()["publicKey_base64_spki_der"].as_str().unwrap()
        );
        for vector in vectors()["vectors"].as_array().unwrap() {
            let expected = vector["signature_base64"].as_str().unwrap();
            let message = vector["sign_string"].as_str().unwrap();
            assert_eq!(signer.sign(message.as_bytes()).unwrap(), expected);
        }
    }

    #[test]
    fn rejects_unsignable_results() {
        assert_eq!(canonical(r#"{"flag":true}"#), None);
        assert_eq!(canonical(r#"{"count":3}"#), None);
        assert_eq!(canonical(r#"{"amount":"1e3"}"#), None);
        assert_eq!(canonical("[]"), None);
        assert_eq!(canonical(r#"{"a":"x","b":null}"#).as_deref(), Some("x"));
    }

    #[test]
    fn generated_keys_are_rsa_2048_spki() {
        let signer = RsaSigner::generate().unwrap();
        assert!(
            signer
                .public_key_b64()
                .starts_with("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
        );
        let sig = STANDARD.decode(signer.sign(b"x").unwrap()).unwrap();
        assert_eq!(sig.len(), 256);
    }
}
