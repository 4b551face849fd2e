//! The key cache under faults (issue 11 §1), proven by counting key requests on the server:
//! a flood of forged callbacks while the key endpoint is down costs a bounded number of
//! fetches, independent of the flood's size; a failed fetch is remembered with a back-off; an
//! expired key keeps verifying while no new one can be had; mismatches refetch at most once
//! per cool-down, and the cool-down counts attempts, failed ones included.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{Error, SignatureError};
use paykit_miapos::{MiaPosWebhook, PaymentInfo};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Callbacks per flood.
const N: usize = 500;

/// Key requests one fetch may make: the executor tries a read up to 3 times.
const ATTEMPTS_PER_FETCH: usize = 3;

const UP: u8 = 0;
/// Every answer a 503.
const DOWN: u8 = 1;
/// 503s and answers that never come in time, alternately.
const DOWN_AND_SLOW: u8 = 2;

/// The key endpoint, switchable between up and down while the test runs.
#[derive(Clone)]
struct KeyEndpoint {
    mode: Arc<AtomicU8>,
    answered: Arc<AtomicUsize>,
}

impl KeyEndpoint {
    async fn mount(server: &MockServer, mode: u8) -> Self {
        let endpoint = KeyEndpoint {
            mode: Arc::new(AtomicU8::new(mode)),
            answered: Arc::new(AtomicUsize::new(0)),
        };
        Mock::given(method("GET"))
            .and(path(KEY_PATH))
            .respond_with(endpoint.clone())
            .mount(server)
            .await;
        endpoint
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }
}

impl Respond for KeyEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let late = self.answered.fetch_add(1, Ordering::SeqCst) % 2 == 1;
        match self.mode.load(Ordering::SeqCst) {
            UP => ResponseTemplate::new(200).set_body_json(json!({"publicKey": test_public_key()})),
            DOWN_AND_SLOW if late => ResponseTemplate::new(503).set_delay(Duration::from_secs(5)),
            _ => ResponseTemplate::new(503),
        }
    }
}

async fn key_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == KEY_PATH)
        .count()
}

fn forged() -> String {
    vector_body("V1").replace("145.25", "1.00")
}

/// Verifies every body concurrently, one task each.
async fn flood(hook: &MiaPosWebhook, bodies: Vec<String>) -> Vec<paykit_core::Result<PaymentInfo>> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let hook = hook.clone();
            tokio::spawn(async move { hook.verify_callback(body.as_bytes()).await })
        })
        .collect();
    realtime(async {
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            results.push(task.await.expect("task"));
        }
        results
    })
    .await
}

fn no_retries() -> ExecutorConfig {
    ExecutorConfig::default().retry(RetryPolicy::none())
}

fn is_mismatch(result: &paykit_core::Result<PaymentInfo>) -> bool {
    matches!(result, Err(Error::Signature(SignatureError::Mismatch)))
}

/// Cold cache, endpoint down (503s and timeouts): the first caller fetches, the other 499
/// queued behind it take its failure, and nobody fetches again within the back-off.
/// Real time (the executor's timeouts and retry pauses need it); the back-off is long enough
/// that the flood cannot outlive it, then paused time steps over it.
#[tokio::test]
async fn a_flood_of_forged_callbacks_while_the_key_endpoint_is_down_costs_one_fetch() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let endpoint = KeyEndpoint::mount(&server, DOWN_AND_SLOW).await;
    let hook = builder(&server)
        .executor_config(fast_executor().timeout(Duration::from_millis(200)))
        .public_key_fetch_backoff(Duration::from_secs(100), Duration::from_secs(100))
        .build()
        .unwrap()
        .webhook();
    let results = flood(&hook, vec![forged(); N]).await;
    assert_eq!(results.len(), N);
    for result in &results {
        assert!(result.is_err(), "a forged callback passed: {result:?}");
        assert!(!matches!(result, Err(Error::Signature(_))), "{result:?}");
    }
    let during = key_requests(&server).await;
    // The bound: one fetch for the whole flood, whatever N.
    assert!(
        (1..=ATTEMPTS_PER_FETCH).contains(&during),
        "{during} key requests for {N} callbacks"
    );
    // Recovery: the endpoint is up and the back-off (at most 100 s) has passed.
    endpoint.set(UP);
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(101)).await;
    let info = realtime(hook.verify_callback(vector_body("V1").as_bytes()))
        .await
        .unwrap();
    assert_eq!(info.order_id, "order-123");
    assert_eq!(key_requests(&server).await, during + 1);
}

