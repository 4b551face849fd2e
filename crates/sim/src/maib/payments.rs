//! Registering payments that go through the payment page (pay, hold, savecard-*,
//! execute-oneclick) and reading them back (`pay-info`).

use super::Maib;
use super::errors::{self, MaibError};
use super::state::{CardUse, PayKind, PayStatus, Payment, State};
use super::validate::{self, Rules, mmyy_is_past, parse_mmyy};
use super::wire::{PayInfo, Registered};
use crate::json::Object;
use crate::ledger::LedgerProvider;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;

fn rules(kind: PayKind) -> Rules {
    match kind {
        PayKind::Direct => Rules::PAY,
        PayKind::Hold => Rules::HOLD,
        PayKind::SaveRecurring => Rules::SAVE_RECURRING,
        PayKind::SaveOneClick => Rules::SAVE_ONECLICK,
        PayKind::ExecuteOneClick => Rules::EXECUTE_ONECLICK,
        PayKind::ExecuteRecurring => Rules::EXECUTE_RECURRING,
    }
}

pub(super) fn register(maib: &Maib, body: &Object<'_>, kind: PayKind) -> SimResponse {
    let now = maib.now();
    let order = match validate::order(body, rules(kind), now) {
        Ok(order) => order,
        Err(errs) => return errors::respond(&errs),
    };
    let mut state = lock(&maib.state);
    if kind == PayKind::ExecuteOneClick {
        let biller = order.biller_id.as_deref().unwrap_or_default();
        if let Err(e) = usable_card(&state, biller, CardUse::OneClick, now) {
            return errors::one(e);
        }
    }
    let pay_id = random::uuid_v4();
    let trans_id = random::trans_id();
    let response = errors::ok(&Registered {
        pay_id: &pay_id,
        order_id: order.order_id.as_deref(),
        pay_url: format!(
            "{}/ecomm01/ClientHandler?trans_id={trans_id}",
            maib.ctx.base_url
        ),
    });
    state.pages.insert(trans_id.clone(), pay_id.clone());
    maib.ctx.ledger.register(
        LedgerProvider::Maib,
        &pay_id,
        order.order_id.as_deref(),
        &order.currency,
        order.amount.unwrap_or_default(),
    );
    state.payments.insert(
        pay_id.clone(),
        Payment {
            biller_id: order.biller_id.clone(),
            pay_id,
            kind,
            order,
            status: PayStatus::Created,
            created_ms: now,
            auth: None,
            confirm_amount: None,
            refund_amount: None,
            trans_id: Some(trans_id),
        },
        now,
    );
    response
}

/// Checks that a stored card exists, is still retained, and may be used for `usage`.
pub(super) fn usable_card(
    state: &State,
    biller_id: &str,
    usage: CardUse,
    now_ms: u64,
) -> Result<(), MaibError> {
    let card = state
        .cards
        .get(biller_id)
        .ok_or_else(|| MaibError::biller_not_found(biller_id))?;
    if parse_mmyy(&card.expiry).is_none_or(|until| mmyy_is_past(until, now_ms)) {
        return Err(MaibError::biller_inactive(biller_id));
    }
    if card.usage != usage {
        return Err(MaibError::biller_wrong_type(biller_id));
    }
    Ok(())
}

pub(super) fn pay_info(maib: &Maib, pay_id: &str) -> SimResponse {
    let state = lock(&maib.state);
    match state.payments.get(pay_id) {
        Some(payment) => errors::ok(&PayInfo::from(payment)),
        None => errors::one(MaibError::payment_not_found(pay_id)),
    }
}
