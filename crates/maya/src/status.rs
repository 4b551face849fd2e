//! Maya's payment status words and the one mapping to [`PaymentStatus`].
//!
//! The execute response's outcome field is not in the stored reference (spec §6.2): the page
//! says an execution ends `APPROVED` or `DECLINED`, and Maya's shared Online Payments
//! vocabulary (`PAYMENT_SUCCESS`, `PAYMENT_FAILED`, ...) may be used instead. Both are read; any
//! other word is kept verbatim and treated as not final.

use std::fmt;

use paykit_core::PaymentStatus;

/// A Mini App payment's status as Maya words it. Open: unknown words are kept in
/// [`MiniAppPaymentStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MiniAppPaymentStatus {
    /// `APPROVED`: the wallet was debited.
    Approved,
    /// `DECLINED`: the wallet was not debited.
    Declined,
    /// `PAYMENT_SUCCESS` (shared vocabulary): paid.
    PaymentSuccess,
    /// `PAYMENT_FAILED` (shared vocabulary): not paid.
    PaymentFailed,
    /// `PAYMENT_EXPIRED`: not executed before the payment expired.
    PaymentExpired,
    /// `PAYMENT_CANCELLED`: cancelled, nothing deducted.
    PaymentCancelled,
    /// `PAYMENT_PROCESSING`: sent to the processor, not done.
    PaymentProcessing,
    /// `PENDING_PAYMENT` / `PENDING_TOKEN`: created, not executed.
    PendingPayment,
    /// `VOIDED`: reversed before settlement.
    Voided,
    /// `REFUNDED`: reversed after settlement.
    Refunded,
    /// A 2xx answer that carried no status field at all.
    Unreported,
    /// Any other word, verbatim.
    Other(String),
}

impl MiniAppPaymentStatus {
    /// Reads a status word (case-insensitive, surrounding whitespace ignored).
    pub fn parse(word: &str) -> Self {
        let word = word.trim();
        match word.to_ascii_uppercase().as_str() {
            "APPROVED" => Self::Approved,
            "DECLINED" => Self::Declined,
            "PAYMENT_SUCCESS" => Self::PaymentSuccess,
            "PAYMENT_FAILED" => Self::PaymentFailed,
            "PAYMENT_EXPIRED" => Self::PaymentExpired,
            "PAYMENT_CANCELLED" => Self::PaymentCancelled,
            "PAYMENT_PROCESSING" => Self::PaymentProcessing,
            "PENDING_PAYMENT" | "PENDING_TOKEN" => Self::PendingPayment,
            "VOIDED" => Self::Voided,
            "REFUNDED" => Self::Refunded,
            "" => Self::Unreported,
            _ => Self::Other(word.to_owned()),
        }
    }

    /// The one mapping to the common status.
    ///
    /// A 2xx execute answer without a status, or with a word this version does not know, maps
    /// to [`PaymentStatus::Pending`]: never "paid" on a guess. Mini App payments have no status
    /// query, so such a payment must be reconciled in Maya Manager.
    pub fn to_payment_status(&self) -> PaymentStatus {
        match self {
            Self::Approved | Self::PaymentSuccess => PaymentStatus::Captured,
            Self::Declined | Self::PaymentFailed => PaymentStatus::Failed {
                reason: Some(self.to_string()),
            },
            Self::PaymentExpired => PaymentStatus::Expired,
            Self::PaymentCancelled | Self::Voided => PaymentStatus::Cancelled,
            Self::Refunded => PaymentStatus::Refunded,
            Self::PaymentProcessing | Self::PendingPayment | Self::Unreported | Self::Other(_) => {
                PaymentStatus::Pending
            }
        }
    }

    /// True when the wallet was debited.
    pub fn is_approved(&self) -> bool {
        matches!(self, Self::Approved | Self::PaymentSuccess)
    }
}

impl fmt::Display for MiniAppPaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Approved => "APPROVED",
            Self::Declined => "DECLINED",
            Self::PaymentSuccess => "PAYMENT_SUCCESS",
            Self::PaymentFailed => "PAYMENT_FAILED",
            Self::PaymentExpired => "PAYMENT_EXPIRED",
            Self::PaymentCancelled => "PAYMENT_CANCELLED",
            Self::PaymentProcessing => "PAYMENT_PROCESSING",
            Self::PendingPayment => "PENDING_PAYMENT",
            Self::Voided => "VOIDED",
            Self::Refunded => "REFUNDED",
            Self::Unreported => "",
            Self::Other(word) => word,
        })
    }
}

/// The common status of a decline Maya answered with an error code (`PY0105` ...).
pub(crate) fn declined(code: &str, message: &str) -> PaymentStatus {
    let reason = if message.is_empty() {
        code.to_owned()
    } else {
        format!("{code}: {message}")
    };
    PaymentStatus::Failed {
        reason: Some(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_words_map_to_final_states() {
        assert_eq!(
            MiniAppPaymentStatus::parse("APPROVED").to_payment_status(),
            PaymentStatus::Captured
        );
        assert_eq!(
            MiniAppPaymentStatus::parse(" approved ").to_payment_status(),
            PaymentStatus::Captured
        );
        assert_eq!(
            MiniAppPaymentStatus::parse("DECLINED").to_payment_status(),
            PaymentStatus::Failed {
                reason: Some("DECLINED".into())
            }
        );
        assert_eq!(
            MiniAppPaymentStatus::parse("PAYMENT_SUCCESS").to_payment_status(),
            PaymentStatus::Captured
        );
        assert_eq!(
            MiniAppPaymentStatus::parse("PAYMENT_EXPIRED").to_payment_status(),
            PaymentStatus::Expired
        );
    }

    #[test]
    fn unknown_or_missing_words_are_never_paid() {
        for word in ["", "SOMETHING_NEW", "PAYMENT_PROCESSING"] {
            let status = MiniAppPaymentStatus::parse(word);
            assert_eq!(status.to_payment_status(), PaymentStatus::Pending, "{word}");
            assert!(!status.is_approved());
        }
        assert_eq!(
            MiniAppPaymentStatus::parse("Something_New").to_string(),
            "Something_New"
        );
    }

    #[test]
    fn every_variant_round_trips_through_its_word() {
        for word in [
            "APPROVED",
            "DECLINED",
            "PAYMENT_SUCCESS",
            "PAYMENT_FAILED",
            "PAYMENT_EXPIRED",
            "PAYMENT_CANCELLED",
            "PAYMENT_PROCESSING",
            "PENDING_PAYMENT",
            "VOIDED",
            "REFUNDED",
        ] {
            assert_eq!(MiniAppPaymentStatus::parse(word).to_string(), word);
        }
    }

    #[test]
    fn error_code_declines_keep_code_and_message() {
        assert_eq!(
            declined("PY0105", "Insufficient balance"),
            PaymentStatus::Failed {
                reason: Some("PY0105: Insufficient balance".into())
            }
        );
    }
}
