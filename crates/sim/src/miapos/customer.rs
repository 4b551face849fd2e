//! The customer step: opening the checkout page pays, and the RSA-signed callback goes to the
//! merchant (miapos.md §3.7, §4).

use serde::Serialize;
use serde_json::value::RawValue;

use super::Miapos;
use super::state::{Payment, Status, local_time};
use super::wire::{AmountForm, PaymentResult};
use crate::callback::{CallbackBody, Prepared};
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::outcome;
use crate::page::Page;
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::signing::miapos::canonical;
use crate::trigger::TriggerError;

/// The payer's bank in every simulated transfer.
const PAYER_BANK: &str = "AGRNMD2X";

pub(super) fn checkout(miapos: &Miapos, req: &SimRequest) -> SimResponse {
    let payment_id = crate::form::get(&req.query_pairs(), "paymentId")
        .unwrap_or_default()
        .to_owned();
    let now = miapos.now();
    let mut state = lock(&miapos.state);
    let Some(p) = state.payments.get_mut(&payment_id, now) else {
        let page = Page {
            provider: "miaPOS",
            heading: "Unknown payment",
            rows: Vec::new(),
            link: None,
        };
        return SimResponse::html(404, page.render());
    };
    let first_visit = p.status == Status::Created;
    if first_visit {
        p.status = if p.currency != "MDL" {
            Status::Failed
        } else if outcome::declined(p.amount) {
            Status::Declined
        } else {
            Status::Success
        };
        p.payment_date = Some(local_time(now));
        let kind = if p.status == Status::Success {
            OpKind::Charge
        } else {
            OpKind::Decline
        };
        miapos
            .ctx
            .ledger
            .record(LedgerProvider::Miapos, &p.payment_id, kind, p.amount);
        if p.status == Status::Success {
            p.swift_message_id = Some(random::uuid_v4());
            p.swift_payer_bank = Some(PAYER_BANK);
        }
    }
    let payment = p.clone();
    drop(state);
    if first_visit {
        send_callback(miapos, &payment);
    }
    render(miapos, &payment)
}

/// The signed callback body `{"result": {...}, "signature": "..."}` for `p`.
pub(super) fn callback_body(miapos: &Miapos, p: &Payment) -> Option<String> {
    #[derive(Serialize)]
    struct Body<'a> {
        result: &'a RawValue,
        signature: &'a str,
    }
    let result = serde_json::to_string(&PaymentResult::of(p, AmountForm::Fixed2, None)).ok()?;
    let signature = miapos.signer.sign(canonical(&result)?.as_bytes())?;
    let result = RawValue::from_string(result).ok()?;
    serde_json::to_string(&Body {
        result: &result,
        signature: &signature,
    })
    .ok()
}

/// Sends `p`'s callback to its URL, or the merchant's configured one.
pub(super) fn send_callback(miapos: &Miapos, p: &Payment) {
    let url = p
        .callback_url
        .as_deref()
        .or(miapos.config.callback_url.as_deref());
    if let (Some(url), Some(body)) = (url, callback_body(miapos, p)) {
        miapos
            .ctx
            .dispatcher
            .send("miapos", url, CallbackBody::Json(body));
    }
}

/// The callback `payment_id` has now, for a trigger: every status but `CREATED` has one.
pub(super) fn prepare(
    miapos: &Miapos,
    payment_id: &str,
    url: Option<String>,
) -> Result<Prepared, TriggerError> {
    let Some(p) = lock(&miapos.state).payments.get(payment_id).cloned() else {
        return Err(TriggerError::unknown("miapos", payment_id));
    };
    if p.status == Status::Created {
        return Err(TriggerError::not_yet(
            "miapos",
            payment_id,
            p.status.as_str(),
            "miaPOS calls back once the payment is paid, declined, failed or expired",
        ));
    }
    let Some(url) = url
        .or_else(|| p.callback_url.clone())
        .or_else(|| miapos.config.callback_url.clone())
    else {
        return Err(TriggerError::no_url(
            "miapos",
            payment_id,
            "the payment's callbackUrl, else MiaposConfig::callback_url",
        ));
    };
    let body =
        callback_body(miapos, &p).ok_or_else(|| TriggerError::unbuildable("miapos", payment_id))?;
    Ok(Prepared::Plain {
        provider: "miapos",
        url,
        body: CallbackBody::Json(body),
    })
}

fn render(miapos: &Miapos, p: &Payment) -> SimResponse {
    let heading = match p.status {
        Status::Success => "Payment successful",
        Status::Declined => "Payment declined",
        Status::Failed => "Payment failed",
        Status::Expired => "Payment expired",
        Status::Created => "Waiting for payment",
    };
    let target = if p.status == Status::Success {
        p.success_url.as_deref()
    } else {
        p.fail_url.as_deref()
    };
    let link = target.map_or_else(
        || format!("{}/_sim/return", miapos.ctx.base_url),
        str::to_owned,
    );
    let page = Page {
        provider: "miaPOS",
        heading,
        rows: vec![
            ("Payment", p.payment_id.clone()),
            ("Order", p.order_id.clone()),
            ("Amount", format!("{} {}", p.amount, p.currency)),
            ("Status", p.status.as_str().to_owned()),
        ],
        link: Some(link),
    };
    SimResponse::html(200, page.render())
}
