//! Shared helpers of the wiremock integration tests.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::time::Duration;

use paykit_core::SecretString;
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_maya::{CustomerSession, ExecuteRetry, MayaClient, MayaClientBuilder, SessionTokens};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "miniapp-client-id";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const P2M_ID: &str = "P2M-000123456";
pub const TOKEN_PATH: &str = "/oauth/token";
pub const CLIENT_TOKEN: &str = "test-client-token";
pub const ACCESS: &str = "test-customer-access-token";
pub const REFRESH: &str = "test-customer-refresh-token";
pub const ACCESS_2: &str = "test-customer-access-token-2";
pub const REFRESH_2: &str = "test-customer-refresh-token-2";
pub const PAYMENT_ID: &str = "5f0c8a2e-7b41-4d2a-9c3e-2a1b0c9d8e7f";
pub const REFERENCE: &str = "9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6c";
/// 2100-01-01: far in the future.
pub const FUTURE: i64 = 4_102_444_800;
/// 2020-09-13: long past.
pub const PAST: i64 = 1_600_000_000;

/// A builder pointed at `server` for both the token URL and the Mini App API, with fast
/// retries.
pub fn builder(server: &MockServer) -> MayaClientBuilder {
    MayaClient::builder(CLIENT_ID, SecretString::from(CLIENT_SECRET))
        .api_base_url(server.uri())
        .token_url(format!("{}{TOKEN_PATH}", server.uri()))
        .p2m_id(P2M_ID)
        .executor_config(
            ExecutorConfig::default()
                .timeout(Duration::from_secs(2))
                .retry(
                    RetryPolicy::default()
                        .delays(Duration::from_millis(1), Duration::from_millis(5)),
                ),
        )
        .execute_retry(ExecuteRetry::new(3, Duration::from_millis(1)))
}

pub fn client(server: &MockServer) -> MayaClient {
    builder(server).build().unwrap()
}

pub fn tokens(access: &str, refresh: &str, expires_at: i64) -> SessionTokens {
    SessionTokens::new(
        SecretString::from(access.to_owned()),
        SecretString::from(refresh.to_owned()),
        expires_at,
    )
    .unwrap()
}

pub fn session(client: &MayaClient) -> CustomerSession {
    client.session(tokens(ACCESS, REFRESH, FUTURE)).unwrap()
}

pub fn token_body(token: &str) -> serde_json::Value {
    json!({ "access_token": token, "token_type": "Bearer", "expires_in": 3600 })
}

/// Mounts the token endpoint answering `CLIENT_TOKEN`, expected `times` times.
pub async fn mount_token(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(CLIENT_TOKEN)))
        .expect(times)
        .named("client token")
        .mount(server)
        .await;
}

pub fn payment_body(status: Option<&str>) -> serde_json::Value {
    let mut body = json!({
        "id": PAYMENT_ID,
        "p2mId": P2M_ID,
        "requestReferenceNumber": REFERENCE,
        "amount": { "currency": "PHP", "value": 249.50 },
    });
    if let Some(status) = status {
        body["status"] = json!(status);
    }
    body
}

/// A JSON response with exact body text (number literals as written).
pub fn json_text(status: u16, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(text.as_bytes().to_vec(), "application/json")
}

pub fn execute_path() -> String {
    format!("/merchant/payments/{PAYMENT_ID}/execute")
}