/// An expired key, endpoint down: one refetch attempt for the whole flood, genuine callbacks
/// verify with the expired key, forged ones are refused as mismatches without a refetch each.
#[tokio::test(start_paused = true)]
async fn an_expired_key_keeps_verifying_while_the_endpoint_is_down() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let endpoint = KeyEndpoint::mount(&server, UP).await;
    let hook = builder(&server)
        .executor_config(no_retries())
        .public_key_ttl(Duration::from_secs(60))
        .build()
        .unwrap()
        .webhook();
    realtime(hook.verify_callback(vector_body("V1").as_bytes()))
        .await
        .unwrap();
    assert_eq!(key_requests(&server).await, 1);
    tokio::time::advance(Duration::from_secs(61)).await;
    endpoint.set(DOWN);
    let bodies: Vec<String> = (0..N)
        .map(|i| match i % 3 {
            0 => forged(),
            1 => vector_body("V2"),
            _ => vector_body("V4"),
        })
        .collect();
    let results = flood(&hook, bodies).await;
    for (i, result) in results.iter().enumerate() {
        if i % 3 == 0 {
            assert!(is_mismatch(result), "{i}: {result:?}");
        } else {
            assert!(
                result.is_ok(),
                "{i}: a genuine callback was lost: {result:?}"
            );
        }
    }
    assert_eq!(
        key_requests(&server).await,
        2,
        "one failed refetch for {N} callbacks"
    );
    // Within the back-off (default 1 s, jittered down to 0.5 s) nobody fetches.
    tokio::time::advance(Duration::from_millis(100)).await;
    let results = flood(&hook, vec![forged(); N]).await;
    assert!(results.iter().all(is_mismatch));
    assert_eq!(key_requests(&server).await, 2);
    // After it, the endpoint is back: one fetch renews the key.
    endpoint.set(UP);
    tokio::time::advance(Duration::from_secs(2)).await;
    let results = flood(&hook, vec![vector_body("V3"); N]).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(key_requests(&server).await, 3);
}

/// A cached key and a flood of mismatching callbacks: one refetch, then none until the
/// cool-down has passed since that refetch, however many arrive.
#[tokio::test(start_paused = true)]
async fn mismatches_refetch_at_most_once_per_cooldown() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    KeyEndpoint::mount(&server, UP).await;
    let hook = builder(&server)
        .public_key_refetch_cooldown(Duration::from_secs(60))
        .build()
        .unwrap()
        .webhook();
    realtime(hook.verify_callback(vector_body("V1").as_bytes()))
        .await
        .unwrap();
    // 1 s after the first fetch: a rotation this soon must still be looked for.
    tokio::time::advance(Duration::from_secs(1)).await;
    let results = flood(&hook, vec![forged(); N]).await;
    assert!(results.iter().all(is_mismatch));
    assert_eq!(
        key_requests(&server).await,
        2,
        "one refetch for {N} mismatches"
    );
    tokio::time::advance(Duration::from_secs(30)).await;
    let results = flood(&hook, vec![forged(); N]).await;
    assert!(results.iter().all(is_mismatch));
    assert_eq!(key_requests(&server).await, 2, "within the cool-down");
    tokio::time::advance(Duration::from_secs(31)).await;
    let results = flood(&hook, vec![forged(); N]).await;
    assert!(results.iter().all(is_mismatch));
    assert_eq!(key_requests(&server).await, 3, "the next cool-down");
}

/// A refetch that fails starts the cool-down too: a forged flood against a down endpoint
/// costs one attempt per cool-down, not one per callback, and the cached key stays in use.
#[tokio::test(start_paused = true)]
async fn a_failed_refetch_counts_for_the_cooldown() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let endpoint = KeyEndpoint::mount(&server, UP).await;
    let hook = builder(&server)
        .executor_config(no_retries())
        .public_key_refetch_cooldown(Duration::from_secs(60))
        .build()
        .unwrap()
        .webhook();
    realtime(hook.verify_callback(vector_body("V1").as_bytes()))
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(120)).await;
    endpoint.set(DOWN);
    let results = flood(&hook, vec![forged(); N]).await;
    assert!(results.iter().all(is_mismatch));
    assert_eq!(
        key_requests(&server).await,
        2,
        "one failed refetch for {N} mismatches"
    );
    // The failure's back-off is over (1 s at most), the cool-down (60 s) is not.
    tokio::time::advance(Duration::from_secs(5)).await;
    let results = flood(&hook, vec![forged(); N]).await;
    assert!(results.iter().all(is_mismatch));
    assert_eq!(key_requests(&server).await, 2);
    // The cached key still verifies genuine callbacks meanwhile.
    realtime(hook.verify_callback(vector_body("V5").as_bytes()))
        .await
        .unwrap();
    assert_eq!(key_requests(&server).await, 2);
}

