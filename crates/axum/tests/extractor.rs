//! The `Verified` extractor, for merchants who write their own route.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::post;
use common::*;
use http::StatusCode;
use paykit_axum::{CallbackVerifier, Verified};
use paykit_core::VerifiedEvent;
use wiremock::MockServer;

/// A merchant's own state, of which the verifier is a part.
#[derive(Clone)]
struct Shop {
    maib: CallbackVerifier,
    seen: Arc<Mutex<Vec<VerifiedEvent>>>,
}

impl FromRef<Shop> for CallbackVerifier {
    fn from_ref(shop: &Shop) -> Self {
        shop.maib.clone()
    }
}

async fn maib_callback(State(shop): State<Shop>, Verified(event): Verified) -> &'static str {
    shop.seen.lock().unwrap().push(event);
    "OK"
}

#[tokio::test]
async fn the_extractor_verifies_confirms_and_refuses_like_the_routes() {
    let server = MockServer::start().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("10.25")).await;
    let shop = Shop {
        maib: CallbackVerifier::maib(maib_client(&server).await).body_limit(1024),
        seen: Arc::default(),
    };
    let router = Router::new()
        .route("/shop/maib", post(maib_callback))
        .with_state(shop.clone());

    let body = maib_body(&maib_result("10.25"));
    let answered = post_json(&router, "/shop/maib", &body).await;
    assert_eq!(answered.status, StatusCode::OK);
    assert_eq!(answered.text(), "OK");
    {
        let seen = shop.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].is_fit_for_fulfilment(), "confirmed with pay-info");
    }

    let forged = body.replace("10.25", "99.25");
    let refused = post_json(&router, "/shop/maib", &forged).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let huge = format!(r#"{{"pad":"{}"}}"#, "x".repeat(2000));
    let too_large = post_json(&router, "/shop/maib", &huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        shop.seen.lock().unwrap().len(),
        1,
        "refusals never reach the route"
    );
}

#[tokio::test]
async fn the_verifier_alone_can_be_the_routes_state() {
    let server = MockServer::start().await;
    let verifier =
        CallbackVerifier::maib(maib_client(&server).await).accept(paykit_axum::Accept::Signed);
    let router: Router = Router::new().route(
        "/maib",
        post(|Verified(event): Verified| async move { event.dedupe_key }).with_state(verifier),
    );
    let answered = post_json(&router, "/maib", &maib_body(&maib_result("10.25"))).await;
    assert_eq!(answered.status, StatusCode::OK);
    assert_eq!(answered.text(), format!("{PAY_ID}:OK"));
}
