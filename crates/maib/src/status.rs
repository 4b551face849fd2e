//! The one mapping from maib's transaction `status` to [`PaymentStatus`] (protocol notes maib.md
//! §7.1).
//!
//! maib reuses `OK` for "paid", "held", "captured", "refunded" and "deleted", and `PENDING` for
//! both "not finished" and "card stored without a payment". `pay-info` and callbacks do not say
//! whether a payment was a hold, so `OK` there means "captured" or "authorized" depending on a
//! fact maib never sends back: the flow paykit used to create the payment ([`PaymentFlow`],
//! kept in the client's payment records). When that flow is not known the mapping does not
//! guess: it answers [`FlowUnknown`], and callers turn that into an explicit answer.

use paykit_core::{Decimal, Flow, PaymentStatus};

use crate::types::TransactionStatus;

/// How a payment was created, which decides what maib's `OK` means for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentFlow {
    /// A direct payment (`pay`), a one-click or a recurring charge: `OK` is captured.
    Direct,
    /// A two-step authorization (`hold`): `OK` is authorized until `complete` captures it; a
    /// full refund of an uncompleted hold releases it (cancelled).
    Hold,
    /// A card registration (`savecard-*`): `OK` means the amount sent with it was charged;
    /// without an amount maib answers `PENDING` once the card is stored, and no money moved.
    SaveCard,
}

impl PaymentFlow {
    /// The flow of a payment record's [`Flow`].
    pub fn from_record(flow: Flow) -> Option<PaymentFlow> {
        match flow {
            Flow::Pay | Flow::SavedCardCharge => Some(PaymentFlow::Direct),
            Flow::Hold => Some(PaymentFlow::Hold),
            Flow::SaveCard => Some(PaymentFlow::SaveCard),
            _ => None,
        }
    }
}

/// The answer depends on whether the payment was a hold, and that is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlowUnknown;

/// The facts of an answer the mapping may need.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts<'a> {
    /// `statusMessage`, the reason of a failure.
    pub(crate) status_message: Option<&'a str>,
    /// `amount`.
    pub(crate) amount: Option<Decimal>,
    /// `confirmAmount`.
    pub(crate) confirm_amount: Option<Decimal>,
    /// `refundAmount`.
    pub(crate) refund_amount: Option<Decimal>,
    /// paykit completed this (held) payment: a hold that was captured, even if maib's answer
    /// shows no `confirmAmount`.
    pub(crate) completed: bool,
}

fn positive(value: Option<Decimal>) -> Option<Decimal> {
    value.filter(|v| *v > Decimal::ZERO)
}

impl Facts<'_> {
    /// Whether the payment was captured by `complete` (so it is a hold no longer).
    fn was_completed(&self) -> bool {
        self.completed || positive(self.confirm_amount).is_some()
    }

    /// Refunded or partially refunded, measured against what was captured.
    fn refund_state(&self, refunded: Option<Decimal>) -> PaymentStatus {
        let base = positive(self.confirm_amount).or(self.amount);
        match (refunded, base) {
            (Some(refunded), Some(base)) if refunded < base => PaymentStatus::PartiallyRefunded,
            _ => PaymentStatus::Refunded,
        }
    }

    fn failed(&self) -> PaymentStatus {
        PaymentStatus::Failed {
            reason: self
                .status_message
                .filter(|m| !m.trim().is_empty())
                .map(str::to_owned),
        }
    }
}

/// Maps the `status` of a payment (`pay-info`, a callback, a synchronous charge) created by
/// `flow` (`None`: not known), or says the flow is needed.
pub(crate) fn payment_status(
    status: Option<&TransactionStatus>,
    flow: Option<PaymentFlow>,
    facts: &Facts<'_>,
) -> Result<PaymentStatus, FlowUnknown> {
    let Some(status) = status else {
        // No status: nothing is known yet; ask again.
        return Ok(PaymentStatus::Pending);
    };
    Ok(match status {
        TransactionStatus::Ok => settled(
            positive(facts.refund_amount).map_or(Returned::Nothing, Returned::Amount),
            flow,
            facts,
        )?,
        // `REVERSED` is what a repeated refund answers; on a payment it means returned, whole
        // unless an amount says otherwise.
        TransactionStatus::Reversed => settled(
            positive(facts.refund_amount).map_or(Returned::Whole, Returned::Amount),
            flow,
            facts,
        )?,
        // "Not finished", or a card stored without a payment (savecard-* without an amount):
        // neither took money, so never captured. The stored card is in `saved_card`.
        TransactionStatus::Pending => PaymentStatus::Pending,
        TransactionStatus::Created => PaymentStatus::RequiresAction,
        TransactionStatus::Failed | TransactionStatus::Declined => facts.failed(),
        TransactionStatus::Timeout => PaymentStatus::Expired,
        // A status this version does not know: not final, so callers ask again.
        TransactionStatus::Other(_) => PaymentStatus::Pending,
    })
}

