//! Maya Vault customers and their cards (§3.4 V3–V8): vaulting a card consumes a payment
//! token and leaves the card `PREVERIFICATION` until the customer passes 3-D Secure at its
//! `verificationUrl`; a `VERIFIED` card is charged at once by the amount rule, unless the
//! payment sends a `redirectUrl`, which the simulator takes as "3-D Secure applies"
//! (`FOR_AUTHENTICATION` with a `verificationUrl`).

use serde_json::value::RawValue;

use super::errors::{self, Parameter, Product};
use super::settle::{self, Action};
use super::state::{
    Card, CardState, Customer, Payment, Redirect, Source, State, Status, VaultedCard,
};
use super::validate::{self, Reader};
use super::vault::consume_token;
use super::{J, MayaCheckout, webhooks, wire};
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};

fn no_customer() -> SimResponse {
    errors::payment(404, "PY0023", "Customer does not exist.")
}

fn no_card() -> SimResponse {
    errors::payment(404, "PY0027", "Card not found or not in ACTIVE state.")
}

/// The customer profile as sent: any JSON object, kept as is (§3.1.5).
fn details(req: &SimRequest) -> Result<J, SimResponse> {
    let raw: &RawValue = serde_json::from_slice(&req.body).map_err(|_| errors::bad_json())?;
    match J::from_raw(raw, 16) {
        Some(J::Obj(members)) => Ok(J::Obj(
            members
                .into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "id" | "createdAt" | "updatedAt"))
                .collect(),
        )),
        _ => Err(errors::invalid(
            Product::Gateway,
            &[Parameter::new("body", "customer must be an object")],
        )),
    }
}

/// `POST /payments/v1/customers`.
pub(crate) fn create(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let details = match details(req) {
        Ok(d) => d,
        Err(res) => return res,
    };
    let now = mc.now();
    let id = random::uuid_v4();
    let customer = Customer {
        details,
        cards: Vec::new(),
        created_ms: now,
        updated_ms: now,
    };
    let body = wire::customer(&id, &customer);
    lock(&mc.state).customers.insert(id, customer);
    SimResponse::json(200, &body)
}

/// `GET /payments/v1/customers/{id}`.
pub(crate) fn get(mc: &MayaCheckout, id: &str) -> SimResponse {
    match lock(&mc.state).customers.get(id) {
        Some(c) => SimResponse::json(200, &wire::customer(id, c)),
        None => no_customer(),
    }
}

/// `PUT /payments/v1/customers/{id}`: replaces the details.
pub(crate) fn update(mc: &MayaCheckout, req: &SimRequest, id: &str) -> SimResponse {
    let details = match details(req) {
        Ok(d) => d,
        Err(res) => return res,
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    let Some(c) = state.customers.get_mut(id) else {
        return no_customer();
    };
    c.details = details;
    c.updated_ms = now;
    SimResponse::json(200, &wire::customer(id, c))
}

/// `DELETE /payments/v1/customers/{id}`: answers the deleted customer.
pub(crate) fn delete(mc: &MayaCheckout, id: &str) -> SimResponse {
    match lock(&mc.state).customers.remove(id) {
        Some(c) => SimResponse::json(200, &wire::customer(id, &c)),
        None => no_customer(),
    }
}

/// `POST /payments/v1/customers/{id}/cards`: vaults a card behind 3-D Secure.
pub(crate) fn add_card(mc: &MayaCheckout, req: &SimRequest, customer: &str) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let token_id = r.string(&obj, "paymentTokenId", true, 256);
    let redirect = r.redirect(&obj, false);
    let _rrn = r.rrn(&obj, false);
    let is_default = match obj.bool("isDefault") {
        Ok(b) => b.unwrap_or(false),
        Err(_) => {
            r.problems
                .push(Parameter::new("isDefault", "isDefault must be a boolean"));
            false
        }
    };
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let Some(token_id) = token_id else {
        return errors::invalid(Product::Gateway, &[]);
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    if !state.customers.contains_key(customer) {
        return no_customer();
    }
    let pan = match consume_token(&mut state.tokens, &token_id, now) {
        Ok(pan) => pan,
        Err(res) => return res,
    };
    let Some(c) = state.customers.get_mut(customer) else {
        return no_customer();
    };
    let vaulted = c
        .cards
        .iter()
        .any(|card| card.pan == pan && card.state != CardState::VerificationFailed);
    if vaulted {
        return errors::payment(400, "PY0043", "Card is already vaulted.");
    }
    let id = random::hex_id(24);
    let card = VaultedCard {
        id: id.clone(),
        card: Card::of(&pan),
        pan,
        state: CardState::Preverification,
        default: is_default || c.cards.is_empty(),
        redirect,
        verification_url: Some(mc.url(&format!("/3ds/card?customer={customer}&id={id}"))),
        created_ms: now,
        updated_ms: now,
    };
    if card.default {
        for other in &mut c.cards {
            other.default = false;
        }
    }
    let body = wire::card(&card);
    c.cards.push(card);
    c.updated_ms = now;
    SimResponse::json(200, &body)
}

/// `GET /payments/v1/customers/{id}/cards` (`PY0029` when there are none).
pub(crate) fn cards(mc: &MayaCheckout, customer: &str) -> SimResponse {
    let state = lock(&mc.state);
    let Some(c) = state.customers.get(customer) else {
        return no_customer();
    };
    if c.cards.is_empty() {
        return errors::payment(400, "PY0029", "No cards found for the customer.");
    }
    let list: Vec<J> = c.cards.iter().map(wire::card).collect();
    SimResponse::json(200, &J::Arr(list))
}

fn find<'a>(
    state: &'a mut State,
    customer: &str,
    card: &str,
) -> Result<&'a mut VaultedCard, SimResponse> {
    let c = state.customers.get_mut(customer).ok_or_else(no_customer)?;
    c.cards
        .iter_mut()
        .find(|k| k.id == card)
        .ok_or_else(no_card)
}

