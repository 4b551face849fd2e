//! What paykit remembers about each iPay payment, in core's [`PaymentRecords`].
//!
//! iPay's payment details show no refund state: after any refund they still read `success`, and
//! they carry no amount. So the client writes down what it asked iPay to do and what it learned,
//! keyed by iPay's `order_id`:
//!
//! - at creation: the flow (pay, hold, card saving, recurring charge), the amount, and every id
//!   (`order_id`, `payment_hash`, `shop_order_id`), so callbacks can be matched without an
//!   [`crate::OrderStore`];
//! - for every refund: a [`RefundState::Requested`] entry **before** it is sent, then
//!   `Accepted` or `Refused` from iPay's answer, then `Confirmed` by the Amount Return callback.
//!   An answer that never arrived leaves the entry `Requested`: "unresolved";
//! - for a completed pre-authorization: the amount actually charged (a partial completion
//!   releases the rest), or no amount when the completion's outcome is unknown;
//! - `last_status`: `Refunded` once a full refund was accepted (a full refund needs no amount,
//!   so it is the one thing recorded when the payment's amount is not known), `Cancelled` once a
//!   block was released.
//!
//! [`captured_state`] turns a record into the state a captured payment has reached, and
//! `get_payment`, refunds and callbacks all read it, so they cannot disagree.

use paykit_core::{
    Flow, Money, PaymentRecord, PaymentRef, PaymentStatus, RefundRecord, RefundState, Result,
};

use crate::model::{CaptureMethod, PaymentHash};
use crate::store::StoredOrder;
use crate::{BogClient, PROVIDER};

/// Refunds that count as money returned: iPay accepted them (and perhaps confirmed them).
const RETURNED: [RefundState; 2] = [RefundState::Accepted, RefundState::Confirmed];

/// Refunds that may have returned money: returned ones and those whose answer was lost.
const MAYBE_RETURNED: [RefundState; 3] = [
    RefundState::Requested,
    RefundState::Accepted,
    RefundState::Confirmed,
];

/// The flow of an order created with `capture_method`.
pub(crate) fn flow_of(capture_method: Option<CaptureMethod>) -> Flow {
    match capture_method {
        Some(CaptureMethod::Manual) => Flow::Hold,
        Some(CaptureMethod::Automatic) | None => Flow::Pay,
    }
}

/// The record of a payment iPay just created.
pub(crate) fn new_payment(
    ids: &PaymentRef,
    flow: Flow,
    amount: Money,
    status: PaymentStatus,
) -> PaymentRecord {
    let mut record = PaymentRecord::new(
        PROVIDER,
        ids.provider_payment_id.clone().unwrap_or_default(),
    )
    .with_ids(ids)
    .with_flow(flow)
    .with_amount(Some(amount));
    record.last_status = Some(status);
    record
}

/// True once everything was returned: a full refund was accepted, or the accepted refunds add
/// up to the amount.
pub(crate) fn fully_refunded(record: &PaymentRecord) -> bool {
    if record.last_status == Some(PaymentStatus::Refunded) {
        return true;
    }
    match (record.refunded(&RETURNED), record.amount) {
        (Some(returned), Some(amount)) => {
            returned.currency() == amount.currency() && returned.amount() >= amount.amount()
        }
        _ => false,
    }
}

/// The oldest refund whose answer never arrived.
pub(crate) fn unresolved(record: &PaymentRecord) -> Option<&RefundRecord> {
    record
        .refunds
        .iter()
        .find(|refund| refund.state == RefundState::Requested)
}

/// True when paykit sent this payment a refund that may have returned money.
pub(crate) fn has_refunds(record: &PaymentRecord) -> bool {
    fully_refunded(record) || record.refunded(&MAYBE_RETURNED).is_some()
}

/// How much is left to refund, when the amount is known: the amount less every refund that may
/// have returned money. `None` when unknown or nothing is left.
pub(crate) fn remaining(record: &PaymentRecord) -> Option<Money> {
    let amount = record.amount?;
    let left = match record.refunded(&MAYBE_RETURNED) {
        Some(refunded) => amount.checked_sub(&refunded).ok()?,
        None => amount,
    };
    (!left.is_zero()).then_some(left)
}

/// The state a payment iPay reports as captured has reached, by the record, with the amount
/// returned so far:
///
/// | record | state |
/// |---|---|
/// | none | `Captured` (paykit sent no refund it knows of) |
/// | a full refund accepted, or accepted refunds reaching the amount | `Refunded` |
/// | a refund whose answer was lost (unresolved) | `Pending`: it may or may not have happened |
/// | accepted refunds below the amount | `PartiallyRefunded` |
/// | no refund | `Captured` |
pub(crate) fn captured_state(record: Option<&PaymentRecord>) -> (PaymentStatus, Option<Money>) {
    let Some(record) = record else {
        return (PaymentStatus::Captured, None);
    };
    let returned = record.refunded(&RETURNED);
    if fully_refunded(record) {
        // Everything went back; how much is known only when the amount is.
        return (PaymentStatus::Refunded, record.amount);
    }
    if unresolved(record).is_some() {
        return (PaymentStatus::Pending, returned);
    }
    match returned {
        Some(returned) => (PaymentStatus::PartiallyRefunded, Some(returned)),
        None => (PaymentStatus::Captured, None),
    }
}

