//! Payment records: what paykit asked a provider to do, and what it learned.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use crate::error::{ProviderId, Result};
use crate::money::Money;
use crate::outcome::PaymentStatus;
use crate::payment_ref::PaymentRef;

use super::tokens::random_id;

/// `time` without its sub-millisecond part: every store keeps milliseconds, so a record read
/// back equals the one written.
pub fn whole_millis(time: SystemTime) -> SystemTime {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let millis = since.as_millis();
    UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

/// Which kind of payment paykit started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flow {
    /// A one-step payment: captured when the customer pays.
    Pay,
    /// A two-step payment: held when the customer pays, captured later by the merchant.
    Hold,
    /// A payment that also stores the card.
    SaveCard,
    /// A charge of a stored card.
    SavedCardCharge,
}

impl Flow {
    /// A short lowercase name (`"pay"`, `"hold"`), stable for storage.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Pay => "pay",
            Flow::Hold => "hold",
            Flow::SaveCard => "save_card",
            Flow::SavedCardCharge => "saved_card_charge",
        }
    }

    /// The flow named `name` (the inverse of [`Flow::name`]).
    pub fn from_name(name: &str) -> Option<Flow> {
        [Flow::Pay, Flow::Hold, Flow::SaveCard, Flow::SavedCardCharge]
            .into_iter()
            .find(|flow| flow.name() == name)
    }
}

/// Where a refund paykit sent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefundState {
    /// Written before sending; no answer yet (or the answer was lost: reconcile).
    Requested,
    /// The provider accepted it.
    Accepted,
    /// The provider confirmed it happened (a refund callback, a status that shows it).
    Confirmed,
    /// No money moved: the provider refused it, or it was never sent (no token, rate limited).
    Refused,
}

impl RefundState {
    /// A short lowercase name (`"requested"`), stable for storage.
    pub fn name(self) -> &'static str {
        match self {
            RefundState::Requested => "requested",
            RefundState::Accepted => "accepted",
            RefundState::Confirmed => "confirmed",
            RefundState::Refused => "refused",
        }
    }

    /// The state named `name` (the inverse of [`RefundState::name`]).
    pub fn from_name(name: &str) -> Option<RefundState> {
        [
            RefundState::Requested,
            RefundState::Accepted,
            RefundState::Confirmed,
            RefundState::Refused,
        ]
        .into_iter()
        .find(|state| state.name() == name)
    }
}

/// One refund paykit sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundRecord {
    /// A random id, given when the refund is requested: how two writers of one record (two
    /// instances, a callback and a reconciler) recognise the same refund.
    pub id: String,
    /// How much.
    pub amount: Money,
    /// Where it stands.
    pub state: RefundState,
    /// When it was requested.
    pub requested_at: SystemTime,
}

impl RefundRecord {
    /// A refund of `amount`, requested now.
    pub fn requested(amount: Money) -> Self {
        RefundRecord {
            id: random_id(),
            amount,
            state: RefundState::Requested,
            requested_at: whole_millis(SystemTime::now()),
        }
    }
}

/// What paykit knows about one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentRecord {
    /// The provider.
    pub provider: ProviderId,
    /// Every id of the payment; `provider_payment_id` is the record's key.
    pub ids: PaymentRef,
    /// What kind of payment was started, when paykit started it.
    pub flow: Option<Flow>,
    /// The amount asked for.
    pub amount: Option<Money>,
    /// Refunds paykit sent, in order.
    pub refunds: Vec<RefundRecord>,
    /// The last state paykit learned, if any.
    pub last_status: Option<PaymentStatus>,
    /// When the record last changed.
    pub updated_at: SystemTime,
}

impl PaymentRecord {
    /// A record of payment `provider_payment_id` at `provider`.
    pub fn new(provider: ProviderId, provider_payment_id: impl Into<String>) -> Self {
        PaymentRecord {
            provider,
            ids: PaymentRef::new().provider_payment_id(provider_payment_id),
            flow: None,
            amount: None,
            refunds: Vec::new(),
            last_status: None,
            updated_at: whole_millis(SystemTime::now()),
        }
    }

    /// The record's key.
    pub fn provider_payment_id(&self) -> &str {
        self.ids.provider_payment_id.as_deref().unwrap_or_default()
    }

    /// Sets [`PaymentRecord::flow`].
    pub fn with_flow(mut self, flow: Flow) -> Self {
        self.flow = Some(flow);
        self
    }

    /// Sets [`PaymentRecord::amount`].
    pub fn with_amount(mut self, amount: Option<Money>) -> Self {
        self.amount = amount;
        self
    }

    /// Adds ids (those already known are kept).
    pub fn with_ids(mut self, ids: &PaymentRef) -> Self {
        self.ids = self.ids.merge(ids);
        self
    }

    /// True when nothing is left to learn: the last state is final and no refund awaits its
    /// answer. The reconciler sweeps the others.
    pub fn is_settled(&self) -> bool {
        self.last_status
            .as_ref()
            .is_some_and(PaymentStatus::is_final)
            && !self
                .refunds
                .iter()
                .any(|refund| refund.state == RefundState::Requested)
    }

