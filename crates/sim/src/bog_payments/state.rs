//! Payments API server-side state: tokens, orders (with their saved cards and actions) and
//! the idempotency records (bog-payments.md §5, §6.6, §8).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rust_decimal::Decimal;

use super::idempotency::IdempotencyStore;
use crate::retention::{Lifecycle, Retained};
use crate::tokens::TokenStore;

/// How long a blocked (pre-authorized) amount stays held before it lapses (§5.3).
pub(crate) const HOLD_LIFETIME_MS: u64 = 30 * 24 * 3600 * 1000;

/// `order_status.key` (§6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Processing,
    Completed,
    Rejected,
    RefundRequested,
    Refunded,
    RefundedPartially,
    AuthRequested,
    Blocked,
    PartialCompleted,
}

impl Status {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
            Self::RefundRequested => "refund_requested",
            Self::Refunded => "refunded",
            Self::RefundedPartially => "refunded_partially",
            Self::AuthRequested => "auth_requested",
            Self::Blocked => "blocked",
            Self::PartialCompleted => "partial_completed",
        }
    }

    /// The human label, in Georgian as the docs' examples show it (display only).
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Created => "შექმნილი",
            Self::Processing => "მუშავდება",
            Self::Completed => "დასრულებული",
            Self::Rejected => "უარყოფილი",
            Self::RefundRequested => "მოთხოვნილია დაბრუნება",
            Self::Refunded => "დაბრუნებული",
            Self::RefundedPartially => "ნაწილობრივ დაბრუნებული",
            Self::AuthRequested => "მოთხოვნილია ავტორიზაცია",
            Self::Blocked => "დაბლოკილი",
            Self::PartialCompleted => "ნაწილობრივ დასრულებული",
        }
    }

    /// Whether money was taken and may be refunded (§6.6).
    pub(crate) fn refundable(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::PartialCompleted | Self::RefundedPartially
        )
    }

    /// Whether the customer paid successfully at some point (a saved card is usable).
    pub(crate) fn was_paid(self) -> bool {
        matches!(
            self,
            Self::Completed
                | Self::PartialCompleted
                | Self::RefundRequested
                | Self::Refunded
                | Self::RefundedPartially
        )
    }
}

/// A payment method (§6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Card,
    GooglePay,
    ApplePay,
    BogP2p,
    BogLoyalty,
    Bnpl,
    BogLoan,
    GiftCard,
}

impl Method {
    pub(crate) const ALL: [Self; 8] = [
        Self::Card,
        Self::GooglePay,
        Self::ApplePay,
        Self::BogP2p,
        Self::BogLoyalty,
        Self::Bnpl,
        Self::BogLoan,
        Self::GiftCard,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::GooglePay => "google_pay",
            Self::ApplePay => "apple_pay",
            Self::BogP2p => "bog_p2p",
            Self::BogLoyalty => "bog_loyalty",
            Self::Bnpl => "bnpl",
            Self::BogLoan => "bog_loan",
            Self::GiftCard => "gift_card",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == text)
    }

    /// The localized label of `transfer_method.value`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Card => "ბარათით გადახდა",
            Self::GooglePay => "Google Pay",
            Self::ApplePay => "Apple Pay",
            Self::BogP2p => "საქართველოს ბანკით გადახდა",
            Self::BogLoyalty => "MR/Plus ქულებით გადახდა",
            Self::Bnpl => "ნაწილ-ნაწილ გადახდა",
            Self::BogLoan => "განვადება",
            Self::GiftCard => "სასაჩუქრე ბარათი",
        }
    }

    /// Card-based: pre-authorization and partial refunds work only for these (§4.2, §5.2).
    pub(crate) fn is_card_based(self) -> bool {
        matches!(self, Self::Card | Self::GooglePay | Self::ApplePay)
    }

    /// Whether a full refund is documented for the method (§5.2).
    pub(crate) fn refundable(self) -> bool {
        self.is_card_based() || self == Self::BogP2p
    }
}

