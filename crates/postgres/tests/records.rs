//! Payment records on PostgreSQL: read back equal, never backwards, nothing lost to concurrent
//! writers, and the reconciler's sweep.

// Setup helpers are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use paykit_core::store::whole_millis;
use paykit_core::{
    Currency, Error, Flow, Money, PaymentRecord, PaymentRecords, PaymentRef, PaymentStatus,
    ProviderId, RefundRecord, RefundState,
};
use paykit_postgres::PgStores;
use paykit_postgres::sqlx;
use tokio::sync::Barrier;

const MAIB: ProviderId = ProviderId("maib");
const BOG: ProviderId = ProviderId("bog");

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

fn refund(amount: &str, state: RefundState) -> RefundRecord {
    let mut refund = RefundRecord::requested(mdl(amount));
    refund.state = state;
    refund
}

/// A record with every field set, the payment hash included.
fn full(id: &str) -> PaymentRecord {
    let ids = PaymentRef::new()
        .provider_payment_id(id)
        .provider_order_id("order-77")
        .payment_hash("hash-secret-0042")
        .merchant_reference("shop-77");
    let mut record = PaymentRecord::new(MAIB, id)
        .with_ids(&ids)
        .with_flow(Flow::Hold)
        .with_amount(Some(mdl("125.50")));
    record.refunds = vec![
        refund("10.00", RefundState::Confirmed),
        refund("0.05", RefundState::Requested),
    ];
    record.last_status = Some(PaymentStatus::Failed {
        reason: Some("declined \"51\"".into()),
    });
    record
}

#[tokio::test]
async fn a_record_reads_back_equal_in_full() {
    let (stores, _) = common::migrated("records_round_trip").await;
    let records = stores.records();
    let record = full("pay-1");
    let before = whole_millis(SystemTime::now());
    records.put(&record).await.unwrap();
    let after = SystemTime::now();

    let read = records.get(MAIB, "pay-1").await.unwrap().unwrap();
    // put stamps updated_at; everything else is what was written.
    assert!(read.updated_at >= before && read.updated_at <= after);
    let mut expected = record.clone();
    expected.updated_at = read.updated_at;
    assert_eq!(read, expected);
    assert_eq!(read.ids.payment_hash_secret(), Some("hash-secret-0042"));

    // Keyed by provider and id: the same id at another provider is another payment.
    assert!(records.get(BOG, "pay-1").await.unwrap().is_none());
    assert!(records.get(MAIB, "pay-2").await.unwrap().is_none());
    let minimal = PaymentRecord::new(BOG, "pay-1");
    records.put(&minimal).await.unwrap();
    let read = records.get(BOG, "pay-1").await.unwrap().unwrap();
    assert_eq!(
        (read.flow, read.amount, read.last_status),
        (None, None, None)
    );
    assert_eq!(
        records.get(MAIB, "pay-1").await.unwrap().unwrap().flow,
        Some(Flow::Hold)
    );
}

