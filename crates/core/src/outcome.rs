//! What a provider says about a payment: its status, what the customer must do next, and the
//! amounts involved.

use std::fmt;

use crate::money::Money;

/// Where a payment stands. Pending is a first-class answer, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentStatus {
    /// Registered; the provider has not decided yet.
    Pending,
    /// Waiting for the customer (redirect, 3-D Secure, QR scan, in-app approval).
    RequiresAction,
    /// Funds reserved (two-step payment), not yet captured.
    Authorized,
    /// Money taken.
    Captured,
    /// Part of the captured amount returned.
    PartiallyRefunded,
    /// The whole amount returned.
    Refunded,
    /// Declined or failed; `reason` is the provider's wording when it gives one.
    Failed {
        /// The provider's reason, verbatim.
        reason: Option<String>,
    },
    /// Cancelled before capture (an authorization released, an order abandoned).
    Cancelled,
    /// Not completed in time.
    Expired,
}

impl PaymentStatus {
    /// True when no further change is expected without a new merchant action
    /// (captured, refunded, failed, cancelled, expired).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Captured
                | PaymentStatus::PartiallyRefunded
                | PaymentStatus::Refunded
                | PaymentStatus::Failed { .. }
                | PaymentStatus::Cancelled
                | PaymentStatus::Expired
        )
    }

    /// True when the customer has paid (captured, or authorized and awaiting capture).
    pub fn is_paid(&self) -> bool {
        matches!(self, PaymentStatus::Authorized | PaymentStatus::Captured)
    }

    /// A short lowercase name (`"pending"`, `"failed"`), stable for logs and fixtures.
    pub fn name(&self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::RequiresAction => "requires_action",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Captured => "captured",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Failed { .. } => "failed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Expired => "expired",
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentStatus::Failed {
                reason: Some(reason),
            } => write!(f, "failed ({reason})"),
            other => f.write_str(other.name()),
        }
    }
}

/// What the merchant must do for the customer to continue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextAction {
    /// Nothing: the outcome is already known or the provider works in the background.
    None,
    /// Send the customer's browser to `url` with a GET. Use the URL verbatim.
    Redirect {
        /// The page to open.
        url: String,
    },
    /// Send the customer's browser to `url` with a form POST of `fields`.
    FormPost {
        /// The form action.
        url: String,
        /// Form fields, in order.
        fields: Vec<(String, String)>,
    },
    /// Show a provider checkout page or a QR code (instant payments).
    Checkout {
        /// The provider's checkout page, if any.
        url: Option<String>,
        /// The QR payload to render, if the provider gives one.
        qr_payload: Option<String>,
    },
}

/// A card stored at the provider for later charges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SavedCard {
    /// The provider's reference (maib `billerId`, iPay the original `order_id`).
    pub id: String,
    /// Masked card number, when the provider returns one.
    pub masked_pan: Option<String>,
}

/// The provider's answer about one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentOutcome {
    /// The provider's payment id (maib `payId`, iPay `order_id`, ...).
    pub provider_payment_id: String,
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// What the customer must do next.
    pub next_action: NextAction,
    /// The amount, when the provider states it.
    pub amount: Option<Money>,
    /// The amount refunded so far, when known.
    pub refunded: Option<Money>,
    /// The merchant's order id, when echoed.
    pub order_id: Option<String>,
    /// A stored card created by this payment.
    pub saved_card: Option<SavedCard>,
    /// The provider's own status text, verbatim, for logs and support tickets.
    pub raw_status: Option<String>,
    /// Whether `status` is what the provider's answer says. `false` for an acknowledgement
    /// that names no state ([`PaymentOutcome::accepted`]): the request was taken, and the
    /// payment's state must be read ([`get_payment`](crate::PaymentProvider::get_payment)) or
    /// learnt from a confirmed callback before acting on it.
    pub state_known: bool,
}

impl PaymentOutcome {
    /// An outcome with the given id and status and nothing else known.
    pub fn new(provider_payment_id: impl Into<String>, status: PaymentStatus) -> Self {
        PaymentOutcome {
            provider_payment_id: provider_payment_id.into(),
            status,
            next_action: NextAction::None,
            amount: None,
            refunded: None,
            order_id: None,
            saved_card: None,
            raw_status: None,
            state_known: true,
        }
    }

    /// The provider accepted the request but its answer says nothing of the payment's state
    /// (an acknowledgement such as Bank of Georgia's `request_received` or an empty 202).
    /// `status` is [`PaymentStatus::Pending`] and [`state_known`](Self::state_known) is
    /// `false`: never report such an operation as done; query the payment instead.
    pub fn accepted(provider_payment_id: impl Into<String>) -> Self {
        PaymentOutcome {
            state_known: false,
            ..PaymentOutcome::new(provider_payment_id, PaymentStatus::Pending)
        }
    }

    /// Sets the next action.
    pub fn with_next_action(mut self, next_action: NextAction) -> Self {
        self.next_action = next_action;
        self
    }

    /// Sets the amount.
    pub fn with_amount(mut self, amount: Option<Money>) -> Self {
        self.amount = amount;
        self
    }

    /// Sets the refunded amount.
    pub fn with_refunded(mut self, refunded: Option<Money>) -> Self {
        self.refunded = refunded;
        self
    }

    /// Sets the merchant order id.
    pub fn with_order_id(mut self, order_id: Option<String>) -> Self {
        self.order_id = order_id;
        self
    }

    /// Sets the stored card.
    pub fn with_saved_card(mut self, card: Option<SavedCard>) -> Self {
        self.saved_card = card;
        self
    }

    /// Sets the provider's raw status text.
    pub fn with_raw_status(mut self, raw: Option<String>) -> Self {
        self.raw_status = raw;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_states_are_not_final() {
        assert!(!PaymentStatus::Pending.is_final());
        assert!(!PaymentStatus::RequiresAction.is_final());
        assert!(!PaymentStatus::Authorized.is_final());
        assert!(PaymentStatus::Failed { reason: None }.is_final());
        assert!(PaymentStatus::Expired.is_final());
    }

    #[test]
    fn failed_status_displays_its_reason() {
        let s = PaymentStatus::Failed {
            reason: Some("insufficient funds".into()),
        };
        assert_eq!(s.to_string(), "failed (insufficient funds)");
        assert_eq!(s.name(), "failed");
    }
}
