//! The gateway's answer bodies (maya-checkout.md §3): the payment object (also the body of
//! `PAYMENT_*`/`AUTHORIZED` webhooks), the checkout object (also the legacy `CHECKOUT_*`
//! body), void and refund records, tokens, customers, cards, wallet links, webhooks.
//!
//! Payment amounts are written as strings with two decimals (`"249.50"`), one of the two
//! forms Maya is observed to send; checkout amounts are numbers. `canVoid`, `canRefund` and
//! `canCapture` are recomputed from the calendar at every read.

use super::J;
use super::rules::{self, iso};
use super::state::{
    Card, Checkout, Customer, Link, Payment, Redirect, Refund, Source, Status, Token, TokenState,
    VaultedCard, Void, Webhook,
};

/// The masked PAN Maya shows (`412345******1522`).
fn masked(card: &Card) -> String {
    format!("{}******{}", card.first6, card.last4)
}

fn redirect_json(r: &Redirect) -> J {
    J::obj()
        .with("success", J::opt(r.success.as_deref()))
        .with("failure", J::opt(r.failure.as_deref()))
        .with("cancel", J::opt(r.cancel.as_deref()))
}

/// The payment object (§3.3) as of `now`.
pub(crate) fn payment(p: &Payment, now: u64) -> J {
    let mut out = J::obj()
        .with("id", &p.id)
        .with("status", p.status.as_str())
        .with("isPaid", p.status.is_paid() || !p.refunds.is_empty())
        .with("amount", J::money_str(p.amount))
        .with("currency", &p.currency)
        .with("canVoid", rules::void_check(p, now).is_ok())
        .with("canRefund", rules::refund_check(p, now).is_ok())
        .with("canCapture", rules::capturable(p, now).is_some())
        .with("createdAt", iso(p.created_ms))
        .with("updatedAt", iso(p.updated_ms))
        .with("requestReferenceNumber", &p.rrn)
        .with("description", J::opt(p.description.as_deref()))
        .with("paymentTokenId", J::opt(p.payment_token_id.as_deref()));
    let fund = p.card.as_ref().filter(|_| p.paid_ms.is_some()).map(|card| {
        J::obj()
            .with("type", "card")
            .with("id", format!("fs-{}", p.id))
            .with("description", format!("**** **** **** {}", card.last4))
            .with(
                "details",
                J::obj()
                    .with("scheme", if p.wallet { "maya-wallet" } else { card.scheme })
                    .with("last4", &card.last4)
                    .with("first6", &card.first6)
                    .with("masked", masked(card))
                    .with("issuer", "Others"),
            )
    });
    out.set("fundSource", J::opt(fund));
    let receipt = p.receipt_no.as_ref().map(|no| {
        J::obj()
            .with("transactionId", J::opt(p.transaction_id.as_deref()))
            .with("receiptNo", no)
            .with("approval_code", J::opt(p.approval_code.as_deref()))
            .with("approvalCode", J::opt(p.approval_code.as_deref()))
    });
    out.set("receipt", J::opt(receipt));
    out.set("receiptNumber", J::opt(p.receipt_no.as_deref()));
    out.set("approvalCode", J::opt(p.approval_code.as_deref()));
    out.set("metadata", p.metadata.clone());
    if let Some(url) = p.verification_url.as_deref() {
        out.set("verificationUrl", url.into());
    }
    if let Some(kind) = p
        .auth_type
        .filter(|_| !matches!(p.source, Source::Capture(_)))
    {
        out.set("authorizationType", kind.as_str().into());
        out.set("capturedAmount", J::money_str(p.captured));
    }
    if let Source::Capture(parent) = &p.source {
        out.set("authorizationPayment", parent.into());
    }
    if let Some((code, message)) = p.error {
        out.set("errorCode", code.into());
        out.set("errorMessage", message.into());
    }
    out
}

/// `P2`: only the status.
pub(crate) fn status(p: &Payment) -> J {
    J::obj().with("id", &p.id).with("status", p.status.as_str())
}

