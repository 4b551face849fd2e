//! Callback verification (§7, TV-P3, TV-P4) beyond the fixtures: key handling, the wrong key,
//! dedupe keys across resends, the record check switched off, and confirmation by the receipt.

mod common;

use common::*;
use paykit_bog_payments::{
    PRODUCTION_CALLBACK_KEY, SANDBOX_CALLBACK_KEY, SIGNATURE_HEADER, parse_callback,
    verify_signature,
};
use paykit_core::webhook::{RsaPublicKey, sha256};
use paykit_core::{
    Authenticity, Error, MAX_CALLBACK_BYTES, SignatureError, Webhook, WebhookRequest,
};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn headers(signature: &str) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    map.insert(SIGNATURE_HEADER, signature.parse().expect("a header value"));
    map
}

fn key(pem: &str) -> RsaPublicKey {
    RsaPublicKey::from_spki_base64(pem).expect("a public key")
}

fn spki_sha256(pem: &str) -> String {
    use base64::Engine as _;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64 DER");
    sha256(&der).iter().map(|b| format!("{b:02x}")).collect()
}

/// TV-P4: the shipped constants are exactly BOG's published keys.
#[test]
fn the_published_keys_have_the_documented_fingerprints() {
    assert_eq!(
        spki_sha256(PRODUCTION_CALLBACK_KEY),
        "00ce06ee8db57a339d3ff889bf0d7648f542c66b45fa9954d75d3f5e500fa77d"
    );
    assert_eq!(
        spki_sha256(SANDBOX_CALLBACK_KEY),
        "d51af4cc5ffe450d607356452a7b31ada83a95f9d48ce6054dedddf8fef0c750"
    );
    assert_eq!(
        spki_sha256(&test_public_key()),
        "dedc122055be98b8af2d1247d1d368b5f63aa603f44d5a3a90a2d27fbe4dcf85"
    );
}

/// TV-P3 valid bodies verify under the test key, and under neither published key (TV-P3 "wrong
/// key" row).
#[test]
fn test_vectors_verify_only_under_the_test_key() {
    let published = [key(PRODUCTION_CALLBACK_KEY), key(SANDBOX_CALLBACK_KEY)];
    for name in ["completed_card", "refunded_partially", "preauth_blocked"] {
        let (body, signature) = callback(name);
        verify_signature(&body, signature.as_deref(), &[key(&test_public_key())]).unwrap();
        let wrong = verify_signature(&body, signature.as_deref(), &published).unwrap_err();
        assert!(
            matches!(wrong, Error::Signature(SignatureError::Mismatch)),
            "{name}: {wrong:?}"
        );
    }
}

/// A default client trusts BOG's production key only: a callback signed with any other key,
/// the simulator's included, is refused until the key is configured.
#[tokio::test]
async fn a_client_without_the_test_key_refuses_test_signed_callbacks() {
    let server = server().await;
    let client = paykit_bog_payments::BogPaymentsClient::builder(CLIENT_ID, SECRET.into())
        .api_base(format!("{}{API}", server.uri()))
        .payment_records(records().await)
        .build()
        .unwrap();
    let (body, signature) = callback("completed_card");
    let headers = headers(&signature.unwrap());
    let error = client
        .webhook()
        .verify(&WebhookRequest::new(&headers, &body))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Signature(SignatureError::Mismatch)),
        "{error:?}"
    );
}

#[test]
fn keys_are_checked_at_build_time() {
    let bad = paykit_bog_payments::BogPaymentsClient::builder(CLIENT_ID, SECRET.into())
        .callback_key("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")
        .build()
        .unwrap_err();
    assert!(matches!(bad, Error::InvalidInput { ref field, .. } if field == "callback_key"));
    let none = paykit_bog_payments::BogPaymentsClient::builder(CLIENT_ID, SECRET.into())
        .only_configured_callback_keys()
        .build()
        .unwrap_err();
    assert!(matches!(none, Error::InvalidInput { ref field, .. } if field == "callback_key"));
}

/// With only the configured key (a simulator run), BOG's own key is not trusted.
#[tokio::test]
async fn only_configured_keys_drop_the_published_one() {
    let server = server().await;
    let client = builder(&server)
        .only_configured_callback_keys()
        .payment_records(records().await)
        .build()
        .unwrap();
    let (body, signature) = callback("completed_card");
    let headers = headers(&signature.unwrap());
    let event = client
        .webhook()
        .verify(&WebhookRequest::new(&headers, &body))
        .await
        .unwrap();
    assert_eq!(event.authenticity, Authenticity::Signed);
}

