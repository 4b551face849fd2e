//! `order_status.key` (§6.1) and its one mapping to [`PaymentStatus`] (§6.5, TV-P7).

use paykit_core::{Decimal, PaymentStatus};

use crate::facts::ReceiptFacts;
use crate::receipt::{ActionKind, ActionStatus, Receipt};
use crate::types::open_enum;

open_enum!(
    /// An order's machine status (`order_status.key`).
    OrderStatus {
        /// The order exists; the customer has not finished on the page.
        Created => "created",
        /// The payment is being processed.
        Processing => "processing",
        /// Paid (for a manual order: confirmed in full).
        Completed => "completed",
        /// Ended unsuccessfully: declined, expired, or a rejected pre-authorization.
        Rejected => "rejected",
        /// A refund was requested and has not settled.
        RefundRequested => "refund_requested",
        /// Everything was returned.
        Refunded => "refunded",
        /// Part was returned.
        RefundedPartially => "refunded_partially",
        /// A pre-authorization confirmation was requested, not yet settled.
        AuthRequested => "auth_requested",
        /// The pre-authorization succeeded; the amount is held.
        Blocked => "blocked",
        /// Part of the held amount was confirmed; the rest released.
        PartialCompleted => "partial_completed",
    }
);

/// The generic status of a receipt, and whether a refund is still settling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReading {
    /// The generic status.
    pub status: PaymentStatus,
    /// `refund_requested`: a refund awaits settlement.
    pub refund_pending: bool,
}

/// The one mapping of §6.5: a single `match` on the status key, the reject reason, whether a
/// pre-authorization was cancelled, and the refunded amount. Unknown keys are `Pending`, never a
/// success.
pub fn status_of(receipt: &Receipt) -> StatusReading {
    reading_of(&receipt.facts())
}

/// [`status_of`] over the borrowed view both a receipt and a callback body give.
pub(crate) fn reading_of(facts: &ReceiptFacts<'_>) -> StatusReading {
    map(
        &facts.status,
        facts.reject_reason,
        facts.cancelled,
        facts.refund_amount.unwrap_or(Decimal::ZERO),
        facts.code,
    )
}

fn map(
    key: &OrderStatus,
    reject_reason: Option<&str>,
    cancelled: bool,
    refunded: Decimal,
    code: Option<&str>,
) -> StatusReading {
    use OrderStatus as K;
    let pending = |status| StatusReading {
        status,
        refund_pending: true,
    };
    let settled = |status| StatusReading {
        status,
        refund_pending: false,
    };
    match (key, reject_reason, cancelled, refunded > Decimal::ZERO) {
        (K::Created, ..) => settled(PaymentStatus::RequiresAction),
        (K::Processing | K::AuthRequested, ..) => settled(PaymentStatus::Pending),
        (K::Blocked, ..) => settled(PaymentStatus::Authorized),
        (K::Completed | K::PartialCompleted, ..) => settled(PaymentStatus::Captured),
        (K::RefundRequested, _, _, false) => pending(PaymentStatus::Captured),
        (K::RefundRequested, _, _, true) => pending(PaymentStatus::PartiallyRefunded),
        (K::RefundedPartially, ..) => settled(PaymentStatus::PartiallyRefunded),
        (K::Refunded, ..) => settled(PaymentStatus::Refunded),
        (K::Rejected, Some("expiration"), ..) => settled(PaymentStatus::Expired),
        (K::Rejected, _, true, _) => settled(PaymentStatus::Cancelled),
        (K::Rejected, reason, false, _) => settled(PaymentStatus::Failed {
            reason: failure_reason(reason, code),
        }),
        (K::Other(_), ..) => settled(PaymentStatus::Pending),
    }
}

/// `reject_reason`, prefixed with the response code when there is one (`107: ...`).
fn failure_reason(reason: Option<&str>, code: Option<&str>) -> Option<String> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    match (code, reason) {
        (Some(code), Some(reason)) => Some(format!("{code}: {reason}")),
        (Some(code), None) => Some(format!("code {code}")),
        (None, Some(reason)) => Some(reason.to_owned()),
        (None, None) => None,
    }
}

impl Receipt {
    /// True when `actions[]` holds a completed action of `kind`.
    pub fn has_completed(&self, kind: &ActionKind) -> bool {
        self.actions
            .iter()
            .any(|a| &a.action == kind && a.status == ActionStatus::Completed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(key: &str, reason: Option<&str>, cancelled: bool, refunded: &str) -> StatusReading {
        map(
            &OrderStatus::from_wire(key),
            reason,
            cancelled,
            refunded.parse().unwrap(),
            Some("107"),
        )
    }

    /// TV-P7, every row.
    #[test]
    fn the_status_vectors_map_as_the_digest_says() {
        use PaymentStatus as S;
        let cases = [
            ("created", None, false, "0", S::RequiresAction, false),
            ("processing", None, false, "0", S::Pending, false),
            ("blocked", None, false, "0", S::Authorized, false),
            ("auth_requested", None, false, "0", S::Pending, false),
            ("completed", None, false, "0", S::Captured, false),
            ("partial_completed", None, false, "0", S::Captured, false),
            ("refund_requested", None, false, "0.0", S::Captured, true),
            (
                "refund_requested",
                None,
                false,
                "10.0",
                S::PartiallyRefunded,
                true,
            ),
            (
                "refunded_partially",
                None,
                false,
                "10",
                S::PartiallyRefunded,
                false,
            ),
            ("refunded", None, false, "30", S::Refunded, false),
            (
                "rejected",
                Some("expiration"),
                false,
                "0",
                S::Expired,
                false,
            ),
            ("rejected", None, true, "0", S::Cancelled, false),
            ("captured", None, false, "0", S::Pending, false),
        ];
        for (key, reason, cancelled, refunded, status, refund_pending) in cases {
            let got = reading(key, reason, cancelled, refunded);
            assert_eq!(got.status, status, "{key}");
            assert_eq!(got.refund_pending, refund_pending, "{key}");
        }
        let declined = reading(
            "rejected",
            Some("Payment declined due to insufficient funds in the account"),
            false,
            "0",
        );
        assert_eq!(
            declined.status,
            S::Failed {
                reason: Some(
                    "107: Payment declined due to insufficient funds in the account".into()
                )
            }
        );
    }

    #[test]
    fn unknown_keys_stay_visible_and_never_succeed() {
        let key = OrderStatus::from_wire("captured");
        assert_eq!(key, OrderStatus::Other("captured".into()));
        assert_eq!(key.as_str(), "captured");
        for unknown in ["paid", "success", "approved", ""] {
            let got = reading(unknown, None, false, "0");
            assert!(!got.status.is_paid() && !got.status.is_final(), "{unknown}");
        }
    }
}
