//! What paykit said about each operation, and what its payment records say about each payment,
//! and how both compare with what the simulator did.

use paykit_core::{Decimal, Money, PaymentRecord, PaymentStatus, RefundState};
use paykit_sim::{Ledger, LedgerProvider, OpKind, PaymentLedger};

/// What the merchant believes after an operation (and, for an unknown outcome, after
/// reconciling it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Belief {
    /// paykit (or the reconciliation) said the operation happened.
    Moved,
    /// paykit (or the reconciliation) said it did not.
    NotMoved,
    /// Still unknown: the reconciliation could not tell.
    Unknown,
}

/// Which payment an operation concerns, as far as the soak knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// The provider's payment id.
    Payment(String),
    /// Only the merchant's order id (the registration itself, or a charge whose answer was
    /// lost).
    Order(String),
}

/// How an unknown outcome was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// By the provider's status query (`get_payment`).
    Query,
    /// By the simulator's ledger: the provider offers no query that answers it (Maya), or
    /// the payment id is unknown (a registration whose answer was lost), where a merchant
    /// would ask the provider's back office.
    Ledger,
}

/// One operation the soak meant to perform once, with every attempt it took.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) op: OpKind,
    pub(crate) target: Target,
    /// The call, as named in a misreport (`"capture"`, `"create_payment"`).
    pub(crate) call: &'static str,
    pub(crate) attempts: u32,
    pub(crate) unknown: u32,
    pub(crate) resolved_by_query: u32,
    pub(crate) resolved_by_ledger: u32,
    pub(crate) belief: Belief,
    /// What paykit answered last, for a misreport.
    pub(crate) last_answer: String,
    /// The operation's amount, when its target sees several operations of the same kind (two
    /// partial refunds of one payment): the ledger is then read for this amount only, and the
    /// flow keeps the amounts of one target distinct.
    pub(crate) amount: Option<Decimal>,
    /// Sent under an idempotency key, so even a registration must happen exactly once.
    pub(crate) keyed: bool,
    /// Attempts repeated with the same idempotency key after an unknown outcome.
    pub(crate) replayed: u32,
}

impl Check {
    pub(crate) fn new(op: OpKind, target: Target, call: &'static str) -> Self {
        Self {
            op,
            target,
            call,
            attempts: 0,
            unknown: 0,
            resolved_by_query: 0,
            resolved_by_ledger: 0,
            belief: Belief::Unknown,
            last_answer: String::new(),
            amount: None,
            keyed: false,
            replayed: 0,
        }
    }

    /// Matches this check against the ledger's operations of `amount` only.
    pub(crate) fn of_amount(mut self, amount: &Money) -> Self {
        self.amount = Some(amount.amount());
        self
    }

    /// Marks this check as sent under one idempotency key for all its attempts.
    pub(crate) fn keyed(mut self) -> Self {
        self.keyed = true;
        self
    }

    /// Records one attempt whose answer was definite.
    pub(crate) fn known(&mut self, belief: Belief, answer: String) {
        self.attempts = self.attempts.saturating_add(1);
        self.belief = belief;
        self.last_answer = answer;
    }

    /// Records one attempt whose outcome paykit reported as unknown.
    pub(crate) fn unknown(&mut self, answer: String) {
        self.attempts = self.attempts.saturating_add(1);
        self.unknown = self.unknown.saturating_add(1);
        self.belief = Belief::Unknown;
        self.last_answer = answer;
    }

    /// Records what reconciling the last unknown attempt found (`None`: nothing).
    pub(crate) fn resolve(&mut self, found: Option<bool>, how: Resolution) {
        let Some(moved) = found else { return };
        self.belief = if moved {
            Belief::Moved
        } else {
            Belief::NotMoved
        };
        match how {
            Resolution::Query => self.resolved_by_query = self.resolved_by_query.saturating_add(1),
            Resolution::Ledger => {
                self.resolved_by_ledger = self.resolved_by_ledger.saturating_add(1);
            }
        }
    }

    /// How many times the provider performed this operation, per the ledger.
    pub(crate) fn performed(&self, ledger: &Ledger, provider: LedgerProvider) -> usize {
        let count = |p: &PaymentLedger| match self.amount {
            None => p.count(self.op),
            Some(amount) => p
                .ops
                .iter()
                .filter(|op| op.kind == self.op && op.amount == amount)
                .count(),
        };
        match &self.target {
            Target::Payment(id) => ledger.payment(provider, id).map_or(0, count),
            Target::Order(order) => ledger.by_order_id(provider, order).map(count).sum(),
        }
    }
}

