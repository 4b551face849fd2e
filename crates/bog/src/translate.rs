//! Between the common vocabulary (`PaymentRequest`, `PaymentOutcome`) and iPay's native one.

use paykit_core::{
    CaptureMode, Decimal, Error, LineItem, NextAction, PaymentOutcome, PaymentRecord,
    PaymentRequest, PaymentStatus, Result, SavedCard,
};

use crate::config::Settings;
use crate::model::PaymentState;
use crate::model::{
    CaptureMethod, CreateOrder, Intent, Locale, Order, OrderItem, PaymentDetails,
    PreAuthCompletion, PreAuthResult, SubscriptionPayment,
};
use crate::status::{ProviderStatus, map};
use crate::validate;
use crate::{PROVIDER, completion, records};

/// The native order for a common payment request.
///
/// - `return_url` becomes `redirect_url` (required); iPay has one URL for success and failure,
///   so `fail_url` is not used.
/// - `callback_url` is not sent: iPay has no such field, BOG registers the merchant's callback
///   URLs at onboarding.
/// - `language` is `ka`, `en` or `en-US`; without it the client's default locale applies.
/// - Without items, one line is made of the description (or order id) and the amount; items
///   without an id get their 1-based position as `product_id`.
pub(crate) fn order_from_request(
    request: &PaymentRequest,
    settings: &Settings,
    intent: Intent,
) -> Result<CreateOrder> {
    let Some(return_url) = request.return_url.as_deref() else {
        return Err(Error::invalid_input(
            "return_url",
            "iPay needs a redirect URL for the customer's return",
        ));
    };
    validate::url("return_url", return_url)?;
    if request.callback_url.is_some() {
        tracing::debug!(
            "callback_url ignored: iPay sends callbacks to the URLs BOG registered for the merchant"
        );
    }
    let locale = match request.language.as_deref() {
        None => settings.locale,
        Some(language) => Some(locale_of(language)?),
    };
    if let Some(order_id) = request.order_id.as_deref() {
        validate::required("order_id", order_id)?;
    }
    let items = if request.items.is_empty() {
        let description = request
            .description
            .clone()
            .or_else(|| request.order_id.as_ref().map(|id| format!("Order {id}")))
            .unwrap_or_else(|| "Payment".to_owned());
        vec![OrderItem::new("1", description, request.amount, 1)]
    } else {
        items_of(request)?
    };
    let capture_method = match request.capture {
        CaptureMode::Automatic => CaptureMethod::Automatic,
        CaptureMode::Manual => CaptureMethod::Manual,
    };
    let mut order = CreateOrder::new(intent, request.amount, return_url);
    order.items = items;
    order.shop_order_id = request.order_id.clone();
    order.locale = locale;
    order.capture_method = Some(capture_method);
    order.show_shop_order_id_on_extract = settings.show_shop_order_id_on_extract;
    Ok(order)
}

/// The iPay locale for a common `language`.
fn locale_of(language: &str) -> Result<Locale> {
    if language.eq_ignore_ascii_case("en") {
        return Ok(Locale::EnUs);
    }
    language.parse::<Locale>().map_err(|_| {
        Error::invalid_input(
            "language",
            format!("iPay pages are in \"ka\" or \"en-US\" (or \"en\"), got {language:?}"),
        )
    })
}

