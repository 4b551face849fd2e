//! What a refund writes to the payment records (DESIGN.md §9), and how `pay-info` settles a
//! refund whose answer was lost.
//!
//! On a fleet another instance, a callback handler or the reconciler may read a payment's
//! record at any moment. A record that says `captured` is settled, and the reconciler never
//! looks at it again, so a refund has to be written down **before** it is sent:
//!
//! 1. before sending: a [`RefundState::Requested`] entry of the amount that may go back (the
//!    amount asked for, or everything refundable for a full refund). A store that fails here
//!    stops the refund: nothing was sent;
//! 2. from maib's answer: `Accepted` (and `last_status` the state the payment reached), or
//!    `Refused` when nothing moved. An unknown outcome leaves the entry `Requested`, so the
//!    record stays unsettled and the reconciler asks about it;
//! 3. from `pay-info` ([`MaibClient::confirm_shown_refund`], called by `get_payment`, which is
//!    what the reconciler asks): once maib shows the refund, the entry is `Confirmed`.
//!
//! A full refund of an uncompleted hold releases it: no money was taken, so none goes back and
//! no entry is written. The record of a hold is not settled (`authorized`), so an unknown
//! outcome of a release is swept without an entry, and `pay-info`'s `refundAmount` turns it
//! `cancelled`. A release accepted is written `cancelled`, unless the refund was measured
//! against the records alone and a capture of the hold may have happened unrecorded (its
//! answer lost): then it was a refund, and only `pay-info` can say which
//! ([`RefundBasis::capture_known`]).

use paykit_core::{
    Currency, Decimal, Money, PaymentOutcome, PaymentRecord, PaymentRef, PaymentStatus,
    RefundRecord, RefundState, Result,
};

use crate::records::{Known, not_recorded};
use crate::status::PaymentFlow;
use crate::types::{PayInfo, RefundResult, TransactionStatus};
use crate::{MaibClient, PROVIDER};

/// What a refund is measured against: the payment before it, and how it was created.
#[derive(Debug, Clone)]
pub(crate) struct RefundBasis {
    /// The payment before the refund: `pay-info`'s answer (the common trait reads it), or what
    /// the records know of it (the native call sends the refund without reading first).
    pub(crate) before: PayInfo,
    /// How the payment was created, when known.
    pub(crate) flow: Option<PaymentFlow>,
    /// paykit captured this hold.
    pub(crate) completed: bool,
    /// Whether it is known if a hold was captured: `pay-info` was read (its `confirmAmount`
    /// shows a capture), the records say paykit captured it, or it was never a hold. A hold
    /// whose capture answer was lost is captured or not, and only `pay-info` can tell.
    pub(crate) capture_known: bool,
}

impl RefundBasis {
    /// The payment as the records know it: the amount recorded (a captured hold's is what
    /// `complete` took), its currency and the merchant's order id. What the records do not
    /// know (a payment created elsewhere, or registered without an amount) stays unknown.
    pub(crate) fn from_records(known: &Known, pay_id: &str) -> Self {
        let mut before = PayInfo {
            pay_id: pay_id.to_owned(),
            ..PayInfo::default()
        };
        if let Some(record) = &known.record {
            before.amount = record.amount.map(|money| money.amount());
            before.currency = record
                .amount
                .map(|money| money.currency().code().to_owned());
            before.order_id = record.ids.merchant_reference.clone();
        }
        RefundBasis {
            before,
            flow: known.flow,
            completed: known.completed,
            capture_known: known.completed || known.flow != Some(PaymentFlow::Hold),
        }
    }

    /// The payment's currency, when known.
    fn currency(&self) -> Option<Currency> {
        self.before.currency.as_deref()?.parse().ok()
    }

    /// Whether a refund of this payment returns money: it was taken (a direct payment, a
    /// captured hold). An uncompleted hold is released instead; a payment whose flow is not
    /// known returns money only if a capture shows.
    fn returns_money(&self) -> bool {
        let captured = self.completed || self.before.confirm_amount.is_some_and(is_positive);
        captured || matches!(self.flow, Some(PaymentFlow::Direct | PaymentFlow::SaveCard))
    }

