//! The native endpoints and the common traits against wiremock: happy paths, exact wire
//! format, tokens, error envelopes, 401 re-authentication, 5xx, malformed bodies, integrity.

mod common;

use std::time::Duration;

use common::*;
use paykit_core::ExposeSecret;
use paykit_core::http::ExecutorConfig;
use paykit_core::{
    Currency, Error, Money, NextAction, PaymentProvider, PaymentRequest, PaymentStatus,
    SecretString,
};
use paykit_miapos::{DirectRtpRequest, Language, MiaPos, MiaPosStatus, PayRequest, PaymentType};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).expect("an MDL amount")
}

fn pay_answer(order_id: &str) -> Value {
    json!({
        "orderId": order_id,
        "paymentId": PAYMENT_ID,
        "checkoutPage": format!("https://ecomm-test.miapos.md/checkout?paymentId={PAYMENT_ID}")
    })
}

fn documented_pay_request() -> PayRequest {
    PayRequest::new(
        "WEB-2026-000451",
        mdl("249.90"),
        "Comanda #451, shop.example.md",
    )
    .language(Language::Ro)
    .payment_type(PaymentType::Qr)
    .client_name("Ion Popescu")
    .client_email("ion@example.md")
    .callback_url("https://shop.example.md/miapos/callback")
    .success_url("https://shop.example.md/checkout/return?order=451&r=ok")
    .fail_url("https://shop.example.md/checkout/return?order=451&r=fail")
    .direct_redirect(true)
}

async fn received_body(server: &MockServer, at: &str) -> String {
    let requests: Vec<Request> = server.received_requests().await.expect("recording on");
    let request = requests
        .iter()
        .find(|r| r.url.path() == at)
        .expect("the request was sent");
    String::from_utf8(request.body.clone()).expect("a UTF-8 body")
}

#[tokio::test]
async fn pay_sends_the_documented_request_with_a_bearer_token() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .and(header("authorization", "Bearer test-access-token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "terminalId": "TE0001", "orderId": "WEB-2026-000451", "amount": 249.90,
            "currency": "MDL", "payDescription": "Comanda #451, shop.example.md",
            "language": "ro", "paymentType": "qr", "clientName": "Ion Popescu",
            "clientEmail": "ion@example.md",
            "callbackUrl": "https://shop.example.md/miapos/callback",
            "successUrl": "https://shop.example.md/checkout/return?order=451&r=ok",
            "failUrl": "https://shop.example.md/checkout/return?order=451&r=fail",
            "directRedirect": true
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("WEB-2026-000451")))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .pay(&documented_pay_request())
        .await
        .unwrap();
    assert_eq!(created.payment_id, PAYMENT_ID);
    assert_eq!(created.order_id, "WEB-2026-000451");
    assert!(created.checkout_page.ends_with(PAYMENT_ID));
    // The amount goes out as the decimal's text: 249.90, not 249.9.
    assert!(
        received_body(&server, PAY_PATH)
            .await
            .contains("\"amount\":249.90")
    );
}

#[tokio::test]
async fn token_requests_send_only_merchant_id_and_secret_and_tokens_are_reused() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("o-1")))
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    for _ in 0..3 {
        client
            .pay(&PayRequest::new("o-1", mdl("1.00"), "d"))
            .await
            .unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    let token = requests
        .iter()
        .find(|r| r.url.path() == TOKEN_PATH)
        .unwrap();
    assert!(!token.headers.contains_key("authorization"));
    let body: Value = serde_json::from_slice(&token.body).unwrap();
    assert_eq!(body, json!({"merchantId": "128", "secretKey": SECRET}));
}

