//! maib e-commerce v1 callback signatures (maib.md §6.2-6.3), written independently of the
//! client: `base64(sha256(values of result sorted by key, then the key, joined by ":"))`.

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::SignError;
use super::body::Envelope;
use crate::json::{Exact, php_string};

/// How number literals enter the sign string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// PHP's `(string)` of `json_decode`'s value: `10.00` becomes `10` (the reference).
    Php,
    /// The literal as received: `10.00` stays `10.00` (accepted as an alternative).
    Literal,
}

/// The sign string: leaf values of `result` in byte-wise key order (recursively; arrays in
/// order; an empty array or object gives one empty element), then `key`, joined by `:`.
pub fn sign_string(result: &Exact, key: &str, style: NumberStyle) -> Result<String, SignError> {
    let mut parts = Vec::new();
    leaves(result, style, &mut parts)?;
    parts.push(key.to_owned());
    Ok(parts.join(":"))
}

/// The base64 signature of `result` under `key`.
pub fn signature(result: &Exact, key: &str, style: NumberStyle) -> Result<String, SignError> {
    let text = sign_string(result, key, style)?;
    Ok(STANDARD.encode(digest(&SHA256, text.as_bytes())))
}

/// A full callback body for `result_json` (kept verbatim), signed PHP-style under `key`.
pub fn signed_body(result_json: &str, key: &str) -> Result<String, SignError> {
    let result = Exact::parse(result_json).map_err(|e| SignError::Malformed(e.to_string()))?;
    Ok(Envelope::body_with(
        result_json.trim(),
        &signature(&result, key, NumberStyle::Php)?,
    ))
}