/// Marks the oldest refund not yet confirmed as confirmed (an Amount Return callback arrived).
/// Returns whether one was.
pub(crate) fn confirm_oldest(record: &mut PaymentRecord) -> bool {
    let open = record
        .refunds
        .iter_mut()
        .find(|refund| matches!(refund.state, RefundState::Requested | RefundState::Accepted));
    match open {
        Some(refund) => {
            refund.state = RefundState::Confirmed;
            true
        }
        None => false,
    }
}

/// How many refunds iPay confirmed: the identity of a refund notice (see the webhook).
pub(crate) fn confirmed(record: &PaymentRecord) -> usize {
    record
        .refunds
        .iter()
        .filter(|refund| refund.state == RefundState::Confirmed)
        .count()
}

/// Moves the refund `entry` (as written before sending) to `state`, unless a callback already
/// confirmed it meanwhile.
pub(crate) fn settle(record: &mut PaymentRecord, entry: &RefundRecord, state: RefundState) {
    if let Some(refund) = record.refunds.iter_mut().find(|refund| *refund == entry) {
        refund.state = state;
    }
}

/// The pair a callback is matched against, from a record that carries the hash.
pub(crate) fn stored_order(record: &PaymentRecord) -> Option<StoredOrder> {
    let hash = record.ids.payment_hash_secret()?;
    Some(StoredOrder::new(
        record.provider_payment_id(),
        PaymentHash::new(hash),
        record.ids.merchant_reference.clone(),
    ))
}

impl BogClient {
    /// The record of `order_id`, if paykit wrote one.
    pub(crate) async fn record_of(&self, order_id: &str) -> Result<Option<PaymentRecord>> {
        self.inner.records.get(PROVIDER, order_id).await
    }

    /// Writes `record`.
    pub(crate) async fn put_record(&self, record: &PaymentRecord) -> Result<()> {
        self.inner.records.put(record).await
    }

    /// Every id the client knows about `order_id`: the record's, else the order store's. A
    /// store that cannot answer costs only ids, never the call.
    pub(crate) async fn known_ids(
        &self,
        order_id: &str,
        record: Option<&PaymentRecord>,
    ) -> PaymentRef {
        let mut ids = PaymentRef::new().provider_payment_id(order_id);
        if let Some(record) = record {
            ids = ids.merge(&record.ids);
        }
        if ids.payment_hash.is_some() {
            return ids;
        }
        let Some(store) = &self.inner.store else {
            return ids;
        };
        match store.find(order_id, None).await {
            Ok(Some(stored)) if stored.order_id == order_id => {
                ids = ids.merge(
                    &PaymentRef::new()
                        .payment_hash(stored.payment_hash.expose_secret())
                        .maybe_merchant_reference(stored.shop_order_id.as_deref()),
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "order store lookup failed; ids incomplete"),
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_core::Currency;

    fn gel(text: &str) -> Money {
        Money::parse(text, Currency::GEL).unwrap()
    }

    fn record(amount: Option<&str>, refunds: &[(&str, RefundState)]) -> PaymentRecord {
        let mut record = PaymentRecord::new(PROVIDER, "o1").with_amount(amount.map(gel));
        for (value, state) in refunds {
            let mut refund = RefundRecord::requested(gel(value));
            refund.state = *state;
            record.refunds.push(refund);
        }
        record
    }

    #[test]
    fn the_records_decide_what_a_captured_payment_became() {
        use RefundState::*;
        let cases = [
            (record(Some("10"), &[]), PaymentStatus::Captured, None),
            (
                record(Some("10"), &[("4", Accepted)]),
                PaymentStatus::PartiallyRefunded,
                Some("4"),
            ),
            (
                record(Some("10"), &[("4", Confirmed), ("6", Accepted)]),
                PaymentStatus::Refunded,
                Some("10"),
            ),
            (
                record(Some("10"), &[("4", Accepted), ("1", Requested)]),
                PaymentStatus::Pending,
                Some("4"),
            ),
            (
                record(Some("10"), &[("4", Refused)]),
                PaymentStatus::Captured,
                None,
            ),
            (
                record(None, &[("4", Accepted)]),
                PaymentStatus::PartiallyRefunded,
                Some("4"),
            ),
        ];
        for (record, status, refunded) in cases {
            assert_eq!(
                captured_state(Some(&record)),
                (status.clone(), refunded.map(gel)),
                "{record:?}"
            );
        }
        let mut full = record(None, &[]);
        full.last_status = Some(PaymentStatus::Refunded);
        assert_eq!(captured_state(Some(&full)), (PaymentStatus::Refunded, None));
        assert_eq!(captured_state(None), (PaymentStatus::Captured, None));
    }

    #[test]
    fn remaining_counts_every_refund_that_may_have_happened() {
        use RefundState::*;
        let r = record(
            Some("10"),
            &[("4", Accepted), ("1", Requested), ("3", Refused)],
        );
        assert_eq!(remaining(&r), Some(gel("5")));
        assert_eq!(remaining(&record(Some("10"), &[("10", Confirmed)])), None);
        assert_eq!(remaining(&record(None, &[])), None);
    }

    #[test]
    fn a_notice_confirms_the_oldest_open_refund_once() {
        use RefundState::*;
        let mut r = record(Some("10"), &[("4", Accepted), ("1", Requested)]);
        assert!(confirm_oldest(&mut r));
        assert_eq!(confirmed(&r), 1);
        assert!(confirm_oldest(&mut r));
        assert!(!confirm_oldest(&mut r));
        assert_eq!(confirmed(&r), 2);
    }
}