/// Resends carry a new `zoned_request_time` but the same event: the same dedupe key. A new
/// state changes it.
#[test]
fn dedupe_keys_ignore_the_send_time_and_follow_the_state() {
    let (body, _) = callback("completed_card");
    let mut resent: Value = serde_json::from_slice(&body).unwrap();
    resent["zoned_request_time"] = "2025-03-14T09:27:08.000001Z".into();
    let resent = serde_json::to_vec(&resent).unwrap();
    let first = parse_callback(&body).unwrap();
    let again = parse_callback(&resent).unwrap();
    assert_eq!(first.dedupe_key, again.dedupe_key);
    assert_ne!(first.request_time, again.request_time);
    let (refunded, _) = callback("refunded_partially");
    assert_ne!(
        parse_callback(&refunded).unwrap().dedupe_key,
        first.dedupe_key
    );
    assert_eq!(first.receipt.order_id, ORDER);
    assert_eq!(first.event, "order_payment");
}

/// A freshly signed callback about an order this client did not create passes only with
/// `accept_unrecorded_orders`.
#[tokio::test]
async fn unrecorded_orders_are_refused_unless_allowed() {
    let server = server().await;
    let client = builder(&server).build().unwrap();
    let (body, _) = callback("completed_card");
    let signature = sign(&body);
    let headers = headers(&signature);
    let request = WebhookRequest::new(&headers, &body);
    let refused = client.webhook().verify(&request).await.unwrap_err();
    assert!(matches!(refused, Error::Integrity { ref field, .. } if field == "order_id"));
    let event = client
        .webhook()
        .accept_unrecorded_orders()
        .verify(&request)
        .await
        .unwrap();
    assert_eq!(event.payment().unwrap().provider_payment_id, ORDER);
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_any_crypto() {
    let server = server().await;
    let client = builder(&server).build().unwrap();
    let body = vec![b' '; MAX_CALLBACK_BYTES + 1];
    let headers = headers(&sign(&body));
    let error = client
        .webhook()
        .verify(&WebhookRequest::new(&headers, &body))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Signature(SignatureError::BadBody(_))),
        "{error:?}"
    );
}

/// A signed body that is not the documented envelope is refused after the signature check.
#[test]
fn signed_bodies_without_the_envelope_are_refused() {
    for body in [
        &b"{}"[..],
        b"[]",
        b"{\"event\":\"order_payment\"}",
        b"{\"event\":\"order_payment\",\"body\":{\"order_id\":\"x\"}}",
    ] {
        let signature = sign(body);
        verify_signature(body, Some(&signature), &[key(&test_public_key())]).unwrap();
        assert!(
            parse_callback(body).is_err(),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

/// `confirm_event` re-reads the receipt: the same order is Confirmed; a receipt that contradicts
/// the callback (another amount) is refused.
#[tokio::test]
async fn events_are_confirmed_by_the_receipt() {
    let server = server().await;
    let client = builder(&server)
        .payment_records(records().await)
        .build()
        .unwrap();
    let (body, signature) = callback("completed_card");
    let headers = headers(&signature.unwrap());
    let event = client
        .webhook()
        .verify(&WebhookRequest::new(&headers, &body))
        .await
        .unwrap();
    assert!(!event.is_fit_for_fulfilment());
    let route = format!("{API}/receipt/{ORDER}");
    let guard = Mock::given(method("GET"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(receipt_of("refunded_partially")))
        .mount_as_scoped(&server)
        .await;
    let confirmed = client.confirm_event(event.clone()).await.unwrap();
    assert!(confirmed.is_fit_for_fulfilment());
    assert_eq!(
        confirmed.payment().unwrap().status.name(),
        "partially_refunded"
    );
    drop(guard);
    let mut other = receipt_of("completed_card");
    other["purchase_units"]["request_amount"] = "300.0".into();
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(other))
        .mount(&server)
        .await;
    let error = client.confirm_event(event).await.unwrap_err();
    assert!(
        matches!(error, Error::Integrity { ref field, .. } if field == "amount"),
        "{error:?}"
    );
}
