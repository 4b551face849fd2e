//! A 401 renews only the token Maya's answer blames: a client-key problem (`K003`) must not
//! spend the customer's rotating refresh token, and a customer-token problem must not drop the
//! process-wide client token. Counted on wiremock: client token fetches and `POST /tokens`.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use common::*;
use paykit_core::{Currency, Money};
use paykit_maya::{CreatePayment, ExecuteOutcome, ExecutePayment};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The gateway's K003, as in spec §7.1: the client credentials are not accepted here.
fn k003() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({
        "error": "Invalid authentication credentials. Kindly verify if the key you are using is correct.",
        "code": "K003",
        "reference": "bdd5260f-f7ef-42a0-9472-dcdf757f6a35"
    }))
}

/// An expired customer token: the gateway's key-layer shape naming the customer token.
fn customer_expired() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({
        "error": "Customer access token has expired.",
        "code": "K002",
        "reference": "0e0e0e0e-1111-4222-8333-444444444444"
    }))
}

/// `POST /tokens` renewing the pair, counted by [`count`] (no exact expectation, so a test
/// reads the number and says what it should be).
async fn mount_refresh(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": ACCESS_2, "refreshToken": REFRESH_2, "expiresAt": FUTURE,
        })))
        .mount(server)
        .await;
}

/// The client token endpoint, counted by [`count`].
async fn mount_client_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(CLIENT_TOKEN)))
        .mount(server)
        .await;
}

/// `path` answers `first` once, then `then` to a request with customer token `access`.
async fn mount_call(
    server: &MockServer,
    route: &str,
    first: ResponseTemplate,
    access: &str,
    then: ResponseTemplate,
) {
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(first)
        .up_to_n_times(1)
        .expect(1)
        .named("the refused attempt")
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(route))
        .and(header("x-authorization", access))
        .and(header(
            "authorization",
            format!("Bearer {CLIENT_TOKEN}").as_str(),
        ))
        .respond_with(then)
        .expect(1)
        .named("the re-sent attempt")
        .mount(server)
        .await;
}

/// How many requests went to `route`.
async fn count(server: &MockServer, route: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == route)
        .count()
}

async fn setup() -> MockServer {
    let server = MockServer::start().await;
    mount_client_token(&server).await;
    mount_refresh(&server).await;
    server
}

fn create_request() -> CreatePayment {
    CreatePayment::new(Money::parse("249.50", Currency::PHP).unwrap())
}

fn created_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(payment_body(None))
}

fn executed_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(payment_body(Some("APPROVED")))
}

#[tokio::test]
async fn k003_on_create_renews_the_client_token_and_spends_no_refresh_token() {
    let server = setup().await;
    // The re-sent create still carries the customer's original access token.
    mount_call(&server, "/merchant/payments", k003(), ACCESS, created_ok()).await;
    let client = client(&server);
    let session = session(&client);
    client
        .create_payment(&session, &create_request())
        .await
        .unwrap();
    assert_eq!(count(&server, TOKEN_PATH).await, 2, "client token fetches");
    assert_eq!(count(&server, "/tokens").await, 0, "customer refreshes");
    assert_eq!(session.revision(), 0);
}

#[tokio::test]
async fn k003_on_execute_renews_the_client_token_and_spends_no_refresh_token() {
    let server = setup().await;
    mount_call(&server, &execute_path(), k003(), ACCESS, executed_ok()).await;
    let client = client(&server);
    let session = session(&client);
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(outcome.is_approved(), "{outcome:?}");
    assert_eq!(count(&server, TOKEN_PATH).await, 2, "client token fetches");
    assert_eq!(count(&server, "/tokens").await, 0, "customer refreshes");
    assert_eq!(session.revision(), 0);
}

#[tokio::test]
async fn a_persistent_k003_is_refused_after_one_resend_without_touching_the_session() {
    let server = setup().await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(k003())
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let session = session(&client);
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("K003"), "{err:?}");
    assert_eq!(count(&server, TOKEN_PATH).await, 2, "client token fetches");
    assert_eq!(count(&server, "/tokens").await, 0, "customer refreshes");
    assert!(!session.is_ended());
}

#[tokio::test]
async fn a_customer_token_401_on_create_refreshes_the_session_and_keeps_the_client_token() {
    let server = setup().await;
    mount_call(
        &server,
        "/merchant/payments",
        customer_expired(),
        ACCESS_2,
        created_ok(),
    )
    .await;
    let client = client(&server);
    let session = session(&client);
    client
        .create_payment(&session, &create_request())
        .await
        .unwrap();
    assert_eq!(count(&server, TOKEN_PATH).await, 1, "client token fetches");
    assert_eq!(count(&server, "/tokens").await, 1, "customer refreshes");
    assert_eq!(session.revision(), 1);
}