#[tokio::test]
async fn pay_defaults_come_from_the_client_and_rtp_sends_the_phone() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .and(body_json(json!({
            "terminalId": "RTP0001", "orderId": "o-2", "amount": 75.00, "currency": "MDL",
            "payDescription": "Abonament", "language": "ru", "paymentType": "rtp",
            "clientPhone": "69123456", "fastRedirect": true
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("o-2")))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .terminal_id("RTP0001")
        .language(Language::Ru)
        .payment_type(PaymentType::Rtp)
        .direct_redirect(true) // QR only: not sent for rtp
        .fast_redirect(true)
        .build()
        .unwrap();
    let request = PayRequest::new("o-2", mdl("75"), "Abonament").client_phone("69123456");
    client.pay(&request).await.unwrap();
}

#[tokio::test]
async fn create_payment_returns_the_checkout_page() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .and(body_json(json!({
            "terminalId": "TE0001", "orderId": "A-17", "amount": 49.90, "currency": "MDL",
            "payDescription": "Two coffees", "language": "en", "paymentType": "qr",
            "clientName": "Ion", "successUrl": "https://shop.example.md/back",
            "failUrl": "https://shop.example.md/back",
            "callbackUrl": "https://shop.example.md/cb"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("A-17")))
        .expect(1)
        .mount(&server)
        .await;
    let request = PaymentRequest::new(mdl("49.90"))
        .order_id("A-17")
        .description("Two coffees")
        .language("en")
        .return_url("https://shop.example.md/back")
        .callback_url("https://shop.example.md/cb")
        .customer(
            paykit_core::Customer::default()
                .name("Ion")
                .phone("69123456"),
        );
    let outcome = client(&server).create_payment(&request).await.unwrap();
    assert_eq!(outcome.provider_payment_id, PAYMENT_ID);
    assert_eq!(outcome.status, PaymentStatus::RequiresAction);
    assert_eq!(outcome.amount, Some(mdl("49.90")));
    assert_eq!(outcome.order_id.as_deref(), Some("A-17"));
    assert_eq!(
        outcome.next_action,
        NextAction::Checkout {
            url: Some(format!(
                "https://ecomm-test.miapos.md/checkout?paymentId={PAYMENT_ID}"
            )),
            qr_payload: None
        }
    );
}

#[tokio::test]
async fn request_to_pay_direct_sends_the_documented_request() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(RTP_PATH))
        .and(header("authorization", "Bearer test-access-token"))
        .and(body_json(json!({
            "terminalId": "RTP0001", "orderId": "INV-77", "amount": 75.00, "currency": "MDL",
            "payDescription": "Abonament iunie", "clientName": "Maria Rusu",
            "clientPhone": "69123456", "callbackUrl": "https://shop.example.md/miapos/callback"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "orderId": "INV-77", "paymentId": "0b7e2c55-3a61-4f0e-a9d2-6c1f8e4b7a13"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let request = DirectRtpRequest::new(
        "INV-77",
        mdl("75.00"),
        "Abonament iunie",
        "Maria Rusu",
        "69123456",
    )
    .terminal_id("RTP0001")
    .callback_url("https://shop.example.md/miapos/callback");
    let created = client(&server)
        .request_to_pay_direct(&request)
        .await
        .unwrap();
    assert_eq!(created.payment_id, "0b7e2c55-3a61-4f0e-a9d2-6c1f8e4b7a13");
    assert!(
        received_body(&server, RTP_PATH)
            .await
            .contains("\"amount\":75.00")
    );
}

#[tokio::test]
async fn payment_status_is_read_and_mapped() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let mut answer = payment_json("SUCCESS");
    answer["paymentDate"] = json!("2026-10-05T22:13:42");
    answer["swiftMessageId"] = json!("3c9d1f20-7e44-4b8a-b1c5-90aa2e6f4d11");
    answer["swiftPayerBank"] = json!("CMTBMD2X");
    Mock::given(method("GET"))
        .and(path(format!("/ecomm/api/v1/payment/{PAYMENT_ID}")))
        .and(header("authorization", "Bearer test-access-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let info = client.payment(PAYMENT_ID).await.unwrap();
    assert_eq!(info.status, MiaPosStatus::Success);
    assert_eq!(info.amount.to_string(), "249.9");
    assert_eq!(info.payment_type(), Some(PaymentType::Qr));
    assert_eq!(info.swift_payer_bank.as_deref(), Some("CMTBMD2X"));
    assert_eq!(info.payment_date.as_deref(), Some("2026-10-05T22:13:42"));
    let outcome = client.get_payment(PAYMENT_ID).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Captured);
    assert_eq!(outcome.raw_status.as_deref(), Some("SUCCESS"));
    assert_eq!(outcome.amount, Some(mdl("249.90")));
    let requests = server.received_requests().await.unwrap();
    let get = requests
        .iter()
        .find(|r| r.method.as_str() == "GET")
        .unwrap();
    assert!(get.body.is_empty());
    assert!(!get.headers.contains_key("content-type"));
}

#[tokio::test]
async fn every_status_maps_through_get_payment() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let table = [
        ("CREATED", PaymentStatus::RequiresAction),
        ("PENDING", PaymentStatus::Pending),
        ("SUCCESS", PaymentStatus::Captured),
        (
            "FAILED",
            PaymentStatus::Failed {
                reason: Some("FAILED".into()),
            },
        ),
        (
            "DECLINED",
            PaymentStatus::Failed {
                reason: Some("DECLINED".into()),
            },
        ),
        ("EXPIRED", PaymentStatus::Expired),
        ("SOMETHING_NEW", PaymentStatus::Pending),
    ];
    let client = client(&server);
    for (raw, expected) in table {
        let _guard = Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(payment_json(raw)))
            .expect(1)
            .mount_as_scoped(&server)
            .await;
        let outcome = client.get_payment(PAYMENT_ID).await.unwrap();
        assert_eq!(outcome.status, expected, "{raw}");
        assert_eq!(outcome.raw_status.as_deref(), Some(raw));
        let checkout = matches!(outcome.next_action, NextAction::Checkout { .. });
        assert_eq!(checkout, raw == "CREATED", "{raw}");
    }
}

#[tokio::test]
async fn payment_ids_are_percent_encoded_in_the_path() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/ecomm/api/v1/payment/a%2Fb%3Fc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "terminalId": "T", "orderId": "o", "paymentId": "a/b?c", "status": "PENDING",
            "amount": 1, "currency": "MDL"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let info = client(&server).payment("a/b?c").await.unwrap();
    assert_eq!(info.status, MiaPosStatus::Pending);
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/bank/ecomm/api/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json(ACCESS, REFRESH)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/bank/ecomm/api/v1/payment/{PAYMENT_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("PENDING")))
        .expect(1)
        .mount(&server)
        .await;
    let client = MiaPos::builder(
        format!("{}/bank/", server.uri()),
        "128",
        SecretString::from(SECRET),
    )
    .build()
    .unwrap();
    client.payment(PAYMENT_ID).await.unwrap();
}

