//! `complete` (capture a hold, fully or partly) and `refund` (once, fully or partly; a full
//! refund of a hold releases it), maib.md §4.3-4.4.

use rust_decimal::Decimal;

use super::Maib;
use super::errors::{self, MaibError};
use super::state::{PayKind, PayStatus};
use super::validate::optional_amount;
use super::wire::{Completed, Refunded};
use crate::json::{Money, Object};
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::server::SimResponse;

fn pay_id(body: &Object<'_>) -> Result<String, MaibError> {
    match body.str("payId") {
        Ok(Some(id)) if !id.is_empty() => Ok(id),
        Ok(_) => Err(MaibError::required("12011", "payId")),
        Err(_) => Err(MaibError::invalid("payId")),
    }
}

pub(super) fn complete(maib: &Maib, body: &Object<'_>) -> SimResponse {
    let pay_id = match pay_id(body) {
        Ok(id) => id,
        Err(e) => return errors::one(e),
    };
    let confirm = match optional_amount(body, "confirmAmount", ("12012", "12013")) {
        Ok(a) => a,
        Err(e) => return errors::one(e),
    };
    let now = maib.now();
    let mut state = lock(&maib.state);
    let Some(p) = state.payments.get_mut(&pay_id, now) else {
        return errors::one(MaibError::payment_not_found(&pay_id));
    };
    if p.kind != PayKind::Hold {
        return errors::one(MaibError::conflict("13106"));
    }
    if !p.is_held() {
        return errors::one(MaibError::conflict("13115"));
    }
    let held = p.order.amount.unwrap_or_default();
    let amount = confirm.unwrap_or(held);
    if amount > held {
        return errors::one(MaibError::confirm_too_large(&held.to_string()));
    }
    p.confirm_amount = Some(amount);
    maib.ctx
        .ledger
        .record(LedgerProvider::Maib, &p.pay_id, OpKind::Capture, amount);
    let Some(auth) = p.auth.as_ref() else {
        return errors::one(MaibError::internal());
    };
    errors::ok(&Completed {
        pay_id: &p.pay_id,
        order_id: p.order.order_id.as_deref(),
        status: "OK",
        status_code: "000",
        status_message: "Approved",
        rrn: auth.rrn.as_deref(),
        approval: auth.approval.as_deref(),
        card_number: auth.card_number,
        confirm_amount: Money(amount),
    })
}

pub(super) fn refund(maib: &Maib, body: &Object<'_>) -> SimResponse {
    let pay_id = match pay_id(body) {
        Ok(id) => id,
        Err(e) => return errors::one(e),
    };
    let requested = match optional_amount(body, "refundAmount", ("12028", "12029")) {
        Ok(a) => a,
        Err(e) => return errors::one(e),
    };
    let now = maib.now();
    let mut state = lock(&maib.state);
    let Some(p) = state.payments.get_mut(&pay_id, now) else {
        return errors::one(MaibError::payment_not_found(&pay_id));
    };
    if p.refund_amount.is_some() {
        return errors::one(MaibError::conflict("13116"));
    }
    if p.status == PayStatus::Pending && p.order.amount.is_none() {
        return errors::one(MaibError::conflict("13114"));
    }
    if p.status != PayStatus::Ok {
        return errors::one(MaibError::refund_not_allowed(p.status.as_str()));
    }
    let Some(paid) = p.order.amount else {
        return errors::one(MaibError::conflict("13114"));
    };
    if paid == Decimal::ZERO {
        return errors::one(MaibError::conflict("13114"));
    }
    let amount = if p.is_held() {
        match requested {
            Some(a) if a != paid => return errors::one(MaibError::conflict("13110")),
            _ => paid,
        }
    } else if let Some(confirmed) = p.confirm_amount {
        match requested {
            Some(a) if a > confirmed => return errors::one(MaibError::conflict("13103")),
            Some(a) => a,
            None => confirmed,
        }
    } else {
        match requested {
            Some(a) if a > paid => return errors::one(MaibError::conflict("13102")),
            Some(a) => a,
            None => paid,
        }
    };
    // A full refund of a hold releases it: no money had been taken.
    let kind = if p.is_held() {
        OpKind::Void
    } else {
        OpKind::Refund
    };
    p.refund_amount = Some(amount);
    maib.ctx
        .ledger
        .record(LedgerProvider::Maib, &p.pay_id, kind, amount);
    errors::ok(&Refunded {
        pay_id: &p.pay_id,
        order_id: p.order.order_id.as_deref(),
        status: "OK",
        status_code: "400",
        status_message: "Accepted",
        refund_amount: Money(amount),
    })
}
