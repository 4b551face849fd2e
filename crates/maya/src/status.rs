//! Maya's payment status words and the one mapping to [`PaymentStatus`].
//!
//! The execute response's outcome field is not in the stored reference (spec §6.2): the page
//! says an execution ends `APPROVED` or `DECLINED`, and Maya's shared Online Payments
//! vocabulary (spec §9, "Payment statuses": `PAYMENT_SUCCESS`, `PAYMENT_FAILED`, the
//! authentication and auth-and-capture words, ...) may be used instead. Every documented word
//! has its own variant and an explicit mapping; any other word is kept verbatim and never read
//! as paid.

use std::fmt;

use paykit_core::PaymentStatus;

/// A Mini App payment's status as Maya words it. Open: unknown words are kept in
/// [`MiniAppPaymentStatus::Other`].
///
/// | word | [`PaymentStatus`] | why |
/// |---|---|---|
/// | `APPROVED`, `PAYMENT_SUCCESS` | `Captured` | the wallet was debited |
/// | `CAPTURED`, `DONE` | `Captured` | auth-and-capture: captured; `DONE` is the final state after the day's captures |
/// | `AUTHORIZED` | `Authorized` | funds held, not taken (Mini App payments have no capture call) |
/// | `DECLINED`, `PAYMENT_FAILED`, `AUTH_FAILED` | `Failed` | not paid (final) |
/// | `PAYMENT_EXPIRED`, `AUTHORIZATION_HOLD_EXPIRED`, `CAPTURE_HOLD_EXPIRED` | `Expired` | nothing taken in time |
/// | `PAYMENT_CANCELLED`, `VOIDED` | `Cancelled` | nothing deducted, or reversed before settlement |
/// | `REFUNDED` | `Refunded` | reversed after settlement (Maya's word covers partial refunds too) |
/// | `PENDING_TOKEN` | `RequiresAction` | created, the customer has yet to authorise it (OTP, QR scan, in-app) |
/// | `FOR_AUTHENTICATION`, `AUTHENTICATING` | `RequiresAction` | the customer must complete, or is completing, 3-D Secure or similar |
/// | `PENDING_PAYMENT`, `AUTH_SUCCESS`, `PAYMENT_PROCESSING` | `Pending` | not decided yet |
/// | no status field, any other word | `Pending` | never "paid" on a guess |
///
/// [`fmt::Display`] writes the word back exactly as Maya spells it, so an outcome's
/// `raw_status` is Maya's own word (`PENDING_TOKEN` stays `PENDING_TOKEN`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MiniAppPaymentStatus {
    /// `APPROVED`: the wallet was debited.
    Approved,
    /// `DECLINED`: the wallet was not debited.
    Declined,
    /// `PENDING_TOKEN`: created, awaiting the customer's authorization (OTP, QR scan).
    PendingToken,
    /// `PENDING_PAYMENT`: the initial status of a payment; nothing decided.
    PendingPayment,
    /// `FOR_AUTHENTICATION`: needs 3-D Secure or a similar customer step.
    ForAuthentication,
    /// `AUTHENTICATING`: that authentication is in progress.
    Authenticating,
    /// `AUTH_SUCCESS`: authentication passed; not paid yet.
    AuthSuccess,
    /// `AUTH_FAILED`: authentication failed (final failure).
    AuthFailed,
    /// `PAYMENT_PROCESSING`: sent to the processor, not done.
    PaymentProcessing,
    /// `PAYMENT_SUCCESS`: paid.
    PaymentSuccess,
    /// `PAYMENT_FAILED`: not paid.
    PaymentFailed,
    /// `PAYMENT_EXPIRED`: not executed before the payment expired.
    PaymentExpired,
    /// `PAYMENT_CANCELLED`: cancelled, nothing deducted.
    PaymentCancelled,
    /// `AUTHORIZED`: a hold was placed on the funds; nothing taken yet.
    Authorized,
    /// `CAPTURED`: the held funds were captured.
    Captured,
    /// `DONE`: the final state of a captured authorization (no more captures).
    Done,
    /// `AUTHORIZATION_HOLD_EXPIRED`: the hold outlived its validity; nothing taken.
    AuthorizationHoldExpired,
    /// `CAPTURE_HOLD_EXPIRED`: a capture came after the hold expired; nothing taken.
    CaptureHoldExpired,
    /// `VOIDED`: reversed before settlement.
    Voided,
    /// `REFUNDED`: reversed, fully or partially, after settlement.
    Refunded,
    /// A 2xx answer that carried no status field at all.
    Unreported,
    /// Any other word, verbatim.
    Other(String),
}

