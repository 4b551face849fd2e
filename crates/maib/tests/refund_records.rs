//! Refunds in the payment records (DESIGN.md §9): written `Requested` before maib receives
//! them, then `Accepted` or `Refused` from the answer, left `Requested` when the answer is
//! lost; a store that fails before sending stops the refund, one that fails after maib
//! refunded is `NotRecorded`.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use std::sync::{Arc, Mutex};

use common::records::TestRecords;
use common::*;
use paykit_core::{
    Currency, Error, Flow, Money, PaymentProvider, PaymentRecord, PaymentRecords, PaymentRef,
    PaymentStatus, RefundState, SecretString,
};
use paykit_maib::{MaibClient, PROVIDER};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

/// A client on `server` writing to `records`.
fn client_on(server: &MockServer, records: &Arc<TestRecords>) -> MaibClient {
    MaibClient::builder(PROJECT_ID, SecretString::from(PROJECT_SECRET))
        .base_url(server.uri())
        .payment_records(records.clone())
        .build()
        .unwrap()
}

/// Records holding `PAY_ID` as created by `flow` for 10.25 MDL, order `123`, now `status`.
async fn records_with(flow: Flow, status: PaymentStatus) -> Arc<TestRecords> {
    let records = Arc::new(TestRecords::new());
    let mut record = PaymentRecord::new(PROVIDER, PAY_ID)
        .with_flow(flow)
        .with_amount(Some(mdl("10.25")))
        .with_ids(&PaymentRef::new().merchant_reference("123"));
    record.last_status = Some(status);
    records.put(&record).await.unwrap();
    records
}

/// maib's refund answer.
fn refund_answer(status: &str, amount: &str) -> Value {
    json!({"payId": PAY_ID, "orderId": "123", "status": status, "statusCode": "400",
           "statusMessage": "Accepted", "refundAmount": amount.parse::<f64>().unwrap()})
}

/// Answers `answer`, noting the record as the store holds it when the refund arrives, and
/// then (if asked) taking the store down: what happens after the refund reached maib.
struct Witness {
    records: Arc<TestRecords>,
    seen: Arc<Mutex<Vec<Option<PaymentRecord>>>>,
    answer: ResponseTemplate,
    then_fail_writes: bool,
}

impl Respond for Witness {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.seen
            .lock()
            .unwrap()
            .push(self.records.snapshot(PAY_ID));
        if self.then_fail_writes {
            self.records.fail_writes();
        }
        self.answer.clone()
    }
}

/// Mounts `/v1/refund` answered by a [`Witness`]; returns what it saw.
async fn mount_witnessed_refund(
    server: &MockServer,
    records: &Arc<TestRecords>,
    answer: ResponseTemplate,
    then_fail_writes: bool,
) -> Arc<Mutex<Vec<Option<PaymentRecord>>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(Witness {
            records: records.clone(),
            seen: seen.clone(),
            answer,
            then_fail_writes,
        })
        .expect(1)
        .mount(server)
        .await;
    seen
}

async fn mount_pay_info(server: &MockServer, info: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(ok(info))
        .mount(server)
        .await;
}

/// The refund entries of the stored record: amount and state.
fn entries(records: &TestRecords) -> Vec<(Money, RefundState)> {
    records
        .snapshot(PAY_ID)
        .unwrap()
        .refunds
        .iter()
        .map(|r| (r.amount, r.state))
        .collect()
}

/// The one record the refund's request saw.
fn seen_once(seen: &Mutex<Vec<Option<PaymentRecord>>>) -> PaymentRecord {
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "the refund reached maib once");
    seen[0]
        .clone()
        .expect("a record existed when maib received the refund")
}

