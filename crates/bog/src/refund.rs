//! Refunds: `POST /checkout/refund` (form-encoded), and what paykit writes down around it.
//!
//! iPay's payment details never show a refund, so the payment records are the only place a
//! refund can be known from later (see `records.rs`). Every refund is written as `Requested`
//! **before** it is sent, then set from iPay's answer: `Accepted` (an empty 200), `Refused`
//! (any answer that proves nothing happened), or left `Requested` when the outcome is unknown.
//! The Amount Return callback then marks it `Confirmed`.
//!
//! Two rules keep a refund from being paid twice:
//! - a partial refund is refused before sending while an earlier refund of the same payment is
//!   unresolved (sent, answer lost): repeating it could return the money twice. A full refund
//!   stays allowed: it returns "whatever is left", so repeating one is harmless;
//! - through the common trait, a refund of exactly the payment's amount goes out as a full
//!   refund, since iPay refuses a partial refund that is not strictly less than the amount.
//!
//! The same call releases a blocked (`MANUAL`, not completed) pre-authorization. The common
//! trait asks iPay first when the records cannot rule a block out, and reports a release as
//! `Cancelled`: nothing was refunded, the block was lifted.

use paykit_core::http::{ApiRequest, Effect};
use paykit_core::{
    Error, Flow, Money, PaymentOutcome, PaymentRecord, PaymentRef, PaymentStatus, RefundRecord,
    RefundState, Result,
};

use crate::model::{PaymentState, PreAuthStatus};
use crate::{BogClient, PROVIDER, records, translate, validate, wire};

impl BogClient {
    /// `POST /checkout/refund` (form-encoded): refunds `amount`, or everything left when
    /// `None`, exactly as given. Partial refunds may be repeated until the paid amount is
    /// reached; a refund cannot be undone. iPay answers success with an empty body; the
    /// "Payment Amount Return" callback follows.
    ///
    /// The refund is recorded in the payment records before it is sent and updated from the
    /// answer. A partial refund is refused ([`Error::InvalidInput`] on `amount`, nothing sent)
    /// while an earlier refund of the payment has no answer: wait for its Amount Return
    /// callback (or, once BOG confirmed it never happened, mark it `Refused` in your records).
    /// When iPay accepted the refund but the records could not be written, the error is
    /// [`Error::NotRecorded`]: do not repeat the refund.
    ///
    /// The same call releases a blocked (`MANUAL`) payment; [`paykit_core::Refund::refund`]
    /// tells the two apart and reports a release as `Cancelled`.
    pub async fn refund_order(&self, order_id: &str, amount: Option<Money>) -> Result<()> {
        validate::required("order_id", order_id)?;
        validate::refund(amount.as_ref(), &self.inner.settings.currencies)?;
        let record = self.record_of(order_id).await?;
        let ids = self.known_ids(order_id, record.as_ref()).await;
        self.send_refund(order_id, amount, record, &ids).await?;
        Ok(())
    }

    /// The common trait's refund: a release of a block, or a recorded refund whose full
    /// amount goes out as a full refund.
    pub(crate) async fn refund_payment(
        &self,
        order_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        validate::required("order_id", order_id)?;
        validate::refund(amount.as_ref(), &self.inner.settings.currencies)?;
        let record = self.record_of(order_id).await?;
        let ids = self.known_ids(order_id, record.as_ref()).await;
        if self.is_blocked(order_id, record.as_ref(), &ids).await? {
            return self.release(order_id, amount, record, &ids).await;
        }
        let wire_amount = as_sent(amount, record.as_ref());
        let record = self
            .send_refund(order_id, wire_amount, record, &ids)
            .await?;
        Ok(translate::outcome_after_refund(order_id, &record))
    }