impl MiniAppPaymentStatus {
    /// Every word this version knows, as Maya spells it.
    pub const KNOWN_WORDS: [&'static str; 20] = [
        "APPROVED",
        "DECLINED",
        "PENDING_TOKEN",
        "PENDING_PAYMENT",
        "FOR_AUTHENTICATION",
        "AUTHENTICATING",
        "AUTH_SUCCESS",
        "AUTH_FAILED",
        "PAYMENT_PROCESSING",
        "PAYMENT_SUCCESS",
        "PAYMENT_FAILED",
        "PAYMENT_EXPIRED",
        "PAYMENT_CANCELLED",
        "AUTHORIZED",
        "CAPTURED",
        "DONE",
        "AUTHORIZATION_HOLD_EXPIRED",
        "CAPTURE_HOLD_EXPIRED",
        "VOIDED",
        "REFUNDED",
    ];

    /// Reads a status word (case-insensitive, surrounding whitespace ignored).
    pub fn parse(word: &str) -> Self {
        let word = word.trim();
        match word.to_ascii_uppercase().as_str() {
            "APPROVED" => Self::Approved,
            "DECLINED" => Self::Declined,
            "PENDING_TOKEN" => Self::PendingToken,
            "PENDING_PAYMENT" => Self::PendingPayment,
            "FOR_AUTHENTICATION" => Self::ForAuthentication,
            "AUTHENTICATING" => Self::Authenticating,
            "AUTH_SUCCESS" => Self::AuthSuccess,
            "AUTH_FAILED" => Self::AuthFailed,
            "PAYMENT_PROCESSING" => Self::PaymentProcessing,
            "PAYMENT_SUCCESS" => Self::PaymentSuccess,
            "PAYMENT_FAILED" => Self::PaymentFailed,
            "PAYMENT_EXPIRED" => Self::PaymentExpired,
            "PAYMENT_CANCELLED" => Self::PaymentCancelled,
            "AUTHORIZED" => Self::Authorized,
            "CAPTURED" => Self::Captured,
            "DONE" => Self::Done,
            "AUTHORIZATION_HOLD_EXPIRED" => Self::AuthorizationHoldExpired,
            "CAPTURE_HOLD_EXPIRED" => Self::CaptureHoldExpired,
            "VOIDED" => Self::Voided,
            "REFUNDED" => Self::Refunded,
            "" => Self::Unreported,
            _ => Self::Other(word.to_owned()),
        }
    }

    /// The one mapping to the common status (the table on [`MiniAppPaymentStatus`]).
    ///
    /// A 2xx execute answer without a status, or with a word this version does not know, maps
    /// to [`PaymentStatus::Pending`]: never "paid" on a guess. Mini App payments have no status
    /// query, so a payment whose execute answer is not final must be reconciled in Maya
    /// Manager.
    pub fn to_payment_status(&self) -> PaymentStatus {
        match self {
            Self::Approved | Self::PaymentSuccess | Self::Captured | Self::Done => {
                PaymentStatus::Captured
            }
            Self::Authorized => PaymentStatus::Authorized,
            Self::Declined | Self::PaymentFailed | Self::AuthFailed => PaymentStatus::Failed {
                reason: Some(self.to_string()),
            },
            Self::PaymentExpired | Self::AuthorizationHoldExpired | Self::CaptureHoldExpired => {
                PaymentStatus::Expired
            }
            Self::PaymentCancelled | Self::Voided => PaymentStatus::Cancelled,
            Self::Refunded => PaymentStatus::Refunded,
            Self::PendingToken | Self::ForAuthentication | Self::Authenticating => {
                PaymentStatus::RequiresAction
            }
            Self::PendingPayment
            | Self::AuthSuccess
            | Self::PaymentProcessing
            | Self::Unreported
            | Self::Other(_) => PaymentStatus::Pending,
        }
    }

