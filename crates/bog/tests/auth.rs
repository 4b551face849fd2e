//! Token handling against a mock iPay: TV-1, absolute `expires_in`, the lifetime cap, 401.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use paykit_bog::BogClient;
use paykit_core::{Error, PaymentProvider, SecretString};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_details(server: &MockServer, bearer: &str, status: u16, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .and(header("authorization", format!("Bearer {bearer}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(details_body(
            ORDER_ID,
            PAYMENT_HASH,
            "success",
        )))
        .expect(times)
        .mount(server)
        .await;
}

async fn mount_token_answer(server: &MockServer, body: serde_json::Value, times: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_demo_merchant_sends_the_tv1_header_and_a_form_grant() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, TOKEN, 200, 1).await;
    let details = client(&server).payment_details(ORDER_ID).await.unwrap();
    assert_eq!(details.order_id, ORDER_ID);
}

#[tokio::test]
async fn secrets_with_reserved_and_non_ascii_characters_work() {
    let secret = "a+b/c==ü:Ω ";
    let expected = format!("Basic {}", STANDARD.encode(format!("1006:{secret}")));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", expected.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(TOKEN, now_ms())))
        .expect(1)
        .mount(&server)
        .await;
    mount_details(&server, TOKEN, 200, 1).await;
    let client = BogClient::builder(CLIENT_ID, SecretString::from(secret))
        .base_url(format!("{}{API}", server.uri()))
        .build()
        .unwrap();
    client.payment_details(ORDER_ID).await.unwrap();
}

#[tokio::test]
async fn a_current_token_is_reused() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, TOKEN, 200, 3).await;
    let client = client(&server);
    for _ in 0..3 {
        client.get_payment(ORDER_ID).await.unwrap();
    }
}

#[tokio::test]
async fn concurrent_calls_share_one_token_request() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, TOKEN, 200, 8).await;
    let client = client(&server);
    let calls = (0..8).map(|_| {
        let client = client.clone();
        async move { client.payment_details(ORDER_ID).await }
    });
    for result in futures_join(calls).await {
        result.unwrap();
    }
}

/// Runs futures concurrently, without an extra dependency.
async fn futures_join<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn an_expires_in_long_past_is_not_read_as_a_lifetime() {
    // TV-2's expires_in (2020-08-04): read as "seconds from now" it would last 50,000 years;
    // as an instant it is long past, which only says this host's clock disagrees with iPay's.
    // Neither is believed: the token is kept for the cache lifetime (at most 50 s), so two
    // calls share one token instead of each fetching its own.
    let server = MockServer::start().await;
    mount_token_answer(&server, token_body(TOKEN, 1_596_573_893_918), 1).await;
    mount_details(&server, TOKEN, 200, 2).await;
    let client = client(&server);
    client.payment_details(ORDER_ID).await.unwrap();
    client.payment_details(ORDER_ID).await.unwrap();
}

#[tokio::test]
async fn a_far_future_expires_in_is_capped_by_the_max_lifetime() {
    let server = MockServer::start().await;
    let ten_years_ms = 10 * 365 * 24 * 3600 * 1000_i64;
    mount_token_answer(&server, token_body(TOKEN, now_ms() + ten_years_ms), 2).await;
    mount_details(&server, TOKEN, 200, 3).await;
    let client = builder(&server)
        .token_max_lifetime(Duration::from_millis(400))
        .token_refresh_margin(Duration::ZERO)
        .build()
        .unwrap();
    client.payment_details(ORDER_ID).await.unwrap();
    client.payment_details(ORDER_ID).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    client.payment_details(ORDER_ID).await.unwrap();
}

#[tokio::test]
async fn a_401_mid_flight_reauthenticates_once() {
    let server = MockServer::start().await;
    mount_token_answer(&server, token_body("test-token-1", now_ms()), 1).await;
    mount_token_answer(&server, token_body("test-token-2", now_ms()), 1).await;
    mount_details(&server, "test-token-1", 401, 1).await;
    mount_details(&server, "test-token-2", 200, 1).await;
    let outcome = client(&server).get_payment(ORDER_ID).await.unwrap();
    assert_eq!(outcome.provider_payment_id, ORDER_ID);
}

#[tokio::test]
async fn a_401_on_a_payment_call_is_retried_once_with_a_new_token() {
    let server = MockServer::start().await;
    mount_token_answer(&server, token_body("test-token-1", now_ms()), 1).await;
    mount_token_answer(&server, token_body("test-token-2", now_ms()), 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/refund")))
        .and(header("authorization", "Bearer test-token-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/checkout/refund")))
        .and(header("authorization", "Bearer test-token-2"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).refund_order(ORDER_ID, None).await.unwrap();
}

#[tokio::test]
async fn a_second_401_is_an_auth_error_after_exactly_two_attempts() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 2).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "invalid_token"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_and_nothing_else_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"error": "invalid_client", "error_description": "Bad credentials"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert!(!format!("{err} {err:?}").contains(SECRET));
}

#[tokio::test]
async fn an_unreadable_token_answer_leaves_the_call_unsent_without_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"access_token":"test-leaky-token","expires_in":"#),
        )
        .mount(&server)
        .await;
    let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
    // Without a token the call itself never left (core's NoToken); the token answer is not
    // quoted.
    assert!(
        matches!(
            &err,
            Error::Transport {
                kind: paykit_core::TransportKind::NoToken(_),
                sent: paykit_core::Sent::NotSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.outcome_unknown());
    assert!(!format!("{err} {err:?}").contains("test-leaky-token"));
}

#[tokio::test]
async fn a_non_bearer_token_is_refused() {
    let server = MockServer::start().await;
    mount_token_answer(
        &server,
        serde_json::json!({"access_token": TOKEN, "token_type": "mac", "expires_in": now_ms()}),
        1,
    )
    .await;
    let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried_like_a_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_token(&server, TOKEN, 1).await;
    mount_details(&server, TOKEN, 200, 1).await;
    client(&server).payment_details(ORDER_ID).await.unwrap();
}