/// Where an unsettled payment record stands against the ledger, after the final sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Openness {
    /// Settled, and the ledger shows nothing after the state it records.
    Settled,
    /// Settled, but the ledger shows a refund the record does not (a refund whose answer was
    /// lost and that no later status query or callback reported; a record settled at
    /// `Captured` is not swept again). Not a contradiction: the money the record says was
    /// taken was taken.
    SettledBehind,
    /// Open, and rightly: the ledger shows nothing final either (the customer never paid, a
    /// hold nobody captured or released).
    AwaitingProvider,
    /// Open because a refund entry is still `Requested`: its answer was lost. The reconciler
    /// writes the payment's state; refund entries are settled by the provider's client (maib's
    /// `get_payment` confirms a refund pay-info shows) or by the refund callback. iPay's
    /// details show no refunds, so only its Amount Return callback (which the soak sends to the
    /// simulator's sink, not to paykit) can settle an iPay one.
    RefundUnanswered,
    /// Open though the ledger shows the payment final (charged, captured, refunded, released,
    /// declined): a status query could have settled it. Must not happen.
    SettleableLeftOpen,
}

/// Whether the ledger shows a state nothing further changes without the merchant: money
/// taken, returned or released, or the payment declined.
fn ledger_final(payment: &PaymentLedger) -> bool {
    [
        OpKind::Charge,
        OpKind::Capture,
        OpKind::Refund,
        OpKind::Void,
        OpKind::Decline,
    ]
    .into_iter()
    .any(|op| payment.count(op) > 0)
}

/// Where `record` stands after the final sweep, by the ledger's `payment`.
pub(crate) fn openness(record: &PaymentRecord, payment: Option<&PaymentLedger>) -> Openness {
    let refunded = payment.is_some_and(|p| p.count(OpKind::Refund) > 0);
    if record.is_settled() {
        let shows_refund = matches!(
            record.last_status,
            Some(PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded)
        ) || !record.refunds.is_empty();
        return if refunded && !shows_refund {
            Openness::SettledBehind
        } else {
            Openness::Settled
        };
    }
    if record
        .refunds
        .iter()
        .any(|refund| refund.state == RefundState::Requested)
    {
        return Openness::RefundUnanswered;
    }
    if payment.is_some_and(ledger_final) {
        Openness::SettleableLeftOpen
    } else {
        Openness::AwaitingProvider
    }
}