    /// True when the wallet was debited (a hold, `AUTHORIZED`, is not a debit).
    pub fn is_approved(&self) -> bool {
        matches!(
            self,
            Self::Approved | Self::PaymentSuccess | Self::Captured | Self::Done
        )
    }
}

impl fmt::Display for MiniAppPaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Approved => "APPROVED",
            Self::Declined => "DECLINED",
            Self::PendingToken => "PENDING_TOKEN",
            Self::PendingPayment => "PENDING_PAYMENT",
            Self::ForAuthentication => "FOR_AUTHENTICATION",
            Self::Authenticating => "AUTHENTICATING",
            Self::AuthSuccess => "AUTH_SUCCESS",
            Self::AuthFailed => "AUTH_FAILED",
            Self::PaymentProcessing => "PAYMENT_PROCESSING",
            Self::PaymentSuccess => "PAYMENT_SUCCESS",
            Self::PaymentFailed => "PAYMENT_FAILED",
            Self::PaymentExpired => "PAYMENT_EXPIRED",
            Self::PaymentCancelled => "PAYMENT_CANCELLED",
            Self::Authorized => "AUTHORIZED",
            Self::Captured => "CAPTURED",
            Self::Done => "DONE",
            Self::AuthorizationHoldExpired => "AUTHORIZATION_HOLD_EXPIRED",
            Self::CaptureHoldExpired => "CAPTURE_HOLD_EXPIRED",
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

    /// One status word: its variant, its common status, whether it is a debit.
    fn check(word: &str, variant: MiniAppPaymentStatus, expected: PaymentStatus, debited: bool) {
        let parsed = MiniAppPaymentStatus::parse(word);
        assert_eq!(parsed, variant, "{word}");
        assert_eq!(parsed.to_payment_status(), expected, "{word}");
        assert_eq!(parsed.is_approved(), debited, "{word}");
        // Reported as itself: the raw status is Maya's word, never another one.
        assert_eq!(parsed.to_string(), word, "{word}");
    }

    fn failed(word: &str) -> PaymentStatus {
        PaymentStatus::Failed {
            reason: Some(word.to_owned()),
        }
    }

    #[test]
    fn approved_is_captured() {
        let s = MiniAppPaymentStatus::Approved;
        check("APPROVED", s, PaymentStatus::Captured, true);
        assert_eq!(
            MiniAppPaymentStatus::parse(" approved ").to_payment_status(),
            PaymentStatus::Captured
        );
    }

    #[test]
    fn declined_is_failed() {
        let s = MiniAppPaymentStatus::Declined;
        check("DECLINED", s, failed("DECLINED"), false);
    }

    #[test]
    fn pending_token_is_reported_as_itself_and_waits_for_the_customer() {
        let s = MiniAppPaymentStatus::PendingToken;
        check("PENDING_TOKEN", s, PaymentStatus::RequiresAction, false);
        assert_ne!(
            MiniAppPaymentStatus::parse("PENDING_TOKEN"),
            MiniAppPaymentStatus::PendingPayment
        );
    }

    #[test]
    fn pending_payment_is_pending() {
        let s = MiniAppPaymentStatus::PendingPayment;
        check("PENDING_PAYMENT", s, PaymentStatus::Pending, false);
    }

    #[test]
    fn for_authentication_waits_for_the_customer() {
        let s = MiniAppPaymentStatus::ForAuthentication;
        check(
            "FOR_AUTHENTICATION",
            s,
            PaymentStatus::RequiresAction,
            false,
        );
    }

    #[test]
    fn authenticating_waits_for_the_customer() {
        let s = MiniAppPaymentStatus::Authenticating;
        check("AUTHENTICATING", s, PaymentStatus::RequiresAction, false);
    }

    #[test]
    fn auth_success_is_pending_not_paid() {
        let s = MiniAppPaymentStatus::AuthSuccess;
        check("AUTH_SUCCESS", s, PaymentStatus::Pending, false);
    }

    #[test]
    fn auth_failed_is_failed() {
        let s = MiniAppPaymentStatus::AuthFailed;
        check("AUTH_FAILED", s, failed("AUTH_FAILED"), false);
    }

    #[test]
    fn payment_processing_is_pending() {
        let s = MiniAppPaymentStatus::PaymentProcessing;
        check("PAYMENT_PROCESSING", s, PaymentStatus::Pending, false);
    }

    #[test]
    fn payment_success_is_captured() {
        let s = MiniAppPaymentStatus::PaymentSuccess;
        check("PAYMENT_SUCCESS", s, PaymentStatus::Captured, true);
    }

    #[test]
    fn payment_failed_is_failed() {
        let s = MiniAppPaymentStatus::PaymentFailed;
        check("PAYMENT_FAILED", s, failed("PAYMENT_FAILED"), false);
    }

    #[test]
    fn payment_expired_is_expired() {
        let s = MiniAppPaymentStatus::PaymentExpired;
        check("PAYMENT_EXPIRED", s, PaymentStatus::Expired, false);
    }

    #[test]
    fn payment_cancelled_is_cancelled() {
        let s = MiniAppPaymentStatus::PaymentCancelled;
        check("PAYMENT_CANCELLED", s, PaymentStatus::Cancelled, false);
    }

    #[test]
    fn authorized_is_a_hold_not_a_debit() {
        let s = MiniAppPaymentStatus::Authorized;
        check("AUTHORIZED", s, PaymentStatus::Authorized, false);
    }

    #[test]
    fn captured_is_captured() {
        let s = MiniAppPaymentStatus::Captured;
        check("CAPTURED", s, PaymentStatus::Captured, true);
    }

    #[test]
    fn done_is_captured() {
        check(
            "DONE",
            MiniAppPaymentStatus::Done,
            PaymentStatus::Captured,
            true,
        );
    }

    #[test]
    fn authorization_hold_expired_is_expired() {
        let s = MiniAppPaymentStatus::AuthorizationHoldExpired;
        check(
            "AUTHORIZATION_HOLD_EXPIRED",
            s,
            PaymentStatus::Expired,
            false,
        );
    }

    #[test]
    fn capture_hold_expired_is_expired() {
        let s = MiniAppPaymentStatus::CaptureHoldExpired;
        check("CAPTURE_HOLD_EXPIRED", s, PaymentStatus::Expired, false);
    }

    #[test]
    fn voided_is_cancelled() {
        let s = MiniAppPaymentStatus::Voided;
        check("VOIDED", s, PaymentStatus::Cancelled, false);
    }

    #[test]
    fn refunded_is_refunded() {
        let s = MiniAppPaymentStatus::Refunded;
        check("REFUNDED", s, PaymentStatus::Refunded, false);
    }

    #[test]
    fn every_known_word_has_its_own_variant() {
        let mut seen = std::collections::HashSet::new();
        for word in MiniAppPaymentStatus::KNOWN_WORDS {
            let status = MiniAppPaymentStatus::parse(word);
            assert!(!matches!(status, MiniAppPaymentStatus::Other(_)), "{word}");
            assert_eq!(status.to_string(), word);
            assert!(seen.insert(status), "{word} shares a variant");
        }
    }

    #[test]
    fn unknown_or_missing_words_are_never_paid() {
        for word in ["", "SOMETHING_NEW", "COMPLETED", "PAYMENT_INVALID"] {
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
    fn error_code_declines_keep_code_and_message() {
        assert_eq!(
            declined("PY0105", "Insufficient balance"),
            PaymentStatus::Failed {
                reason: Some("PY0105: Insufficient balance".into())
            }
        );
    }
}