    /// The entry written before sending a refund of `asked` (`None`: all of it), when money
    /// may go back and its amount is known. A full refund is entered at what is refundable
    /// (a captured hold's captured amount, else the payment's amount); maib's answer names
    /// what it actually returned, and replaces it.
    ///
    /// Without an amount (a payment this client has no record of, refunded through the
    /// native call, which reads nothing first) nothing can be entered: a lost answer then
    /// leaves the record as it was. [`paykit_core::Refund::refund`] reads `pay-info` first,
    /// so it always knows the amount.
    fn entry(&self, asked: Option<Decimal>) -> Option<RefundRecord> {
        if !self.returns_money() {
            return None;
        }
        let amount = asked.or_else(|| self.before.refundable())?;
        Money::new(amount, self.currency()?)
            .ok()
            .map(RefundRecord::requested)
    }

    /// Whether `status`, reached by an accepted refund, may be written to the record. A
    /// released hold (`Cancelled`) only when it is known that the hold was not captured: after
    /// a capture whose answer was lost, the same refund returned money, and writing a final
    /// `Cancelled` would settle the record on a state that may be false. Left unwritten, the
    /// hold's record stays unsettled and the reconciler reads the truth from `pay-info`.
    fn recordable(&self, status: &PaymentStatus) -> bool {
        match status {
            PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded => true,
            PaymentStatus::Cancelled => self.capture_known,
            _ => false,
        }
    }

    /// The payment after maib accepted `result`; `Pending` (ask again) when its state depends
    /// on a flow nobody recorded.
    pub(crate) fn outcome(&self, result: &RefundResult) -> PaymentOutcome {
        result
            .outcome_for(&self.before, self.flow, self.completed)
            .unwrap_or_else(|_| PaymentOutcome::new(result.pay_id.clone(), PaymentStatus::Pending))
    }
}

fn is_positive(value: Decimal) -> bool {
    value > Decimal::ZERO
}

/// A refund about to be sent, as written to the records.
#[derive(Debug, Clone, Default)]
pub(crate) struct WrittenRefund {
    /// The record as written before sending: the one read, plus the entry.
    record: Option<PaymentRecord>,
    /// The entry written `Requested`, when one was.
    entry: Option<RefundRecord>,
}

/// Sets `entry` of `record` to `state` (and its amount to `amount` when given), adding it when
/// the record does not hold it. The merge of [`paykit_core::PaymentRecords::put`] keeps a state
/// another writer already moved further (a `pay-info` confirmation that came first).
fn set_entry(
    record: &mut PaymentRecord,
    entry: &RefundRecord,
    state: RefundState,
    amount: Option<Money>,
) {
    let mut updated = entry.clone();
    updated.state = state;
    if let Some(amount) = amount.filter(|a| a.currency() == entry.amount.currency()) {
        updated.amount = amount;
    }
    match record.refunds.iter_mut().find(|r| r.id == entry.id) {
        Some(held) => *held = updated,
        None => record.refunds.push(updated),
    }
}

/// Marks the refund `pay-info` shows (`shown`: its amount, when named) in `record`, and
/// returns whether anything changed.
///
/// maib refunds a payment once (a repeat is refused: `13116`, `REVERSED`), so `pay-info` shows
/// one refund at most, and at most one entry happened: one maib already accepted or that was
/// confirmed before, else the oldest `Requested` one of the amount shown, else the oldest
/// `Requested` one. It becomes `Confirmed` (at the amount shown); every other `Requested`
/// entry was a second refund, which maib does not carry out, and becomes `Refused`.
pub(crate) fn confirm_refund(record: &mut PaymentRecord, shown: Option<Money>) -> bool {
    let position = |state: RefundState, amount: Option<Money>| {
        record
            .refunds
            .iter()
            .position(|r| r.state == state && amount.is_none_or(|a| a == r.amount))
    };
    let happened = position(RefundState::Confirmed, None)
        .or_else(|| position(RefundState::Accepted, None))
        .or_else(|| shown.and_then(|shown| position(RefundState::Requested, Some(shown))))
        .or_else(|| position(RefundState::Requested, None));
    let Some(happened) = happened else {
        return false;
    };
    let mut changed = false;
    for (index, refund) in record.refunds.iter_mut().enumerate() {
        if index == happened {
            if refund.state != RefundState::Confirmed {
                refund.state = RefundState::Confirmed;
                changed = true;
            }
            let corrected = shown.filter(|s| s.currency() == refund.amount.currency());
            if let Some(shown) = corrected.filter(|s| *s != refund.amount) {
                refund.amount = shown;
                changed = true;
            }
        } else if refund.state == RefundState::Requested {
            refund.state = RefundState::Refused;
            changed = true;
        }
    }
    changed
}

/// Whether `info` shows a refund (or a released hold): a `refundAmount`, or `REVERSED`.
fn shows_refund(info: &PayInfo) -> bool {
    info.refund_amount.is_some_and(is_positive) || info.status == Some(TransactionStatus::Reversed)
}

