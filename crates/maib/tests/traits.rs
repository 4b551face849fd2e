//! paykit's common traits over maib, against wiremock.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use std::net::Ipv4Addr;

use common::*;
use paykit_core::{
    CaptureMode, CardUsage, Currency, Customer, Error, Money, NextAction, PaymentProvider,
    PaymentRequest, PaymentStatus, SavedCardCharge, Webhook, WebhookRequest,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn customer() -> Customer {
    Customer::default()
        .ip(Ipv4Addr::new(135, 250, 245, 121))
        .email("ion@example.md")
}

fn request(amount: &str, currency: Currency) -> PaymentRequest {
    PaymentRequest::new(Money::parse(amount, currency).unwrap())
        .order_id("123")
        .customer(customer())
}

#[tokio::test]
async fn create_payment_is_pay_or_hold() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    for endpoint in ["/v1/pay", "/v1/hold"] {
        Mock::given(method("POST"))
            .and(path(endpoint))
            .and(body_json(json!({"amount": 10.25, "currency": "MDL",
                                  "clientIp": "135.250.245.121", "language": "ro",
                                  "email": "ion@example.md", "orderId": "123",
                                  "okUrl": "https://shop.example.md/ok",
                                  // core's fallback: no fail_url, so the return URL
                                  "failUrl": "https://shop.example.md/ok"})))
            .respond_with(ok(
                json!({"payId": PAY_ID, "orderId": "123", "payUrl": PAY_URL}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let provider: &dyn PaymentProvider = &client;
    let base = request("10.25", Currency::MDL)
        .language("ro")
        .return_url("https://shop.example.md/ok");
    for mode in [CaptureMode::Automatic, CaptureMode::Manual] {
        let outcome = provider
            .create_payment(&base.clone().capture(mode))
            .await
            .unwrap();
        assert_eq!(outcome.provider_payment_id, PAY_ID);
        assert_eq!(outcome.status, PaymentStatus::RequiresAction);
        assert_eq!(
            outcome.next_action,
            NextAction::Redirect {
                url: PAY_URL.to_owned()
            }
        );
        assert_eq!(outcome.amount.unwrap().to_fixed_string(), "10.25");
        assert_eq!(outcome.order_id.as_deref(), Some("123"));
    }
}

#[tokio::test]
async fn capabilities_are_enforced_before_any_io() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let provider: &dyn PaymentProvider = &client;
    assert!(provider.void().is_none(), "maib v1 has no void");
    assert!(!provider.capabilities().void);
    for (request, field) in [
        (request("10", Currency::GEL), "currency"),
        (request("0.50", Currency::MDL), "amount"),
        (
            PaymentRequest::new(Money::parse("10", Currency::MDL).unwrap()),
            "customer.ip",
        ),
        (request("10", Currency::MDL).language("de"), "language"),
    ] {
        let err = provider.create_payment(&request).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { field: ref f, .. } if f == field),
            "{field}: {err:?}"
        );
    }
    let refunds = provider.refund().unwrap();
    let err = refunds
        .refund(PAY_ID, Some(Money::zero(Currency::MDL)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn get_payment_maps_pay_info() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .and(NoBodyNoContentType)
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "status": "FAILED",
                                "statusCode": "116",
                                "statusMessage": "Decline, not sufficient funds",
                                "amount": 10.25, "currency": "MDL"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = client(&server).get_payment(PAY_ID).await.unwrap();
    assert_eq!(
        outcome.status,
        PaymentStatus::Failed {
            reason: Some("Decline, not sufficient funds".into())
        }
    );
    assert_eq!(outcome.raw_status.as_deref(), Some("FAILED"));
    assert_eq!(outcome.amount.unwrap().to_fixed_string(), "10.25");
}

async fn mount_link(server: &MockServer, endpoint: &str) {
    Mock::given(method("POST"))
        .and(path(endpoint))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "payUrl": PAY_URL}),
        ))
        .expect(1)
        .mount(server)
        .await;
}

async fn mount_pay_info(server: &MockServer, info: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ok(info))
        .mount(server)
        .await;
}

async fn mount_refund(server: &MockServer, body: serde_json::Value, answer: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .and(body_json(body))
        .respond_with(ok(answer))
        .expect(1)
        .mount(server)
        .await;
}

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

