//! The shipped migrations and how [`crate::PgStores::migrate`] applies them.
//!
//! All pending migrations run in one transaction that first takes a transaction-level advisory
//! lock: processes starting together queue on the lock, the first applies, the others find the
//! versions recorded and do nothing. The lock ends with the transaction, also when a process
//! dies halfway (its connection closes and the transaction rolls back).

use paykit_core::{Error, Result};
use sqlx::{Executor, PgPool};

use crate::error::{BACKEND, store_error};

/// One SQL file of `migrations/`, embedded in the crate.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, oldest first. A new one is appended here with the next version; a shipped
/// file is never edited (databases that applied it would not see the change).
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "0001_records_and_claims",
    sql: include_str!("../migrations/0001_records_and_claims.sql"),
}];

/// The advisory lock key that serialises migrations: the ASCII bytes of `"paykitmg"`, so a
/// merchant's own advisory locks are unlikely to collide with it.
const LOCK_KEY: i64 = i64::from_be_bytes(*b"paykitmg");

const CREATE_VERSIONS: &str = "CREATE TABLE IF NOT EXISTS paykit_schema_migrations (\
     version bigint PRIMARY KEY, \
     applied_at timestamptz NOT NULL DEFAULT now())";

const OP: &str = "migrate";

/// Applies the migrations `pool`'s database has not recorded.
pub(crate) async fn migrate(pool: &PgPool) -> Result<()> {
    let error = |e: sqlx::Error| store_error(OP, &e);
    let mut tx = pool.begin().await.map_err(error)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *tx)
        .await
        .map_err(error)?;
    tx.execute(CREATE_VERSIONS).await.map_err(error)?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM paykit_schema_migrations")
        .fetch_all(&mut *tx)
        .await
        .map_err(error)?;
    for migration in MIGRATIONS {
        if applied.contains(&migration.version) {
            continue;
        }
        // A plain string runs unprepared (the simple query protocol), so a file may hold
        // several statements.
        tx.execute(migration.sql)
            .await
            .map_err(|e| failed(migration, &e))?;
        sqlx::query("INSERT INTO paykit_schema_migrations (version) VALUES ($1)")
            .bind(migration.version)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        tracing::info!(
            migration = migration.name,
            "paykit-postgres migration applied"
        );
    }
    tx.commit().await.map_err(error)
}

/// `error` from applying `migration`, naming the file.
fn failed(migration: &Migration, error: &sqlx::Error) -> Error {
    match store_error(OP, error) {
        Error::Store { message, .. } => {
            Error::store(BACKEND, OP, format!("{}: {message}", migration.name))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_named_after_their_files() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, i64::try_from(index).unwrap() + 1);
            assert!(
                migration
                    .name
                    .starts_with(&format!("{:04}_", migration.version)),
                "{}",
                migration.name
            );
            assert!(!migration.sql.trim().is_empty());
        }
        assert_eq!(LOCK_KEY.to_be_bytes(), *b"paykitmg");
    }

    #[test]
    fn every_file_in_migrations_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|migration| format!("{}.sql", migration.name))
            .collect();
        assert_eq!(files, listed);
    }
}
