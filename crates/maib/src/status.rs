//! The one mapping from maib's transaction `status` to [`PaymentStatus`] (spec digest maib.md
//! §7.1).
//!
//! maib reuses `OK` for "paid", "held", "captured", "refunded" and "deleted", and `PENDING` for
//! both "not finished" and "card stored without a payment", so the mapping needs to know which
//! call the status answers ([`PaymentFlow`]) and a few facts of the response.

use paykit_core::{Decimal, PaymentStatus};

use crate::types::TransactionStatus;

/// Which call, or which kind of payment, a status belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentFlow {
    /// A direct payment (`pay`), a one-click or a recurring charge: `OK` is captured.
    Direct,
    /// A two-step authorization (`hold`): `OK` is authorized, not captured.
    Hold,
    /// A capture (`complete`): `OK` is captured.
    Complete,
    /// A refund: `OK` is refunded (partially when an amount was asked for); `REVERSED`
    /// means it already was.
    Refund {
        /// Whether a partial amount was asked for.
        partial: bool,
    },
    /// A card registration (`savecard-*`): `PENDING` with a `billerId` means the card is
    /// stored without a payment.
    SaveCard,
    /// A payment of unknown kind (`pay-info`, callbacks): the amounts decide. maib does not
    /// say whether a payment was a hold, so an uncompleted hold reads as captured here; use
    /// [`PaymentFlow::Hold`] when you know it was one.
    Unknown,
}

/// The facts of a response the mapping may need.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts<'a> {
    /// `statusMessage`, the reason of a failure.
    pub(crate) status_message: Option<&'a str>,
    /// Whether a `billerId` came back.
    pub(crate) has_biller_id: bool,
    /// `amount`.
    pub(crate) amount: Option<Decimal>,
    /// `confirmAmount`.
    pub(crate) confirm_amount: Option<Decimal>,
    /// `refundAmount`.
    pub(crate) refund_amount: Option<Decimal>,
}

