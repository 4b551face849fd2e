//! miaPOS server-side state: tokens and payments.

use rust_decimal::Decimal;

use crate::retention::{Lifecycle, Retained};
use crate::tokens::TokenStore;

/// How long an unpaid QR / RTP payment lives before `EXPIRED` (the sandbox default).
pub(crate) const PAYMENT_TTL_MS: u64 = 5 * 60 * 1000;

/// miaPOS payment status (miapos.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Success,
    Failed,
    Declined,
    Expired,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Success => "SUCCESS",
            Self::Failed => "FAILED",
            Self::Declined => "DECLINED",
            Self::Expired => "EXPIRED",
        }
    }
}

/// `qr` or `rtp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaymentType {
    Qr,
    Rtp,
}

impl PaymentType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Qr => "qr",
            Self::Rtp => "rtp",
        }
    }
}

/// One payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) payment_id: String,
    pub(crate) terminal_id: String,
    pub(crate) order_id: String,
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
    pub(crate) payment_type: PaymentType,
    pub(crate) callback_url: Option<String>,
    pub(crate) success_url: Option<String>,
    pub(crate) fail_url: Option<String>,
    /// Whether `/pay` issued a checkout page (RTP-direct payments have none).
    pub(crate) checkout: bool,
    pub(crate) status: Status,
    pub(crate) created_ms: u64,
    pub(crate) payment_date: Option<String>,
    pub(crate) swift_message_id: Option<String>,
    pub(crate) swift_payer_bank: Option<&'static str>,
}

/// Settled: every status but `CREATED` (miaPOS has no holds and the simulator no refunds).
impl Lifecycle for Payment {
    fn expires_at_ms(&self) -> Option<u64> {
        (self.status == Status::Created).then(|| self.created_ms.saturating_add(PAYMENT_TTL_MS))
    }

    fn is_settled(&self) -> bool {
        self.status != Status::Created
    }
}

/// Everything miaPOS remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) tokens: TokenStore,
    pub(crate) payments: Retained<Payment>,
}

impl State {
    /// Empty, forgetting settled payments `horizon_ms` after their last change.
    pub(crate) fn with_horizon(horizon_ms: Option<u64>) -> Self {
        Self {
            payments: Retained::with_horizon(horizon_ms),
            ..Self::default()
        }
    }

    /// Expires unpaid payments and forgets settled ones past the horizon, looking at up
    /// to `budget` due payments; returns the ones that just expired (for their callbacks)
    /// and the ids of those forgotten.
    pub(crate) fn expire(&mut self, now_ms: u64, budget: usize) -> (Vec<Payment>, Vec<String>) {
        self.tokens.prune(now_ms, budget);
        let mut expired = Vec::new();
        let evicted = self.payments.sweep(now_ms, budget, |p| {
            p.status = Status::Expired;
            p.payment_date = Some(local_time(now_ms));
            expired.push(p.clone());
        });
        (expired, evicted.into_iter().map(|p| p.payment_id).collect())
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in Chișinău local time, no offset (as miaPOS writes `paymentDate`).
pub(crate) fn local_time(now_ms: u64) -> String {
    crate::calendar::chisinau(i64::try_from(now_ms / 1000).unwrap_or(i64::MAX)).iso_local()
}
