//! What the simulator actually did: every money operation of every payment, as the providers
//! performed it, whatever answer the client got (a fault may have replaced it).
//!
//! A soak or a test compares what paykit reported against this record. It is written at the
//! exact point where a provider's state changes, under the provider's own lock, so a request
//! processed and then answered with an injected 5xx is recorded like any other.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;

use crate::lock::lock;

/// Which provider performed an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LedgerProvider {
    /// maib.
    Maib,
    /// miaPOS.
    Miapos,
    /// Bank of Georgia iPay.
    Bog,
    /// Maya (Mini App payments).
    Maya,
    /// Bank of Georgia Payments API (iPay's successor).
    BogPayments,
    /// Maya's payment gateway (Checkout, Vault, Pay with Maya).
    MayaCheckout,
}

impl LedgerProvider {
    /// The provider's short name (`"maib"`, `"miapos"`, `"bog"`, `"maya"`, `"bog-payments"`,
    /// `"maya-checkout"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Maib => "maib",
            Self::Miapos => "miapos",
            Self::Bog => "bog",
            Self::Maya => "maya",
            Self::BogPayments => "bog-payments",
            Self::MayaCheckout => "maya-checkout",
        }
    }
}

impl fmt::Display for LedgerProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One kind of operation a provider performs on a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OpKind {
    /// The payment was registered (no money moves).
    Register,
    /// Money taken in one step (a direct payment, a saved-card charge).
    Charge,
    /// Funds reserved for a later capture.
    Hold,
    /// A hold captured (fully or partly).
    Capture,
    /// Money returned to the customer.
    Refund,
    /// A hold released without capture.
    Void,
    /// A Maya payment executed (the wallet debited).
    Execute,
    /// The customer's bank declined (no money moves).
    Decline,
}

impl OpKind {
    /// Whether this operation moves or reserves money.
    pub fn moves_money(self) -> bool {
        !matches!(self, Self::Register | Self::Decline)
    }
}

/// One operation as performed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerOp {
    /// What was done.
    pub kind: OpKind,
    /// The amount it concerned (the registered amount for `Register` and `Decline`).
    pub amount: Decimal,
}

/// Everything one provider did to one payment, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLedger {
    /// The provider.
    pub provider: LedgerProvider,
    /// The provider's payment id (maib `payId`, miaPOS `paymentId`, iPay `order_id`, Maya
    /// payment id, Payments API `order_id`).
    pub payment_id: String,
    /// The merchant's order id sent at registration, when the provider keeps one.
    pub order_id: Option<String>,
    /// The payment's currency.
    pub currency: String,
    /// The operations, in the order performed.
    pub ops: Vec<LedgerOp>,
}

impl PaymentLedger {
    /// How many times `kind` was performed.
    pub fn count(&self, kind: OpKind) -> usize {
        self.ops.iter().filter(|op| op.kind == kind).count()
    }

    /// The total amount of every `kind` operation.
    pub fn total(&self, kind: OpKind) -> Decimal {
        self.ops
            .iter()
            .filter(|op| op.kind == kind)
            .fold(Decimal::ZERO, |sum, op| sum.saturating_add(op.amount))
    }

    /// Whether any operation moved or reserved money.
    pub fn moved_money(&self) -> bool {
        self.ops.iter().any(|op| op.kind.moves_money())
    }
}

/// Which grant a token endpoint answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TokenIssue {
    /// A merchant (client) access token, from credentials or a refresh token.
    Merchant,
    /// A Maya customer token pair renewed through `POST /tokens`.
    CustomerRefresh,
}

/// A snapshot of the ledger: every payment any provider registered, and how many tokens each
/// token endpoint issued.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    payments: HashMap<(LedgerProvider, String), PaymentLedger>,
    tokens: HashMap<(LedgerProvider, TokenIssue), usize>,
}

impl Ledger {
    /// One payment's record.
    pub fn payment(&self, provider: LedgerProvider, payment_id: &str) -> Option<&PaymentLedger> {
        self.payments.get(&(provider, payment_id.to_owned()))
    }

    /// Every payment `provider` registered under the merchant's `order_id`.
    pub fn by_order_id<'a>(
        &'a self,
        provider: LedgerProvider,
        order_id: &'a str,
    ) -> impl Iterator<Item = &'a PaymentLedger> + 'a {
        self.payments
            .values()
            .filter(move |p| p.provider == provider && p.order_id.as_deref() == Some(order_id))
    }

    /// Every payment, in no particular order.
    pub fn payments(&self) -> impl Iterator<Item = &PaymentLedger> {
        self.payments.values()
    }

    /// How many tokens of `issue` `provider` issued: the number of token requests it granted
    /// (what a fleet's shared token store keeps down).
    pub fn tokens_issued(&self, provider: LedgerProvider, issue: TokenIssue) -> usize {
        self.tokens.get(&(provider, issue)).copied().unwrap_or(0)
    }

    /// How many payments are recorded.
    pub fn len(&self) -> usize {
        self.payments.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.payments.is_empty()
    }
}

