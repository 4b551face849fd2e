//! Connecting, migrating, and failing: migrations applied once however many processes race,
//! a database without them says so, no password in any output, and a stopped server is a
//! bounded `Error::Store`.

// Setup helpers are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use paykit_core::store::{Claim, ClaimStore};
use paykit_core::{Error, PaymentRecord, PaymentRecords, ProviderId};
use paykit_postgres::PgStores;
use paykit_postgres::sqlx::{self, postgres::PgPoolOptions};
use paykit_testkit::servers::PostgresServer;
use tokio::sync::Barrier;

const P: ProviderId = ProviderId("maib");

fn is_postgres_store_error(error: &Error) -> bool {
    matches!(
        error,
        Error::Store {
            backend: "postgres",
            ..
        }
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_apply_once_from_four_processes_at_once_and_again_later() {
    let url = common::database("migrate_race");
    let start = Arc::new(Barrier::new(4));
    let mut racers = Vec::new();
    for _ in 0..4 {
        let (url, start) = (url.clone(), start.clone());
        racers.push(tokio::spawn(async move {
            // Each its own pool, like separate processes.
            let stores = PgStores::connect(&url).await.unwrap();
            start.wait().await;
            stores.migrate().await
        }));
    }
    for racer in racers {
        racer.await.unwrap().unwrap();
    }
    let stores = PgStores::connect(&url).await.unwrap();
    stores.migrate().await.unwrap();
    stores.migrate().await.unwrap();

    let db = common::inspect(&url).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE tablename LIKE 'paykit%' ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "paykit_claims",
            "paykit_payment_records",
            "paykit_schema_migrations"
        ]
    );
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE indexname LIKE 'paykit%' ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        indexes,
        [
            "paykit_claims_expires_at",
            "paykit_claims_pkey",
            "paykit_payment_records_pkey",
            "paykit_payment_records_unsettled",
            "paykit_schema_migrations_pkey"
        ]
    );
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM paykit_schema_migrations")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(versions, [1]);
    // And the stores work on them.
    stores
        .records()
        .put(&PaymentRecord::new(P, "pay-1"))
        .await
        .unwrap();
    assert!(stores.records().get(P, "pay-1").await.unwrap().is_some());
}

#[tokio::test]
async fn a_database_without_the_migrations_says_to_run_them() {
    let url = common::database("not_migrated");
    let stores = PgStores::connect(&url).await.unwrap();
    let error = stores.records().get(P, "pay-1").await.unwrap_err();
    assert!(is_postgres_store_error(&error), "{error:?}");
    let shown = error.to_string();
    assert!(
        shown.contains("42P01") && shown.contains("migrate"),
        "{shown}"
    );
    let error = stores
        .claims()
        .claim("k", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("PgStores::migrate"), "{error}");
}

#[tokio::test]
async fn no_output_shows_the_password() {
    let port = PostgresServer::shared().port();
    common::database("with_password");
    // Trust authentication never asks for it, so the URL connects with any password.
    let url = format!("postgres://paykit:pw-s3cret-91@127.0.0.1:{port}/with_password");
    let stores = PgStores::connect(&url).await.unwrap();
    let shown = format!("{stores:?}");
    assert!(!shown.contains("pw-s3cret-91"), "{shown}");
    assert!(
        shown.contains("127.0.0.1") && shown.contains("with_password"),
        "{shown}"
    );
    assert_eq!(format!("{:?}", stores.records()), "PgPaymentRecords { .. }");
    assert_eq!(format!("{:?}", stores.claims()), "PgClaimStore { .. }");

    let bad =
        format!("postgres://paykit:pw-s3cret-91@127.0.0.1:{port}/with_password?sslmode=nonsense");
    let error = PgStores::connect(&bad).await.unwrap_err();
    assert!(is_postgres_store_error(&error), "{error:?}");
    assert!(!error.to_string().contains("pw-s3cret-91"), "{error}");
    assert!(!format!("{error:?}").contains("pw-s3cret-91"), "{error:?}");
}

/// Runs `operation` and returns its error and how long it took.
async fn timed<T: std::fmt::Debug>(
    operation: impl std::future::Future<Output = paykit_core::Result<T>>,
) -> (Error, Duration) {
    let began = Instant::now();
    let error = operation.await.unwrap_err();
    (error, began.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_fails_every_operation_within_the_acquire_timeout() {
    let server = PostgresServer::start().unwrap();
    let url = server.create_database("going_away");
    // The default pool (2 s), and one configured through from_pool (1 s).
    let default = PgStores::connect(&url).await.unwrap();
    default.migrate().await.unwrap();
    let configured = PgStores::from_pool(
        PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(1))
            .connect(&url)
            .await
            .unwrap(),
    );
    let record = PaymentRecord::new(P, "pay-1");
    default.records().put(&record).await.unwrap();
    let claim = Claim::new("k", "owner");

    drop(server);

    let records = default.records();
    let claims = default.claims();
    let ttl = Duration::from_secs(5);
    let (get, put, unsettled, claimed, completed, released, migrated) = tokio::join!(
        timed(records.get(P, "pay-1")),
        timed(records.put(&record)),
        timed(records.unsettled(std::time::SystemTime::now(), 10)),
        timed(claims.claim("k", ttl)),
        timed(claims.complete(&claim, ttl)),
        timed(claims.release(&claim)),
        timed(default.migrate()),
    );
    let mut slowest = Duration::ZERO;
    for (what, (error, took)) in [
        ("get", get),
        ("put", put),
        ("unsettled", unsettled),
        ("claim", claimed),
        ("complete", completed),
        ("release", released),
        ("migrate", migrated),
    ] {
        assert!(is_postgres_store_error(&error), "{what}: {error:?}");
        assert!(took < Duration::from_secs(4), "{what} took {took:?}");
        slowest = slowest.max(took);
    }
    let (error, took) = timed(configured.records().get(P, "pay-1")).await;
    assert!(is_postgres_store_error(&error), "{error:?}");
    assert!(took < Duration::from_millis(2_500), "took {took:?}");
    // A new process cannot connect either, and is told so just as fast.
    let (error, took) = timed(PgStores::connect(&url)).await;
    assert!(is_postgres_store_error(&error), "{error:?}");
    assert!(took < Duration::from_secs(4), "connect took {took:?}");
    println!("database down: slowest failure {slowest:?} (2 s pool), new connect {took:?}");
}