/// Basket lines from the request's items, checked under the caller's field names.
fn items_of(request: &PaymentRequest) -> Result<Vec<OrderItem>> {
    let mut sum = Decimal::ZERO;
    let mut items = Vec::with_capacity(request.items.len());
    for (index, item) in request.items.iter().enumerate() {
        let LineItem {
            id,
            name,
            unit_price,
            quantity,
            ..
        } = item;
        validate::required(format!("items[{index}].name"), name)?;
        if let Some(id) = id {
            validate::required(format!("items[{index}].id"), id)?;
        }
        if *quantity == 0 {
            return Err(Error::invalid_input(
                format!("items[{index}].quantity"),
                "must be at least 1",
            ));
        }
        if unit_price.currency() != request.amount.currency() {
            return Err(Error::invalid_input(
                format!("items[{index}].unit_price"),
                format!(
                    "is in {}, the payment in {}",
                    unit_price.currency(),
                    request.amount.currency()
                ),
            ));
        }
        if unit_price.is_zero() {
            return Err(Error::invalid_input(
                format!("items[{index}].unit_price"),
                "must be more than zero",
            ));
        }
        let line = OrderItem::new(
            id.clone().unwrap_or_else(|| (index + 1).to_string()),
            name.clone(),
            *unit_price,
            *quantity,
        );
        sum = line
            .line_total()
            .and_then(|total| sum.checked_add(total))
            .ok_or_else(|| {
                Error::invalid_input(format!("items[{index}].unit_price"), "overflows")
            })?;
        items.push(line);
    }
    if sum != request.amount.amount() {
        return Err(Error::invalid_input(
            "items",
            format!(
                "add up to {sum}, but the amount is {}",
                request.amount.to_fixed_string()
            ),
        ));
    }
    Ok(items)
}

/// The outcome of a created order: the customer must approve it on iPay's page.
pub(crate) fn outcome_for_order(order: &Order, request: &CreateOrder) -> PaymentOutcome {
    PaymentOutcome::new(
        order.order_id.clone(),
        map(ProviderStatus::OrderCreated(&order.status)),
    )
    .with_next_action(NextAction::Redirect {
        url: order.approve_url.clone(),
    })
    .with_amount(Some(request.total))
    .with_order_id(request.shop_order_id.clone())
    .with_raw_status(Some(order.status.clone()).filter(|s| !s.is_empty()))
}

/// The outcome a payment's details describe, completed by what paykit recorded: iPay's
/// details carry no amount and no refunds, so a payment iPay reports as captured has the state
/// [`records::captured_state`] gives it, and the amount comes from the record. A successful
/// card payment's `order_id` is the reference for later recurring charges, so it is reported as
/// the saved card.
pub(crate) fn outcome_for_details(
    details: &PaymentDetails,
    record: Option<&PaymentRecord>,
) -> PaymentOutcome {
    let reported = map(ProviderStatus::Payment {
        state: &details.status,
        pre_auth: details.pre_auth_status.as_ref(),
        description: details.status_description.as_deref(),
    });
    let (status, refunded) = match reported {
        PaymentStatus::Captured => records::captured_state(record),
        other => (other, None),
    };
    let card_payment = details.status == PaymentState::Success
        && details.payment_method.as_ref().is_some_and(|m| m.is_card());
    let saved_card = card_payment.then(|| SavedCard {
        id: details.order_id.clone(),
        masked_pan: details.pan.clone(),
    });
    PaymentOutcome::new(details.order_id.clone(), status)
        .with_amount(record.and_then(|r| r.amount))
        .with_refunded(refunded)
        .with_order_id(details.shop_order_id.clone())
        .with_saved_card(saved_card)
        .with_raw_status(Some(details.status.as_str().to_owned()))
}

/// The outcome of a pre-authorization completion. An `error` answer is a refusal (the
/// authorization still stands); so is a cancel iPay answers "already completed" (the money was
/// taken, nothing was released).
pub(crate) fn outcome_for_completion(
    order_id: &str,
    completion: &PreAuthCompletion,
    result: &PreAuthResult,
    record: Option<&PaymentRecord>,
) -> Result<PaymentOutcome> {
    let refusal = |code: &str| Error::Api {
        provider: PROVIDER,
        http_status: Some(200),
        code: code.to_owned(),
        message: result.description.clone().unwrap_or_default(),
        retryable: false,
    };
    if result.status == PaymentState::Error {
        return Err(refusal(result.status.as_str()));
    }
    let earlier = completion::already_completed(result);
    if earlier && *completion == PreAuthCompletion::Cancel {
        return Err(refusal("already_completed"));
    }
    let status = map(ProviderStatus::PreAuthCompleted {
        completion,
        state: &result.status,
        description: result.description.as_deref(),
    });
    // What was charged: this call's amount, unless an earlier completion charged it.
    let amount = match completion {
        PreAuthCompletion::Partial(amount) if !earlier => Some(*amount),
        PreAuthCompletion::Partial(_) => None,
        PreAuthCompletion::Full | PreAuthCompletion::Cancel => record.and_then(|r| r.amount),
    };
    Ok(PaymentOutcome::new(order_id, status)
        .with_amount(amount)
        .with_order_id(record.and_then(|r| r.ids.merchant_reference.clone()))
        .with_raw_status(Some(result.status.as_str().to_owned())))
}