/// How a card was saved on its parent order (§5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SavedKind {
    /// `PUT .../cards`: customer-present payments on BOG's page.
    Recurrent,
    /// `PUT .../subscriptions`: merchant-initiated charges of a fixed amount.
    Subscription,
}

impl SavedKind {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Recurrent => "recurrent",
            Self::Subscription => "subscription",
        }
    }
}

/// `payment_detail.payment_option`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaymentOption {
    DirectDebit,
    Recurrent,
    Subscription,
}

impl PaymentOption {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::DirectDebit => "direct_debit",
            Self::Recurrent => "recurrent",
            Self::Subscription => "subscription",
        }
    }
}

/// One basket line, as the merchant sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) product_id: String,
    pub(crate) description: Option<String>,
    pub(crate) quantity: Decimal,
    pub(crate) unit_price: Decimal,
    pub(crate) unit_discount_price: Option<Decimal>,
    pub(crate) vat: Option<Decimal>,
    pub(crate) vat_percent: Option<Decimal>,
    pub(crate) total_price: Option<Decimal>,
    pub(crate) image: Option<String>,
    pub(crate) package_code: Option<String>,
    pub(crate) tin: Option<String>,
    pub(crate) pinfl: Option<String>,
    pub(crate) product_discount_id: Option<String>,
}

/// The buyer: sent as `masked_email`/`masked_phone`, answered as `email`/`phone_number`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Buyer {
    pub(crate) full_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone_number: Option<String>,
}

/// How an order was paid (or declined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Payment {
    pub(crate) method: Method,
    pub(crate) code: &'static str,
    pub(crate) code_description: &'static str,
    pub(crate) transaction_id: String,
    pub(crate) payer_identifier: String,
    /// The test card number used (card-based methods), which decides later operations.
    pub(crate) card_number: Option<String>,
    pub(crate) card_type: Option<&'static str>,
    pub(crate) card_expiry: Option<&'static str>,
    pub(crate) auth_code: Option<String>,
}

/// One entry of `actions[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Action {
    pub(crate) action_id: String,
    pub(crate) action: &'static str,
    pub(crate) status: &'static str,
    pub(crate) at_ms: u64,
    pub(crate) amount: Decimal,
    pub(crate) code: Option<&'static str>,
    pub(crate) code_description: Option<&'static str>,
}

/// An asynchronous operation accepted and not settled yet (only with a settle delay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    /// A refund (`refund_requested` until it settles); `before` is the status it returns
    /// to when the issuer refuses it.
    Refund {
        action_id: String,
        kind: &'static str,
        amount: Decimal,
        before: Status,
    },
    /// A pre-auth confirmation (`auth_requested` until it settles).
    Approve {
        action_id: String,
        kind: &'static str,
        amount: Decimal,
    },
    /// An automatic charge of a saved card (`processing` until it settles).
    Charge { card: String, refused: bool },
}

/// One order: a hosted-page order, a payment with a saved card, or an automatic charge.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) order_id: String,
    /// The `client_id` that created it; other clients cannot see it.
    pub(crate) owner: String,
    pub(crate) external_order_id: Option<String>,
    pub(crate) manual: bool,
    pub(crate) currency: &'static str,
    pub(crate) request_amount: Decimal,
    /// Processed, net of refunds; `None` until paid.
    pub(crate) transfer_amount: Option<Decimal>,
    pub(crate) refund_amount: Decimal,
    pub(crate) items: Vec<Item>,
    pub(crate) buyer: Option<Buyer>,
    pub(crate) redirect_success: Option<String>,
    pub(crate) redirect_fail: Option<String>,
    pub(crate) callback_url: String,
    pub(crate) lang: &'static str,
    /// Methods the page offers (empty: all).
    pub(crate) methods: Vec<Method>,
    pub(crate) account_tag: Option<String>,
    pub(crate) created_ms: u64,
    pub(crate) expires_ms: u64,
    pub(crate) status: Status,
    pub(crate) reject_reason: Option<String>,
    pub(crate) payment: Option<Payment>,
    pub(crate) paid_ms: Option<u64>,
    pub(crate) option: PaymentOption,
    pub(crate) parent_order_id: Option<String>,
    /// Asked for before payment (`PUT .../cards` or `.../subscriptions`).
    pub(crate) save_requested: Option<SavedKind>,
    /// Saved once the payment succeeded; `None` again once deleted.
    pub(crate) saved: Option<SavedKind>,
    /// Created for Apple Pay on the merchant's page: only `.../payment` pays it.
    pub(crate) apple_pay_external: bool,
    pub(crate) actions: Vec<Action>,
    /// What settles when the settle delay has passed.
    pub(crate) pending: Option<Pending>,
}

