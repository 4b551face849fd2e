//! What the common traits write to the merchant's [`PaymentRecords`] (DESIGN.md §9), when a
//! store is configured ([`crate::MayaCheckoutClientBuilder::records`]).
//!
//! - a created Checkout and a saved-card or wallet charge are recorded with their flow, amount
//!   and reference once Maya answered; a store that fails then is [`Error::NotRecorded`]
//!   (Maya has the payment: do not repeat the call);
//! - a refund is written **before** it is sent as a [`RefundState::Requested`] entry (a store
//!   that fails stops it: nothing was sent), then `Confirmed` (`SUCCESS`), `Accepted`
//!   (202 `ONGOING`) or `Refused` (a known refusal). An unknown outcome leaves it `Requested`,
//!   so the record stays unsettled and the reconciler asks `get_payment` about it;
//! - a void is recorded `cancelled` once Maya answered.
//!
//! Maya itself can answer every question later (P1, P3, P9), so the records are for the
//! merchant's reconciliation, not for the client's own decisions.

use paykit_core::{
    Error, Flow, Money, PaymentOutcome, PaymentRecord, PaymentRef, RefundRecord, RefundState,
    Result,
};

use crate::{MayaCheckoutClient, PROVIDER};

fn not_recorded(error: &Error, outcome: &PaymentOutcome, ids: PaymentRef) -> Error {
    Error::NotRecorded {
        provider: PROVIDER,
        outcome: Box::new(outcome.clone()),
        payment: Box::new(ids),
        reason: error.to_string(),
    }
}

fn ids_of(outcome: &PaymentOutcome) -> PaymentRef {
    PaymentRef::new()
        .provider_payment_id(outcome.provider_payment_id.clone())
        .maybe_merchant_reference(outcome.order_id.as_deref())
}

impl MayaCheckoutClient {
    /// Records a payment Maya created (`outcome`) for `flow`.
    pub(crate) async fn remember_created(
        &self,
        flow: Flow,
        amount: Option<Money>,
        outcome: PaymentOutcome,
    ) -> Result<PaymentOutcome> {
        let Some(records) = &self.inner.records else {
            return Ok(outcome);
        };
        let ids = ids_of(&outcome);
        let mut record = PaymentRecord::new(PROVIDER, outcome.provider_payment_id.clone())
            .with_flow(flow)
            .with_amount(amount)
            .with_ids(&ids);
        record.last_status = Some(outcome.status.clone());
        match records.put(&record).await {
            Ok(()) => Ok(outcome),
            Err(error) => Err(not_recorded(&error, &outcome, ids)),
        }
    }

    /// Writes a refund of `amount` as requested, before it is sent. Returns the entry to
    /// settle afterwards (`None` without a store).
    pub(crate) async fn refund_requested(
        &self,
        payment_id: &str,
        amount: Money,
    ) -> Result<Option<RefundRecord>> {
        let Some(records) = &self.inner.records else {
            return Ok(None);
        };
        let entry = RefundRecord::requested(amount);
        let mut record = PaymentRecord::new(PROVIDER, payment_id);
        record.refunds.push(entry.clone());
        records.put(&record).await?;
        Ok(Some(entry))
    }

    /// Settles a refund entry as `state`, with the payment's state after it. A store failing
    /// after Maya refunded is [`Error::NotRecorded`].
    pub(crate) async fn refund_settled(
        &self,
        entry: Option<RefundRecord>,
        state: RefundState,
        outcome: &PaymentOutcome,
    ) -> Result<()> {
        let (Some(records), Some(mut entry)) = (&self.inner.records, entry) else {
            return Ok(());
        };
        entry.state = state;
        let mut record = PaymentRecord::new(PROVIDER, outcome.provider_payment_id.clone());
        record.refunds.push(entry);
        if state != RefundState::Refused {
            record.last_status = Some(outcome.status.clone());
        }
        records
            .put(&record)
            .await
            .map_err(|error| not_recorded(&error, outcome, ids_of(outcome)))
    }

    /// Records the state a payment reached after a void.
    pub(crate) async fn remember_state(&self, outcome: &PaymentOutcome) -> Result<()> {
        let Some(records) = &self.inner.records else {
            return Ok(());
        };
        let mut record = PaymentRecord::new(PROVIDER, outcome.provider_payment_id.clone());
        record.last_status = Some(outcome.status.clone());
        records
            .put(&record)
            .await
            .map_err(|error| not_recorded(&error, outcome, ids_of(outcome)))
    }
}
