//! Callback verification with the key from `GET /public-key`: fetched with a Bearer token,
//! cached per base URL with a TTL, fetched again once on a mismatch (single flight, with a
//! cool-down), or supplied directly. Faults of the key endpoint: `key_faults.rs`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paykit_core::{Authenticity, Error, PaymentStatus, SignatureError, Webhook, WebhookRequest};
use paykit_miapos::{MiaPosStatus, MiaPosWebhook, PublicKeyCache, RsaPublicKey};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_key(server: &MockServer, key: String, times: u64) {
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .and(header("authorization", "Bearer test-access-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "publicKey": key })))
        .expect(times)
        .mount(server)
        .await;
}

fn forged() -> String {
    vector_body("V1").replace("145.25", "1.00")
}

fn is_mismatch(result: &paykit_core::Result<paykit_core::VerifiedEvent>) -> bool {
    matches!(result, Err(Error::Signature(SignatureError::Mismatch)))
}

#[tokio::test]
async fn the_key_is_fetched_once_and_cached() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_key(&server, test_public_key(), 1).await;
    let client = client(&server);
    for prefix in ["V1", "V2", "V3", "V4", "V5", "V6"] {
        let body = vector_body(prefix);
        let event = client
            .verify(&WebhookRequest::body_only(body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(event.authenticity, Authenticity::Signed, "{prefix}");
    }
    let body = vector_body("V2");
    let event = client
        .verify(&WebhookRequest::body_only(body.as_bytes()))
        .await
        .unwrap();
    assert_eq!(event.payment().unwrap().status, PaymentStatus::Expired);
    assert_eq!(
        event.dedupe_key,
        "2a663962-c954-4984-90e5-1d24c3305f7b:EXPIRED"
    );
}

#[tokio::test(start_paused = true)]
async fn a_rotated_key_is_fetched_again_once() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    // 23 h later the access token has expired; the refresh token (5 days) renews it.
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json(ACCESS, REFRESH)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"publicKey": other_public_key()})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_key(&server, test_public_key(), 1).await;
    let hook = client(&server).webhook();
    // The key cached a day ago is the old one; the callback is signed with the new key.
    let stale = realtime(hook.verify_callback(vector_body("V1").as_bytes())).await;
    assert!(
        matches!(stale, Err(Error::Signature(SignatureError::Mismatch))),
        "{stale:?}"
    );
    tokio::time::advance(Duration::from_secs(23 * 3600)).await;
    let info = realtime(hook.verify_callback(vector_body("V1").as_bytes()))
        .await
        .unwrap();
    assert_eq!(info.status, MiaPosStatus::Success);
    // The new key is cached: no further fetch.
    realtime(hook.verify_callback(vector_body("V3").as_bytes()))
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn forged_callbacks_cause_one_refetch_not_one_per_call() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_key(&server, test_public_key(), 2).await;
    let client = client(&server);
    let genuine = vector_body("V1");
    realtime(client.verify(&WebhookRequest::body_only(genuine.as_bytes())))
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(120)).await;
    let body = forged();
    for _ in 0..5 {
        let result = realtime(client.verify(&WebhookRequest::body_only(body.as_bytes()))).await;
        assert!(is_mismatch(&result), "{result:?}");
    }
    // Genuine callbacks still pass with the cached key.
    realtime(client.verify(&WebhookRequest::body_only(genuine.as_bytes())))
        .await
        .unwrap();
}

