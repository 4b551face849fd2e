//! The buyer's and the admin's actions: place an order and start its payment, look at the
//! payment again on return, capture a hold, refund.

use std::net::Ipv4Addr;
use std::time::Duration;

use paykit_core::{
    CaptureMode, Customer, NextAction, PaymentOutcome, PaymentProvider, PaymentRequest,
};

use crate::catalog::Product;
use crate::error::ShopError;
use crate::orders::Order;
use crate::provider::Provider;
use crate::state::{ShopState, paths};

/// How long the return page waits for the provider's answer to a status query before it
/// shows the order as it stands ("pending", honestly) and refreshes.
const QUERY_WAIT: Duration = Duration::from_secs(3);

/// Where the buyer's browser goes after placing an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// A GET of this URL (a provider's hosted page, or a shop page).
    Go(String),
    /// A form POST to a provider page: rendered as a form the buyer submits.
    Post {
        url: String,
        fields: Vec<(String, String)>,
    },
}

/// The order page of `id`, relative to the shop.
pub(crate) fn order_path(id: &str) -> String {
    format!("/orders/{id}")
}

/// Creates the order and its payment; says where the buyer pays.
pub(crate) async fn place(
    state: &ShopState,
    product: &'static Product,
    provider: Provider,
    hold: bool,
) -> Result<(Order, Next), ShopError> {
    let amount = product.price(provider.currency()).ok_or_else(|| {
        ShopError::BadRequest(format!(
            "{} is not sold in {}",
            product.name,
            provider.currency()
        ))
    })?;
    let capture = if hold && provider.offers_hold() {
        CaptureMode::Manual
    } else {
        CaptureMode::Automatic
    };
    let order = state.book.create(product, provider, amount, capture);
    let Some(client) = state.clients.payments(provider) else {
        // Maya: the payment is made inside the buyer's Maya session, which the Maya app opens.
        return Ok((order.clone(), Next::Go(format!("/maya/app/{}", order.id))));
    };
    let back = state.url(&format!("{}/return", order_path(&order.id)));
    let mut request = PaymentRequest::new(amount)
        .order_id(order.id.clone())
        .description(product.name)
        .language(provider.language())
        .capture(capture)
        .return_url(back.clone())
        .fail_url(back);
    request = match provider {
        // maib requires the buyer's IP address; the shop serves loopback only.
        Provider::Maib => request
            .customer(Customer::default().ip(Ipv4Addr::LOCALHOST))
            .callback_url(state.url(paths::MAIB)),
        Provider::Miapos => request.callback_url(state.url(paths::MIAPOS)),
        Provider::BogPayments => request.callback_url(state.url(paths::BOG_PAYMENTS)),
        // iPay's callback URLs are the merchant's settings (given to the simulator at start);
        // Maya's gateway webhooks were registered once, at start.
        Provider::Bog | Provider::Maya | Provider::MayaCheckout => request,
    };
    let outcome = match client.create_payment(&request).await {
        Ok(outcome) => outcome,
        Err(error) => {
            state.book.problem(&order.id, error.to_string());
            return Err(ShopError::Provider(error.to_string()));
        }
    };
    state
        .book
        .attach_payment(&order.id, &outcome.provider_payment_id);
    state.book.update(&order.id, &outcome.status, "create");
    let next = match outcome.next_action {
        NextAction::Redirect { url } | NextAction::Checkout { url: Some(url), .. } => Next::Go(url),
        NextAction::FormPost { url, fields } => Next::Post { url, fields },
        // Nothing for the buyer to do (or a QR code without a page): the order page says
        // where the payment stands.
        _ => Next::Go(order_path(&order.id)),
    };
    Ok((order, next))
}

/// On the buyer's return: while the order is undecided, asks the provider once (the callback
/// may not have arrived yet). Never fails: an unanswered query leaves the order pending.
pub(crate) async fn refresh(state: &ShopState, order: &Order) {
    if !order.state().is_undecided() {
        return;
    }
    let (Some(client), Some(payment_id)) = (
        state.clients.payments(order.provider),
        order.payment_id.as_deref(),
    ) else {
        return;
    };
    match tokio::time::timeout(QUERY_WAIT, client.get_payment(payment_id)).await {
        Ok(Ok(outcome)) => {
            state
                .book
                .update(&order.id, &outcome.status, "status query");
        }
        Ok(Err(error)) => tracing::warn!(order = %order.id, %error, "status query failed"),
        Err(_) => tracing::warn!(order = %order.id, "status query unanswered"),
    }
}