#[tokio::test]
async fn public_key_is_fetched_with_a_bearer_token() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .and(header("authorization", "Bearer test-access-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"publicKey": test_public_key()})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let key = client(&server).public_key().await.unwrap();
    assert_eq!(key.spki_base64, test_public_key());
}

#[tokio::test]
async fn a_public_key_that_is_not_a_key_is_refused() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path(KEY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"publicKey": "bm9wZQ=="})))
        .mount(&server)
        .await;
    let err = client(&server).public_key().await.unwrap_err();
    assert!(matches!(err, Error::Signature(_)), "{err:?}");
}

#[tokio::test]
async fn native_token_endpoints_return_typed_pairs() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .and(body_json(json!({"refreshToken": REFRESH})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_json("test-access-2", "test-refresh-2")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let pair = client.issue_token().await.unwrap();
    assert_eq!(pair.access_token.expose_secret(), ACCESS);
    assert_eq!(pair.access_expires_in, Some(Duration::from_secs(300)));
    assert_eq!(pair.refresh_expires_in, Some(Duration::from_secs(432_000)));
    assert_eq!(pair.token_type.as_deref(), Some("Bearer"));
    let refresh = pair.refresh_token.unwrap();
    let renewed = client.refresh_token(&refresh).await.unwrap();
    assert_eq!(renewed.access_token.expose_secret(), "test-access-2");
    assert_eq!(
        renewed.refresh_token.unwrap().expose_secret(),
        "test-refresh-2"
    );
}

#[tokio::test(start_paused = true)]
async fn an_expiring_token_is_renewed_with_the_refresh_grant() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .and(body_json(json!({"refreshToken": REFRESH})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_json("test-access-2", "test-refresh-2")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer test-access-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("PENDING")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer test-access-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("SUCCESS")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    realtime(client.payment(PAYMENT_ID)).await.unwrap();
    tokio::time::advance(Duration::from_secs(200)).await;
    realtime(client.payment(PAYMENT_ID)).await.unwrap();
    // 300 s lifetime, renewed 30 s ahead: at t = 280 s the refresh grant is used.
    tokio::time::advance(Duration::from_secs(80)).await;
    let info = realtime(client.payment(PAYMENT_ID)).await.unwrap();
    assert_eq!(info.status, MiaPosStatus::Success);
}

#[tokio::test(start_paused = true)]
async fn a_refused_refresh_falls_back_to_the_credentials() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("PENDING")))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    realtime(client.payment(PAYMENT_ID)).await.unwrap();
    tokio::time::advance(Duration::from_secs(301)).await;
    realtime(client.payment(PAYMENT_ID)).await.unwrap();
}

