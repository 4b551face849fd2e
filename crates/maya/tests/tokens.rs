//! The two tokens against wiremock: the client credentials token (Maya Connect) and the customer
//! session refresh (`POST /tokens`).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paykit_core::{Currency, Error, ExposeSecret, Money};
use paykit_maya::{CreatePayment, RequestReference, TokenBodyEncoding};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASIC: &str = "Basic bWluaWFwcC1jbGllbnQtaWQ6dGVzdC1jbGllbnQtc2VjcmV0";

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

async fn mount_refresh(server: &MockServer, refresh: &str, answer: (&str, &str, i64), times: u64) {
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .and(header(
            "authorization",
            format!("Bearer {CLIENT_TOKEN}").as_str(),
        ))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(header_exists("request-reference-no"))
        .and(body_json(json!({ "refreshToken": refresh })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": answer.0,
            "refreshToken": answer.1,
            "expiresAt": answer.2,
        })))
        .expect(times)
        .named(format!("refresh with {refresh}"))
        .mount(server)
        .await;
}

async fn mount_create(server: &MockServer, access: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .and(header("x-authorization", access))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_body(None)))
        .expect(times)
        .named(format!("create with {access}"))
        .mount(server)
        .await;
}

fn create_request() -> CreatePayment {
    CreatePayment::new(php("249.50")).request_reference(RequestReference::parse(REFERENCE).unwrap())
}

#[tokio::test]
async fn client_token_uses_basic_auth_and_a_form_body_and_is_cached() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header("accept", "application/json"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(CLIENT_TOKEN)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let first = client.client_token().await.unwrap();
    let second = client.client_token().await.unwrap();
    assert_eq!(first.expose_secret(), CLIENT_TOKEN);
    assert_eq!(first.generation(), second.generation());
}

#[tokio::test]
async fn the_json_body_knob_and_scope_are_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({ "grant_type": "client_credentials", "scope": "payments" }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(CLIENT_TOKEN)))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .token_body(TokenBodyEncoding::Json)
        .scope("payments")
        .build()
        .unwrap();
    client.client_token().await.unwrap();
}

#[tokio::test]
async fn form_scope_is_appended() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string(
            "grant_type=client_credentials&scope=openid+payments",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(CLIENT_TOKEN)))
        .expect(1)
        .mount(&server)
        .await;
    builder(&server)
        .scope("openid payments")
        .build()
        .unwrap()
        .client_token()
        .await
        .unwrap();
}

#[tokio::test]
async fn lifetime_is_taken_as_returned() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "access_token": CLIENT_TOKEN, "expires_in": 1 })),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    client.client_token().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.client_token().await.unwrap();
}

#[tokio::test]
async fn a_missing_or_zero_lifetime_falls_back_to_an_hour() {
    for body in [
        json!({ "access_token": CLIENT_TOKEN }),
        json!({ "access_token": CLIENT_TOKEN, "expires_in": 0 }),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server);
        client.client_token().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        client.client_token().await.unwrap();
    }
}

#[tokio::test]
async fn an_absurd_lifetime_is_capped_without_panicking() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(json_text(
            200,
            r#"{"access_token":"test-client-token","expires_in":18446744073709551615}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.client_token().await.unwrap();
    client.client_token().await.unwrap();
}

#[tokio::test]
async fn rejected_client_credentials_are_an_auth_error_and_nothing_else_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "Bad client credentials."
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_create(&server, ACCESS, 0).await;
    let client = client(&server);
    let session = session(&client);
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("Bad client credentials."), "{text}");
    assert!(!text.contains(CLIENT_SECRET), "{text}");
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
    mount_token(&server, 1).await;
    client(&server).client_token().await.unwrap();
}

