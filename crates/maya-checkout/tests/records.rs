//! What the common traits write to the payment records: created payments, refunds before they
//! are sent and settled after, voids; and a store that fails.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use common::{builder, clock_at};
use paykit_core::{
    Currency, Error, Flow, InMemoryPaymentRecords, Money, PaymentProvider, PaymentRecord,
    PaymentRecords, PaymentRequest, PaymentStatus, ProviderId, RefundState,
};
use paykit_maya_checkout::{MayaCheckoutClient, PROVIDER};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PID: &str = "7ea1f6ef-035c-4fcd-85e0-037c8d9d4a2c";

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

fn recording(base: &str, records: Arc<dyn PaymentRecords>) -> MayaCheckoutClient {
    builder(base)
        .records(records)
        .clock(clock_at("2026-01-06T04:00:00Z"))
        .build()
        .unwrap()
}

/// A payment made yesterday (Manila), and no refunds yet.
async fn paid_yesterday(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("/payments/v1/payments/{PID}")))
        .respond_with(json(
            200,
            &format!(
                r#"{{"id":"{PID}","status":"PAYMENT_SUCCESS","amount":"249.50","currency":"PHP","createdAt":"2026-01-05T01:00:00.000Z","requestReferenceNumber":"order-1"}}"#
            ),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/payments/v1/payments/{PID}/refunds")))
        .respond_with(json(200, "[]"))
        .mount(server)
        .await;
}

async fn refund_answers(server: &MockServer, status: u16, body: &str) {
    Mock::given(method("POST"))
        .and(path(format!("/payments/v1/payments/{PID}/refunds")))
        .respond_with(json(status, body))
        .expect(1)
        .mount(server)
        .await;
}

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

async fn record(records: &InMemoryPaymentRecords, id: &str) -> PaymentRecord {
    records.get(PROVIDER, id).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_created_checkout_is_recorded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/checkout/v1/checkouts"))
        .respond_with(json(
            200,
            r#"{"checkoutId":"c-1","redirectUrl":"https://pay.example/c-1"}"#,
        ))
        .mount(&server)
        .await;
    let records = Arc::new(InMemoryPaymentRecords::new());
    let request = PaymentRequest::new(php("249.50"))
        .order_id("order-1")
        .return_url("https://shop.example.ph/r");
    recording(&server.uri(), records.clone())
        .create_payment(&request)
        .await
        .unwrap();
    let stored = record(&records, "c-1").await;
    assert_eq!(stored.flow, Some(Flow::Pay));
    assert_eq!(stored.amount, Some(php("249.50")));
    assert_eq!(stored.ids.merchant_reference.as_deref(), Some("order-1"));
    assert_eq!(stored.last_status, Some(PaymentStatus::RequiresAction));
}

#[tokio::test]
async fn a_refund_is_requested_then_confirmed() {
    let server = MockServer::start().await;
    paid_yesterday(&server).await;
    refund_answers(
        &server,
        200,
        &format!(r#"{{"id":"rf-1","payment":"{PID}","amount":"100.00","currency":"PHP","status":"SUCCESS"}}"#),
    )
    .await;
    let records = Arc::new(InMemoryPaymentRecords::new());
    let client = recording(&server.uri(), records.clone());
    let outcome = PaymentProvider::refund(&client)
        .unwrap()
        .refund(PID, Some(php("100.00")))
        .await
        .unwrap();
    assert_eq!(outcome.status, PaymentStatus::PartiallyRefunded);
    let stored = record(&records, PID).await;
    assert_eq!(stored.refunds.len(), 1);
    assert_eq!(stored.refunds[0].state, RefundState::Confirmed);
    assert_eq!(stored.refunds[0].amount, php("100.00"));
    assert_eq!(stored.last_status, Some(PaymentStatus::PartiallyRefunded));
}

#[tokio::test]
async fn a_refused_refund_is_recorded_refused() {
    let server = MockServer::start().await;
    paid_yesterday(&server).await;
    refund_answers(
        &server,
        401,
        r#"{"code":"PY0047","message":"Payment is ineligible for refund."}"#,
    )
    .await;
    let records = Arc::new(InMemoryPaymentRecords::new());
    let client = recording(&server.uri(), records.clone());
    let refund = PaymentProvider::refund(&client).unwrap();
    assert!(refund.refund(PID, Some(php("100.00"))).await.is_err());
    let stored = record(&records, PID).await;
    assert_eq!(stored.refunds[0].state, RefundState::Refused);
}

#[tokio::test]
async fn an_unknown_refund_stays_requested_for_the_reconciler() {
    let server = MockServer::start().await;
    paid_yesterday(&server).await;
    refund_answers(
        &server,
        400,
        r#"{"code":"PY9999","message":"Request timed out."}"#,
    )
    .await;
    let records = Arc::new(InMemoryPaymentRecords::new());
    let client = recording(&server.uri(), records.clone());
    let refund = PaymentProvider::refund(&client).unwrap();
    let error = refund.refund(PID, Some(php("100.00"))).await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    let stored = record(&records, PID).await;
    assert_eq!(stored.refunds[0].state, RefundState::Requested);
    assert!(!stored.is_settled());
}

/// A store that refuses every write.
struct Broken;

#[async_trait]
impl PaymentRecords for Broken {
    async fn get(&self, _: ProviderId, _: &str) -> paykit_core::Result<Option<PaymentRecord>> {
        Ok(None)
    }
    async fn put(&self, _: &PaymentRecord) -> paykit_core::Result<()> {
        Err(Error::store("memory", "put record", "disk full"))
    }
    async fn unsettled(&self, _: SystemTime, _: usize) -> paykit_core::Result<Vec<PaymentRecord>> {
        Ok(Vec::new())
    }
}

#[tokio::test]
async fn a_store_that_fails_stops_the_refund_before_it_is_sent() {
    let server = MockServer::start().await;
    paid_yesterday(&server).await;
    Mock::given(method("POST"))
        .respond_with(json(200, "{}"))
        .expect(0)
        .mount(&server)
        .await;
    let client = recording(&server.uri(), Arc::new(Broken));
    let refund = PaymentProvider::refund(&client).unwrap();
    let error = refund.refund(PID, Some(php("100.00"))).await.unwrap_err();
    assert!(matches!(error, Error::Store { .. }), "{error}");
}

#[tokio::test]
async fn a_store_that_fails_after_a_charge_is_not_recorded_not_a_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payby/v2/paymaya/link/l-1/execute"))
        .respond_with(json(
            200,
            r#"{"id":"p-9","status":"PAYMENT_SUCCESS","amount":150.00,"currency":"PHP","requestReferenceNumber":"sub-1"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = recording(&server.uri(), Arc::new(Broken));
    let charge = paykit_core::SavedCardCharge::new(
        "wallet:l-1",
        paykit_core::CardUsage::Recurring,
        PaymentRequest::new(php("150.00")).order_id("sub-1"),
    );
    let error = PaymentProvider::recurring(&client)
        .unwrap()
        .charge_saved_card(&charge)
        .await
        .unwrap_err();
    let Error::NotRecorded { outcome, .. } = &error else {
        panic!("expected NotRecorded, got {error}");
    };
    assert_eq!(outcome.provider_payment_id, "p-9");
    assert_eq!(outcome.status, PaymentStatus::Captured);
}