    /// True when the payment is blocked, not captured. Asks iPay (a read: a fault is a
    /// retryable error and nothing is sent) unless the records rule a block out.
    async fn is_blocked(
        &self,
        order_id: &str,
        record: Option<&PaymentRecord>,
        ids: &PaymentRef,
    ) -> Result<bool> {
        if !may_be_blocked(record) {
            return Ok(false);
        }
        let details = self.payment_details(order_id).await?;
        if let Some(known) = ids.payment_hash_secret() {
            if !paykit_core::webhook::constant_time_eq(
                known.as_bytes(),
                details.payment_hash.expose_secret().as_bytes(),
            ) {
                return Err(Error::Integrity {
                    provider: PROVIDER,
                    field: "payment_hash".into(),
                    expected: "the recorded payment_hash".into(),
                    actual: "another value".into(),
                });
            }
        }
        Ok(details.status == PaymentState::Success
            && details.pre_auth_status == Some(PreAuthStatus::InProgress))
    }

    /// Releases a blocked payment: a refund without an amount. A block is released whole, so
    /// an amount other than the blocked one is refused before sending.
    async fn release(
        &self,
        order_id: &str,
        amount: Option<Money>,
        record: Option<PaymentRecord>,
        ids: &PaymentRef,
    ) -> Result<PaymentOutcome> {
        if let Some(amount) = amount {
            if record.as_ref().and_then(|r| r.amount) != Some(amount) {
                return Err(Error::invalid_input(
                    "amount",
                    "the payment is blocked (MANUAL, not completed): a refund releases the whole \
                     block; refund without an amount, void it, or capture part of it",
                ));
            }
        }
        self.post_refund(order_id, None, ids).await?;
        let mut record = record
            .unwrap_or_else(|| PaymentRecord::new(PROVIDER, order_id))
            .with_ids(ids);
        record.last_status = Some(PaymentStatus::Cancelled);
        // iPay's details show the release (`success_unblocked`), so the record only caches it:
        // a failure to write it changes no state paykit reports.
        if let Err(error) = self.put_record(&record).await {
            tracing::warn!(%error, "release not recorded; details still show it");
        }
        Ok(PaymentOutcome::new(order_id, PaymentStatus::Cancelled)
            .with_amount(record.amount)
            .with_order_id(record.ids.merchant_reference.clone()))
    }

    /// Sends one refund of `amount` (everything left when `None`), recorded before and after.
    /// Returns the record as it stands after iPay's answer.
    async fn send_refund(
        &self,
        order_id: &str,
        amount: Option<Money>,
        record: Option<PaymentRecord>,
        ids: &PaymentRef,
    ) -> Result<PaymentRecord> {
        let mut record = record
            .unwrap_or_else(|| PaymentRecord::new(PROVIDER, order_id))
            .with_ids(ids);
        if amount.is_some() {
            if let Some(open) = records::unresolved(&record) {
                return Err(Error::invalid_input(
                    "amount",
                    format!(
                        "a refund of {} on this payment has no answer yet (its outcome is \
                         unknown): another partial refund could return the money twice; wait \
                         for iPay's Amount Return callback, or mark it Refused in the payment \
                         records once BOG confirmed it never happened",
                        open.amount
                    ),
                ));
            }
        }
        // A full refund of a payment whose amount paykit does not know cannot be entered with
        // an amount; it is recorded once accepted (and is harmless to repeat).
        let entry = amount
            .or_else(|| records::remaining(&record))
            .map(RefundRecord::requested);
        if let Some(entry) = &entry {
            record.refunds.push(entry.clone());
            self.put_record(&record).await?;
        }
        let answer = self.post_refund(order_id, amount.as_ref(), ids).await;
        // A refund notice may have confirmed the entry while the answer was on its way.
        let mut latest = match self.record_of(order_id).await {
            Ok(Some(latest)) => latest,
            _ => record,
        };
        match answer {
            Ok(()) => {
                if let Some(entry) = &entry {
                    records::settle(&mut latest, entry, RefundState::Accepted);
                }
                latest.last_status = if amount.is_none() || records::fully_refunded(&latest) {
                    Some(PaymentStatus::Refunded)
                } else {
                    Some(PaymentStatus::PartiallyRefunded)
                };
                if let Err(error) = self.put_record(&latest).await {
                    return Err(Error::NotRecorded {
                        provider: PROVIDER,
                        outcome: Box::new(translate::outcome_after_refund(order_id, &latest)),
                        payment: Box::new(ids.clone()),
                        reason: error.to_string(),
                    });
                }
                Ok(latest)
            }
            // The entry stays Requested: unresolved until iPay's callback or a reconciliation.
            Err(error) if error.outcome_unknown() => Err(error),
            Err(error) => {
                if let Some(entry) = &entry {
                    records::settle(&mut latest, entry, RefundState::Refused);
                    if let Err(put) = self.put_record(&latest).await {
                        tracing::warn!(error = %put, "a refused refund stays Requested in the records");
                    }
                }
                Err(error)
            }
        }
    }

