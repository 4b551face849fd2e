//! Pay with Maya (§3.5): a single wallet payment (`M1`, 30 minutes to pay on the hosted
//! page), a wallet link (`M2`, authorized by the customer on the link page), and
//! merchant-initiated charges on a verified link (`M4`, synchronous).

use super::errors::{self, Product};
use super::settle::{self, Action};
use super::state::{Card, Link, LinkState, Payment, Source, WALLET_TTL_MS};
use super::validate::{self, Reader};
use super::{J, MayaCheckout, webhooks, wire};
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};

fn no_link() -> SimResponse {
    errors::payment(404, "PYBY0009", "Wallet link does not exist.")
}

/// `POST /payby/v2/paymaya/payments` (public key).
pub(crate) fn single(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let amount = r.amount(&obj, "totalAmount", "value");
    let rrn = r.rrn(&obj, true);
    let redirect = r.redirect(&obj, true);
    let metadata = r.tree(&obj, "metadata", false);
    let _buyer = r.tree(&obj, "buyer", false);
    if let Err(res) = r.finish(Product::PayWithMaya) {
        return res;
    }
    let (Some(amount), Some(rrn)) = (amount, rrn) else {
        return errors::invalid(Product::PayWithMaya, &[]);
    };
    if amount.currency != "PHP" {
        return errors::currency(Product::PayWithMaya);
    }
    let now = mc.now();
    let mut p = Payment::new(random::uuid_v4(), rrn, amount.value, Source::Wallet, now);
    p.expires_ms = now.saturating_add(WALLET_TTL_MS);
    p.redirect = redirect;
    p.metadata = metadata;
    p.wallet = true;
    let id = p.id.clone();
    mc.register(&mut lock(&mc.state), p, now);
    let body = J::obj()
        .with("paymentId", &id)
        .with("redirectUrl", mc.url(&format!("/paymaya/payment?id={id}")));
    SimResponse::json(200, &body)
}

/// `POST /payby/v2/paymaya/link` (public key).
pub(crate) fn link(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let redirect = r.redirect(&obj, true);
    let rrn = r.rrn(&obj, false);
    let _metadata = r.tree(&obj, "metadata", false);
    if let Err(res) = r.finish(Product::PayWithMaya) {
        return res;
    }
    let now = mc.now();
    let id = random::uuid_v4();
    let link = Link {
        id: id.clone(),
        rrn,
        redirect,
        state: LinkState::Pending,
        profile_id: random::uuid_v4(),
        created_ms: now,
        updated_ms: now,
    };
    lock(&mc.state).links.insert(id.clone(), link);
    let body = J::obj()
        .with("linkId", &id)
        .with("redirectUrl", mc.url(&format!("/paymaya/link?id={id}")));
    SimResponse::json(200, &body)
}

/// `GET /payby/v2/paymaya/link/{linkId}` (secret key).
pub(crate) fn get(mc: &MayaCheckout, id: &str) -> SimResponse {
    match lock(&mc.state).links.get(id) {
        Some(l) => SimResponse::json(200, &wire::link(l)),
        None => no_link(),
    }
}

/// `DELETE /payby/v2/paymaya/link/{linkId}` (secret key): the link, now `DEACTIVATED`.
pub(crate) fn deactivate(mc: &MayaCheckout, id: &str) -> SimResponse {
    let now = mc.now();
    let mut state = lock(&mc.state);
    let Some(l) = state.links.get_mut(id) else {
        return no_link();
    };
    l.state = LinkState::Deactivated;
    l.updated_ms = now;
    SimResponse::json(200, &wire::link(l))
}

/// `POST /payby/v2/paymaya/link/{linkId}/execute` (secret key): charges the linked wallet.
pub(crate) fn execute(mc: &MayaCheckout, req: &SimRequest, id: &str) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let amount = r.amount(&obj, "totalAmount", "value");
    let rrn = r.rrn(&obj, true);
    let metadata = r.tree(&obj, "metadata", false);
    if let Err(res) = r.finish(Product::PayWithMaya) {
        return res;
    }
    let (Some(amount), Some(rrn)) = (amount, rrn) else {
        return errors::invalid(Product::PayWithMaya, &[]);
    };
    if amount.currency != "PHP" {
        return errors::currency(Product::PayWithMaya);
    }
    let now = mc.now();
    let mut state = lock(&mc.state);
    match state.links.get(id).map(|l| l.state) {
        None => return no_link(),
        Some(LinkState::Verified) => {}
        Some(_) => {
            return errors::payment(400, "PYBY0010", "Wallet link is inactive or deleted.");
        }
    }
    let mut p = Payment::new(
        random::uuid_v4(),
        rrn,
        amount.value,
        Source::WalletLink(id.to_owned()),
        now,
    );
    p.metadata = metadata;
    p.wallet = true;
    p.card = Some(Card::test_card());
    p.description = Some("Charge for juan@example.ph".to_owned());
    let pid = p.id.clone();
    mc.register(&mut state, p, now);
    let Some(p) = state.payments.get_mut(&pid, now) else {
        return errors::no_payment();
    };
    settle::apply(mc, p, Action::Approve, now);
    let p = p.clone();
    let events = settle::events(&state, &p, now);
    drop(state);
    webhooks::fire(mc, events);
    if p.error.is_some() {
        return errors::payment(400, "PY0105", "Insufficient balance.");
    }
    SimResponse::json(200, &wire::payment(&p, now))
}
