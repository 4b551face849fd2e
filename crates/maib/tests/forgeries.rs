//! A signed callback is not a confirmed one (issue 10 §3).
//!
//! maib signs the values of `result` in key order, not their names. Every forgery here keeps
//! a signature that testkit's independent signer accepts, and none may yield an event fit for
//! fulfilment: refused outright (duplicate keys, a value of the wrong shape), or signed but
//! contradicted by `pay-info` on confirmation.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use std::net::Ipv4Addr;

use common::*;
use paykit_core::{
    Authenticity, Currency, Customer, Error, EventKind, Money, PaymentProvider, PaymentRequest,
    PaymentStatus, SignatureError, Webhook, WebhookRequest,
};
use paykit_maib::MaibClient;
use paykit_testkit::fixture::read_key;
use paykit_testkit::signers::maib::{signed_body, stored_signature_matches};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

/// The docs' callback (TV1), whose signature under the test key is maib's own example.
const TV1: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#;
const TV1_SIGNATURE: &str = "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=";

fn key() -> String {
    read_key("maib", "keys/signature_key.txt").unwrap()
}

/// `result` with TV1's genuine signature: valid exactly when the values keep their order.
fn with_genuine_signature(result: &str) -> String {
    format!(r#"{{"result":{result},"signature":"{TV1_SIGNATURE}"}}"#)
}

fn assert_signature_still_valid(body: &str) {
    assert!(
        stored_signature_matches(body.as_bytes(), &key()).unwrap(),
        "the forgery must keep a valid signature to mean anything: {body}"
    );
}

fn bad_body(result: paykit_core::Result<paykit_core::VerifiedEvent>) -> String {
    match result {
        Err(Error::Signature(SignatureError::BadBody(why))) => why,
        other => panic!("expected the body refused, got {other:?}"),
    }
}

/// A client that created the TV1 payment as a direct one, against a maib whose pay-info
/// answers `info`.
async fn client_with_payment(server: &MockServer, info: serde_json::Value) -> MaibClient {
    mount_token(server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/pay"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "payUrl": PAY_URL}),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ok(info))
        .mount(server)
        .await;
    let client = client(server);
    let request = PaymentRequest::new(Money::parse("10.25", Currency::MDL).unwrap())
        .order_id("123")
        .customer(Customer::default().ip(Ipv4Addr::new(135, 250, 245, 121)));
    client.create_payment(&request).await.unwrap();
    client
}

fn paid_info() -> serde_json::Value {
    json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 10.25,
           "currency": "MDL", "rrn": "331711380059", "approval": "327593"})
}

#[tokio::test]
async fn the_genuine_callback_is_confirmed_and_fit_for_fulfilment() {
    let server = MockServer::start().await;
    let client = client_with_payment(&server, paid_info()).await;
    let body = with_genuine_signature(TV1);
    let signed = client
        .verify(&WebhookRequest::body_only(body.as_bytes()))
        .await
        .unwrap();
    assert_eq!(signed.authenticity, Authenticity::Signed);
    assert!(!signed.is_fit_for_fulfilment());
    let confirmed = client.confirm(signed).await.unwrap();
    assert_eq!(confirmed.authenticity, Authenticity::Confirmed);
    assert!(confirmed.is_fit_for_fulfilment());
    let payment = confirmed.payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(
        payment.amount,
        Some(Money::parse("10.25", Currency::MDL).unwrap())
    );
    let again = client
        .verify_confirmed(&WebhookRequest::body_only(body.as_bytes()))
        .await
        .unwrap();
    assert!(again.is_fit_for_fulfilment());
}

