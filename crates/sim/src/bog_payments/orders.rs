//! Creating orders (bog-payments.md §4, §5.4, §5.6-5.7), the payment details (§5.1) and
//! the automatic charge of a saved card.

use super::customer::{self, DEFAULT_CARD};
use super::operations;
use super::state::{Method, Order, PaymentOption, Pending, SavedKind, Status};
use super::validate::{self, NewOrder};
use super::wire::{ApplePaySession, Created, Href, Links, Receipt};
use super::{BogPayments, Call};
use crate::json::Object;
use crate::ledger::LedgerProvider;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;

/// The language of the hosted page from `Accept-Language` (`ka` unless it asks for `en`).
fn lang(call: &Call<'_>) -> &'static str {
    match call.req.header("accept-language").map(str::trim) {
        Some(l) if l.len() >= 2 && l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("en")) => "en",
        _ => "ka",
    }
}

fn order_from(call: &Call<'_>, new: NewOrder, parent: Option<&str>) -> Order {
    let ttl_ms = new.ttl_minutes.saturating_mul(60_000);
    Order {
        order_id: random::uuid_v4(),
        owner: call.client_id.clone(),
        external_order_id: new.external_order_id,
        manual: new.manual,
        currency: new.currency,
        request_amount: new.total,
        transfer_amount: None,
        refund_amount: rust_decimal::Decimal::ZERO,
        items: new.items,
        buyer: new.buyer,
        redirect_success: new.redirect_success,
        redirect_fail: new.redirect_fail,
        callback_url: new.callback_url,
        lang: lang(call),
        methods: new.methods,
        account_tag: new.account_tag,
        created_ms: call.now,
        expires_ms: call.now.saturating_add(ttl_ms),
        status: Status::Created,
        reject_reason: None,
        payment: None,
        paid_ms: None,
        option: if parent.is_some() {
            PaymentOption::Recurrent
        } else {
            PaymentOption::DirectDebit
        },
        parent_order_id: parent.map(str::to_owned),
        save_requested: None,
        saved: None,
        apple_pay_external: new.apple_pay_external,
        actions: Vec::new(),
        pending: None,
    }
}

fn details_link(payments: &BogPayments, id: &str) -> Href {
    Href {
        href: format!("{}/receipt/{id}", payments.api_base()),
    }
}

fn page_link(payments: &BogPayments, id: &str) -> Href {
    Href {
        href: format!("{}/?order_id={id}", payments.ctx.base_url),
    }
}

/// A parent whose card was saved as `kind` and is still usable, or the 4xx naming the rule.
fn saved_parent(
    payments: &BogPayments,
    call: &Call<'_>,
    parent: &str,
    kind: SavedKind,
) -> Result<Order, SimResponse> {
    let state = lock(&payments.state);
    let Some(p) = state
        .orders
        .get(parent)
        .filter(|p| p.owner == call.client_id)
    else {
        return Err(call.error(404, "Parent order not found"));
    };
    if p.saved != Some(kind) || !p.status.was_paid() {
        let how = match kind {
            SavedKind::Recurrent => "/cards",
            SavedKind::Subscription => "/subscriptions",
        };
        return Err(call.error(
            400,
            &format!("The parent order has no card saved via {how} and paid"),
        ));
    }
    Ok(p.clone())
}

/// `POST /ecommerce/orders`, and `POST /ecommerce/orders/{parent}` (pay with a card saved
/// for recurrent payments: the same body and answer).
pub(crate) fn create(
    payments: &BogPayments,
    call: &Call<'_>,
    body: &Object<'_>,
    parent: Option<&str>,
) -> SimResponse {
    let new = match validate::new_order(body) {
        Ok(n) => n,
        Err(message) => return call.error(400, &message),
    };
    if let Some(parent) = parent {
        if let Err(res) = saved_parent(payments, call, parent, SavedKind::Recurrent) {
            return res;
        }
    }
    let google_pay_token = new.google_pay_token.clone();
    let application_type = new
        .application_type
        .clone()
        .unwrap_or_else(|| "web".to_owned());
    let mut order = order_from(call, new, parent);
    payments.ctx.ledger.register(
        LedgerProvider::BogPayments,
        &order.order_id,
        order.external_order_id.as_deref(),
        order.currency,
        order.request_amount,
    );
    let id = order.order_id.clone();
    if google_pay_token.is_some() {
        // Google Pay from the merchant's page: paid at once, without 3-D Secure.
        customer::settle(
            payments,
            &mut order,
            Method::GooglePay,
            Some(DEFAULT_CARD),
            None,
            call.now,
        );
        let answer = SimResponse::json(
            200,
            &Created {
                id: &id,
                status: Some(order.status.key()),
                order_details: Some(Receipt::of(&order, &order.owner)),
                result: None,
                links: Links {
                    details: details_link(payments, &id),
                    redirect: Some(page_link(payments, &id)),
                    accept: None,
                },
            },
        );
        lock(&payments.state)
            .orders
            .insert(id, order.clone(), call.now);
        customer::send_callback(payments, &order);
        return answer;
    }
    let answer = if order.apple_pay_external {
        SimResponse::json(
            200,
            &Created {
                id: &id,
                status: None,
                order_details: None,
                result: Some(ApplePaySession::of(&order, &application_type)),
                links: Links {
                    details: details_link(payments, &id),
                    redirect: None,
                    accept: Some(Href {
                        href: format!("{}/ecommerce/orders/{id}/payment", payments.api_base()),
                    }),
                },
            },
        )
    } else {
        SimResponse::json(
            200,
            &Created {
                id: &id,
                status: None,
                order_details: None,
                result: None,
                links: Links {
                    details: details_link(payments, &id),
                    redirect: Some(page_link(payments, &id)),
                    accept: None,
                },
            },
        )
    };
    lock(&payments.state).orders.insert(id, order, call.now);
    answer
}

