//! BOG's error answers (§9.1): what each becomes, and that money-moving faults are unknown
//! outcomes while read faults stay retryable.

mod common;

use common::*;
use paykit_core::{Error, PaymentProvider};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

async fn receipt_answer(status: u16, body: serde_json::Value) -> Error {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    client(&server)
        .get_payment(ORDER)
        .await
        .expect_err("an error answer")
}

#[tokio::test]
async fn the_three_error_shapes_are_read() {
    let spring = receipt_answer(
        400,
        json!({"timestamp": "2025-03-14T09:00:00Z", "status": 400, "error": "Bad Request",
               "message": "ttl must be between 2 and 1440", "path": "/payments/v1/receipt/x"}),
    )
    .await;
    assert!(
        matches!(&spring, Error::Api { code, message, http_status: Some(400), retryable: false, .. }
            if code == "400" && message.contains("ttl")),
        "{spring:?}"
    );
    let coded = receipt_answer(
        422,
        json!({"code": "INVALID_STATE", "message": "not blocked"}),
    )
    .await;
    assert_eq!(coded.api_code(), Some("INVALID_STATE"));
    let oauth = receipt_answer(
        400,
        json!({"error": "invalid_request", "error_description": "x"}),
    )
    .await;
    assert_eq!(oauth.api_code(), Some("invalid_request"));
}

#[tokio::test]
async fn an_unknown_order_is_not_found_and_403_is_a_feature_not_enabled() {
    let missing = receipt_answer(400, json!({"message": "Invalid order_id"})).await;
    assert_eq!(missing.api_code(), Some(paykit_bog_payments::NOT_FOUND));
    let forbidden = receipt_answer(403, json!({})).await;
    assert!(
        matches!(
            forbidden,
            Error::Api {
                http_status: Some(403),
                ..
            }
        ),
        "{forbidden:?}"
    );
    assert_eq!(forbidden.api_code(), Some("forbidden"));
}

#[tokio::test]
async fn rate_limits_carry_the_wait() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
        .mount(&server)
        .await;
    // No retries: core would otherwise wait the 7 s and ask again.
    let client = builder(&server)
        .executor_config(
            paykit_core::http::ExecutorConfig::default()
                .retry(paykit_core::http::RetryPolicy::none()),
        )
        .build()
        .unwrap();
    let error = client.get_payment(ORDER).await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(7)));
}

/// A 401 that survives the one refresh is an authentication error: two token fetches, two
/// receipt attempts, no loop.
#[tokio::test]
async fn a_second_401_is_an_auth_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_token"})))
        .mount(&server)
        .await;
    let error = client(&server).get_payment(ORDER).await.unwrap_err();
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    assert_eq!(
        requests_to(&server, &format!("{API}/receipt/{ORDER}"))
            .await
            .len(),
        2
    );
    assert_eq!(requests_to(&server, TOKEN).await.len(), 2);
}

/// A 5xx of a read is retryable; of a refund, an unknown outcome carrying the order id and the
/// Idempotency-Key (after the retries with that key).
#[tokio::test]
async fn server_errors_mean_what_the_call_does_to_money() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/payment/refund/{ORDER}")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client(&server);
    let read = client.receipt(ORDER).await.unwrap_err();
    assert!(read.is_retryable() && !read.outcome_unknown(), "{read:?}");
    let key = paykit_bog_payments::IdempotencyKey::generate().unwrap();
    let refund = client.refund_order(ORDER, None, &key).await.unwrap_err();
    assert!(
        refund.outcome_unknown() && !refund.is_retryable(),
        "{refund:?}"
    );
    let ids = refund.payment_ref().unwrap();
    assert_eq!(ids.provider_payment_id.as_deref(), Some(ORDER));
    assert_eq!(ids.idempotency_key.as_deref(), Some(key.as_str()));
    assert!(refund.to_string().contains(key.as_str()), "{refund}");
    let sent = requests_to(&server, &format!("{API}/payment/refund/{ORDER}")).await;
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter()
            .all(|r| r.headers.get("idempotency-key").unwrap() == key.as_str())
    );
}

/// A refusal of a refund (4xx) is final and known: one send, no retry.
#[tokio::test]
async fn refusals_are_not_retried() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/payment/refund/{ORDER}")))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "amount exceeds transfer_amount"})),
        )
        .mount(&server)
        .await;
    let key = paykit_bog_payments::IdempotencyKey::generate().unwrap();
    let error = client(&server)
        .refund_order(ORDER, None, &key)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                http_status: Some(400),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.outcome_unknown() && !error.is_retryable());
    assert_eq!(
        requests_to(&server, &format!("{API}/payment/refund/{ORDER}"))
            .await
            .len(),
        1
    );
}
