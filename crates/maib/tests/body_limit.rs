//! Every callback path caps the body before reading it (issue 11 §1): one byte over the limit
//! is refused before any scan, parse or hash, and before `verify_confirmed` asks maib anything.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use common::*;
use paykit_core::{
    Error, MAX_CALLBACK_BYTES, SecretString, SignatureError, Webhook, WebhookRequest,
};
use paykit_maib::{MaibClient, MaibWebhook};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The docs' callback (TV1) with maib's own signature under the test key.
const GENUINE: &str = r#"{"result":{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"},"signature":"5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="}"#;

/// `body` padded with trailing whitespace (still the same JSON) to exactly `len` bytes.
fn padded(body: &str, len: usize) -> Vec<u8> {
    let mut bytes = body.as_bytes().to_vec();
    assert!(bytes.len() <= len);
    bytes.resize(len, b' ');
    bytes
}

/// Not JSON at all: refused as over the limit proves the limit came before parsing.
fn garbage(len: usize) -> Vec<u8> {
    vec![b'{'; len]
}

fn over_limit<T: std::fmt::Debug>(result: paykit_core::Result<T>, limit: usize) {
    match result {
        Err(Error::Signature(SignatureError::BadBody(why))) => {
            assert!(why.contains(&format!("{limit}-byte limit")), "{why}");
        }
        other => panic!("expected the body refused as too large, got {other:?}"),
    }
}

fn hook() -> MaibWebhook {
    MaibWebhook::new(SecretString::from(SIGNATURE_KEY)).unwrap()
}

/// A server on which any request fails the test: nothing may be asked.
async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn one_byte_over_the_default_limit_is_refused_on_every_path() {
    let server = silent_server().await;
    let client = client(&server);
    let limit = MAX_CALLBACK_BYTES;
    for body in [padded(GENUINE, limit + 1), garbage(limit + 1)] {
        let request = WebhookRequest::body_only(&body);
        over_limit(hook().verify_notification(&body), limit);
        over_limit(hook().verify_body(&body), limit);
        over_limit(hook().verify_event(&body).await, limit);
        over_limit(hook().verify(&request).await, limit);
        over_limit(client.verify(&request).await, limit);
        over_limit(client.webhook().unwrap().verify(&request).await, limit);
        // The confirmed path: refused before pay-info (the server expects no request).
        over_limit(client.verify_confirmed(&request).await, limit);
    }
    // At the limit the same body verifies: the refusal above is the cap, not the padding.
    let at_limit = padded(GENUINE, limit);
    hook().verify_notification(&at_limit).unwrap();
    client
        .verify(&WebhookRequest::body_only(&at_limit))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_limit_is_configurable_on_the_webhook_and_the_client() {
    let server = silent_server().await;
    let limit = GENUINE.len() + 10;
    let client = MaibClient::builder(PROJECT_ID, SecretString::from(PROJECT_SECRET))
        .base_url(server.uri())
        .signature_key(SecretString::from(SIGNATURE_KEY))
        .callback_body_limit(limit)
        .build()
        .unwrap();
    let hook = hook().with_body_limit(limit);
    let over = padded(GENUINE, limit + 1);
    over_limit(hook.verify_notification(&over), limit);
    over_limit(
        client.verify(&WebhookRequest::body_only(&over)).await,
        limit,
    );
    over_limit(
        client
            .verify_confirmed(&WebhookRequest::body_only(&over))
            .await,
        limit,
    );
    let fits = padded(GENUINE, limit);
    hook.verify_notification(&fits).unwrap();
    client
        .verify(&WebhookRequest::body_only(&fits))
        .await
        .unwrap();
    // A larger limit admits bodies the default refuses.
    let big = padded(GENUINE, MAX_CALLBACK_BYTES + 1);
    hook.clone()
        .with_body_limit(MAX_CALLBACK_BYTES * 2)
        .verify_notification(&big)
        .unwrap();
}
