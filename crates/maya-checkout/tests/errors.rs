//! Maya's error bodies and the catalogue: classified by code, not by HTTP status.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::client;
use paykit_core::{Currency, Error, Money, UnknownCause};
use paykit_maya_checkout::{ErrorBody, ErrorKind, error_kind};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn the_three_body_shapes_parse() {
    let gateway =
        ErrorBody::parse(br#"{"code":"PY0009","message":"Payment does not exist."}"#).unwrap();
    assert_eq!(
        (gateway.code.as_str(), gateway.kind()),
        ("PY0009", ErrorKind::NotFound)
    );
    let validation = ErrorBody::parse(
        br#"{"code":"2553","message":"Missing/invalid parameters.","parameters":[{"field":"totalAmount.value","description":"value must be a number"}]}"#,
    )
    .unwrap();
    assert_eq!(validation.parameters.len(), 1);
    assert!(
        validation
            .describe()
            .contains("totalAmount.value: value must be a number")
    );
    let key = ErrorBody::parse(
        br#"{"error":"Invalid authentication credentials.","code":"K003","reference":"r-9"}"#,
    )
    .unwrap();
    assert_eq!(key.kind(), ErrorKind::Auth);
    assert_eq!(key.message, "Invalid authentication credentials.");
    assert_eq!(key.reference.as_deref(), Some("r-9"));
    let nested = ErrorBody::parse(
        br#"{"error":{"code":"PY0045","message":"Payment is not available for void."}}"#,
    )
    .unwrap();
    assert_eq!(nested.kind(), ErrorKind::NotVoidable);
    for junk in [
        &b""[..],
        b"{}",
        b"[]",
        b"not json",
        br#"{"code":""}"#,
        br#"{"code":{}}"#,
    ] {
        assert!(ErrorBody::parse(junk).is_none());
    }
}

#[test]
fn the_catalogue_classifies_by_code() {
    for (code, kind) in [
        ("K001", ErrorKind::Auth),
        ("K004", ErrorKind::Auth),
        ("K999", ErrorKind::Upstream),
        ("2553", ErrorKind::Validation),
        ("PY0064", ErrorKind::Bug),
        ("PY0015", ErrorKind::MaybeProcessed),
        ("PY9999", ErrorKind::MaybeProcessed),
        ("PY0001", ErrorKind::Upstream),
        ("PY0019", ErrorKind::Forbidden),
        ("PY0047", ErrorKind::NotRefundable),
        ("PY0072", ErrorKind::NotRefundableYet),
        ("PY0073", ErrorKind::NotVoidable),
        ("PY0093", ErrorKind::Conflict),
        ("PY0094", ErrorKind::NotCapturable),
        ("PY0104", ErrorKind::AmbiguousReference),
        ("PY0105", ErrorKind::Declined),
        ("PY0103", ErrorKind::Expired),
        ("PY0146", ErrorKind::Cancelled),
        ("PY0043", ErrorKind::Vault),
        ("PYBY0009", ErrorKind::NotFound),
        ("PYBY0010", ErrorKind::LinkInactive),
        ("PYBY9999", ErrorKind::MaybeProcessed),
        ("XX1234", ErrorKind::Other),
    ] {
        assert_eq!(ErrorKind::of(code), kind, "{code}");
    }
    assert!(ErrorKind::MaybeProcessed.is_transient());
    assert!(!ErrorKind::NotRefundable.is_transient());
}

#[test]
fn messages_are_bounded() {
    let long = format!(r#"{{"code":"PY0044","message":"{}"}}"#, "m".repeat(10_000));
    let body = ErrorBody::parse(long.as_bytes()).unwrap();
    assert!(body.describe().chars().count() < 500);
}

async fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_server_fault_at_http_400_on_a_read_is_retryable_not_final() {
    let server = answering(400, r#"{"code":"PY9999","message":"Request timed out."}"#).await;
    let error = client(&server.uri()).payment("p").await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                retryable: true,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.is_retryable());
    assert_eq!(error_kind(&error), Some(ErrorKind::MaybeProcessed));
}

#[tokio::test]
async fn a_server_fault_at_http_400_on_a_refund_leaves_the_outcome_unknown() {
    let server = answering(400, r#"{"code":"PY0015","message":"System fault."}"#).await;
    let php = Money::parse("10.00", Currency::PHP).unwrap();
    let error = client(&server.uri())
        .refund_payment("pay-1", &php, "r")
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert!(!error.is_retryable());
    assert!(matches!(
        &error,
        Error::OutcomeUnknown { cause: UnknownCause::ProviderFault { code, .. }, .. } if code == "PY0015"
    ));
    assert_eq!(error_kind(&error), Some(ErrorKind::MaybeProcessed));
    assert_eq!(
        error.payment_ref().unwrap().provider_payment_id.as_deref(),
        Some("pay-1")
    );
    // Sent once.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn py0047_at_http_401_is_a_refusal_not_an_auth_error() {
    let server = answering(
        401,
        r#"{"code":"PY0047","message":"Payment is ineligible for refund."}"#,
    )
    .await;
    let php = Money::parse("10.00", Currency::PHP).unwrap();
    let error = client(&server.uri())
        .refund_payment("pay-1", &php, "r")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api { code, http_status: Some(401), retryable: false, .. } if code == "PY0047"),
        "{error}"
    );
    assert!(!error.outcome_unknown());
}

#[tokio::test]
async fn key_errors_are_auth_errors() {
    let server = answering(
        401,
        r#"{"error":"Invalid endpoint.","code":"K004","reference":"r"}"#,
    )
    .await;
    let error = client(&server.uri()).payment("p").await.unwrap_err();
    assert!(matches!(error, Error::Auth { .. }), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