#[tokio::test]
async fn a_refund_is_requested_in_the_records_before_maib_receives_it_then_accepted() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    let records = records_with(Flow::Pay, PaymentStatus::Captured).await;
    let seen =
        mount_witnessed_refund(&server, &records, ok(refund_answer("OK", "4.00")), false).await;
    let client = client_on(&server, &records);
    client
        .refund_payment(PAY_ID, Some(mdl("4").amount()))
        .await
        .unwrap();

    // When maib received the refund, the record already held it, requested; a reader on
    // another instance would see an unsettled record, not a settled capture.
    let before = seen_once(&seen);
    let states: Vec<_> = before.refunds.iter().map(|r| (r.amount, r.state)).collect();
    assert_eq!(states, vec![(mdl("4"), RefundState::Requested)]);
    assert!(!before.is_settled());
    assert_eq!(before.last_status, Some(PaymentStatus::Captured));

    // From maib's answer: accepted, and the payment partially refunded.
    assert_eq!(entries(&records), vec![(mdl("4"), RefundState::Accepted)]);
    let after = records.snapshot(PAY_ID).unwrap();
    assert_eq!(after.last_status, Some(PaymentStatus::PartiallyRefunded));
    assert!(after.is_settled());
    // Written before and after, no more.
    assert_eq!(records.writes(), 3);
}

#[tokio::test]
async fn a_full_refund_through_the_trait_is_entered_at_what_pay_info_shows_refundable() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    // A hold of 10.25 completed for 8.00: 8.00 is what can go back.
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "orderId": "123", "status": "OK", "amount": 10.25,
               "confirmAmount": 8.00, "currency": "MDL"}),
    )
    .await;
    let records = records_with(Flow::Hold, PaymentStatus::Captured).await;
    let seen =
        mount_witnessed_refund(&server, &records, ok(refund_answer("OK", "8.00")), false).await;
    let client = client_on(&server, &records);
    let outcome = client.refund().unwrap().refund(PAY_ID, None).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Refunded);

    let before = seen_once(&seen);
    let states: Vec<_> = before.refunds.iter().map(|r| (r.amount, r.state)).collect();
    assert_eq!(states, vec![(mdl("8"), RefundState::Requested)]);
    assert_eq!(entries(&records), vec![(mdl("8"), RefundState::Accepted)]);
    assert_eq!(
        records.snapshot(PAY_ID).unwrap().last_status,
        Some(PaymentStatus::Refunded)
    );
}

#[tokio::test]
async fn a_native_full_refund_after_a_partial_capture_is_entered_at_the_amount_captured() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/complete"))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "status": "OK",
                                "statusCode": "000", "statusMessage": "Approved",
                                "confirmAmount": 8.00}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let records = records_with(Flow::Hold, PaymentStatus::Authorized).await;
    let seen =
        mount_witnessed_refund(&server, &records, ok(refund_answer("OK", "8.00")), false).await;
    let client = client_on(&server, &records);
    client
        .complete(PAY_ID, Some(mdl("8").amount()))
        .await
        .unwrap();
    // The capture recorded what it took: the rest of the hold was released.
    assert_eq!(records.snapshot(PAY_ID).unwrap().amount, Some(mdl("8")));
    client.refund_payment(PAY_ID, None).await.unwrap();

    let before = seen_once(&seen);
    assert_eq!(before.refunds.len(), 1);
    assert_eq!(before.refunds[0].amount, mdl("8"));
    assert_eq!(entries(&records), vec![(mdl("8"), RefundState::Accepted)]);
    assert_eq!(
        records.snapshot(PAY_ID).unwrap().last_status,
        Some(PaymentStatus::Refunded)
    );
}

#[tokio::test]
async fn a_refusal_is_refused_in_the_records_and_the_state_stays() {
    // The native call's REVERSED (200) and the trait's 13116 (409): both "already refunded".
    for (trait_call, answer) in [
        (false, ok(refund_answer("REVERSED", "10.25"))),
        (true, errors(409, "13116", "Payment is already refunded")),
    ] {
        let server = MockServer::start().await;
        mount_token(&server, "test-access-token", 300, 1).await;
        mount_pay_info(
            &server,
            json!({"payId": PAY_ID, "status": "OK", "amount": 10.25, "currency": "MDL"}),
        )
        .await;
        let records = records_with(Flow::Pay, PaymentStatus::Captured).await;
        let seen = mount_witnessed_refund(&server, &records, answer, false).await;
        let client = client_on(&server, &records);
        let err = if trait_call {
            client
                .refund()
                .unwrap()
                .refund(PAY_ID, Some(mdl("5")))
                .await
                .unwrap_err()
        } else {
            client
                .refund_payment(PAY_ID, Some(mdl("5").amount()))
                .await
                .unwrap_err()
        };
        assert!(matches!(err, Error::Api { .. }), "{err:?}");
        assert_eq!(seen_once(&seen).refunds[0].state, RefundState::Requested);
        assert_eq!(entries(&records), vec![(mdl("5"), RefundState::Refused)]);
        let after = records.snapshot(PAY_ID).unwrap();
        assert_eq!(after.last_status, Some(PaymentStatus::Captured));
        assert!(after.is_settled(), "nothing is left to learn: {after:?}");
    }
}

