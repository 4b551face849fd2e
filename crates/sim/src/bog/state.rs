//! iPay server-side state: tokens and orders.

use rust_decimal::Decimal;

use crate::retention::{Lifecycle, Retained};
use crate::tokens::TokenStore;

/// An order left unpaid this long turns from `in_progress` to `error` (bog-ipay.md §4.2).
pub(crate) const ORDER_TTL_MS: u64 = 60 * 60 * 1000;

/// `status` of a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    InProgress,
    Success,
    Error,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::Success => "success",
            Self::Error => "error",
        }
    }
}

/// `pre_auth_status` of a MANUAL-capture payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PreAuth {
    InProgress,
    Success,
    Unblocked,
}

impl PreAuth {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::Success => "success",
            Self::Unblocked => "success_unblocked",
        }
    }
}

/// One order (also a recurring charge, which has a parent).
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) order_id: String,
    pub(crate) payment_hash: String,
    pub(crate) ipay_payment_id: String,
    pub(crate) intent: String,
    pub(crate) manual: bool,
    pub(crate) locale: String,
    pub(crate) shop_order_id: Option<String>,
    pub(crate) redirect_url: Option<String>,
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
    pub(crate) status: Status,
    pub(crate) status_description: &'static str,
    /// Card details, once paid.
    pub(crate) card: Option<(String, String)>,
    pub(crate) pre_auth: Option<PreAuth>,
    /// Amount charged (the whole amount, or the completed part of a pre-auth).
    pub(crate) captured: Decimal,
    pub(crate) refunded: Decimal,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
}

impl Order {
    /// What can still be refunded.
    pub(crate) fn refundable(&self) -> Decimal {
        self.captured
            .checked_sub(self.refunded)
            .unwrap_or_default()
            .max(Decimal::ZERO)
    }
}

/// Settled: `error`, and `success` unless an amount is still blocked (a MANUAL pre-auth
/// awaiting completion or release). Not settled: `in_progress` (the customer may still pay,
/// or it fails after an hour). A settled order can still be refunded within the horizon,
/// and charged again as a recurring parent; past it, both answer "not found".
impl Lifecycle for Order {
    fn expires_at_ms(&self) -> Option<u64> {
        (self.status == Status::InProgress).then(|| self.created_ms.saturating_add(ORDER_TTL_MS))
    }

    fn is_settled(&self) -> bool {
        match self.status {
            Status::InProgress => false,
            Status::Error => true,
            Status::Success => self.pre_auth != Some(PreAuth::InProgress),
        }
    }
}

/// Everything iPay remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) tokens: TokenStore,
    pub(crate) orders: Retained<Order>,
    /// The last `ipay_payment_id` handed out.
    pub(crate) last_payment_no: u64,
}

impl State {
    /// The next receipt number.
    pub(crate) fn next_payment_no(&mut self) -> String {
        self.last_payment_no = self.last_payment_no.saturating_add(1);
        (400_000 + self.last_payment_no).to_string()
    }

    /// Empty, forgetting settled orders `horizon_ms` after their last change.
    pub(crate) fn with_horizon(horizon_ms: Option<u64>) -> Self {
        Self {
            orders: Retained::with_horizon(horizon_ms),
            ..Self::default()
        }
    }

    /// Fails orders left `in_progress` past their lifetime and forgets settled ones past
    /// the horizon, looking at up to `budget` due orders; returns the ones that just failed
    /// (for their callbacks) and the ids of those forgotten.
    pub(crate) fn expire(&mut self, now_ms: u64, budget: usize) -> (Vec<Order>, Vec<String>) {
        self.tokens.prune(now_ms, budget);
        let mut expired = Vec::new();
        let evicted = self.orders.sweep(now_ms, budget, |o| {
            o.status = Status::Error;
            o.status_description = "REJECTED";
            o.updated_ms = now_ms;
            expired.push(o.clone());
        });
        (expired, evicted.into_iter().map(|o| o.order_id).collect())
    }
}
