//! The customer step: opening `payUrl` pays (or declines), then maib's signed callback goes
//! to the merchant (maib.md §4.1, §6).

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::Maib;
use super::state::{Authorization, Card, CardUse, PayKind, PayStatus, Payment};
use super::wire::CallbackResult;
use crate::callback::{CallbackBody, Prepared};
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::outcome;
use crate::page::{Page, append_query};
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::signing;
use crate::trigger::TriggerError;

/// The masked card every simulated customer pays with.
const CARD: &str = "510218******1124";

/// Processes a card payment of `amount` (`None`: card registration only).
pub(super) fn authorize_card(amount: Option<Decimal>) -> (PayStatus, Authorization) {
    if amount.is_some_and(outcome::declined) {
        return (
            PayStatus::Failed,
            Authorization {
                status_code: "116",
                status_message: "Decline, not sufficient funds",
                rrn: None,
                approval: None,
                card_number: CARD,
                three_ds: "AUTHENTICATED",
            },
        );
    }
    let status = if amount.is_some() {
        PayStatus::Ok
    } else {
        PayStatus::Pending
    };
    (
        status,
        Authorization {
            status_code: "000",
            status_message: "Approved",
            rrn: Some(random::digits(12)),
            approval: Some(random::digits(6)),
            card_number: CARD,
            three_ds: "AUTHENTICATED",
        },
    )
}

pub(super) fn payment_page(maib: &Maib, req: &SimRequest) -> SimResponse {
    let trans_id = req.query_opaque("trans_id").unwrap_or_default();
    let now = maib.now();
    let mut state = lock(&maib.state);
    let Some(pay_id) = state.pages.get(&trans_id).cloned() else {
        return not_found();
    };
    let mut new_card = None;
    let Some(payment) = state.payments.get_mut(&pay_id, now) else {
        return not_found();
    };
    let first_visit = payment.status == PayStatus::Created;
    if first_visit {
        let (status, auth) = authorize_card(payment.order.amount);
        payment.status = status;
        payment.auth = Some(auth);
        record_authorization(maib, payment);
        if payment.kind.saves_card() && status != PayStatus::Failed {
            let biller_id = random::uuid_v4();
            payment.biller_id = Some(biller_id.clone());
            let usage = if payment.kind == PayKind::SaveRecurring {
                CardUse::Recurring
            } else {
                CardUse::OneClick
            };
            new_card = Some((
                biller_id,
                Card {
                    usage,
                    expiry: payment.order.biller_expiry.clone().unwrap_or_default(),
                },
            ));
        }
    }
    let payment = payment.clone();
    if let Some((id, card)) = new_card {
        state.cards.insert(id, card);
    }
    drop(state);
    if first_visit {
        send_callback(maib, &payment);
    }
    render(maib, &payment)
}

/// Writes the card-processing result of `payment` to the ledger.
pub(super) fn record_authorization(maib: &Maib, payment: &Payment) {
    let Some(amount) = payment.order.amount else {
        return; // a card registration without a payment moves no money
    };
    let kind = match (payment.status, payment.kind) {
        (PayStatus::Failed, _) => OpKind::Decline,
        (PayStatus::Ok, PayKind::Hold) => OpKind::Hold,
        (PayStatus::Ok, _) => OpKind::Charge,
        _ => return,
    };
    maib.ctx
        .ledger
        .record(LedgerProvider::Maib, &payment.pay_id, kind, amount);
}

fn not_found() -> SimResponse {
    let page = Page {
        provider: "maib",
        heading: "Unknown transaction",
        rows: Vec::new(),
        link: None,
    };
    SimResponse::html(404, page.render())
}

/// The signed callback body for a processed payment.
pub(super) fn callback_body(payment: &Payment, signature_key: &str) -> Option<String> {
    #[derive(Serialize)]
    struct Body<'a> {
        result: &'a RawValue,
        signature: &'a str,
    }
    let result = serde_json::to_string(&CallbackResult::of(payment)?).ok()?;
    let signature = signing::maib::signature(&result, signature_key)?;
    let result = RawValue::from_string(result).ok()?;
    serde_json::to_string(&Body {
        result: &result,
        signature: &signature,
    })
    .ok()
}

/// Where `payment`'s callback goes: its own URL, the Project's, or the simulator's sink.
fn callback_url(maib: &Maib, payment: &Payment) -> String {
    payment
        .order
        .callback_url
        .clone()
        .or_else(|| maib.config.callback_url.clone())
        .unwrap_or_else(|| format!("{}/_sim/callbacks", maib.ctx.base_url))
}

fn send_callback(maib: &Maib, payment: &Payment) {
    let url = callback_url(maib, payment);
    if let Some(body) = callback_body(payment, &maib.config.signature_key) {
        maib.ctx
            .dispatcher
            .send("maib", &url, CallbackBody::Json(body));
    }
}

/// The callback `pay_id` has now, for a trigger: the payment page's callback, with the
/// payment's current status. maib never lacks a URL (the Project's default is the sink).
pub(super) fn prepare(
    maib: &Maib,
    pay_id: &str,
    url: Option<String>,
) -> Result<Prepared, TriggerError> {
    let Some(payment) = lock(&maib.state).payments.get(pay_id).cloned() else {
        return Err(TriggerError::unknown("maib", pay_id));
    };
    if payment.kind == PayKind::ExecuteRecurring {
        return Err(TriggerError::not_yet(
            "maib",
            pay_id,
            payment.status.as_str(),
            "maib sends no callback for execute-recurring",
        ));
    }
    if payment.auth.is_none() {
        return Err(TriggerError::not_yet(
            "maib",
            pay_id,
            payment.status.as_str(),
            "maib calls back once the customer has been through the payment page",
        ));
    }
    let body = callback_body(&payment, &maib.config.signature_key)
        .ok_or_else(|| TriggerError::unbuildable("maib", pay_id))?;
    Ok(Prepared::Plain {
        provider: "maib",
        url: url.unwrap_or_else(|| callback_url(maib, &payment)),
        body: CallbackBody::Json(body),
    })
}

fn render(maib: &Maib, p: &Payment) -> SimResponse {
    let heading = match p.status {
        PayStatus::Ok if p.kind == PayKind::Hold => "Payment authorized",
        PayStatus::Ok => "Payment approved",
        PayStatus::Pending => "Card saved",
        PayStatus::Failed => "Payment declined",
        PayStatus::Timeout => "Payment expired",
        PayStatus::Created => "Payment pending",
    };
    let success = matches!(p.status, PayStatus::Ok | PayStatus::Pending);
    let configured = if success {
        p.order.ok_url.as_deref().or(maib.config.ok_url.as_deref())
    } else {
        p.order
            .fail_url
            .as_deref()
            .or(maib.config.fail_url.as_deref())
    };
    let back = configured.map_or_else(
        || format!("{}/_sim/return", maib.ctx.base_url),
        str::to_owned,
    );
    let mut query = vec![("payId", p.pay_id.clone())];
    if let Some(order_id) = &p.order.order_id {
        query.push(("orderId", order_id.clone()));
    }
    if let Some(biller_id) = &p.biller_id {
        query.push(("billerId", biller_id.clone()));
    }
    let mut rows = vec![
        ("Payment", p.pay_id.clone()),
        ("Status", p.status.as_str().to_owned()),
    ];
    if let Some(amount) = p.order.amount {
        rows.push(("Amount", format!("{amount} {}", p.order.currency)));
    }
    let page = Page {
        provider: "maib",
        heading,
        rows,
        link: Some(append_query(&back, &query)),
    };
    SimResponse::html(200, page.render())
}
