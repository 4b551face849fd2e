//! What this client remembers about the payments it creates (DESIGN.md §9, payment records).
//!
//! maib cannot answer one question later: whether a payment was a hold. `pay-info` and the
//! callback say `OK` for a captured direct payment and for an authorized, uncompleted hold
//! alike. So every call that creates a payment writes its flow (and amount, currency and the
//! merchant's order id) to the client's [`PaymentRecords`], and `complete` marks the hold
//! captured, at the amount it took; `get_payment`, callbacks and refunds read it back. A
//! payment this client has no record of has an unknown flow, and the answers that depend on it
//! say so instead of guessing ([`flow_unknown`]). Refunds are written before they are sent
//! (`refund_records.rs`).
//!
//! `complete` writes nothing before it is sent: the record of a hold says `requires_action` or
//! `authorized`, neither final, so a capture whose outcome is unknown leaves the record
//! unsettled and the reconciler asks about it. `pay-info` settles it: it says `OK` for a held
//! and a captured payment alike, but shows a `confirmAmount` once the hold was completed
//! (maib.md §4.5), which `get_payment` reads as `captured`; without one the hold is still
//! `authorized`, and the record stays open, as it should.

use std::sync::Arc;

use paykit_core::{
    Error, Flow, Money, PaymentOutcome, PaymentRecord, PaymentRecords, PaymentRef, PaymentStatus,
    Result,
};

use crate::status::PaymentFlow;
use crate::{MaibClient, PROVIDER};

/// What the records say about one payment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Known {
    /// The record, when there is one.
    pub(crate) record: Option<PaymentRecord>,
    /// How it was created, when known.
    pub(crate) flow: Option<PaymentFlow>,
    /// paykit captured it (`complete`): a hold no longer.
    pub(crate) completed: bool,
    /// Every id known, the payment id included.
    pub(crate) ids: PaymentRef,
}

impl Known {
    /// The payment's currency, when its amount was recorded.
    pub(crate) fn currency(&self) -> Option<paykit_core::Currency> {
        self.record
            .as_ref()
            .and_then(|r| r.amount)
            .map(|m| m.currency())
    }
}

/// Reads the record of `pay_id` from `records`.
pub(crate) async fn known(records: &dyn PaymentRecords, pay_id: &str) -> Result<Known> {
    let record = records.get(PROVIDER, pay_id).await?;
    let ids = PaymentRef::new().provider_payment_id(pay_id);
    let Some(record) = record else {
        return Ok(Known {
            ids,
            ..Known::default()
        });
    };
    let flow = record.flow.and_then(PaymentFlow::from_record);
    let completed = record.flow == Some(Flow::Hold)
        && matches!(
            record.last_status,
            Some(
                PaymentStatus::Captured
                    | PaymentStatus::PartiallyRefunded
                    | PaymentStatus::Refunded
            )
        );
    Ok(Known {
        ids: ids.merge(&record.ids),
        flow,
        completed,
        record: Some(record),
    })
}

/// The answer when a state depends on the flow of a payment no record names.
pub(crate) fn flow_unknown(pay_id: &str, what: &str) -> Error {
    Error::unsupported(
        PROVIDER,
        format!(
            "{what} payment {pay_id} without knowing whether it was a hold: maib's pay-info and \
             callbacks say OK for a captured payment and an uncompleted hold alike, and this \
             client has no payment record of it. Use MaibClient::pay_info and \
             PayInfo::outcome(PaymentFlow::Direct or PaymentFlow::Hold), or share the \
             PaymentRecords of the client that created it"
        ),
    )
}

/// The provider did it, the record could not be written.
pub(crate) fn not_recorded(error: &Error, outcome: PaymentOutcome, ids: PaymentRef) -> Error {
    Error::NotRecorded {
        provider: PROVIDER,
        outcome: Box::new(outcome),
        payment: Box::new(ids),
        reason: error.to_string(),
    }
}

impl MaibClient {
    /// The store this client remembers payments in.
    pub fn payment_records(&self) -> Arc<dyn PaymentRecords> {
        self.records.clone()
    }

    /// What the records say about `pay_id`.
    pub(crate) async fn known(&self, pay_id: &str) -> Result<Known> {
        known(self.records.as_ref(), pay_id).await
    }

    /// Records a payment maib registered for `flow`. A failing store is
    /// [`Error::NotRecorded`] carrying `outcome`: maib has the payment.
    pub(crate) async fn remember_created(
        &self,
        flow: Flow,
        amount: Option<Money>,
        outcome: PaymentOutcome,
    ) -> Result<()> {
        let ids = PaymentRef::new()
            .provider_payment_id(outcome.provider_payment_id.clone())
            .maybe_merchant_reference(outcome.order_id.as_deref());
        let mut record = PaymentRecord::new(PROVIDER, outcome.provider_payment_id.clone())
            .with_flow(flow)
            .with_amount(amount)
            .with_ids(&ids);
        record.last_status = Some(outcome.status.clone());
        match self.records.put(&record).await {
            Ok(()) => Ok(()),
            Err(error) => Err(not_recorded(&error, outcome, ids)),
        }
    }

    /// Records that `complete` captured this hold (a payment `complete` accepted is a hold,
    /// whoever created it), and the amount it took when maib named it: a partial capture
    /// releases the rest, so that is what a refund can return from now on.
    pub(crate) async fn remember_captured(
        &self,
        known: &Known,
        outcome: PaymentOutcome,
    ) -> Result<()> {
        let ids = known
            .ids
            .clone()
            .maybe_merchant_reference(outcome.order_id.as_deref());
        let mut record = known
            .record
            .clone()
            .unwrap_or_else(|| PaymentRecord::new(PROVIDER, outcome.provider_payment_id.clone()));
        record = record.with_ids(&ids);
        record.flow = Some(Flow::Hold);
        if outcome.amount.is_some() {
            record.amount = outcome.amount;
        }
        record.last_status = Some(outcome.status.clone());
        record.updated_at = std::time::SystemTime::now();
        match self.records.put(&record).await {
            Ok(()) => Ok(()),
            Err(error) => Err(not_recorded(&error, outcome, ids)),
        }
    }
}
