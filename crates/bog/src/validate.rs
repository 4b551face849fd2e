//! The documented rules, checked before any I/O. Each failure is [`Error::InvalidInput`] naming
//! the field as the native request calls it.
//!
//! From the spec: `intent`, `items`, `redirect_url` and `purchase_units` are required; items have
//! a `product_id`, a `description`, an `amount` and a `quantity`; the currency is GEL (others only
//! when BOG enabled them for the merchant, see [`crate::BogClientBuilder::currencies`]); amounts
//! have at most 2 decimals (guaranteed by `Money`) and must be positive; the order total equals
//! the basket; `locale` is `ka` or `en-US` (guaranteed by [`crate::Locale`]); a partial refund or
//! completion carries a positive amount; a card-saving payment is at least 0.10 GEL.

use std::borrow::Cow;

use paykit_core::http::encode_path_segment;
use paykit_core::{Currency, Decimal, Error, Money, Result};

use crate::model::{CreateOrder, PreAuthCompletion, SubscriptionCharge};

/// The smallest payment the spec mentions: the one that saves a card (0.10 GEL).
pub(crate) const MIN_CARD_SAVING_AMOUNT: Decimal = Decimal::from_parts(10, 0, 0, false, 2);

/// A path segment from an iPay `order_id`: non-empty, no surrounding blanks, percent-encoded.
pub(crate) fn order_id_segment(field: &'static str, order_id: &str) -> Result<String> {
    required(field, order_id)?;
    encode_path_segment(field, order_id)
}

