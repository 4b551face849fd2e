//! miaPOS's route: RSA-signed callbacks, confirmed with `GET /payment/{id}` before the handler.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use common::*;
use http::StatusCode;
use paykit_axum::CallbackRoutes;
use paykit_core::{Authenticity, PaymentStatus, SecretString};
use paykit_miapos::{MiaPos, RsaPublicKey};
use paykit_testkit::signers::miapos::Signer;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAYMENT_ID: &str = "c81b7a16-9c64-494c-88b1-26ec2c6328fe";

fn signer() -> Signer {
    Signer::from_pkcs8_pem(include_str!(
        "../../../fixtures/miapos/keys/private_key.pem"
    ))
    .unwrap()
}

fn result_json(status: &str) -> String {
    format!(
        r#"{{"terminalId":"TE0001","orderId":"order-123","paymentId":"{PAYMENT_ID}","status":"{status}","amount":145.25,"currency":"MDL","paymentType":"qr","paymentDate":"2026-10-05T22:13:42"}}"#
    )
}

fn payment(status: &str, amount: f64) -> Value {
    json!({"terminalId": "TE0001", "orderId": "order-123", "paymentId": PAYMENT_ID,
           "status": status, "amount": amount, "currency": "MDL", "paymentType": "qr",
           "paymentDate": "2026-10-05T22:13:42"})
}

async fn server(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ecomm/api/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": "test-miapos-access", "accessTokenExpiresIn": 300,
            "refreshToken": "test-miapos-refresh", "refreshTokenExpiresIn": 432000,
            "tokenType": "Bearer"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/ecomm/api/v1/payment/{PAYMENT_ID}")))
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> MiaPos {
    let key = RsaPublicKey::from_spki_base64(include_str!(
        "../../../fixtures/miapos/keys/public_key.b64"
    ))
    .unwrap();
    MiaPos::builder(
        server.uri(),
        "128",
        SecretString::from("test-miapos-secret"),
    )
    .terminal_id("TE0001")
    .public_key(key)
    .executor_config(fast())
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_signed_callback_is_confirmed_then_handled_once() {
    let server = server(ResponseTemplate::new(200).set_body_json(payment("SUCCESS", 145.25))).await;
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .miapos("/miapos", client(&server))
        .into_router()
        .unwrap();
    let body = signer().signed_body(&result_json("SUCCESS")).unwrap();
    for _ in 0..2 {
        let answered = post_json(&router, "/miapos", &body).await;
        assert_eq!(answered.status, StatusCode::OK);
        assert_eq!(answered.text(), "OK");
    }
    let events = handler.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].authenticity, Authenticity::Confirmed);
    assert_eq!(events[0].payment().unwrap().status, PaymentStatus::Captured);
    assert_eq!(events[0].dedupe_key, format!("{PAYMENT_ID}:SUCCESS"));
}

#[tokio::test]
async fn forged_contradicted_and_unconfirmable_callbacks_never_reach_the_handler() {
    let handler = Recorder::new();
    // Signed by another key: forged.
    let server_ok =
        server(ResponseTemplate::new(200).set_body_json(payment("SUCCESS", 145.25))).await;
    let router = CallbackRoutes::new(handler.clone())
        .miapos("/miapos", client(&server_ok))
        .into_router()
        .unwrap();
    let body = signer().signed_body(&result_json("SUCCESS")).unwrap();
    let tampered = body.replace("order-123", "order-124");
    assert_eq!(
        post_json(&router, "/miapos", &tampered).await.status,
        StatusCode::UNAUTHORIZED
    );

    // miaPOS says another amount: a relabelled callback.
    let server_other =
        server(ResponseTemplate::new(200).set_body_json(payment("SUCCESS", 3.25))).await;
    let router = CallbackRoutes::new(handler.clone())
        .miapos("/miapos", client(&server_other))
        .into_router()
        .unwrap();
    assert_eq!(
        post_json(&router, "/miapos", &body).await.status,
        StatusCode::UNAUTHORIZED
    );

    // miaPOS cannot be asked: 503.
    let server_down = server(ResponseTemplate::new(503)).await;
    let router = CallbackRoutes::new(handler.clone())
        .miapos("/miapos", client(&server_down))
        .into_router()
        .unwrap();
    assert_eq!(
        post_json(&router, "/miapos", &body).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(handler.runs(), 0);
}