#[tokio::test]
async fn a_malformed_token_answer_is_a_decode_error_without_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(json_text(
            200,
            r#"{"access_token":"test-leaky-token","expires_in":"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).client_token().await.unwrap_err();
    match &err {
        Error::Decode { snippet, .. } => assert!(snippet.is_empty(), "{snippet}"),
        other => panic!("{other}"),
    }
    assert!(!err.to_string().contains("test-leaky-token"));
}

#[tokio::test]
async fn an_expired_customer_token_is_refreshed_before_the_call() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_refresh(&server, REFRESH, (ACCESS_2, REFRESH_2, FUTURE), 1).await;
    mount_create(&server, ACCESS, 0).await;
    mount_create(&server, ACCESS_2, 1).await;
    let client = client(&server);
    let session = client.session(tokens(ACCESS, REFRESH, PAST)).unwrap();
    client
        .create_payment(&session, &create_request())
        .await
        .unwrap();
    assert_eq!(session.revision(), 1);
    let newest = session.tokens();
    assert_eq!(newest.access_token().expose_secret(), ACCESS_2);
    assert_eq!(newest.refresh_token().expose_secret(), REFRESH_2);
    assert_eq!(newest.expires_at(), FUTURE);
    // The refresh call itself carries no customer token.
    let requests = server.received_requests().await.unwrap();
    let refresh = requests.iter().find(|r| r.url.path() == "/tokens").unwrap();
    assert!(!refresh.headers.contains_key("x-authorization"));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_newest_one_is_always_used() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_refresh(&server, REFRESH, (ACCESS_2, REFRESH_2, FUTURE), 1).await;
    mount_refresh(
        &server,
        REFRESH_2,
        ("test-access-3", "test-refresh-3", FUTURE + 60),
        1,
    )
    .await;
    let client = client(&server);
    let session = session(&client);
    let second = session.refresh().await.unwrap();
    assert_eq!(second.refresh_token().expose_secret(), REFRESH_2);
    let third = session.refresh().await.unwrap();
    assert_eq!(third.refresh_token().expose_secret(), "test-refresh-3");
    assert_eq!(session.revision(), 2);
    assert_eq!(session.expires_at(), FUTURE + 60);
}

#[tokio::test]
async fn concurrent_calls_on_an_expired_session_cause_one_refresh() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({
                    "accessToken": ACCESS_2, "refreshToken": REFRESH_2, "expiresAt": FUTURE
                }))
                .set_delay(Duration::from_millis(150)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let session = Arc::new(client.session(tokens(ACCESS, REFRESH, PAST)).unwrap());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let session = session.clone();
        tasks.push(tokio::spawn(async move { session.ensure_fresh().await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(session.revision(), 1);
}

#[tokio::test]
async fn a_rejected_refresh_ends_the_session_and_later_calls_send_nothing() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_token",
            "error_description": format!("Invalid refresh token: {REFRESH}")
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_create(&server, ACCESS, 0).await;
    let client = client(&server);
    let session = client.session(tokens(ACCESS, REFRESH, PAST)).unwrap();
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("invalid_token"), "{err}");
    assert!(!err.to_string().contains(REFRESH), "{err}");
    assert!(session.is_ended());
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "session"),
        "{err}"
    );
    assert!(!format!("{session:?}").contains(REFRESH));
}

#[tokio::test]
async fn a_passing_refresh_failure_keeps_serving_a_still_valid_token() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "PY0001", "message": "System error"
        })))
        .mount(&server)
        .await;
    mount_create(&server, ACCESS, 1).await;
    let client = client(&server);
    // Inside the 30 s refresh margin but not expired.
    let soon = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
        + 20;
    let session = client.session(tokens(ACCESS, REFRESH, soon)).unwrap();
    client
        .create_payment(&session, &create_request())
        .await
        .unwrap();
    assert!(!session.is_ended());
    let err = session.refresh().await.unwrap_err();
    assert_eq!(err.api_code(), Some("PY0001"), "{err}");
    assert!(err.is_retryable());
    assert_eq!(session.revision(), 0);
}

#[tokio::test]
async fn a_401_mid_flight_renews_both_tokens_and_retries_once() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    mount_refresh(&server, REFRESH, (ACCESS_2, REFRESH_2, FUTURE), 1).await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .and(header("x-authorization", ACCESS))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    mount_create(&server, ACCESS_2, 1).await;
    let client = client(&server);
    let session = session(&client);
    let created = client
        .create_payment(&session, &create_request())
        .await
        .unwrap();
    assert_eq!(created.id, PAYMENT_ID);
    assert_eq!(session.revision(), 1);
}

#[tokio::test]
async fn a_second_401_is_not_retried_again() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    mount_refresh(&server, REFRESH, (ACCESS_2, REFRESH_2, FUTURE), 1).await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let session = session(&client);
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
}