#[tokio::test]
async fn capture_then_partial_refund_of_what_was_captured() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/complete"))
        .and(body_json(json!({"payId": PAY_ID, "confirmAmount": 8.00})))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "124", "status": "OK",
                                "statusCode": "000", "statusMessage": "Approved",
                                "confirmAmount": 8.00}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "status": "OK", "amount": 10.25, "confirmAmount": 8.00,
               "currency": "EUR"}),
    )
    .await;
    mount_refund(
        &server,
        json!({"payId": PAY_ID, "refundAmount": 3.00}),
        json!({"payId": PAY_ID, "orderId": "124", "status": "OK", "statusCode": "400",
               "statusMessage": "Accepted", "refundAmount": 3.00}),
    )
    .await;
    let client = client(&server);
    let provider: &dyn PaymentProvider = &client;
    let eur = |s: &str| Money::parse(s, Currency::EUR).unwrap();
    let captured = provider
        .capture()
        .unwrap()
        .capture(PAY_ID, Some(eur("8")))
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(captured.amount, Some(eur("8")));
    let refunds = provider.refund().unwrap();
    let partial = refunds.refund(PAY_ID, Some(eur("3"))).await.unwrap();
    assert_eq!(partial.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(partial.refunded, Some(eur("3")));
    // After the capture, the client knows it was a hold that was completed.
    let record = client
        .payment_records()
        .get(paykit_maib::PROVIDER, PAY_ID)
        .await
        .unwrap();
    assert_eq!(record.unwrap().flow, Some(paykit_core::Flow::Hold));
}

#[tokio::test]
async fn a_refund_of_the_whole_amount_named_is_refunded_not_partially() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    mount_link(&server, "/v1/pay").await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "status": "OK", "amount": 10.25, "currency": "MDL"}),
    )
    .await;
    mount_refund(
        &server,
        json!({"payId": PAY_ID, "refundAmount": 10.25}),
        json!({"payId": PAY_ID, "status": "OK", "statusCode": "400",
               "statusMessage": "Accepted", "refundAmount": 10.25}),
    )
    .await;
    let client = client(&server);
    client
        .create_payment(&request("10.25", Currency::MDL))
        .await
        .unwrap();
    let full = client
        .refund()
        .unwrap()
        .refund(PAY_ID, Some(mdl("10.25")))
        .await
        .unwrap();
    assert_eq!(full.status, PaymentStatus::Refunded);
    assert_eq!(full.refunded, Some(mdl("10.25")));
    assert_eq!(full.amount, Some(mdl("10.25")));
}

#[tokio::test]
async fn a_refund_of_an_uncompleted_hold_releases_it() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    mount_link(&server, "/v1/hold").await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "status": "OK", "amount": 25.00, "currency": "MDL"}),
    )
    .await;
    mount_refund(
        &server,
        json!({"payId": PAY_ID}),
        json!({"payId": PAY_ID, "status": "OK", "statusCode": "400",
               "statusMessage": "Accepted", "refundAmount": 25.00}),
    )
    .await;
    let client = client(&server);
    let held = request("25", Currency::MDL).capture(CaptureMode::Manual);
    client.create_payment(&held).await.unwrap();
    let released = client.refund().unwrap().refund(PAY_ID, None).await.unwrap();
    assert_eq!(released.status, PaymentStatus::Cancelled);
    assert_eq!(released.refunded, None);
}

