//! No public type of this crate shows a credential or token in `{:?}` or `{}`.

mod common;

use std::sync::Arc;

use common::*;
use paykit_core::{Currency, Error, Money, SecretString};
use paykit_miapos::{
    DirectRtpRequest, Language, MiaPos, MiaPosStatus, PayRequest, PaymentType, PublicKeyCache,
    TokenPair,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRETS: [&str; 4] = [SECRET, ACCESS, REFRESH, "test-refresh-echo"];

fn assert_clean(label: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{label} shows {secret:?}: {text}");
    }
}

fn check_error(label: &str, error: &Error) {
    assert_clean(label, &format!("{error:?}"));
    assert_clean(label, &format!("{error}"));
}

#[tokio::test]
async fn configs_clients_tokens_and_errors_hold_no_secret() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await; // issue_token() is outside the cache
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"publicKey": test_public_key()})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errorCode": "1", "errorMessage": "Pos terminal with id: [TE0001] not found"
        })))
        .mount(&server)
        .await;

    let builder = builder(&server);
    assert_clean("builder", &format!("{builder:?}"));
    let cache = Arc::new(PublicKeyCache::new());
    let client = builder
        .public_key_cache(Arc::clone(&cache))
        .build()
        .unwrap();
    assert_clean("client", &format!("{client:?}"));

    let pair: TokenPair = client.issue_token().await.unwrap();
    assert_clean("token pair", &format!("{pair:?}"));

    let hook = client.webhook();
    hook.verify_callback(vector_body("V1").as_bytes())
        .await
        .unwrap();
    assert_clean("webhook", &format!("{hook:?}"));
    assert_clean("key cache", &format!("{cache:?}"));
    assert_clean("token source", &format!("{:?}", client.token_source()));
    let key = client.public_key().await.unwrap();
    assert_clean("public key", &format!("{key:?}"));

    let request = PayRequest::new("o-1", Money::parse("1", Currency::MDL).unwrap(), "d");
    assert_clean("pay request", &format!("{request:?}"));
    let rtp = DirectRtpRequest::new(
        "o",
        Money::parse("1", Currency::MDL).unwrap(),
        "d",
        "n",
        "69123456",
    );
    assert_clean("rtp request", &format!("{rtp:?}"));
    assert_clean(
        "status",
        &format!("{:?} {}", MiaPosStatus::Success, MiaPosStatus::Success),
    );
    let enums = format!(
        "{:?} {} {:?} {}",
        Language::Ro,
        Language::Ro,
        PaymentType::Rtp,
        PaymentType::Rtp
    );
    assert_clean("enums", &enums);
    let info = client
        .webhook()
        .verify_callback(vector_body("V5").as_bytes())
        .await
        .unwrap();
    assert_clean("payment info", &format!("{info:?}"));

    let api = client.pay(&request).await.unwrap_err();
    check_error("api error", &api);
    let invalid = client
        .pay(&PayRequest::new("", request.amount, "d"))
        .await
        .unwrap_err();
    check_error("invalid input", &invalid);
}

#[tokio::test]
async fn token_endpoint_failures_hold_no_secret() {
    let server = MockServer::start().await;
    // A token endpoint that echoes the request in its error, and one that breaks mid-token.
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(500).set_body_string(format!(
            "{{\"accessToken\":\"{ACCESS}\",\"refreshToken\":\"test-refresh-echo\""
        )))
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.issue_token().await.unwrap_err();
    check_error("token 500", &err);
    let err = client.payment(PAYMENT_ID).await.unwrap_err();
    check_error("status without token", &err);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(format!("{{\"accessToken\":\"{ACCESS}\",\"refreshToken\":")),
        )
        .mount(&server)
        .await;
    let err = MiaPos::builder(server.uri(), "128", SecretString::from(SECRET))
        .build()
        .unwrap()
        .issue_token()
        .await
        .unwrap_err();
    check_error("truncated token", &err);
}
