//! The customer's pages: the hosted Checkout, the Pay with Maya payment and wallet-link
//! pages, and the 3-D Secure pages of Vault payments and card vaulting. A `GET` approves,
//! `&action=decline` or `&action=cancel` chooses otherwise; the page links back to the
//! merchant's `redirectUrl` for the outcome.

use super::settle::{self, Action};
use super::state::{CardState, LinkState, Redirect, Source, Status};
use super::{MayaCheckout, webhooks};
use crate::form;
use crate::lock::lock;
use crate::page::Page;
use crate::server::{SimRequest, SimResponse};

/// The query parameter `name`.
fn param(req: &SimRequest, name: &str) -> Option<String> {
    form::get(&req.query_pairs(), name).map(str::to_owned)
}

fn action(req: &SimRequest) -> Result<Action, SimResponse> {
    Action::parse(param(req, "action").as_deref())
        .ok_or_else(|| page(400, "Unknown action", Vec::new(), None))
}

fn page(
    status: u16,
    heading: &str,
    rows: Vec<(&str, String)>,
    link: Option<String>,
) -> SimResponse {
    let page = Page {
        provider: "Maya",
        heading,
        rows,
        link,
    };
    SimResponse::html(status, page.render())
}

fn not_found() -> SimResponse {
    page(404, "Unknown payment", Vec::new(), None)
}

/// Where the customer goes back to for a payment in `status`.
fn back(mc: &MayaCheckout, redirect: &Redirect, status: Status, id: &str) -> String {
    let target = match status {
        s if s.is_paid() => redirect.success.as_deref(),
        Status::PaymentCancelled => redirect.cancel.as_deref(),
        _ => redirect.failure.as_deref(),
    };
    target.map_or_else(|| mc.url(&format!("/_sim/return?id={id}")), str::to_owned)
}

fn heading(status: Status) -> &'static str {
    match status {
        Status::PaymentSuccess => "Payment successful",
        Status::Authorized => "Payment authorized",
        Status::PaymentFailed | Status::AuthFailed => "Payment failed",
        Status::PaymentExpired => "Payment expired",
        Status::PaymentCancelled => "Payment cancelled",
        _ => "Payment processed",
    }
}

/// Settles the payment `id` if it still waits for the customer and `accepts` its source.
fn settle_payment(
    mc: &MayaCheckout,
    req: &SimRequest,
    id: &str,
    accepts: fn(&Source) -> bool,
) -> SimResponse {
    let action = match action(req) {
        Ok(a) => a,
        Err(res) => return res,
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    let Some(p) = state
        .payments
        .get_mut(id, now)
        .filter(|p| accepts(&p.source))
    else {
        return not_found();
    };
    let first = p.status.is_pending();
    if first {
        settle::apply(mc, p, action, now);
    }
    let p = p.clone();
    let events = if first {
        settle::events(&state, &p, now)
    } else {
        Vec::new()
    };
    drop(state);
    webhooks::fire(mc, events);
    page(
        200,
        heading(p.status),
        vec![
            ("Payment", p.id.clone()),
            ("Reference", p.rrn.clone()),
            ("Amount", format!("{} {}", p.amount, p.currency)),
            ("Status", p.status.as_str().to_owned()),
        ],
        Some(back(mc, &p.redirect, p.status, &p.id)),
    )
}

/// `GET /v2/checkout?id=<checkoutId>`.
pub(crate) fn checkout(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let checkout = param(req, "id").unwrap_or_default();
    let payment = lock(&mc.state)
        .checkouts
        .get(&checkout)
        .map(|c| c.payment_id.clone());
    match payment {
        Some(id) => settle_payment(mc, req, &id, |s| matches!(s, Source::Checkout(_))),
        None => not_found(),
    }
}

/// `GET /paymaya/payment?id=<paymentId>`.
pub(crate) fn wallet_payment(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let id = param(req, "id").unwrap_or_default();
    settle_payment(mc, req, &id, |s| matches!(s, Source::Wallet))
}

/// `GET /3ds/payment?id=<paymentId>`.
pub(crate) fn payment_3ds(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let id = param(req, "id").unwrap_or_default();
    settle_payment(mc, req, &id, |s| {
        matches!(s, Source::Vault | Source::SavedCard { .. })
    })
}

/// `GET /3ds/card?customer=<customerId>&id=<cardTokenId>`: verifies a vaulted card.
pub(crate) fn card_3ds(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let action = match action(req) {
        Ok(a) => a,
        Err(res) => return res,
    };
    let customer = param(req, "customer").unwrap_or_default();
    let id = param(req, "id").unwrap_or_default();
    let now = mc.now();
    let mut state = lock(&mc.state);
    let Some(card) = state
        .customers
        .get_mut(&customer)
        .and_then(|c| c.cards.iter_mut().find(|k| k.id == id))
    else {
        return page(404, "Unknown card", Vec::new(), None);
    };
    if card.state == CardState::Preverification {
        card.state = if action == Action::Approve {
            CardState::Verified
        } else {
            CardState::VerificationFailed
        };
        card.updated_ms = now;
    }
    let verified = card.state == CardState::Verified;
    let target = if verified {
        card.redirect.success.clone()
    } else if action == Action::Cancel {
        card.redirect.cancel.clone()
    } else {
        card.redirect.failure.clone()
    };
    let rows = vec![
        (
            "Card",
            format!("{}******{}", card.card.first6, card.card.last4),
        ),
        ("State", card.state.as_str().to_owned()),
    ];
    drop(state);
    let link = target.unwrap_or_else(|| mc.url(&format!("/_sim/return?card={id}")));
    let heading = if verified {
        "Card verified"
    } else {
        "Card verification failed"
    };
    page(200, heading, rows, Some(link))
}

/// `GET /paymaya/link?id=<linkId>`: the customer links (or refuses to link) a wallet.
pub(crate) fn wallet_link(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let action = match action(req) {
        Ok(a) => a,
        Err(res) => return res,
    };
    let id = param(req, "id").unwrap_or_default();
    let now = mc.now();
    let mut state = lock(&mc.state);
    let Some(link) = state.links.get_mut(&id) else {
        return page(404, "Unknown wallet link", Vec::new(), None);
    };
    if link.state == LinkState::Pending {
        link.state = if action == Action::Approve {
            LinkState::Verified
        } else {
            LinkState::Failed
        };
        link.updated_ms = now;
    }
    let linked = link.state == LinkState::Verified;
    let target = if linked {
        link.redirect.success.clone()
    } else if action == Action::Cancel {
        link.redirect.cancel.clone()
    } else {
        link.redirect.failure.clone()
    };
    let rows = vec![
        ("Link", id.clone()),
        ("State", link.state.as_str().to_owned()),
    ];
    drop(state);
    let link = target.unwrap_or_else(|| mc.url(&format!("/_sim/return?link={id}")));
    let heading = if linked {
        "Wallet linked"
    } else {
        "Wallet not linked"
    };
    page(200, heading, rows, Some(link))
}
