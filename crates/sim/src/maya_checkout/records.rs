//! What the gateway keeps besides payments: checkouts, payment tokens, Vault customers and
//! their cards, wallet links, webhook registrations.

use super::J;
use super::payment::{Card, Redirect};

/// A hosted checkout session.
#[derive(Debug, Clone)]
pub(crate) struct Checkout {
    pub(crate) id: String,
    pub(crate) payment_id: String,
    pub(crate) items: J,
    pub(crate) buyer: J,
    pub(crate) details: J,
    pub(crate) created_ms: u64,
}

/// Payment token state (§3.4 V1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenState {
    Available,
    Used,
}

/// A single-use card token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) pan: String,
    pub(crate) state: TokenState,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
}

/// A vaulted card's verification state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardState {
    Preverification,
    Verified,
    VerificationFailed,
}

impl CardState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Preverification => "PREVERIFICATION",
            Self::Verified => "VERIFIED",
            Self::VerificationFailed => "VERIFICATION_FAILED",
        }
    }
}

/// A card vaulted for a customer.
#[derive(Debug, Clone)]
pub(crate) struct VaultedCard {
    pub(crate) id: String,
    pub(crate) pan: String,
    pub(crate) card: Card,
    pub(crate) state: CardState,
    pub(crate) default: bool,
    pub(crate) redirect: Redirect,
    /// The 3-D Secure page, while the card awaits verification.
    pub(crate) verification_url: Option<String>,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
}

/// A Vault customer.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    /// The profile fields as sent (§3.1.5).
    pub(crate) details: J,
    pub(crate) cards: Vec<VaultedCard>,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
}

/// A wallet link's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkState {
    Pending,
    Verified,
    Failed,
    Deactivated,
}

impl LinkState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Verified => "VERIFIED",
            Self::Failed => "FAILED",
            Self::Deactivated => "DEACTIVATED",
        }
    }
}

/// A Pay with Maya wallet link.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub(crate) id: String,
    pub(crate) rrn: Option<String>,
    pub(crate) redirect: Redirect,
    pub(crate) state: LinkState,
    pub(crate) profile_id: String,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
}

/// One webhook registration (one per event name).
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) callback_url: String,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
}