/// `POST /ecommerce/orders/{parent}/subscribe`: charges the card saved for automatic
/// payments, with the parent's amount, currency, basket and buyer (§5.4).
pub(crate) fn subscribe(
    payments: &BogPayments,
    call: &Call<'_>,
    parent: &str,
    body: &Object<'_>,
) -> SimResponse {
    let callback_url = match body.str("callback_url") {
        Ok(url) => url,
        Err(_) => return call.error(400, "callback_url has the wrong type"),
    };
    if let Some(url) = &callback_url {
        if !validate::callback_url_ok(url) {
            return call.error(400, "callback_url must be an absolute https URL");
        }
    }
    let external_order_id = match body.str("external_order_id") {
        Ok(id) => id,
        Err(_) => return call.error(400, "external_order_id has the wrong type"),
    };
    let p = match saved_parent(payments, call, parent, SavedKind::Subscription) {
        Ok(p) => p,
        Err(res) => return res,
    };
    let mut order = Order {
        order_id: random::uuid_v4(),
        external_order_id: external_order_id.or_else(|| p.external_order_id.clone()),
        manual: false,
        transfer_amount: None,
        refund_amount: rust_decimal::Decimal::ZERO,
        callback_url: callback_url.unwrap_or_else(|| p.callback_url.clone()),
        created_ms: call.now,
        expires_ms: call
            .now
            .saturating_add(p.expires_ms.saturating_sub(p.created_ms)),
        status: Status::Created,
        reject_reason: None,
        payment: None,
        paid_ms: None,
        option: PaymentOption::Subscription,
        parent_order_id: Some(p.order_id.clone()),
        save_requested: None,
        saved: None,
        apple_pay_external: false,
        actions: Vec::new(),
        pending: None,
        ..p.clone()
    };
    payments.ctx.ledger.register(
        LedgerProvider::BogPayments,
        &order.order_id,
        order.external_order_id.as_deref(),
        order.currency,
        order.request_amount,
    );
    let card = p.card_number().unwrap_or(DEFAULT_CARD).to_owned();
    // The sandbox's `...0003` card pays once, then refuses automatic charges.
    let refused = p.card_refuses_later_operations();
    order.status = Status::Processing;
    let changed = operations::settle_or_wait(
        payments,
        &mut order,
        Pending::Charge { card, refused },
        Status::Processing,
        call.now,
    );
    let id = order.order_id.clone();
    let answer = SimResponse::json(
        200,
        &Created {
            id: &id,
            status: None,
            order_details: None,
            result: None,
            links: Links {
                details: details_link(payments, &id),
                redirect: None,
                accept: None,
            },
        },
    );
    {
        let mut state = lock(&payments.state);
        if order.pending.is_some() {
            let delay = u64::try_from(payments.config.settle_delay.as_millis()).unwrap_or(u64::MAX);
            state.schedule(&id, call.now.saturating_add(delay));
        }
        state.orders.insert(id, order.clone(), call.now);
    }
    if changed {
        customer::send_callback(payments, &order);
    }
    answer
}

/// `POST /ecommerce/orders/{id}/payment`: pays an order created for Apple Pay on the
/// merchant's page with the token from Apple's JS SDK (§5.6).
pub(crate) fn apple_pay_accept(
    payments: &BogPayments,
    call: &Call<'_>,
    id: &str,
    body: &Object<'_>,
) -> SimResponse {
    match body.str("apple_pay_token") {
        Ok(Some(t)) if !t.trim().is_empty() => {}
        Ok(_) => return call.error(400, "apple_pay_token is required"),
        Err(_) => return call.error(400, "apple_pay_token must be a string"),
    }
    let mut state = lock(&payments.state);
    let Some(order) = state
        .orders
        .get_mut(id, call.now)
        .filter(|o| o.owner == call.client_id)
    else {
        return call.error(404, "Order not found");
    };
    if !order.apple_pay_external {
        return call.error(
            400,
            "The order was not created for Apple Pay on the merchant's page",
        );
    }
    if order.status != Status::Created {
        return call.error(
            400,
            "Apple Pay accept is allowed only while the order is created",
        );
    }
    customer::settle(
        payments,
        order,
        Method::ApplePay,
        Some(DEFAULT_CARD),
        None,
        call.now,
    );
    let order = order.clone();
    drop(state);
    let answer = SimResponse::json(
        200,
        &Created {
            id: &order.order_id,
            status: Some(order.status.key()),
            order_details: Some(Receipt::of(&order, &order.owner)),
            result: None,
            links: Links {
                details: details_link(payments, &order.order_id),
                redirect: None,
                accept: None,
            },
        },
    );
    customer::send_callback(payments, &order);
    answer
}

/// `GET /receipt/{id}`. An unknown (or malformed) id is 400 `Invalid order_id` (§5.1).
pub(crate) fn receipt(payments: &BogPayments, call: &Call<'_>, id: &str) -> SimResponse {
    let state = lock(&payments.state);
    match state.orders.get(id).filter(|o| o.owner == call.client_id) {
        Some(order) => SimResponse::json(200, &Receipt::of(order, &order.owner)),
        None => call.error(400, "Invalid order_id"),
    }
}