#[tokio::test]
async fn a_401_mid_flight_renews_the_token_and_retries_once() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .and(body_json(json!({"refreshToken": REFRESH})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_json("test-access-2", "test-refresh-2")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .and(header("authorization", "Bearer test-access-token"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .and(header("authorization", "Bearer test-access-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("o-1")))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .pay(&PayRequest::new("o-1", mdl("5"), "d"))
        .await
        .unwrap();
    assert_eq!(created.payment_id, PAYMENT_ID);
}

#[tokio::test]
async fn a_second_401_is_an_auth_error_without_a_third_try() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_json("test-access-2", "test-refresh-2")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/ecomm/api/v1/payment/{PAYMENT_ID}")))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).payment(PAYMENT_ID).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_and_nothing_is_paid() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server)
        .pay(&PayRequest::new("o-1", mdl("5"), "d"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn the_real_error_envelope_becomes_an_api_error() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errorCode": "1",
            "errorMessage": "The terminal type must be [rtp] when the payment type is [RTP]. Current terminal type: [ecomm]."
        })))
        .expect(1)
        .mount(&server)
        .await;
    let request = PayRequest::new("o-1", mdl("5"), "d")
        .payment_type(PaymentType::Rtp)
        .client_phone("69123456");
    let err = client(&server).pay(&request).await.unwrap_err();
    match &err {
        Error::Api {
            http_status: Some(400),
            code,
            message,
            retryable: false,
            ..
        } => {
            assert_eq!(code, "1");
            assert!(message.contains("terminal type must be [rtp]"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn the_web_page_error_envelope_is_accepted_too() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": {"code": "UNKNOWN_PAYMENT", "message": "No such payment", "requestId": "req_01TEST"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).payment(PAYMENT_ID).await.unwrap_err();
    assert_eq!(err.api_code(), Some("UNKNOWN_PAYMENT"));
    assert!(err.to_string().contains("req_01TEST"), "{err}");
}

#[tokio::test]
async fn an_unknown_payment_is_a_400_api_error() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errorCode": "1",
            "errorMessage": "Ecomm payment info not found with payment id [00000000-0000-0000-0000-000000000000]"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .get_payment("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                http_status: Some(400),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

fn rtp_request(order_id: &str) -> PayRequest {
    PayRequest::new(order_id, mdl("5"), "d")
        .payment_type(PaymentType::Rtp)
        .client_phone("69123456")
}

/// Asserts an unknown outcome of `call` carrying `order_id`, in its ids and its text.
fn assert_unknown_with_order(err: &Error, call: &str, order_id: &str) {
    assert!(err.outcome_unknown() && !err.is_retryable(), "{err:?}");
    assert!(
        matches!(err, Error::OutcomeUnknown { call: c, .. } if *c == call),
        "{err:?}"
    );
    let ids = err.payment_ref().expect("ids");
    assert_eq!(ids.merchant_reference.as_deref(), Some(order_id), "{err:?}");
    assert!(err.to_string().contains(order_id), "{err}");
}

#[tokio::test]
async fn a_5xx_on_a_qr_pay_is_retryable_and_not_repeated() {
    // A QR payment can only be paid through the checkout page of the answer: without the
    // answer nobody can pay it, so nothing is at stake (it expires unpaid).
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "errorCode": "1", "errorMessage": "Internal server error"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .pay(&PayRequest::new("o-1", mdl("5"), "d"))
        .await
        .unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    assert_eq!(err.api_code(), Some("1"), "the provider's code is kept");
}

#[tokio::test]
async fn a_5xx_on_an_rtp_pay_leaves_the_outcome_unknown_with_the_order_id() {
    // The request to pay is already on the payer's phone: a repeat could be paid twice.
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "errorCode": "1", "errorMessage": "Internal server error"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .pay(&rtp_request("o-rtp-1"))
        .await
        .unwrap_err();
    assert_unknown_with_order(&err, "pay", "o-rtp-1");
}

#[tokio::test]
async fn a_timeout_on_pay_is_never_repeated_and_means_what_the_payment_type_says() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(pay_answer("o-1"))
                .set_delay(Duration::from_millis(800)),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .executor_config(fast_executor().timeout(Duration::from_millis(200)))
        .build()
        .unwrap();
    let err = client
        .pay(&PayRequest::new("o-1", mdl("5"), "d"))
        .await
        .unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    let err = client.pay(&rtp_request("o-1")).await.unwrap_err();
    assert_unknown_with_order(&err, "pay", "o-1");
}

#[tokio::test]
async fn a_timeout_on_request_to_pay_direct_is_unknown_with_the_order_id() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(RTP_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"orderId": "INV-9", "paymentId": PAYMENT_ID}))
                .set_delay(Duration::from_millis(800)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .terminal_id("RTP0001")
        .executor_config(fast_executor().timeout(Duration::from_millis(200)))
        .build()
        .unwrap();
    let request = DirectRtpRequest::new("INV-9", mdl("75"), "Abonament", "Maria", "69123456");
    let err = client.request_to_pay_direct(&request).await.unwrap_err();
    assert_unknown_with_order(&err, "request-to-pay-direct", "INV-9");
}

#[tokio::test]
async fn a_429_is_rate_limited_with_its_retry_after_and_not_repeated() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "7")
                .set_body_json(json!({"error": {"code": "RATE_LIMITED", "message": "slow down"}})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    for request in [PayRequest::new("o-1", mdl("5"), "d"), rtp_request("o-2")] {
        let err = client.pay(&request).await.unwrap_err();
        assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
        assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    }
}

#[tokio::test]
async fn a_503_with_retry_after_surfaces_the_wait_on_every_kind_of_call() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let rail_down = || {
        ResponseTemplate::new(503)
            .insert_header("retry-after", "120")
            .set_body_json(json!({"error": {"code": "RAIL_UNAVAILABLE", "message": "rail down"}}))
    };
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(rail_down())
        .expect(2)
        .mount(&server)
        .await;
    // A wait beyond the retry policy's limit is returned, not slept through.
    Mock::given(method("GET"))
        .respond_with(rail_down())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let wait = Some(Duration::from_secs(120));
    // QR pay: nothing is at stake; come back later.
    let err = client
        .pay(&PayRequest::new("o-1", mdl("5"), "d"))
        .await
        .unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
    assert_eq!(err.retry_after(), wait, "{err:?}");
    // A status query: the same.
    let err = client.payment(PAYMENT_ID).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(err.retry_after(), wait, "{err:?}");
    // A request to pay: the outcome is unknown, and the wait is kept.
    let err = client.pay(&rtp_request("o-3")).await.unwrap_err();
    assert_unknown_with_order(&err, "pay", "o-3");
    assert_eq!(err.retry_after(), wait, "{err:?}");
}

#[tokio::test]
async fn no_token_means_the_payment_was_not_sent() {
    // The token endpoint fails before the request to pay leaves: that is retryable, never an
    // unknown outcome.
    for answer in [
        ResponseTemplate::new(503),
        ResponseTemplate::new(500).set_body_json(json!({"errorCode": "1", "errorMessage": "x"})),
        ResponseTemplate::new(200).set_body_string("{\"accessToken\":"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(answer)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(PAY_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("o-1")))
            .expect(0)
            .mount(&server)
            .await;
        let err = client(&server).pay(&rtp_request("o-1")).await.unwrap_err();
        assert!(!err.outcome_unknown(), "{err:?}");
        assert!(
            err.is_retryable() || matches!(err, Error::Auth { .. }),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn a_5xx_on_a_status_query_is_retried() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("PENDING")))
        .expect(1)
        .mount(&server)
        .await;
    let info = client(&server).payment(PAYMENT_ID).await.unwrap();
    assert_eq!(info.status, MiaPosStatus::Pending);
}

#[tokio::test]
async fn a_persistent_5xx_on_a_status_query_is_a_retryable_error() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "errorCode": "1", "errorMessage": "Internal server error"
        })))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server).payment(PAYMENT_ID).await.unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn malformed_success_bodies_are_decode_errors() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"terminalId":"TE0001","status":"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>ok</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.payment(PAYMENT_ID).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let err = client
        .pay(&PayRequest::new("o-1", mdl("5"), "d"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn a_malformed_token_answer_keeps_no_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"accessToken":"test-leaky-token","#),
        )
        .mount(&server)
        .await;
    let err = client(&server).issue_token().await.unwrap_err();
    match &err {
        Error::Decode { snippet, .. } => assert!(snippet.is_empty()),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err} {err:?}").contains("test-leaky-token"));
}