/// The checkout object (§3.2 C2) for `c`, whose payment is `p`.
pub(crate) fn checkout(c: &Checkout, p: &Payment) -> J {
    let status = match p.status {
        Status::PaymentExpired => "EXPIRED",
        s if s.is_paid() || matches!(s, Status::Voided | Status::Refunded) => "COMPLETED",
        _ => "CREATED",
    };
    let mut total = J::obj()
        .with("amount", J::num(p.amount))
        .with("value", J::num(p.amount))
        .with("currency", &p.currency);
    if c.details != J::Null {
        total.set("details", c.details.clone());
    }
    let details = match (&p.card, &p.receipt_no) {
        (Some(card), Some(receipt_no)) if p.paid_ms.is_some() => J::obj().with(
            "responses",
            J::obj().with(
                "efs",
                J::obj()
                    .with(
                        "paymentTransactionReferenceNo",
                        J::opt(p.transaction_id.as_deref()),
                    )
                    .with("status", "SUCCESS")
                    .with(
                        "receipt",
                        J::obj()
                            .with("transactionId", J::opt(p.transaction_id.as_deref()))
                            .with("receiptNo", receipt_no)
                            .with("approval_code", J::opt(p.approval_code.as_deref()))
                            .with("approvalCode", J::opt(p.approval_code.as_deref())),
                    )
                    .with(
                        "payer",
                        J::obj().with(
                            "fundingInstrument",
                            J::obj().with(
                                "card",
                                J::obj()
                                    .with("cardNumber", masked(card))
                                    .with("expiryMonth", "12")
                                    .with("expiryYear", "2030"),
                            ),
                        ),
                    )
                    .with(
                        "amount",
                        J::obj().with(
                            "total",
                            J::obj()
                                .with("currency", &p.currency)
                                .with("value", J::num(p.amount)),
                        ),
                    )
                    .with("created_at", iso(p.paid_ms.unwrap_or(p.created_ms))),
            ),
        ),
        _ => J::Null,
    };
    J::obj()
        .with("id", &c.id)
        .with("items", c.items.clone())
        .with("totalAmount", total)
        .with("buyer", c.buyer.clone())
        .with("redirectUrl", redirect_json(&p.redirect))
        .with("requestReferenceNumber", &p.rrn)
        .with("metadata", p.metadata.clone())
        .with("status", status)
        .with("paymentStatus", p.status.as_str())
        .with("receiptNumber", J::opt(p.receipt_no.as_deref()))
        .with(
            "paymentScheme",
            J::opt(
                p.card
                    .as_ref()
                    .filter(|_| p.paid_ms.is_some())
                    .map(|c| c.scheme),
            ),
        )
        .with("expressCheckout", true)
        .with("refundedAmount", J::num(p.refunded()))
        .with("canPayPal", false)
        .with("createdAt", iso(c.created_ms))
        .with("updatedAt", iso(p.updated_ms))
        .with("expiredAt", iso(p.expires_ms))
        .with("paymentDetails", details)
        .with(
            "transactionReferenceNumber",
            J::opt(p.transaction_id.as_deref()),
        )
}

/// A void record (§3.7).
pub(crate) fn void(p: &Payment, v: &Void) -> J {
    J::obj()
        .with("id", &v.id)
        .with("payment", &p.id)
        .with("status", "SUCCESS")
        .with("reason", &v.reason)
        .with("requestReferenceNumber", J::opt(v.rrn.as_deref()))
        .with("voidAt", iso(v.at_ms))
        .with("createdAt", iso(v.at_ms))
        .with("updatedAt", iso(v.at_ms))
}

/// A refund record, shape R1 (§3.7).
pub(crate) fn refund(p: &Payment, r: &Refund) -> J {
    J::obj()
        .with("id", &r.id)
        .with("payment", &p.id)
        .with("amount", J::money_str(r.amount))
        .with("currency", &p.currency)
        .with("status", "SUCCESS")
        .with("reason", &r.reason)
        .with("requestReferenceNumber", J::opt(r.rrn.as_deref()))
        .with("refundAt", iso(r.at_ms))
        .with("createdAt", iso(r.at_ms))
        .with("updatedAt", iso(r.at_ms))
}