/// A key that rotates seconds after the first fetch: the next callback signed with the new
/// key refetches and verifies (the cool-down counts mismatch refetches, not the first fetch).
#[tokio::test(start_paused = true)]
async fn a_rotation_soon_after_the_first_fetch_is_found() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"publicKey": other_public_key()})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    KeyEndpoint::mount(&server, UP).await;
    let hook = client(&server).webhook();
    // The first fetch gets the old key; the callback was signed with the new one. The key was
    // fetched for this very callback, so no refetch follows at once.
    let first = realtime(hook.verify_callback(vector_body("V1").as_bytes())).await;
    assert!(is_mismatch(&first), "{first:?}");
    assert_eq!(key_requests(&server).await, 1);
    tokio::time::advance(Duration::from_secs(10)).await;
    let info = realtime(hook.verify_callback(vector_body("V1").as_bytes()))
        .await
        .unwrap();
    assert_eq!(info.order_id, "order-123");
    assert_eq!(key_requests(&server).await, 2);
}

/// No key in the cache: a body refused before its signature is checked (not JSON, no
/// signature, a signature that is not base64, a `result` without a signed form) is refused as
/// it is with a key in hand, and costs no key fetch; the first callback that can be verified
/// fetches the key once, through the typed result and through the event alike, and a forged one
/// fetched for is a mismatch without a second fetch.
#[tokio::test(start_paused = true)]
async fn a_body_refused_before_its_signature_fetches_no_key() {
    use paykit_core::{Webhook as _, WebhookRequest};
    let server = MockServer::start().await;
    // Two clients, a token each.
    mount_token(&server, 2).await;
    KeyEndpoint::mount(&server, UP).await;
    let client = builder(&server)
        .executor_config(no_retries())
        .build()
        .unwrap();
    let hook = client.webhook();
    let genuine = vector_body("V1");
    let unsigned = genuine.replace(r#""signature""#, r#""signed""#);
    let not_base64 = {
        let (head, _) = genuine.split_at(genuine.find(r#""signature":""#).unwrap());
        format!(r#"{head}"signature":"!!!"}}"#)
    };
    let refused = [
        ("not json".to_owned(), "bad"),
        (unsigned, "missing"),
        (not_base64, "malformed"),
        (
            r#"{"result":{"a":true},"signature":"c2ln"}"#.to_owned(),
            "bad",
        ),
    ];
    for (body, kind) in &refused {
        let result = realtime(hook.verify_callback(body.as_bytes())).await;
        let refused_as_said = matches!(
            (kind, &result),
            (&"bad", Err(Error::Signature(SignatureError::BadBody(_))))
                | (&"missing", Err(Error::Signature(SignatureError::Missing)))
                | (
                    &"malformed",
                    Err(Error::Signature(SignatureError::Malformed))
                )
        );
        assert!(refused_as_said, "{body}: {result:?}");
        let event = realtime(client.verify(&WebhookRequest::body_only(body.as_bytes()))).await;
        assert_eq!(
            event.err().map(|e| e.to_string()),
            result.err().map(|e| e.to_string())
        );
    }
    assert_eq!(
        key_requests(&server).await,
        0,
        "a refused body fetched a key"
    );
    let event = realtime(client.verify(&WebhookRequest::body_only(genuine.as_bytes())))
        .await
        .unwrap();
    let info = realtime(hook.verify_callback(genuine.as_bytes()))
        .await
        .unwrap();
    assert_eq!(
        event.payment().unwrap().provider_payment_id,
        info.payment_id
    );
    assert_eq!(key_requests(&server).await, 1);
    // A fresh client: the forged callback fetches the key, which is the newest there is.
    let fresh = builder(&server)
        .executor_config(no_retries())
        .build()
        .unwrap()
        .webhook();
    assert!(is_mismatch(
        &realtime(fresh.verify_callback(forged().as_bytes())).await
    ));
    assert_eq!(key_requests(&server).await, 2);
}
