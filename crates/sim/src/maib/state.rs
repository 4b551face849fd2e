//! maib's server-side state: tokens, payments, stored cards.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::retention::{Lifecycle, Retained};
use crate::tokens::TokenStore;

/// The customer must pay within this window (maib.md §7.1, `TIMEOUT`).
pub(crate) const PAYMENT_WINDOW_MS: u64 = 10 * 60 * 1000;

/// Which endpoint registered a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayKind {
    /// `/v1/pay`
    Direct,
    /// `/v1/hold`
    Hold,
    /// `/v1/savecard-recurring`
    SaveRecurring,
    /// `/v1/savecard-oneclick`
    SaveOneClick,
    /// `/v1/execute-oneclick`
    ExecuteOneClick,
    /// `/v1/execute-recurring`
    ExecuteRecurring,
}

impl PayKind {
    /// Whether the payment stores a card.
    pub(crate) fn saves_card(self) -> bool {
        matches!(self, Self::SaveRecurring | Self::SaveOneClick)
    }
}

/// maib's transaction status (maib.md §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayStatus {
    Created,
    Ok,
    Pending,
    Failed,
    Timeout,
}

impl PayStatus {
    /// The wire value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Ok => "OK",
            Self::Pending => "PENDING",
            Self::Failed => "FAILED",
            Self::Timeout => "TIMEOUT",
        }
    }
}

/// A basket line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) price: Option<Decimal>,
    pub(crate) quantity: Option<i64>,
}

/// What the merchant sent when registering a payment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Order {
    pub(crate) amount: Option<Decimal>,
    pub(crate) currency: String,
    pub(crate) client_ip: Option<String>,
    pub(crate) language: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) client_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) order_id: Option<String>,
    pub(crate) delivery: Option<Decimal>,
    pub(crate) items: Vec<Item>,
    pub(crate) callback_url: Option<String>,
    pub(crate) ok_url: Option<String>,
    pub(crate) fail_url: Option<String>,
    pub(crate) biller_expiry: Option<String>,
    pub(crate) biller_id: Option<String>,
}

/// The card-processing result, once the customer acted.
#[derive(Debug, Clone)]
pub(crate) struct Authorization {
    pub(crate) status_code: &'static str,
    pub(crate) status_message: &'static str,
    pub(crate) rrn: Option<String>,
    pub(crate) approval: Option<String>,
    pub(crate) card_number: &'static str,
    pub(crate) three_ds: &'static str,
}

/// One payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) pay_id: String,
    pub(crate) kind: PayKind,
    pub(crate) order: Order,
    pub(crate) status: PayStatus,
    pub(crate) created_ms: u64,
    pub(crate) auth: Option<Authorization>,
    /// For saved-card flows: the card id issued (or used).
    pub(crate) biller_id: Option<String>,
    /// Captured amount of a completed hold.
    pub(crate) confirm_amount: Option<Decimal>,
    /// Set once refunded (a payment is refunded at most once).
    pub(crate) refund_amount: Option<Decimal>,
    /// The payment page's `trans_id`, forgotten with the payment.
    pub(crate) trans_id: Option<String>,
}

/// Settled: `OK` and not an open hold, `FAILED`, `TIMEOUT`. Not settled: `CREATED` (the
/// customer may still pay, or it times out), `PENDING` (a card being saved), an approved
/// hold not yet completed or released. A settled `OK` payment can still be refunded, within
/// the horizon.
impl Lifecycle for Payment {
    fn expires_at_ms(&self) -> Option<u64> {
        (self.status == PayStatus::Created)
            .then(|| self.created_ms.saturating_add(PAYMENT_WINDOW_MS))
    }

    fn is_settled(&self) -> bool {
        match self.status {
            PayStatus::Ok => !self.is_held(),
            PayStatus::Failed | PayStatus::Timeout => true,
            PayStatus::Created | PayStatus::Pending => false,
        }
    }
}

impl Payment {
    /// Whether this is an approved hold that is neither completed nor released.
    pub(crate) fn is_held(&self) -> bool {
        self.kind == PayKind::Hold
            && self.status == PayStatus::Ok
            && self.confirm_amount.is_none()
            && self.refund_amount.is_none()
    }
}

/// What a stored card may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardUse {
    Recurring,
    OneClick,
}

/// A stored card.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub(crate) usage: CardUse,
    /// `MMYY`, the end of the retention period.
    pub(crate) expiry: String,
}

/// Everything maib remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) tokens: TokenStore,
    pub(crate) payments: Retained<Payment>,
    /// `trans_id` of the payment page to `payId`.
    pub(crate) pages: HashMap<String, String>,
    pub(crate) cards: HashMap<String, Card>,
}

impl State {
    /// Empty, forgetting settled payments `horizon_ms` after their last change.
    pub(crate) fn with_horizon(horizon_ms: Option<u64>) -> Self {
        Self {
            payments: Retained::with_horizon(horizon_ms),
            ..Self::default()
        }
    }

    /// Times out payments left unpaid past the window and forgets settled ones past the
    /// horizon (with their payment pages), looking at up to `budget` due payments; returns
    /// the ids of those forgotten.
    pub(crate) fn expire(&mut self, now_ms: u64, budget: usize) -> Vec<String> {
        self.tokens.prune(now_ms, budget);
        let evicted = self
            .payments
            .sweep(now_ms, budget, |p| p.status = PayStatus::Timeout);
        evicted
            .into_iter()
            .map(|p| {
                if let Some(trans_id) = &p.trans_id {
                    self.pages.remove(trans_id);
                }
                p.pay_id
            })
            .collect()
    }
}
