//! No secret (Project Secret, Signature Key, access or refresh token) appears in the `Debug`
//! or `Display` of any public type, nor in errors.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use common::*;
use paykit_core::{SecretString, Webhook, WebhookRequest};
use paykit_maib::{MaibClient, MaibTokenFetcher, MaibWebhook};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCESS: &str = "test-access-token-s3cr3t";
const REFRESH: &str = "test-refresh-token-s3cr3t";

fn assert_clean(what: &str, text: &str) {
    for secret in [PROJECT_SECRET, SIGNATURE_KEY, ACCESS, REFRESH] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn nothing_public_prints_a_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "result": {"accessToken": ACCESS, "expiresIn": 300, "refreshToken": REFRESH,
                       "refreshExpiresIn": 1800, "tokenType": "Bearer"}, "ok": true})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ok(json!({"payId": PAY_ID, "status": "OK"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;

    let builder = MaibClient::builder(PROJECT_ID, SecretString::from(PROJECT_SECRET))
        .base_url(server.uri())
        .signature_key(SecretString::from(SIGNATURE_KEY));
    assert_clean("builder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    client.pay_info(PAY_ID).await.unwrap();
    let pair = client.generate_token().await.unwrap();
    assert_clean("token pair", &format!("{pair:?}"));
    assert_clean("client", &format!("{client:?}"));
    assert_clean("token source", &format!("{:?}", client.token_source()));
    assert_clean("webhook", &format!("{:?}", client.webhook().unwrap()));

    // Errors of every kind the client produces.
    let mut errors = vec![client.pay_info(PAY_ID).await.unwrap_err()];
    errors.push(
        client
            .verify(&WebhookRequest::body_only(
                br#"{"result":{"payId":"p"},"signature":"AAAA"}"#,
            ))
            .await
            .unwrap_err(),
    );
    errors.push(
        client
            .verify(&WebhookRequest::body_only(
                br#"{"result":{"payId":"p"},"signature":"5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="}"#,
            ))
            .await
            .unwrap_err(),
    );
    errors.push(MaibWebhook::new(SecretString::from(" ")).unwrap_err());
    for error in &errors {
        assert_clean("error", &format!("{error:?} {error}"));
    }

    let fetcher = MaibTokenFetcher::new(
        paykit_core::http::HttpExecutor::new(
            paykit_maib::PROVIDER,
            &server.uri(),
            Default::default(),
        )
        .unwrap(),
        PROJECT_ID.into(),
        SecretString::from(PROJECT_SECRET),
    );
    assert_clean("fetcher", &format!("{fetcher:?}"));
}

#[tokio::test]
async fn failed_token_requests_do_not_echo_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string(format!("upstream said accessToken={ACCESS}")),
        )
        .mount(&server)
        .await;
    let err = client(&server).generate_token().await.unwrap_err();
    assert_clean("token error", &format!("{err:?} {err}"));
}
