//! The customer step (the approve link pays or declines) and the two callbacks iPay sends to
//! the merchant's configured URLs (bog-ipay.md §7).

use rust_decimal::Decimal;

use super::Bog;
use super::state::{Order, PreAuth, Status};
use super::wire::{money, refund_form, status_form};
use crate::callback::{CallbackBody, Prepared};
use crate::form;
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::outcome;
use crate::page::Page;
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::trigger::TriggerError;

/// Settles an `in_progress` order: approved (funds captured, or blocked for MANUAL) or
/// declined when the cents are `.01`.
pub(super) fn settle(bog: &Bog, order: &mut Order, now_ms: u64) {
    order.updated_ms = now_ms;
    let record = |kind| {
        bog.ctx
            .ledger
            .record(LedgerProvider::Bog, &order.order_id, kind, order.amount);
    };
    if outcome::declined(order.amount) {
        record(OpKind::Decline);
        order.status = Status::Error;
        order.status_description = "REJECTED";
        return;
    }
    record(if order.manual {
        OpKind::Hold
    } else {
        OpKind::Charge
    });
    order.status = Status::Success;
    order.status_description = "PERFORMED";
    order.card = Some((
        "411111******1111".to_owned(),
        random::hex_id(10).to_uppercase(),
    ));
    if order.manual {
        order.pre_auth = Some(PreAuth::InProgress);
        order.captured = Decimal::ZERO;
    } else {
        order.captured = order.amount;
    }
}

pub(super) fn approve_page(bog: &Bog, req: &SimRequest) -> SimResponse {
    let order_id = form::get(&req.query_pairs(), "order_id")
        .unwrap_or_default()
        .to_owned();
    let now = bog.now();
    let mut state = lock(&bog.state);
    let Some(order) = state.orders.get_mut(&order_id, now) else {
        let page = Page {
            provider: "iPay",
            heading: "Unknown order",
            rows: Vec::new(),
            link: None,
        };
        return SimResponse::html(404, page.render());
    };
    let first_visit = order.status == Status::InProgress;
    if first_visit {
        settle(bog, order, now);
    }
    let order = order.clone();
    drop(state);
    if first_visit {
        send_status(bog, &order);
    }
    let heading = match order.status {
        Status::Success if order.pre_auth == Some(PreAuth::InProgress) => "Amount blocked",
        Status::Success => "Payment successful",
        Status::Error => "Payment failed",
        Status::InProgress => "Payment in progress",
    };
    let link = order
        .redirect_url
        .clone()
        .unwrap_or_else(|| format!("{}/_sim/return", bog.ctx.base_url));
    let page = Page {
        provider: "iPay",
        heading,
        rows: vec![
            ("Order", order.order_id.clone()),
            (
                "Amount",
                format!("{} {}", money(order.amount), order.currency),
            ),
            ("Status", order.status.as_str().to_owned()),
        ],
        link: Some(link),
    };
    SimResponse::html(200, page.render())
}

/// Sends the Payment Status Change callback, if the merchant has a URL for it.
pub(super) fn send_status(bog: &Bog, order: &Order) {
    let url = lock(&bog.urls).status.clone();
    if let Some(url) = url {
        let body = form::encode(&status_form(order));
        bog.ctx
            .dispatcher
            .send("bog", &url, CallbackBody::Form(body));
    }
}

/// The Payment Status Change callback `order_id` has now, for a trigger: `success` and
/// `error` have one, `in_progress` not yet.
pub(super) fn prepare(
    bog: &Bog,
    order_id: &str,
    url: Option<String>,
) -> Result<Prepared, TriggerError> {
    let Some(order) = lock(&bog.state).orders.get(order_id).cloned() else {
        return Err(TriggerError::unknown("bog", order_id));
    };
    if order.status == Status::InProgress {
        return Err(TriggerError::not_yet(
            "bog",
            order_id,
            order.status.as_str(),
            "iPay calls back once the order succeeds or fails",
        ));
    }
    let Some(url) = url.or_else(|| lock(&bog.urls).status.clone()) else {
        return Err(TriggerError::no_url(
            "bog",
            order_id,
            "BogConfig::callback_url, Simulator::set_bog_callback_urls or `paykit sim --bog-callback-url`",
        ));
    };
    Ok(Prepared::Plain {
        provider: "bog",
        url,
        body: CallbackBody::Form(form::encode(&status_form(&order))),
    })
}

/// Sends the Payment Amount Return callback, if the merchant has a URL for it.
pub(super) fn send_refund(bog: &Bog, order: &Order) {
    let url = lock(&bog.urls).refund.clone();
    if let Some(url) = url {
        let body = form::encode(&refund_form(order));
        bog.ctx
            .dispatcher
            .send("bog", &url, CallbackBody::Form(body));
    }
}
