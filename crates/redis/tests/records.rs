//! RedisPaymentRecords: round trip, merges that never go backwards under concurrent writers,
//! and the unsettled index.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use paykit_core::store::{Flow, RefundRecord, RefundState};
use paykit_core::{
    Currency, Money, PaymentRecord, PaymentRecords, PaymentRef, PaymentStatus, ProviderId,
};
use redis::AsyncCommands;

const MAIB: ProviderId = ProviderId("maib");

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

fn record(id: &str, status: Option<PaymentStatus>) -> PaymentRecord {
    let mut record = PaymentRecord::new(MAIB, id).with_flow(Flow::Pay);
    record.last_status = status;
    record
}

#[tokio::test]
async fn a_record_reads_back_equal_and_stamped() {
    let records = common::stores("rec-round").await.records();
    let ids = PaymentRef::new()
        .provider_payment_id("pay:1")
        .provider_order_id("o-1")
        .payment_hash("hash-secret")
        .merchant_reference("shop-1");
    let mut written = PaymentRecord::new(ProviderId("ipay"), "pay:1")
        .with_ids(&ids)
        .with_flow(Flow::Hold)
        .with_amount(Some(mdl("12.50")));
    let mut refund = RefundRecord::requested(mdl("2.05"));
    refund.state = RefundState::Accepted;
    written.refunds.push(refund);
    written.last_status = Some(PaymentStatus::Failed {
        reason: Some("declined \"x\"".into()),
    });
    let before = SystemTime::now();
    records.put(&written).await.unwrap();
    let read = records
        .get(ProviderId("ipay"), "pay:1")
        .await
        .unwrap()
        .unwrap();
    assert!(read.updated_at >= before - Duration::from_millis(1));
    written.updated_at = read.updated_at;
    assert_eq!(read, written);
    assert!(records.get(MAIB, "pay:1").await.unwrap().is_none());
    assert!(
        records
            .get(ProviderId("ipay"), "pay")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_late_pending_does_not_undo_a_capture() {
    let records = common::stores("rec-back").await.records();
    records
        .put(&record("p1", Some(PaymentStatus::Captured)).with_amount(Some(mdl("10"))))
        .await
        .unwrap();
    records
        .put(&record("p1", Some(PaymentStatus::Pending)))
        .await
        .unwrap();
    let read = records.get(MAIB, "p1").await.unwrap().unwrap();
    assert_eq!(read.last_status, Some(PaymentStatus::Captured));
    assert_eq!(read.amount, Some(mdl("10")));
}

#[tokio::test]
async fn twenty_concurrent_writers_lose_no_refund() {
    let records = common::stores("rec-race").await.records();
    records.put(&record("p1", None)).await.unwrap();
    let mut writers = Vec::new();
    let mut ids = Vec::new();
    for n in 1..=20 {
        let refund = RefundRecord::requested(mdl(&format!("{n}.00")));
        ids.push(refund.id.clone());
        let records = Arc::clone(&records);
        writers.push(tokio::spawn(async move {
            // Each writer read the record before any refund existed.
            let mut mine = record("p1", None);
            mine.refunds.push(refund);
            records.put(&mine).await
        }));
    }
    for writer in writers {
        writer.await.unwrap().unwrap();
    }
    let read = records.get(MAIB, "p1").await.unwrap().unwrap();
    let mut stored: Vec<_> = read.refunds.iter().map(|r| r.id.clone()).collect();
    stored.sort();
    ids.sort();
    assert_eq!(stored, ids);
}

#[tokio::test]
async fn the_unsettled_index_lists_the_oldest_first_within_before_and_limit() {
    let records = common::stores("rec-index").await.records();
    let mut stamps = Vec::new();
    for id in ["a", "b:1", "c"] {
        records
            .put(&record(id, Some(PaymentStatus::Pending)))
            .await
            .unwrap();
        stamps.push(records.get(MAIB, id).await.unwrap().unwrap().updated_at);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    records
        .put(&record("settled", Some(PaymentStatus::Captured)))
        .await
        .unwrap();
    let now = SystemTime::now() + Duration::from_millis(1);
    let ids = |list: Vec<PaymentRecord>| -> Vec<String> {
        list.iter()
            .map(|r| r.provider_payment_id().to_owned())
            .collect()
    };
    assert_eq!(
        ids(records.unsettled(now, 10).await.unwrap()),
        ["a", "b:1", "c"]
    );
    assert_eq!(ids(records.unsettled(now, 2).await.unwrap()), ["a", "b:1"]);
    assert!(records.unsettled(now, 0).await.unwrap().is_empty());
    // `before` is exclusive: b:1 changed at stamps[1], so it is not "before" it.
    assert_eq!(ids(records.unsettled(stamps[1], 10).await.unwrap()), ["a"]);
    assert_eq!(
        ids(records
            .unsettled(stamps[1] + Duration::from_micros(1), 10)
            .await
            .unwrap()),
        ["a", "b:1"]
    );

    // Settled leaves the index; a pending refund brings a final payment back.
    records
        .put(&record("a", Some(PaymentStatus::Captured)))
        .await
        .unwrap();
    assert_eq!(ids(records.unsettled(now, 10).await.unwrap()), ["b:1", "c"]);
    let mut refunding = record("a", None);
    refunding.refunds.push(RefundRecord::requested(mdl("1")));
    records.put(&refunding).await.unwrap();
    let later = SystemTime::now() + Duration::from_millis(1);
    assert_eq!(
        ids(records.unsettled(later, 10).await.unwrap()),
        ["b:1", "c", "a"]
    );
}

#[tokio::test]
async fn an_unreadable_document_is_an_error_never_skipped() {
    let records = common::stores("rec-bad").await.records();
    records
        .put(&record("good", Some(PaymentStatus::Pending)))
        .await
        .unwrap();
    records
        .put(&record("bad", Some(PaymentStatus::Pending)))
        .await
        .unwrap();
    let key = format!("{}record:maib:bad", common::prefix("rec-bad"));
    let mut raw = common::raw().await;
    let _: () = raw
        .set(&key, r#"{"v":1,"hash":"hash-secret""#)
        .await
        .unwrap();
    let now = SystemTime::now() + Duration::from_millis(1);
    for error in [
        records.unsettled(now, 10).await.unwrap_err(),
        records.get(MAIB, "bad").await.unwrap_err(),
        records.put(&record("bad", None)).await.unwrap_err(),
    ] {
        let shown = error.to_string();
        assert!(shown.starts_with("redis store: "), "{shown}");
        assert!(shown.contains("unreadable stored value"), "{shown}");
        assert!(!shown.contains("hash-secret"), "{shown}");
    }
    // The damaged document was not overwritten by the failed put.
    let kept: String = raw.get(&key).await.unwrap();
    assert!(kept.contains("hash-secret"));
}
