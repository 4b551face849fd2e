//! Every public type of the crate, formatted with `{:?}` (and `{}` where it has Display),
//! shows no credential or token.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use common::*;
use paykit_core::{Currency, Money, PaymentProvider, PaymentRequest, SecretString};
use paykit_maya::{
    CreatePayment, EncryptedProfile, ErrorBody, ExecuteOutcome, ExecutePayment, MayaClient,
    MayaWebhook, SessionPush, SessionReply, SessionTokens,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRETS: &[&str] = &[
    CLIENT_SECRET,
    CLIENT_TOKEN,
    ACCESS,
    REFRESH,
    ACCESS_2,
    REFRESH_2,
    "test-profile-jwe",
];

fn assert_clean(label: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{label} shows {secret}: {text}");
    }
}

#[tokio::test]
async fn no_public_type_formats_a_secret() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": ACCESS_2, "refreshToken": REFRESH_2, "expiresAt": FUTURE
        })))
        .expect(1)
        .mount(&server)
        .await;
    // Maya Connect echoes a rejected token in its message; the client scrubs it.
    Mock::given(method("POST"))
        .and(path("/merchant/payments"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "PY0044",
            "message": format!("Invalid token {ACCESS_2} / {REFRESH_2}")
        })))
        .expect(1)
        .mount(&server)
        .await;

    let builder = builder(&server);
    assert_clean("MayaClientBuilder", &format!("{builder:?}"));
    let client: MayaClient = builder.build().unwrap();
    let token = client.client_token().await.unwrap();
    assert_clean("AccessToken", &format!("{token:?}"));
    assert_clean("MayaClient", &format!("{client:?}"));

    let pair: SessionTokens = tokens(ACCESS, REFRESH, PAST);
    assert_clean("SessionTokens", &format!("{pair:?}"));
    let session = client.session(pair).unwrap();
    session.ensure_fresh().await.unwrap();
    assert_clean("CustomerSession", &format!("{session:?}"));
    let provider = client.payments(session.clone());
    assert_clean("SessionPayments", &format!("{provider:?}"));

    let err = provider
        .create_payment(&PaymentRequest::new(
            Money::parse("1", Currency::PHP).unwrap(),
        ))
        .await
        .unwrap_err();
    assert_clean("Error (Debug)", &format!("{err:?}"));
    assert_clean("Error (Display)", &format!("{err}"));

    let body = format!(r#"{{"accessToken":"{ACCESS}","refreshToken":"{REFRESH}","expiresAt":1}}"#);
    let push = SessionPush::parse_body(body.as_bytes()).unwrap();
    assert_clean("SessionPush", &format!("{push:?}"));
    let bad = format!(r#"{{"accessToken":"{ACCESS}","refreshToken":{REFRESH}}}"#);
    let err = SessionPush::parse_body(bad.as_bytes()).unwrap_err();
    assert_clean("SessionPush error", &format!("{err} {err:?}"));
    let reply = SessionReply::generate().unwrap();
    assert_clean("SessionReply", &format!("{reply:?}"));

    let profile = EncryptedProfile {
        data: SecretString::from("test-profile-jwe"),
    };
    assert_clean("EncryptedProfile", &format!("{profile:?}"));

    let body = ErrorBody::parse(
        br#"{"code":"PY0010","message":"The payment has already been processed"}"#,
    )
    .unwrap();
    assert_clean("ErrorBody", &format!("{body:?} {body}"));
    let outcome = ExecuteOutcome::AlreadyProcessed {
        payment_id: PAYMENT_ID.into(),
        message: "m".into(),
    };
    assert_clean("ExecuteOutcome", &format!("{outcome:?}"));
    assert_clean(
        "CreatePayment",
        &format!(
            "{:?}",
            CreatePayment::new(Money::parse("1", Currency::PHP).unwrap())
        ),
    );
    assert_clean(
        "ExecutePayment",
        &format!("{:?}", ExecutePayment::new(PAYMENT_ID)),
    );
    assert_clean("MayaWebhook", &format!("{:?}", MayaWebhook));
    assert_clean("capabilities", &format!("{:?}", client.capabilities()));
}