#[tokio::test]
async fn a_whole_refund_of_a_payment_without_a_record_is_refused_before_sending() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "status": "OK", "amount": 10.25, "currency": "MDL"}),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .and(body_json(json!({"payId": PAY_ID})))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .and(body_json(json!({"payId": PAY_ID, "refundAmount": 11.00})))
        .respond_with(errors(
            409,
            "13102",
            "Refund amount exceeds the payment amount",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client
        .refund()
        .unwrap()
        .refund(PAY_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { operation, .. } if operation.contains("PayInfo::outcome")),
        "{err:?}"
    );
    // A partial refund is unambiguous: maib refuses partial refunds of holds (13110).
    let err = client
        .refund()
        .unwrap()
        .refund(PAY_ID, Some(mdl("11")))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("13102"), "{err:?}");
    // A refund in another currency than the payment's is refused before sending.
    let err = client
        .refund()
        .unwrap()
        .refund(PAY_ID, Some(Money::parse("1", Currency::EUR).unwrap()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "amount"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_reversed_refund_is_a_refusal_never_a_refund() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    mount_link(&server, "/v1/pay").await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "status": "OK", "amount": 10.25, "refundAmount": 10.25,
               "currency": "MDL"}),
    )
    .await;
    mount_refund(
        &server,
        json!({"payId": PAY_ID}),
        json!({"payId": PAY_ID, "status": "REVERSED", "statusCode": "400",
               "statusMessage": "Accepted", "refundAmount": 10.25}),
    )
    .await;
    let client = client(&server);
    client
        .create_payment(&request("10.25", Currency::MDL))
        .await
        .unwrap();
    let err = client
        .refund()
        .unwrap()
        .refund(PAY_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { code, retryable: false, .. } if code == "REVERSED"),
        "{err:?}"
    );
    assert!(!err.outcome_unknown() && !err.is_retryable());
}

#[tokio::test]
async fn get_payment_never_reads_an_uncompleted_hold_as_captured() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 2).await;
    mount_link(&server, "/v1/hold").await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 25.00,
               "currency": "MDL"}),
    )
    .await;
    let client = client(&server);
    let held = request("25", Currency::MDL).capture(CaptureMode::Manual);
    client.create_payment(&held).await.unwrap();
    let outcome = client.get_payment(PAY_ID).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Authorized);
    // Another client, without the record: it does not guess.
    let stranger = common::client(&server);
    let err = stranger.get_payment(PAY_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { operation, .. }
            if operation.contains("MaibClient::pay_info") && operation.contains("PaymentFlow")),
        "{err:?}"
    );
    assert!(err.to_string().contains(PAY_ID), "{err}");
}

#[tokio::test]
async fn shared_records_tell_another_client_the_flow() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 2).await;
    mount_link(&server, "/v1/pay").await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "status": "OK", "amount": 10.25, "currency": "MDL"}),
    )
    .await;
    let records = std::sync::Arc::new(paykit_core::InMemoryPaymentRecords::new());
    let build = || {
        paykit_maib::MaibClient::builder(
            PROJECT_ID,
            paykit_core::SecretString::from(PROJECT_SECRET),
        )
        .base_url(server.uri())
        .payment_records(records.clone())
        .build()
        .unwrap()
    };
    build()
        .create_payment(&request("10.25", Currency::MDL))
        .await
        .unwrap();
    let outcome = build().get_payment(PAY_ID).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Captured);
}

