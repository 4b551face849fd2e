//! The order in which configured keys are tried: the key that verified last goes first, and
//! the verdict is the same whatever the order.

use paykit_core::InMemoryPaymentRecords;
use paykit_testkit::signers::bog_payments::Signer;

use super::*;

fn fixture(path: &str) -> String {
    let path = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Payments API test key and a second RSA key (miaPOS's test key), each with its signer.
fn two_keys() -> [(RsaPublicKey, Signer); 2] {
    [
        (
            RsaPublicKey::from_spki_base64(&fixture(
                "bog-payments/keys/test_callback_public_key.pem",
            ))
            .unwrap(),
            Signer::from_pkcs8_pem(&fixture("bog-payments/keys/test_callback_private_key.pem"))
                .unwrap(),
        ),
        (
            RsaPublicKey::from_spki_base64(&fixture("miapos/keys/public_key.b64")).unwrap(),
            Signer::from_pkcs8_pem(&fixture("miapos/keys/private_key.pem")).unwrap(),
        ),
    ]
}

fn headers(signature: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, signature.parse().unwrap());
    headers
}

const BODY: &[u8] = br#"{"event":"order_payment","body":{"order_id":"o-1"}}"#;

#[test]
fn the_key_that_verified_last_is_tried_first_by_every_clone() {
    let [(bog_key, bog), (other_key, other)] = two_keys();
    let hook = BogPaymentsWebhook::new(
        vec![other_key, bog_key],
        Arc::new(InMemoryPaymentRecords::new()),
    );
    let by_bog = headers(&bog.signature(BODY).unwrap());
    let by_other = headers(&other.signature(BODY).unwrap());
    let verify = |hook: &BogPaymentsWebhook, headers: &http::HeaderMap, body: &[u8]| {
        hook.verify_header(body, &WebhookRequest::new(headers, body))
    };
    assert_eq!(hook.last_key.load(Ordering::Relaxed), 0);
    verify(&hook, &by_bog, BODY).unwrap();
    assert_eq!(hook.last_key.load(Ordering::Relaxed), 1);
    verify(&hook, &by_bog, BODY).unwrap();
    assert_eq!(hook.last_key.load(Ordering::Relaxed), 1);
    verify(&hook, &by_other, BODY).unwrap();
    assert_eq!(hook.last_key.load(Ordering::Relaxed), 0);
    // A refusal moves nothing.
    let tampered = br#"{"event":"order_payment","body":{"order_id":"o-2"}}"#;
    assert!(matches!(
        verify(&hook, &by_bog, tampered),
        Err(Error::Signature(SignatureError::Mismatch))
    ));
    assert_eq!(hook.last_key.load(Ordering::Relaxed), 0);
    // Clones share the hint.
    let clone = hook.clone();
    verify(&clone, &by_bog, BODY).unwrap();
    assert_eq!(hook.last_key.load(Ordering::Relaxed), 1);
}

#[test]
fn the_verdict_does_not_depend_on_which_key_goes_first() {
    let [(bog_key, bog), (other_key, other)] = two_keys();
    let key_lists = [
        vec![],
        vec![bog_key.clone()],
        vec![other_key.clone()],
        vec![bog_key.clone(), other_key.clone()],
        vec![other_key.clone(), bog_key.clone()],
        vec![other_key.clone(), other_key, bog_key],
    ];
    let by_bog = bog.signature(BODY).unwrap();
    let by_other = other.signature(BODY).unwrap();
    let percent = by_bog
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let signatures = [
        Some(by_bog.as_str()),
        Some(by_other.as_str()),
        Some(percent.as_str()),
        Some(" \t"),
        None,
        Some("%%"),
        Some("c2ln"),
    ];
    let kind = |result: Result<()>| match result {
        Ok(()) => "ok".to_owned(),
        Err(error) => format!("{error:?}"),
    };
    for keys in &key_lists {
        for signature in signatures {
            let in_order = kind(verify_signature(BODY, signature, keys));
            for first in 0..=keys.len() + 1 {
                let from = verify_signature_from(BODY, signature, keys, first);
                if let Ok(index) = from {
                    assert!(
                        keys[index]
                            .verify(BODY, &STANDARD.decode(by_bog.as_bytes()).unwrap())
                            .is_ok()
                            || keys[index]
                                .verify(BODY, &STANDARD.decode(by_other.as_bytes()).unwrap())
                                .is_ok()
                    );
                }
                assert_eq!(
                    kind(from.map(drop)),
                    in_order,
                    "{} keys, first {first}",
                    keys.len()
                );
            }
        }
    }
}

#[test]
fn dedupe_keys_are_written_as_before() {
    let mut receipt = Receipt::from_value(serde_json::json!({
        "order_id": "o-1",
        "order_status": {"key": "refunded_partially"},
        "purchase_units": {"transfer_amount": "20.50", "refund_amount": "10.0"},
        "actions": [{"action_id": "a-0"}, {"action_id": "a-1"}],
    }))
    .unwrap();
    assert_eq!(
        dedupe_key("order_payment", &receipt.facts()),
        "order_payment:o-1:refunded_partially:20.5:10:a-1"
    );
    receipt.transfer_amount = None;
    receipt.refund_amount = None;
    receipt.actions.clear();
    assert_eq!(
        dedupe_key("order_payment", &receipt.facts()),
        "order_payment:o-1:refunded_partially:-:-:-"
    );
}
