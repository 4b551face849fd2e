//! [`ReceiptFacts`]: the few fields of a receipt that its status, its common outcome, a
//! callback's dedupe key and the payment-record check read, borrowed.
//!
//! One view with two sources: a parsed [`Receipt`] ([`Receipt::facts`]) and a callback body
//! read in place by the webhook's lean reader, which builds no [`Receipt`] (issue 16: the
//! owned receipt was a dozen allocations a verified callback paid for nothing). Every reading
//! of those fields (the §6.5 status mapping, the outcome, the dedupe key) is written once,
//! over this view, so the two sources cannot map a receipt differently.

use std::borrow::Cow;

use paykit_core::{Currency, Decimal};

use crate::receipt::{ActionKind, ActionStatus, Receipt};
use crate::status::OrderStatus;

/// What is read of a receipt beyond its raw text, borrowed from a [`Receipt`] or a body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReceiptFacts<'a> {
    /// `order_id`.
    pub(crate) order_id: &'a str,
    /// `order_status.key`.
    pub(crate) status: Cow<'a, OrderStatus>,
    /// `external_order_id`.
    pub(crate) external_order_id: Option<&'a str>,
    /// `purchase_units.request_amount`.
    pub(crate) request_amount: Option<Decimal>,
    /// `purchase_units.transfer_amount`.
    pub(crate) transfer_amount: Option<Decimal>,
    /// `purchase_units.refund_amount`.
    pub(crate) refund_amount: Option<Decimal>,
    /// `purchase_units.currency_code`, when it is one paykit knows.
    pub(crate) currency: Option<Currency>,
    /// `purchase_units.currency_code` verbatim.
    pub(crate) currency_code: Option<&'a str>,
    /// `reject_reason`.
    pub(crate) reject_reason: Option<&'a str>,
    /// `payment_detail.code`.
    pub(crate) code: Option<&'a str>,
    /// With `payment_detail.saved_card_type` set, the card saved: `payer_identifier`.
    pub(crate) saved_card: Option<Option<&'a str>>,
    /// `actions[]` holds a completed `cancel_authorize`.
    pub(crate) cancelled: bool,
    /// The last entry of `actions[]`, and its `action_id` (`Some(None)`: it has none).
    pub(crate) last_action_id: Option<Option<&'a str>>,
}

impl<'a> ReceiptFacts<'a> {
    /// Whether an action of `kind` and `status` is a completed pre-authorization cancel: the
    /// one action [`ReceiptFacts::cancelled`] looks for, for both sources.
    pub(crate) fn cancels(kind: &ActionKind, status: &ActionStatus) -> bool {
        *kind == ActionKind::CancelAuthorize && *status == ActionStatus::Completed
    }

    /// `action_id` of the last action, `-` when there is none: the dedupe key's last part.
    pub(crate) fn last_action(&self) -> &'a str {
        self.last_action_id.flatten().unwrap_or("-")
    }
}

impl Receipt {
    /// The receipt's [`ReceiptFacts`].
    pub(crate) fn facts(&self) -> ReceiptFacts<'_> {
        let detail = self.payment_detail.as_ref();
        ReceiptFacts {
            order_id: &self.order_id,
            status: Cow::Borrowed(&self.status),
            external_order_id: self.external_order_id.as_deref(),
            request_amount: self.request_amount,
            transfer_amount: self.transfer_amount,
            refund_amount: self.refund_amount,
            currency: self.currency,
            currency_code: self.currency_code.as_deref(),
            reject_reason: self.reject_reason.as_deref(),
            code: detail.and_then(|d| d.code.as_deref()),
            saved_card: detail
                .filter(|d| d.saved_card_type.is_some())
                .map(|d| d.payer_identifier.as_deref()),
            cancelled: self
                .actions
                .iter()
                .any(|a| ReceiptFacts::cancels(&a.action, &a.status)),
            last_action_id: self.actions.last().map(|a| a.action_id.as_deref()),
        }
    }
}
