//! Stored cards: `execute-recurring` (synchronous, no customer) and `delete-card`.

use super::Maib;
use super::customer::{authorize_card, record_authorization};
use super::errors::{self, MaibError};
use super::payments::usable_card;
use super::state::{CardUse, PayKind, Payment};
use super::validate::{self, Rules};
use super::wire::{Deleted, Executed};
use crate::json::{Money, Object};
use crate::ledger::LedgerProvider;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;

pub(super) fn execute_recurring(maib: &Maib, body: &Object<'_>) -> SimResponse {
    let now = maib.now();
    let order = match validate::order(body, Rules::EXECUTE_RECURRING, now) {
        Ok(order) => order,
        Err(errs) => return errors::respond(&errs),
    };
    let biller_id = order.biller_id.clone().unwrap_or_default();
    let mut state = lock(&maib.state);
    if let Err(e) = usable_card(&state, &biller_id, CardUse::Recurring, now) {
        return errors::one(e);
    }
    let (status, auth) = authorize_card(order.amount);
    let payment = Payment {
        pay_id: random::uuid_v4(),
        kind: PayKind::ExecuteRecurring,
        order,
        status,
        created_ms: now,
        auth: Some(auth),
        biller_id: Some(biller_id),
        confirm_amount: None,
        refund_amount: None,
        trans_id: None,
    };
    let response = match payment.auth.as_ref() {
        Some(auth) => errors::ok(&Executed {
            pay_id: &payment.pay_id,
            biller_id: payment.biller_id.as_deref().unwrap_or_default(),
            order_id: payment.order.order_id.as_deref(),
            status: payment.status.as_str(),
            status_code: auth.status_code,
            status_message: auth.status_message,
            rrn: auth.rrn.as_deref(),
            approval: auth.approval.as_deref(),
            card_number: auth.card_number,
            amount: payment.order.amount.map(Money),
            currency: &payment.order.currency,
        }),
        None => errors::one(MaibError::internal()),
    };
    maib.ctx.ledger.register(
        LedgerProvider::Maib,
        &payment.pay_id,
        payment.order.order_id.as_deref(),
        &payment.order.currency,
        payment.order.amount.unwrap_or_default(),
    );
    record_authorization(maib, &payment);
    state.payments.insert(payment.pay_id.clone(), payment, now);
    response
}

pub(super) fn delete(maib: &Maib, biller_id: &str) -> SimResponse {
    let mut state = lock(&maib.state);
    if state.cards.remove(biller_id).is_none() {
        return errors::one(MaibError::biller_not_found(biller_id));
    }
    errors::ok(&Deleted {
        biller_id,
        status: "OK",
    })
}
