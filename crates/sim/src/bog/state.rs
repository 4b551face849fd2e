//! iPay server-side state: tokens and orders.

use std::collections::HashMap;

use rust_decimal::Decimal;

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

/// Everything iPay remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) tokens: TokenStore,
    pub(crate) orders: HashMap<String, Order>,
    /// The last `ipay_payment_id` handed out.
    pub(crate) last_payment_no: u64,
}

impl State {
    /// The next receipt number.
    pub(crate) fn next_payment_no(&mut self) -> String {
        self.last_payment_no = self.last_payment_no.saturating_add(1);
        (400_000 + self.last_payment_no).to_string()
    }

    /// Fails orders left `in_progress` past their lifetime; returns them.
    pub(crate) fn expire(&mut self, now_ms: u64) -> Vec<Order> {
        self.tokens.prune(now_ms);
        let mut expired = Vec::new();
        for o in self.orders.values_mut() {
            if o.status == Status::InProgress && now_ms >= o.created_ms.saturating_add(ORDER_TTL_MS)
            {
                o.status = Status::Error;
                o.status_description = "REJECTED";
                o.updated_ms = now_ms;
                expired.push(o.clone());
            }
        }
        expired
    }
}
