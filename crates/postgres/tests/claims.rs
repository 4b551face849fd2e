//! Claims on PostgreSQL: one side effect per key across processes, released on failure,
//! lapsed after their time-to-live by the database's clock.

// Setup helpers are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use paykit_core::Error;
use paykit_core::store::{ClaimConfig, ClaimOutcome, ClaimStore, Handled, handle_once};
use paykit_postgres::PgStores;
use paykit_postgres::sqlx;
use tokio::sync::Barrier;

const KEY: &str = "callback:maib:pay-1:OK";

fn claimed(outcome: ClaimOutcome) -> paykit_core::store::Claim {
    match outcome {
        ClaimOutcome::Claimed(claim) => claim,
        other => panic!("expected a claim, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_deliveries_70_ms_apart_cause_one_side_effect() {
    let (first, url) = common::migrated("claims_two_deliveries").await;
    // The second delivery reaches another process: another pool.
    let second = PgStores::connect(&url).await.unwrap();
    let shipped = Arc::new(AtomicUsize::new(0));
    let config = ClaimConfig::default();
    let deliver = |stores: PgStores, delay: Duration| {
        let (shipped, config) = (shipped.clone(), config.clone());
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let claims = stores.claims();
            handle_once(claims.as_ref(), KEY, &config, || async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                shipped.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Error>("shipped")
            })
            .await
            .unwrap()
        })
    };
    let early = deliver(first.clone(), Duration::ZERO);
    let late = deliver(second.clone(), Duration::from_millis(70));
    assert_eq!(early.await.unwrap(), Handled::Ran("shipped"));
    assert_eq!(late.await.unwrap(), Handled::InProgress);
    assert_eq!(shipped.load(Ordering::SeqCst), 1);

    // A retry after the handler finished is recognised as done, by either process.
    for stores in [first, second] {
        let claims = stores.claims();
        let again = handle_once(claims.as_ref(), KEY, &config, || async {
            shipped.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Error>("shipped twice")
        })
        .await
        .unwrap();
        assert_eq!(again, Handled::AlreadyDone);
    }
    assert_eq!(shipped.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_twelve_simultaneous_claimants_on_three_pools_exactly_one_wins() {
    let (_, url) = common::migrated("claims_simultaneous").await;
    let mut pools = Vec::new();
    for _ in 0..3 {
        pools.push(PgStores::connect(&url).await.unwrap());
    }
    let start = Arc::new(Barrier::new(12));
    let mut tasks = Vec::new();
    for n in 0..12 {
        let (claims, start) = (pools[n % 3].claims(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            claims.claim(KEY, Duration::from_secs(30)).await.unwrap()
        }));
    }
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            ClaimOutcome::Claimed(_) => winners += 1,
            ClaimOutcome::InProgress => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(winners, 1);
}

#[tokio::test]
async fn a_failing_handler_releases_its_claim_for_the_retry() {
    let (stores, _) = common::migrated("claims_release").await;
    let claims = stores.claims();
    let config = ClaimConfig::default();
    let failed: Result<Handled<()>, Error> = handle_once(claims.as_ref(), KEY, &config, || async {
        Err(Error::invalid_input("order", "not ready"))
    })
    .await;
    assert!(failed.is_err());
    let retried = handle_once(claims.as_ref(), KEY, &config, || async {
        Ok::<_, Error>(7)
    })
    .await
    .unwrap();
    assert_eq!(retried, Handled::Ran(7));
    let third = handle_once(claims.as_ref(), KEY, &config, || async {
        Ok::<_, Error>(8)
    })
    .await
    .unwrap();
    assert_eq!(third, Handled::AlreadyDone);
}

#[tokio::test]
async fn a_claim_lapses_after_its_ttl_and_the_lapsed_claimant_cannot_complete() {
    let (stores, url) = common::migrated("claims_lapse").await;
    let db = common::inspect(&url).await;
    let claims = stores.claims();
    // Margins of a few hundred milliseconds: a loaded machine must not lapse a claim early.
    let ttl = Duration::from_millis(400);
    let lapsed = claimed(claims.claim(KEY, ttl).await.unwrap());
    assert_eq!(
        claims.claim(KEY, ttl).await.unwrap(),
        ClaimOutcome::InProgress
    );
    // The expiry is the database's clock plus the ttl.
    let timed_by_the_database: bool = sqlx::query_scalar(
        "SELECT expires_at > now() AND expires_at <= now() + interval '400 milliseconds' \
         FROM paykit_claims WHERE key = $1",
    )
    .bind(KEY)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(timed_by_the_database);

    tokio::time::sleep(Duration::from_millis(500)).await;
    let current = claimed(claims.claim(KEY, Duration::from_secs(30)).await.unwrap());
    assert_ne!(current.owner(), lapsed.owner());
    // The first claimant finishing late neither completes nor frees the new holder's claim.
    assert!(
        !claims
            .complete(&lapsed, Duration::from_secs(60))
            .await
            .unwrap()
    );
    claims.release(&lapsed).await.unwrap();
    assert_eq!(
        claims.claim(KEY, ttl).await.unwrap(),
        ClaimOutcome::InProgress
    );
    assert!(
        claims
            .complete(&current, Duration::from_millis(400))
            .await
            .unwrap()
    );
    assert_eq!(
        claims.claim(KEY, ttl).await.unwrap(),
        ClaimOutcome::AlreadyDone
    );
    // A done key is remembered for keep_for, then free again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    claimed(claims.claim(KEY, ttl).await.unwrap());
}

#[tokio::test]
async fn lapsed_rows_of_keys_never_claimed_again_are_swept() {
    let (stores, url) = common::migrated("claims_sweep").await;
    let claims = stores.claims();
    claimed(
        claims
            .claim("once", Duration::from_millis(1))
            .await
            .unwrap(),
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    let db = common::inspect(&url).await;
    let count = |key: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM paykit_claims WHERE key = $1")
                .bind(key)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    // 62 more claims of other keys: "once" is still there...
    for n in 0..62 {
        claimed(
            claims
                .claim(&format!("other-{n}"), Duration::from_secs(60))
                .await
                .unwrap(),
        );
    }
    assert_eq!(count("once").await, 1);
    // ...and the 64th claim of this store sweeps it, leaving the live ones.
    claimed(
        claims
            .claim("other-62", Duration::from_secs(60))
            .await
            .unwrap(),
    );
    assert_eq!(count("once").await, 0);
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM paykit_claims")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(live, 63);
}
