//! The protocol notes' vectors (copied to `tests/data/miapos-vectors.json`): every valid vector
//! verifies, every negative one (N1–N8, and the real sandbox callback under the test key) is
//! rejected, and no body can make the verifier panic.

use std::time::Duration;

use paykit_core::PaymentStatus;
use paykit_core::webhook::sha256;
use serde_json::Value;

use super::*;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/miapos-vectors.json"
));

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing"))
}

fn test_key() -> RsaPublicKey {
    RsaPublicKey::from_spki_base64(text(&vectors(), "publicKey_base64_spki_der")).unwrap()
}

fn hook() -> MiaPosWebhook {
    MiaPosWebhook::with_public_key(test_key())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn valid(name_prefix: &str) -> Value {
    vectors()["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| text(v, "name").starts_with(name_prefix))
        .cloned()
        .unwrap()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

fn signature_error(result: Result<PaymentInfo>) -> SignatureError {
    match result {
        Err(Error::Signature(kind)) => kind,
        other => panic!("expected a signature error, got {other:?}"),
    }
}

#[test]
fn every_valid_vector_builds_its_string_and_verifies() {
    let vectors = vectors();
    let list = vectors["vectors"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    for vector in list {
        let name = text(vector, "name");
        let body = text(vector, "callback_body").as_bytes();
        let canonical = canonical_string(body).unwrap();
        assert_eq!(canonical, text(vector, "sign_string"), "{name}");
        assert_eq!(
            hex(&sha256(canonical.as_bytes())),
            text(vector, "sign_string_sha256_hex"),
            "{name}"
        );
        if let Some(utf8) = vector.get("sign_string_utf8_hex") {
            assert_eq!(hex(canonical.as_bytes()), utf8.as_str().unwrap(), "{name}");
        }
        let info = block_on(hook().verify_callback(body)).unwrap();
        let result = serde_json::from_str::<Value>(text(vector, "callback_body")).unwrap();
        assert_eq!(
            info.payment_id,
            text(&result["result"], "paymentId"),
            "{name}"
        );
        assert_eq!(
            info.status.as_str(),
            text(&result["result"], "status"),
            "{name}"
        );
    }
}

#[test]
fn every_negative_vector_is_rejected() {
    let vectors = vectors();
    let key = test_key();
    let negatives = vectors["negative"].as_array().unwrap();
    assert_eq!(negatives.len(), 8);
    let canonical_strings: Vec<String> = vectors["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| canonical_string(text(v, "callback_body").as_bytes()).unwrap())
        .collect();
    for negative in negatives {
        let name = text(negative, "name");
        let wrong = text(negative, "string_verified");
        let signature = text(negative, "signature_base64");
        let decoded = STANDARD.decode(signature).unwrap();
        assert!(
            matches!(
                key.verify(wrong.as_bytes(), &decoded),
                Err(Error::Signature(SignatureError::Mismatch))
            ),
            "{name}: the wrong string verified"
        );
        if !name.starts_with("N8") {
            // Our builder never produces the wrong string for any vector body.
            assert!(!canonical_strings.iter().any(|c| c == wrong), "{name}");
        }
    }
}

#[test]
fn a_pss_signature_is_rejected_through_the_whole_path() {
    let vectors = vectors();
    let pss = vectors["negative"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| text(n, "name").starts_with("N8"))
        .cloned()
        .unwrap();
    let v1 = valid("V1");
    let body = text(&v1, "callback_body").replace(
        text(&v1, "signature_base64"),
        text(&pss, "signature_base64"),
    );
    assert_ne!(body, text(&v1, "callback_body"));
    let kind = signature_error(block_on(hook().verify_callback(body.as_bytes())));
    assert_eq!(kind, SignatureError::Mismatch);
}

#[test]
fn tampered_bodies_are_rejected() {
    let v1 = valid("V1");
    let body = text(&v1, "callback_body");
    for (from, to) in [
        ("145.25", "145.26"),
        ("\"SUCCESS\"", "\"FAILED\""),
        ("order-123", "order-124"),
        ("\"paymentType\":\"qr\",", ""),
        (
            "\"swiftPayerBank\":\"CMTBMD2X\"",
            "\"swiftPayerBank\":\"CMTBMD2X\",\"extra\":\"x\"",
        ),
    ] {
        let tampered = body.replacen(from, to, 1);
        assert_ne!(tampered, body, "{from}");
        let kind = signature_error(block_on(hook().verify_callback(tampered.as_bytes())));
        assert_eq!(kind, SignatureError::Mismatch, "{from} -> {to}");
    }
}

#[test]
fn formatting_changes_that_keep_the_values_still_verify() {
    let v2 = valid("V2");
    let body = text(&v2, "callback_body");
    // 1775.00 -> 1775 and 1775.0: the signed form is 1775.00 either way; whitespace is free.
    for (from, to) in [("1775.00", "1775"), ("1775.00", "1775.0"), (",", " ,\n ")] {
        let variant = body.replace(from, to);
        block_on(hook().verify_callback(variant.as_bytes())).unwrap();
    }
}

#[test]
fn the_real_sandbox_callback_builds_the_documented_string_but_not_under_the_test_key() {
    let vectors = vectors();
    let real = &vectors["real_sandbox_callback_unverifiable_here"];
    let body = text(real, "callback_body").as_bytes();
    assert_eq!(canonical_string(body).unwrap(), text(real, "sign_string"));
    let kind = signature_error(block_on(hook().verify_callback(body)));
    assert_eq!(kind, SignatureError::Mismatch);
}

#[test]
fn amounts_are_written_with_two_decimals_from_the_literal() {
    for (literal, expected) in [
        ("1775", "1775.00"),
        ("1775.0", "1775.00"),
        ("1775.00", "1775.00"),
        ("1775.000", "1775.00"),
        ("12.5", "12.50"),
        ("0.5", "0.50"),
        ("\"145.25\"", "145.25"),
        ("1.5e2", "150.00"),
        ("90071992547409.93", "90071992547409.93"),
    ] {
        let body = format!(r#"{{"result":{{"amount":{literal}}},"signature":"x"}}"#);
        assert_eq!(
            canonical_string(body.as_bytes()).unwrap(),
            expected,
            "{literal}"
        );
    }
    for bad in ["1.005", "\"ten\"", "\"\""] {
        let body = format!(r#"{{"result":{{"amount":{bad}}},"signature":"x"}}"#);
        assert!(
            matches!(
                canonical_string(body.as_bytes()),
                Err(Error::Signature(SignatureError::BadBody(_)))
            ),
            "{bad}"
        );
    }
}

#[test]
fn keys_sort_bytewise_nulls_drop_and_unknown_values_are_kept() {
    let body = br#"{"result":{"b":"2","a":"1","Z":"0","c":null,"n":7,"amount":1},"signature":"x"}"#;
    // "Z" < "a" < "amount" < "b" < "n" byte-wise.
    assert_eq!(canonical_string(body).unwrap(), "0;1;1.00;2;7");
    let body = br#"{"result":{},"signature":"x"}"#;
    assert_eq!(canonical_string(body).unwrap(), "");
}

/// A body and a check of the signature error it must give.
type Case = (&'static [u8], fn(&SignatureError) -> bool);

#[test]
fn bodies_that_are_not_callbacks_are_refused_by_kind() {
    let cases: [Case; 12] = [
        (b"", |k| matches!(k, SignatureError::BadBody(_))),
        (b"not json", |k| matches!(k, SignatureError::BadBody(_))),
        (b"[1,2]", |k| matches!(k, SignatureError::BadBody(_))),
        (br#"{"signature":"x"}"#, |k| {
            matches!(k, SignatureError::BadBody(_))
        }),
        (br#"{"result":[],"signature":"x"}"#, |k| {
            matches!(k, SignatureError::BadBody(_))
        }),
        (br#"{"result":{"a":"1"}}"#, |k| {
            *k == SignatureError::Missing
        }),
        (br#"{"result":{"a":"1"},"signature":null}"#, |k| {
            *k == SignatureError::Missing
        }),
        (br#"{"result":{"a":"1"},"signature":12}"#, |k| {
            *k == SignatureError::Malformed
        }),
        (br#"{"result":{"a":"1"},"signature":"%%%"}"#, |k| {
            *k == SignatureError::Malformed
        }),
        (br#"{"result":{"a":"1"},"signature":""}"#, |k| {
            *k == SignatureError::Malformed
        }),
        (br#"{"result":{"a":"1","a":"2"},"signature":"AAAA"}"#, |k| {
            matches!(k, SignatureError::BadBody(_))
        }),
        (br#"{"result":{"flag":true},"signature":"AAAA"}"#, |k| {
            matches!(k, SignatureError::BadBody(_))
        }),
    ];
    for (body, expected) in cases {
        let kind = signature_error(block_on(hook().verify_callback(body)));
        assert!(
            expected(&kind),
            "{}: {kind:?}",
            String::from_utf8_lossy(body)
        );
    }
    let twice = br#"{"result":{"a":"1"},"result":{"a":"2"},"signature":"AAAA"}"#;
    assert!(matches!(
        signature_error(block_on(hook().verify_callback(twice))),
        SignatureError::BadBody(_)
    ));
}