    /// The sum of refunds in `states`, in the payment's currency; `None` when there are none.
    pub fn refunded(&self, states: &[RefundState]) -> Option<Money> {
        let mut refunds = self
            .refunds
            .iter()
            .filter(|refund| states.contains(&refund.state));
        let first = refunds.next()?.amount;
        refunds.try_fold(first, |sum, refund| sum.checked_add(&refund.amount).ok())
    }
}

/// The merchant's record of payments, keyed by provider and provider payment id.
///
/// Implement it over your database, or use a shared-state crate (`paykit-redis`,
/// `paykit-postgres`). Several writers may hold one record (two instances, a callback, the
/// reconciler), so [`PaymentRecords::put`] merges rather than overwrites, by
/// [`PaymentRecord::merged_over`]: nothing recorded is lost and no state goes backwards. An
/// implementation applies it atomically (a transaction, a compare-and-swap loop).
#[async_trait]
pub trait PaymentRecords: Send + Sync {
    /// The record of `provider_payment_id`, if paykit wrote one.
    async fn get(
        &self,
        provider: ProviderId,
        provider_payment_id: &str,
    ) -> Result<Option<PaymentRecord>>;

    /// Writes `record` merged over the stored one ([`PaymentRecord::merged_over`]), and stamps
    /// `updated_at`.
    async fn put(&self, record: &PaymentRecord) -> Result<()>;

    /// Up to `limit` records not [settled](PaymentRecord::is_settled) and last changed before
    /// `before`, oldest first: what the [reconciler](crate::reconcile::Reconciler) asks about.
    async fn unsettled(&self, before: SystemTime, limit: usize) -> Result<Vec<PaymentRecord>>;
}

/// [`PaymentRecords`] in memory: for tests, demos and single-process tools. Lost on restart.
#[derive(Default)]
pub struct InMemoryPaymentRecords {
    records: Mutex<HashMap<(ProviderId, String), PaymentRecord>>,
}

impl InMemoryPaymentRecords {
    /// An empty store.
    pub fn new() -> Self {
        InMemoryPaymentRecords::default()
    }

    /// How many records are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when none is kept.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(ProviderId, String), PaymentRecord>> {
        // Every change is one insert of a whole record, so a poisoned map is still consistent.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for InMemoryPaymentRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryPaymentRecords")
            .field("records", &self.len())
            .finish()
    }
}

#[async_trait]
impl PaymentRecords for InMemoryPaymentRecords {
    async fn get(
        &self,
        provider: ProviderId,
        provider_payment_id: &str,
    ) -> Result<Option<PaymentRecord>> {
        Ok(self
            .lock()
            .get(&(provider, provider_payment_id.to_owned()))
            .cloned())
    }

    async fn put(&self, record: &PaymentRecord) -> Result<()> {
        let key = (record.provider, record.provider_payment_id().to_owned());
        let mut records = self.lock();
        let mut merged = match records.get(&key) {
            Some(stored) => record.merged_over(stored),
            None => record.clone(),
        };
        merged.updated_at = whole_millis(SystemTime::now());
        records.insert(key, merged);
        Ok(())
    }

    async fn unsettled(&self, before: SystemTime, limit: usize) -> Result<Vec<PaymentRecord>> {
        let mut found: Vec<PaymentRecord> = self
            .lock()
            .values()
            .filter(|record| !record.is_settled() && record.updated_at < before)
            .cloned()
            .collect();
        found.sort_by_key(|record| record.updated_at);
        found.truncate(limit);
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    const P: ProviderId = ProviderId("t");

    fn mdl(amount: &str) -> Money {
        Money::parse(amount, Currency::MDL).unwrap()
    }

    #[tokio::test]
    async fn records_round_trip_by_provider_and_id() {
        let store = InMemoryPaymentRecords::new();
        let record = PaymentRecord::new(P, "pay-1")
            .with_flow(Flow::Hold)
            .with_amount(Some(mdl("10")));
        store.put(&record).await.unwrap();
        let read = store.get(P, "pay-1").await.unwrap().unwrap();
        assert_eq!(read.flow, Some(Flow::Hold));
        assert!(
            store
                .get(ProviderId("other"), "pay-1")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            format!("{store:?}"),
            "InMemoryPaymentRecords { records: 1 }"
        );
    }

    #[test]
    fn refunded_sums_the_chosen_states() {
        let mut record = PaymentRecord::new(P, "pay-1");
        assert_eq!(record.refunded(&[RefundState::Confirmed]), None);
        record.refunds.push(RefundRecord::requested(mdl("2.50")));
        let mut confirmed = RefundRecord::requested(mdl("1"));
        confirmed.state = RefundState::Confirmed;
        record.refunds.push(confirmed);
        assert_eq!(record.refunded(&[RefundState::Confirmed]), Some(mdl("1")));
        assert_eq!(
            record.refunded(&[RefundState::Confirmed, RefundState::Requested]),
            Some(mdl("3.50"))
        );
    }

    #[test]
    fn flow_names_round_trip() {
        for flow in [Flow::Pay, Flow::Hold, Flow::SaveCard, Flow::SavedCardCharge] {
            assert_eq!(Flow::from_name(flow.name()), Some(flow));
        }
    }
}
