//! Registering payments (`/pay`, `/request-to-pay/direct`), reading their status, and the
//! public key (miapos.md §3.3-3.6).

use super::Miapos;
use super::errors;
use super::state::{Payment, PaymentType, Status};
use super::validate;
use super::wire::{AmountForm, Created, PaymentResult, PublicKey};
use crate::json::Object;
use crate::ledger::LedgerProvider;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;

/// The hosted checkout page of a payment.
pub(super) fn checkout_page(miapos: &Miapos, payment_id: &str) -> String {
    format!("{}/checkout?paymentId={payment_id}", miapos.ctx.base_url)
}

pub(super) fn create(miapos: &Miapos, body: &Object<'_>, rtp_direct: bool) -> SimResponse {
    let new = match validate::payment(body, rtp_direct) {
        Ok(p) => p,
        Err(res) => return res,
    };
    let config = &miapos.config;
    let terminal_type = if new.terminal_id == config.terminal_id {
        PaymentType::Qr
    } else if new.terminal_id == config.rtp_terminal_id {
        PaymentType::Rtp
    } else {
        return errors::error(
            400,
            &format!("Pos terminal with id: [{}] not found", new.terminal_id),
        );
    };
    if terminal_type != new.payment_type {
        let name = |t: PaymentType| match t {
            PaymentType::Qr => "ecomm",
            PaymentType::Rtp => "rtp",
        };
        return errors::error(
            400,
            &format!(
                "The terminal type must be [{}] when the payment type is [{}]. Current terminal \
                 type: [{}].",
                name(new.payment_type),
                new.payment_type.as_str().to_uppercase(),
                name(terminal_type)
            ),
        );
    }
    let payment_id = random::uuid_v4();
    let response = SimResponse::json(
        200,
        &Created {
            order_id: &new.order_id,
            payment_id: &payment_id,
            checkout_page: (!rtp_direct).then(|| checkout_page(miapos, &payment_id)),
        },
    );
    let now = miapos.now();
    let payment = Payment {
        payment_id: payment_id.clone(),
        terminal_id: new.terminal_id,
        order_id: new.order_id,
        amount: new.amount,
        currency: new.currency,
        payment_type: new.payment_type,
        callback_url: new.callback_url,
        success_url: new.success_url,
        fail_url: new.fail_url,
        checkout: !rtp_direct,
        status: Status::Created,
        created_ms: now,
        payment_date: None,
        swift_message_id: None,
        swift_payer_bank: None,
    };
    miapos.ctx.ledger.register(
        LedgerProvider::Miapos,
        &payment_id,
        Some(&payment.order_id),
        &payment.currency,
        payment.amount,
    );
    lock(&miapos.state)
        .payments
        .insert(payment_id, payment, now);
    response
}

pub(super) fn status(miapos: &Miapos, payment_id: &str) -> SimResponse {
    let state = lock(&miapos.state);
    let Some(p) = state.payments.get(payment_id) else {
        return errors::error(
            400,
            &format!("Ecomm payment info not found with payment id [{payment_id}]"),
        );
    };
    let page = p.checkout.then(|| checkout_page(miapos, payment_id));
    SimResponse::json(200, &PaymentResult::of(p, AmountForm::Shortest, page))
}

pub(super) fn public_key(miapos: &Miapos) -> SimResponse {
    SimResponse::json(
        200,
        &PublicKey {
            public_key: miapos.signer.public_key_b64(),
        },
    )
}
