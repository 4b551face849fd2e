//! The native payment endpoints against wiremock: create, execute, profile; error bodies,
//! faults and malformed answers.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use std::time::Duration;

use common::*;
use paykit_core::{
    Currency, Error, ExposeSecret, Money, PaymentStatus, Sent, TransportKind, UnknownCause,
};
use paykit_maya::{
    CreatePayment, ExecuteOutcome, ExecutePayment, MiniAppPaymentStatus, RequestReference,
};
use serde_json::json;
use wiremock::matchers::{body_string, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

fn create_request() -> CreatePayment {
    CreatePayment::new(php("249.50")).request_reference(RequestReference::parse(REFERENCE).unwrap())
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

async fn setup() -> (
    MockServer,
    paykit_maya::MayaClient,
    paykit_maya::CustomerSession,
) {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let client = client(&server);
    let session = session(&client);
    (server, client, session)
}

#[tokio::test]
async fn create_sends_the_documented_request_and_reads_the_answer() {
    let (server, client, session) = setup().await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .and(header("authorization", format!("Bearer {CLIENT_TOKEN}").as_str()))
        .and(header("x-authorization", ACCESS))
        .and(header("content-type", "application/json"))
        .and(header("request-reference-no", REFERENCE))
        // The exact bytes: amount.value is the JSON number literal 249.50.
        .and(body_string(format!(
            r#"{{"p2mId":"{P2M_ID}","amount":{{"currency":"PHP","value":249.50}}}}"#
        )))
        .respond_with(json_text(
            201,
            &format!(
                r#"{{"id":"{PAYMENT_ID}","p2mId":"{P2M_ID}","requestReferenceNumber":"{REFERENCE}","amount":{{"currency":"PHP","value":249.50}},"createdAt":"2026-01-01T00:00:00Z"}}"#
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .create_payment(&session, &create_request())
        .await
        .unwrap();
    assert_eq!(created.id, PAYMENT_ID);
    assert_eq!(created.amount, php("249.50"));
    assert_eq!(created.p2m_id.as_deref(), Some(P2M_ID));
    assert_eq!(created.request_reference.as_str(), REFERENCE);
    assert_eq!(
        created.extra["createdAt"].get(),
        r#""2026-01-01T00:00:00Z""#
    );
}

#[tokio::test]
async fn create_generates_a_uuid_reference_and_may_override_the_p2m_id() {
    let (server, client, session) = setup().await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .and(header_exists("request-reference-no"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": PAYMENT_ID })))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .create_payment(&session, &CreatePayment::new(php("10")).p2m_id("P2M-OTHER"))
        .await
        .unwrap();
    RequestReference::parse(created.request_reference.as_str()).unwrap();
    let sent = &server.received_requests().await.unwrap()[1];
    let header = sent.headers["request-reference-no"].to_str().unwrap();
    assert_eq!(header, created.request_reference.as_str());
    // The whole-peso amount still goes out with two decimals.
    assert_eq!(
        String::from_utf8_lossy(&sent.body),
        r#"{"p2mId":"P2M-OTHER","amount":{"currency":"PHP","value":10.00}}"#
    );
}

#[tokio::test]
async fn a_lost_create_is_retryable_never_unknown_and_never_repeated() {
    // Create moves no money (spec §5): a fault leaves nothing to reconcile. Maya makes a new
    // payment per request (spec §5.4), so the client still sends it only once.
    let (server, client, session) = setup().await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    assert!(err.payment_ref().is_none(), "{err:?}");

    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let client = builder(&server)
        .executor_config(
            paykit_core::http::ExecutorConfig::default().timeout(Duration::from_millis(200)),
        )
        .build()
        .unwrap();
    let session = common::session(&client);
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
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Timeout,
                sent: Sent::MaybeSent,
                mutating: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn create_faults_are_retryable_and_keep_mayas_code() {
    // Maya's server faults arrive as HTTP 400 (spec §7.2) or as a 5xx with its error body.
    for (status, code) in [(400, "PY0001"), (400, "PY9999"), (503, "PY0015")] {
        let (server, client, session) = setup().await;
        Mock::given(method("POST"))
            .and(path("/merchant/payments"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({ "code": code, "message": "System error" })),
            )
            .expect(1)
            .mount(&server)
            .await;
        let err = client
            .create_payment(&session, &create_request())
            .await
            .unwrap_err();
        assert_eq!(err.api_code(), Some(code), "{err:?}");
        assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    }
}

#[tokio::test]
async fn create_checks_the_echoed_amount_and_p2m_id() {
    let (server, client, session) = setup().await;
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(json_text(
            200,
            &format!(r#"{{"id":"{PAYMENT_ID}","amount":{{"currency":"PHP","value":24.95}}}}"#),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Integrity { ref field, .. } if field == "amount"),
        "{err}"
    );
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": PAYMENT_ID,
            "p2mId": "P2M-SOMEONE-ELSE"
        })))
        .mount(&server)
        .await;
    let err = client
        .create_payment(&session, &create_request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Integrity { ref field, .. } if field == "p2mId"),
        "{err}"
    );
}

#[tokio::test]
async fn malformed_or_incomplete_success_bodies_are_decode_errors() {
    for body in [
        r#"{"id":"5f0c8a2e-7b41"#,
        r#"{"p2mId":"P2M-000123456"}"#,
        r#"{"id":"../../admin"}"#,
        r#"[1,2,3]"#,
    ] {
        let (server, client, session) = setup().await;
        Mock::given(method("POST"))
            .and(path("/merchant/payments"))
            .respond_with(json_text(200, body))
            .expect(1)
            .mount(&server)
            .await;
        let err = client
            .create_payment(&session, &create_request())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err}");
    }
}

#[tokio::test]
async fn execute_approved() {
    let (server, client, session) = setup().await;
    Mock::given(method("POST"))
        .and(path(execute_path()))
        .and(header(
            "authorization",
            format!("Bearer {CLIENT_TOKEN}").as_str(),
        ))
        .and(header("x-authorization", ACCESS))
        .and(header("content-type", "application/json"))
        .and(header_exists("request-reference-no"))
        .and(body_string("{}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_body(Some("APPROVED"))))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(outcome.is_approved());
    assert_eq!(outcome.payment_status(), Some(PaymentStatus::Captured));
    let ExecuteOutcome::Executed(payment) = outcome else {
        panic!("not executed")
    };
    assert_eq!(payment.status, MiniAppPaymentStatus::Approved);
    assert_eq!(payment.amount, Some(php("249.50")));
}

#[tokio::test]
async fn execute_declined_by_status_or_by_code() {
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(200).set_body_json(payment_body(Some("DECLINED"))),
        1,
    )
    .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(matches!(
        outcome.payment_status(),
        Some(PaymentStatus::Failed { .. })
    ));

    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "code": "PY0105", "message": "Insufficient balance"
        })),
        1,
    )
    .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    let ExecuteOutcome::Declined { code, .. } = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(code, "PY0105");
    assert_eq!(
        outcome.payment_status(),
        Some(PaymentStatus::Failed {
            reason: Some("PY0105: Insufficient balance".into())
        })
    );
}

#[tokio::test]
async fn execute_already_processed_is_its_own_outcome() {
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "code": "PY0010", "message": "The payment has already been processed"
        })),
        1,
    )
    .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(
        matches!(outcome, ExecuteOutcome::AlreadyProcessed { ref payment_id, .. } if payment_id == PAYMENT_ID),
        "{outcome:?}"
    );
    assert!(outcome.to_payment_outcome().is_none());
    assert!(!outcome.is_approved());
}