/// What of a settled payment went back to the customer.
#[derive(Debug, Clone, Copy)]
enum Returned {
    Nothing,
    Amount(Decimal),
    Whole,
}

impl Returned {
    fn any(self) -> Option<Option<Decimal>> {
        match self {
            Returned::Nothing => None,
            Returned::Amount(amount) => Some(Some(amount)),
            Returned::Whole => Some(None),
        }
    }
}

/// A payment maib reports as done (`OK`), with what of it was `returned`.
fn settled(
    returned: Returned,
    flow: Option<PaymentFlow>,
    facts: &Facts<'_>,
) -> Result<PaymentStatus, FlowUnknown> {
    let completed = facts.was_completed();
    Ok(match (returned.any(), flow) {
        // A captured hold, or a direct payment, later refunded.
        (Some(refunded), _) if completed => facts.refund_state(refunded),
        (Some(refunded), Some(PaymentFlow::Direct | PaymentFlow::SaveCard)) => {
            facts.refund_state(refunded)
        }
        // maib refunds an uncompleted hold only whole (13110), which releases it: no money was
        // ever taken, so it is cancelled, not refunded.
        (Some(_), Some(PaymentFlow::Hold)) => PaymentStatus::Cancelled,
        (None, _) if completed => PaymentStatus::Captured,
        (None, Some(PaymentFlow::Direct | PaymentFlow::SaveCard)) => PaymentStatus::Captured,
        (None, Some(PaymentFlow::Hold)) => PaymentStatus::Authorized,
        (_, None) => return Err(FlowUnknown),
    })
}

/// The state of a payment created by `flow` after maib accepted a refund of `refunded` of it
/// (`None`: the whole of it).
pub(crate) fn after_refund(
    refunded: Option<Decimal>,
    flow: Option<PaymentFlow>,
    facts: &Facts<'_>,
) -> Result<PaymentStatus, FlowUnknown> {
    let returned = positive(refunded).map_or(Returned::Whole, Returned::Amount);
    settled(returned, flow, facts)
}

