//! Webhook Signature v1 against the notes' vectors V1–V3 and negative cases N1–N12 (§9),
//! the replay cache, routing and confirmation.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::sync::Arc;

use common::vectors::*;
use common::{NOW_MS, fixed_clock, receiver, sign, webhook_keys};
use http::{HeaderMap, HeaderValue};
use paykit_core::json_literal::JsonLiteral;
use paykit_core::store::InMemoryClaimStore;
use paykit_core::{PaymentStatus, Webhook, WebhookRequest};
use paykit_maya_checkout::{
    DeliveryBody, Environment, MayaCheckoutWebhook, NumberRendering, Routing, VerifyError,
    WebhookConfig, WebhookEvent, WebhookKeys, flatten,
};

const TS: &str = "1767225600000";

fn headers(signature: Option<&str>, timestamp: Option<&str>) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Some(signature) = signature {
        map.insert(
            "X-Maya-Webhook-Signature",
            HeaderValue::from_str(signature).unwrap(),
        );
    }
    if let Some(timestamp) = timestamp {
        map.insert(
            "X-Maya-Webhook-Timestamp",
            HeaderValue::from_str(timestamp).unwrap(),
        );
    }
    map
}

async fn check(
    hook: &MayaCheckoutWebhook,
    signature: &str,
    body: &str,
) -> Result<paykit_maya_checkout::Delivery, VerifyError> {
    let map = headers(Some(signature), Some(TS));
    hook.check(&WebhookRequest::new(&map, body.as_bytes()))
        .await
}

fn v1_hex() -> &'static str {
    V1_SIGNATURE.split("v1=").nth(1).unwrap()
}

#[test]
fn the_flattened_strings_are_the_digests() {
    for (body, flat, header) in [
        (V1_BODY, V1_FLAT, V1_SIGNATURE),
        (V2_BODY, V2_FLAT, V2_SIGNATURE),
        (V3_BODY, V3_FLAT, V3_SIGNATURE),
    ] {
        let nonce = header
            .split(',')
            .find_map(|p| p.strip_prefix("nonce="))
            .unwrap();
        let tree = JsonLiteral::parse(body.as_bytes()).unwrap();
        assert_eq!(flatten(&tree, nonce, NumberRendering::Canonical), flat);
    }
}

#[test]
fn re_signing_reproduces_the_vectors() {
    // PKCS#1 v1.5 is deterministic: our signer over the notes' string gives its v1.
    assert_eq!(sign(V1_FLAT), v1_hex());
    let v3 = V3_SIGNATURE.split("v1=").nth(1).unwrap();
    assert_eq!(sign(V3_FLAT), v3);
}

#[tokio::test]
async fn v1_v2_v3_verify() {
    for (body, header, id, status) in [
        (V1_BODY, V1_SIGNATURE, "pay_test", PaymentStatus::Captured),
        (
            V2_BODY,
            V2_SIGNATURE,
            "7ea1f6ef-035c-4fcd-85e0-037c8d9d4a2c",
            PaymentStatus::Captured,
        ),
        (
            V3_BODY,
            V3_SIGNATURE,
            "5b0c4e7a-0d55-4f3b-9b8e-2f1c3a4d5e6f",
            PaymentStatus::Authorized,
        ),
    ] {
        let delivery = check(&receiver(NOW_MS), header, body).await.unwrap();
        assert_eq!(delivery.id(), id);
        assert_eq!(delivery.key, "local-test");
        assert_eq!(delivery.rendering, NumberRendering::Canonical);
        assert_eq!(delivery.to_event().payment().unwrap().status, status);
    }
}

#[tokio::test]
async fn v2_reads_the_string_amount_exactly() {
    let delivery = check(&receiver(NOW_MS), V2_SIGNATURE, V2_BODY)
        .await
        .unwrap();
    let DeliveryBody::Payment(payment) = &delivery.body else {
        panic!("a payment body");
    };
    assert_eq!(payment.amount.unwrap().to_string(), "249.50");
    assert_eq!(delivery.event, WebhookEvent::PaymentSuccess);
}

#[tokio::test]
async fn n1_a_tampered_amount_is_refused() {
    let body = V1_BODY.replace("\"amount\":100", "\"amount\":9999");
    assert_eq!(
        check(&receiver(NOW_MS), V1_SIGNATURE, &body).await,
        Err(VerifyError::InvalidSignature)
    );
}