/// The outcome of an accepted refund, from the record it left: refunded or partially refunded,
/// with the amount returned so far when paykit knows it.
pub(crate) fn outcome_after_refund(order_id: &str, record: &PaymentRecord) -> PaymentOutcome {
    let (status, refunded) = records::captured_state(Some(record));
    PaymentOutcome::new(order_id, status)
        .with_amount(record.amount)
        .with_refunded(refunded)
        .with_order_id(record.ids.merchant_reference.clone())
}

/// The outcome of a recurring charge: a new payment.
pub(crate) fn outcome_for_subscription(
    payment: &SubscriptionPayment,
    amount: paykit_core::Money,
    shop_order_id: Option<String>,
) -> PaymentOutcome {
    let status = map(ProviderStatus::Payment {
        state: &payment.status,
        pre_auth: None,
        description: None,
    });
    PaymentOutcome::new(payment.order_id.clone(), status)
        .with_amount(Some(amount))
        .with_order_id(shop_order_id)
        .with_raw_status(Some(payment.status.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_core::{Currency, Money};

    fn settings() -> Settings {
        Settings {
            currencies: vec![Currency::GEL],
            locale: None,
            intent: Intent::Capture,
            show_shop_order_id_on_extract: None,
        }
    }

    fn gel(text: &str) -> Money {
        Money::parse(text, Currency::GEL).unwrap()
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Err(Error::InvalidInput { field, .. }) => field.into_owned(),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn a_bare_request_becomes_one_line() {
        let request = PaymentRequest::new(gel("10.5"))
            .order_id("A-1")
            .description("Coffee")
            .return_url("https://shop.example.ge/r")
            .language("en")
            .capture(CaptureMode::Manual);
        let order = order_from_request(&request, &settings(), Intent::Capture).unwrap();
        assert_eq!(
            order.items,
            vec![OrderItem::new("1", "Coffee", gel("10.50"), 1)]
        );
        assert_eq!(order.locale, Some(Locale::EnUs));
        assert_eq!(order.capture_method, Some(CaptureMethod::Manual));
        assert_eq!(order.shop_order_id.as_deref(), Some("A-1"));
    }

    #[test]
    fn caller_field_names_are_used() {
        let base = PaymentRequest::new(gel("10")).return_url("https://shop.example.ge/r");
        assert_eq!(
            field_of(order_from_request(
                &PaymentRequest::new(gel("10")),
                &settings(),
                Intent::Capture
            )),
            "return_url"
        );
        assert_eq!(
            field_of(order_from_request(
                &base.clone().language("ru"),
                &settings(),
                Intent::Capture
            )),
            "language"
        );
        let bad_sum = base.clone().item(LineItem::new("Mug", gel("3"), 2));
        assert_eq!(
            field_of(order_from_request(&bad_sum, &settings(), Intent::Capture)),
            "items"
        );
        let no_name = base.clone().item(LineItem::new("", gel("10"), 1));
        assert_eq!(
            field_of(order_from_request(&no_name, &settings(), Intent::Capture)),
            "items[0].name"
        );
        let zero = base.item(LineItem::new("Mug", gel("10"), 0));
        assert_eq!(
            field_of(order_from_request(&zero, &settings(), Intent::Capture)),
            "items[0].quantity"
        );
    }

    #[test]
    fn items_keep_their_ids_or_get_positions() {
        let request = PaymentRequest::new(gel("16"))
            .return_url("https://shop.example.ge/r")
            .item(LineItem::new("Mug", gel("5.50"), 2).id("SKU-1"))
            .item(LineItem::new("Delivery", gel("5"), 1));
        let order = order_from_request(&request, &settings(), Intent::Authorize).unwrap();
        assert_eq!(order.items[0].product_id, "SKU-1");
        assert_eq!(order.items[1].product_id, "2");
        assert_eq!(order.intent, Intent::Authorize);
    }
}