#[tokio::test]
async fn recurring_save_charge_delete() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/savecard-recurring"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "payUrl": PAY_URL}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/savecard-oneclick"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "payUrl": PAY_URL}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/execute-recurring"))
        .and(body_json(
            json!({"billerId": BILLER_ID, "amount": 6.25, "currency": "EUR",
                              "orderId": "123"}),
        ))
        .respond_with(ok(json!({"payId": "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5",
                                "billerId": BILLER_ID, "orderId": "123", "status": "OK",
                                "statusCode": "000", "statusMessage": "Approved",
                                "amount": 6.25, "currency": "EUR"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/execute-oneclick"))
        .respond_with(ok(json!({"payId": "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5",
                                "orderId": "123", "payUrl": PAY_URL})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v1/delete-card/{BILLER_ID}")))
        .and(NoBodyNoContentType)
        .respond_with(ok(json!({"billerId": BILLER_ID, "status": "OK"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let provider: &dyn PaymentProvider = &client;
    let recurring = provider.recurring().unwrap();
    // A zero amount registers the card without a payment (no `amount` on the wire).
    let save = recurring
        .save_card(&request("0", Currency::EUR), CardUsage::Recurring)
        .await
        .unwrap();
    assert_eq!(save.status, PaymentStatus::RequiresAction);
    assert!(save.amount.is_none());
    let sent = sent_json(&server, 1).await;
    assert!(sent.get("amount").is_none(), "{sent}");
    assert_eq!(sent["billerExpiry"].as_str().unwrap().len(), 4);
    recurring
        .save_card(&request("6.25", Currency::EUR), CardUsage::OneClick)
        .await
        .unwrap();
    let charge = recurring
        .charge_saved_card(&SavedCardCharge::new(
            BILLER_ID,
            CardUsage::Recurring,
            request("6.25", Currency::EUR),
        ))
        .await
        .unwrap();
    assert_eq!(charge.status, PaymentStatus::Captured);
    assert_eq!(charge.saved_card.unwrap().id, BILLER_ID);
    let oneclick = recurring
        .charge_saved_card(&SavedCardCharge::new(
            BILLER_ID,
            CardUsage::OneClick,
            request("6.25", Currency::EUR),
        ))
        .await
        .unwrap();
    assert_eq!(oneclick.status, PaymentStatus::RequiresAction);
    recurring.delete_saved_card(BILLER_ID).await.unwrap();
}

#[tokio::test]
async fn delete_saved_card_needs_ok() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v1/delete-card/{BILLER_ID}")))
        .respond_with(ok(json!({"billerId": BILLER_ID, "status": "FAILED"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = paykit_core::Recurring::delete_saved_card(&client, BILLER_ID)
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("FAILED"));
}

#[tokio::test]
async fn the_client_verifies_callbacks_with_the_flow_it_recorded() {
    let body = br#"{"result":{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"},"signature":"5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="}"#;
    for (endpoint, capture, status) in [
        ("/v1/pay", CaptureMode::Automatic, PaymentStatus::Captured),
        ("/v1/hold", CaptureMode::Manual, PaymentStatus::Authorized),
    ] {
        let server = MockServer::start().await;
        mount_token(&server, "test-access-token", 300, 1).await;
        mount_link(&server, endpoint).await;
        let client = client(&server);
        client
            .create_payment(&request("10.25", Currency::MDL).capture(capture))
            .await
            .unwrap();
        let event = client
            .verify(&WebhookRequest::body_only(body))
            .await
            .unwrap();
        assert_eq!(event.dedupe_key, format!("{PAY_ID}:OK"));
        assert_eq!(event.payment().unwrap().status, status, "{endpoint}");
        // Signed only: fit for fulfilment after confirmation.
        assert!(!event.is_fit_for_fulfilment());
    }
}

/// A store that reads nothing and cannot write.
struct BrokenRecords;

#[async_trait::async_trait]
impl paykit_core::PaymentRecords for BrokenRecords {
    async fn get(
        &self,
        _provider: paykit_core::ProviderId,
        _id: &str,
    ) -> paykit_core::Result<Option<paykit_core::PaymentRecord>> {
        Ok(None)
    }

    async fn put(&self, _record: &paykit_core::PaymentRecord) -> paykit_core::Result<()> {
        Err(Error::store("test", "put record", "the store is down"))
    }

    async fn unsettled(
        &self,
        _before: std::time::SystemTime,
        _limit: usize,
    ) -> paykit_core::Result<Vec<paykit_core::PaymentRecord>> {
        Err(Error::store("test", "list records", "the store is down"))
    }
}

#[tokio::test]
async fn a_payment_maib_registered_but_the_records_lost_is_not_recorded_not_failed() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    mount_link(&server, "/v1/hold").await;
    let client = paykit_maib::MaibClient::builder(
        PROJECT_ID,
        paykit_core::SecretString::from(PROJECT_SECRET),
    )
    .base_url(server.uri())
    .payment_records(std::sync::Arc::new(BrokenRecords))
    .build()
    .unwrap();
    let held = request("25", Currency::MDL).capture(CaptureMode::Manual);
    let err = client.create_payment(&held).await.unwrap_err();
    let Error::NotRecorded {
        outcome, payment, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    // maib has the payment: the merchant keeps its redirect and ids, and records it later.
    assert_eq!(outcome.provider_payment_id, PAY_ID);
    assert!(matches!(outcome.next_action, NextAction::Redirect { .. }));
    assert_eq!(payment.provider_payment_id.as_deref(), Some(PAY_ID));
    assert_eq!(payment.merchant_reference.as_deref(), Some("123"));
    assert!(!err.is_retryable());
}