#[tokio::test]
async fn n2_mayas_keys_alone_do_not_verify_the_test_key() {
    let hook = MayaCheckoutWebhook::new(WebhookConfig::new(
        WebhookKeys::maya(Environment::Sandbox).unwrap(),
    ))
    .clock(fixed_clock(NOW_MS));
    assert_eq!(
        check(&hook, V1_SIGNATURE, V1_BODY).await,
        Err(VerifyError::InvalidSignature)
    );
}

#[tokio::test]
async fn n3_the_second_key_of_a_rotation_matches() {
    let keys = WebhookKeys::new()
        .with_pem(
            "maya-sandbox-1",
            paykit_maya_checkout::SANDBOX_WEBHOOK_KEY_1,
        )
        .unwrap()
        .with_pem("local-test", common::TEST_PUBLIC_PEM)
        .unwrap();
    let hook = MayaCheckoutWebhook::new(WebhookConfig::new(keys)).clock(fixed_clock(NOW_MS));
    assert_eq!(
        check(&hook, V1_SIGNATURE, V1_BODY).await.unwrap().key,
        "local-test"
    );
}

#[tokio::test]
async fn n4_to_n7_header_shapes() {
    let hook = receiver(NOW_MS);
    let reordered = format!("v1={}, nonce=nonce-value", v1_hex());
    assert!(check(&hook, &reordered, V1_BODY).await.is_ok());
    let hook = receiver(NOW_MS);
    for (header, expected) in [
        (format!("v1={}", v1_hex()), VerifyError::MissingSignature),
        ("nonce=,v1=".to_owned(), VerifyError::MissingSignature),
        (
            "nonce=nonce-value,v1=zzznotvalid".to_owned(),
            VerifyError::BadSignatureEncoding,
        ),
        (
            "nonce=nonce-value,v1=abc".to_owned(),
            VerifyError::BadSignatureEncoding,
        ),
    ] {
        assert_eq!(
            check(&hook, &header, V1_BODY).await,
            Err(expected),
            "{header}"
        );
    }
}

#[tokio::test]
async fn n8_n9_the_window_is_five_minutes_either_way() {
    let stale = receiver(1_767_225_900_001);
    assert!(matches!(
        check(&stale, V1_SIGNATURE, V1_BODY).await,
        Err(VerifyError::StaleTimestamp { .. })
    ));
    let edge = receiver(1_767_225_900_000);
    assert!(check(&edge, V1_SIGNATURE, V1_BODY).await.is_ok());
    let early = receiver(1_767_225_600_000 - 300_001);
    assert!(matches!(
        check(&early, V1_SIGNATURE, V1_BODY).await,
        Err(VerifyError::StaleTimestamp { .. })
    ));
}

#[tokio::test]
async fn n10_whitespace_and_key_order_do_not_matter() {
    let pretty = "{\n  \"requestReferenceNumber\": \"42\",\n  \"amount\": 100,\n  \"status\": \"PAYMENT_SUCCESS\",\n  \"id\": \"pay_test\"\n}";
    assert!(check(&receiver(NOW_MS), V1_SIGNATURE, pretty).await.is_ok());
}

#[tokio::test]
async fn n11_a_replay_is_flagged_by_the_nonce_cache() {
    let hook = receiver(NOW_MS);
    assert!(check(&hook, V1_SIGNATURE, V1_BODY).await.is_ok());
    let again = check(&hook, V1_SIGNATURE, V1_BODY).await;
    assert_eq!(
        again,
        Err(VerifyError::Replay {
            nonce: "nonce-value".into()
        })
    );
    assert!(again.unwrap_err().is_replay());
    // A forged delivery does not spend a nonce: the genuine one still passes afterwards.
    let fresh = receiver(NOW_MS);
    let forged = V1_BODY.replace("pay_test", "pay_other");
    assert!(check(&fresh, V1_SIGNATURE, &forged).await.is_err());
    assert!(check(&fresh, V1_SIGNATURE, V1_BODY).await.is_ok());
}

