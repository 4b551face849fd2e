//! The claim before the handler: a duplicate is acknowledged without a second run; one being
//! handled right now is answered 503 (delivered again later); a failed handler releases its
//! claim, so the provider's retry is handled, once.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use http::StatusCode;
use paykit_axum::CallbackRoutes;
use paykit_core::Error;
use paykit_core::store::{Claim, ClaimConfig, ClaimOutcome, ClaimStore, InMemoryClaimStore};
use paykit_core::{Result, async_trait};
use wiremock::MockServer;

async fn maib_routes(handler: &Recorder, server: &MockServer) -> axum::Router {
    mount_maib_token(server).await;
    mount_pay_info(server, maib_pay_info("10.25")).await;
    CallbackRoutes::new(handler.clone())
        .maib("/maib", maib_client(server).await)
        .into_router()
        .unwrap()
}

#[tokio::test]
async fn a_duplicate_is_answered_as_handled_without_running_again() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let router = maib_routes(&handler, &server).await;
    let body = maib_body(&maib_result("10.25"));
    for _ in 0..3 {
        let answered = post_json(&router, "/maib", &body).await;
        assert_eq!(answered.status, StatusCode::OK);
        assert_eq!(
            answered.text(),
            "OK",
            "a duplicate gets maib's success answer too"
        );
    }
    assert_eq!(handler.runs(), 1, "three deliveries, one fulfilment");
}

#[tokio::test]
async fn a_delivery_while_the_first_is_handled_is_answered_503() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let router = maib_routes(&handler, &server).await;
    let body = maib_body(&maib_result("10.25"));
    let gate = handler.hold();
    let first = tokio::spawn({
        let router = router.clone();
        let body = body.clone();
        async move { post_json(&router, "/maib", &body).await }
    });
    handler.entered().await;
    // Bounded: should the claim fail to hold, this delivery would wait in the handler too.
    let second = tokio::time::timeout(Duration::from_secs(5), post_json(&router, "/maib", &body))
        .await
        .expect("the second delivery is answered at once, not run");
    assert_eq!(
        second.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        second.text()
    );
    gate.notify_one();
    let first = first.await.unwrap();
    assert_eq!(first.status, StatusCode::OK);
    // The provider's next delivery finds the claim done (the handler, still gated, would hang).
    let third = post_json(&router, "/maib", &body).await;
    assert_eq!(third.status, StatusCode::OK);
    assert_eq!(handler.runs(), 1);
}

#[tokio::test]
async fn a_failed_handler_is_retried_by_the_provider_and_then_handled_once() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let router = maib_routes(&handler, &server).await;
    let body = maib_body(&maib_result("10.25"));
    handler.fail_next(1);
    let failed = post_json(&router, "/maib", &body).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !failed.text().contains("database"),
        "the handler's message stays in the logs"
    );
    let retried = post_json(&router, "/maib", &body).await;
    assert_eq!(retried.status, StatusCode::OK);
    let again = post_json(&router, "/maib", &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        handler.runs(),
        2,
        "one failed run, one successful run, no third"
    );
}

#[tokio::test]
async fn a_permanent_refusal_is_422_and_releases_the_claim() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let router = maib_routes(&handler, &server).await;
    let body = maib_body(&maib_result("10.25"));
    handler.refuse_next();
    let refused = post_json(&router, "/maib", &body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let retried = post_json(&router, "/maib", &body).await;
    assert_eq!(retried.status, StatusCode::OK);
    assert_eq!(handler.runs(), 2);
}

/// A claim store that cannot be reached.
#[derive(Debug)]
struct DownStore;

#[async_trait]
impl ClaimStore for DownStore {
    async fn claim(&self, _key: &str, _ttl: Duration) -> Result<ClaimOutcome> {
        Err(Error::store("test", "claim", "connection refused"))
    }
    async fn complete(&self, _claim: &Claim, _keep_for: Duration) -> Result<bool> {
        Err(Error::store("test", "complete", "connection refused"))
    }
    async fn release(&self, _claim: &Claim) -> Result<()> {
        Err(Error::store("test", "release", "connection refused"))
    }
}

#[tokio::test]
async fn without_a_claim_the_handler_does_not_run_and_the_answer_is_503() {
    let server = MockServer::start().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("10.25")).await;
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .claims(Arc::new(DownStore), ClaimConfig::default())
        .maib("/maib", maib_client(&server).await)
        .into_router()
        .unwrap();
    let answered = post_json(&router, "/maib", &maib_body(&maib_result("10.25"))).await;
    assert_eq!(answered.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(handler.runs(), 0);
}

#[tokio::test]
async fn the_claim_key_is_provider_and_dedupe_key_in_the_shared_store() {
    let server = MockServer::start().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("10.25")).await;
    let store = Arc::new(InMemoryClaimStore::new());
    let handler = Recorder::new();
    // Two instances of the service share one store: a callback delivered to both runs once.
    let instances: Vec<axum::Router> = {
        let mut routers = Vec::new();
        for _ in 0..2 {
            routers.push(
                CallbackRoutes::new(handler.clone())
                    .claims(store.clone(), ClaimConfig::default())
                    .maib("/maib", maib_client(&server).await)
                    .into_router()
                    .unwrap(),
            );
        }
        routers
    };
    let body = maib_body(&maib_result("10.25"));
    for router in &instances {
        assert_eq!(
            post_json(router, "/maib", &body).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(handler.runs(), 1);
    let key = format!("maib:{PAY_ID}:OK");
    assert_eq!(
        store.claim(&key, Duration::from_secs(1)).await.unwrap(),
        ClaimOutcome::AlreadyDone
    );
}