/// A refund answered as a processor receipt, shape R2 (§3.7).
pub(crate) fn refund_receipt(p: &Payment, r: &Refund) -> J {
    let amount = |value| {
        J::obj()
            .with("value", J::num(value))
            .with("currency", &p.currency)
    };
    J::obj()
        .with(
            "paymentTransactionReferenceNo",
            J::opt(p.transaction_id.as_deref()),
        )
        .with("refundTransactionReferenceNo", &r.id)
        .with("status", "SUCCESS")
        .with("createdAt", iso(r.at_ms))
        .with(
            "receipt",
            J::obj()
                .with("transactionId", &r.id)
                .with("approvalCode", J::opt(p.approval_code.as_deref()))
                .with("batchNo", "1")
                .with("traceNo", "1")
                .with("receiptNo", J::opt(p.receipt_no.as_deref())),
        )
        .with("transactionAmount", amount(p.amount))
        .with("refundedAmount", amount(r.amount))
}

/// A payment token (§3.4 V1).
pub(crate) fn token(id: &str, t: &Token) -> J {
    J::obj()
        .with("paymentTokenId", id)
        .with(
            "state",
            match t.state {
                TokenState::Available => "AVAILABLE",
                TokenState::Used => "USED",
            },
        )
        .with("createdAt", iso(t.created_ms))
        .with("updatedAt", iso(t.updated_ms))
        .with("issuer", "Others")
}

/// A vaulted card (§3.4 V5–V7).
pub(crate) fn card(c: &VaultedCard) -> J {
    let mut out = J::obj()
        .with("cardTokenId", &c.id)
        .with("cardType", c.card.scheme)
        .with("maskedPan", masked(&c.card))
        .with("first6", &c.card.first6)
        .with("last4", &c.card.last4)
        // A card, not a wallet: the field Maya's V6 list carries is empty for cards.
        .with("walletType", "")
        .with("state", c.state.as_str())
        .with("default", c.default)
        .with("createdAt", iso(c.created_ms))
        .with("updatedAt", iso(c.updated_ms));
    if let Some(url) = c.verification_url.as_deref() {
        out.set("verificationUrl", url.into());
    }
    out
}

/// A customer (§3.4 V3): the fields as sent, plus id and times.
pub(crate) fn customer(id: &str, c: &Customer) -> J {
    let mut out = match &c.details {
        J::Obj(_) => c.details.clone(),
        _ => J::obj(),
    };
    out.set("id", id.into());
    out.set("createdAt", iso(c.created_ms).into());
    out.set("updatedAt", iso(c.updated_ms).into());
    out
}

/// A wallet link (§3.5 M3).
pub(crate) fn link(l: &Link) -> J {
    let customer = J::obj()
        .with("firstName", "Juan")
        .with("middleName", "Santos")
        .with("lastName", "Dela Cruz")
        .with("birthday", "1990-01-01")
        .with("customerSince", "2020-01-01")
        .with("sex", "M")
        .with(
            "contact",
            J::obj()
                .with("phone", "+639171234567")
                .with("email", "juan@example.ph"),
        );
    J::obj()
        .with("linkId", &l.id)
        .with("profileId", &l.profile_id)
        .with("card", J::obj().with("state", l.state.as_str()))
        .with("customer", customer)
        .with("requestReferenceNumber", J::opt(l.rrn.as_deref()))
        .with("createdAt", iso(l.created_ms))
        .with("updatedAt", iso(l.updated_ms))
}

/// A webhook registration (§3.8).
pub(crate) fn webhook(w: &Webhook) -> J {
    J::obj()
        .with("id", &w.id)
        .with("name", &w.name)
        .with("callbackUrl", &w.callback_url)
        .with("createdAt", iso(w.created_ms))
        .with("updatedAt", iso(w.updated_ms))
}