#[tokio::test]
async fn the_nonce_cache_can_be_a_shared_claim_store() {
    let store = Arc::new(InMemoryClaimStore::new());
    let first = receiver(NOW_MS).nonce_store(store.clone());
    let second = receiver(NOW_MS).nonce_store(store);
    assert!(check(&first, V1_SIGNATURE, V1_BODY).await.is_ok());
    assert!(
        check(&second, V1_SIGNATURE, V1_BODY)
            .await
            .unwrap_err()
            .is_replay()
    );
}

#[tokio::test]
async fn n12_a_body_that_is_not_json_is_refused() {
    assert!(matches!(
        check(&receiver(NOW_MS), V1_SIGNATURE, "not json").await,
        Err(VerifyError::BadBody(_))
    ));
}

#[tokio::test]
async fn v3_does_not_verify_under_the_raw_token_rendering() {
    let tree = JsonLiteral::parse(V3_BODY.as_bytes()).unwrap();
    let raw = flatten(
        &tree,
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        NumberRendering::RawToken,
    );
    assert!(raw.contains("capturedAmount=0.0"), "{raw}");
    assert_ne!(raw, V3_FLAT);
    // A signer that kept the raw tokens is accepted by the fallback, and reported so.
    let signature = format!("nonce=0f1e2d3c4b5a69788796a5b4c3d2e1f0,v1={}", sign(&raw));
    let delivery = check(&receiver(NOW_MS), &signature, V3_BODY).await.unwrap();
    assert_eq!(delivery.rendering, NumberRendering::RawToken);
}

#[tokio::test]
async fn missing_headers_are_refused_before_any_crypto() {
    let hook = receiver(NOW_MS);
    let none = headers(None, Some(TS));
    assert_eq!(
        hook.check(&WebhookRequest::new(&none, V1_BODY.as_bytes()))
            .await,
        Err(VerifyError::MissingSignature)
    );
    let no_time = headers(Some(V1_SIGNATURE), None);
    assert_eq!(
        hook.check(&WebhookRequest::new(&no_time, V1_BODY.as_bytes()))
            .await,
        Err(VerifyError::BadTimestamp)
    );
    let body_only = WebhookRequest::body_only(V1_BODY.as_bytes());
    assert_eq!(
        hook.check(&body_only).await,
        Err(VerifyError::MissingSignature)
    );
    let huge = vec![b' '; paykit_core::MAX_CALLBACK_BYTES + 1];
    let map = headers(Some(V1_SIGNATURE), Some(TS));
    assert!(matches!(
        hook.check(&WebhookRequest::new(&map, &huge)).await,
        Err(VerifyError::BadBody(_))
    ));
}

#[tokio::test]
async fn the_window_is_configurable() {
    let config = WebhookConfig::new(webhook_keys()).tolerance(std::time::Duration::from_secs(30));
    let hook = MayaCheckoutWebhook::new(config).clock(fixed_clock(NOW_MS));
    // V1's timestamp is 60 s before NOW_MS: outside a 30 s window.
    assert!(matches!(
        check(&hook, V1_SIGNATURE, V1_BODY).await,
        Err(VerifyError::StaleTimestamp { .. })
    ));
    let small = WebhookConfig::new(webhook_keys()).max_body_bytes(16);
    let hook = MayaCheckoutWebhook::new(small).clock(fixed_clock(NOW_MS));
    assert!(matches!(
        check(&hook, V1_SIGNATURE, V1_BODY).await,
        Err(VerifyError::BadBody(_))
    ));
}

#[tokio::test]
async fn legacy_checkout_bodies_are_understood() {
    let body = r#"{"id":"fa4da2ff-dcda-4367-a97d-0c9445147b73","status":"COMPLETED","paymentStatus":"PAYMENT_SUCCESS","totalAmount":{"amount":"249.50","value":"249.50","currency":"PHP"},"requestReferenceNumber":"order-10042-a1","refundedAmount":"0","items":[{"name":"Tumbler","quantity":"1"}]}"#;
    let tree = JsonLiteral::parse(body.as_bytes()).unwrap();
    let nonce = "aabbccdd";
    let header = format!(
        "nonce={nonce},v1={}",
        sign(&flatten(&tree, nonce, NumberRendering::Canonical))
    );
    let delivery = check(&receiver(NOW_MS), &header, body).await.unwrap();
    assert_eq!(delivery.event, WebhookEvent::CheckoutSuccess);
    assert!(matches!(delivery.body, DeliveryBody::Checkout(_)));
    let event = delivery.to_event();
    let payment = event.payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(payment.amount.unwrap().to_fixed_string(), "249.50");
}

