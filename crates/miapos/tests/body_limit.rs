//! Every callback path caps the body before reading it (issue 11 §1): one byte over the limit
//! is refused before any parsing or hashing, and before any token or key fetch (the server
//! below fails the test on any request).

mod common;

use common::*;
use paykit_core::{Error, MAX_CALLBACK_BYTES, SignatureError, Webhook, WebhookRequest};
use paykit_miapos::{MiaPosWebhook, RsaPublicKey};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `body` padded with trailing whitespace (still the same JSON) to exactly `len` bytes.
fn padded(body: &str, len: usize) -> Vec<u8> {
    let mut bytes = body.as_bytes().to_vec();
    assert!(bytes.len() <= len);
    bytes.resize(len, b' ');
    bytes
}

/// Not JSON at all: refused as over the limit proves the limit came before parsing.
fn garbage(len: usize) -> Vec<u8> {
    vec![b'['; len]
}

fn over_limit<T: std::fmt::Debug>(result: paykit_core::Result<T>, limit: usize) {
    match result {
        Err(Error::Signature(SignatureError::BadBody(why))) => {
            assert!(why.contains(&format!("{limit}-byte limit")), "{why}");
        }
        other => panic!("expected the body refused as too large, got {other:?}"),
    }
}

/// A server on which any request (token, key, payment status) fails the test.
async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

fn test_key() -> RsaPublicKey {
    RsaPublicKey::from_spki_base64(&test_public_key()).expect("test key")
}

#[tokio::test]
async fn one_byte_over_the_default_limit_is_refused_before_any_key_fetch() {
    let server = silent_server().await;
    // The key comes from the server: an empty cache would fetch it for any body it read.
    let client = client(&server);
    let hook = client.webhook();
    let limit = MAX_CALLBACK_BYTES;
    for body in [padded(&vector_body("V1"), limit + 1), garbage(limit + 1)] {
        let request = WebhookRequest::body_only(&body);
        over_limit(hook.verify_callback(&body).await, limit);
        over_limit(hook.verify(&request).await, limit);
        over_limit(client.verify(&request).await, limit);
        over_limit(client.verify_confirmed(&request).await, limit);
        over_limit(
            MiaPosWebhook::with_public_key(test_key())
                .verify(&request)
                .await,
            limit,
        );
    }
    // At the limit the same body verifies (offline key): the refusal is the cap alone.
    let at_limit = padded(&vector_body("V1"), limit);
    MiaPosWebhook::with_public_key(test_key())
        .verify_callback(&at_limit)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_limit_is_configurable_on_the_webhook_and_the_builder() {
    let server = silent_server().await;
    let body = vector_body("V1");
    let limit = body.len() + 10;
    let client = builder(&server)
        .public_key(test_key())
        .callback_body_limit(limit)
        .build()
        .unwrap();
    let over = padded(&body, limit + 1);
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
    let fits = padded(&body, limit);
    client
        .verify(&WebhookRequest::body_only(&fits))
        .await
        .unwrap();
    let hook = MiaPosWebhook::with_public_key(test_key()).with_body_limit(limit);
    over_limit(hook.verify_callback(&over).await, limit);
    hook.verify_callback(&fits).await.unwrap();
    // A larger limit admits bodies the default refuses.
    let big = padded(&body, MAX_CALLBACK_BYTES + 1);
    hook.with_body_limit(MAX_CALLBACK_BYTES * 2)
        .verify_callback(&big)
        .await
        .unwrap();
}
