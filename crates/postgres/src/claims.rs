//! [`ClaimStore`] on the `paykit_claims` table: a claim is a row taken by
//! `INSERT … ON CONFLICT DO NOTHING`, timed by the database's clock.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::store::{Claim, ClaimOutcome, ClaimStore, random_id};
use paykit_core::{Error, Result};
use sqlx::PgPool;

use crate::error::{BACKEND, store_error};
use crate::sql_time::span_millis;

/// How often `claim` looks again when the row it collided with is gone by the time it reads
/// it (released or lapsed in between). Each round trip is a fresh chance; three in a row lost
/// means the key is being churned, and the caller's retry is the right answer.
const CLAIM_ATTEMPTS: usize = 3;

/// Every this many claims, one also removes lapsed rows of other keys. A key's own lapsed row
/// is removed when it is claimed again, but most keys (one per callback) never are, and would
/// stay forever.
const SWEEP_EVERY: u32 = 64;

/// At most this many rows per sweep, so a sweep stays a short statement.
const SWEEP_BATCH: i64 = 500;

const DELETE_LAPSED: &str = "DELETE FROM paykit_claims WHERE key = $1 AND expires_at < now()";

const INSERT_CLAIM: &str = "INSERT INTO paykit_claims (key, owner, state, expires_at) \
     VALUES ($1, $2, 'claimed', now() + $3 * interval '1 millisecond') \
     ON CONFLICT (key) DO NOTHING";

const SELECT_LIVE_STATE: &str =
    "SELECT state FROM paykit_claims WHERE key = $1 AND expires_at >= now()";

const COMPLETE: &str = "UPDATE paykit_claims \
     SET state = 'done', owner = NULL, expires_at = now() + $3 * interval '1 millisecond' \
     WHERE key = $1 AND owner = $2 AND state = 'claimed'";

const RELEASE: &str =
    "DELETE FROM paykit_claims WHERE key = $1 AND owner = $2 AND state = 'claimed'";

// The outer `expires_at < now()` is checked again on a row another transaction changed
// meanwhile (a lapsed claim its owner completes just now is kept).
const SWEEP: &str = "DELETE FROM paykit_claims WHERE expires_at < now() AND key IN \
     (SELECT key FROM paykit_claims WHERE expires_at < now() ORDER BY expires_at LIMIT $1)";

/// Claims in PostgreSQL, shared by every process on the database.
///
/// - `claim` removes the key's lapsed row, then inserts a `claimed` row unless one exists; the
///   primary key makes exactly one of several concurrent claimants succeed.
/// - `complete` turns the caller's own `claimed` row into `done` (kept for `keep_for`);
///   `release` deletes it. Neither touches a row that lapsed and was claimed by someone else.
/// - Expiry is `now()` on the database, one clock for every process, whatever their clocks
///   say.
pub struct PgClaimStore {
    pool: PgPool,
    claims_made: AtomicU32,
}

impl PgClaimStore {
    pub(crate) fn new(pool: PgPool) -> Self {
        PgClaimStore {
            pool,
            claims_made: AtomicU32::new(0),
        }
    }

    /// Every [`SWEEP_EVERY`]th call removes up to [`SWEEP_BATCH`] lapsed rows. Its failure
    /// is not the claim's: the claim that follows reports a real outage itself.
    async fn sweep_when_due(&self) {
        let made = self.claims_made.fetch_add(1, Ordering::Relaxed);
        if made % SWEEP_EVERY != SWEEP_EVERY - 1 {
            return;
        }
        match sqlx::query(SWEEP)
            .bind(SWEEP_BATCH)
            .execute(&self.pool)
            .await
        {
            Ok(done) => tracing::debug!(removed = done.rows_affected(), "lapsed claims swept"),
            Err(error) => {
                tracing::warn!(error = %store_error("sweep claims", &error), "lapsed claims not swept");
            }
        }
    }
}

impl fmt::Debug for PgClaimStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgClaimStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl ClaimStore for PgClaimStore {
    async fn claim(&self, key: &str, ttl: Duration) -> Result<ClaimOutcome> {
        const OP: &str = "claim";
        let error = |e: sqlx::Error| store_error(OP, &e);
        self.sweep_when_due().await;
        for _ in 0..CLAIM_ATTEMPTS {
            sqlx::query(DELETE_LAPSED)
                .bind(key)
                .execute(&self.pool)
                .await
                .map_err(error)?;
            let owner = random_id();
            let inserted = sqlx::query(INSERT_CLAIM)
                .bind(key)
                .bind(&owner)
                .bind(span_millis(ttl))
                .execute(&self.pool)
                .await
                .map_err(error)?
                .rows_affected();
            if inserted == 1 {
                return Ok(ClaimOutcome::Claimed(Claim::new(key, owner)));
            }
            let state: Option<String> = sqlx::query_scalar(SELECT_LIVE_STATE)
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(error)?;
            match state.as_deref() {
                Some("done") => return Ok(ClaimOutcome::AlreadyDone),
                // `claimed`, or anything else: someone holds it, so this caller must not run.
                Some(_) => return Ok(ClaimOutcome::InProgress),
                None => continue,
            }
        }
        Err(Error::store(
            BACKEND,
            OP,
            "the key was released or lapsed between every attempt; try again",
        ))
    }

    async fn complete(&self, claim: &Claim, keep_for: Duration) -> Result<bool> {
        let updated = sqlx::query(COMPLETE)
            .bind(claim.key())
            .bind(claim.owner())
            .bind(span_millis(keep_for))
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("complete claim", &e))?
            .rows_affected();
        Ok(updated == 1)
    }

    async fn release(&self, claim: &Claim) -> Result<()> {
        sqlx::query(RELEASE)
            .bind(claim.key())
            .bind(claim.owner())
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("release claim", &e))?;
        Ok(())
    }
}