#[tokio::test]
async fn concurrent_failures_share_one_fetch() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"publicKey": test_public_key()})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"publicKey": test_public_key()}))
                .set_delay(Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    // No cool-down: only the single flight keeps this to one refetch.
    let hook = builder(&server)
        .public_key_refetch_cooldown(Duration::ZERO)
        .build()
        .unwrap()
        .webhook();
    hook.verify_callback(vector_body("V2").as_bytes())
        .await
        .unwrap();
    let body = Arc::new(forged());
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let hook = hook.clone();
        let body = Arc::clone(&body);
        tasks.push(tokio::spawn(async move {
            hook.verify_callback(body.as_bytes()).await
        }));
    }
    for task in tasks {
        let result = task.await.unwrap();
        assert!(
            matches!(result, Err(Error::Signature(SignatureError::Mismatch))),
            "{result:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_key_expires_after_its_ttl_and_the_cooldown_ends() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json(ACCESS, REFRESH)))
        .expect(1)
        .mount(&server)
        .await;
    mount_key(&server, test_public_key(), 3).await;
    let client = builder(&server)
        .public_key_ttl(Duration::from_secs(3600))
        .public_key_refetch_cooldown(Duration::from_secs(60))
        .build()
        .unwrap();
    let hook = client.webhook();
    let genuine = vector_body("V1");
    realtime(hook.verify_callback(genuine.as_bytes()))
        .await
        .unwrap(); // fetch 1
    tokio::time::advance(Duration::from_secs(3601)).await;
    realtime(hook.verify_callback(genuine.as_bytes()))
        .await
        .unwrap(); // fetch 2 (TTL)
    let forged = forged();
    tokio::time::advance(Duration::from_secs(30)).await;
    // The first mismatch refetches (fetch 3): the cool-down runs from mismatch refetches,
    // not from the TTL fetch 30 s ago.
    let result = realtime(hook.verify_callback(forged.as_bytes())).await;
    assert!(matches!(
        result,
        Err(Error::Signature(SignatureError::Mismatch))
    ));
    tokio::time::advance(Duration::from_secs(31)).await;
    let result = realtime(hook.verify_callback(forged.as_bytes())).await; // within cool-down
    assert!(matches!(
        result,
        Err(Error::Signature(SignatureError::Mismatch))
    ));
}

#[tokio::test]
async fn a_key_that_cannot_be_fetched_is_reported_as_such() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .respond_with(ResponseTemplate::new(500))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server)
        .webhook()
        .verify_callback(vector_body("V1").as_bytes())
        .await
        .unwrap_err();
    assert!(!matches!(err, Error::Signature(_)), "{err:?}");
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_supplied_key_never_touches_the_network() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let key = RsaPublicKey::from_spki_base64(&test_public_key()).unwrap();
    let client = builder(&server).public_key(key).build().unwrap();
    client
        .verify(&WebhookRequest::body_only(vector_body("V4").as_bytes()))
        .await
        .unwrap();
    let result = client
        .verify(&WebhookRequest::body_only(forged().as_bytes()))
        .await;
    assert!(is_mismatch(&result), "{result:?}");
    let offline = MiaPosWebhook::from_spki_base64(&test_public_key()).unwrap();
    let event = offline
        .verify(&WebhookRequest::body_only(vector_body("V5").as_bytes()))
        .await
        .unwrap();
    assert_eq!(event.payment().unwrap().order_id.as_deref(), Some("A-79"));
}

#[tokio::test]
async fn clients_of_one_base_url_can_share_the_key_cache() {
    let server = MockServer::start().await;
    // Only the first client needs a token (to fetch the key); the second uses the cached key.
    mount_token(&server, 1).await;
    mount_key(&server, test_public_key(), 1).await;
    let cache = Arc::new(PublicKeyCache::new());
    let first = builder(&server)
        .public_key_cache(Arc::clone(&cache))
        .build()
        .unwrap();
    let second = builder(&server)
        .public_key_cache(Arc::clone(&cache))
        .build()
        .unwrap();
    let body = vector_body("V6");
    first
        .webhook()
        .verify_callback(body.as_bytes())
        .await
        .unwrap();
    second
        .webhook()
        .verify_callback(body.as_bytes())
        .await
        .unwrap();
}

#[tokio::test]
async fn clearing_the_cache_reaches_clients_already_built() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_key(&server, test_public_key(), 2).await;
    let cache = Arc::new(PublicKeyCache::new());
    let hook = builder(&server)
        .public_key_cache(Arc::clone(&cache))
        .build()
        .unwrap()
        .webhook();
    let body = vector_body("V3");
    hook.verify_callback(body.as_bytes()).await.unwrap();
    cache.clear();
    // The client holds its slot: clearing must reach it, so the key is fetched again.
    hook.verify_callback(body.as_bytes()).await.unwrap();
}
