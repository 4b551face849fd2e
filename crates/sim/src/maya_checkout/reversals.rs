//! Reversals (§3.7, §5): void (full, on the transaction's Manila day), refund (partial, from
//! the next Manila day through day 180), by id or by a unique RRN, and cancel of an unpaid
//! payment. Voids and refunds send no webhooks, as Maya documents.

use super::errors::{self, Product};
use super::rules::{self, Refusal};
use super::settle::{self, Action};
use super::state::{Refund, State, Status, Void};
use super::validate::{self, Reader};
use super::{J, MayaCheckout, webhooks, wire};
use crate::config::RefundAnswer;
use crate::ledger::OpKind;
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};

fn unique_rrn(state: &State, rrn: &str) -> Result<String, SimResponse> {
    let ids = state.ids_by_rrn(rrn);
    match ids.as_slice() {
        [id] => Ok(id.clone()),
        [] => Err(errors::no_payment()),
        _ => Err(errors::payment(
            400,
            "PY0104",
            "Reference number is linked to multiple payments.",
        )),
    }
}

/// `POST /payments/v1/payments/{id}/voids`.
pub(crate) fn void_by_id(mc: &MayaCheckout, req: &SimRequest, id: &str) -> SimResponse {
    void(mc, req, |_| Ok(id.to_owned()))
}

/// `POST /payments/v1/payment-rrns/{rrn}/voids`.
pub(crate) fn void_by_rrn(mc: &MayaCheckout, req: &SimRequest, rrn: &str) -> SimResponse {
    void(mc, req, |state| unique_rrn(state, rrn))
}

fn void(
    mc: &MayaCheckout,
    req: &SimRequest,
    which: impl FnOnce(&State) -> Result<String, SimResponse>,
) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let reason = r.reason(&obj);
    let rrn = r.rrn(&obj, false);
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let Some(reason) = reason else {
        return errors::invalid(Product::Gateway, &[]);
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    let id = match which(&state) {
        Ok(id) => id,
        Err(res) => return res,
    };
    let Some(p) = state.payments.get_mut(&id, now) else {
        return errors::no_payment();
    };
    match rules::void_check(p, now) {
        Ok(()) => {}
        Err(Refusal::State) => {
            return errors::payment(400, "PY0045", "Payment is not available for void.");
        }
        Err(Refusal::Calendar) => {
            return errors::payment(
                400,
                "PY0073",
                "Cannot void a transaction after cut off time.",
            );
        }
    }
    // A hold releases what was not captured; a sale returns everything.
    let released = match p.status {
        Status::Authorized | Status::Captured => p.amount.saturating_sub(p.captured),
        _ => p.amount,
    };
    let record = Void {
        id: random::uuid_v4(),
        reason,
        rrn: rrn.or_else(|| Some(p.rrn.clone())),
        at_ms: now,
    };
    p.status = Status::Voided;
    p.updated_ms = now;
    p.voids.push(record.clone());
    mc.record(&p.id, OpKind::Void, released);
    SimResponse::json(200, &wire::void(p, &record))
}

/// `POST /payments/v1/payments/{id}/refunds`.
pub(crate) fn refund_by_id(mc: &MayaCheckout, req: &SimRequest, id: &str) -> SimResponse {
    refund(mc, req, |_| Ok(id.to_owned()))
}

/// `POST /payments/v1/payment-rrns/{rrn}/refunds`.
pub(crate) fn refund_by_rrn(mc: &MayaCheckout, req: &SimRequest, rrn: &str) -> SimResponse {
    refund(mc, req, |state| unique_rrn(state, rrn))
}

fn refund(
    mc: &MayaCheckout,
    req: &SimRequest,
    which: impl FnOnce(&State) -> Result<String, SimResponse>,
) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let amount = r.amount(&obj, "totalAmount", "amount");
    let reason = r.reason(&obj);
    let rrn = r.rrn(&obj, false);
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let (Some(amount), Some(reason)) = (amount, reason) else {
        return errors::invalid(Product::Gateway, &[]);
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    let id = match which(&state) {
        Ok(id) => id,
        Err(res) => return res,
    };
    let Some(p) = state.payments.get_mut(&id, now) else {
        return errors::no_payment();
    };
    if amount.currency != p.currency {
        return errors::currency(Product::Gateway);
    }
    if rules::refund_check(p, now).is_err() {
        return errors::payment(401, "PY0047", "Payment is ineligible for refund.");
    }
    if p.refunded().saturating_add(amount.value) > p.amount {
        return errors::payment(
            400,
            "PY0048",
            "Refund amount is greater than the original amount.",
        );
    }
    let record = Refund {
        id: random::uuid_v4(),
        amount: amount.value,
        reason,
        rrn: rrn.or_else(|| Some(p.rrn.clone())),
        at_ms: now,
    };
    p.status = Status::Refunded;
    p.updated_ms = now;
    p.refunds.push(record.clone());
    mc.record(&p.id, OpKind::Refund, amount.value);
    match mc.config.refund_answer {
        RefundAnswer::Record => SimResponse::json(200, &wire::refund(p, &record)),
        RefundAnswer::Receipt => SimResponse::json(200, &wire::refund_receipt(p, &record)),
        RefundAnswer::Ongoing => SimResponse::json(
            202,
            &J::obj()
                .with(
                    "message",
                    "Transaction had been received and is still ongoing",
                )
                .with("status", "ONGOING"),
        ),
    }
}

/// `POST /payments/v1/payments/{id}/cancel`: stops an unpaid payment.
pub(crate) fn cancel(mc: &MayaCheckout, req: &SimRequest, id: &str) -> SimResponse {
    if let Err(res) = validate::body(req, true) {
        return res;
    }
    let now = mc.now();
    let mut state = lock(&mc.state);
    let Some(p) = state.payments.get_mut(id, now) else {
        return errors::no_payment();
    };
    if !p.status.is_pending() {
        return errors::payment(
            400,
            "PY0044",
            "Payment is invalid: only an unpaid payment can be cancelled.",
        );
    }
    settle::apply(mc, p, Action::Cancel, now);
    let p = p.clone();
    let events = settle::events(&state, &p, now);
    drop(state);
    webhooks::fire(mc, events);
    SimResponse::json(200, &wire::payment(&p, now))
}
