//! Operations on an existing order (bog-payments.md §5.2-5.4, §6.6): refund, pre-auth
//! confirm and reject, saving a card, deleting it. Refund, approve and cancel answer
//! `request_received` with an `action_id`; the outcome is in the receipt's `actions[]` and in
//! a callback. Each rule the state machine enforces is named in the 400's message.

use rust_decimal::Decimal;

use super::customer::{self, transferred};
use super::state::{Action, Method, Order, Pending, SavedKind, Status};
use super::validate;
use super::wire::{Ack, java};
use super::{BogPayments, Call};
use crate::json::Object;
use crate::ledger::OpKind;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;

/// Longest `description` accepted on approve and cancel.
const MAX_DESCRIPTION: usize = 255;

/// The optional `amount`, positive with at most two decimals; required in the sandbox mode.
fn requested_amount(
    payments: &BogPayments,
    call: &Call<'_>,
    body: &Object<'_>,
) -> Result<Option<Decimal>, SimResponse> {
    let amount = validate::amount(body, "amount", "amount")
        .and_then(|a| a.map(|v| validate::positive(v, "amount")).transpose())
        .map_err(|m| call.error(400, &m))?;
    if amount.is_none() && payments.config.require_explicit_amount {
        return Err(call.error(400, "amount is required, for the full amount too"));
    }
    Ok(amount)
}

fn description(call: &Call<'_>, body: &Object<'_>) -> Result<(), SimResponse> {
    match body.str("description") {
        Ok(Some(d)) if d.chars().count() > MAX_DESCRIPTION => Err(call.error(
            400,
            &format!("description must be at most {MAX_DESCRIPTION} characters"),
        )),
        Ok(_) => Ok(()),
        Err(_) => Err(call.error(400, "description must be a string")),
    }
}

fn action(
    action_id: String,
    kind: &'static str,
    amount: Decimal,
    now_ms: u64,
    rejected: Option<(&'static str, &'static str)>,
) -> Action {
    Action {
        action_id,
        action: kind,
        status: if rejected.is_some() {
            "rejected"
        } else {
            "completed"
        },
        at_ms: now_ms,
        amount,
        code: rejected.map(|r| r.0),
        code_description: rejected.map(|r| r.1),
    }
}

/// Applies `f` to the caller's order `id` under the lock. `f` returns the new action's id
/// and whether the order changed now (then its callback goes out); the answer is the
/// acknowledgement.
fn act(
    payments: &BogPayments,
    call: &Call<'_>,
    id: &str,
    message: &'static str,
    f: impl FnOnce(&mut Order) -> Result<(String, bool), SimResponse>,
) -> SimResponse {
    let mut state = lock(&payments.state);
    let Some(order) = state
        .orders
        .get_mut(id, call.now)
        .filter(|o| o.owner == call.client_id)
    else {
        return call.error(404, "Order not found");
    };
    let (action_id, changed) = match f(order) {
        Ok(done) => done,
        Err(res) => return res,
    };
    let order = order.clone();
    if order.pending.is_some() {
        state.schedule(
            &order.order_id,
            call.now.saturating_add(settle_delay_ms(payments)),
        );
    }
    drop(state);
    if changed {
        customer::send_callback(payments, &order);
    }
    SimResponse::json(
        200,
        &Ack {
            key: "request_received",
            message,
            action_id: &action_id,
        },
    )
}

fn settle_delay_ms(payments: &BogPayments) -> u64 {
    u64::try_from(payments.config.settle_delay.as_millis()).unwrap_or(u64::MAX)
}