impl Facts<'_> {
    /// Refunded or partially refunded, when a refund amount says so.
    fn refund_state(&self) -> Option<PaymentStatus> {
        let refunded = self.refund_amount.filter(|r| *r > Decimal::ZERO)?;
        let base = self.confirm_amount.or(self.amount);
        Some(match base {
            Some(base) if refunded < base => PaymentStatus::PartiallyRefunded,
            _ => PaymentStatus::Refunded,
        })
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

/// Maps `status` (absent when maib sent none) as an answer to `flow`.
pub(crate) fn payment_status(
    status: Option<&TransactionStatus>,
    flow: PaymentFlow,
    facts: &Facts<'_>,
) -> PaymentStatus {
    let Some(status) = status else {
        // No status: nothing is known yet; ask again.
        return PaymentStatus::Pending;
    };
    match status {
        TransactionStatus::Ok => match flow {
            PaymentFlow::Direct | PaymentFlow::Complete | PaymentFlow::SaveCard => {
                PaymentStatus::Captured
            }
            PaymentFlow::Hold => PaymentStatus::Authorized,
            PaymentFlow::Refund { partial: true } => PaymentStatus::PartiallyRefunded,
            PaymentFlow::Refund { partial: false } => PaymentStatus::Refunded,
            PaymentFlow::Unknown => facts.refund_state().unwrap_or(PaymentStatus::Captured),
        },
        // The card is stored and no payment was asked for: nothing further will happen.
        TransactionStatus::Pending
            if facts.has_biller_id
                && matches!(flow, PaymentFlow::SaveCard | PaymentFlow::Unknown) =>
        {
            PaymentStatus::Captured
        }
        TransactionStatus::Pending => PaymentStatus::Pending,
        TransactionStatus::Created => PaymentStatus::RequiresAction,
        TransactionStatus::Failed | TransactionStatus::Declined => facts.failed(),
        TransactionStatus::Timeout => PaymentStatus::Expired,
        TransactionStatus::Reversed => match flow {
            PaymentFlow::Refund { .. } => PaymentStatus::Refunded,
            _ => facts.refund_state().unwrap_or(PaymentStatus::Refunded),
        },
        // A status this version does not know: not final, so callers ask again.
        TransactionStatus::Other(_) => PaymentStatus::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn map(status: &str, flow: PaymentFlow, facts: Facts<'_>) -> PaymentStatus {
        payment_status(Some(&TransactionStatus::parse(status)), flow, &facts)
    }

    #[test]
    fn ok_depends_on_the_call() {
        let f = Facts::default();
        assert_eq!(map("OK", PaymentFlow::Direct, f), PaymentStatus::Captured);
        assert_eq!(map("OK", PaymentFlow::Hold, f), PaymentStatus::Authorized);
        assert_eq!(map("OK", PaymentFlow::Complete, f), PaymentStatus::Captured);
        assert_eq!(
            map("OK", PaymentFlow::Refund { partial: false }, f),
            PaymentStatus::Refunded
        );
        assert_eq!(
            map("OK", PaymentFlow::Refund { partial: true }, f),
            PaymentStatus::PartiallyRefunded
        );
        assert_eq!(map("OK", PaymentFlow::SaveCard, f), PaymentStatus::Captured);
        assert_eq!(map("OK", PaymentFlow::Unknown, f), PaymentStatus::Captured);
    }

    #[test]
    fn pay_info_amounts_tell_refunds_apart() {
        let partial = Facts {
            amount: Some(dec("10.25")),
            refund_amount: Some(dec("5")),
            ..Facts::default()
        };
        assert_eq!(
            map("OK", PaymentFlow::Unknown, partial),
            PaymentStatus::PartiallyRefunded
        );
        let full = Facts {
            amount: Some(dec("10.25")),
            refund_amount: Some(dec("10.25")),
            ..Facts::default()
        };
        assert_eq!(
            map("OK", PaymentFlow::Unknown, full),
            PaymentStatus::Refunded
        );
        let captured_less = Facts {
            amount: Some(dec("10.25")),
            confirm_amount: Some(dec("8")),
            refund_amount: Some(dec("8")),
            ..Facts::default()
        };
        assert_eq!(
            map("REVERSED", PaymentFlow::Unknown, captured_less),
            PaymentStatus::Refunded
        );
        let zero = Facts {
            refund_amount: Some(dec("0")),
            ..Facts::default()
        };
        assert_eq!(
            map("OK", PaymentFlow::Unknown, zero),
            PaymentStatus::Captured
        );
    }

    #[test]
    fn pending_means_stored_for_card_registrations() {
        let stored = Facts {
            has_biller_id: true,
            ..Facts::default()
        };
        assert_eq!(
            map("PENDING", PaymentFlow::SaveCard, stored),
            PaymentStatus::Captured
        );
        assert_eq!(
            map("PENDING", PaymentFlow::Unknown, stored),
            PaymentStatus::Captured
        );
        assert_eq!(
            map("PENDING", PaymentFlow::SaveCard, Facts::default()),
            PaymentStatus::Pending
        );
        assert_eq!(
            map("PENDING", PaymentFlow::Direct, stored),
            PaymentStatus::Pending
        );
    }

    #[test]
    fn the_other_statuses() {
        let f = Facts {
            status_message: Some("Decline, not sufficient funds"),
            ..Facts::default()
        };
        assert_eq!(
            map("FAILED", PaymentFlow::Direct, f),
            PaymentStatus::Failed {
                reason: Some("Decline, not sufficient funds".into())
            }
        );
        assert_eq!(
            map("DECLINED", PaymentFlow::Direct, Facts::default()),
            PaymentStatus::Failed { reason: None }
        );
        assert_eq!(
            map("CREATED", PaymentFlow::Unknown, f),
            PaymentStatus::RequiresAction
        );
        assert_eq!(
            map("TIMEOUT", PaymentFlow::Unknown, f),
            PaymentStatus::Expired
        );
        assert_eq!(
            map("REVERSED", PaymentFlow::Refund { partial: true }, f),
            PaymentStatus::Refunded
        );
        assert_eq!(
            map("SETTLED", PaymentFlow::Unknown, f),
            PaymentStatus::Pending
        );
        assert_eq!(
            payment_status(None, PaymentFlow::Direct, &f),
            PaymentStatus::Pending
        );
    }
}