impl MaibClient {
    /// Writes the refund of `asked` (`None`: all of it) as `Requested` before it is sent: the
    /// record read (`known`), plus the entry. A store that fails is the store's error, and the
    /// refund must not be sent: nothing happened yet.
    pub(crate) async fn record_refund_requested(
        &self,
        pay_id: &str,
        asked: Option<Decimal>,
        known: &Known,
        basis: &RefundBasis,
    ) -> Result<WrittenRefund> {
        let Some(entry) = basis.entry(asked) else {
            return Ok(WrittenRefund {
                record: known.record.clone(),
                entry: None,
            });
        };
        let ids = known
            .ids
            .clone()
            .maybe_merchant_reference(basis.before.order_id.as_deref());
        let mut record = known
            .record
            .clone()
            .unwrap_or_else(|| PaymentRecord::new(PROVIDER, pay_id))
            .with_ids(&ids);
        record.refunds.push(entry.clone());
        self.records.put(&record).await?;
        Ok(WrittenRefund {
            record: Some(record),
            entry: Some(entry),
        })
    }

    /// Writes maib's `answer` to the refund `written` before sending.
    ///
    /// - accepted: the entry `Accepted` at the amount maib returned, `last_status` the state
    ///   the payment reached. A store that fails is [`paykit_core::Error::NotRecorded`]: maib
    ///   refunded, do not repeat;
    /// - an unknown outcome: nothing is written; the entry stays `Requested` for the
    ///   reconciler;
    /// - any other error: nothing moved (a refusal maib documents, or a call never sent), so
    ///   the entry is `Refused`. A store that fails here costs only that: the entry stays
    ///   `Requested` (unsettled, never a refund claimed), and the error returned is maib's.
    pub(crate) async fn record_refund_answer(
        &self,
        pay_id: &str,
        written: WrittenRefund,
        basis: &RefundBasis,
        answer: &Result<RefundResult>,
    ) -> Result<()> {
        let result = match answer {
            Err(error) if error.outcome_unknown() => return Ok(()),
            Err(_) => {
                let Some(entry) = &written.entry else {
                    return Ok(());
                };
                let mut latest = self.latest(pay_id, written.record).await;
                set_entry(&mut latest, entry, RefundState::Refused, None);
                if let Err(error) = self.records.put(&latest).await {
                    tracing::warn!(%error, "a refund maib did not carry out stays Requested in the records");
                }
                return Ok(());
            }
            Ok(result) => result,
        };
        let outcome = basis.outcome(result);
        let status = Some(outcome.status.clone()).filter(|status| basis.recordable(status));
        // No record, or nothing entered and no state to write: nothing anyone reads would
        // change.
        if written.record.is_none() || (written.entry.is_none() && status.is_none()) {
            return Ok(());
        }
        let answered = PaymentRef::new()
            .provider_payment_id(pay_id)
            .maybe_merchant_reference(outcome.order_id.as_deref());
        let mut latest = self
            .latest(pay_id, written.record)
            .await
            .with_ids(&answered);
        if let Some(entry) = &written.entry {
            let returned = basis
                .currency()
                .and_then(|currency| Money::new(result.refund_amount?, currency).ok());
            set_entry(&mut latest, entry, RefundState::Accepted, returned);
        }
        if status.is_some() {
            latest.last_status = status;
        }
        let ids = latest.ids.clone();
        match self.records.put(&latest).await {
            Ok(()) => Ok(()),
            Err(error) => Err(not_recorded(&error, outcome, ids)),
        }
    }

    /// The record as the store holds it now (another writer may have changed it since it was
    /// read), else `fallback`.
    async fn latest(&self, pay_id: &str, fallback: Option<PaymentRecord>) -> PaymentRecord {
        match self.records.get(PROVIDER, pay_id).await {
            Ok(Some(latest)) => latest,
            Ok(None) | Err(_) => fallback.unwrap_or_else(|| PaymentRecord::new(PROVIDER, pay_id)),
        }
    }

