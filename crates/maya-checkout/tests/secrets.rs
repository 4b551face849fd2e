//! Keys and card data never appear in Debug, Display or errors.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{PK, SK, client, keys};
use paykit_core::SecretString;
use paykit_maya_checkout::{ApiKey, CardDetails, Environment, KeyPair, MayaCheckoutClient};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAN: &str = "4123450131001522";
const CVC: &str = "987";

fn card() -> CardDetails {
    CardDetails::new(
        SecretString::from(PAN),
        "12",
        "2027",
        SecretString::from(CVC),
    )
    .unwrap()
}

fn assert_clean(text: &str) {
    for secret in [PK, SK, "LOCALTEST", PAN, CVC] {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }
}

#[test]
fn debug_output_holds_no_key() {
    assert_clean(&format!("{:?}", keys()));
    assert_clean(&format!(
        "{:?}",
        ApiKey::secret(SecretString::from(SK)).unwrap()
    ));
    assert_clean(&format!("{:?}", client("http://127.0.0.1:1")));
    assert_clean(&format!(
        "{:?}",
        MayaCheckoutClient::builder(Environment::Sandbox, keys())
    ));
    assert_clean(&format!("{:?}", card()));
}

#[test]
fn key_errors_do_not_repeat_the_key() {
    for error in [
        ApiKey::public(SecretString::from(SK)).unwrap_err(),
        ApiKey::secret(SecretString::from(PK)).unwrap_err(),
        KeyPair::new(SecretString::from(SK), SecretString::from(PK)).unwrap_err(),
        ApiKey::secret(SecretString::from("sk-has space LOCALTEST")).unwrap_err(),
    ] {
        assert_clean(&error.to_string());
        assert_clean(&format!("{error:?}"));
    }
}

#[test]
fn card_errors_do_not_repeat_the_card() {
    let error = CardDetails::new(
        SecretString::from("41234501310015x2"),
        "12",
        "2027",
        SecretString::from(CVC),
    )
    .unwrap_err();
    assert!(!error.to_string().contains("41234501310015x2"));
    let error = CardDetails::new(
        SecretString::from(PAN),
        "12",
        "2027",
        SecretString::from("98a"),
    )
    .unwrap_err();
    assert!(!error.to_string().contains("98a"));
}

#[tokio::test]
async fn a_token_answer_that_cannot_be_read_keeps_no_excerpt() {
    let server = MockServer::start().await;
    // A broken answer echoing the card: the decode error must not carry it.
    Mock::given(method("POST"))
        .and(path("/payments/v1/payment-tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"card":"{PAN}","paymentTok"#),
            "application/json",
        ))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .create_payment_token(&card())
        .await
        .unwrap_err();
    assert!(
        matches!(error, paykit_core::Error::Decode { .. }),
        "{error}"
    );
    assert_clean(&error.to_string());
    assert_clean(&format!("{error:?}"));
}

#[tokio::test]
async fn an_auth_error_does_not_carry_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            r#"{"error":"Invalid authentication credentials.","code":"K003","reference":"r-1"}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let error = client(&server.uri()).payment("pay-1").await.unwrap_err();
    assert!(matches!(error, paykit_core::Error::Auth { .. }), "{error}");
    assert!(error.to_string().contains("K003"));
    assert_clean(&error.to_string());
}