    /// The refund call itself: money moves, so core makes every fault after sending an
    /// unknown outcome carrying `ids`.
    async fn post_refund(
        &self,
        order_id: &str,
        amount: Option<&Money>,
        ids: &PaymentRef,
    ) -> Result<()> {
        let request = ApiRequest::post("refund", "checkout/refund")
            .form(&wire::refund_form(order_id, amount))
            .auth(self.bearer())
            .effect(Effect::MovesMoney);
        self.inner
            .executor
            .call(&request, ids, |response| {
                crate::error::ensure_success(response)?;
                wire::refund_answer(response, order_id)
            })
            .await
    }
}

/// The amount to send for a refund of `amount`: none (a full refund) when it is exactly the
/// payment's amount and nothing was refunded before.
fn as_sent(amount: Option<Money>, record: Option<&PaymentRecord>) -> Option<Money> {
    match (amount, record) {
        (Some(amount), Some(record))
            if record.amount == Some(amount) && !records::has_refunds(record) =>
        {
            None
        }
        (amount, _) => amount,
    }
}

/// False when the records rule out a block: the payment was never a hold, or its completion
/// or release was recorded.
fn may_be_blocked(record: Option<&PaymentRecord>) -> bool {
    let Some(record) = record else {
        return true;
    };
    match record.flow {
        Some(Flow::Pay | Flow::SaveCard | Flow::SavedCardCharge) => false,
        // A hold, or a payment paykit did not create: blocked until a completion, a release or
        // a refund of it was recorded.
        _ => !matches!(
            record.last_status,
            Some(
                PaymentStatus::Captured
                    | PaymentStatus::PartiallyRefunded
                    | PaymentStatus::Refunded
                    | PaymentStatus::Cancelled
            )
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_core::Currency;

    fn gel(text: &str) -> Money {
        Money::parse(text, Currency::GEL).unwrap()
    }

    #[test]
    fn the_whole_amount_goes_out_as_a_full_refund_only_before_any_other() {
        let record = PaymentRecord::new(PROVIDER, "o").with_amount(Some(gel("10")));
        assert_eq!(as_sent(Some(gel("10")), Some(&record)), None);
        assert_eq!(as_sent(Some(gel("4")), Some(&record)), Some(gel("4")));
        assert_eq!(as_sent(Some(gel("10")), None), Some(gel("10")));
        let mut refunded = record;
        refunded.refunds.push(RefundRecord::requested(gel("1")));
        assert_eq!(as_sent(Some(gel("10")), Some(&refunded)), Some(gel("10")));
    }

    #[test]
    fn only_an_unfinished_hold_may_be_blocked() {
        let hold = PaymentRecord::new(PROVIDER, "o").with_flow(Flow::Hold);
        assert!(may_be_blocked(Some(&hold)));
        assert!(may_be_blocked(None));
        let mut done = hold.clone();
        done.last_status = Some(PaymentStatus::Captured);
        assert!(!may_be_blocked(Some(&done)));
        let pay = PaymentRecord::new(PROVIDER, "o").with_flow(Flow::Pay);
        assert!(!may_be_blocked(Some(&pay)));
    }
}
