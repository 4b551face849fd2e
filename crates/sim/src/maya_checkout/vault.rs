//! Maya Vault payment tokens and one-time payments (§3.4 V1, V2): a token is made from raw
//! card data with the public key and can be used once (`PY0007` afterwards, `PY0008` when
//! unknown); a payment with it starts `FOR_AUTHENTICATION` with a `verificationUrl` (the
//! simulator's 3-D Secure page).

use super::errors::{self, Product};
use super::state::{Card, Payment, Source, Status, Token, TokenState};
use super::validate::{self, Reader, is_pan};
use super::{J, MayaCheckout, wire};
use crate::calendar::DateTime;
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};

/// `POST /payments/v1/payment-tokens` (public key).
pub(crate) fn token(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let card = match obj.object("card") {
        Ok(Some(card)) => card,
        _ => {
            r.problems
                .push(errors::Parameter::new("card", "card is required"));
            return errors::invalid(Product::Gateway, &r.problems);
        }
    };
    let number = r.string(&card, "number", true, 19);
    let month = r.string(&card, "expMonth", true, 2);
    let year = r.string(&card, "expYear", true, 4);
    let cvc = r.string(&card, "cvc", true, 4);
    let digits = |s: &Option<String>, lens: &[usize]| {
        s.as_ref()
            .is_some_and(|s| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
    };
    if number.is_some() && !number.as_deref().is_some_and(is_pan) {
        r.problems
            .push(errors::Parameter::new("card.number", "number is invalid"));
    }
    let month_num = month
        .as_deref()
        .and_then(|m| m.parse::<u32>().ok())
        .filter(|m| (1..=12).contains(m));
    if month.is_some() && (!digits(&month, &[1, 2]) || month_num.is_none()) {
        r.problems.push(errors::Parameter::new(
            "card.expMonth",
            "expMonth is invalid",
        ));
    }
    if year.is_some() && !digits(&year, &[4]) {
        r.problems
            .push(errors::Parameter::new("card.expYear", "expYear is invalid"));
    }
    if cvc.is_some() && !digits(&cvc, &[3, 4]) {
        r.problems
            .push(errors::Parameter::new("card.cvc", "cvc is invalid"));
    }
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let (Some(pan), Some(month), Some(year)) =
        (number, month_num, year.and_then(|y| y.parse::<i64>().ok()))
    else {
        return errors::invalid(Product::Gateway, &[]);
    };
    let now = mc.now();
    let today = DateTime::from_unix(i64::try_from(now / 1000).unwrap_or(i64::MAX));
    if (year, month) < (today.year, today.month) {
        return errors::payment(400, "PY0002", "Card is expired.");
    }
    let id = random::hex_id(24);
    let token = Token {
        pan,
        state: TokenState::Available,
        created_ms: now,
        updated_ms: now,
    };
    let body = wire::token(&id, &token);
    lock(&mc.state).tokens.insert(id, token);
    SimResponse::json(200, &body)
}

/// Takes a token for one use: its PAN, or `PY0008` (unknown) / `PY0007` (used).
pub(crate) fn consume_token(
    tokens: &mut std::collections::HashMap<String, Token>,
    id: &str,
    now: u64,
) -> Result<String, SimResponse> {
    let Some(token) = tokens.get_mut(id) else {
        return Err(errors::payment(400, "PY0008", "Payment token is invalid."));
    };
    if token.state != TokenState::Available {
        return Err(errors::payment(
            400,
            "PY0007",
            "Payment token has already been used or has expired.",
        ));
    }
    token.state = TokenState::Used;
    token.updated_ms = now;
    Ok(token.pan.clone())
}

/// `POST /payments/v1/payments` (secret key).
pub(crate) fn pay(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let token_id = r.string(&obj, "paymentTokenId", true, 256);
    let amount = r.amount(&obj, "totalAmount", "amount");
    let rrn = r.rrn(&obj, true);
    let redirect = r.redirect(&obj, false);
    let metadata = r.tree(&obj, "metadata", false);
    let _buyer = r.tree(&obj, "buyer", false);
    let auth_type = r.auth_type(&obj);
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let (Some(token_id), Some(amount), Some(rrn)) = (token_id, amount, rrn) else {
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
    let pan = match consume_token(&mut state.tokens, &token_id, now) {
        Ok(pan) => pan,
        Err(res) => return res,
    };
    let mut p = Payment::new(random::uuid_v4(), rrn, amount.value, Source::Vault, now);
    p.status = Status::ForAuthentication;
    p.redirect = redirect;
    p.metadata = metadata;
    p.auth_type = auth_type;
    p.card = Some(Card::of(&pan));
    p.payment_token_id = Some(token_id);
    p.verification_url = Some(mc.url(&format!("/3ds/payment?id={}", p.id)));
    p.three_ds = true;
    let body: J = wire::payment(&p, now);
    mc.register(&mut state, p, now);
    SimResponse::json(200, &body)
}
