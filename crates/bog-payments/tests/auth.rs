//! The token call (§3): its exact shape, the RFC 6749 option, and its failures.

mod common;

use common::*;
use paykit_bog_payments::{BogPaymentsClient, CredentialEncoding};
use paykit_core::{Error, PaymentProvider, SecretString};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn receipt_server(token_body: serde_json::Value, token_status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(token_status).set_body_json(token_body))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(receipt_of("completed_card")))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_token_request_is_basic_auth_and_a_form_grant() {
    let server = receipt_server(
        json!({"access_token": "abc", "expires_in": 300, "token_type": "bearer"}),
        200,
    )
    .await;
    client(&server).get_payment(ORDER).await.unwrap();
    let token = requests_to(&server, TOKEN).await;
    assert_eq!(token.len(), 1);
    let request = &token[0];
    assert_eq!(
        request.headers.get("authorization").unwrap(),
        "Basic MTAwMDA5OTk6QWIzZEVmNmhJajlL"
    );
    assert_eq!(
        request.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(request.body, b"grant_type=client_credentials");
    let receipt = &requests_to(&server, &format!("{API}/receipt/{ORDER}")).await[0];
    assert_eq!(receipt.headers.get("authorization").unwrap(), "Bearer abc");
}

/// TV-P1: a secret with special characters, raw by default and form-encoded on request.
#[tokio::test]
async fn special_secrets_are_raw_unless_rfc6749_is_asked_for() {
    for (encoding, expected) in [
        (
            CredentialEncoding::Raw,
            "Basic MTAwMDA5OTk6cCtzcy93PXJkJcOp",
        ),
        (
            CredentialEncoding::Rfc6749,
            "Basic MTAwMDA5OTk6cCUyQnNzJTJGdyUzRHJkJTI1JUMzJUE5",
        ),
    ] {
        let server = receipt_server(json!({"access_token": "abc", "expires_in": 300}), 200).await;
        let client = BogPaymentsClient::builder(CLIENT_ID, SecretString::from("p+ss/w=rd%é"))
            .api_base(format!("{}{API}", server.uri()))
            .token_url(format!("{}{TOKEN}", server.uri()))
            .credential_encoding(encoding)
            .build()
            .unwrap();
        client.get_payment(ORDER).await.unwrap();
        let token = requests_to(&server, TOKEN).await;
        assert_eq!(token[0].headers.get("authorization").unwrap(), expected);
    }
}

#[tokio::test]
async fn tokens_that_are_not_bearer_or_empty_are_refused() {
    for body in [
        json!({"access_token": "abc", "expires_in": 300, "token_type": "mac"}),
        json!({"access_token": " ", "expires_in": 300}),
    ] {
        let server = receipt_server(body, 200).await;
        let error = client(&server).get_payment(ORDER).await.unwrap_err();
        assert!(matches!(error, Error::Auth { .. }), "{error:?}");
        assert!(
            requests_to(&server, &format!("{API}/receipt/{ORDER}"))
                .await
                .is_empty()
        );
    }
}

/// Keycloak's refusals are authentication errors with the status and the `error` code, and a
/// second call inside the failure back-off does not fetch again.
#[tokio::test]
async fn keycloak_refusals_are_auth_errors_without_a_loop() {
    let server = receipt_server(
        json!({"error": "unauthorized_client", "error_description": "disabled"}),
        400,
    )
    .await;
    let client = client(&server);
    let error = client.get_payment(ORDER).await.unwrap_err();
    assert!(
        matches!(&error, Error::Auth { message, .. } if message.contains("400") && message.contains("unauthorized_client")),
        "{error:?}"
    );
    let _ = client.get_payment(ORDER).await;
    assert_eq!(requests_to(&server, TOKEN).await.len(), 1);
}

/// `expires_in` as a string or absent still gives a usable token (60 s fallback).
#[tokio::test]
async fn odd_expires_in_values_still_work() {
    for body in [
        json!({"access_token": "abc", "expires_in": "300"}),
        json!({"access_token": "abc"}),
        json!({"access_token": "abc", "expires_in": 1634719923245_i64}),
    ] {
        let server = receipt_server(body, 200).await;
        let client = client(&server);
        client.get_payment(ORDER).await.unwrap();
        client.get_payment(ORDER).await.unwrap();
        assert_eq!(requests_to(&server, TOKEN).await.len(), 1);
    }
}

#[test]
fn environments_have_separate_hosts() {
    use paykit_bog_payments::*;
    let production = BogPaymentsClient::builder(CLIENT_ID, SECRET.into())
        .build()
        .unwrap();
    assert_eq!(production.api_base(), PRODUCTION_API_BASE);
    assert_eq!(production.token_url(), PRODUCTION_TOKEN_URL);
    let sandbox = BogPaymentsClient::builder(CLIENT_ID, SECRET.into())
        .environment(Environment::Sandbox)
        .build()
        .unwrap();
    assert_eq!(sandbox.api_base(), "https://api-sandbox.bog.ge/payments/v1");
    assert_eq!(
        sandbox.token_url(),
        "https://oauth2-sandbox.bog.ge/auth/realms/bog/protocol/openid-connect/token"
    );
    assert!(PRODUCTION_TOKEN_URL.ends_with(TOKEN_PATH));
    assert!(PRODUCTION_API_BASE.ends_with(API_BASE_PATH));
    let bad = BogPaymentsClient::builder(CLIENT_ID, SECRET.into())
        .token_url("no-scheme")
        .build()
        .unwrap_err();
    assert!(matches!(bad, Error::InvalidInput { ref field, .. } if field == "token_url"));
}
