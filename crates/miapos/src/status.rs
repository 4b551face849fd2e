//! The one mapping from a miaPOS payment status to [`PaymentStatus`] (miapos.md §5).

use std::fmt;

use paykit_core::PaymentStatus;

/// A payment status as miaPOS reports it (`GET /payment/{id}` and callbacks).
///
/// Values the protocol does not define are kept as [`MiaPosStatus::Unknown`] rather than
/// failing: a new status must not break reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MiaPosStatus {
    /// `CREATED`: registered; the payer has not acted yet.
    Created,
    /// `PENDING`: the payer confirmed; the bank is processing.
    Pending,
    /// `SUCCESS`: the money was transferred (final).
    Success,
    /// `FAILED`: the payment failed (final).
    Failed,
    /// `DECLINED`: declined by the payer or the bank (final).
    Declined,
    /// `EXPIRED`: the QR or request-to-pay timed out (final).
    Expired,
    /// A status this version does not know, verbatim. Treated as not final.
    Unknown(String),
}

impl MiaPosStatus {
    /// Reads the wire value (upper case, matched exactly).
    pub fn parse(text: &str) -> Self {
        match text {
            "CREATED" => MiaPosStatus::Created,
            "PENDING" => MiaPosStatus::Pending,
            "SUCCESS" => MiaPosStatus::Success,
            "FAILED" => MiaPosStatus::Failed,
            "DECLINED" => MiaPosStatus::Declined,
            "EXPIRED" => MiaPosStatus::Expired,
            other => MiaPosStatus::Unknown(other.to_owned()),
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            MiaPosStatus::Created => "CREATED",
            MiaPosStatus::Pending => "PENDING",
            MiaPosStatus::Success => "SUCCESS",
            MiaPosStatus::Failed => "FAILED",
            MiaPosStatus::Declined => "DECLINED",
            MiaPosStatus::Expired => "EXPIRED",
            MiaPosStatus::Unknown(raw) => raw,
        }
    }

    /// The common status. The one place this mapping lives:
    ///
    /// | miaPOS | `PaymentStatus` |
    /// |---|---|
    /// | `CREATED` | `RequiresAction` (the payer must scan the QR or approve the request) |
    /// | `PENDING` | `Pending` |
    /// | `SUCCESS` | `Captured` (instant payments settle at once) |
    /// | `FAILED` | `Failed { reason: Some("FAILED") }` |
    /// | `DECLINED` | `Failed { reason: Some("DECLINED") }` |
    /// | `EXPIRED` | `Expired` |
    /// | anything else | `Pending` (never final: keep polling, never fulfil) |
    pub fn to_payment_status(&self) -> PaymentStatus {
        match self {
            MiaPosStatus::Created => PaymentStatus::RequiresAction,
            MiaPosStatus::Pending => PaymentStatus::Pending,
            MiaPosStatus::Success => PaymentStatus::Captured,
            MiaPosStatus::Failed => PaymentStatus::Failed {
                reason: Some("FAILED".to_owned()),
            },
            MiaPosStatus::Declined => PaymentStatus::Failed {
                reason: Some("DECLINED".to_owned()),
            },
            MiaPosStatus::Expired => PaymentStatus::Expired,
            MiaPosStatus::Unknown(_) => PaymentStatus::Pending,
        }
    }

    /// True for `SUCCESS`, `FAILED`, `DECLINED` and `EXPIRED`.
    pub fn is_final(&self) -> bool {
        self.to_payment_status().is_final()
    }
}

impl fmt::Display for MiaPosStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_round_trips_and_maps() {
        let table = [
            ("CREATED", PaymentStatus::RequiresAction, false),
            ("PENDING", PaymentStatus::Pending, false),
            ("SUCCESS", PaymentStatus::Captured, true),
            (
                "FAILED",
                PaymentStatus::Failed {
                    reason: Some("FAILED".into()),
                },
                true,
            ),
            (
                "DECLINED",
                PaymentStatus::Failed {
                    reason: Some("DECLINED".into()),
                },
                true,
            ),
            ("EXPIRED", PaymentStatus::Expired, true),
        ];
        for (wire, common, is_final) in table {
            let status = MiaPosStatus::parse(wire);
            assert!(!matches!(status, MiaPosStatus::Unknown(_)), "{wire}");
            assert_eq!(status.as_str(), wire);
            assert_eq!(status.to_string(), wire);
            assert_eq!(status.to_payment_status(), common, "{wire}");
            assert_eq!(status.is_final(), is_final, "{wire}");
        }
    }

    #[test]
    fn unknown_values_are_kept_and_never_final() {
        for raw in ["COMPLETED", "success", "", "Pending"] {
            let status = MiaPosStatus::parse(raw);
            assert_eq!(status, MiaPosStatus::Unknown(raw.to_owned()));
            assert_eq!(status.as_str(), raw);
            assert_eq!(status.to_payment_status(), PaymentStatus::Pending);
            assert!(!status.is_final());
        }
    }
}