/// Settles `pending` on `order` at `now_ms`: the refund or confirmation happens (or the
/// issuer refuses it, for the sandbox's `...0003` card), the action is recorded, the ledger
/// too. Returns whether the order changed.
pub(crate) fn settle(
    payments: &BogPayments,
    order: &mut Order,
    pending: Pending,
    now_ms: u64,
) -> bool {
    match pending {
        Pending::Refund {
            action_id,
            kind,
            amount,
            before,
        } => {
            if order.card_refuses_later_operations() {
                order.status = before;
                order.actions.push(action(
                    action_id,
                    kind,
                    amount,
                    now_ms,
                    Some(("162", "The issuing bank declined the refund")),
                ));
                return true;
            }
            let left = transferred(order).saturating_sub(amount).max(Decimal::ZERO);
            order.transfer_amount = Some(left);
            order.refund_amount = order.refund_amount.saturating_add(amount);
            order.status = if left.is_zero() {
                Status::Refunded
            } else {
                Status::RefundedPartially
            };
            order
                .actions
                .push(action(action_id, kind, amount, now_ms, None));
            payments.ledger(&order.order_id, OpKind::Refund, amount);
            true
        }
        Pending::Approve {
            action_id,
            kind,
            amount,
        } => {
            if order.card_refuses_later_operations() {
                order.status = Status::Blocked;
                order.actions.push(action(
                    action_id,
                    kind,
                    amount,
                    now_ms,
                    Some((
                        "107",
                        "Payment declined due to insufficient funds in the account",
                    )),
                ));
                return true;
            }
            let partial = amount < transferred(order);
            order.transfer_amount = Some(amount);
            order.status = if partial {
                Status::PartialCompleted
            } else {
                Status::Completed
            };
            order
                .actions
                .push(action(action_id, kind, amount, now_ms, None));
            payments.ledger(&order.order_id, OpKind::Capture, amount);
            true
        }
        Pending::Charge { card, refused } => {
            if order.status != Status::Processing {
                return false;
            }
            let decline = refused.then_some(customer::Decline::InsufficientFunds);
            customer::settle(payments, order, Method::Card, Some(&card), decline, now_ms);
            true
        }
    }
}

/// Settles `pending` now, or leaves it on the order (in `waiting`) until the delay passes.
/// Returns whether the order's outcome changed now.
pub(crate) fn settle_or_wait(
    payments: &BogPayments,
    order: &mut Order,
    pending: Pending,
    waiting: Status,
    now_ms: u64,
) -> bool {
    if payments.config.settle_delay.is_zero() {
        return settle(payments, order, pending, now_ms);
    }
    order.status = waiting;
    order.pending = Some(pending);
    false
}

/// `POST /payment/refund/{id}`: full without `amount`, partial with one.
pub(crate) fn refund(
    payments: &BogPayments,
    call: &Call<'_>,
    id: &str,
    body: &Object<'_>,
) -> SimResponse {
    let requested = match requested_amount(payments, call, body) {
        Ok(a) => a,
        Err(res) => return res,
    };
    act(payments, call, id, "Refund request received", |order| {
        if !order.status.refundable() {
            return Err(call.error(
                400,
                "Refund is allowed only for completed, partial_completed or refunded_partially orders",
            ));
        }
        let Some(method) = order.method() else {
            return Err(call.error(400, "Refund is allowed only for paid orders"));
        };
        if !method.refundable() {
            return Err(call.error(
                400,
                &format!(
                    "Refund is not supported for payment method {}",
                    method.key()
                ),
            ));
        }
        let available = transferred(order);
        let amount = requested.unwrap_or(available);
        if amount > available {
            return Err(call.error(
                400,
                &format!(
                    "amount must not exceed transfer_amount ({})",
                    java(available)
                ),
            ));
        }
        let partial = amount < available;
        if partial && !method.is_card_based() {
            return Err(call.error(
                400,
                "Partial refund is allowed only for card, apple_pay and google_pay",
            ));
        }
        let action_id = random::uuid_v4();
        let pending = Pending::Refund {
            action_id: action_id.clone(),
            kind: if partial { "partial_refund" } else { "refund" },
            amount,
            before: order.status,
        };
        let changed = settle_or_wait(payments, order, pending, Status::RefundRequested, call.now);
        Ok((action_id, changed))
    })
}

