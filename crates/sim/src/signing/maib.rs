//! maib e-commerce v1 callback signature (maib.md §6.2-6.3):
//! `base64(sha256(join(":", leaf values of result sorted by key, recursively) + ":" + key))`,
//! with values stringified as PHP's `(string)` does after `json_decode($json, true)`.

use std::collections::BTreeMap;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::value::RawValue;

use super::php;
use crate::json::{JsonKind, kind_of};

/// The colon-joined leaf values of the JSON object `result_json`, without the key.
/// `None` if `result_json` is not valid JSON.
pub(crate) fn sign_string(result_json: &str) -> Option<String> {
    let raw: &RawValue = serde_json::from_str(result_json).ok()?;
    let mut leaves = Vec::new();
    collect(raw, &mut leaves, 0)?;
    Some(leaves.join(":"))
}

/// The signature of `result_json` under `signature_key`.
pub(crate) fn signature(result_json: &str, signature_key: &str) -> Option<String> {
    let mut text = sign_string(result_json)?;
    text.push(':');
    text.push_str(signature_key);
    Some(STANDARD.encode(digest::digest(&digest::SHA256, text.as_bytes())))
}

/// Depth limit, so hostile nesting cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

fn collect(raw: &RawValue, out: &mut Vec<String>, depth: usize) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    match kind_of(raw) {
        JsonKind::Object => {
            // BTreeMap<String, _> orders keys byte-wise, as PHP's ksort(SORT_STRING).
            let map: BTreeMap<String, &RawValue> = serde_json::from_str(raw.get()).ok()?;
            if map.is_empty() {
                out.push(String::new());
            }
            for value in map.values() {
                collect(value, out, depth + 1)?;
            }
        }
        JsonKind::Array => {
            let items: Vec<&RawValue> = serde_json::from_str(raw.get()).ok()?;
            if items.is_empty() {
                out.push(String::new());
            }
            for value in items {
                collect(value, out, depth + 1)?;
            }
        }
        JsonKind::String => out.push(serde_json::from_str::<String>(raw.get()).ok()?),
        JsonKind::Number => out.push(php::number_to_string(raw.get())?),
        JsonKind::Bool => out.push(if raw.get().trim() == "true" { "1" } else { "" }.to_owned()),
        JsonKind::Null => out.push(String::new()),
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: &str = "8508706b-3454-4733-8295-56e617c4abcf";
    const TV1: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#;

    #[test]
    fn tv1_official_docs_example() {
        assert_eq!(
            sign_string(TV1).unwrap(),
            "10.25:327593:510218******1124:MDL:123:f16a9006-128a-46bc-8e2a-77a6ee99df75:331711380059:OK:000:Approved:AUTHENTICATED"
        );
        assert_eq!(
            signature(TV1, K).unwrap(),
            "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="
        );
    }

    #[test]
    fn tv2_minimal() {
        assert_eq!(
            signature(r#"{"a":1,"b":"2"}"#, "SECRET").unwrap(),
            "JHvWuPNVVIkPbFqdAxP56oKpolcxcUtPyrAYGsYMOms="
        );
    }

    #[test]
    fn tv3_round_amount_uses_php_float_form() {
        let result = TV1.replace("10.25", "10.00");
        assert_eq!(
            signature(&result, K).unwrap(),
            "r15EN5lloa7jSOB+++jdFRfu1qUCboma9Nm5VdWow+s="
        );
    }

    #[test]
    fn tv4_nulls_and_bools() {
        let result = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":null,"status":"FAILED","statusCode":"116","statusMessage":"Decline, not sufficient funds","threeDs":"AUTHENTICATED","rrn":null,"approval":null,"cardNumber":"510218******1124","amount":10.25,"currency":"MDL","test":true}"#;
        assert_eq!(
            sign_string(result).unwrap(),
            "10.25::510218******1124:MDL::f16a9006-128a-46bc-8e2a-77a6ee99df75::FAILED:116:Decline, not sufficient funds:1:AUTHENTICATED"
        );
        assert_eq!(
            signature(result, K).unwrap(),
            "sMQ8vgkf6WOawj24Ychg18+UDDE01fgzMrEVoRVsXRM="
        );
    }

    #[test]
    fn tv5_savecard() {
        let result = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","billerId":"a1b2c3d4-0000-4000-8000-000000000001","billerExpiry":"1229","orderId":"123","status":"PENDING","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","cardNumber":"510218******1124","currency":"EUR"}"#;
        assert_eq!(
            signature(result, K).unwrap(),
            "mczN31PH24JG/Njreh/KQokPJJqXp4fA9RG+GfOdICw="
        );
    }

    #[test]
    fn tv6_nested_items() {
        let result = r#"{"payId":"p1","items":[{"name":"B","id":"2","price":2.5,"quantity":2},{"id":"1","name":"A","price":4,"quantity":1}],"amount":9.00,"currency":"MDL"}"#;
        assert_eq!(sign_string(result).unwrap(), "9:MDL:2:B:2.5:2:1:A:4:1:p1");
        assert_eq!(
            signature(result, K).unwrap(),
            "Np/g8WiCqdEWd/lZ72p7RQDIcln9nAEMfD1Hj5ct+E8="
        );
    }

    #[test]
    fn tv7_bytewise_key_order() {
        let result = r#"{"alpha":"a","Zeta":"z","beta":"b"}"#;
        assert_eq!(sign_string(result).unwrap(), "z:a:b");
        assert_eq!(
            signature(result, K).unwrap(),
            "CYnpdBs1NYX2eBtCmPBdgIytbl6faJxnaLGuUOo3ykY="
        );
    }

    #[test]
    fn tv8_empty_array_is_one_empty_element() {
        let result = r#"{"payId":"p1","items":[],"orderId":"","amount":1}"#;
        assert_eq!(sign_string(result).unwrap(), "1:::p1");
        assert_eq!(
            signature(result, K).unwrap(),
            "aqkTiTX/cQ4duJp47Z5AkPUFNYyXzVzDT65almW1zMg="
        );
    }

    #[test]
    fn key_order_does_not_matter() {
        let reordered = r#"{"currency":"MDL","amount":10.25,"cardNumber":"510218******1124","approval":"327593","rrn":"331711380059","threeDs":"AUTHENTICATED","statusMessage":"Approved","statusCode":"000","status":"OK","orderId":"123","payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75"}"#;
        assert_eq!(signature(reordered, K), signature(TV1, K));
    }

    #[test]
    fn invalid_or_hostile_input_is_none_not_panic() {
        assert_eq!(sign_string("{"), None);
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(sign_string(&deep), None);
    }
}
