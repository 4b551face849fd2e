//! Creating orders and reading them: `POST /checkout/orders`, `GET /checkout/payment/{id}`,
//! and the legacy order resources.

use rust_decimal::Decimal;

use super::Bog;
use super::errors;
use super::legacy::{LegacyOrder, LegacyStatus};
use super::state::{Order, Status};
use super::validate;
use super::wire::{CreatedOrder, Details, Link};
use crate::json::Object;
use crate::ledger::LedgerProvider;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;

pub(super) fn create(bog: &Bog, body: &Object<'_>) -> SimResponse {
    let new = match validate::new_order(body) {
        Ok(o) => o,
        Err(message) => return errors::invalid(&message),
    };
    let now = bog.now();
    let base = &bog.ctx.base_url;
    let order_id = random::hex_id(20);
    let payment_hash = random::hex_id(20);
    let response = SimResponse::json(
        200,
        &CreatedOrder {
            status: "CREATED",
            payment_hash: &payment_hash,
            links: vec![
                Link {
                    href: format!("{base}/opay/api/v1/checkout/orders/{order_id}"),
                    rel: "self",
                    method: "GET",
                },
                Link {
                    href: format!("{base}/?order_id={order_id}&locale={}", new.locale),
                    rel: "approve",
                    method: "REDIRECT",
                },
            ],
            order_id: &order_id,
        },
    );
    let mut state = lock(&bog.state);
    let ipay_payment_id = state.next_payment_no();
    bog.ctx.ledger.register(
        LedgerProvider::Bog,
        &order_id,
        new.shop_order_id.as_deref(),
        &new.currency,
        new.amount,
    );
    state.orders.insert(
        order_id.clone(),
        Order {
            order_id,
            payment_hash,
            ipay_payment_id,
            intent: new.intent,
            manual: new.manual,
            locale: new.locale,
            shop_order_id: new.shop_order_id,
            redirect_url: Some(new.redirect_url),
            amount: new.amount,
            currency: new.currency,
            status: Status::InProgress,
            status_description: "IN_PROGRESS",
            card: None,
            pre_auth: None,
            captured: Decimal::ZERO,
            refunded: Decimal::ZERO,
            created_ms: now,
            updated_ms: now,
        },
        now,
    );
    response
}

pub(super) fn details(bog: &Bog, order_id: &str) -> SimResponse {
    match lock(&bog.state).orders.get(order_id) {
        Some(o) => SimResponse::json(200, &Details::from(o)),
        None => errors::not_found(order_id),
    }
}

pub(super) fn legacy_order(bog: &Bog, order_id: &str) -> SimResponse {
    match lock(&bog.state).orders.get(order_id) {
        Some(o) => SimResponse::json(200, &LegacyOrder::from(o)),
        None => errors::not_found(order_id),
    }
}

pub(super) fn legacy_status(bog: &Bog, order_id: &str) -> SimResponse {
    match lock(&bog.state).orders.get(order_id) {
        Some(o) => SimResponse::json(200, &LegacyStatus::from(o)),
        None => errors::not_found(order_id),
    }
}