/// Everything `record` claims that the ledger's `payment` contradicts, in words. A record
/// claims money moved by its state (authorized, captured, refunded, released, failed) and by
/// the refunds it calls accepted or confirmed.
pub(crate) fn contradictions(
    record: &PaymentRecord,
    payment: Option<&PaymentLedger>,
) -> Vec<String> {
    let Some(payment) = payment else {
        return vec!["a record of a payment the simulator never registered".to_owned()];
    };
    let count = |op| payment.count(op);
    let taken = count(OpKind::Charge).saturating_add(count(OpKind::Capture));
    let mut found = Vec::new();
    let state = record.last_status.as_ref();
    match state {
        Some(PaymentStatus::Authorized) if count(OpKind::Hold) == 0 => {
            found.push("says authorized; the ledger has no hold".to_owned());
        }
        Some(
            PaymentStatus::Captured | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded,
        ) if taken == 0 => {
            found.push(format!(
                "says {}; the ledger has no charge or capture",
                state.map(ToString::to_string).unwrap_or_default()
            ));
        }
        // A void after a charge (Maya voids a sale on its day) gives the money back: only
        // money taken and never voided contradicts a cancelled record.
        Some(PaymentStatus::Cancelled) if taken > 0 && count(OpKind::Void) == 0 => {
            found.push("says released; the ledger shows the money taken".to_owned());
        }
        Some(PaymentStatus::Cancelled) if count(OpKind::Hold) > 0 && count(OpKind::Void) == 0 => {
            found.push("says released; the ledger shows the hold still standing".to_owned());
        }
        Some(PaymentStatus::Failed { .. } | PaymentStatus::Expired)
            if taken > 0 || count(OpKind::Hold) > 0 =>
        {
            found.push("says failed; the ledger shows money moved".to_owned());
        }
        _ => {}
    }
    if matches!(
        state,
        Some(PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded)
    ) && count(OpKind::Refund) == 0
    {
        found.push("says refunded; the ledger has no refund".to_owned());
    }
    let returned: Vec<_> = record
        .refunds
        .iter()
        .filter(|refund| matches!(refund.state, RefundState::Accepted | RefundState::Confirmed))
        .collect();
    if returned.len() > count(OpKind::Refund) {
        found.push(format!(
            "{} refund(s) accepted; the ledger has {}",
            returned.len(),
            count(OpKind::Refund)
        ));
    }
    let sum = returned.iter().fold(Decimal::ZERO, |sum, refund| {
        sum.saturating_add(refund.amount.amount())
    });
    if sum > payment.total(OpKind::Refund) {
        found.push(format!(
            "{sum} refunded by the record; the ledger returned {}",
            payment.total(OpKind::Refund)
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use paykit_core::{Currency, Money, ProviderId, RefundRecord};
    use paykit_sim::LedgerOp;

    use super::*;

    fn gel(text: &str) -> Money {
        Money::parse(text, Currency::GEL).unwrap()
    }

    /// The ledger of payment `o1`: registered for 50.00, then `ops`.
    fn ledger(ops: &[(OpKind, &str)]) -> PaymentLedger {
        let mut all = vec![(OpKind::Register, "50.00")];
        all.extend_from_slice(ops);
        PaymentLedger {
            provider: LedgerProvider::Bog,
            payment_id: "o1".to_owned(),
            order_id: Some("shop-1".to_owned()),
            currency: "GEL".to_owned(),
            ops: all
                .into_iter()
                .map(|(kind, amount)| LedgerOp {
                    kind,
                    amount: amount.parse().unwrap(),
                })
                .collect(),
        }
    }

    fn record(status: Option<PaymentStatus>, refunds: &[(&str, RefundState)]) -> PaymentRecord {
        let mut record = PaymentRecord::new(ProviderId("bog"), "o1").with_amount(Some(gel("50")));
        record.last_status = status;
        for (amount, state) in refunds {
            let mut refund = RefundRecord::requested(gel(amount));
            refund.state = *state;
            record.refunds.push(refund);
        }
        record
    }

    /// Records that claim what the ledger does not show are each found; records that claim
    /// only what happened are not.
    #[test]
    fn a_record_contradicting_the_ledger_is_found() {
        use PaymentStatus::*;
        use RefundState::*;
        let charged = ledger(&[(OpKind::Charge, "50.00")]);
        let refunded = ledger(&[(OpKind::Charge, "50.00"), (OpKind::Refund, "10.00")]);
        let held = ledger(&[(OpKind::Hold, "50.00")]);
        let sale_voided = ledger(&[(OpKind::Charge, "50.00"), (OpKind::Void, "50.00")]);
        let registered = ledger(&[]);
        let contradicting = [
            (
                record(Some(Captured), &[]),
                &registered,
                "no charge or capture",
            ),
            (record(Some(Refunded), &[]), &charged, "no refund"),
            (record(Some(Authorized), &[]), &charged, "no hold"),
            (record(Some(Cancelled), &[]), &charged, "money taken"),
            (record(Some(Cancelled), &[]), &held, "hold still standing"),
            (
                record(Some(Captured), &[("10", Accepted), ("5", Confirmed)]),
                &refunded,
                "2 refund(s) accepted; the ledger has 1",
            ),
            (
                record(Some(PartiallyRefunded), &[("12", Accepted)]),
                &refunded,
                "12.00 refunded by the record; the ledger returned 10.00",
            ),
        ];
        for (record, payment, why) in contradicting {
            let found = contradictions(&record, Some(payment));
            assert!(
                found.iter().any(|f| f.contains(why)),
                "{why}: {found:?} for {record:?}"
            );
        }
        assert_eq!(
            contradictions(&record(Some(Captured), &[]), None),
            vec!["a record of a payment the simulator never registered".to_owned()]
        );
        let honest = [
            (record(Some(Captured), &[]), &charged),
            (
                record(Some(PartiallyRefunded), &[("10", Accepted)]),
                &refunded,
            ),
            // A refund whose answer was lost claims nothing.
            (record(Some(Captured), &[("10", Requested)]), &charged),
            (record(Some(Authorized), &[]), &held),
            (record(Some(Cancelled), &[]), &sale_voided),
            (record(Some(RequiresAction), &[]), &registered),
            (record(None, &[]), &charged),
        ];
        for (record, payment) in honest {
            assert_eq!(contradictions(&record, Some(payment)), Vec::<String>::new());
        }
    }

    /// An open record is excused only when nothing final happened or a refund's answer was
    /// lost; one the ledger shows final is reported as settleable.
    #[test]
    fn open_records_are_told_apart() {
        use PaymentStatus::*;
        let charged = ledger(&[(OpKind::Charge, "50.00")]);
        let refunded = ledger(&[(OpKind::Charge, "50.00"), (OpKind::Refund, "10.00")]);
        let cases = [
            (
                record(Some(RequiresAction), &[]),
                ledger(&[]),
                Openness::AwaitingProvider,
            ),
            (
                record(Some(Authorized), &[]),
                ledger(&[(OpKind::Hold, "50.00")]),
                Openness::AwaitingProvider,
            ),
            (
                record(Some(RequiresAction), &[]),
                charged.clone(),
                Openness::SettleableLeftOpen,
            ),
            (
                record(None, &[]),
                ledger(&[(OpKind::Decline, "50.00")]),
                Openness::SettleableLeftOpen,
            ),
            (
                record(Some(RequiresAction), &[("10", RefundState::Requested)]),
                refunded.clone(),
                Openness::RefundUnanswered,
            ),
            (record(Some(Captured), &[]), charged, Openness::Settled),
            (
                record(Some(Captured), &[]),
                refunded.clone(),
                Openness::SettledBehind,
            ),
            (
                record(Some(PartiallyRefunded), &[("10", RefundState::Accepted)]),
                refunded,
                Openness::Settled,
            ),
        ];
        for (record, payment, expected) in cases {
            assert_eq!(openness(&record, Some(&payment)), expected, "{record:?}");
        }
    }
}