/// Whether the body's stored `signature` is what `key` gives, in either number style.
pub fn stored_signature_matches(body: &[u8], key: &str) -> Result<bool, SignError> {
    let envelope = Envelope::parse(body)?;
    let Some(stored) = envelope.signature else {
        return Ok(false);
    };
    for style in [NumberStyle::Php, NumberStyle::Literal] {
        if signature(&envelope.result, key, style)? == stored {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Appends the leaf values of `value` depth-first.
fn leaves(value: &Exact, style: NumberStyle, out: &mut Vec<String>) -> Result<(), SignError> {
    match value {
        Exact::Object(members) if members.is_empty() => out.push(String::new()),
        Exact::Array(items) if items.is_empty() => out.push(String::new()),
        // BTreeMap<String, _> iterates in byte-wise key order, as PHP's ksort(SORT_STRING).
        Exact::Object(members) => {
            for member in members.values() {
                leaves(member, style, out)?;
            }
        }
        Exact::Array(items) => {
            for item in items {
                leaves(item, style, out)?;
            }
        }
        Exact::Null | Exact::Bool(false) => out.push(String::new()),
        Exact::Bool(true) => out.push("1".into()),
        Exact::String(text) => out.push(text.clone()),
        Exact::Number(literal) => out.push(match style {
            NumberStyle::Literal => literal.clone(),
            NumberStyle::Php => php_string(literal).map_err(|e| SignError::Value {
                field: literal.clone(),
                reason: e.to_string(),
            })?,
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Signature Key of the docs' PHP example (maib.md, Test vectors).
    const K: &str = "8508706b-3454-4733-8295-56e617c4abcf";
    const TV1: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#;

    fn php(result: &str, key: &str) -> String {
        signature(&Exact::parse(result).unwrap(), key, NumberStyle::Php).unwrap()
    }

    fn literal(result: &str, key: &str) -> String {
        signature(&Exact::parse(result).unwrap(), key, NumberStyle::Literal).unwrap()
    }

    #[test]
    fn tv1_official_docs_example() {
        let result = Exact::parse(TV1).unwrap();
        assert_eq!(
            sign_string(&result, K, NumberStyle::Php).unwrap(),
            "10.25:327593:510218******1124:MDL:123:f16a9006-128a-46bc-8e2a-77a6ee99df75:\
             331711380059:OK:000:Approved:AUTHENTICATED:8508706b-3454-4733-8295-56e617c4abcf"
        );
        assert_eq!(php(TV1, K), "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=");
    }

    #[test]
    fn tv2_minimal() {
        assert_eq!(
            php(r#"{"a":1,"b":"2"}"#, "SECRET"),
            "JHvWuPNVVIkPbFqdAxP56oKpolcxcUtPyrAYGsYMOms="
        );
    }

    #[test]
    fn tv3_round_amount_both_styles() {
        let tv3 = TV1.replace("10.25", "10.00");
        assert_eq!(php(&tv3, K), "r15EN5lloa7jSOB+++jdFRfu1qUCboma9Nm5VdWow+s=");
        assert_eq!(
            literal(&tv3, K),
            "f0nlnmFfN8EFG0I4cb0ARndmhavNnNX58s/UZe4aqxM="
        );
    }

    #[test]
    fn tv4_nulls_and_booleans() {
        let tv4 = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":null,"status":"FAILED","statusCode":"116","statusMessage":"Decline, not sufficient funds","threeDs":"AUTHENTICATED","rrn":null,"approval":null,"cardNumber":"510218******1124","amount":10.25,"currency":"MDL","test":true}"#;
        assert_eq!(php(tv4, K), "sMQ8vgkf6WOawj24Ychg18+UDDE01fgzMrEVoRVsXRM=");
    }

    #[test]
    fn tv5_savecard_fields() {
        let tv5 = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","billerId":"a1b2c3d4-0000-4000-8000-000000000001","billerExpiry":"1229","orderId":"123","status":"PENDING","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","cardNumber":"510218******1124","currency":"EUR"}"#;
        assert_eq!(php(tv5, K), "mczN31PH24JG/Njreh/KQokPJJqXp4fA9RG+GfOdICw=");
    }

    #[test]
    fn tv6_nested_items() {
        let tv6 = r#"{"payId":"p1","items":[{"name":"B","id":"2","price":2.5,"quantity":2},{"id":"1","name":"A","price":4,"quantity":1}],"amount":9.00,"currency":"MDL"}"#;
        let result = Exact::parse(tv6).unwrap();
        assert_eq!(
            sign_string(&result, K, NumberStyle::Php).unwrap(),
            format!("9:MDL:2:B:2.5:2:1:A:4:1:p1:{K}")
        );
        assert_eq!(php(tv6, K), "Np/g8WiCqdEWd/lZ72p7RQDIcln9nAEMfD1Hj5ct+E8=");
        assert_eq!(
            literal(tv6, K),
            "86X39ga1jixLR5C6GiU5fzQ6nyTv0nIV/RjoUsEFQws="
        );
    }

    #[test]
    fn tv7_bytewise_key_order() {
        assert_eq!(
            php(r#"{"alpha":"a","Zeta":"z","beta":"b"}"#, K),
            "CYnpdBs1NYX2eBtCmPBdgIytbl6faJxnaLGuUOo3ykY="
        );
    }

    #[test]
    fn tv8_empty_array_is_one_empty_element() {
        let tv8 = r#"{"payId":"p1","items":[],"orderId":"","amount":1}"#;
        let result = Exact::parse(tv8).unwrap();
        assert_eq!(
            sign_string(&result, K, NumberStyle::Php).unwrap(),
            format!("1:::p1:{K}")
        );
        assert_eq!(php(tv8, K), "aqkTiTX/cQ4duJp47Z5AkPUFNYyXzVzDT65almW1zMg=");
    }

    #[test]
    fn signed_bodies_verify_and_tampering_is_seen() {
        let body = signed_body(TV1, K).unwrap();
        assert!(body.contains("5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="));
        assert!(stored_signature_matches(body.as_bytes(), K).unwrap());
        let tampered = body.replace("10.25", "10.26");
        assert!(!stored_signature_matches(tampered.as_bytes(), K).unwrap());
        assert!(!stored_signature_matches(body.as_bytes(), "other-key").unwrap());
    }

    #[test]
    fn raw_literal_signatures_are_accepted_too() {
        let tv3 = TV1.replace("10.25", "10.00");
        let body = Envelope::body_with(&tv3, &literal(&tv3, K));
        assert!(stored_signature_matches(body.as_bytes(), K).unwrap());
    }
}
