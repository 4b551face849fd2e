//! Shared test helpers: a wiremock server with BOG's token endpoint, and clients on it.
// Test helpers: a failed setup step should stop the test at once.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use paykit_bog_payments::{BogPaymentsClient, BogPaymentsClientBuilder};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    Currency, Flow, InMemoryPaymentRecords, Money, PaymentRecord, PaymentRecords, PaymentRef,
    SecretString,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const API: &str = "/payments/v1";
pub const TOKEN: &str = "/auth/realms/bog/protocol/openid-connect/token";
pub const CLIENT_ID: &str = "10000999";
pub const SECRET: &str = "Ab3dEf6hIj9K";
pub const ORDER: &str = "0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b";
pub const HOLD: &str = "9d3c1b7e-2f4a-4b6c-8d0e-1a2b3c4d5e6f";

/// A server whose token endpoint answers `test-access-token` for 300 s.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "test-access-token", "expires_in": 300, "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    server
}

/// A builder on `server`, fast retries, the test callback key configured.
pub fn builder(server: &MockServer) -> BogPaymentsClientBuilder {
    BogPaymentsClient::builder(CLIENT_ID, SecretString::from(SECRET))
        .api_base(format!("{}{API}", server.uri()))
        .token_url(format!("{}{TOKEN}", server.uri()))
        .callback_key(test_public_key())
        .executor_config(ExecutorConfig::default().retry(
            RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)),
        ))
}

pub fn client(server: &MockServer) -> BogPaymentsClient {
    builder(server).build().unwrap()
}

/// Records holding the two TV-P3 orders as the client created them.
pub async fn records() -> Arc<InMemoryPaymentRecords> {
    let records = Arc::new(InMemoryPaymentRecords::new());
    for (order, amount, reference, flow) in [
        (ORDER, "30.00", "A-20250314-0007", Flow::Pay),
        (HOLD, "75.00", "HOLD-42", Flow::Hold),
    ] {
        let record = PaymentRecord::new(paykit_bog_payments::PROVIDER, order)
            .with_ids(&PaymentRef::new().merchant_reference(reference))
            .with_flow(flow)
            .with_amount(Some(Money::parse(amount, Currency::GEL).unwrap()));
        records.put(&record).await.unwrap();
    }
    records
}

fn fixtures_file(relative: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bog-payments");
    std::fs::read_to_string(root.join(relative)).unwrap()
}

pub fn test_public_key() -> String {
    fixtures_file("keys/test_callback_public_key.pem")
}

/// A callback fixture's body bytes and signature header.
pub fn callback(name: &str) -> (Vec<u8>, Option<String>) {
    let doc: Value =
        serde_json::from_str(&fixtures_file(&format!("callbacks/{name}.json"))).unwrap();
    let body = doc["body"]["value"].as_str().unwrap().as_bytes().to_vec();
    let signature = doc["headers"]["callback-signature"]
        .as_str()
        .map(str::to_owned);
    (body, signature)
}

/// The receipt (`body`) of a callback fixture.
pub fn receipt_of(name: &str) -> Value {
    let (body, _) = callback(name);
    serde_json::from_slice::<Value>(&body).unwrap()["body"].clone()
}

/// Signs `body` with the TV-P3 test private key (PKCS#1 v1.5 SHA-256, standard base64).
pub fn sign(body: &[u8]) -> String {
    let pem = fixtures_file("keys/test_callback_private_key.pem");
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut signature = vec![0_u8; pair.public_modulus_len()];
    pair.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        body,
        &mut signature,
    )
    .unwrap();
    base64::engine::general_purpose::STANDARD.encode(signature)
}

/// The requests `server` received on `route`.
pub async fn requests_to(server: &MockServer, route: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == route)
        .collect()
}

/// The JSON body of a request.
pub fn json_body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}
