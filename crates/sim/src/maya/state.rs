//! Maya's server-side state: client tokens, customer tokens, Mini App payments.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::tokens::TokenStore;

/// Client-credentials token lifetime (documented: 3600 s).
pub(crate) const CLIENT_TOKEN_SECS: u64 = 3600;
/// Customer access-token lifetime (undocumented; the simulator's choice).
pub(crate) const CUSTOMER_ACCESS_SECS: u64 = 15 * 60;
/// Customer refresh-token lifetime (undocumented; the simulator's choice).
pub(crate) const CUSTOMER_REFRESH_SECS: u64 = 24 * 3600;
/// A created P2M payment expires 15 minutes after creation (maya.md §5.5).
pub(crate) const PAYMENT_TTL_MS: u64 = 15 * 60 * 1000;

/// A Mini App payment's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Approved,
    Declined,
    Expired,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Approved => "APPROVED",
            Self::Declined => "DECLINED",
            Self::Expired => "EXPIRED",
        }
    }
}

/// One Mini App payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) p2m_id: String,
    pub(crate) currency: String,
    pub(crate) value: Decimal,
    /// The customer the payment is bound to (from `X-Authorization` at create).
    pub(crate) customer: String,
    pub(crate) status: Status,
    pub(crate) created_ms: u64,
}

/// Everything Maya remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Client-credentials tokens.
    pub(crate) clients: TokenStore,
    /// Customer access and refresh tokens.
    pub(crate) customers: TokenStore,
    pub(crate) payments: HashMap<String, Payment>,
    /// Customers handed out so far.
    pub(crate) last_customer: u64,
}

impl State {
    /// Expires created payments past their lifetime.
    pub(crate) fn expire(&mut self, now_ms: u64) {
        self.clients.prune(now_ms);
        self.customers.prune(now_ms);
        for p in self.payments.values_mut() {
            if p.status == Status::Created && now_ms >= p.created_ms.saturating_add(PAYMENT_TTL_MS)
            {
                p.status = Status::Expired;
            }
        }
    }
}