/// `POST /payment/authorization/approve/{id}`: confirms a blocked amount, fully or partly.
pub(crate) fn approve(
    payments: &BogPayments,
    call: &Call<'_>,
    id: &str,
    body: &Object<'_>,
) -> SimResponse {
    let requested = match requested_amount(payments, call, body) {
        Ok(a) => a,
        Err(res) => return res,
    };
    if let Err(res) = description(call, body) {
        return res;
    }
    act(
        payments,
        call,
        id,
        "Pre-authorization approval request received",
        |order| {
            if order.status != Status::Blocked {
                return Err(call.error(
                    400,
                    "Pre-authorization approval is allowed only for blocked orders",
                ));
            }
            let held = transferred(order);
            let amount = requested.unwrap_or(held);
            if amount > held {
                return Err(call.error(
                    400,
                    &format!("amount must not exceed the blocked amount ({})", java(held)),
                ));
            }
            let action_id = random::uuid_v4();
            let pending = Pending::Approve {
                action_id: action_id.clone(),
                kind: if amount < held {
                    "partial_authorize"
                } else {
                    "authorize"
                },
                amount,
            };
            let changed = settle_or_wait(payments, order, pending, Status::AuthRequested, call.now);
            Ok((action_id, changed))
        },
    )
}

/// `POST /payment/authorization/cancel/{id}`: releases a blocked amount in full.
pub(crate) fn cancel(
    payments: &BogPayments,
    call: &Call<'_>,
    id: &str,
    body: &Object<'_>,
) -> SimResponse {
    if let Err(res) = description(call, body) {
        return res;
    }
    act(
        payments,
        call,
        id,
        "Pre-authorization cancellation request received",
        |order| {
            if order.status != Status::Blocked {
                return Err(call.error(
                    400,
                    "Pre-authorization cancellation is allowed only for blocked orders",
                ));
            }
            let held = transferred(order);
            let action_id = random::uuid_v4();
            if order.card_refuses_later_operations() {
                order.actions.push(action(
                    action_id.clone(),
                    "cancel_authorize",
                    held,
                    call.now,
                    Some(("112", "General error")),
                ));
                return Ok((action_id, true));
            }
            order.status = Status::Rejected;
            order.transfer_amount = Some(Decimal::ZERO);
            order.actions.push(action(
                action_id.clone(),
                "cancel_authorize",
                held,
                call.now,
                None,
            ));
            payments.ledger(&order.order_id, OpKind::Void, held);
            Ok((action_id, true))
        },
    )
}

/// `PUT /orders/{id}/cards` and `PUT /orders/{id}/subscriptions`: asks to save the card of
/// a payment not made yet (202, no body).
pub(crate) fn save_card(
    payments: &BogPayments,
    call: &Call<'_>,
    id: &str,
    kind: SavedKind,
) -> SimResponse {
    if payments.config.save_card_unavailable {
        return call.error(501, "Not Implemented");
    }
    let mut state = lock(&payments.state);
    let Some(order) = state
        .orders
        .get_mut(id, call.now)
        .filter(|o| o.owner == call.client_id)
    else {
        return call.error(404, "Order not found");
    };
    if order.status != Status::Created {
        return call.error(
            400,
            "Saving a card is allowed only while the order is created",
        );
    }
    order.save_requested = Some(kind);
    SimResponse::empty(202)
}

/// `DELETE /charges/card/{id}`: forgets the card saved on parent order `id` (202, no body).
pub(crate) fn delete_card(payments: &BogPayments, call: &Call<'_>, id: &str) -> SimResponse {
    let mut state = lock(&payments.state);
    let Some(order) = state
        .orders
        .get_mut(id, call.now)
        .filter(|o| o.owner == call.client_id)
    else {
        return call.error(404, "Order not found");
    };
    if order.saved.is_none() {
        return call.error(404, "No saved card on this order");
    }
    order.saved = None;
    SimResponse::empty(202)
}
