//! Relabelling forgeries (issue 10 §3): miaPOS signs the *values* of `result` in key order, not
//! the names, so whoever holds one genuine signed callback can rename, drop and add fields and
//! keep the signature valid. Every forgery here verifies against the genuine signature (its
//! canonical string is the genuine one), and none may yield an event fit for fulfilment:
//!
//! - the signed path ([`Webhook::verify`]) either refuses the body (field shapes) or returns an
//!   event that is only `Signed`;
//! - the confirmed path ([`MiaPos::verify_confirmed`]) re-queries `GET /payment/{id}` and
//!   refuses every forgery whose decisive fields (payment id, order id, amount, currency,
//!   state) the answer contradicts; where the answer agrees, the event carries miaPOS's own
//!   answer, never the relabelled fields.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use common::*;
use paykit_core::{
    Authenticity, Error, PaymentStatus, SignatureError, VerifiedEvent, Webhook, WebhookRequest,
};
use paykit_miapos::{MiaPos, RsaPublicKey, canonical_string};
use paykit_testkit::signers::miapos::Signer;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TV1_ID: &str = "c81b7a16-9c64-494c-88b1-26ec2c6328fe";

fn signer() -> Signer {
    let pem = include_str!("../../../fixtures/miapos/keys/private_key.pem");
    Signer::from_pkcs8_pem(pem).unwrap()
}

/// The signature of a callback body.
fn signature_of(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap();
    value["signature"].as_str().unwrap().to_owned()
}

/// `result` with the genuine body's signature, after checking the forgery keeps the signed
/// string (so the signature verifies) while changing the body.
fn forge(genuine: &str, result: &str) -> String {
    let forged = format!(
        r#"{{"result":{result},"signature":"{}"}}"#,
        signature_of(genuine)
    );
    assert_eq!(
        canonical_string(forged.as_bytes()).unwrap(),
        canonical_string(genuine.as_bytes()).unwrap(),
        "the forgery must keep the signed string: {result}"
    );
    assert_ne!(forged, genuine);
    forged
}

/// A miaPOS mock serving tokens.
async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json(ACCESS, REFRESH)))
        .mount(&server)
        .await;
    server
}

/// A client that verifies with the test key and queries `server`.
fn client(server: &MockServer) -> MiaPos {
    let key = RsaPublicKey::from_spki_base64(&test_public_key()).unwrap();
    builder(server).public_key(key).build().unwrap()
}

