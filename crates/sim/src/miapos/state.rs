//! miaPOS server-side state: tokens and payments.

use std::collections::HashMap;

use rust_decimal::Decimal;

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

/// Everything miaPOS remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) tokens: TokenStore,
    pub(crate) payments: HashMap<String, Payment>,
}

impl State {
    /// Expires unpaid payments; returns the ones that just expired.
    pub(crate) fn expire(&mut self, now_ms: u64) -> Vec<Payment> {
        self.tokens.prune(now_ms);
        let mut expired = Vec::new();
        for p in self.payments.values_mut() {
            if p.status == Status::Created && now_ms >= p.created_ms.saturating_add(PAYMENT_TTL_MS)
            {
                p.status = Status::Expired;
                p.payment_date = Some(local_time(now_ms));
                expired.push(p.clone());
            }
        }
        expired
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in Chișinău local time, no offset (as miaPOS writes `paymentDate`).
pub(crate) fn local_time(now_ms: u64) -> String {
    crate::calendar::chisinau(i64::try_from(now_ms / 1000).unwrap_or(i64::MAX)).iso_local()
}