/// The issue's forgery: drop `approval`, add `"a": 10.25`, set `"amount": "327593"`.
#[tokio::test]
async fn the_approval_code_relabelled_as_the_amount_is_refused() {
    let forged = TV1
        .replace(r#""approval":"327593","#, r#""a":10.25,"#)
        .replace(r#""amount":10.25"#, r#""amount":"327593""#);
    let body = with_genuine_signature(&forged);
    assert_signature_still_valid(&body);
    let server = MockServer::start().await;
    let client = client_with_payment(&server, paid_info()).await;
    let why = bad_body(
        client
            .verify(&WebhookRequest::body_only(body.as_bytes()))
            .await,
    );
    assert!(why.contains("amount"), "{why}");
    assert!(
        client
            .verify_confirmed(&WebhookRequest::body_only(body.as_bytes()))
            .await
            .is_err()
    );
}

/// The same forgery with the amount as a number passes every shape check; only asking maib
/// exposes it.
#[tokio::test]
async fn the_relabelled_amount_as_a_number_is_caught_by_confirmation() {
    let forged = TV1
        .replace(r#""approval":"327593","#, r#""a":10.25,"#)
        .replace(r#""amount":10.25"#, r#""amount":327593"#);
    let body = with_genuine_signature(&forged);
    assert_signature_still_valid(&body);
    let server = MockServer::start().await;
    let client = client_with_payment(&server, paid_info()).await;
    let signed = client
        .verify(&WebhookRequest::body_only(body.as_bytes()))
        .await
        .unwrap();
    // "captured 327593.00 MDL", signed: not fit for fulfilment.
    assert_eq!(
        signed.payment().unwrap().amount,
        Some(Money::parse("327593", Currency::MDL).unwrap())
    );
    assert!(!signed.is_fit_for_fulfilment());
    let err = client.confirm(signed).await.unwrap_err();
    assert!(
        matches!(&err, Error::Integrity { field, .. } if field == "amount"),
        "{err:?}"
    );
}

/// `rrn` renamed to `refundAmount` to fake a refund, as the string maib signed and as a
/// number (both sign the same).
#[tokio::test]
async fn the_rrn_relabelled_as_a_refund_is_refused() {
    let server = MockServer::start().await;
    let client = client_with_payment(&server, paid_info()).await;
    for forged in [
        TV1.replace(r#""rrn":"#, r#""refundAmount":"#),
        TV1.replace(r#""rrn":"331711380059""#, r#""refundAmount":331711380059"#),
    ] {
        let body = with_genuine_signature(&forged);
        assert_signature_still_valid(&body);
        let why = bad_body(
            client
                .verify(&WebhookRequest::body_only(body.as_bytes()))
                .await,
        );
        assert!(why.contains("refundAmount"), "{why}");
    }
}

/// A refund notice maib's signature covers but pay-info does not show: not confirmed.
#[tokio::test]
async fn a_signed_refund_pay_info_does_not_show_is_not_confirmed() {
    let result = TV1.replace(
        r#""amount":10.25"#,
        r#""amount":10.25,"refundAmount":10.25"#,
    );
    let body = signed_body(&result, &key()).unwrap();
    let server = MockServer::start().await;
    let client = client_with_payment(&server, paid_info()).await;
    let signed = client
        .verify(&WebhookRequest::body_only(body.as_bytes()))
        .await
        .unwrap();
    assert!(matches!(signed.kind, EventKind::Refund(_)), "{signed:?}");
    assert_eq!(
        signed.dedupe_key,
        format!("{PAY_ID}:OK:refund=10.25"),
        "a refund notice is another event than the payment's"
    );
    let err = client.confirm(signed).await.unwrap_err();
    assert!(
        matches!(&err, Error::Integrity { field, .. } if field == "status"),
        "{err:?}"
    );
}

/// Duplicate keys: the sign string takes the last value (PHP `json_decode`), a first-match
/// reader the first. Refused anywhere in the body, before anything is read.
#[tokio::test]
async fn duplicate_keys_are_refused() {
    let server = MockServer::start().await;
    let client = client_with_payment(&server, paid_info()).await;
    let first_unsigned = TV1.replace(r#""amount":10.25"#, r#""amount":327593,"amount":10.25"#);
    let body = with_genuine_signature(&first_unsigned);
    assert_signature_still_valid(&body);
    let why = bad_body(
        client
            .verify(&WebhookRequest::body_only(body.as_bytes()))
            .await,
    );
    assert!(why.contains("amount"), "{why}");
    let top =
        format!(r#"{{"result":{{"payId":"x"}},"result":{TV1},"signature":"{TV1_SIGNATURE}"}}"#);
    assert_signature_still_valid(&top);
    let why = bad_body(
        client
            .verify(&WebhookRequest::body_only(top.as_bytes()))
            .await,
    );
    assert!(why.contains("result"), "{why}");
}

/// A hold's `OK` is not a capture: the event says authorized, and confirmation cannot turn
/// it into more than pay-info shows.
#[tokio::test]
async fn a_held_payment_is_confirmed_as_authorized() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/hold"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "payUrl": PAY_URL}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ok(paid_info()))
        .mount(&server)
        .await;
    let client = client(&server);
    let request = PaymentRequest::new(Money::parse("10.25", Currency::MDL).unwrap())
        .capture(paykit_core::CaptureMode::Manual)
        .customer(Customer::default().ip(Ipv4Addr::new(135, 250, 245, 121)));
    client.create_payment(&request).await.unwrap();
    let body = with_genuine_signature(TV1);
    let confirmed = client
        .verify_confirmed(&WebhookRequest::body_only(body.as_bytes()))
        .await
        .unwrap();
    assert!(confirmed.is_fit_for_fulfilment());
    assert_eq!(
        confirmed.payment().unwrap().status,
        PaymentStatus::Authorized
    );
}
