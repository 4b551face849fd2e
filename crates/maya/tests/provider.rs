//! The common traits over a customer session: create (= create + execute), get, webhook.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use std::time::Duration;

use common::*;
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    CaptureMode, Currency, Error, Money, PaymentProvider, PaymentRequest, PaymentStatus,
    TransportKind, UnknownCause, Webhook, WebhookRequest,
};
use paykit_maya::is_already_processed;
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn request(amount: &str) -> PaymentRequest {
    PaymentRequest::new(Money::parse(amount, Currency::PHP).unwrap()).order_id("order-10042")
}

async fn mount_create(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_body(None)))
        .expect(times)
        .mount(server)
        .await;
}

async fn mount_execute(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path(execute_path()))
        .respond_with(response)
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

/// Execute must not be sent at all.
async fn never_execute(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(execute_path()))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

#[tokio::test]
async fn create_payment_creates_and_executes_at_once() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_create(&server, 1).await;
    mount_execute(
        &server,
        ResponseTemplate::new(200).set_body_json(payment_body(Some("APPROVED"))),
        1,
    )
    .await;
    let client = client(&server);
    let provider = client.payments(session(&client));
    let outcome = provider.create_payment(&request("249.50")).await.unwrap();
    assert_eq!(outcome.provider_payment_id, PAYMENT_ID);
    assert_eq!(outcome.status, PaymentStatus::Captured);
    assert_eq!(outcome.raw_status.as_deref(), Some("APPROVED"));
    assert_eq!(outcome.order_id.as_deref(), Some("order-10042"));
    assert_eq!(
        outcome.amount,
        Some(Money::parse("249.50", Currency::PHP).unwrap())
    );
    assert_eq!(provider.id().as_str(), "maya");
}

#[tokio::test]
async fn a_decline_is_an_ok_failed_outcome() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_create(&server, 1).await;
    mount_execute(
        &server,
        ResponseTemplate::new(400)
            .set_body_json(json!({ "code": "PY0105", "message": "Insufficient balance" })),
        1,
    )
    .await;
    let client = client(&server);
    let outcome = client
        .payments(session(&client))
        .create_payment(&request("249.50"))
        .await
        .unwrap();
    assert_eq!(
        outcome.status,
        PaymentStatus::Failed {
            reason: Some("PY0105: Insufficient balance".into())
        }
    );
    assert_eq!(outcome.raw_status.as_deref(), Some("PY0105"));
}

#[tokio::test]
async fn already_processed_after_a_lost_answer_is_an_unknown_outcome() {
    // The execute this call sent was answered 504, repeated, and the repeat found it
    // processed: the first attempt went through, approved or declined. Money may have moved.
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_create(&server, 1).await;
    mount_execute(&server, ResponseTemplate::new(504), 1).await;
    mount_execute(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "code": "PY0010", "message": "The payment has already been processed"
        })),
        1,
    )
    .await;
    let client = client(&server);
    let err = client
        .payments(session(&client))
        .create_payment(&request("249.50"))
        .await
        .unwrap_err();
    assert!(is_already_processed(&err), "{err:?}");
    assert!(err.outcome_unknown() && !err.is_retryable(), "{err:?}");
    assert_execute_ids(&err);
    let text = err.to_string();
    assert!(text.contains("Maya Manager"), "{text}");
}

/// An unknown outcome of the trait's execute: the call is named, and the payment id and the
/// merchant's order id are carried and shown.
fn assert_execute_ids(err: &Error) {
    let Error::OutcomeUnknown { call, .. } = err else {
        panic!("not an unknown outcome: {err:?}")
    };
    assert_eq!(*call, "maya-execute-payment");
    let ids = err.payment_ref().unwrap();
    assert_eq!(ids.provider_payment_id.as_deref(), Some(PAYMENT_ID));
    assert_eq!(ids.merchant_reference.as_deref(), Some("order-10042"));
    let text = err.to_string();
    assert!(
        text.contains(PAYMENT_ID) && text.contains("order-10042"),
        "{text}"
    );
}

