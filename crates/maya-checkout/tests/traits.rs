//! The common traits: honest capabilities, every accessor present, and confirmation of a
//! signed delivery by re-fetching the payment.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::vectors::{V2_BODY, V2_SIGNATURE};
use common::{NOW_MS, client, receiver};
use http::{HeaderMap, HeaderValue};
use paykit_core::{
    Authenticity, CallbackAuthenticity, CaptureMode, CardUsage, Currency, Error, PaymentProvider,
    PaymentStatus, RefundSupport, WebhookRequest,
};
use paykit_maya_checkout::PROVIDER;
use rust_decimal::Decimal;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PID: &str = "7ea1f6ef-035c-4fcd-85e0-037c8d9d4a2c";

#[test]
fn capabilities_say_what_maya_does() {
    let c = client("http://127.0.0.1:1");
    let caps = PaymentProvider::capabilities(&c);
    assert_eq!(caps.currencies, vec![Currency::PHP]);
    assert_eq!(caps.min_amount, Some(Decimal::new(1, 2)));
    assert_eq!(caps.max_amount, Some(Decimal::new(999_999_999_999, 2)));
    assert!(caps.capture_modes.contains(&CaptureMode::Manual));
    assert!(caps.partial_capture);
    assert!(caps.void);
    assert_eq!(caps.refunds, RefundSupport::FullAndPartial);
    assert_eq!(caps.saved_cards, vec![CardUsage::Recurring]);
    assert_eq!(caps.callbacks, CallbackAuthenticity::Signed);
    assert_eq!(PaymentProvider::id(&c), PROVIDER);
    assert_eq!(PROVIDER.as_str(), "maya-checkout");
    assert!(PaymentProvider::capture(&c).is_some());
    assert!(PaymentProvider::refund(&c).is_some());
    assert!(PaymentProvider::void(&c).is_some());
    assert!(PaymentProvider::recurring(&c).is_some());
}

fn v2_headers() -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(
        "x-maya-webhook-signature",
        HeaderValue::from_static(V2_SIGNATURE),
    );
    map.insert(
        "x-maya-webhook-timestamp",
        HeaderValue::from_static("1767225600000"),
    );
    map
}

async fn p1_answers(server: &MockServer, body: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/payments/v1/payments/{PID}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json"))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_delivery_is_fit_for_fulfilment_only_once_maya_confirms_it() {
    let server = MockServer::start().await;
    p1_answers(&server, V2_BODY).await;
    let headers = v2_headers();
    let delivery = receiver(NOW_MS)
        .check(&WebhookRequest::new(&headers, V2_BODY.as_bytes()))
        .await
        .unwrap();
    assert!(!delivery.to_event().is_fit_for_fulfilment());
    let confirmed = client(&server.uri())
        .confirm_delivery(&delivery)
        .await
        .unwrap();
    assert_eq!(confirmed.authenticity, Authenticity::Confirmed);
    assert!(confirmed.is_fit_for_fulfilment());
    assert_eq!(confirmed.payment().unwrap().status, PaymentStatus::Captured);
}

#[tokio::test]
async fn a_delivery_maya_contradicts_is_refused() {
    let server = MockServer::start().await;
    // Maya's own record says another amount: the delivery cannot be believed.
    p1_answers(&server, &V2_BODY.replace("\"249.50\"", "\"2.50\"")).await;
    let headers = v2_headers();
    let delivery = receiver(NOW_MS)
        .check(&WebhookRequest::new(&headers, V2_BODY.as_bytes()))
        .await
        .unwrap();
    let error = client(&server.uri())
        .confirm_delivery(&delivery)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Integrity { ref field, .. } if field == "amount"),
        "{error}"
    );
}

#[tokio::test]
async fn the_trait_event_is_confirmed_through_get_payment() {
    let server = MockServer::start().await;
    p1_answers(&server, V2_BODY).await;
    let headers = v2_headers();
    let event = paykit_core::Webhook::verify(
        &receiver(NOW_MS),
        &WebhookRequest::new(&headers, V2_BODY.as_bytes()),
    )
    .await
    .unwrap();
    let confirmed = client(&server.uri()).confirm(event).await.unwrap();
    assert!(confirmed.is_fit_for_fulfilment());
}

#[tokio::test]
async fn a_captured_authorization_reads_partly_captured_as_authorized() {
    let server = MockServer::start().await;
    p1_answers(
        &server,
        &format!(
            r#"{{"id":"{PID}","status":"CAPTURED","amount":"249.50","currency":"PHP","capturedAmount":100,"authorizationType":"NORMAL","canCapture":true}}"#
        ),
    )
    .await;
    let outcome = client(&server.uri()).get_payment(PID).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Authorized);
    assert_eq!(outcome.raw_status.as_deref(), Some("CAPTURED"));
}

#[tokio::test]
async fn capture_refuses_what_maya_says_cannot_be_captured() {
    let server = MockServer::start().await;
    p1_answers(
        &server,
        &format!(
            r#"{{"id":"{PID}","status":"DONE","amount":"249.50","currency":"PHP","capturedAmount":"249.50","authorizationType":"FINAL","canCapture":false,"requestReferenceNumber":"r"}}"#
        ),
    )
    .await;
    let c = client(&server.uri());
    let capture = PaymentProvider::capture(&c).unwrap();
    let error = capture.capture(PID, None).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error}");
}