#[tokio::test]
async fn a_lost_answer_leaves_the_refund_requested_and_the_record_unsettled() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    let records = records_with(Flow::Pay, PaymentStatus::Captured).await;
    mount_witnessed_refund(
        &server,
        &records,
        errors(500, "10000", "Internal error"),
        false,
    )
    .await;
    let client = client_on(&server, &records);
    let err = client
        .refund_payment(PAY_ID, Some(mdl("4").amount()))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(entries(&records), vec![(mdl("4"), RefundState::Requested)]);
    let after = records.snapshot(PAY_ID).unwrap();
    assert_eq!(after.last_status, Some(PaymentStatus::Captured));
    assert!(!after.is_settled(), "the reconciler must sweep it");
}

#[tokio::test]
async fn a_store_that_cannot_write_before_sending_stops_the_refund() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .respond_with(ok(refund_answer("OK", "4.00")))
        .expect(0)
        .mount(&server)
        .await;
    let records = records_with(Flow::Pay, PaymentStatus::Captured).await;
    records.fail_writes();
    let client = client_on(&server, &records);
    let err = client
        .refund_payment(PAY_ID, Some(mdl("4").amount()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Store { .. }), "{err:?}");
    assert!(!err.outcome_unknown());
    // Nothing reached maib (not even a token request), and the record is as it was.
    assert!(server.received_requests().await.unwrap().is_empty());
    assert!(entries(&records).is_empty());
}

#[tokio::test]
async fn a_store_that_fails_after_maib_refunded_is_not_recorded() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    let records = records_with(Flow::Pay, PaymentStatus::Captured).await;
    let seen =
        mount_witnessed_refund(&server, &records, ok(refund_answer("OK", "4.00")), true).await;
    let client = client_on(&server, &records);
    let err = client
        .refund_payment(PAY_ID, Some(mdl("4").amount()))
        .await
        .unwrap_err();
    let Error::NotRecorded {
        outcome, payment, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(outcome.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(outcome.refunded, Some(mdl("4")));
    assert_eq!(payment.provider_payment_id.as_deref(), Some(PAY_ID));
    assert_eq!(payment.merchant_reference.as_deref(), Some("123"));
    assert!(!err.is_retryable());
    // The entry written before sending is all the store holds: unsettled, so the
    // reconciler asks maib, and pay-info's refundAmount settles it.
    assert_eq!(seen_once(&seen).refunds[0].state, RefundState::Requested);
    assert_eq!(entries(&records), vec![(mdl("4"), RefundState::Requested)]);
    assert!(!records.snapshot(PAY_ID).unwrap().is_settled());
}

#[tokio::test]
async fn releasing_a_hold_enters_no_refund_and_records_it_cancelled() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    mount_pay_info(
        &server,
        json!({"payId": PAY_ID, "status": "OK", "amount": 10.25, "currency": "MDL"}),
    )
    .await;
    let records = records_with(Flow::Hold, PaymentStatus::Authorized).await;
    let seen =
        mount_witnessed_refund(&server, &records, ok(refund_answer("OK", "10.25")), false).await;
    let client = client_on(&server, &records);
    let outcome = client.refund().unwrap().refund(PAY_ID, None).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Cancelled);
    // No money was taken, so none goes back: no entry. The hold's record was not settled
    // before (authorized), so a lost answer would have been swept all the same.
    let before = seen_once(&seen);
    assert!(before.refunds.is_empty());
    assert!(!before.is_settled());
    let after = records.snapshot(PAY_ID).unwrap();
    assert!(after.refunds.is_empty());
    assert_eq!(after.last_status, Some(PaymentStatus::Cancelled));
}
