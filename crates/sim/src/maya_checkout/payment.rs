//! A Maya payment record: its statuses (maya-checkout.md §4.1), where it came from, the
//! instrument, its voids and refunds, and when time alone changes it.

use rust_decimal::Decimal;

use super::J;
use super::rules;
use crate::retention::Lifecycle;

/// A Checkout session (and most payments) expire an hour after creation.
pub(crate) const CHECKOUT_TTL_MS: u64 = 3600 * 1000;
/// Pay with Maya single payments expire after 30 minutes.
pub(crate) const WALLET_TTL_MS: u64 = 30 * 60 * 1000;
/// How long a card hold lasts before `AUTHORIZATION_HOLD_EXPIRED` (6 days).
pub(crate) const HOLD_MS: u64 = 6 * 24 * 3600 * 1000;
/// `PREAUTHORIZATION` holds may last up to 29 days.
pub(crate) const PREAUTH_HOLD_MS: u64 = 29 * 24 * 3600 * 1000;

/// The Maya payment statuses (maya-checkout.md §4.1) the simulator produces. The transient
/// ones (`PENDING_PAYMENT`, `AUTHENTICATING`, `AUTH_SUCCESS`, `PAYMENT_PROCESSING`) are passed
/// within one page visit, so they are never observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    PendingToken,
    ForAuthentication,
    AuthFailed,
    PaymentSuccess,
    PaymentFailed,
    PaymentExpired,
    PaymentCancelled,
    Authorized,
    Captured,
    Done,
    AuthorizationHoldExpired,
    Voided,
    Refunded,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::PendingToken => "PENDING_TOKEN",
            Self::ForAuthentication => "FOR_AUTHENTICATION",
            Self::AuthFailed => "AUTH_FAILED",
            Self::PaymentSuccess => "PAYMENT_SUCCESS",
            Self::PaymentFailed => "PAYMENT_FAILED",
            Self::PaymentExpired => "PAYMENT_EXPIRED",
            Self::PaymentCancelled => "PAYMENT_CANCELLED",
            Self::Authorized => "AUTHORIZED",
            Self::Captured => "CAPTURED",
            Self::Done => "DONE",
            Self::AuthorizationHoldExpired => "AUTHORIZATION_HOLD_EXPIRED",
            Self::Voided => "VOIDED",
            Self::Refunded => "REFUNDED",
        }
    }

    /// Waiting for the customer (a hosted page, 3-D Secure): time alone expires it.
    pub(crate) fn is_pending(self) -> bool {
        matches!(self, Self::PendingToken | Self::ForAuthentication)
    }

    /// Whether money was taken or reserved (`isPaid`).
    pub(crate) fn is_paid(self) -> bool {
        matches!(
            self,
            Self::PaymentSuccess | Self::Authorized | Self::Captured | Self::Done | Self::Refunded
        )
    }
}

/// `authorizationType` (§3.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthType {
    Normal,
    Final,
    Preauthorization,
}

impl AuthType {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "NORMAL" => Some(Self::Normal),
            "FINAL" => Some(Self::Final),
            "PREAUTHORIZATION" => Some(Self::Preauthorization),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "NORMAL",
            Self::Final => "FINAL",
            Self::Preauthorization => "PREAUTHORIZATION",
        }
    }

    pub(crate) fn hold_ms(self) -> u64 {
        match self {
            Self::Preauthorization => PREAUTH_HOLD_MS,
            Self::Normal | Self::Final => HOLD_MS,
        }
    }
}

/// Where a payment came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A hosted Checkout (its checkout id).
    Checkout(String),
    /// A Vault one-time payment with a payment token.
    Vault,
    /// A vaulted card of a customer.
    SavedCard { customer: String, card: String },
    /// A Pay with Maya single payment.
    Wallet,
    /// A charge on a linked wallet.
    WalletLink(String),
    /// A capture of an authorization (the parent's id).
    Capture(String),
}

/// The instrument that paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Card {
    pub(crate) scheme: &'static str,
    pub(crate) first6: String,
    pub(crate) last4: String,
}

impl Card {
    /// The card of a PAN (digits only, checked before).
    pub(crate) fn of(pan: &str) -> Self {
        let scheme = match pan.as_bytes().first() {
            Some(b'4') => "visa",
            Some(b'5' | b'2') => "master-card",
            Some(b'3') if pan.starts_with("34") || pan.starts_with("37") => "american-express",
            Some(b'3') => "jcb",
            _ => "visa",
        };
        Self {
            scheme,
            first6: pan.get(..6).unwrap_or(pan).to_owned(),
            last4: pan
                .get(pan.len().saturating_sub(4)..)
                .unwrap_or(pan)
                .to_owned(),
        }
    }