#[tokio::test]
async fn execute_is_repeated_on_fault_codes_then_finds_it_processed() {
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(400)
            .set_body_json(json!({ "code": "PY0001", "message": "System error" })),
        1,
    )
    .await;
    mount_execute(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "code": "PY0010", "message": "The payment has already been processed"
        })),
        1,
    )
    .await;
    let first = RequestReference::parse(REFERENCE).unwrap();
    let outcome = client
        .execute_payment(
            &session,
            &ExecutePayment::new(PAYMENT_ID).request_reference(first),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, ExecuteOutcome::AlreadyProcessed { .. }));
    // The merchant's own Request-Reference-No is kept on every attempt (their trace id).
    let references: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == execute_path())
        .map(|r| {
            r.headers["request-reference-no"]
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(references, [REFERENCE; 2]);
}

#[tokio::test]
async fn execute_fault_codes_are_bounded_then_unknown_with_the_payment_id() {
    // PY00xx faults are "may have happened" (spec §7.2): after the bounded repeats the debit
    // may have gone through, so the outcome is unknown, with Maya's code as the cause.
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(400)
            .set_body_json(json!({ "code": "PY9999", "message": "Timed out" })),
        3,
    )
    .await;
    let err = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown() && !err.is_retryable(), "{err:?}");
    let Error::OutcomeUnknown { call, cause, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*call, "maya-execute-payment");
    assert!(
        matches!(cause, UnknownCause::ProviderFault { code, http_status: Some(400), .. } if code == "PY9999"),
        "{cause:?}"
    );
    assert_eq!(
        err.payment_ref().unwrap().provider_payment_id.as_deref(),
        Some(PAYMENT_ID)
    );
    assert!(err.to_string().contains(PAYMENT_ID), "{err}");
}