#[test]
fn an_authentic_result_without_the_documented_fields_is_refused() {
    let pem = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/miapos/keys/private_key.pem"
    ));
    let signer = paykit_testkit::signers::miapos::Signer::from_pkcs8_pem(pem).unwrap();
    let body = signer
        .signed_body(r#"{"orderId":"x","status":"SUCCESS","amount":1}"#)
        .unwrap();
    match block_on(hook().verify_callback(body.as_bytes())) {
        Err(Error::Signature(SignatureError::BadBody(reason))) => {
            assert!(reason.contains("is missing"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn no_input_makes_the_verifier_panic() {
    let vectors = vectors();
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for vector in vectors["vectors"].as_array().unwrap() {
        let body = text(vector, "callback_body").as_bytes().to_vec();
        for cut in (0..body.len()).step_by(7) {
            bodies.push(body[..cut].to_vec());
        }
        let mut flipped = body.clone();
        for index in (0..flipped.len()).step_by(13) {
            flipped[index] ^= 0x5a;
            bodies.push(flipped.clone());
        }
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..300 {
        let len = usize::try_from(state % 200).unwrap();
        let mut body = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let alphabet = b"{}[]\",:0123456789.eE-+ \\untrlsafamount\xc3\xff";
            let pick = usize::try_from(state % alphabet.len() as u64).unwrap();
            body.push(alphabet[pick]);
        }
        bodies.push(body);
    }
    let hook = hook();
    block_on(async {
        for body in &bodies {
            let _ = hook.verify_callback(body).await;
        }
    });
}

#[test]
fn events_carry_the_mapped_status_and_a_dedupe_key() {
    let v1 = valid("V1");
    let info = block_on(hook().verify_callback(text(&v1, "callback_body").as_bytes())).unwrap();
    let event = event(&info);
    assert_eq!(event.authenticity, Authenticity::Signed);
    assert_eq!(
        event.dedupe_key,
        "c81b7a16-9c64-494c-88b1-26ec2c6328fe:SUCCESS"
    );
    let outcome = event.payment().unwrap();
    assert_eq!(outcome.status, PaymentStatus::Captured);
    assert_eq!(outcome.amount.unwrap().to_fixed_string(), "145.25");
    assert_eq!(info.swift_payer_bank.as_deref(), Some("CMTBMD2X"));
    assert_eq!(info.payment_date.as_deref(), Some("2026-10-05T22:13:42"));
}

#[test]
fn the_key_cache_is_keyed_by_base_url_and_debug_shows_no_key_material() {
    let cache = PublicKeyCache::new();
    cache.insert("https://a.example/", test_key());
    let a = cache.slot("https://a.example");
    assert!(a.fresh(Duration::from_secs(60)).is_some());
    assert!(
        cache
            .slot("https://b.example")
            .fresh(Duration::from_secs(60))
            .is_none()
    );
    let text = format!("{cache:?} {:?}", hook());
    assert!(text.contains("sha256_prefix"), "{text}");
    assert!(!text.contains("MIIBIjAN"), "{text}");
    cache.clear();
    assert!(
        cache
            .slot("https://a.example")
            .fresh(Duration::from_secs(60))
            .is_none()
    );
}

#[test]
fn signatures_decode_as_they_would_into_a_fresh_vector() {
    let long = STANDARD.encode(vec![7_u8; 1500]);
    let exactly_room = STANDARD.encode(vec![9_u8; SIGNATURE_ROOM]);
    let mut inputs = vec![
        String::new(),
        " \n".to_owned(),
        "c2ln".to_owned(),
        " c2ln\r\n".to_owned(),
        "c2l".to_owned(),
        "c2lu".to_owned(),
        "c2ln=".to_owned(),
        "c2k=".to_owned(),
        "c2l=".to_owned(),
        "%%%%".to_owned(),
        "c2ln\u{a0}".to_owned(),
        format!("{long}!"),
        long.clone(),
        exactly_room.clone(),
        format!("{exactly_room}AAAA"),
    ];
    inputs.push(long.replace('A', "-"));
    for encoded in inputs {
        let mut room = [0_u8; SIGNATURE_ROOM];
        let mut spill = Vec::new();
        let ours = decode_signature(&encoded, &mut room, &mut spill).map(<[u8]>::to_vec);
        let fresh = STANDARD
            .decode(encoded.trim().as_bytes())
            .ok()
            .filter(|bytes| !bytes.is_empty());
        match (ours, fresh) {
            (Ok(ours), Some(fresh)) => assert_eq!(ours, fresh, "{encoded}"),
            (Err(Error::Signature(SignatureError::Malformed)), None) => {}
            (ours, fresh) => panic!("{encoded}: {ours:?} / {fresh:?}"),
        }
    }
    let mut room = [0_u8; SIGNATURE_ROOM];
    let mut spill = Vec::new();
    assert_eq!(
        decode_signature(&long, &mut room, &mut spill)
            .unwrap()
            .len(),
        1500
    );
    assert_eq!(
        spill.len(),
        1500,
        "longer than the room: decoded into the vector"
    );
}

/// The plain-literal shortcut writes what the `Decimal` path writes, wherever it answers, and
/// answers for the amounts miaPOS sends.
#[test]
fn plain_amounts_are_written_as_the_decimal_path_writes_them() {
    let through_decimal = |literal: &str| -> Option<String> {
        let mut amount = paykit_core::wire::parse_decimal_literal(literal)?.normalize();
        if amount.scale() > 2 {
            return None;
        }
        amount.rescale(2);
        Some(amount.to_string())
    };
    let wholes = [
        "",
        "0",
        "00",
        "01",
        "1",
        "9",
        "10",
        "99",
        "100",
        "1775",
        "-1",
        "-0",
        "+1",
        " 1",
        "1 ",
        "\"1\"",
        "1e2",
        "1E2",
        "a",
        "99999999999999999999",
        "999999999999999999999999",
    ];
    let decimals = [
        None,
        Some(""),
        Some("0"),
        Some("00"),
        Some("000000000000"),
        Some("5"),
        Some("50"),
        Some("05"),
        Some("500"),
        Some("001"),
        Some("12"),
        Some("120"),
        Some("123"),
        Some("1e1"),
        Some("5 "),
        Some("5.5"),
        Some("-5"),
    ];
    let mut answered = 0;
    for whole in wholes {
        for decimal in decimals {
            let literal = match decimal {
                Some(decimal) => format!("{whole}.{decimal}"),
                None => whole.to_owned(),
            };
            let mut fast = String::from("x;");
            if push_plain_two_decimals(&mut fast, &literal) {
                answered += 1;
                assert_eq!(
                    fast.strip_prefix("x;"),
                    through_decimal(&literal).as_deref(),
                    "{literal}"
                );
            } else {
                assert_eq!(fast, "x;", "{literal}: nothing written");
            }
        }
    }
    assert!(answered >= 40, "{answered}");
    for sent in ["99.00", "1775.00", "12.5", "100", "0.5", "145.25", "1.01"] {
        assert!(push_plain_two_decimals(&mut String::new(), sent), "{sent}");
    }
}

/// The common event is made from the checked fields in the body (`Checked::facts`), not from
/// the typed copy: on every body both paths give the same event, or the same refusal. The
/// bodies: the vectors, the callback fixtures, authentic results of every status and of broken
/// shapes, and every truncation, deletion and byte swap of one authentic body.
#[test]
fn the_event_read_from_the_body_is_the_typed_results_event() {
    let pem = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/miapos/keys/private_key.pem"
    ));
    let signer = paykit_testkit::signers::miapos::Signer::from_pkcs8_pem(pem).unwrap();
    let page =
        "https://ecomm-test.miapos.md/checkout?paymentId=7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90";
    let result = |status: &str, amount: &str, extra: &str| {
        format!(
            r#"{{"terminalId":"TE0001","orderId":"WEB-1","paymentId":"7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90","status":"{status}","amount":{amount},"currency":"MDL"{extra}}}"#
        )
    };
    let mut bodies: Vec<Vec<u8>> = vectors()["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| text(v, "callback_body").as_bytes().to_vec())
        .collect();
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/miapos/callbacks"
    );
    for entry in std::fs::read_dir(dir).unwrap() {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        bodies.push(doc["body"]["value"].as_str().unwrap().as_bytes().to_vec());
    }
    let with_page = format!(r#","checkoutPage":"{page}","paymentType":"qr""#);
    let mut results = Vec::new();
    for status in [
        "CREATED", "PENDING", "SUCCESS", "FAILED", "DECLINED", "EXPIRED",
    ] {
        results.push(result(status, "99.00", ""));
        results.push(result(status, "12.5", &with_page));
    }
    results.extend([
        result("REFUNDED", "1", ""),
        result("SUCCESS", r#""1.00""#, ""),
        result("SUCCESS", "0", ""),
        result("SUCCESS", "1.005", ""),
        result("SUCCESS", "1", r#","swiftPayerBank":"nope""#),
        result(
            "CREATED",
            "1",
            r#","checkoutPage":"https://x.md/?paymentId=other""#,
        ),
        result("SUCCESS", "1", "").replace(r#""currency":"MDL""#, r#""currency":"EUR""#),
        result("SUCCESS", "1", "").replace(r#""orderId":"WEB-1","#, ""),
    ]);
    for result in &results {
        bodies.push(signer.signed_body(result).unwrap().into_bytes());
    }
    let authentic = signer
        .signed_body(&result("CREATED", "12.5", &with_page))
        .unwrap()
        .into_bytes();
    for at in 0..authentic.len() {
        bodies.push(authentic[..at].to_vec());
        let mut deleted = authentic.clone();
        deleted.remove(at);
        bodies.push(deleted);
        for byte in [b'"', b'\\', b'}', b',', b' ', b'0', b'A', 0xff] {
            let mut swapped = authentic.clone();
            swapped[at] = byte;
            bodies.push(swapped);
        }
    }
    let hook = hook();
    let (mut events, mut refusals) = (0, 0);
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            for body in &bodies {
                let typed = hook.verify_callback(body).await.map(|info| event(&info));
                let direct = Webhook::verify(&hook, &WebhookRequest::body_only(body)).await;
                let shown = String::from_utf8_lossy(body);
                match (typed, direct) {
                    (Ok(typed), Ok(direct)) => {
                        assert_eq!(typed, direct, "{shown}");
                        events += 1;
                    }
                    (Err(typed), Err(direct)) => {
                        assert_eq!(typed.to_string(), direct.to_string(), "{shown}");
                        refusals += 1;
                    }
                    (typed, direct) => panic!("{shown}: {typed:?} / {direct:?}"),
                }
            }
        });
    // Both sides are reached: the statuses, the vectors and a few harmless edits verify.
    assert!(
        events >= 18 && refusals > 1000,
        "{events} events, {refusals} refusals"
    );
}