/// `GET /payments/v1/customers/{id}/cards/{cardTokenId}`.
pub(crate) fn card(mc: &MayaCheckout, customer: &str, card: &str) -> SimResponse {
    match find(&mut lock(&mc.state), customer, card) {
        Ok(k) => SimResponse::json(200, &wire::card(k)),
        Err(res) => res,
    }
}

/// `PUT /payments/v1/customers/{id}/cards/{cardTokenId}` with `{"isDefault": true}`.
pub(crate) fn set_default(
    mc: &MayaCheckout,
    req: &SimRequest,
    customer: &str,
    card: &str,
) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    if obj.bool("isDefault") != Ok(Some(true)) {
        return errors::payment(400, "PY0026", "Card update failed: isDefault must be true.");
    }
    let now = mc.now();
    let mut state = lock(&mc.state);
    if let Err(res) = find(&mut state, customer, card) {
        return res;
    }
    let Some(c) = state.customers.get_mut(customer) else {
        return no_customer();
    };
    let mut body = J::Null;
    for k in &mut c.cards {
        k.default = k.id == card;
        if k.default {
            k.updated_ms = now;
            body = wire::card(k);
        }
    }
    SimResponse::json(200, &body)
}

/// `DELETE /payments/v1/customers/{id}/cards/{cardTokenId}`: answers the deleted card.
pub(crate) fn delete_card(mc: &MayaCheckout, customer: &str, card: &str) -> SimResponse {
    let mut state = lock(&mc.state);
    let Some(c) = state.customers.get_mut(customer) else {
        return no_customer();
    };
    let Some(at) = c.cards.iter().position(|k| k.id == card) else {
        return no_card();
    };
    let gone = c.cards.remove(at);
    SimResponse::json(200, &wire::card(&gone).with("state", "DELETED"))
}

/// `POST /payments/v1/customers/{id}/cards/{cardTokenId}/payments`: charges a verified
/// card at once.
pub(crate) fn pay(mc: &MayaCheckout, req: &SimRequest, customer: &str, card: &str) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let amount = r.amount(&obj, "totalAmount", "amount");
    let rrn = r.rrn(&obj, true);
    let redirect = r.redirect(&obj, false);
    let metadata = r.tree(&obj, "metadata", false);
    let auth_type = r.auth_type(&obj);
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let (Some(amount), Some(rrn)) = (amount, rrn) else {
        return errors::invalid(Product::Gateway, &[]);
    };
    if amount.currency != "PHP" {
        return errors::currency(Product::Gateway);
    }
    if auth_type.is_some() && !mc.config.auth_and_capture {
        return errors::payment(401, "PY0019", "Forbidden.");
    }
    let now = mc.now();
    let mut state = lock(&mc.state);
    let vaulted = match find(&mut state, customer, card) {
        Ok(k) if k.state == CardState::Verified => k.card.clone(),
        Ok(_) => return no_card(),
        Err(res) => return res,
    };
    let source = Source::SavedCard {
        customer: customer.to_owned(),
        card: card.to_owned(),
    };
    let mut p = Payment::new(random::uuid_v4(), rrn, amount.value, source, now);
    p.redirect = redirect;
    p.metadata = metadata;
    p.auth_type = auth_type;
    p.card = Some(vaulted);
    // A `redirectUrl` means the merchant is ready for 3-D Secure, and the simulator asks
    // for it; without one the vaulted card is charged at once.
    let three_ds = p.redirect != Redirect::default();
    if three_ds {
        p.status = Status::ForAuthentication;
        p.verification_url = Some(mc.url(&format!("/3ds/payment?id={}", p.id)));
        p.three_ds = true;
    }
    let id = p.id.clone();
    mc.register(&mut state, p, now);
    if three_ds {
        let body = state
            .payments
            .get(&id)
            .map_or(J::Null, |p| wire::payment(p, now));
        return SimResponse::json(200, &body);
    }
    let Some(p) = state.payments.get_mut(&id, now) else {
        return errors::no_payment();
    };
    settle::apply(mc, p, Action::Approve, now);
    let p = p.clone();
    let events = settle::events(&state, &p, now);
    drop(state);
    webhooks::fire(mc, events);
    SimResponse::json(200, &wire::payment(&p, now))
}