/// `GET /payment/{id}` answering `body`.
async fn mount_payment(server: &MockServer, id: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/ecomm/api/v1/payment/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

/// What miaPOS answers about the TV-1 payment.
fn tv1_payment(status: &str) -> Value {
    json!({
        "terminalId": "TE0001", "orderId": "order-123", "paymentId": TV1_ID,
        "status": status, "amount": 145.25, "currency": "MDL", "paymentType": "qr",
        "paymentDate": "2026-10-05T22:13:42",
        "swiftMessageId": "dc00bf4d-5b2e-4c61-9a57-3f0d2c1e8a90", "swiftPayerBank": "CMTBMD2X"
    })
}

async fn signed(client: &MiaPos, body: &str) -> paykit_core::Result<VerifiedEvent> {
    client
        .verify(&WebhookRequest::body_only(body.as_bytes()))
        .await
}

async fn confirmed(client: &MiaPos, body: &str) -> paykit_core::Result<VerifiedEvent> {
    client
        .verify_confirmed(&WebhookRequest::body_only(body.as_bytes()))
        .await
}

/// The signed path: refused, or an event that is not fit for fulfilment.
async fn assert_signed_path_is_not_fit(client: &MiaPos, body: &str) {
    match signed(client, body).await {
        Ok(event) => {
            assert_eq!(event.authenticity, Authenticity::Signed, "{body}");
            assert!(!event.is_fit_for_fulfilment(), "{body}");
        }
        Err(error) => assert!(matches!(error, Error::Signature(_)), "{error:?}"),
    }
}

fn is_refused_shape(result: &paykit_core::Result<VerifiedEvent>) -> bool {
    matches!(result, Err(Error::Signature(SignatureError::BadBody(_))))
}

#[tokio::test]
async fn the_genuine_callback_is_signed_then_confirmed() {
    let server = server().await;
    mount_payment(&server, TV1_ID, tv1_payment("SUCCESS")).await;
    let client = client(&server);
    let genuine = vector_body("V1");
    let event = signed(&client, &genuine).await.unwrap();
    assert!(!event.is_fit_for_fulfilment());
    let event = confirmed(&client, &genuine).await.unwrap();
    assert!(event.is_fit_for_fulfilment());
    assert_eq!(event.authenticity, Authenticity::Confirmed);
    let payment = event.payment().unwrap();
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(payment.amount.unwrap().to_fixed_string(), "145.25");
    assert_eq!(payment.order_id.as_deref(), Some("order-123"));
    assert_eq!(event.dedupe_key, format!("{TV1_ID}:SUCCESS"));
}

#[tokio::test]
async fn a_relabelled_order_id_is_signed_but_refused_once_confirmed() {
    // orderId takes the value that was paymentDate; the real order id hides in an unknown
    // field `d` (sorted between currency and orderId). Shapes cannot catch it: an order id is
    // the merchant's free text.
    let genuine = vector_body("V1");
    let forged = forge(
        &genuine,
        r#"{"amount":145.25,"currency":"MDL","d":"order-123","orderId":"2026-10-05T22:13:42","paymentId":"c81b7a16-9c64-494c-88b1-26ec2c6328fe","paymentType":"qr","status":"SUCCESS","swiftMessageId":"dc00bf4d-5b2e-4c61-9a57-3f0d2c1e8a90","swiftPayerBank":"CMTBMD2X","terminalId":"TE0001"}"#,
    );
    let server = server().await;
    mount_payment(&server, TV1_ID, tv1_payment("SUCCESS")).await;
    let client = client(&server);
    assert_signed_path_is_not_fit(&client, &forged).await;
    let event = signed(&client, &forged).await.unwrap();
    assert_eq!(
        event.payment().unwrap().order_id.as_deref(),
        Some("2026-10-05T22:13:42"),
        "the signature alone does not bind the order id"
    );
    assert!(!event.is_fit_for_fulfilment());
    let error = confirmed(&client, &forged).await.unwrap_err();
    assert!(
        matches!(&error, Error::Integrity { field, .. } if field == "orderId"),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_amount_moved_in_from_another_field_is_signed_but_refused_once_confirmed() {
    // A genuine callback carrying a field this version does not know and that sorts before
    // `amount` (miaPOS may add fields; every present key is signed). Its value becomes the
    // amount; the real amount moves under `b`.
    let signer = signer();
    let genuine = signer
        .signed_body(&format!(
            r#"{{"acquirerFee":"3.25","amount":145.25,"currency":"MDL","orderId":"order-123","paymentId":"{TV1_ID}","paymentType":"qr","status":"SUCCESS","terminalId":"TE0001"}}"#
        ))
        .unwrap();
    let forged = forge(
        &genuine,
        &format!(
            r#"{{"amount":3.25,"b":"145.25","currency":"MDL","orderId":"order-123","paymentId":"{TV1_ID}","paymentType":"qr","status":"SUCCESS","terminalId":"TE0001"}}"#
        ),
    );
    let server = server().await;
    mount_payment(&server, TV1_ID, tv1_payment("SUCCESS")).await;
    let client = client(&server);
    assert_signed_path_is_not_fit(&client, &forged).await;
    let event = signed(&client, &forged).await.unwrap();
    assert_eq!(
        event.payment().unwrap().amount.unwrap().to_fixed_string(),
        "3.25"
    );
    assert!(!event.is_fit_for_fulfilment());
    let error = confirmed(&client, &forged).await.unwrap_err();
    assert!(
        matches!(&error, Error::Integrity { field, .. } if field == "amount"),
        "{error:?}"
    );
    // The genuine one confirms.
    assert!(
        confirmed(&client, &genuine)
            .await
            .unwrap()
            .is_fit_for_fulfilment()
    );
}

#[tokio::test]
async fn a_status_moved_in_from_another_field_is_signed_but_refused_once_confirmed() {
    // A pending payment whose bank message id happens to read SUCCESS: the real status hides
    // under `s` (sorted between paymentType and status), `status` takes the message id.
    let signer = signer();
    let genuine = signer
        .signed_body(&format!(
            r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentId":"{TV1_ID}","paymentType":"qr","status":"PENDING","swiftMessageId":"SUCCESS","terminalId":"TE0001"}}"#
        ))
        .unwrap();
    let forged = forge(
        &genuine,
        &format!(
            r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentId":"{TV1_ID}","paymentType":"qr","s":"PENDING","status":"SUCCESS","terminalId":"TE0001"}}"#
        ),
    );
    let server = server().await;
    mount_payment(&server, TV1_ID, tv1_payment("PENDING")).await;
    let client = client(&server);
    assert_signed_path_is_not_fit(&client, &forged).await;
    let event = signed(&client, &forged).await.unwrap();
    assert_eq!(event.payment().unwrap().status, PaymentStatus::Captured);
    assert!(!event.is_fit_for_fulfilment());
    let error = confirmed(&client, &forged).await.unwrap_err();
    assert!(
        matches!(&error, Error::Integrity { field, .. } if field == "status"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_payment_id_moved_in_from_another_field_is_refused_once_confirmed() {
    // An unknown UUID field sorting just before paymentId takes its place: the event is about
    // another payment, which miaPOS does not know (HTTP 400) or knows with other values.
    let other = "0b7e2c55-3a61-4f0e-a9d2-6c1f8e4b7a13";
    let signer = signer();
    let genuine = signer
        .signed_body(&format!(
            r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentGroupId":"{other}","paymentId":"{TV1_ID}","paymentType":"qr","status":"SUCCESS","terminalId":"TE0001"}}"#
        ))
        .unwrap();
    let forged = forge(
        &genuine,
        &format!(
            r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentId":"{other}","paymentIe":"{TV1_ID}","paymentType":"qr","status":"SUCCESS","terminalId":"TE0001"}}"#
        ),
    );
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("/ecomm/api/v1/payment/{other}")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errorCode": "1",
            "errorMessage": format!("Ecomm payment info not found with payment id [{other}]")
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_payment(
        &server,
        other,
        json!({
            "terminalId": "TE0001", "orderId": "INV-77", "paymentId": other, "status": "SUCCESS",
            "amount": 75.00, "currency": "MDL", "paymentType": "rtp"
        }),
    )
    .await;
    let client = client(&server);
    assert_signed_path_is_not_fit(&client, &forged).await;
    let event = signed(&client, &forged).await.unwrap();
    assert_eq!(event.payment().unwrap().provider_payment_id, other);
    assert!(!event.is_fit_for_fulfilment());
    let unknown = confirmed(&client, &forged).await.unwrap_err();
    assert!(matches!(unknown, Error::Api { .. }), "{unknown:?}");
    let contradicted = confirmed(&client, &forged).await.unwrap_err();
    assert!(
        matches!(contradicted, Error::Integrity { .. }),
        "{contradicted:?}"
    );
}

#[tokio::test]
async fn relabels_that_break_a_documented_shape_are_refused_before_anything_is_read() {
    let genuine = vector_body("V1");
    let sandbox = vector_body("V2");
    let rest = r#""paymentType":"qr","status":"SUCCESS","swiftMessageId":"dc00bf4d-5b2e-4c61-9a57-3f0d2c1e8a90","swiftPayerBank":"CMTBMD2X","terminalId":"TE0001""#;
    let cases = [
        // The amount as a string: same signed text, another type.
        forge(
            &genuine,
            &format!(
                r#"{{"amount":"145.25","currency":"MDL","orderId":"order-123","paymentDate":"2026-10-05T22:13:42","paymentId":"{TV1_ID}",{rest}}}"#
            ),
        ),
        // The status dropped and kept under another name.
        forge(
            &genuine,
            &format!(
                r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentDate":"2026-10-05T22:13:42","paymentId":"{TV1_ID}","paymentType":"qr","statu":"SUCCESS","swiftMessageId":"dc00bf4d-5b2e-4c61-9a57-3f0d2c1e8a90","swiftPayerBank":"CMTBMD2X","terminalId":"TE0001"}}"#
            ),
        ),
        // The currency dropped and kept under another name.
        forge(
            &genuine,
            &format!(
                r#"{{"amount":145.25,"cur":"MDL","orderId":"order-123","paymentDate":"2026-10-05T22:13:42","paymentId":"{TV1_ID}",{rest}}}"#
            ),
        ),
        // The payment date moved into paymentId (not a UUID), the id into an unknown field.
        forge(
            &genuine,
            &format!(
                r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentId":"2026-10-05T22:13:42","paymentIe":"{TV1_ID}",{rest}}}"#
            ),
        ),
        // The bank's BIC moved into swiftMessageId's place is fine, but then the message id
        // lands in swiftPayerBank: not a BIC.
        forge(
            &genuine,
            &format!(
                r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentDate":"2026-10-05T22:13:42","paymentId":"{TV1_ID}","paymentType":"qr","status":"SUCCESS","swiftPayerBank":"dc00bf4d-5b2e-4c61-9a57-3f0d2c1e8a90","swiftPayerBanl":"CMTBMD2X","terminalId":"TE0001"}}"#
            ),
        ),
        // A numeric order id: the same text, another type.
        forge(
            &sandbox,
            r#"{"terminalId":"TRMW0001","orderId":108,"paymentId":"2a663962-c954-4984-90e5-1d24c3305f7b","status":"EXPIRED","amount":1775.00,"currency":"MDL","paymentType":"qr","paymentDate":"2024-12-17T11:54:23"}"#,
        ),
    ];
    let server = server().await;
    mount_payment(&server, TV1_ID, tv1_payment("SUCCESS")).await;
    let client = client(&server);
    for forged in &cases {
        assert_signed_path_is_not_fit(&client, forged).await;
        let result = signed(&client, forged).await;
        assert!(is_refused_shape(&result), "{forged}: {result:?}");
        let result = confirmed(&client, forged).await;
        assert!(is_refused_shape(&result), "{forged}: {result:?}");
    }
}

#[tokio::test]
async fn duplicate_keys_are_refused_wherever_they_are() {
    let genuine = vector_body("V1");
    let server = server().await;
    let client = client(&server);
    for forged in [
        genuine.replacen(r#""amount":145.25"#, r#""amount":145.25,"amount":1.00"#, 1),
        genuine.replacen(
            r#""status":"SUCCESS""#,
            r#""status":"SUCCESS","status":"FAILED""#,
            1,
        ),
        genuine.replacen(r#"{"result":"#, r#"{"result":{},"result":"#, 1),
    ] {
        assert_ne!(forged, genuine);
        let result = signed(&client, &forged).await;
        assert!(is_refused_shape(&result), "{forged}: {result:?}");
    }
}

#[tokio::test]
async fn harmless_relabels_confirm_to_miapos_own_answer_only() {
    // The terminal id moved into an unknown field and the BIC into terminalId; the payment
    // type dropped. Nothing decisive changes, so the re-query agrees; the confirmed event is
    // built from miaPOS's answer, exactly as for the genuine callback.
    let genuine = vector_body("V1");
    let forged = forge(
        &genuine,
        &format!(
            r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentDate":"2026-10-05T22:13:42","paymentId":"{TV1_ID}","paymentTypf":"qr","status":"SUCCESS","swiftMessageId":"dc00bf4d-5b2e-4c61-9a57-3f0d2c1e8a90","terminalId":"CMTBMD2X","zz":"TE0001"}}"#
        ),
    );
    let server = server().await;
    mount_payment(&server, TV1_ID, tv1_payment("SUCCESS")).await;
    let client = client(&server);
    assert_signed_path_is_not_fit(&client, &forged).await;
    let event = signed(&client, &forged).await.unwrap();
    assert!(!event.is_fit_for_fulfilment());
    let from_forgery = confirmed(&client, &forged).await.unwrap();
    let from_genuine = confirmed(&client, &genuine).await.unwrap();
    assert_eq!(from_forgery, from_genuine);
}

#[tokio::test]
async fn a_genuine_callback_is_refused_when_miapos_says_otherwise() {
    // A replayed or stale callback: the signature is genuine, miaPOS's answer is not the same
    // payment state, amount or order.
    let genuine = vector_body("V1");
    for (answer, field) in [
        (tv1_payment("PENDING"), "status"),
        (tv1_payment("FAILED"), "status"),
        (
            {
                let mut a = tv1_payment("SUCCESS");
                a["amount"] = json!(14.52);
                a
            },
            "amount",
        ),
        (
            {
                let mut a = tv1_payment("SUCCESS");
                a["orderId"] = json!("order-124");
                a
            },
            "orderId",
        ),
        (
            {
                let mut a = tv1_payment("SUCCESS");
                a["currency"] = json!("EUR");
                a
            },
            "currency",
        ),
        (
            {
                let mut a = tv1_payment("SUCCESS");
                a["currency"] = json!("XYZ");
                a
            },
            "amount",
        ),
    ] {
        let server = server().await;
        mount_payment(&server, TV1_ID, answer).await;
        let error = confirmed(&client(&server), &genuine).await.unwrap_err();
        assert!(
            matches!(&error, Error::Integrity { field: f, .. } if f == field),
            "{field}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_payment_that_moved_on_confirms_with_its_current_state_and_key() {
    // A PENDING callback confirmed after the payment succeeded: the event carries SUCCESS, and
    // its dedupe key names that state (so the SUCCESS callback, if it comes, is a duplicate).
    let server = server().await;
    mount_payment(
        &server,
        "11111111-2222-3333-4444-555555555555",
        json!({
            "terminalId": "TE0001", "orderId": "A-78",
            "paymentId": "11111111-2222-3333-4444-555555555555", "status": "SUCCESS",
            "amount": 100, "currency": "MDL", "paymentType": "qr"
        }),
    )
    .await;
    let client = client(&server);
    let pending = vector_body("V4");
    let signed_event = signed(&client, &pending).await.unwrap();
    assert_eq!(
        signed_event.dedupe_key,
        "11111111-2222-3333-4444-555555555555:PENDING"
    );
    let event = confirmed(&client, &pending).await.unwrap();
    assert_eq!(event.payment().unwrap().status, PaymentStatus::Captured);
    assert_eq!(
        event.dedupe_key,
        "11111111-2222-3333-4444-555555555555:SUCCESS"
    );
}

#[tokio::test]
async fn dedupe_keys_name_the_event_not_just_the_payment() {
    let signer = signer();
    let body = |status: &str| {
        signer
            .signed_body(&format!(
                r#"{{"amount":145.25,"currency":"MDL","orderId":"order-123","paymentId":"{TV1_ID}","paymentType":"qr","status":"{status}","terminalId":"TE0001"}}"#
            ))
            .unwrap()
    };
    let server = server().await;
    let client = client(&server);
    let mut keys = Vec::new();
    for status in ["CREATED", "PENDING", "SUCCESS"] {
        let event = signed(&client, &body(status)).await.unwrap();
        keys.push(event.dedupe_key.clone());
        // The same callback delivered again has the same key.
        let again = signed(&client, &body(status)).await.unwrap();
        assert_eq!(again.dedupe_key, event.dedupe_key);
    }
    keys.dedup();
    assert_eq!(keys.len(), 3, "{keys:?}");
}
