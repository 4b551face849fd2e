//! The client secret and the access token never appear in Debug, Display, errors or logs.

mod common;

use common::*;
use paykit_bog_payments::BogPaymentsClient;
use paykit_core::{PaymentProvider, SecretString};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN_VALUE: &str = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";

#[tokio::test]
async fn neither_secret_nor_token_is_ever_shown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": TOKEN_VALUE, "expires_in": 300, "token_type": "Bearer"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"message": "Invalid order_id"})),
        )
        .mount(&server)
        .await;
    let builder = BogPaymentsClient::builder(CLIENT_ID, SecretString::from(SECRET))
        .api_base(format!("{}{API}", server.uri()))
        .token_url(format!("{}{TOKEN}", server.uri()));
    let shown_builder = format!("{builder:?}");
    let client = builder.build().unwrap();
    let error = client.get_payment(ORDER).await.unwrap_err();
    let token = client.token_source().token().await.unwrap();
    for shown in [
        shown_builder,
        format!("{client:?}"),
        format!("{error:?}"),
        error.to_string(),
        format!("{token:?}"),
        format!("{:?}", client.webhook()),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains(TOKEN_VALUE), "{shown}");
    }
    assert_eq!(token.expose_secret(), TOKEN_VALUE);
}

/// A token endpoint that echoes the credentials in its error body does not leak them.
#[tokio::test]
async fn token_errors_keep_no_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client", "error_description": format!("bad secret {SECRET}")})))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let error = client.get_payment(ORDER).await.unwrap_err();
    assert!(error.to_string().contains("invalid_client"), "{error}");
    assert!(!format!("{error:?}").contains(SECRET), "{error:?}");
    assert!(!error.to_string().contains(SECRET));
}

/// A token answer that is not JSON is a decode error without an excerpt of the body.
#[tokio::test]
async fn undecodable_token_answers_show_no_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(format!("access_token={TOKEN_VALUE}")),
        )
        .mount(&server)
        .await;
    let error = builder(&server)
        .build()
        .unwrap()
        .get_payment(ORDER)
        .await
        .unwrap_err();
    assert!(!format!("{error:?}").contains(TOKEN_VALUE), "{error:?}");
}
