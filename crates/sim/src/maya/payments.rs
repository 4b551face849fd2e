//! Mini App payments: create (no money moves), execute (once, final), and the profile read
//! (maya.md §4.3, §5, §6).

use rust_decimal::Decimal;

use super::Maya;
use super::errors::{self, Parameter};
use super::state::{Payment, Status};
use super::wire::{PaymentView, Profile};
use crate::json::{Field, Object};
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::outcome;
use crate::random;
use crate::server::{SimRequest, SimResponse};

/// 0.001
const MIN_VALUE: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
/// 9999999999.99
const MAX_VALUE: Decimal = Decimal::from_parts(3_567_587_327, 232, 0, false, 2);

/// Client token, reference number and customer token, in that order.
fn headers(maya: &Maya, req: &SimRequest) -> Result<(String, String), SimResponse> {
    maya.client(req)?;
    let rrn = Maya::reference(req)?;
    let customer = maya.customer(req)?;
    Ok((rrn, customer))
}

pub(super) fn profile(maya: &Maya, req: &SimRequest) -> SimResponse {
    match headers(maya, req) {
        Ok((_, customer)) => SimResponse::json(
            200,
            &Profile {
                data: random::jwt(
                    "RSA-OAEP-256",
                    &customer,
                    0,
                    r#","enc":"A256GCM","cty":"JWT""#,
                ),
            },
        ),
        Err(res) => res,
    }
}

/// Validates `{p2mId, amount: {currency, value}}`.
fn read(body: &Object<'_>) -> Result<(String, String, Decimal), Vec<Parameter>> {
    let mut problems = Vec::new();
    let p2m_id = match body.str("p2mId") {
        Ok(Some(id)) if !id.is_empty() => id,
        _ => {
            problems.push(Parameter::new("p2mId", "A valid p2mId is required."));
            String::new()
        }
    };
    let (mut currency, mut value) = (String::new(), Decimal::ZERO);
    match body.object("amount") {
        Ok(Some(amount)) => {
            match amount.str("currency") {
                Ok(Some(c)) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                    currency = c;
                }
                _ => problems.push(Parameter::new(
                    "amount.currency",
                    "A valid currency is required.",
                )),
            }
            match amount.decimal("value") {
                Ok(Some(v)) if v < MIN_VALUE || v > MAX_VALUE => problems.push(Parameter::new(
                    "amount.value",
                    "value must be between 0.001 and 9999999999.99",
                )),
                Ok(Some(v)) if v.normalize().scale() > 2 => problems.push(Parameter::new(
                    "amount.value",
                    "value must have at most 2 decimal places",
                )),
                Ok(Some(v)) => value = v,
                Ok(None) => problems.push(Parameter::new("amount.value", "value is required.")),
                Err(Field::WrongType | Field::OutOfRange) => {
                    problems.push(Parameter::new("amount.value", "value must be a number"));
                }
            }
        }
        _ => problems.push(Parameter::new("amount", "amount is required.")),
    }
    if problems.is_empty() {
        Ok((p2m_id, currency, value))
    } else {
        Err(problems)
    }
}

pub(super) fn create(maya: &Maya, req: &SimRequest) -> SimResponse {
    let (rrn, customer) = match headers(maya, req) {
        Ok(h) => h,
        Err(res) => return res,
    };
    let body = match Maya::body(req, false) {
        Ok(b) => b,
        Err(res) => return res,
    };
    let (p2m_id, currency, value) = match read(&body) {
        Ok(v) => v,
        Err(problems) => return errors::invalid(&problems),
    };
    if p2m_id != maya.config.p2m_id {
        return errors::payment(404, "PY0017", "Merchant is not found.");
    }
    if currency != "PHP" {
        return errors::payment(400, "PY0037", "Currency is not supported.");
    }
    let now = maya.now();
    let payment = Payment {
        id: random::uuid_v4(),
        p2m_id,
        currency,
        value,
        customer,
        status: Status::Created,
        created_ms: now,
    };
    let response = SimResponse::json(200, &PaymentView::created(&payment, &rrn));
    maya.ctx.ledger.register(
        LedgerProvider::Maya,
        &payment.id,
        Some(&payment.customer),
        &payment.currency,
        payment.value,
    );
    lock(&maya.state)
        .payments
        .insert(payment.id.clone(), payment, now);
    response
}

pub(super) fn execute(maya: &Maya, req: &SimRequest, id: &str) -> SimResponse {
    let (rrn, customer) = match headers(maya, req) {
        Ok(h) => h,
        Err(res) => return res,
    };
    if let Err(res) = Maya::body(req, true) {
        return res;
    }
    let now = maya.now();
    let mut state = lock(&maya.state);
    let Some(payment) = state.payments.get_mut(id, now) else {
        return errors::payment(404, "PY0009", "Payment does not exist.");
    };
    match payment.status {
        Status::Approved | Status::Declined => {
            return errors::payment(400, "PY0010", "The payment has already been processed");
        }
        Status::Expired => return errors::payment(400, "PY0044", "Payment has expired."),
        Status::Created => {}
    }
    if payment.customer != customer {
        return errors::payment(400, "PY0044", "Payment is invalid.");
    }
    payment.status = if outcome::declined(payment.value) {
        Status::Declined
    } else {
        Status::Approved
    };
    let kind = if payment.status == Status::Approved {
        OpKind::Execute
    } else {
        OpKind::Decline
    };
    maya.ctx
        .ledger
        .record(LedgerProvider::Maya, &payment.id, kind, payment.value);
    SimResponse::json(200, &PaymentView::executed(payment, &rrn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_the_documented_ones() {
        assert_eq!(MIN_VALUE.to_string(), "0.001");
        assert_eq!(MAX_VALUE.to_string(), "9999999999.99");
    }

    #[test]
    fn reports_every_bad_field() {
        let body = Object::parse(br#"{"amount":{"currency":"php","value":"1"}}"#).unwrap();
        let fields: Vec<String> = read(&body)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["p2mId", "amount.currency", "amount.value"]);
        let body =
            Object::parse(br#"{"p2mId":"P","amount":{"currency":"PHP","value":249.50}}"#).unwrap();
        assert_eq!(read(&body).unwrap().2, Decimal::new(24950, 2));
    }
}
