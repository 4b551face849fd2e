//! Shared helpers of the wiremock integration tests.

#![allow(dead_code, unreachable_pub)]

pub mod records;

use std::time::Duration;

use paykit_core::SecretString;
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_maib::MaibClient;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

pub const PROJECT_ID: &str = "8508706";
pub const PROJECT_SECRET: &str = "test-project-secret-60462913";
/// The Signature Key of the docs' PHP example (maib.md, Test vectors).
pub const SIGNATURE_KEY: &str = "8508706b-3454-4733-8295-56e617c4abcf";
pub const PAY_ID: &str = "f16a9006-128a-46bc-8e2a-77a6ee99df75";
pub const BILLER_ID: &str = "8a90269f-cebd-4b23-1f85-08db7982298c";
pub const PAY_URL: &str =
    "https://maib.ecommerce.md/ecomm01/ClientHandler?trans_id=rEsfhyIk8s9ypxkcS9fj/3C8FqA=";

/// A client on `server` with fast retries.
pub fn client(server: &MockServer) -> MaibClient {
    client_with(server, ExecutorConfig::default())
}

pub fn client_with(server: &MockServer, config: ExecutorConfig) -> MaibClient {
    let config = config
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)));
    MaibClient::builder(PROJECT_ID, SecretString::from(PROJECT_SECRET))
        .base_url(server.uri())
        .signature_key(SecretString::from(SIGNATURE_KEY))
        .executor_config(config)
        .build()
        .expect("client")
}

/// A token answer.
pub fn token_body(access: &str, expires_in: u64, refresh: &str) -> Value {
    json!({"result": {"accessToken": access, "expiresIn": expires_in, "refreshToken": refresh,
                      "refreshExpiresIn": 1800, "tokenType": "Bearer"}, "ok": true})
}

/// Mounts the credentials grant answering `access`, expected `times` times.
pub async fn mount_token(server: &MockServer, access: &str, expires_in: u64, times: u64) {
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .and(body_json(
            json!({"projectId": PROJECT_ID, "projectSecret": PROJECT_SECRET}),
        ))
        .and(JsonContentType)
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(
            access,
            expires_in,
            "test-refresh-token",
        )))
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

/// `{"result": result, "ok": true}`.
pub fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"result": result, "ok": true}))
}

/// maib's error envelope.
pub fn errors(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "errors": [{"errorCode": code, "errorMessage": message}], "ok": false
    }))
}

/// `Authorization: Bearer <token>`.
pub fn bearer(token: &str) -> wiremock::matchers::HeaderExactMatcher {
    wiremock::matchers::header("authorization", format!("Bearer {token}").as_str())
}

/// Neither a body nor a `Content-Type` (maib's GET and DELETE rule).
pub struct NoBodyNoContentType;

impl Match for NoBodyNoContentType {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty() && !request.headers.contains_key("content-type")
    }
}

/// `Content-Type: application/json`.
pub struct JsonContentType;

impl Match for JsonContentType {
    fn matches(&self, request: &Request) -> bool {
        request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    }
}

/// The JSON body of the `index`-th request received by `server`.
pub async fn sent_json(server: &MockServer, index: usize) -> Value {
    let requests = server.received_requests().await.expect("recording");
    serde_json::from_slice(&requests[index].body).expect("json body")
}

/// The raw body text of the `index`-th request.
pub async fn sent_text(server: &MockServer, index: usize) -> String {
    let requests = server.received_requests().await.expect("recording");
    String::from_utf8(requests[index].body.clone()).expect("utf-8")
}
