//! Between the common paykit types and the native ones: a [`PaymentRequest`] becomes a
//! [`CreateOrder`], a [`Receipt`] becomes a [`PaymentOutcome`].

use paykit_core::{
    CaptureMode, Decimal, Error, Money, NextAction, PaymentOutcome, PaymentRequest, PaymentStatus,
    Result, SavedCard,
};

use crate::config::Settings;
use crate::facts::ReceiptFacts;
use crate::receipt::Receipt;
use crate::status::{OrderStatus, reading_of};
use crate::types::{BasketItem, Buyer, CaptureMethod, CreateOrder, CreatedOrder, Language};

/// The order for a common payment request. Without items the basket is one line of the whole
/// amount (BOG needs at least one).
pub(crate) fn order_from_request(
    request: &PaymentRequest,
    settings: &Settings,
) -> Result<CreateOrder> {
    let callback_url = request
        .callback_url
        .clone()
        .or_else(|| settings.default_callback_url.clone())
        .ok_or_else(|| {
            Error::invalid_input(
                "callback_url",
                "BOG needs a callback URL per order: set it on the request or the builder",
            )
        })?;
    let currency = request.amount.currency();
    let basket = if request.items.is_empty() {
        vec![
            BasketItem::new(
                request
                    .order_id
                    .clone()
                    .unwrap_or_else(|| "order".to_owned()),
                1,
                request.amount.amount(),
            )
            .description(request.description.clone().unwrap_or_default()),
        ]
    } else {
        request
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                if item.unit_price.currency() != currency {
                    return Err(Error::invalid_input(
                        format!("items[{index}].unit_price"),
                        "must be in the payment's currency",
                    ));
                }
                Ok(BasketItem::new(
                    item.id
                        .clone()
                        .unwrap_or_else(|| format!("item-{}", index + 1)),
                    item.quantity,
                    item.unit_price.amount(),
                )
                .description(item.name.clone()))
            })
            .collect::<Result<Vec<_>>>()?
    };
    let mut order = CreateOrder::new(callback_url, currency, request.amount.amount(), basket);
    order.external_order_id = request.order_id.clone();
    order.capture = match request.capture {
        CaptureMode::Automatic => CaptureMethod::Automatic,
        CaptureMode::Manual => CaptureMethod::Manual,
    };
    order.success_url = request.return_url.clone();
    order.fail_url = request
        .fail_url
        .clone()
        .or_else(|| request.return_url.clone());
    order.language = request.language.as_deref().map(Language::from_code);
    let customer = &request.customer;
    if customer.name.is_some() || customer.email.is_some() || customer.phone.is_some() {
        order.buyer = Some(Buyer::new(
            customer.name.clone(),
            customer.email.clone(),
            customer.phone.clone(),
        ));
    }
    Ok(order)
}

/// The outcome of a just-created order: the customer must open the page.
pub(crate) fn outcome_for_created(created: &CreatedOrder, amount: Money) -> PaymentOutcome {
    if let Some(receipt) = &created.order_details {
        return outcome_for_receipt(receipt);
    }
    let next = match (&created.redirect_url, &created.accept_url) {
        (Some(url), _) => NextAction::Redirect { url: url.clone() },
        (None, Some(url)) => NextAction::Checkout {
            url: Some(url.clone()),
            qr_payload: None,
        },
        (None, None) => NextAction::None,
    };
    PaymentOutcome::new(&created.id, PaymentStatus::RequiresAction)
        .with_next_action(next)
        .with_amount(Some(amount))
        .with_raw_status(Some(
            created
                .immediate_status
                .as_ref()
                .map_or("created", OrderStatus::as_str)
                .to_owned(),
        ))
}

/// The outcome a receipt shows (§6.5). The amount is the requested one, except for a held
/// (`blocked`) or partly confirmed (`partial_completed`) pre-authorization, where it is the
/// held or captured `transfer_amount`. `refunded` is `refund_amount` when above zero.
pub(crate) fn outcome_for_receipt(receipt: &Receipt) -> PaymentOutcome {
    outcome_for(&receipt.facts())
}

/// [`outcome_for_receipt`] over the borrowed view both a receipt and a callback body give.
pub(crate) fn outcome_for(facts: &ReceiptFacts<'_>) -> PaymentOutcome {
    let reading = reading_of(facts);
    let amount_value = match *facts.status {
        OrderStatus::Blocked | OrderStatus::PartialCompleted => {
            facts.transfer_amount.or(facts.request_amount)
        }
        _ => facts.request_amount,
    };
    let money = |value: Option<Decimal>| {
        let currency = facts.currency?;
        Money::new(value?.normalize(), currency).ok()
    };
    let refunded = facts
        .refund_amount
        .filter(|r| *r > Decimal::ZERO)
        .and_then(|r| money(Some(r)));
    let saved_card = facts.saved_card.map(|masked_pan| SavedCard {
        id: facts.order_id.to_owned(),
        masked_pan: masked_pan.map(str::to_owned),
    });
    PaymentOutcome::new(facts.order_id, reading.status)
        .with_amount(money(amount_value))
        .with_refunded(refunded)
        .with_order_id(facts.external_order_id.map(str::to_owned))
        .with_saved_card(saved_card)
        .with_raw_status(Some(facts.status.as_str().to_owned()))
}

/// The outcome of an acknowledged follow-up (refund, approve, cancel): accepted, its state not
/// known until the receipt or the callback tells (`state_known` false).
pub(crate) fn outcome_acknowledged(order_id: &str, amount: Option<Money>) -> PaymentOutcome {
    PaymentOutcome::accepted(order_id)
        .with_amount(amount)
        .with_raw_status(Some("request_received".to_owned()))
}