/// A client whose attempts time out after 200 ms.
fn impatient(server: &MockServer) -> paykit_maya::MayaClient {
    builder(server)
        .executor_config(
            ExecutorConfig::default()
                .timeout(Duration::from_millis(200))
                .retry(
                    RetryPolicy::default()
                        .delays(Duration::from_millis(1), Duration::from_millis(2)),
                ),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_lost_execute_keeps_the_payment_id() {
    // Timeout (repeated by the executor: execute is retry-safe, spec §6.3).
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_create(&server, 1).await;
    mount_execute(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(payment_body(Some("APPROVED")))
            .set_delay(Duration::from_millis(800)),
        3,
    )
    .await;
    let client = impatient(&server);
    let err = client
        .payments(session(&client))
        .create_payment(&request("249.50"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutcomeUnknown {
                cause: UnknownCause::Transport(TransportKind::Timeout),
                ..
            }
        ),
        "{err:?}"
    );
    assert_execute_ids(&err);

    // A success that cannot be decoded, one about another payment, a fault code after every
    // repeat.
    let answers = [
        (json_text(200, r#"{"id":"5f0c8a2e"#), 1),
        (
            ResponseTemplate::new(200)
                .set_body_json(json!({ "id": "another", "status": "APPROVED" })),
            1,
        ),
        (
            ResponseTemplate::new(400)
                .set_body_json(json!({ "code": "PY0001", "message": "System error" })),
            3,
        ),
        (
            ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
            3,
        ),
    ];
    for (answer, sends) in answers {
        let server = MockServer::start().await;
        mount_token(&server, 1).await;
        mount_create(&server, 1).await;
        mount_execute(&server, answer, sends).await;
        let client = common::client(&server);
        let err = client
            .payments(session(&client))
            .create_payment(&request("249.50"))
            .await
            .unwrap_err();
        assert_execute_ids(&err);
    }
}

#[tokio::test]
async fn a_lost_create_is_retryable_and_told_apart_from_a_lost_execute() {
    // Create timed out: nothing was charged (create moves no money) and execute is never sent.
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(payment_body(None))
                .set_delay(Duration::from_millis(800)),
        )
        .expect(1)
        .mount(&server)
        .await;
    never_execute(&server).await;
    let client = impatient(&server);
    let err = client
        .payments(session(&client))
        .create_payment(&request("249.50"))
        .await
        .unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    assert!(err.payment_ref().is_none(), "{err:?}");

    // A Maya fault on create keeps its code and is retryable.
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({ "code": "PY0001", "message": "System error" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    never_execute(&server).await;
    let client = common::client(&server);
    let err = client
        .payments(session(&client))
        .create_payment(&request("249.50"))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("PY0001"), "{err:?}");
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn an_execute_error_after_create_names_the_payment() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_create(&server, 1).await;
    mount_execute(
        &server,
        ResponseTemplate::new(400)
            .set_body_json(json!({ "code": "PY0044", "message": "Payment is invalid" })),
        1,
    )
    .await;
    let client = client(&server);
    let err = client
        .payments(session(&client))
        .create_payment(&request("249.50"))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("PY0044"));
    assert!(!err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains(PAYMENT_ID), "{err}");
    assert!(err.to_string().contains("order-10042"), "{err}");
}

#[tokio::test]
async fn an_echoed_amount_that_differs_is_an_unknown_outcome() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_create(&server, 1).await;
    mount_execute(
        &server,
        json_text(
            200,
            &format!(r#"{{"id":"{PAYMENT_ID}","status":"APPROVED","amount":{{"currency":"PHP","value":2495.00}}}}"#),
        ),
        1,
    )
    .await;
    let client = client(&server);
    let err = client
        .payments(session(&client))
        .create_payment(&request("249.50"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::OutcomeUnknown { cause: UnknownCause::Integrity { ref field, .. }, .. } if field == "amount"),
        "{err:?}"
    );
    assert_execute_ids(&err);
}

#[tokio::test]
async fn get_payment_and_webhooks_are_unsupported_without_io() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let provider = client.payments(session(&client));
    let err = provider.get_payment(PAYMENT_ID).await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    let err = client
        .webhook()
        .verify(&WebhookRequest::body_only(b"{}"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert!(provider.refund().is_none());
    assert!(provider.capture().is_none());
    assert!(provider.void().is_none());
    assert!(provider.recurring().is_none());
}

#[tokio::test]
async fn trait_validation_happens_before_any_io() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let provider = client.payments(session(&client));
    let usd = PaymentRequest::new(Money::parse("10", Currency::USD).unwrap());
    let err = provider.create_payment(&usd).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "currency"),
        "{err}"
    );
    let err = provider.create_payment(&request("0")).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"),
        "{err}"
    );
    let manual = request("10").capture(CaptureMode::Manual);
    let err = provider.create_payment(&manual).await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}