    /// `get_payment`'s part in settling refunds: when `info` shows a refund and the record
    /// holds one that is not yet confirmed, marks it ([`confirm_refund`]) and writes `status`,
    /// the state reported. The reconciler relies on this: it writes the state, not refund
    /// entries. A store that fails is logged and changes nothing reported (`pay-info` still
    /// shows the refund, and the next sweep writes it).
    pub(crate) async fn confirm_shown_refund(
        &self,
        known: &Known,
        info: &PayInfo,
        status: Option<&PaymentStatus>,
    ) {
        let Some(record) = &known.record else {
            return;
        };
        if !shows_refund(info) {
            return;
        }
        let shown = info
            .refund_amount
            .filter(|amount| is_positive(*amount))
            .zip(info.currency.as_deref().and_then(|c| c.parse().ok()))
            .and_then(|(amount, currency)| Money::new(amount, currency).ok());
        // The record `get_payment` read a moment ago: the store's merge keeps whatever
        // another writer moved further since.
        let mut record = record.clone();
        if !confirm_refund(&mut record, shown) {
            return;
        }
        if let Some(status) = status {
            record.last_status = Some(status.clone());
        }
        if let Err(error) = self.records.put(&record).await {
            tracing::warn!(%error, "a refund pay-info shows stays unconfirmed in the records");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mdl(text: &str) -> Money {
        Money::parse(text, Currency::MDL).unwrap()
    }

    fn record(entries: &[(&str, RefundState)]) -> PaymentRecord {
        let mut record = PaymentRecord::new(PROVIDER, "p1");
        for (amount, state) in entries {
            let mut entry = RefundRecord::requested(mdl(amount));
            entry.state = *state;
            record.refunds.push(entry);
        }
        record
    }

    fn states(record: &PaymentRecord) -> Vec<(String, RefundState)> {
        record
            .refunds
            .iter()
            .map(|r| (r.amount.to_fixed_string(), r.state))
            .collect()
    }

    #[test]
    fn the_one_refund_pay_info_shows_confirms_one_entry_and_refuses_the_rest() {
        use RefundState::*;
        // The entry of the amount shown happened, not the older one of another amount.
        let mut r = record(&[("3", Requested), ("5", Requested)]);
        assert!(confirm_refund(&mut r, Some(mdl("5"))));
        assert_eq!(
            states(&r),
            vec![("3.00".into(), Refused), ("5.00".into(), Confirmed)]
        );
        // One maib accepted is the one that happened, whatever was asked later.
        let mut r = record(&[("5", Requested), ("5", Accepted)]);
        assert!(confirm_refund(&mut r, Some(mdl("5"))));
        assert_eq!(
            states(&r),
            vec![("5.00".into(), Refused), ("5.00".into(), Confirmed)]
        );
        // A full refund entered at an estimate takes the amount maib shows.
        let mut r = record(&[("10.25", Requested)]);
        assert!(confirm_refund(&mut r, Some(mdl("8"))));
        assert_eq!(states(&r), vec![("8.00".into(), Confirmed)]);
        // Nothing open, nothing to change.
        let mut r = record(&[("5", Confirmed)]);
        assert!(!confirm_refund(&mut r, Some(mdl("5"))));
        assert!(!confirm_refund(&mut record(&[]), Some(mdl("5"))));
        // No amount shown (REVERSED alone): the oldest open entry.
        let mut r = record(&[("4", Requested), ("6", Requested)]);
        assert!(confirm_refund(&mut r, None));
        assert_eq!(
            states(&r),
            vec![("4.00".into(), Confirmed), ("6.00".into(), Refused)]
        );
    }

    #[test]
    fn only_money_taken_is_entered_for_a_refund() {
        let known = |flow, completed, amount: Option<&str>| Known {
            record: Some(
                PaymentRecord::new(PROVIDER, "p1")
                    .with_amount(amount.map(mdl))
                    .with_flow(paykit_core::Flow::Pay),
            ),
            flow,
            completed,
            ..Known::default()
        };
        let entry = |known: &Known, asked: Option<&str>| {
            RefundBasis::from_records(known, "p1")
                .entry(asked.map(|a| mdl(a).amount()))
                .map(|e| e.amount.to_fixed_string())
        };
        let direct = known(Some(PaymentFlow::Direct), false, Some("10.25"));
        assert_eq!(entry(&direct, None), Some("10.25".into()));
        assert_eq!(entry(&direct, Some("4")), Some("4.00".into()));
        // An uncompleted hold is released, not refunded.
        let held = known(Some(PaymentFlow::Hold), false, Some("10.25"));
        assert_eq!(entry(&held, None), None);
        let captured = known(Some(PaymentFlow::Hold), true, Some("8"));
        assert_eq!(entry(&captured, None), Some("8.00".into()));
        // No amount recorded: no currency, nothing can be entered.
        let unknown = known(Some(PaymentFlow::Direct), false, None);
        assert_eq!(entry(&unknown, Some("4")), None);
    }
}