#[tokio::test]
async fn execute_refusals_stay_final_and_known() {
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(400)
            .set_body_json(json!({ "code": "PY0044", "message": "Payment is invalid" })),
        1,
    )
    .await;
    let err = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("PY0044"), "{err:?}");
    assert!(!err.is_retryable() && !err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn an_undecodable_execute_answer_is_unknown_with_the_payment_id() {
    for body in [
        r#"{"id":"5f0c8a2e-7b41"#,
        "[1,2]",
        r#"{"status":"APPROVED","amount":{"value":-1}}"#,
    ] {
        let (server, client, session) = setup().await;
        mount_execute(&server, json_text(200, body), 1).await;
        let err = client
            .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::OutcomeUnknown {
                    cause: UnknownCause::Decode { .. },
                    ..
                }
            ),
            "{body}: {err:?}"
        );
        assert_eq!(
            err.payment_ref().unwrap().provider_payment_id.as_deref(),
            Some(PAYMENT_ID)
        );
    }
}

#[tokio::test]
async fn execute_reports_pending_token_as_itself() {
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(200).set_body_json(payment_body(Some("PENDING_TOKEN"))),
        1,
    )
    .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    let common = outcome.to_payment_outcome().unwrap();
    assert_eq!(common.raw_status.as_deref(), Some("PENDING_TOKEN"));
    assert_eq!(common.status, PaymentStatus::RequiresAction);
    assert!(!outcome.is_approved());
}

#[tokio::test]
async fn execute_is_repeated_by_the_executor_on_5xx() {
    let (server, client, session) = setup().await;
    mount_execute(&server, ResponseTemplate::new(503), 1).await;
    mount_execute(
        &server,
        ResponseTemplate::new(200).set_body_json(payment_body(Some("APPROVED"))),
        1,
    )
    .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(outcome.is_approved());
}

#[tokio::test]
async fn execute_5xx_without_end_leaves_the_outcome_unknown() {
    let (server, client, session) = setup().await;
    mount_execute(&server, ResponseTemplate::new(500), 3).await;
    let err = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err}");
    assert_eq!(
        err.payment_ref().unwrap().provider_payment_id.as_deref(),
        Some(PAYMENT_ID)
    );
    // A 5xx carrying a fault code is repeated by the executor's policy alone (3 sends, not
    // 3 × 3), then unknown with Maya's code.
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(503).set_body_json(json!({ "code": "PY0015", "message": "x" })),
        3,
    )
    .await;
    let err = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::OutcomeUnknown { cause: UnknownCause::ProviderFault { ref code, .. }, .. } if code == "PY0015"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_execute_answer_for_another_payment_or_amount_is_unknown() {
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({ "id": "other-id", "status": "APPROVED" })),
        1,
    )
    .await;
    let err = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::OutcomeUnknown { cause: UnknownCause::Integrity { ref field, .. }, .. } if field == "id"),
        "{err:?}"
    );
    assert_eq!(
        err.payment_ref().unwrap().provider_payment_id.as_deref(),
        Some(PAYMENT_ID)
    );

    // With the amount create registered, an echo of another amount is not believed either.
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(200).set_body_json(payment_body(Some("APPROVED"))),
        2,
    )
    .await;
    let err = client
        .execute_payment(
            &session,
            &ExecutePayment::new(PAYMENT_ID).amount(php("24.95")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::OutcomeUnknown { cause: UnknownCause::Integrity { ref field, .. }, .. } if field == "amount"),
        "{err:?}"
    );
    let outcome = client
        .execute_payment(
            &session,
            &ExecutePayment::new(PAYMENT_ID).amount(php("249.50")),
        )
        .await
        .unwrap();
    assert!(outcome.is_approved());
}

#[tokio::test]
async fn execute_without_a_status_is_never_paid() {
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(200).set_body_json(payment_body(None)),
        1,
    )
    .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert_eq!(outcome.payment_status(), Some(PaymentStatus::Pending));
    assert_eq!(outcome.to_payment_outcome().unwrap().raw_status, None);
    // paymentStatus is read when status is absent.
    let (server, client, session) = setup().await;
    mount_execute(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({ "id": PAYMENT_ID, "paymentStatus": "PAYMENT_SUCCESS" })),
        1,
    )
    .await;
    let outcome = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert_eq!(outcome.payment_status(), Some(PaymentStatus::Captured));
}

