//! The route verifies the bytes it received, not a re-serialised form of them: a body parsed
//! and written back (as a framework's JSON extractor would) fails, the raw bytes pass.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use common::*;
use http::StatusCode;
use paykit_axum::CallbackRoutes;
use paykit_core::PaymentStatus;
use paykit_testkit::json::Exact;
use paykit_testkit::signers::Envelope;
use paykit_testkit::signers::maib::{NumberStyle, signature};
use wiremock::MockServer;

#[tokio::test]
async fn a_re_serialised_body_fails_and_the_raw_one_passes() {
    let server = MockServer::start().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("10.10")).await;
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .maib("/callbacks/maib", maib_client(&server).await)
        .into_router()
        .unwrap();

    // maib accepts a signature over the number literals as sent (`10.10`, not PHP's `10.1`).
    let result = maib_result("10.10");
    let literal = signature(
        &Exact::parse(&result).unwrap(),
        MAIB_KEY.trim(),
        NumberStyle::Literal,
    )
    .unwrap();
    let raw = Envelope::body_with(&result, &literal);

    // What a JSON extractor hands on: the same document, parsed and written back.
    let value: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let rewritten = serde_json::to_string(&value).unwrap();
    assert_ne!(rewritten, raw, "re-serialising changes the bytes");
    assert!(
        rewritten.contains("10.1") && !rewritten.contains("10.10"),
        "{rewritten}"
    );

    let refused = post_json(&router, "/callbacks/maib", &rewritten).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        refused.text()
    );
    assert_eq!(
        handler.runs(),
        0,
        "a refused callback never reaches the handler"
    );

    let handled = post_json(&router, "/callbacks/maib", &raw).await;
    assert_eq!(handled.status, StatusCode::OK, "{}", handled.text());
    assert_eq!(handled.text(), "OK");
    let events = handler.events();
    assert_eq!(events.len(), 1);
    let payment = events[0].payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(payment.amount.unwrap().to_fixed_string(), "10.10");
    assert!(events[0].is_fit_for_fulfilment());
}