/// The live ledger, shared by every provider.
#[derive(Debug, Clone, Default)]
pub(crate) struct LedgerBook {
    inner: Arc<Mutex<Ledger>>,
}

impl LedgerBook {
    /// How many payments are recorded, without copying the ledger.
    pub(crate) fn len(&self) -> usize {
        lock(&self.inner).payments.len()
    }

    /// Drops the records of `payment_ids` (payments `provider` evicted).
    pub(crate) fn forget(&self, provider: LedgerProvider, payment_ids: &[String]) {
        let mut ledger = lock(&self.inner);
        for id in payment_ids {
            ledger.payments.remove(&(provider, id.clone()));
        }
    }

    /// Records that `provider` registered `payment_id`.
    pub(crate) fn register(
        &self,
        provider: LedgerProvider,
        payment_id: &str,
        order_id: Option<&str>,
        currency: &str,
        amount: Decimal,
    ) {
        let mut ledger = lock(&self.inner);
        let entry = ledger
            .payments
            .entry((provider, payment_id.to_owned()))
            .or_insert_with(|| PaymentLedger {
                provider,
                payment_id: payment_id.to_owned(),
                order_id: order_id.map(str::to_owned),
                currency: currency.to_owned(),
                ops: Vec::new(),
            });
        entry.ops.push(LedgerOp {
            kind: OpKind::Register,
            amount,
        });
    }

    /// Records that `provider` performed `kind` for `amount` on `payment_id` (registered
    /// before; an unregistered payment gets a record without an order id).
    pub(crate) fn record(
        &self,
        provider: LedgerProvider,
        payment_id: &str,
        kind: OpKind,
        amount: Decimal,
    ) {
        let mut ledger = lock(&self.inner);
        let entry = ledger
            .payments
            .entry((provider, payment_id.to_owned()))
            .or_insert_with(|| PaymentLedger {
                provider,
                payment_id: payment_id.to_owned(),
                order_id: None,
                currency: String::new(),
                ops: Vec::new(),
            });
        entry.ops.push(LedgerOp { kind, amount });
    }

    /// Records that `provider` granted a token request of kind `issue`.
    pub(crate) fn token_issued(&self, provider: LedgerProvider, issue: TokenIssue) {
        let mut ledger = lock(&self.inner);
        let count = ledger.tokens.entry((provider, issue)).or_insert(0);
        *count = count.saturating_add(1);
    }

    /// A copy of everything recorded so far.
    pub(crate) fn snapshot(&self) -> Ledger {
        lock(&self.inner).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_issues_are_counted_per_provider_and_kind() {
        let book = LedgerBook::default();
        book.token_issued(LedgerProvider::Maya, TokenIssue::Merchant);
        book.token_issued(LedgerProvider::Maya, TokenIssue::CustomerRefresh);
        book.token_issued(LedgerProvider::Maya, TokenIssue::CustomerRefresh);
        let ledger = book.snapshot();
        assert_eq!(
            ledger.tokens_issued(LedgerProvider::Maya, TokenIssue::Merchant),
            1
        );
        assert_eq!(
            ledger.tokens_issued(LedgerProvider::Maya, TokenIssue::CustomerRefresh),
            2
        );
        assert_eq!(
            ledger.tokens_issued(LedgerProvider::Maib, TokenIssue::Merchant),
            0
        );
    }

    #[test]
    fn counts_and_totals_per_payment() {
        let book = LedgerBook::default();
        book.register(
            LedgerProvider::Bog,
            "o1",
            Some("shop-1"),
            "GEL",
            Decimal::new(1000, 2),
        );
        book.record(
            LedgerProvider::Bog,
            "o1",
            OpKind::Charge,
            Decimal::new(1000, 2),
        );
        book.record(
            LedgerProvider::Bog,
            "o1",
            OpKind::Refund,
            Decimal::new(200, 2),
        );
        book.record(
            LedgerProvider::Bog,
            "o1",
            OpKind::Refund,
            Decimal::new(300, 2),
        );
        let ledger = book.snapshot();
        let p = ledger.payment(LedgerProvider::Bog, "o1").unwrap();
        assert_eq!(p.count(OpKind::Refund), 2);
        assert_eq!(p.total(OpKind::Refund), Decimal::new(500, 2));
        assert!(p.moved_money());
        assert_eq!(ledger.by_order_id(LedgerProvider::Bog, "shop-1").count(), 1);
        assert_eq!(
            ledger.by_order_id(LedgerProvider::Maib, "shop-1").count(),
            0
        );
    }
}