#[tokio::test]
async fn a_late_pending_never_overwrites_captured() {
    let (stores, url) = common::migrated("records_never_backwards").await;
    let records = stores.records();
    let mut captured = PaymentRecord::new(MAIB, "pay-1").with_flow(Flow::Hold);
    captured.last_status = Some(PaymentStatus::Captured);
    records.put(&captured).await.unwrap();

    // A slower writer that still believes the payment pending, and learned an order id.
    let mut stale =
        PaymentRecord::new(MAIB, "pay-1").with_ids(&PaymentRef::new().provider_order_id("order-9"));
    stale.last_status = Some(PaymentStatus::Pending);
    records.put(&stale).await.unwrap();

    let read = records.get(MAIB, "pay-1").await.unwrap().unwrap();
    assert_eq!(read.last_status, Some(PaymentStatus::Captured));
    assert_eq!(read.flow, Some(Flow::Hold));
    assert_eq!(read.ids.provider_order_id.as_deref(), Some("order-9"));

    // The query columns follow the document: rank 3 (captured), settled.
    let db = common::inspect(&url).await;
    let (rank, settled): (Option<i16>, bool) = sqlx::query_as(
        "SELECT status_rank, settled FROM paykit_payment_records WHERE provider_payment_id = 'pay-1'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((rank, settled), (Some(3), true));
    // updated_at is the document's time to the millisecond.
    let column_ms: i64 = sqlx::query_scalar(
        "SELECT (extract(epoch FROM updated_at) * 1000)::bigint FROM paykit_payment_records \
         WHERE provider_payment_id = 'pay-1'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let document_ms = read
        .updated_at
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    assert_eq!(u128::try_from(column_ms).unwrap(), document_ms);

    // A later state does move it on.
    let mut refunded = PaymentRecord::new(MAIB, "pay-1");
    refunded.last_status = Some(PaymentStatus::Refunded);
    records.put(&refunded).await.unwrap();
    let read = records.get(MAIB, "pay-1").await.unwrap().unwrap();
    assert_eq!(read.last_status, Some(PaymentStatus::Refunded));
}

/// `writers` tasks spread over `pools` pools, started together, each putting one refund of
/// its own onto payment `id` (read first when it exists, as a real writer does). Returns the
/// refund ids.
async fn race_refunds(url: &str, id: &str, writers: usize, pools: usize) -> Vec<String> {
    let mut stores = Vec::new();
    for _ in 0..pools {
        stores.push(PgStores::connect(url).await.unwrap());
    }
    let start = Arc::new(Barrier::new(writers));
    let mut tasks = Vec::new();
    for n in 0..writers {
        let records = stores[n % pools].records();
        let (start, id) = (start.clone(), id.to_owned());
        tasks.push(tokio::spawn(async move {
            let refund = refund(&format!("1.{n:02}"), RefundState::Accepted);
            let refund_id = refund.id.clone();
            start.wait().await;
            let mut record = records
                .get(MAIB, &id)
                .await
                .unwrap()
                .unwrap_or_else(|| PaymentRecord::new(MAIB, id.clone()));
            record.refunds.push(refund);
            records.put(&record).await.unwrap();
            refund_id
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_writers_each_add_a_refund_and_all_are_kept() {
    let (stores, url) = common::migrated("records_concurrent").await;
    // First round: the record does not exist yet, so all twenty race to create it.
    let first = race_refunds(&url, "pay-1", 20, 4).await;
    // Second round: twenty more onto the existing row.
    let second = race_refunds(&url, "pay-1", 20, 4).await;

    let read = stores.records().get(MAIB, "pay-1").await.unwrap().unwrap();
    let kept: Vec<&str> = read.refunds.iter().map(|r| r.id.as_str()).collect();
    let unique: HashSet<&str> = kept.iter().copied().collect();
    assert_eq!(kept.len(), 40, "{kept:?}");
    assert_eq!(unique.len(), 40, "a refund was duplicated: {kept:?}");
    for id in first.iter().chain(&second) {
        assert!(unique.contains(id.as_str()), "refund {id} was lost");
    }
    assert!(
        read.refunds
            .iter()
            .all(|r| r.state == RefundState::Accepted)
    );
}

/// Puts `record` and waits past the millisecond, so the next put is stamped later.
async fn put_in_turn(records: &dyn PaymentRecords, record: PaymentRecord) -> SystemTime {
    records.put(&record).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    SystemTime::now()
}

#[tokio::test]
async fn unsettled_is_oldest_first_before_a_time_and_leaves_settled_ones_out() {
    let (stores, _) = common::migrated("records_unsettled").await;
    let records = stores.records();
    let status = |id: &str, status: PaymentStatus| {
        let mut record = PaymentRecord::new(MAIB, id);
        record.last_status = Some(status);
        record
    };
    put_in_turn(records.as_ref(), status("old", PaymentStatus::Pending)).await;
    put_in_turn(records.as_ref(), status("settled", PaymentStatus::Captured)).await;
    // Final, but a refund awaits its answer: not settled.
    let mut refunding = status("refunding", PaymentStatus::Captured);
    refunding
        .refunds
        .push(refund("1.00", RefundState::Requested));
    put_in_turn(records.as_ref(), refunding).await;
    let cut = put_in_turn(records.as_ref(), PaymentRecord::new(MAIB, "no-state")).await;
    put_in_turn(records.as_ref(), status("too-new", PaymentStatus::Pending)).await;

    let ids = |found: Vec<PaymentRecord>| -> Vec<String> {
        found
            .iter()
            .map(|r| r.provider_payment_id().to_owned())
            .collect()
    };
    assert_eq!(
        ids(records.unsettled(cut, 10).await.unwrap()),
        ["old", "refunding", "no-state"]
    );
    assert_eq!(
        ids(records.unsettled(cut, 2).await.unwrap()),
        ["old", "refunding"]
    );
    assert!(records.unsettled(cut, 0).await.unwrap().is_empty());
    assert_eq!(
        ids(records.unsettled(SystemTime::now(), 10).await.unwrap()),
        ["old", "refunding", "no-state", "too-new"]
    );
    // Once the old one is settled it leaves the sweep.
    records
        .put(&status("old", PaymentStatus::Cancelled))
        .await
        .unwrap();
    assert_eq!(
        ids(records.unsettled(SystemTime::now(), 10).await.unwrap()),
        ["refunding", "no-state", "too-new"]
    );
}

#[tokio::test]
async fn an_unreadable_stored_document_is_an_error_never_skipped() {
    let (stores, url) = common::migrated("records_unreadable").await;
    let records = stores.records();
    records.put(&full("pay-1")).await.unwrap();
    records
        .put(&PaymentRecord::new(MAIB, "pay-2"))
        .await
        .unwrap();
    let db = common::inspect(&url).await;
    sqlx::query(
        "UPDATE paykit_payment_records SET document = replace(document, '\"hold\"', '\"bogus\"') \
         WHERE provider_payment_id = 'pay-1'",
    )
    .execute(&db)
    .await
    .unwrap();

    let failures = [
        records.get(MAIB, "pay-1").await.unwrap_err(),
        records.unsettled(SystemTime::now(), 10).await.unwrap_err(),
        records.put(&full("pay-1")).await.unwrap_err(),
    ];
    for error in failures {
        assert!(
            matches!(
                error,
                Error::Store {
                    backend: "postgres",
                    ..
                }
            ),
            "{error:?}"
        );
        let shown = error.to_string();
        assert!(shown.contains("unreadable stored record: flow"), "{shown}");
        assert!(!shown.contains("hash-secret"), "{shown}");
    }
    // The readable one is still served.
    assert!(records.get(MAIB, "pay-2").await.unwrap().is_some());
}
