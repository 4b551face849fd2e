//! Maya's status vocabularies (spec §4.1), open (`Other`) so a new value never fails a decode,
//! and the one exhaustive mapping of payment statuses to [`PaymentStatus`] (spec §4.2).

use paykit_core::PaymentStatus;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an open string enum: known values, `Other(String)` for the rest, text round trip.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, verbatim.
            Other(String),
        }

        impl $name {
            /// Maya's text.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(text) => text,
                }
            }

            /// Reads Maya's text (any other value is kept as `Other`).
            pub fn parse(text: &str) -> $name {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok($name::parse(&text))
            }
        }
    };
}

open_enum! {
    /// A payment's status (spec §4.1).
    MayaStatus {
        /// Waiting for the customer to act on a Maya page.
        PendingToken => "PENDING_TOKEN",
        /// The customer is paying.
        PendingPayment => "PENDING_PAYMENT",
        /// Needs 3-D Secure at `verificationUrl`.
        ForAuthentication => "FOR_AUTHENTICATION",
        /// 3-D Secure in progress.
        Authenticating => "AUTHENTICATING",
        /// 3-D Secure passed.
        AuthSuccess => "AUTH_SUCCESS",
        /// 3-D Secure failed.
        AuthFailed => "AUTH_FAILED",
        /// With the processor.
        PaymentProcessing => "PAYMENT_PROCESSING",
        /// Paid.
        PaymentSuccess => "PAYMENT_SUCCESS",
        /// Declined or failed.
        PaymentFailed => "PAYMENT_FAILED",
        /// Not completed in time.
        PaymentExpired => "PAYMENT_EXPIRED",
        /// Cancelled before payment.
        PaymentCancelled => "PAYMENT_CANCELLED",
        /// Hold placed.
        Authorized => "AUTHORIZED",
        /// Partly or fully captured; more captures possible.
        Captured => "CAPTURED",
        /// Authorization closed.
        Done => "DONE",
        /// Hold expired uncaptured.
        AuthorizationHoldExpired => "AUTHORIZATION_HOLD_EXPIRED",
        /// Authorization expired before full capture.
        CaptureHoldExpired => "CAPTURE_HOLD_EXPIRED",
        /// Reversed the same day.
        Voided => "VOIDED",
        /// Fully or partly refunded.
        Refunded => "REFUNDED",
    }
}

open_enum! {
    /// A checkout's own lifecycle (spec §3.2 C2), separate from its `paymentStatus`.
    CheckoutStatus {
        /// Fresh.
        Created => "CREATED",
        /// Paid.
        Completed => "COMPLETED",
        /// Expired.
        Expired => "EXPIRED",
    }
}

open_enum! {
    /// A void or refund record's status (spec §3.7).
    RecordStatus {
        /// Done.
        Success => "SUCCESS",
        /// Accepted, not final (refund HTTP 202).
        Ongoing => "ONGOING",
        /// Pending.
        Pending => "PENDING",
        /// Failed.
        Failed => "FAILED",
    }
}

open_enum! {
    /// A vaulted card's, payment token's or wallet link's state (spec §3.4, §3.5).
    CardState {
        /// Token unused.
        Available => "AVAILABLE",
        /// Token in use.
        CurrentlyInUse => "CURRENTLY_IN_USE",
        /// Token used.
        Used => "USED",
        /// Token expired.
        Expired => "EXPIRED",
        /// Card awaiting verification.
        Preverification => "PREVERIFICATION",
        /// Verification in progress.
        Verifying => "VERIFYING",
        /// Verification failed.
        VerificationFailed => "VERIFICATION_FAILED",
        /// Card or wallet link usable.
        Verified => "VERIFIED",
        /// Card usable.
        Active => "ACTIVE",
    }
}

impl CardState {
    /// True for `VERIFIED` and `ACTIVE`, the states a card or link can be charged in.
    pub fn is_usable(&self) -> bool {
        matches!(self, CardState::Verified | CardState::Active)
    }
}

/// What else is known about a payment when its status is mapped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusContext {
    /// The customer holds an unconsumed redirect or verification URL for it (a fresh create).
    pub awaiting_customer: bool,
    /// The payment's amount.
    pub amount: Option<Decimal>,
    /// `capturedAmount` of an authorization.
    pub captured: Option<Decimal>,
    /// Σ refund records with status `SUCCESS`, when read.
    pub refunded: Option<Decimal>,
}