/// The order `id`, its payment id and its client, for an admin action.
fn payment_of<'a>(
    state: &'a ShopState,
    id: &str,
) -> Result<(Order, String, &'a dyn PaymentProvider), ShopError> {
    let order = state
        .book
        .get(id)
        .ok_or_else(|| ShopError::NotFound(format!("order {id}")))?;
    let payment_id = order
        .payment_id
        .clone()
        .ok_or_else(|| ShopError::BadRequest(format!("order {id} has no payment yet")))?;
    let client = state.clients.payments(order.provider).ok_or_else(|| {
        ShopError::BadRequest(format!(
            "{} payments cannot be changed afterwards",
            order.provider
        ))
    })?;
    Ok((order, payment_id, client))
}

/// Records what an admin action's answer says, or its failure.
fn after(
    state: &ShopState,
    order: &Order,
    action: &str,
    answer: paykit_core::Result<PaymentOutcome>,
) -> Result<(), ShopError> {
    match answer {
        Ok(outcome) => {
            state.book.update(&order.id, &outcome.status, action);
            Ok(())
        }
        Err(error) => {
            state.book.problem(&order.id, format!("{action}: {error}"));
            Err(ShopError::Provider(error.to_string()))
        }
    }
}

/// The id of the payment an admin action changes: the one the order keeps, except that an
/// order paid through Maya's gateway keeps its checkout's id, and its payment is the paid one
/// under the order's reference (what Maya advises to look up).
async fn payment_to_change(
    state: &ShopState,
    order: &Order,
    kept: String,
) -> Result<String, ShopError> {
    if order.provider != Provider::MayaCheckout {
        return Ok(kept);
    }
    let payments = state
        .clients
        .maya_checkout
        .payments_by_reference(&order.id)
        .await
        .map_err(|error| ShopError::Provider(error.to_string()))?;
    payments
        .into_iter()
        .find(|payment| payment.is_paid == Some(true))
        .map(|payment| payment.id)
        .ok_or_else(|| ShopError::BadRequest(format!("order {} has no paid payment", order.id)))
}

/// Captures the whole of order `id`'s hold.
pub(crate) async fn capture(state: &ShopState, id: &str) -> Result<(), ShopError> {
    let (order, payment_id, client) = payment_of(state, id)?;
    let capture = client
        .capture()
        .ok_or_else(|| ShopError::BadRequest(format!("{} has no capture", order.provider)))?;
    let answer = capture.capture(&payment_id, None).await;
    after(state, &order, "capture", answer)
}

/// Refunds the whole of order `id`.
pub(crate) async fn refund(state: &ShopState, id: &str) -> Result<(), ShopError> {
    let (order, payment_id, client) = payment_of(state, id)?;
    let refund = client
        .refund()
        .ok_or_else(|| ShopError::BadRequest(format!("{} has no refunds", order.provider)))?;
    let payment_id = payment_to_change(state, &order, payment_id).await?;
    // Maya's gateway voids a payment on its Manila day and refunds it from the next: its
    // client picks which.
    let answer = refund.refund(&payment_id, None).await;
    after(state, &order, "refund", answer)
}

/// What the admin may do to `order` now: capture a hold, refund a payment, each only where
/// the provider's client offers it.
pub(crate) fn actions(state: &ShopState, order: &Order) -> crate::pages::Actions {
    let client = state.clients.payments(order.provider);
    let status = &order.status;
    crate::pages::Actions {
        capture: *status == paykit_core::PaymentStatus::Authorized
            && client.is_some_and(|c| c.capture().is_some()),
        refund: matches!(
            status,
            paykit_core::PaymentStatus::Captured | paykit_core::PaymentStatus::PartiallyRefunded
        ) && client.is_some_and(|c| c.refund().is_some()),
    }
}
