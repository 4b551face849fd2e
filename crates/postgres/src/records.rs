//! [`PaymentRecords`] on the `paykit_payment_records` table: one row per payment, its
//! [`PaymentRecord::to_json`] document kept verbatim, merged under a row lock.

use std::fmt;
use std::time::SystemTime;

use async_trait::async_trait;
use paykit_core::store::{status_rank, whole_millis};
use paykit_core::{Error, PaymentRecord, PaymentRecords, ProviderId, Result};
use sqlx::PgPool;

use crate::error::{BACKEND, store_error};
use crate::sql_time::{at_unix_millis, unix_millis_of};

/// How often [`PaymentRecords::put`] tries again after losing the race to create a record.
/// Once the other writer's row exists the next attempt locks it, so two attempts suffice;
/// the third covers a row removed by hand in between.
const PUT_ATTEMPTS: usize = 3;

const SELECT_ONE: &str = "SELECT document FROM paykit_payment_records \
     WHERE provider = $1 AND provider_payment_id = $2";

const SELECT_ONE_FOR_UPDATE: &str = "SELECT document FROM paykit_payment_records \
     WHERE provider = $1 AND provider_payment_id = $2 FOR UPDATE";

const UPDATE: &str = concat!(
    "UPDATE paykit_payment_records \
     SET document = $3, status_rank = $4, settled = $5, updated_at = ",
    at_unix_millis!("$6"),
    " WHERE provider = $1 AND provider_payment_id = $2"
);

const INSERT: &str = concat!(
    "INSERT INTO paykit_payment_records \
     (provider, provider_payment_id, document, status_rank, settled, updated_at) \
     VALUES ($1, $2, $3, $4, $5, ",
    at_unix_millis!("$6"),
    ") ON CONFLICT (provider, provider_payment_id) DO NOTHING"
);

const SELECT_UNSETTLED: &str = concat!(
    "SELECT document FROM paykit_payment_records WHERE NOT settled AND updated_at < ",
    at_unix_millis!("$1"),
    " ORDER BY updated_at, provider, provider_payment_id LIMIT $2"
);

/// Payment records in PostgreSQL, shared by every process on the database.
///
/// [`PaymentRecords::put`] reads the stored record `FOR UPDATE`, merges the new one over it
/// ([`PaymentRecord::merged_over`]) and writes the result in one transaction, so concurrent
/// writers of one payment queue on its row and none loses what another learned. An unreadable
/// stored document is an error, never skipped.
#[derive(Clone)]
pub struct PgPaymentRecords {
    pool: PgPool,
}

impl PgPaymentRecords {
    pub(crate) fn new(pool: PgPool) -> Self {
        PgPaymentRecords { pool }
    }

    /// One attempt at `put`: false when a concurrent writer created the row first (nothing
    /// was written; the next attempt merges over theirs).
    async fn put_once(&self, record: &PaymentRecord) -> Result<bool> {
        const OP: &str = "put record";
        let error = |e: sqlx::Error| store_error(OP, &e);
        let provider = record.provider.as_str();
        let id = record.provider_payment_id();
        let mut tx = self.pool.begin().await.map_err(error)?;
        let stored: Option<String> = sqlx::query_scalar(SELECT_ONE_FOR_UPDATE)
            .bind(provider)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(error)?;
        let (mut written, query) = match stored {
            Some(document) => (record.merged_over(&decode(OP, &document)?), UPDATE),
            None => (record.clone(), INSERT),
        };
        written.updated_at = whole_millis(SystemTime::now());
        let rank = written
            .last_status
            .as_ref()
            .map(|status| i16::from(status_rank(status)));
        let changed = sqlx::query(query)
            .bind(provider)
            .bind(id)
            .bind(written.to_json())
            .bind(rank)
            .bind(written.is_settled())
            .bind(unix_millis_of(written.updated_at))
            .execute(&mut *tx)
            .await
            .map_err(error)?
            .rows_affected();
        if changed == 1 {
            tx.commit().await.map_err(error)?;
            Ok(true)
        } else {
            // Only the insert can change nothing: another writer's row appeared meanwhile.
            tx.rollback().await.map_err(error)?;
            Ok(false)
        }
    }
}

impl fmt::Debug for PgPaymentRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgPaymentRecords").finish_non_exhaustive()
    }
}

/// A stored document as a record; an unreadable one is this store's error, naming the field
/// (never its value's secret parts: [`PaymentRecord::from_json`] quotes no ids or hash).
fn decode(operation: &'static str, document: &str) -> Result<PaymentRecord> {
    PaymentRecord::from_json(document).map_err(|error| match error {
        Error::Store { message, .. } => Error::store(
            BACKEND,
            operation,
            format!("unreadable stored record: {message}"),
        ),
        other => other,
    })
}

#[async_trait]
impl PaymentRecords for PgPaymentRecords {
    async fn get(
        &self,
        provider: ProviderId,
        provider_payment_id: &str,
    ) -> Result<Option<PaymentRecord>> {
        const OP: &str = "get record";
        let stored: Option<String> = sqlx::query_scalar(SELECT_ONE)
            .bind(provider.as_str())
            .bind(provider_payment_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_error(OP, &e))?;
        stored.map(|document| decode(OP, &document)).transpose()
    }

    async fn put(&self, record: &PaymentRecord) -> Result<()> {
        for _ in 0..PUT_ATTEMPTS {
            if self.put_once(record).await? {
                return Ok(());
            }
        }
        Err(Error::store(
            BACKEND,
            "put record",
            "the record's row appeared and vanished between every attempt",
        ))
    }

    async fn unsettled(&self, before: SystemTime, limit: usize) -> Result<Vec<PaymentRecord>> {
        const OP: &str = "unsettled records";
        let documents: Vec<String> = sqlx::query_scalar(SELECT_UNSETTLED)
            .bind(unix_millis_of(before))
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_error(OP, &e))?;
        documents
            .iter()
            .map(|document| decode(OP, document))
            .collect()
    }
}
