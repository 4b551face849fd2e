//! Operations on a paid order: refund (form-encoded, empty 200), pre-auth completion
//! (full, partial, cancel) and recurring charges (bog-ipay.md §5.3-5.5).

use rust_decimal::Decimal;

use super::Bog;
use super::customer::{send_refund, send_status, settle};
use super::errors;
use super::state::{Order, PreAuth, Status};
use super::validate;
use super::wire::{Charge, Completion};
use crate::form;
use crate::json::Object;
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};

pub(super) fn refund(bog: &Bog, req: &SimRequest) -> SimResponse {
    if !req.content_type_is("application/x-www-form-urlencoded") {
        return bog.spring(
            req,
            415,
            "Unsupported Media Type",
            "Content type must be application/x-www-form-urlencoded",
        );
    }
    let body = req.form();
    let Some(order_id) = form::get(&body, "order_id").filter(|id| !id.is_empty()) else {
        return errors::invalid("order_id is required");
    };
    let requested = match validate::form_amount(form::get(&body, "amount")) {
        Ok(a) => a,
        Err(message) => return errors::invalid(&message),
    };
    let now = bog.now();
    let mut state = lock(&bog.state);
    let Some(order) = state.orders.get_mut(order_id, now) else {
        return errors::not_found(order_id);
    };
    if order.status != Status::Success {
        return errors::conflict("Only successful payments can be refunded");
    }
    let refunded_before = order.refunded;
    let released = match apply_refund(order, requested) {
        Ok(released) => released,
        Err(message) => return errors::conflict(message),
    };
    if released {
        bog.ctx
            .ledger
            .record(LedgerProvider::Bog, order_id, OpKind::Void, order.amount);
    } else {
        let amount = order.refunded.saturating_sub(refunded_before);
        bog.ctx
            .ledger
            .record(LedgerProvider::Bog, order_id, OpKind::Refund, amount);
    }
    order.updated_ms = now;
    let order = order.clone();
    drop(state);
    if released {
        send_status(bog, &order);
    }
    send_refund(bog, &order);
    SimResponse::empty(200)
}

/// Refunds `requested` (or everything refundable); releasing a MANUAL block when the funds
/// are only blocked. Returns whether a block was released.
fn apply_refund(order: &mut Order, requested: Option<Decimal>) -> Result<bool, &'static str> {
    match order.pre_auth {
        Some(PreAuth::InProgress) => {
            if requested.is_some_and(|a| a != order.amount) {
                return Err("A blocked amount can only be released in full");
            }
            order.pre_auth = Some(PreAuth::Unblocked);
            order.status_description = "REFUNDED";
            return Ok(true);
        }
        Some(PreAuth::Unblocked) => return Err("The blocked amount was already released"),
        Some(PreAuth::Success) | None => {}
    }
    let refundable = order.refundable();
    if refundable.is_zero() {
        return Err("The payment is already fully refunded");
    }
    let amount = match requested {
        Some(a) if a >= order.captured => {
            return Err("A partial refund must be less than the paid amount");
        }
        Some(a) if a > refundable => return Err("Refund amount exceeds the refundable balance"),
        Some(a) => a,
        None => refundable,
    };
    order.refunded = order.refunded.checked_add(amount).unwrap_or(order.captured);
    order.status_description = if order.refunded >= order.captured {
        "REFUNDED"
    } else {
        "PARTIALLY_REFUNDED"
    };
    Ok(false)
}

pub(super) fn complete_preauth(bog: &Bog, order_id: &str, body: &Object<'_>) -> SimResponse {
    let auth_type = match body.str("auth_type") {
        Ok(Some(t)) => t,
        Ok(None) => return errors::invalid("auth_type is required"),
        Err(_) => return errors::invalid("auth_type must be a string"),
    };
    let amount = match validate::optional_amount(body, "amount") {
        Ok(a) => a,
        Err(message) => return errors::invalid(&message),
    };
    let now = bog.now();
    let mut state = lock(&bog.state);
    let Some(order) = state.orders.get_mut(order_id, now) else {
        return errors::not_found(order_id);
    };
    if !order.manual {
        return errors::conflict("The order was not created with capture_method MANUAL");
    }
    if order.status != Status::Success {
        return errors::conflict("The order has no successful pre-authorization");
    }
    match order.pre_auth {
        Some(PreAuth::Success) => {
            return SimResponse::json(
                200,
                &Completion {
                    status: "success",
                    description: "Already completed successful",
                },
            );
        }
        Some(PreAuth::Unblocked) => {
            return errors::conflict("The pre-authorization was already released");
        }
        Some(PreAuth::InProgress) | None => {}
    }
    let description = match auth_type.as_str() {
        "FULL_COMPLETE" => {
            order.captured = order.amount;
            order.pre_auth = Some(PreAuth::Success);
            "Pre-authorization successfully completed"
        }
        "PARTIAL_COMPLETE" => {
            let Some(amount) = amount else {
                return errors::invalid("amount is required for PARTIAL_COMPLETE");
            };
            if amount >= order.amount {
                return errors::invalid("amount must be less than the blocked amount");
            }
            order.captured = amount;
            order.pre_auth = Some(PreAuth::Success);
            "Pre-authorization successfully completed"
        }
        "CANCEL" => {
            order.pre_auth = Some(PreAuth::Unblocked);
            "Pre-authorization successfully canceled"
        }
        other => return errors::invalid(&format!("auth_type {other} is not supported")),
    };
    order.updated_ms = now;
    let (kind, amount) = if order.pre_auth == Some(PreAuth::Unblocked) {
        (OpKind::Void, order.amount)
    } else {
        (OpKind::Capture, order.captured)
    };
    bog.ctx
        .ledger
        .record(LedgerProvider::Bog, &order.order_id, kind, amount);
    let order = order.clone();
    drop(state);
    send_status(bog, &order);
    SimResponse::json(
        200,
        &Completion {
            status: "success",
            description,
        },
    )
}

pub(super) fn subscription(bog: &Bog, body: &Object<'_>) -> SimResponse {
    let charge = match validate::new_charge(body) {
        Ok(c) => c,
        Err(message) => return errors::invalid(&message),
    };
    let now = bog.now();
    let mut state = lock(&bog.state);
    let Some(parent) = state.orders.get(&charge.order_id) else {
        return errors::not_found(&charge.order_id);
    };
    if parent.status != Status::Success {
        return errors::conflict("Recurring payments need a successful original order");
    }
    let mut order = Order {
        order_id: random::hex_id(20),
        payment_hash: random::hex_id(20),
        ipay_payment_id: String::new(),
        intent: "CAPTURE".to_owned(),
        manual: false,
        locale: parent.locale.clone(),
        shop_order_id: charge.shop_order_id,
        redirect_url: None,
        amount: charge.amount,
        currency: charge.currency,
        status: Status::InProgress,
        status_description: "IN_PROGRESS",
        card: None,
        pre_auth: None,
        captured: Decimal::ZERO,
        refunded: Decimal::ZERO,
        created_ms: now,
        updated_ms: now,
    };
    order.ipay_payment_id = state.next_payment_no();
    let response = SimResponse::json(
        200,
        &Charge {
            status: Status::InProgress.as_str(),
            payment_hash: &order.payment_hash,
            order_id: &order.order_id,
        },
    );
    bog.ctx.ledger.register(
        LedgerProvider::Bog,
        &order.order_id,
        order.shop_order_id.as_deref(),
        &order.currency,
        order.amount,
    );
    settle(bog, &mut order, now);
    state
        .orders
        .insert(order.order_id.clone(), order.clone(), now);
    drop(state);
    send_status(bog, &order);
    response
}