/// Maps the `status` of a synchronous `complete` answer. Only `OK` comes this far (the call
/// refuses anything else), and `OK` there means captured.
pub(crate) fn complete_status(status: Option<&TransactionStatus>) -> PaymentStatus {
    match status {
        Some(TransactionStatus::Ok) => PaymentStatus::Captured,
        _ => PaymentStatus::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn map(status: &str, flow: Option<PaymentFlow>, facts: Facts<'_>) -> PaymentStatus {
        payment_status(Some(&TransactionStatus::parse(status)), flow, &facts).unwrap()
    }

    const DIRECT: Option<PaymentFlow> = Some(PaymentFlow::Direct);
    const HOLD: Option<PaymentFlow> = Some(PaymentFlow::Hold);

    #[test]
    fn ok_depends_on_the_flow_and_is_never_guessed() {
        let f = Facts::default();
        assert_eq!(map("OK", DIRECT, f), PaymentStatus::Captured);
        assert_eq!(map("OK", HOLD, f), PaymentStatus::Authorized);
        assert_eq!(
            map("OK", Some(PaymentFlow::SaveCard), f),
            PaymentStatus::Captured
        );
        assert_eq!(
            payment_status(Some(&TransactionStatus::Ok), None, &f),
            Err(FlowUnknown)
        );
    }

    #[test]
    fn an_uncompleted_hold_is_never_captured() {
        let held = Facts {
            amount: Some(dec("25")),
            ..Facts::default()
        };
        assert_eq!(map("OK", HOLD, held), PaymentStatus::Authorized);
        // Captured once completed: maib shows confirmAmount, or paykit completed it.
        let shown = Facts {
            confirm_amount: Some(dec("10")),
            ..held
        };
        assert_eq!(map("OK", HOLD, shown), PaymentStatus::Captured);
        assert_eq!(map("OK", None, shown), PaymentStatus::Captured);
        let recorded = Facts {
            completed: true,
            ..held
        };
        assert_eq!(map("OK", HOLD, recorded), PaymentStatus::Captured);
        // A refund of an uncompleted hold releases it.
        let released = Facts {
            refund_amount: Some(dec("25")),
            ..held
        };
        assert_eq!(map("OK", HOLD, released), PaymentStatus::Cancelled);
        assert_eq!(
            payment_status(Some(&TransactionStatus::Ok), None, &released),
            Err(FlowUnknown)
        );
    }

    #[test]
    fn refunds_are_measured_against_what_was_captured() {
        let partial = Facts {
            amount: Some(dec("10.25")),
            refund_amount: Some(dec("5")),
            ..Facts::default()
        };
        assert_eq!(map("OK", DIRECT, partial), PaymentStatus::PartiallyRefunded);
        let full = Facts {
            amount: Some(dec("10.25")),
            refund_amount: Some(dec("10.25")),
            ..Facts::default()
        };
        assert_eq!(map("OK", DIRECT, full), PaymentStatus::Refunded);
        let captured_less = Facts {
            amount: Some(dec("25")),
            confirm_amount: Some(dec("10")),
            refund_amount: Some(dec("10")),
            ..Facts::default()
        };
        assert_eq!(map("OK", HOLD, captured_less), PaymentStatus::Refunded);
        assert_eq!(map("OK", None, captured_less), PaymentStatus::Refunded);
        assert_eq!(
            map("REVERSED", DIRECT, Facts::default()),
            PaymentStatus::Refunded
        );
        assert_eq!(
            map("REVERSED", HOLD, Facts::default()),
            PaymentStatus::Cancelled
        );
        let zero = Facts {
            refund_amount: Some(dec("0")),
            ..Facts::default()
        };
        assert_eq!(map("OK", DIRECT, zero), PaymentStatus::Captured);
    }

    #[test]
    fn pending_is_never_captured() {
        // A card stored without a payment moved no money; an unfinished payment neither.
        for flow in [DIRECT, HOLD, Some(PaymentFlow::SaveCard), None] {
            assert_eq!(
                map("PENDING", flow, Facts::default()),
                PaymentStatus::Pending
            );
        }
        let with_amount = Facts {
            amount: Some(dec("6.25")),
            ..Facts::default()
        };
        assert_eq!(
            map("PENDING", Some(PaymentFlow::SaveCard), with_amount),
            PaymentStatus::Pending
        );
    }

    #[test]
    fn the_other_statuses_do_not_need_the_flow() {
        let f = Facts {
            status_message: Some("Decline, not sufficient funds"),
            ..Facts::default()
        };
        assert_eq!(
            map("FAILED", None, f),
            PaymentStatus::Failed {
                reason: Some("Decline, not sufficient funds".into())
            }
        );
        assert_eq!(
            map("DECLINED", None, Facts::default()),
            PaymentStatus::Failed { reason: None }
        );
        assert_eq!(map("CREATED", None, f), PaymentStatus::RequiresAction);
        assert_eq!(map("TIMEOUT", None, f), PaymentStatus::Expired);
        assert_eq!(map("SETTLED", None, f), PaymentStatus::Pending);
        assert_eq!(payment_status(None, None, &f), Ok(PaymentStatus::Pending));
    }

    #[test]
    fn record_flows_map_to_payment_flows() {
        assert_eq!(PaymentFlow::from_record(Flow::Pay), DIRECT);
        assert_eq!(PaymentFlow::from_record(Flow::Hold), HOLD);
        assert_eq!(
            PaymentFlow::from_record(Flow::SaveCard),
            Some(PaymentFlow::SaveCard)
        );
        assert_eq!(PaymentFlow::from_record(Flow::SavedCardCharge), DIRECT);
        assert_eq!(
            complete_status(Some(&TransactionStatus::Ok)),
            PaymentStatus::Captured
        );
    }
}