#[tokio::test]
async fn a_customer_token_401_on_execute_refreshes_the_session_and_keeps_the_client_token() {
    let server = setup().await;
    mount_call(
        &server,
        &execute_path(),
        customer_expired(),
        ACCESS_2,
        executed_ok(),
    )
    .await;
    let client = client(&server);
    let session = session(&client);
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(
        matches!(outcome, ExecuteOutcome::Executed(_)),
        "{outcome:?}"
    );
    assert_eq!(count(&server, TOKEN_PATH).await, 1, "client token fetches");
    assert_eq!(count(&server, "/tokens").await, 1, "customer refreshes");
    assert_eq!(session.revision(), 1);
}

#[tokio::test]
async fn an_unexplained_401_still_renews_both() {
    // Maya does not document its customer-token errors: a bare 401 blames both, as before.
    let server = setup().await;
    mount_call(
        &server,
        "/merchant/payments",
        ResponseTemplate::new(401),
        ACCESS_2,
        created_ok(),
    )
    .await;
    let client = client(&server);
    let session = session(&client);
    client
        .create_payment(&session, &create_request())
        .await
        .unwrap();
    assert_eq!(count(&server, TOKEN_PATH).await, 2, "client token fetches");
    assert_eq!(count(&server, "/tokens").await, 1, "customer refreshes");
}

#[tokio::test]
async fn other_customers_keep_the_client_token_when_one_customer_token_is_refused() {
    // The client token is process-wide: one customer's expired token costs nobody else a fetch.
    let server = setup().await;
    mount_call(
        &server,
        "/merchant/payments",
        customer_expired(),
        ACCESS_2,
        created_ok(),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .and(header("x-authorization", "test-other-customer-token"))
        .respond_with(created_ok())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let first = session(&client);
    client
        .create_payment(&first, &create_request())
        .await
        .unwrap();
    let other = client
        .session(tokens(
            "test-other-customer-token",
            "test-other-refresh",
            FUTURE,
        ))
        .unwrap();
    client
        .create_payment(&other, &create_request())
        .await
        .unwrap();
    assert_eq!(count(&server, TOKEN_PATH).await, 1, "client token fetches");
}

/// The gateway's answer to an expired client key (the simulator's wording).
fn client_expired() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({
        "error": "Key has expired.", "code": "K002", "reference": "r-1"
    }))
}

/// `route` answers `first`, then `second`, then `then` (each once, in order).
async fn mount_two_refusals(
    server: &MockServer,
    route: &str,
    first: ResponseTemplate,
    second: ResponseTemplate,
    then: ResponseTemplate,
) {
    for (response, name) in [(first, "first refusal"), (second, "second refusal")] {
        Mock::given(method("POST"))
            .and(path(route))
            .respond_with(response)
            .up_to_n_times(1)
            .expect(1)
            .named(name)
            .mount(server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(route))
        .and(header("x-authorization", ACCESS_2))
        .respond_with(then)
        .expect(1)
        .named("accepted")
        .mount(server)
        .await;
}

#[tokio::test]
async fn when_both_tokens_died_each_is_renewed_once_and_the_create_goes_through() {
    for (first, second) in [
        (client_expired(), customer_expired()),
        (customer_expired(), client_expired()),
    ] {
        let server = setup().await;
        mount_two_refusals(&server, "/merchant/payments", first, second, created_ok()).await;
        let client = client(&server);
        let session = session(&client);
        client
            .create_payment(&session, &create_request())
            .await
            .unwrap();
        assert_eq!(count(&server, "/merchant/payments").await, 3);
        assert_eq!(count(&server, TOKEN_PATH).await, 2, "client token fetches");
        assert_eq!(count(&server, "/tokens").await, 1, "customer refreshes");
    }
}

#[tokio::test]
async fn when_both_tokens_died_each_is_renewed_once_and_the_execute_goes_through() {
    let server = setup().await;
    mount_two_refusals(
        &server,
        &execute_path(),
        client_expired(),
        customer_expired(),
        executed_ok(),
    )
    .await;
    let client = client(&server);
    let session = session(&client);
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(outcome.is_approved(), "{outcome:?}");
    assert_eq!(count(&server, &execute_path()).await, 3);
    assert_eq!(count(&server, TOKEN_PATH).await, 2, "client token fetches");
    assert_eq!(count(&server, "/tokens").await, 1, "customer refreshes");
}

#[tokio::test]
async fn refusals_that_keep_alternating_stop_after_two_rounds() {
    // Bounded however Maya answers: two executor calls of two requests each.
    let server = setup().await;
    for response in [client_expired(), customer_expired()]
        .into_iter()
        .cycle()
        .take(8)
    {
        Mock::given(method("POST"))
            .and(path("/merchant/payments"))
            .respond_with(response)
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let session = session(&client);
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("K002"), "{err:?}");
    assert_eq!(count(&server, "/merchant/payments").await, 4);
    assert!(count(&server, TOKEN_PATH).await <= 3);
    assert!(count(&server, "/tokens").await <= 2);
}
