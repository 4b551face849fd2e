//! How a payment leaves its pending states (§4.1): the customer approves on a hosted page
//! or the 3-D Secure page, declines, or cancels; a merchant-initiated charge settles at
//! once. The outcome of an approval follows the simulator's amount rule (cents of `.01`
//! decline). Each transition is written to the ledger and yields the webhooks it fires.

use super::J;
use super::MayaCheckout;
use super::state::{Card, Payment, Source, State, Status};
use super::wire;
use crate::ledger::OpKind;
use crate::outcome;
use crate::random;

/// What the customer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Approve,
    Decline,
    Cancel,
}

impl Action {
    /// The `action` query parameter of a hosted page (absent: approve).
    pub(crate) fn parse(text: Option<&str>) -> Option<Self> {
        match text {
            None | Some("" | "approve") => Some(Self::Approve),
            Some("decline") => Some(Self::Decline),
            Some("cancel") => Some(Self::Cancel),
            Some(_) => None,
        }
    }
}

/// One webhook to send: the registered event name and its body.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) name: &'static str,
    pub(crate) body: J,
}

/// The webhooks a payment in its current status fires (§6.1): the `PAYMENT_*` /
/// `AUTHORIZED` event with the payment object; for a Checkout payment the legacy
/// `CHECKOUT_*` event with the checkout object; for a Vault payment the legacy `3DS_*` or
/// `RECURRING_*` event with the payment object.
pub(crate) fn events(state: &State, p: &Payment, now: u64) -> Vec<Event> {
    let mut out = Vec::new();
    let name = match p.status {
        Status::PaymentSuccess => Some("PAYMENT_SUCCESS"),
        Status::PaymentFailed => Some("PAYMENT_FAILED"),
        Status::PaymentExpired => Some("PAYMENT_EXPIRED"),
        Status::PaymentCancelled => Some("PAYMENT_CANCELLED"),
        Status::Authorized => Some("AUTHORIZED"),
        _ => None,
    };
    if let Some(name) = name {
        out.push(Event {
            name,
            body: wire::payment(p, now),
        });
    }
    let legacy = match p.status {
        Status::PaymentSuccess | Status::Authorized => Some("CHECKOUT_SUCCESS"),
        Status::PaymentFailed => Some("CHECKOUT_FAILURE"),
        Status::PaymentExpired => Some("CHECKOUT_DROPOUT"),
        Status::PaymentCancelled => Some("CHECKOUT_CANCELLED"),
        _ => None,
    };
    // The legacy Vault events: 3-D Secure outcomes, and charges of vaulted cards.
    let vault = match (p.three_ds, &p.source, p.status) {
        (true, _, Status::PaymentSuccess | Status::Authorized) => Some("3DS_PAYMENT_SUCCESS"),
        (true, _, Status::PaymentFailed | Status::AuthFailed) => Some("3DS_PAYMENT_FAILURE"),
        (true, _, Status::PaymentExpired) => Some("3DS_PAYMENT_DROPOUT"),
        (false, Source::SavedCard { .. }, Status::PaymentSuccess) => {
            Some("RECURRING_PAYMENT_SUCCESS")
        }
        (false, Source::SavedCard { .. }, Status::PaymentFailed) => {
            Some("RECURRING_PAYMENT_FAILURE")
        }
        _ => None,
    };
    if let Some(name) = vault {
        out.push(Event {
            name,
            body: wire::payment(p, now),
        });
    }
    let checkout = p.checkout_id().and_then(|id| state.checkouts.get(id));
    if let (Some(name), Some(c)) = (legacy, checkout) {
        out.push(Event {
            name,
            body: wire::checkout(c, p),
        });
    }
    out
}

/// Settles `p` (which must be pending) as `action` says, as of `now`; `card` is the
/// instrument when the payment has none yet. Records the ledger.
pub(crate) fn apply(mc: &MayaCheckout, p: &mut Payment, action: Action, now: u64) {
    p.updated_ms = now;
    p.verification_url = None;
    if p.card.is_none() {
        p.card = Some(Card::test_card());
    }
    let three_ds = p.three_ds;
    match action {
        Action::Cancel => {
            p.status = Status::PaymentCancelled;
        }
        Action::Decline if three_ds => {
            p.status = Status::AuthFailed;
            p.error = Some(("PY0100", "Authentication failed."));
            mc.record(&p.id, OpKind::Decline, p.amount);
        }
        Action::Decline => decline(mc, p),
        Action::Approve if outcome::declined(p.amount) => decline(mc, p),
        Action::Approve => {
            p.paid_ms = Some(now);
            p.receipt_no = Some(random::hex_id(6));
            p.approval_code = Some(random::digits(8));
            p.transaction_id = Some(random::uuid_v4());
            if let Some(kind) = p.auth_type {
                p.status = Status::Authorized;
                p.hold_until_ms = Some(now.saturating_add(kind.hold_ms()));
                mc.record(&p.id, OpKind::Hold, p.amount);
            } else {
                p.status = Status::PaymentSuccess;
                mc.record(&p.id, OpKind::Charge, p.amount);
            }
        }
    }
}

fn decline(mc: &MayaCheckout, p: &mut Payment) {
    p.status = Status::PaymentFailed;
    p.error = Some(if p.wallet {
        ("PY0105", "Insufficient balance.")
    } else {
        ("PY0119", "Transaction was declined by the issuer.")
    });
    mc.record(&p.id, OpKind::Decline, p.amount);
}