impl MayaStatus {
    /// The generic status (spec §4.2), exhaustively:
    ///
    /// | Maya | generic |
    /// |---|---|
    /// | `PENDING_TOKEN`, `PENDING_PAYMENT` | requires action on a fresh create, else pending |
    /// | `FOR_AUTHENTICATION` | requires action |
    /// | `AUTHENTICATING`, `AUTH_SUCCESS`, `PAYMENT_PROCESSING` | pending |
    /// | `AUTH_FAILED`, `PAYMENT_FAILED` | failed |
    /// | `PAYMENT_EXPIRED`, `AUTHORIZATION_HOLD_EXPIRED`, `CAPTURE_HOLD_EXPIRED` | expired |
    /// | `PAYMENT_CANCELLED`, `VOIDED` | cancelled |
    /// | `AUTHORIZED` | authorized |
    /// | `CAPTURED` | captured when `capturedAmount ≥ amount`, else authorized |
    /// | `DONE`, `PAYMENT_SUCCESS` | captured |
    /// | `REFUNDED` | partially refunded when Σ successful refunds < amount, else refunded |
    /// | anything else | pending |
    pub fn to_payment_status(
        &self,
        context: &StatusContext,
        reason: Option<&str>,
    ) -> PaymentStatus {
        match self {
            MayaStatus::PendingToken | MayaStatus::PendingPayment => {
                if context.awaiting_customer {
                    PaymentStatus::RequiresAction
                } else {
                    PaymentStatus::Pending
                }
            }
            MayaStatus::ForAuthentication => PaymentStatus::RequiresAction,
            MayaStatus::Authenticating
            | MayaStatus::AuthSuccess
            | MayaStatus::PaymentProcessing => PaymentStatus::Pending,
            MayaStatus::AuthFailed | MayaStatus::PaymentFailed => PaymentStatus::Failed {
                reason: reason.map(str::to_owned),
            },
            MayaStatus::PaymentExpired
            | MayaStatus::AuthorizationHoldExpired
            | MayaStatus::CaptureHoldExpired => PaymentStatus::Expired,
            MayaStatus::PaymentCancelled | MayaStatus::Voided => PaymentStatus::Cancelled,
            MayaStatus::Authorized => PaymentStatus::Authorized,
            MayaStatus::Captured => match (context.captured, context.amount) {
                (Some(captured), Some(amount)) if captured < amount => PaymentStatus::Authorized,
                _ => PaymentStatus::Captured,
            },
            MayaStatus::Done | MayaStatus::PaymentSuccess => PaymentStatus::Captured,
            MayaStatus::Refunded => match (context.refunded, context.amount) {
                (Some(refunded), Some(amount)) if refunded < amount => {
                    PaymentStatus::PartiallyRefunded
                }
                _ => PaymentStatus::Refunded,
            },
            MayaStatus::Other(text) => {
                tracing::warn!(status = %text, "unknown Maya payment status, read as pending");
                PaymentStatus::Pending
            }
        }
    }

    /// True for statuses after which nothing changes without a merchant action.
    pub fn is_final(&self) -> bool {
        self.to_payment_status(&StatusContext::default(), None)
            .is_final()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_status_round_trips() {
        for text in [
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
        ] {
            let status = MayaStatus::parse(text);
            assert!(!matches!(status, MayaStatus::Other(_)), "{text}");
            assert_eq!(status.as_str(), text);
        }
        assert_eq!(
            MayaStatus::parse("NEW_THING"),
            MayaStatus::Other("NEW_THING".into())
        );
    }

    #[test]
    fn the_mapping_is_the_digests_table() {
        let none = StatusContext::default();
        let failed = PaymentStatus::Failed { reason: None };
        for (text, expected) in [
            ("PENDING_TOKEN", PaymentStatus::Pending),
            ("PENDING_PAYMENT", PaymentStatus::Pending),
            ("FOR_AUTHENTICATION", PaymentStatus::RequiresAction),
            ("AUTHENTICATING", PaymentStatus::Pending),
            ("AUTH_SUCCESS", PaymentStatus::Pending),
            ("PAYMENT_PROCESSING", PaymentStatus::Pending),
            ("AUTH_FAILED", failed.clone()),
            ("PAYMENT_FAILED", failed),
            ("PAYMENT_EXPIRED", PaymentStatus::Expired),
            ("AUTHORIZATION_HOLD_EXPIRED", PaymentStatus::Expired),
            ("CAPTURE_HOLD_EXPIRED", PaymentStatus::Expired),
            ("PAYMENT_CANCELLED", PaymentStatus::Cancelled),
            ("VOIDED", PaymentStatus::Cancelled),
            ("AUTHORIZED", PaymentStatus::Authorized),
            ("CAPTURED", PaymentStatus::Captured),
            ("DONE", PaymentStatus::Captured),
            ("PAYMENT_SUCCESS", PaymentStatus::Captured),
            ("REFUNDED", PaymentStatus::Refunded),
            ("SOMETHING_NEW", PaymentStatus::Pending),
        ] {
            assert_eq!(
                MayaStatus::parse(text).to_payment_status(&none, None),
                expected,
                "{text}"
            );
        }
        assert_eq!(
            MayaStatus::PaymentFailed.to_payment_status(&none, Some("PY0119")),
            PaymentStatus::Failed {
                reason: Some("PY0119".into())
            }
        );
    }

    #[test]
    fn partial_captures_and_refunds_use_the_amounts() {
        let partly = StatusContext {
            amount: Some(Decimal::new(100, 0)),
            captured: Some(Decimal::new(40, 0)),
            refunded: Some(Decimal::new(40, 0)),
            awaiting_customer: false,
        };
        assert_eq!(
            MayaStatus::Captured.to_payment_status(&partly, None),
            PaymentStatus::Authorized
        );
        assert_eq!(
            MayaStatus::Refunded.to_payment_status(&partly, None),
            PaymentStatus::PartiallyRefunded
        );
        let whole = StatusContext {
            captured: Some(Decimal::new(100, 0)),
            refunded: Some(Decimal::new(100, 0)),
            ..partly
        };
        assert_eq!(
            MayaStatus::Captured.to_payment_status(&whole, None),
            PaymentStatus::Captured
        );
        assert_eq!(
            MayaStatus::Refunded.to_payment_status(&whole, None),
            PaymentStatus::Refunded
        );
    }

    #[test]
    fn pending_is_an_action_only_on_a_fresh_create() {
        let fresh = StatusContext {
            awaiting_customer: true,
            ..StatusContext::default()
        };
        assert_eq!(
            MayaStatus::PendingToken.to_payment_status(&fresh, None),
            PaymentStatus::RequiresAction
        );
        assert_eq!(
            MayaStatus::PendingToken.to_payment_status(&StatusContext::default(), None),
            PaymentStatus::Pending
        );
        assert!(MayaStatus::Voided.is_final());
        assert!(!MayaStatus::Authorized.is_final());
    }
}
