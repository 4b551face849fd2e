//! The reconciler: asks providers about the payments paykit's records leave unsettled.
//!
//! A money-moving call whose answer was lost leaves a record whose state is unknown (DESIGN.md
//! §8); a payment the customer abandoned stays pending; a refund whose answer was lost stays
//! requested. The reconciler sweeps records that have not changed for a while, asks the
//! provider (`get_payment`), writes what it learned (the records' merge rule keeps states from
//! going backwards) and reports what changed.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use paykit_core::reconcile::{Reconciler, ReconcilerConfig};
//! # fn providers() -> Vec<Arc<dyn paykit_core::PaymentProvider>> { Vec::new() }
//! # async fn run(records: Arc<dyn paykit_core::PaymentRecords>) {
//! let reconciler = Reconciler::new(records, providers(), ReconcilerConfig::default());
//! let report = reconciler.sweep().await;
//! println!("{report}");
//! // Or in the background, every minute:
//! let task = reconciler.spawn(Duration::from_secs(60));
//! # drop(task); }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::{Error, ProviderId};
use crate::outcome::PaymentStatus;
use crate::payment_ref::PaymentRef;
use crate::provider::PaymentProvider;
use crate::store::{PaymentRecord, PaymentRecords};

/// How the reconciler sweeps.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReconcilerConfig {
    /// A record is swept once it has not changed for this long: long enough that a call in
    /// flight or a customer on the payment page is not disturbed.
    pub older_than: Duration,
    /// At most this many records per sweep, so one sweep is bounded work.
    pub batch: usize,
}

impl Default for ReconcilerConfig {
    fn default() -> Self {
        ReconcilerConfig {
            older_than: Duration::from_secs(15 * 60),
            batch: 500,
        }
    }
}

impl ReconcilerConfig {
    /// Sets [`ReconcilerConfig::older_than`].
    pub fn older_than(mut self, age: Duration) -> Self {
        self.older_than = age;
        self
    }

    /// Sets [`ReconcilerConfig::batch`].
    pub fn batch(mut self, batch: usize) -> Self {
        self.batch = batch;
        self
    }
}

/// One record whose state the provider's answer changed.
#[derive(Debug, Clone)]
pub struct Change {
    /// The provider.
    pub provider: ProviderId,
    /// Every id of the payment.
    pub ids: PaymentRef,
    /// What the record said (`None`: unknown).
    pub from: Option<PaymentStatus>,
    /// What it says now.
    pub to: PaymentStatus,
}

/// What one sweep did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ReconcileReport {
    /// Records swept.
    pub examined: usize,
    /// Records whose state changed.
    pub changed: Vec<Change>,
    /// Records now settled (final, no refund awaiting its answer).
    pub settled: usize,
    /// Records still unsettled after asking (pending at the provider, or a lost refund answer
    /// the provider's status cannot resolve).
    pub still_open: usize,
    /// Records whose provider is not configured here.
    pub no_provider: usize,
    /// Records the provider could not be asked about, with why; they are swept again later.
    pub failed: Vec<(PaymentRef, Error)>,
    /// Set when the records could not be listed at all: nothing was swept.
    pub unreadable: Option<Error>,
}

impl fmt::Display for ReconcileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "examined {}, changed {}, settled {}, still open {}, failed {}, no provider {}{}",
            self.examined,
            self.changed.len(),
            self.settled,
            self.still_open,
            self.failed.len(),
            self.no_provider,
            match &self.unreadable {
                Some(error) => format!("; records unreadable: {error}"),
                None => String::new(),
            }
        )
    }
}

/// Sweeps unsettled payment records and asks their providers.
pub struct Reconciler {
    records: Arc<dyn PaymentRecords>,
    providers: HashMap<ProviderId, Arc<dyn PaymentProvider>>,
    config: ReconcilerConfig,
}

impl fmt::Debug for Reconciler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut providers: Vec<_> = self.providers.keys().map(|id| id.as_str()).collect();
        providers.sort_unstable();
        f.debug_struct("Reconciler")
            .field("providers", &providers)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Reconciler {
    /// A reconciler of `records`, asking `providers` (each answers for its own
    /// [`PaymentProvider::id`]).
    pub fn new(
        records: Arc<dyn PaymentRecords>,
        providers: impl IntoIterator<Item = Arc<dyn PaymentProvider>>,
        config: ReconcilerConfig,
    ) -> Self {
        let providers = providers
            .into_iter()
            .map(|provider| (provider.id(), provider))
            .collect();
        Reconciler {
            records,
            providers,
            config,
        }
    }

    /// One sweep: every unsettled record older than [`ReconcilerConfig::older_than`], up to
    /// [`ReconcilerConfig::batch`], oldest first. A store that cannot list records is reported
    /// in [`ReconcileReport::unreadable`].
    pub async fn sweep(&self) -> ReconcileReport {
        let mut report = ReconcileReport::default();
        let before = SystemTime::now()
            .checked_sub(self.config.older_than)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let records = match self.records.unsettled(before, self.config.batch).await {
            Ok(records) => records,
            Err(error) => {
                report.unreadable = Some(error);
                return report;
            }
        };
        for record in records {
            report.examined += 1;
            self.reconcile_one(record, &mut report).await;
        }
        report
    }

    async fn reconcile_one(&self, record: PaymentRecord, report: &mut ReconcileReport) {
        let Some(provider) = self.providers.get(&record.provider) else {
            report.no_provider += 1;
            return;
        };
        let outcome = match provider.get_payment(record.provider_payment_id()).await {
            Ok(outcome) => outcome,
            Err(error) => {
                // Touch the record so the next sweep moves on to others first.
                if let Err(store) = self.records.put(&record).await {
                    tracing::warn!(error = %store, "could not touch an unreconciled record");
                }
                report.failed.push((record.ids.clone(), error));
                return;
            }
        };
        // The provider's client may have written the record while answering (maib confirms a
        // refund pay-info now shows): build on what is stored now, not on the swept copy, so
        // nothing it corrected is written back over.
        let current = match self
            .records
            .get(record.provider, record.provider_payment_id())
            .await
        {
            Ok(Some(current)) => current,
            Ok(None) | Err(_) => record.clone(),
        };
        let mut learned = current.clone();
        learned.last_status = Some(outcome.status.clone());
        if learned.amount.is_none() {
            learned.amount = outcome.amount;
        }
        if let Some(order_id) = &outcome.order_id {
            learned.ids = learned
                .ids
                .merge(&PaymentRef::new().merchant_reference(order_id.clone()));
        }
        if let Err(error) = self.records.put(&learned).await {
            report.failed.push((record.ids.clone(), error));
            return;
        }
        // What the store now holds, by the same merge it applied (a further state the record
        // already had is kept), without reading it back.
        let now = learned.merged_over(&current);
        let changed_to = now
            .last_status
            .clone()
            .filter(|_| now.last_status != record.last_status);
        if let Some(to) = changed_to {
            report.changed.push(Change {
                provider: record.provider,
                ids: now.ids.clone(),
                from: record.last_status.clone(),
                to,
            });
        }
        if now.is_settled() {
            report.settled += 1;
        } else {
            report.still_open += 1;
        }
    }

    /// Sweeps every `interval` until the returned task is aborted (or the runtime stops); each
    /// report is logged.
    pub fn spawn(self, interval: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let report = self.sweep().await;
                if report.examined > 0 {
                    tracing::info!(%report, "reconciled payment records");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests;
