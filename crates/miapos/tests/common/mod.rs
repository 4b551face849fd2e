//! Shared helpers of the integration tests: a wiremock server with the token endpoint, a client
//! pointed at it, the test vectors, and I/O under paused tokio time.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::Duration;

use paykit_core::SecretString;
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_miapos::{MiaPos, MiaPosBuilder};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The merchant secret used everywhere; no output may contain it.
pub const SECRET: &str = "test-secret-key-7f3a";
/// The access token the token mock issues.
pub const ACCESS: &str = "test-access-token";
/// The refresh token the token mock issues.
pub const REFRESH: &str = "test-refresh-token";

pub const TOKEN_PATH: &str = "/ecomm/api/v1/token";
pub const REFRESH_PATH: &str = "/ecomm/api/v1/token/refresh";
pub const PAY_PATH: &str = "/ecomm/api/v1/pay";
pub const RTP_PATH: &str = "/ecomm/api/v1/request-to-pay/direct";
pub const KEY_PATH: &str = "/ecomm/api/v1/public-key";
pub const PAYMENT_ID: &str = "5e0c4f1a-8b7d-4c2e-9f3a-1d6b2a7c8e90";

const VECTORS: &str = include_str!("../data/miapos-vectors.json");

/// The vectors file (a copy of the protocol notes', see `tests/data`).
pub fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("vectors parse")
}

/// The test public key, as `GET /public-key` returns it.
pub fn test_public_key() -> String {
    vectors()["publicKey_base64_spki_der"]
        .as_str()
        .expect("key")
        .to_owned()
}

/// Another RSA-2048 public key (not the one the vectors are signed with).
pub fn other_public_key() -> String {
    include_str!("../data/other-public-key.b64")
        .trim()
        .to_owned()
}

/// The callback body of valid vector `prefix` (`V1`, `V2`, ...).
pub fn vector_body(prefix: &str) -> String {
    vectors()["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .find(|v| v["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
        .and_then(|v| v["callback_body"].as_str())
        .expect("vector")
        .to_owned()
}

/// A token answer as miaPOS gives it.
pub fn token_json(access: &str, refresh: &str) -> Value {
    json!({
        "accessToken": access,
        "accessTokenExpiresIn": 300,
        "refreshToken": refresh,
        "refreshTokenExpiresIn": 432000,
        "tokenType": "Bearer"
    })
}

/// The credentials grant, answering [`ACCESS`] / [`REFRESH`], expected `times` times.
pub async fn mount_token(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"merchantId": "128", "secretKey": SECRET})))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json(ACCESS, REFRESH)))
        .expect(times)
        .named("token")
        .mount(server)
        .await;
}

/// Retries without real waiting.
pub fn fast_executor() -> ExecutorConfig {
    ExecutorConfig::default()
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)))
}

/// A builder for `server`, merchant 128, terminal TE0001.
pub fn builder(server: &MockServer) -> MiaPosBuilder {
    MiaPos::builder(server.uri(), "128", SecretString::from(SECRET))
        .terminal_id("TE0001")
        .executor_config(fast_executor())
}

/// A client for `server`.
pub fn client(server: &MockServer) -> MiaPos {
    builder(server).build().expect("client")
}

/// Runs `future` with tokio's auto-advance of paused time inhibited, so real I/O with the
/// wiremock server (on its own thread) is not overtaken by timers jumping ahead. Time still
/// moves with `tokio::time::advance` and with sleeps outside this wrapper.
pub async fn realtime<F: Future>(future: F) -> F::Output {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    // A running blocking task inhibits auto-advance (tokio's documented behaviour).
    let blocker = tokio::task::spawn_blocking(move || {
        let _ = wait.recv();
    });
    let output = future.await;
    drop(done);
    let _ = blocker.await;
    output
}

/// A payment status answer.
pub fn payment_json(status: &str) -> Value {
    json!({
        "terminalId": "TE0001",
        "orderId": "WEB-2026-000451",
        "paymentId": PAYMENT_ID,
        "status": status,
        "amount": 249.9,
        "currency": "MDL",
        "paymentType": "qr",
        "checkoutPage": format!("https://ecomm-test.miapos.md/checkout?paymentId={PAYMENT_ID}")
    })
}
