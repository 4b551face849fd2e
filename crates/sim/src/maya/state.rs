//! Maya's server-side state: client tokens, customer tokens, Mini App payments.

use rust_decimal::Decimal;

use crate::retention::{Lifecycle, Retained};
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

/// Settled: `APPROVED`, `DECLINED`, `EXPIRED` (Maya payments execute once; there is no
/// hold and no refund in the Mini App API). Not settled: `CREATED`.
impl Lifecycle for Payment {
    fn expires_at_ms(&self) -> Option<u64> {
        (self.status == Status::Created).then(|| self.created_ms.saturating_add(PAYMENT_TTL_MS))
    }

    fn is_settled(&self) -> bool {
        self.status != Status::Created
    }
}

/// Everything Maya remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Client-credentials tokens.
    pub(crate) clients: TokenStore,
    /// Customer access and refresh tokens.
    pub(crate) customers: TokenStore,
    pub(crate) payments: Retained<Payment>,
    /// Customers handed out so far.
    pub(crate) last_customer: u64,
}

impl State {
    /// Empty, forgetting settled payments `horizon_ms` after their last change.
    pub(crate) fn with_horizon(horizon_ms: Option<u64>) -> Self {
        Self {
            payments: Retained::with_horizon(horizon_ms),
            ..Self::default()
        }
    }

    /// Expires created payments past their lifetime and forgets settled ones past the
    /// horizon, looking at up to `budget` due payments; returns the ids of those forgotten.
    pub(crate) fn expire(&mut self, now_ms: u64, budget: usize) -> Vec<String> {
        self.clients.prune(now_ms, budget);
        self.customers.prune(now_ms, budget);
        let evicted = self
            .payments
            .sweep(now_ms, budget, |p| p.status = Status::Expired);
        evicted.into_iter().map(|p| p.id).collect()
    }
}