impl Order {
    /// The test card that paid, when it was a card payment.
    pub(crate) fn card_number(&self) -> Option<&str> {
        self.payment.as_ref().and_then(|p| p.card_number.as_deref())
    }

    /// Whether the card that paid refuses every later operation (the sandbox's `...0003`).
    pub(crate) fn card_refuses_later_operations(&self) -> bool {
        self.card_number().is_some_and(|n| n.ends_with("0003"))
    }

    /// The method that paid.
    pub(crate) fn method(&self) -> Option<Method> {
        self.payment.as_ref().map(|p| p.method)
    }
}

/// Time changes unpaid orders (they expire after `ttl`) and blocked ones (the hold lapses
/// after 30 days). Settled: every final status and every paid one with nothing blocked,
/// unless its card is saved, since merchants charge saved cards long after (a saved card
/// is kept until deleted, as BOG keeps it).
impl Lifecycle for Order {
    fn expires_at_ms(&self) -> Option<u64> {
        match self.status {
            Status::Created | Status::Processing => Some(self.expires_ms),
            Status::Blocked => self.paid_ms.map(|at| at.saturating_add(HOLD_LIFETIME_MS)),
            _ => None,
        }
    }

    fn is_settled(&self) -> bool {
        let waiting = matches!(
            self.status,
            Status::Created
                | Status::Processing
                | Status::Blocked
                | Status::AuthRequested
                | Status::RefundRequested
        );
        !waiting && self.saved.is_none()
    }
}

/// Everything the Payments API remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) tokens: TokenStore,
    pub(crate) orders: Retained<Order>,
    pub(crate) idempotency: IdempotencyStore,
    /// `(when, order id)` of pending operations, earliest first.
    due: BinaryHeap<Reverse<(u64, String)>>,
}

impl State {
    /// Empty, forgetting settled orders `horizon_ms` after their last change.
    pub(crate) fn with_horizon(horizon_ms: Option<u64>) -> Self {
        Self {
            orders: Retained::with_horizon(horizon_ms),
            ..Self::default()
        }
    }

    /// Settles `order_id`'s pending operation at `at_ms`.
    pub(crate) fn schedule(&mut self, order_id: &str, at_ms: u64) {
        self.due.push(Reverse((at_ms, order_id.to_owned())));
    }

    /// Up to `budget` orders whose pending operation is due at `now_ms`.
    pub(crate) fn take_due(&mut self, now_ms: u64, budget: usize) -> Vec<String> {
        let mut ids = Vec::new();
        while ids.len() < budget {
            if self.due.peek().is_none_or(|Reverse((at, _))| *at > now_ms) {
                break;
            }
            if let Some(Reverse((_, id))) = self.due.pop() {
                ids.push(id);
            }
        }
        ids
    }

    /// Rejects unpaid orders past their `ttl` and blocked ones past 30 days (both with
    /// `reject_reason = expiration`), forgets settled orders past the horizon and old
    /// idempotency records, looking at up to `budget` due entries of each; returns the
    /// orders that just expired (for their callbacks) and the ids of those forgotten.
    pub(crate) fn expire(&mut self, now_ms: u64, budget: usize) -> (Vec<Order>, Vec<String>) {
        self.tokens.prune(now_ms, budget);
        self.idempotency.prune(now_ms, budget);
        let mut expired = Vec::new();
        let evicted = self.orders.sweep(now_ms, budget, |o| {
            o.status = Status::Rejected;
            o.reject_reason = Some("expiration".to_owned());
            expired.push(o.clone());
        });
        (expired, evicted.into_iter().map(|o| o.order_id).collect())
    }
}
