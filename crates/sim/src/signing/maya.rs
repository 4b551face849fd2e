//! Maya's "Webhook Signature Version 1" (maya-checkout.md §6.4), signer side: the body is
//! flattened depth-first into `key=value` pairs (nested keys joined with `.`, array indexes
//! as keys; `null`, `""`, `[]` and `{}` skipped; booleans lowercase; strings verbatim;
//! numbers in their canonical decimal form), the pairs are sorted byte-wise as whole strings,
//! joined with `&`, `&nonce=<nonce>` is appended, and the UTF-8 bytes are signed with
//! RSASSA-PKCS1-v1_5 / SHA-256. The signature travels as lowercase hex.

use crate::json::parse_number;
use crate::maya_checkout::J;
use crate::random;
use crate::signing::miapos::RsaSigner;

/// The string Maya signs for `body` and `nonce` (§6.4.2 steps 4–6).
pub(crate) fn flattened(body: &J, nonce: &str) -> String {
    let mut pairs = Vec::new();
    walk(body, "", &mut pairs);
    pairs.sort_unstable();
    let mut out = pairs.join("&");
    out.push_str("&nonce=");
    out.push_str(nonce);
    out
}

fn walk(node: &J, prefix: &str, pairs: &mut Vec<String>) {
    let key_of = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match node {
        J::Obj(members) => {
            for (k, v) in members {
                emit(v, &key_of(k), pairs);
            }
        }
        J::Arr(items) => {
            for (i, v) in items.iter().enumerate() {
                emit(v, &key_of(&i.to_string()), pairs);
            }
        }
        // A scalar at the top level has no key; Maya only sends objects.
        _ => {}
    }
}

fn emit(value: &J, key: &str, pairs: &mut Vec<String>) {
    match value {
        J::Null => {}
        J::Str(s) if s.is_empty() => {}
        J::Arr(items) if items.is_empty() => {}
        J::Obj(members) if members.is_empty() => {}
        J::Obj(_) | J::Arr(_) => walk(value, key, pairs),
        J::Bool(b) => pairs.push(format!("{key}={b}")),
        J::Num(text) => pairs.push(format!("{key}={}", canonical_number(text))),
        J::Str(s) => pairs.push(format!("{key}={s}")),
    }
}

/// What JavaScript's `String(n)` (or PHP's float cast) prints for an ordinary amount: no
/// trailing fraction zeros, no `.0` on integral values.
pub(crate) fn canonical_number(literal: &str) -> String {
    parse_number(literal).map_or_else(|| literal.to_owned(), |d| d.normalize().to_string())
}

/// The two headers of one signed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignatureHeaders {
    /// `X-Maya-Webhook-Signature: nonce=<n>,v1=<hex>`.
    pub(crate) signature: String,
    /// `X-Maya-Webhook-Timestamp: <epoch ms>`.
    pub(crate) timestamp: String,
}

/// Signs `body` with a fresh 16-byte nonce at `now_ms`. `None` only if the key refuses to sign.
pub(crate) fn sign(signer: &RsaSigner, body: &J, now_ms: u64) -> Option<SignatureHeaders> {
    let nonce = random::to_hex(&random::bytes::<16>());
    sign_with_nonce(signer, body, &nonce, now_ms)
}

/// Signs `body` with the given nonce.
pub(crate) fn sign_with_nonce(
    signer: &RsaSigner,
    body: &J,
    nonce: &str,
    now_ms: u64,
) -> Option<SignatureHeaders> {
    let message = flattened(body, nonce);
    let sig = signer.signature(message.as_bytes())?;
    Some(SignatureHeaders {
        signature: format!("nonce={nonce},v1={}", random::to_hex(&sig)),
        timestamp: now_ms.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::miapos::pem_to_der;
    use serde_json::value::RawValue;

    const VECTORS: &str = include_str!("../../testdata/maya-checkout-vectors.json");

    fn vectors() -> serde_json::Value {
        serde_json::from_str(VECTORS).unwrap()
    }

    fn tree(text: &str) -> J {
        let raw: Box<RawValue> = serde_json::from_str(text).unwrap();
        J::from_raw(&raw, 64).unwrap()
    }

    fn test_signer() -> RsaSigner {
        let v = vectors();
        let pem = v["private_key_pkcs8_pem_TEST_ONLY"].as_str().unwrap();
        RsaSigner::from_pkcs8(&pem_to_der(pem).unwrap()).unwrap()
    }

    #[test]
    fn flattening_and_signatures_match_the_digest_vectors() {
        let signer = test_signer();
        let v = vectors();
        let list = v["vectors"].as_array().unwrap();
        assert_eq!(list.len(), 3);
        for vector in list {
            let body = tree(vector["body"].as_str().unwrap());
            let nonce = vector["nonce"].as_str().unwrap();
            let flat = flattened(&body, nonce);
            assert_eq!(
                flat,
                vector["flattened"].as_str().unwrap(),
                "{}",
                vector["name"]
            );
            let headers = sign_with_nonce(&signer, &body, nonce, 1_767_225_600_000).unwrap();
            let expected = format!("nonce={nonce},v1={}", vector["v1"].as_str().unwrap());
            assert_eq!(headers.signature, expected, "{}", vector["name"]);
            assert_eq!(headers.timestamp, "1767225600000");
        }
    }

    #[test]
    fn flattening_unit_cases() {
        let cases = [
            (
                r#"{"id":"pay_123","amount":{"value":100,"currency":"PHP"}}"#,
                "NONCE",
                "amount.currency=PHP&amount.value=100&id=pay_123&nonce=NONCE",
            ),
            (
                r#"{"canVoid":true,"canRefund":false}"#,
                "n",
                "canRefund=false&canVoid=true&nonce=n",
            ),
            (
                r#"{"present":"yes","nope":null,"blank":"","empty":[],"nested":{"inner":""}}"#,
                "X",
                "present=yes&nonce=X",
            ),
            (
                r#"{"zeta":"1","alpha":"2","mu":"3"}"#,
                "NN",
                "alpha=2&mu=3&zeta=1&nonce=NN",
            ),
            (r#"{"a":[null,"x"]}"#, "k", "a.1=x&nonce=k"),
            (r#"{}"#, "k", "&nonce=k"),
            (
                r#"{"v":0.0,"w":199.50,"z":0}"#,
                "k",
                "v=0&w=199.5&z=0&nonce=k",
            ),
        ];
        for (body, nonce, want) in cases {
            assert_eq!(flattened(&tree(body), nonce), want, "{body}");
        }
        let items: Vec<String> = (0..11).map(|i| format!(r#"{{"n":"{i}"}}"#)).collect();
        let body = tree(&format!(r#"{{"items":[{}]}}"#, items.join(",")));
        let flat = flattened(&body, "k");
        assert!(flat.starts_with("items.0.n=0&items.1.n=1&items.10.n=10&items.2.n=2"));
    }

    #[test]
    fn fresh_nonces_are_32_hex_digits() {
        let signer = test_signer();
        let body = tree(r#"{"id":"x"}"#);
        let a = sign(&signer, &body, 1).unwrap();
        let b = sign(&signer, &body, 1).unwrap();
        assert_ne!(a.signature, b.signature);
        let nonce = a
            .signature
            .strip_prefix("nonce=")
            .and_then(|s| s.split(',').next())
            .unwrap();
        assert_eq!(nonce.len(), 32);
        assert!(nonce.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
