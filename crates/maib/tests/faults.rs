//! Tokens, errors and faults against wiremock: re-authentication, refresh fallback, maib's
//! error envelope, 5xx, malformed bodies, timeouts, and validation that sends nothing.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use std::net::Ipv4Addr;
use std::time::Duration;

use common::*;
use paykit_core::http::ExecutorConfig;
use paykit_core::{Currency, Decimal, Error, Money, Sent, TransportKind, UnknownCause};
use paykit_maib::{
    BillerExpiry, ExecuteOneClickRequest, ExecuteRecurringRequest, Item, PayRequest,
    SaveCardRequest,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn pay_request() -> PayRequest {
    PayRequest::new(
        Money::parse("10.25", Currency::MDL).unwrap(),
        Ipv4Addr::new(135, 250, 245, 121),
    )
}

async fn mount_pay_info(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .and(bearer(token))
        .respond_with(ok(json!({"payId": PAY_ID, "status": "OK"})))
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

async fn mount_refresh(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .and(body_json(json!({"refreshToken": "test-refresh-token"})))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_401_mid_flight_refreshes_and_retries_once() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .and(bearer("test-access-token"))
        .respond_with(errors(401, "11002", "Invalid or expired token"))
        .expect(1)
        .mount(&server)
        .await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(
            "test-access-token-2",
            300,
            "test-refresh-token-2",
        )),
    )
    .await;
    mount_pay_info(&server, "test-access-token-2", 1).await;
    let info = client(&server).pay_info(PAY_ID).await.unwrap();
    assert_eq!(info.pay_id, PAY_ID);
}

#[tokio::test]
async fn a_second_401_is_an_auth_error_not_a_loop() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body("test-access-token-2", 300, "r2")),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server)
        .refund_payment(PAY_ID, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_with_the_refresh_token() {
    let server = MockServer::start().await;
    // expiresIn 0: the first token is spent once core's reuse floor (1 s) has passed.
    mount_token(&server, "test-access-token", 0, 1).await;
    mount_pay_info(&server, "test-access-token", 1).await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body("test-access-token-2", 300, "r2")),
    )
    .await;
    mount_pay_info(&server, "test-access-token-2", 1).await;
    let client = client(&server);
    client.pay_info(PAY_ID).await.unwrap();
    tokio::time::sleep(REUSE_FLOOR).await;
    client.pay_info(PAY_ID).await.unwrap();
}

/// A token that claims no lifetime is still shared this long (core's `min_reuse`), plus slack.
const REUSE_FLOOR: std::time::Duration = std::time::Duration::from_millis(1100);

#[tokio::test]
async fn a_token_without_lifetime_is_shared_not_fetched_per_call() {
    let server = MockServer::start().await;
    // maib's `expiresIn: 0`: without a floor every call would fetch its own token.
    mount_token(&server, "test-access-token", 0, 1).await;
    mount_pay_info(&server, "test-access-token", 5).await;
    let client = client(&server);
    for _ in 0..5 {
        client.pay_info(PAY_ID).await.unwrap();
    }
}