#[tokio::test]
async fn every_error_shape_becomes_an_api_error_with_its_code() {
    let cases = [
        (
            400,
            json!({
                "code": "2553",
                "message": "Missing/invalid parameters.",
                "parameters": [{ "field": "amount.value", "description": "value must be a number" }]
            }),
            "2553",
            "amount.value: value must be a number",
        ),
        (
            401,
            json!({
                "error": "Invalid authentication credentials. Kindly verify if the key you are using is correct.",
                "code": "K003",
                "reference": "bdd5260f-f7ef-42a0-9472-dcdf757f6a35"
            }),
            "K003",
            "other environment",
        ),
        (
            400,
            json!({ "error": "invalid_request", "error_description": "Missing grant type." }),
            "invalid_request",
            "Missing grant type.",
        ),
        (
            404,
            json!({ "error": { "code": "PY0009", "message": "Payment does not exist" } }),
            "PY0009",
            "Payment does not exist",
        ),
    ];
    for (status, body, code, needle) in cases {
        let server = MockServer::start().await;
        // A 401 re-authenticates once: two token fetches, one refresh.
        mount_token(&server, if status == 401 { 2 } else { 1 }).await;
        Mock::given(method("POST"))
            .and(path("/tokens"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "accessToken": ACCESS_2, "refreshToken": REFRESH_2, "expiresAt": FUTURE
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/merchant/payments"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .expect(if status == 401 { 2 } else { 1 })
            .mount(&server)
            .await;
        let client = client(&server);
        let session = session(&client);
        let err = client
            .create_payment(&session, &create_request())
            .await
            .unwrap_err();
        assert_eq!(err.api_code(), Some(code), "{err}");
        assert!(!err.is_retryable(), "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}

#[tokio::test]
async fn profile_returns_the_encrypted_data() {
    let (server, client, session) = setup().await;
    Mock::given(method("GET"))
        .and(path("/profile"))
        .and(header(
            "authorization",
            format!("Bearer {CLIENT_TOKEN}").as_str(),
        ))
        .and(header("x-authorization", ACCESS))
        .and(header("content-type", "application/json"))
        .and(header_exists("request-reference-no"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "data": "test.jwe.payload.iv.tag" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let profile = client.profile(&session).await.unwrap();
    assert_eq!(profile.data.expose_secret(), "test.jwe.payload.iv.tag");
    assert!(!format!("{profile:?}").contains("test.jwe"));
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_io() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let session = session(&client);
    let field = |err: Error| match err {
        Error::InvalidInput { field, .. } => field.into_owned(),
        other => panic!("{other}"),
    };
    let usd = Money::parse("10", Currency::USD).unwrap();
    let cases = [
        (CreatePayment::new(php("0")), "amount"),
        (CreatePayment::new(php("10000000000")), "amount"),
        (CreatePayment::new(usd), "currency"),
        (CreatePayment::new(php("1")).p2m_id(" "), "p2m_id"),
    ];
    for (request, expected) in cases {
        let err = client.create_payment(&session, &request).await.unwrap_err();
        assert_eq!(field(err), expected);
    }
    let no_p2m = paykit_maya::MayaClient::builder(CLIENT_ID, paykit_core::SecretString::from("s"))
        .api_base_url(server.uri())
        .token_url(format!("{}{TOKEN_PATH}", server.uri()))
        .build()
        .unwrap();
    let s = no_p2m.session(tokens(ACCESS, REFRESH, FUTURE)).unwrap();
    assert_eq!(
        field(
            no_p2m
                .create_payment(&s, &CreatePayment::new(php("1")))
                .await
                .unwrap_err()
        ),
        "p2m_id"
    );
    for bad in ["", "../x", "a/b", &"a".repeat(37)] {
        let err = client
            .execute_payment(&session, &ExecutePayment::new(bad))
            .await
            .unwrap_err();
        assert_eq!(field(err), "payment_id");
    }
}

#[tokio::test]
async fn execute_fault_code_repeats_stop_at_the_calls_deadline() {
    // The executor's deadline bounds each call; the fault-code repeats around them must not
    // stretch execute past it: a repeat whose wait would cross the deadline is not made.
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let client = builder(&server)
        .executor_config(
            paykit_core::http::ExecutorConfig::default().deadline(Duration::from_secs(5)),
        )
        .execute_retry(paykit_maya::ExecuteRetry::new(3, Duration::from_secs(10)))
        .build()
        .unwrap();
    let session = common::session(&client);
    mount_execute(
        &server,
        ResponseTemplate::new(400)
            .set_body_json(json!({ "code": "PY0001", "message": "System error" })),
        1,
    )
    .await;
    let err = client
        .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(
        matches!(&err, Error::OutcomeUnknown { cause: UnknownCause::ProviderFault { code, .. }, .. } if code == "PY0001"),
        "{err:?}"
    );
}
