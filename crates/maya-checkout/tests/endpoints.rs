//! Wire details the fixtures do not show: exact number literals, escaping of references in
//! paths, retries only for reads, the Basic headers, and the reversal choice.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{PK_BASIC, SK_BASIC, builder, client, clock_at};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{Currency, Error, Money};
use paykit_maya_checkout::{
    CreateCheckout, RedirectUrls, RefundAnswer, ReversalChoice, Reversed, SavedCardPayment,
};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

#[tokio::test]
async fn amounts_go_out_as_exact_number_literals_with_the_public_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/checkout/v1/checkouts"))
        .and(header("authorization", PK_BASIC))
        .respond_with(json(
            r#"{"checkoutId":"c-1","redirectUrl":"https://pay.example/c-1"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let urls = RedirectUrls::new("https://a.ph/ok", "https://a.ph/f", "https://a.ph/c");
    client(&server.uri())
        .create_checkout(&CreateCheckout::new(&php("249.50"), "order-1", urls))
        .await
        .unwrap();
    let sent = &server.received_requests().await.unwrap()[0];
    let body = String::from_utf8(sent.body.clone()).unwrap();
    assert!(
        body.contains(r#""totalAmount":{"value":249.50,"currency":"PHP"}"#),
        "{body}"
    );
}

#[tokio::test]
async fn references_are_escaped_in_paths() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/v1/payment-rrns/a%20b%2Fc%3F"))
        .and(header("authorization", SK_BASIC))
        .respond_with(json("[]"))
        .expect(1)
        .mount(&server)
        .await;
    let found = client(&server.uri())
        .payments_by_reference("a b/c?")
        .await
        .unwrap();
    assert!(found.is_empty());
}

fn retrying(base: &str) -> paykit_maya_checkout::MayaCheckoutClient {
    builder(base)
        .executor_config(
            ExecutorConfig::default()
                .timeout(Duration::from_secs(5))
                .retry(
                    RetryPolicy::default()
                        .max_attempts(3)
                        .delays(Duration::from_millis(1), Duration::from_millis(2)),
                ),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn reads_are_retried_and_money_moving_calls_are_not() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server.uri());
    assert!(c.payment("p").await.unwrap_err().is_retryable());
    let error = c
        .pay_with_saved_card(
            "cus",
            "card",
            &SavedCardPayment::new(&php("10.00"), "ref-1"),
        )
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(
        error.payment_ref().unwrap().merchant_reference.as_deref(),
        Some("ref-1")
    );
}

fn payment(created: &str) -> String {
    format!(
        r#"{{"id":"p-1","status":"PAYMENT_SUCCESS","amount":249.50,"currency":"PHP","createdAt":"{created}","requestReferenceNumber":"r"}}"#
    )
}

#[tokio::test]
async fn an_explicit_refund_skips_the_calendar() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/v1/payments/p-1"))
        .respond_with(json(&payment("2026-01-06T01:00:00.000Z")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/payments/v1/payments/p-1/refunds"))
        .respond_with(json("[]"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/payments/v1/payments/p-1/refunds"))
        .respond_with(json(
            r#"{"id":"rf-1","payment":"p-1","amount":"249.50","currency":"PHP","status":"SUCCESS"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server.uri())
        .clock(clock_at("2026-01-06T04:00:00Z"))
        .build()
        .unwrap();
    let reversed = c
        .reverse("p-1", None, ReversalChoice::Refund, "r")
        .await
        .unwrap();
    assert!(matches!(
        reversed,
        Reversed::Refunded { answer: RefundAnswer::Record(_), ref left, .. } if left.is_zero()
    ));
}

#[tokio::test]
async fn a_payment_older_than_180_days_is_not_refunded_through_the_api() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/v1/payments/p-1"))
        .respond_with(json(&payment("2025-01-01T01:00:00.000Z")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(json("{}"))
        .expect(0)
        .mount(&server)
        .await;
    let c = builder(&server.uri())
        .clock(clock_at("2026-01-06T04:00:00Z"))
        .build()
        .unwrap();
    let error = c
        .reverse("p-1", None, ReversalChoice::ByCalendar, "r")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error}");
}

#[tokio::test]
async fn the_calendar_turns_at_midnight_manila() {
    let server = MockServer::start().await;
    // Paid at 23:50 Manila on 5 January.
    Mock::given(method("GET"))
        .and(path("/payments/v1/payments/p-1"))
        .respond_with(json(&payment("2026-01-05T15:50:00.000Z")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/payments/v1/payments/p-1/voids"))
        .respond_with(json(r#"{"id":"v-1","payment":"p-1","status":"SUCCESS"}"#))
        .expect(1)
        .mount(&server)
        .await;
    // 23:59 Manila the same day: a void.
    let c = builder(&server.uri())
        .clock(clock_at("2026-01-05T15:59:00Z"))
        .build()
        .unwrap();
    let reversed = c
        .reverse("p-1", None, ReversalChoice::ByCalendar, "r")
        .await
        .unwrap();
    assert!(matches!(reversed, Reversed::Voided(_)));
}

#[tokio::test]
async fn refund_answers_decode_in_every_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202).set_body_raw(
                r#"{"message":"Transaction had been received and is still ongoing","status":"ONGOING"}"#,
                "application/json",
            ),
        )
        .mount(&server)
        .await;
    let answer = client(&server.uri())
        .refund_payment("p-1", &php("10.00"), "r")
        .await
        .unwrap();
    assert!(matches!(answer, RefundAnswer::Ongoing { message: Some(_) }));
    assert!(!answer.is_success());
}
