//! How two writes of one payment record combine: nothing recorded is lost, and no state goes
//! backwards.
//!
//! A record has several writers: the instance that created the payment, another that took its
//! callback, the reconciler. Each reads, changes and writes back; a store applies
//! [`PaymentRecord::merged_over`] atomically, so the slower writer cannot erase what the faster
//! one learned.

use crate::outcome::PaymentStatus;

use super::records::{PaymentRecord, RefundState};

/// How far a payment has come. A write never moves a record to a lower rank: a late "pending"
/// answer cannot undo a capture, a late capture cannot undo a refund. States of one rank replace
/// each other (a later failure reason, a second partial refund).
pub fn status_rank(status: &PaymentStatus) -> u8 {
    match status {
        PaymentStatus::Pending => 0,
        PaymentStatus::RequiresAction => 1,
        PaymentStatus::Authorized => 2,
        PaymentStatus::Captured => 3,
        PaymentStatus::PartiallyRefunded => 4,
        PaymentStatus::Refunded
        | PaymentStatus::Failed { .. }
        | PaymentStatus::Cancelled
        | PaymentStatus::Expired => 5,
    }
}

/// How far a refund has come; the answer (accepted, refused) outranks the request, and a
/// confirmation outranks an acceptance.
fn refund_rank(state: RefundState) -> u8 {
    match state {
        RefundState::Requested => 0,
        RefundState::Accepted => 1,
        RefundState::Confirmed | RefundState::Refused => 2,
    }
}

impl PaymentRecord {
    /// `self` (a new write) combined with `stored` (what the store holds):
    ///
    /// - ids: both sets, `self`'s winning where both know one;
    /// - flow and amount: `self`'s when it has one, else `stored`'s;
    /// - last state: `self`'s unless it ranks below `stored`'s ([`status_rank`]), or is unknown;
    /// - refunds: every refund of either, matched by id, each at its furthest state; `self`'s
    ///   order first, then refunds only `stored` knows, oldest first.
    pub fn merged_over(&self, stored: &PaymentRecord) -> PaymentRecord {
        let mut merged = self.clone();
        merged.ids = self.ids.clone().merge(&stored.ids);
        merged.flow = self.flow.or(stored.flow);
        merged.amount = self.amount.or(stored.amount);
        merged.last_status = match (&self.last_status, &stored.last_status) {
            (Some(new), Some(old)) if status_rank(new) < status_rank(old) => Some(old.clone()),
            (None, old) => old.clone(),
            (new, _) => new.clone(),
        };
        for refund in &mut merged.refunds {
            let further = stored
                .refunds
                .iter()
                .find(|old| old.id == refund.id)
                .filter(|old| refund_rank(old.state) > refund_rank(refund.state));
            if let Some(old) = further {
                refund.state = old.state;
            }
        }
        let mut only_stored: Vec<_> = stored
            .refunds
            .iter()
            .filter(|old| !self.refunds.iter().any(|new| new.id == old.id))
            .cloned()
            .collect();
        only_stored.sort_by_key(|refund| refund.requested_at);
        merged.refunds.extend(only_stored);
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProviderId;
    use crate::money::{Currency, Money};
    use crate::payment_ref::PaymentRef;
    use crate::store::records::{Flow, RefundRecord};

    fn record() -> PaymentRecord {
        PaymentRecord::new(ProviderId("t"), "p1")
    }

    fn mdl(text: &str) -> Money {
        Money::parse(text, Currency::MDL).unwrap()
    }

    #[test]
    fn a_late_answer_never_moves_a_state_backwards() {
        let mut stored = record();
        stored.last_status = Some(PaymentStatus::Captured);
        let mut late = record();
        late.last_status = Some(PaymentStatus::Pending);
        assert_eq!(
            late.merged_over(&stored).last_status,
            Some(PaymentStatus::Captured)
        );
        let mut unknown = record();
        unknown.last_status = None;
        assert_eq!(
            unknown.merged_over(&stored).last_status,
            Some(PaymentStatus::Captured)
        );
        let mut refunded = record();
        refunded.last_status = Some(PaymentStatus::Refunded);
        assert_eq!(
            refunded.merged_over(&stored).last_status,
            Some(PaymentStatus::Refunded)
        );
    }

    #[test]
    fn refunds_of_both_writers_survive_at_their_furthest_state() {
        let first = RefundRecord::requested(mdl("2"));
        let second = RefundRecord::requested(mdl("3"));
        let mut stored = record().with_flow(Flow::Pay);
        stored.ids = stored
            .ids
            .merge(&PaymentRef::new().merchant_reference("order-9"));
        let mut confirmed = first.clone();
        confirmed.state = RefundState::Confirmed;
        stored.refunds = vec![confirmed, second.clone()];

        // A writer that read before `second` existed and saw `first` accepted.
        let mut accepted = first.clone();
        accepted.state = RefundState::Accepted;
        let mut slow = record().with_amount(Some(mdl("10")));
        slow.refunds = vec![accepted];

        let merged = slow.merged_over(&stored);
        assert_eq!(merged.flow, Some(Flow::Pay));
        assert_eq!(merged.amount, Some(mdl("10")));
        assert_eq!(merged.ids.merchant_reference.as_deref(), Some("order-9"));
        let states: Vec<_> = merged
            .refunds
            .iter()
            .map(|r| (r.id.clone(), r.state))
            .collect();
        assert_eq!(
            states,
            vec![
                (first.id, RefundState::Confirmed),
                (second.id, RefundState::Requested)
            ]
        );
    }
}