#[tokio::test]
async fn routing_by_url_names_the_event() {
    let config =
        WebhookConfig::new(webhook_keys()).routing(Routing::Url(WebhookEvent::PaymentFailed));
    let hook = MayaCheckoutWebhook::new(config).clock(fixed_clock(NOW_MS));
    let delivery = check(&hook, V1_SIGNATURE, V1_BODY).await.unwrap();
    assert_eq!(delivery.event, WebhookEvent::PaymentFailed);
}

#[tokio::test]
async fn the_common_trait_maps_errors_to_signature_errors() {
    let hook = receiver(NOW_MS);
    let map = headers(Some(V1_SIGNATURE), Some(TS));
    let event = Webhook::verify(&hook, &WebhookRequest::new(&map, V1_BODY.as_bytes()))
        .await
        .unwrap();
    assert!(!event.is_fit_for_fulfilment());
    assert_eq!(event.dedupe_key, "maya-checkout:pay_test:PAYMENT_SUCCESS");
    let replay = Webhook::verify(&hook, &WebhookRequest::new(&map, V1_BODY.as_bytes())).await;
    assert!(matches!(replay, Err(paykit_core::Error::Signature(_))));
}

#[test]
fn hostile_bodies_never_panic() {
    let mut inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"[[[[[[[[".to_vec(),
        "[".repeat(10_000).into_bytes(),
        b"{\"a\":1e999999}".to_vec(),
        b"\xff\xfe".to_vec(),
        V2_BODY.as_bytes()[..V2_BODY.len() / 2].to_vec(),
    ];
    inputs.push(format!("{{\"k\":\"{}\"}}", "x".repeat(100_000)).into_bytes());
    for input in &inputs {
        paykit_maya_checkout::fuzzing::webhook_body(input);
        paykit_maya_checkout::fuzzing::payment(input);
        paykit_maya_checkout::fuzzing::error_body(input);
        paykit_maya_checkout::fuzzing::signature_header(&String::from_utf8_lossy(input));
        paykit_maya_checkout::fuzzing::timestamp(&String::from_utf8_lossy(input));
    }
}

#[test]
fn the_embedded_maya_keys_are_the_published_ones() {
    use base64::Engine as _;
    let fingerprint = |pem: &str| {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        paykit_core::webhook::sha256(&der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    // SPKI SHA-256 of each key, as the notes list them (§6.6, §9).
    for (pem, expected) in [
        (
            paykit_maya_checkout::SANDBOX_WEBHOOK_KEY_1,
            "845276c8e73b61922e5b5c06fa2b9ab791aea8fb88ca5095ecbb777c1fb03d78",
        ),
        (
            paykit_maya_checkout::SANDBOX_WEBHOOK_KEY_2,
            "9adab4b668e5b9929f52716170c170f71f9b98a9fd4e79e99d87e1906b967e5f",
        ),
        (
            paykit_maya_checkout::PRODUCTION_WEBHOOK_KEY_1,
            "421cf4c2fb2784591fb82d7b8f0a580f19f433b20a1a20ccb464c44cef1f7d47",
        ),
        (
            paykit_maya_checkout::PRODUCTION_WEBHOOK_KEY_2,
            "4cb8671e6582237bf5decd5ab8b726d02f2e9814835ca6176932549f6210dce3",
        ),
        (
            common::TEST_PUBLIC_PEM,
            "9c735fa75ac0b62671aba9e669188716bd1f633c12968c59081ebee6e1b0836b",
        ),
    ] {
        assert_eq!(fingerprint(pem), expected);
    }
}

#[test]
fn webhook_source_addresses_are_per_environment() {
    let sandbox: std::net::IpAddr = "13.229.160.234".parse().unwrap();
    let production: std::net::IpAddr = "18.138.50.235".parse().unwrap();
    assert!(Environment::Sandbox.is_webhook_source(sandbox));
    assert!(!Environment::Production.is_webhook_source(sandbox));
    assert!(Environment::Production.is_webhook_source(production));
    assert!(!Environment::Sandbox.is_webhook_source("127.0.0.1".parse().unwrap()));
}