#[tokio::test]
async fn echoes_that_contradict_the_request_are_integrity_errors() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("someone-else")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("SUCCESS")))
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client
        .pay(&PayRequest::new("o-1", mdl("5"), "d"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Integrity { ref field, .. } if field == "orderId"),
        "{err:?}"
    );
    let err = client.payment("another-payment").await.unwrap_err();
    assert!(
        matches!(err, Error::Integrity { ref field, .. } if field == "paymentId"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_callers_client_is_used() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(header_exists("x-from-caller"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("PENDING")))
        .expect(1)
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-from-caller",
        reqwest::header::HeaderValue::from_static("1"),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = builder(&server)
        .http_client(http)
        .executor_config(ExecutorConfig::default())
        .build()
        .unwrap();
    client.payment(PAYMENT_ID).await.unwrap();
}

#[tokio::test]
async fn an_unreadable_or_contradicting_answer_to_a_request_to_pay_is_unknown() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"orderId":"o-7","payme"#))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("someone-else")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.pay(&rtp_request("o-7")).await.unwrap_err();
    assert_unknown_with_order(&err, "pay", "o-7");
    let err = client.pay(&rtp_request("o-7")).await.unwrap_err();
    assert_unknown_with_order(&err, "pay", "o-7");
}

#[tokio::test]
async fn create_payment_sends_the_customers_phone_as_eight_digits() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(PAY_PATH))
        .and(body_json(json!({
            "terminalId": "RTP0001", "orderId": "A-18", "amount": 10.00, "currency": "MDL",
            "payDescription": "d", "paymentType": "rtp", "clientPhone": "69123456"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(pay_answer("A-18")))
        .expect(4)
        .mount(&server)
        .await;
    let client = builder(&server)
        .terminal_id("RTP0001")
        .payment_type(PaymentType::Rtp)
        .build()
        .unwrap();
    for phone in ["+37369123456", "37369123456", "069123456", "69123456"] {
        let request = PaymentRequest::new(mdl("10.00"))
            .order_id("A-18")
            .description("d")
            .customer(paykit_core::Customer::default().phone(phone));
        client.create_payment(&request).await.unwrap();
    }
    for garbage in ["+40712345678", "6912345", "phone me"] {
        let request = PaymentRequest::new(mdl("10.00"))
            .order_id("A-18")
            .description("d")
            .customer(paykit_core::Customer::default().phone(garbage));
        let err = client.create_payment(&request).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, reason } if field == "customer.phone" && reason.contains("69123456")),
            "{garbage}: {err:?}"
        );
    }
}