/// A required text field: present and not blank, no surrounding whitespace, no control
/// characters.
pub(crate) fn required(field: impl Into<Cow<'static, str>>, value: &str) -> Result<()> {
    let field = field.into();
    if value.trim().is_empty() {
        return Err(Error::invalid_input(
            field,
            "is required and must not be blank",
        ));
    }
    if value.trim() != value {
        return Err(Error::invalid_input(
            field,
            "must not start or end with whitespace",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// An optional text field: when given, as [`required`].
fn optional(field: &'static str, value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |v| required(field, v))
}

/// A positive amount in an accepted currency.
pub(crate) fn amount(
    field: impl Into<Cow<'static, str>>,
    currency_field: impl Into<Cow<'static, str>>,
    money: &Money,
    currencies: &[Currency],
) -> Result<()> {
    if !currencies.contains(&money.currency()) {
        let accepted: Vec<&str> = currencies.iter().map(|c| c.code()).collect();
        return Err(Error::invalid_input(
            currency_field,
            format!(
                "{} is not enabled for this merchant; use {}",
                money.currency(),
                accepted.join(", ")
            ),
        ));
    }
    if money.is_zero() {
        return Err(Error::invalid_input(field, "must be more than zero"));
    }
    Ok(())
}

/// An absolute `http(s)` URL.
pub(crate) fn url(field: &'static str, value: &str) -> Result<()> {
    required(field, value)?;
    let parsed = url::Url::parse(value)
        .map_err(|e| Error::invalid_input(field, format!("is not an absolute URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid_input(
            field,
            "must be an http(s) URL with a host",
        ));
    }
    Ok(())
}

/// Everything a create-order request must satisfy.
pub(crate) fn create_order(order: &CreateOrder, currencies: &[Currency]) -> Result<()> {
    amount(
        "purchase_units[0].amount.value",
        "purchase_units[0].amount.currency_code",
        &order.total,
        currencies,
    )?;
    url("redirect_url", &order.redirect_url)?;
    optional("shop_order_id", order.shop_order_id.as_deref())?;
    if order.items.is_empty() {
        return Err(Error::invalid_input(
            "items",
            "at least one item is required",
        ));
    }
    let mut sum = Decimal::ZERO;
    for (index, item) in order.items.iter().enumerate() {
        required(format!("items[{index}].product_id"), &item.product_id)?;
        required(format!("items[{index}].description"), &item.description)?;
        if item.quantity == 0 {
            return Err(Error::invalid_input(
                format!("items[{index}].quantity"),
                "must be at least 1",
            ));
        }
        if item.unit_price.currency() != order.total.currency() {
            return Err(Error::invalid_input(
                format!("items[{index}].amount"),
                format!(
                    "is in {}, the order in {}",
                    item.unit_price.currency(),
                    order.total.currency()
                ),
            ));
        }
        if item.unit_price.is_zero() {
            return Err(Error::invalid_input(
                format!("items[{index}].amount"),
                "must be more than zero",
            ));
        }
        sum = item
            .line_total()
            .and_then(|line| sum.checked_add(line))
            .ok_or_else(|| Error::invalid_input(format!("items[{index}].amount"), "overflows"))?;
    }
    if sum != order.total.amount() {
        return Err(Error::invalid_input(
            "purchase_units[0].amount.value",
            format!(
                "is {} but the items add up to {sum}",
                order.total.to_fixed_string()
            ),
        ));
    }
    Ok(())
}

/// A refund: a positive amount when partial.
pub(crate) fn refund(amount: Option<&Money>, currencies: &[Currency]) -> Result<()> {
    match amount {
        Some(money) => self::amount("amount", "currency", money, currencies),
        None => Ok(()),
    }
}

/// A pre-authorization completion: a positive amount when partial.
pub(crate) fn completion(completion: &PreAuthCompletion, currencies: &[Currency]) -> Result<()> {
    match completion {
        PreAuthCompletion::Partial(money) => amount("amount", "currency", money, currencies),
        PreAuthCompletion::Full | PreAuthCompletion::Cancel => Ok(()),
    }
}

/// A recurring charge.
pub(crate) fn subscription(charge: &SubscriptionCharge, currencies: &[Currency]) -> Result<()> {
    required("order_id", &charge.order_id)?;
    amount(
        "amount.value",
        "amount.currency_code",
        &charge.amount,
        currencies,
    )?;
    optional("shop_order_id", charge.shop_order_id.as_deref())?;
    optional(
        "purchase_description",
        charge.purchase_description.as_deref(),
    )
}

/// A payment that saves the card: at least 0.10.
pub(crate) fn card_saving_amount(money: &Money) -> Result<()> {
    if money.amount() < MIN_CARD_SAVING_AMOUNT {
        return Err(Error::invalid_input(
            "amount",
            format!(
                "a card-saving payment must be at least {MIN_CARD_SAVING_AMOUNT} {}",
                money.currency()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Intent, OrderItem};

    const GEL_ONLY: &[Currency] = &[Currency::GEL];

    fn gel(text: &str) -> Money {
        Money::parse(text, Currency::GEL).unwrap()
    }

    fn field_of(result: Result<()>) -> String {
        match result {
            Err(Error::InvalidInput { field, .. }) => field.into_owned(),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    fn order() -> CreateOrder {
        CreateOrder::new(Intent::Capture, gel("30"), "https://shop.example.ge/r")
            .item(OrderItem::new("SKU-1", "Blue mug", gel("12.50"), 2))
            .item(OrderItem::new("SHIP", "Delivery", gel("5"), 1))
    }

    #[test]
    fn a_good_order_passes() {
        create_order(&order(), GEL_ONLY).unwrap();
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut o = order();
        o.items.clear();
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "items");
        let mut o = order();
        o.items[1].product_id = " ".into();
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "items[1].product_id");
        let mut o = order();
        o.items[0].description = String::new();
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "items[0].description");
        let mut o = order();
        o.items[0].quantity = 0;
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "items[0].quantity");
        let mut o = order();
        o.items[0].unit_price = Money::parse("12.50", Currency::USD).unwrap();
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "items[0].amount");
        let mut o = order();
        o.total = gel("31");
        assert_eq!(
            field_of(create_order(&o, GEL_ONLY)),
            "purchase_units[0].amount.value"
        );
        let mut o = order();
        o.total = Money::zero(Currency::GEL);
        assert_eq!(
            field_of(create_order(&o, GEL_ONLY)),
            "purchase_units[0].amount.value"
        );
        let mut o = order();
        o.redirect_url = "/relative".into();
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "redirect_url");
        let mut o = order();
        o.redirect_url = "ftp://x.ge/r".into();
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "redirect_url");
        let mut o = order();
        o.shop_order_id = Some(String::new());
        assert_eq!(field_of(create_order(&o, GEL_ONLY)), "shop_order_id");
    }

    #[test]
    fn gel_only_unless_configured() {
        let mut o = order();
        o.total = Money::parse("30", Currency::USD).unwrap();
        for item in &mut o.items {
            item.unit_price = Money::new(item.unit_price.amount(), Currency::USD).unwrap();
        }
        assert_eq!(
            field_of(create_order(&o, GEL_ONLY)),
            "purchase_units[0].amount.currency_code"
        );
        create_order(&o, &[Currency::GEL, Currency::USD]).unwrap();
    }

    #[test]
    fn refunds_completions_and_subscriptions() {
        refund(None, GEL_ONLY).unwrap();
        refund(Some(&gel("5.25")), GEL_ONLY).unwrap();
        assert_eq!(field_of(refund(Some(&gel("0")), GEL_ONLY)), "amount");
        let usd = Money::parse("1", Currency::USD).unwrap();
        assert_eq!(field_of(refund(Some(&usd), GEL_ONLY)), "currency");
        assert_eq!(
            field_of(completion(&PreAuthCompletion::Partial(gel("0")), GEL_ONLY)),
            "amount"
        );
        completion(&PreAuthCompletion::Cancel, GEL_ONLY).unwrap();
        let charge = SubscriptionCharge::new("", gel("1"));
        assert_eq!(field_of(subscription(&charge, GEL_ONLY)), "order_id");
        let charge = SubscriptionCharge::new("o", gel("0"));
        assert_eq!(field_of(subscription(&charge, GEL_ONLY)), "amount.value");
    }

    #[test]
    fn order_ids_cannot_escape_the_path() {
        assert_eq!(order_id_segment("order_id", "a/b").unwrap(), "a%2Fb");
        assert_eq!(
            field_of(order_id_segment("order_id", "").map(drop)),
            "order_id"
        );
        assert_eq!(
            field_of(order_id_segment("order_id", " x").map(drop)),
            "order_id"
        );
        assert_eq!(
            field_of(order_id_segment("order_id", "..").map(drop)),
            "order_id"
        );
        assert_eq!(
            field_of(order_id_segment("order_id", "a\nb").map(drop)),
            "order_id"
        );
    }

    #[test]
    fn card_saving_needs_ten_tetri() {
        card_saving_amount(&gel("0.10")).unwrap();
        assert_eq!(field_of(card_saving_amount(&gel("0.09"))), "amount");
    }
}