    /// The card the simulator's hosted pages pay with.
    pub(crate) fn test_card() -> Self {
        Self::of("4123450131001522")
    }
}

/// `redirectUrl{success, failure, cancel}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Redirect {
    pub(crate) success: Option<String>,
    pub(crate) failure: Option<String>,
    pub(crate) cancel: Option<String>,
}

/// One refund of a payment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refund {
    pub(crate) id: String,
    pub(crate) amount: Decimal,
    pub(crate) reason: String,
    pub(crate) rrn: Option<String>,
    pub(crate) at_ms: u64,
}

/// One void of a payment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Void {
    pub(crate) id: String,
    pub(crate) reason: String,
    pub(crate) rrn: Option<String>,
    pub(crate) at_ms: u64,
}

/// One payment record.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) rrn: String,
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
    pub(crate) status: Status,
    pub(crate) source: Source,
    pub(crate) auth_type: Option<AuthType>,
    /// Captured so far (authorizations only).
    pub(crate) captured: Decimal,
    pub(crate) refunds: Vec<Refund>,
    pub(crate) voids: Vec<Void>,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
    /// When a pending payment expires.
    pub(crate) expires_ms: u64,
    /// When the money moved (the transaction date the void/refund calendar counts from).
    pub(crate) paid_ms: Option<u64>,
    /// When an authorization's hold ends.
    pub(crate) hold_until_ms: Option<u64>,
    pub(crate) redirect: Redirect,
    pub(crate) metadata: J,
    pub(crate) description: Option<String>,
    pub(crate) card: Option<Card>,
    /// Whether the funds came from a Maya wallet rather than a card.
    pub(crate) wallet: bool,
    pub(crate) receipt_no: Option<String>,
    pub(crate) approval_code: Option<String>,
    pub(crate) transaction_id: Option<String>,
    pub(crate) payment_token_id: Option<String>,
    pub(crate) verification_url: Option<String>,
    /// Whether the payment went through 3-D Secure (for the legacy `3DS_*` events).
    pub(crate) three_ds: bool,
    pub(crate) error: Option<(&'static str, &'static str)>,
    /// The 180-day refund window closed (set by the sweep; nothing can change any more).
    pub(crate) window_closed: bool,
}

impl Payment {
    /// A fresh payment in `status`.
    pub(crate) fn new(id: String, rrn: String, amount: Decimal, source: Source, now: u64) -> Self {
        Self {
            id,
            rrn,
            amount,
            currency: "PHP".to_owned(),
            status: Status::PendingToken,
            source,
            auth_type: None,
            captured: Decimal::ZERO,
            refunds: Vec::new(),
            voids: Vec::new(),
            created_ms: now,
            updated_ms: now,
            expires_ms: now.saturating_add(CHECKOUT_TTL_MS),
            paid_ms: None,
            hold_until_ms: None,
            redirect: Redirect::default(),
            metadata: J::Null,
            description: None,
            card: None,
            wallet: false,
            receipt_no: None,
            approval_code: None,
            transaction_id: None,
            payment_token_id: None,
            verification_url: None,
            three_ds: false,
            error: None,
            window_closed: false,
        }
    }

    /// The total of successful refunds.
    pub(crate) fn refunded(&self) -> Decimal {
        self.refunds
            .iter()
            .fold(Decimal::ZERO, |sum, r| sum.saturating_add(r.amount))
    }

    /// The checkout this payment belongs to.
    pub(crate) fn checkout_id(&self) -> Option<&str> {
        match &self.source {
            Source::Checkout(id) => Some(id),
            _ => None,
        }
    }
}

/// Settled: nothing time-driven is left. A pending payment still expires, a hold still
/// lapses, and a paid sale stays until its 180-day refund window closes (Maya refunds from
/// the next Manila day), so the refund window, not the retention horizon, bounds refunds.
impl Lifecycle for Payment {
    fn expires_at_ms(&self) -> Option<u64> {
        match self.status {
            s if s.is_pending() => Some(self.expires_ms),
            Status::Authorized | Status::Captured => self.hold_until_ms,
            Status::PaymentSuccess | Status::Refunded
                if !self.window_closed && self.refunded() < self.amount =>
            {
                Some(rules::refund_window_end_ms(
                    self.paid_ms.unwrap_or(self.created_ms),
                ))
            }
            _ => None,
        }
    }

    fn is_settled(&self) -> bool {
        self.expires_at_ms().is_none()
    }
}