#[tokio::test]
async fn a_refused_refresh_token_falls_back_to_the_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .and(body_json(
            json!({"projectId": PROJECT_ID, "projectSecret": PROJECT_SECRET}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(
            "test-access-token",
            0,
            "test-refresh-token",
        )))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_pay_info(&server, "test-access-token", 1).await;
    mount_refresh(
        &server,
        errors(401, "11002", "Invalid or expired 'refreshToken' parameter"),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .and(body_json(
            json!({"projectId": PROJECT_ID, "projectSecret": PROJECT_SECRET}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(
            "test-access-token-3",
            300,
            "r3",
        )))
        .expect(1)
        .mount(&server)
        .await;
    mount_pay_info(&server, "test-access-token-3", 1).await;
    let client = client(&server);
    client.pay_info(PAY_ID).await.unwrap();
    tokio::time::sleep(REUSE_FLOOR).await;
    client.pay_info(PAY_ID).await.unwrap();
}

#[tokio::test]
async fn bad_credentials_are_an_auth_error_and_nothing_else_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .respond_with(errors(
            401,
            "11001",
            "Invalid credentials. Please check 'projectId' and 'projectSecret' parameters",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/pay"))
        .respond_with(ok(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server).pay(&pay_request()).await.unwrap_err();
    match &err {
        Error::Auth { message, .. } => assert!(message.starts_with("11001"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(!err.to_string().contains(PROJECT_SECRET));
}

#[tokio::test]
async fn a_validation_error_of_the_api_is_an_api_error_sent_once() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/pay"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errors": [{"errorCode": "12001", "errorMessage": "Parameter 'amount' is invalid",
                        "errorArgs": {"parameter": "amount"}}],
            "ok": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).pay(&pay_request()).await.unwrap_err();
    match err {
        Error::Api {
            http_status,
            code,
            message,
            retryable,
            ..
        } => {
            assert_eq!((http_status, code.as_str()), (Some(400), "12001"));
            // Every entry, errorArgs included, in the one lossless form.
            assert_eq!(
                message,
                r#"12001: "Parameter 'amount' is invalid" {"parameter":"amount"}"#
            );
            assert!(!retryable);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn not_found_and_ip_not_allowed() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(errors(404, "13002", "Payment ID not found"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v1/delete-card/{BILLER_ID}")))
        .respond_with(errors(403, "11101", "Unregistered Project IP: 1.2.3.4"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client.pay_info(PAY_ID).await.unwrap_err().api_code(),
        Some("13002")
    );
    assert_eq!(
        client.delete_card(BILLER_ID).await.unwrap_err().api_code(),
        Some("11101")
    );
}

#[tokio::test]
async fn a_5xx_on_a_payment_is_not_repeated() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/pay"))
        .respond_with(errors(500, "10000", "Internal error"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(errors(500, "10000", "Internal error"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/execute-recurring"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    // Registering a payment page moves no money: maib's "retry" may be followed.
    let err = client.pay(&pay_request()).await.unwrap_err();
    assert_eq!(err.api_code(), Some("10000"));
    assert!(err.is_retryable());
    // A refund might have happened: maib's 10000 is a fault that "may have happened".
    let err = client.refund_payment(PAY_ID, None).await.unwrap_err();
    assert!(!err.is_retryable() && err.outcome_unknown(), "{err:?}");
    assert!(
        matches!(&err, Error::OutcomeUnknown { cause: UnknownCause::ProviderFault { code, .. }, .. } if code == "10000"),
        "{err:?}"
    );
    assert_eq!(
        err.payment_ref().unwrap().provider_payment_id.as_deref(),
        Some(PAY_ID)
    );
    assert_eq!(paykit_maib::api_errors(&err)[0].code, "10000");
    // A gateway page on a charge: the outcome is unknown, with the order id to look for.
    let charge =
        ExecuteRecurringRequest::new(BILLER_ID, Money::parse("6.25", Currency::EUR).unwrap())
            .order_id("sub-42-m2");
    let err = client.execute_recurring(&charge).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutcomeUnknown {
                call: "execute-recurring",
                cause: UnknownCause::Status { status: 502, .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.payment_ref().unwrap().merchant_reference.as_deref(),
        Some("sub-42-m2")
    );
    assert!(err.to_string().contains("sub-42-m2"), "{err}");
}

/// A 2xx that cannot be decoded, or whose echo (payId, amount) contradicts the request, of a
/// call that moves money: maib may have captured, refunded or charged, so the outcome is
/// unknown (core's classification), never a plain decode or integrity error.
#[tokio::test]
async fn undecodable_or_contradicting_answers_of_money_moving_calls_are_unknown() {
    const OTHER: &str = "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5";
    let cases: [(&str, &str, String); 9] = [
        (
            "/v1/complete",
            "decode",
            r#"{"result":{"payId":"f16a9006-128a"#.into(),
        ),
        (
            "/v1/complete",
            "payId",
            format!(
                r#"{{"result":{{"payId":"{OTHER}","status":"OK","confirmAmount":5}},"ok":true}}"#
            ),
        ),
        (
            "/v1/complete",
            "confirmAmount",
            format!(
                r#"{{"result":{{"payId":"{PAY_ID}","status":"OK","confirmAmount":6}},"ok":true}}"#
            ),
        ),
        ("/v1/refund", "decode", r#"{"result":{"payId":"#.into()),
        (
            "/v1/refund",
            "payId",
            format!(
                r#"{{"result":{{"payId":"{OTHER}","status":"OK","refundAmount":5}},"ok":true}}"#
            ),
        ),
        (
            "/v1/refund",
            "refundAmount",
            format!(
                r#"{{"result":{{"payId":"{PAY_ID}","status":"OK","refundAmount":10.25}},"ok":true}}"#
            ),
        ),
        (
            "/v1/execute-recurring",
            "decode",
            r#"{"result":{"payId":"0f7c1f4e"#.into(),
        ),
        (
            "/v1/execute-recurring",
            "billerId",
            format!(
                r#"{{"result":{{"payId":"{OTHER}","billerId":"{PAY_ID}","status":"OK","amount":5,"currency":"MDL"}},"ok":true}}"#
            ),
        ),
        (
            "/v1/execute-recurring",
            "amount",
            format!(
                r#"{{"result":{{"payId":"{OTHER}","billerId":"{BILLER_ID}","status":"OK","amount":50,"currency":"MDL"}},"ok":true}}"#
            ),
        ),
    ];
    for (route, what, body) in cases {
        let server = MockServer::start().await;
        mount_token(&server, "test-access-token", 300, 1).await;
        Mock::given(method("POST"))
            .and(path(route))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(body)
                    .insert_header("content-type", "application/json"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server);
        let five = Money::parse("5", Currency::MDL).unwrap();
        let err = match route {
            "/v1/complete" => client.complete(PAY_ID, Some(dec("5"))).await.map(|_| ()),
            "/v1/refund" => client
                .refund_payment(PAY_ID, Some(dec("5")))
                .await
                .map(|_| ()),
            _ => client
                .execute_recurring(&ExecuteRecurringRequest::new(BILLER_ID, five))
                .await
                .map(|_| ()),
        }
        .unwrap_err();
        assert!(
            err.outcome_unknown() && !err.is_retryable(),
            "{route} {what}: {err:?}"
        );
        match (&err, what) {
            (
                Error::OutcomeUnknown {
                    cause: UnknownCause::Decode { .. },
                    ..
                },
                "decode",
            ) => {}
            (
                Error::OutcomeUnknown {
                    cause: UnknownCause::Integrity { field, .. },
                    ..
                },
                field_name,
            ) if field == field_name => {}
            other => panic!("{route} {what}: {other:?}"),
        }
        let ids = err.payment_ref().unwrap();
        if route == "/v1/execute-recurring" {
            // The charge's own id is known only from an answer that named it.
            let expected = (what != "decode").then_some(OTHER);
            assert_eq!(ids.provider_payment_id.as_deref(), expected, "{what}");
        } else {
            assert_eq!(ids.provider_payment_id.as_deref(), Some(PAY_ID));
        }
    }
}

#[tokio::test]
async fn a_5xx_on_a_read_is_retried() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    mount_pay_info(&server, "test-access-token", 1).await;
    client(&server).pay_info(PAY_ID).await.unwrap();
}

#[tokio::test]
async fn malformed_and_truncated_bodies_are_decode_errors() {
    for body in [
        r#"{"result":{"payId":"f16a9006-128a-46bc-8e2a"#,
        "<html>",
        r#"{"result":{"payId":"p"},"ok":true}"#,
        r#"{"ok":true}"#,
        "",
    ] {
        let server = MockServer::start().await;
        mount_token(&server, "test-access-token", 300, 1).await;
        Mock::given(method("POST"))
            .and(path("/v1/pay"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(body)
                    .insert_header("content-type", "application/json"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server).pay(&pay_request()).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
    }
}

#[tokio::test]
async fn a_malformed_token_answer_keeps_no_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"result":{"accessToken":"leaked-secret""#),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    // Asked directly, the token endpoint's answer is a decode error without an excerpt.
    let err = client.generate_token().await.unwrap_err();
    assert!(
        matches!(err, Error::Decode { ref snippet, .. } if snippet.is_empty()),
        "{err:?}"
    );
    assert!(!format!("{err:?} {err}").contains("leaked-secret"));
    // Under a call, no token means the call was never sent (core's NoToken), even for a refund.
    for err in [
        client.pay_info(PAY_ID).await.unwrap_err(),
        client.refund_payment(PAY_ID, None).await.unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportKind::NoToken(_),
                    sent: Sent::NotSent,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
        assert!(!format!("{err:?} {err}").contains("leaked-secret"));
    }
}

#[tokio::test]
async fn a_timeout_on_a_charge_leaves_the_outcome_unknown() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/complete"))
        .respond_with(
            ok(json!({"payId": PAY_ID, "status": "OK"})).set_delay(Duration::from_millis(800)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(
        &server,
        ExecutorConfig::default().timeout(Duration::from_millis(150)),
    );
    let err = client.complete(PAY_ID, None).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutcomeUnknown {
                call: "complete",
                cause: UnknownCause::Transport(TransportKind::Timeout),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.outcome_unknown());
    assert!(err.to_string().contains(PAY_ID), "{err}");
}

#[tokio::test]
async fn nothing_listening_is_not_sent() {
    // A port that was just free: nothing accepts connections there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = paykit_maib::MaibClient::builder(
        PROJECT_ID,
        paykit_core::SecretString::from(PROJECT_SECRET),
    )
    .base_url(format!("http://127.0.0.1:{port}"))
    .executor_config(ExecutorConfig::default().retry(paykit_core::http::RetryPolicy::none()))
    .build()
    .unwrap();
    let err = client.pay(&pay_request()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                sent: Sent::NotSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.outcome_unknown());
}

#[tokio::test]
async fn answers_that_contradict_the_request_are_integrity_errors() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "status": "OK", "refundAmount": 10.25}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/pay"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "999", "payUrl": PAY_URL}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    // maib may have refunded 10.25 instead of 5: unknown, not a plain integrity error.
    let err = client
        .refund_payment(PAY_ID, Some(dec("5")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::OutcomeUnknown { cause: UnknownCause::Integrity { ref field, .. }, .. } if field == "refundAmount"),
        "{err:?}"
    );
    // Registering a page moves no money: a plain integrity error.
    let err = client
        .pay(&pay_request().order_id("123"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Integrity { ref field, .. } if field == "orderId"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(10_000)))
        .mount(&server)
        .await;
    let client = client_with(&server, ExecutorConfig::default().max_response_bytes(4096));
    let err = client.pay_info(PAY_ID).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::BodyTooLarge { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

/// The field an invalid request is refused on.
fn field(err: Error) -> String {
    match err {
        Error::InvalidInput { field, .. } => field.into_owned(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_input_sends_nothing_not_even_a_token_request() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let ip = Ipv4Addr::new(1, 2, 3, 4);
    let mdl = |s: &str| Money::parse(s, Currency::MDL).unwrap();
    let expiry = BillerExpiry::parse("1299").unwrap();

    assert_eq!(
        field(
            client
                .pay(&PayRequest::new(mdl("0.99"), ip))
                .await
                .unwrap_err()
        ),
        "amount"
    );
    let gbp = PayRequest::new(Money::parse("5", Currency::GBP).unwrap(), ip);
    assert_eq!(field(client.hold(&gbp).await.unwrap_err()), "currency");
    assert_eq!(
        field(
            client
                .pay(&pay_request().description("d".repeat(125)))
                .await
                .unwrap_err()
        ),
        "description"
    );
    assert_eq!(
        field(
            client
                .pay(&pay_request().ok_url("not a url"))
                .await
                .unwrap_err()
        ),
        "ok_url"
    );
    assert_eq!(
        field(
            client
                .pay(&pay_request().item(Item::new("x", dec("1"), 0)))
                .await
                .unwrap_err()
        ),
        "items[0].quantity"
    );
    assert_eq!(
        field(client.complete(PAY_ID, Some(dec("0"))).await.unwrap_err()),
        "confirm_amount"
    );
    assert_eq!(
        field(
            client
                .refund_payment(PAY_ID, Some(dec("1.005")))
                .await
                .unwrap_err()
        ),
        "refund_amount"
    );
    assert_eq!(field(client.pay_info("").await.unwrap_err()), "pay_id");
    assert_eq!(
        field(client.pay_info(&"x".repeat(37)).await.unwrap_err()),
        "pay_id"
    );
    let no_email = SaveCardRequest::new(expiry, ip, Currency::MDL);
    assert_eq!(
        field(client.savecard_recurring(&no_email).await.unwrap_err()),
        "email"
    );
    let past = SaveCardRequest::new(BillerExpiry::parse("0120").unwrap(), ip, Currency::MDL);
    assert_eq!(
        field(client.savecard_oneclick(&past).await.unwrap_err()),
        "biller_expiry"
    );
    let charge = ExecuteRecurringRequest::new(BILLER_ID, mdl("0.50"));
    assert_eq!(
        field(client.execute_recurring(&charge).await.unwrap_err()),
        "amount"
    );
    let oneclick = ExecuteOneClickRequest::new("", mdl("5"), ip);
    assert_eq!(
        field(client.execute_oneclick(&oneclick).await.unwrap_err()),
        "biller_id"
    );
    assert_eq!(
        field(client.delete_card("a b").await.unwrap_err()),
        "biller_id"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
