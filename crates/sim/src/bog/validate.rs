//! Validation of iPay request bodies (bog-ipay.md §4-5). Amounts are accepted as strings or
//! JSON numbers, as iPay does.

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::json::{JsonKind, Object, as_decimal, as_int, kind_of, parse_plain_decimal};
use crate::urls::is_url;

/// Largest accepted amount (not documented; the simulator's bound).
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// A validated create-order request.
#[derive(Debug)]
pub(crate) struct NewOrder {
    pub(crate) intent: String,
    pub(crate) manual: bool,
    pub(crate) locale: String,
    pub(crate) shop_order_id: Option<String>,
    pub(crate) redirect_url: String,
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
}

/// A validated recurring-charge request.
#[derive(Debug)]
pub(crate) struct NewCharge {
    pub(crate) order_id: String,
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
    pub(crate) shop_order_id: Option<String>,
}

/// An amount given as a decimal string or a JSON number.
pub(crate) fn amount_of(raw: &RawValue) -> Option<Decimal> {
    match kind_of(raw) {
        JsonKind::Number => as_decimal(raw).ok(),
        JsonKind::String => parse_plain_decimal(&serde_json::from_str::<String>(raw.get()).ok()?),
        _ => None,
    }
}

/// Checks a money amount: positive (or zero when allowed), at most 2 decimals, bounded.
pub(crate) fn check_amount(
    name: &str,
    value: Option<Decimal>,
    allow_zero: bool,
) -> Result<Decimal, String> {
    let Some(v) = value else {
        return Err(format!("{name} must be a decimal amount"));
    };
    let too_small = if allow_zero {
        v < Decimal::ZERO
    } else {
        v <= Decimal::ZERO
    };
    if too_small || v > MAX_AMOUNT {
        return Err(format!("{name} is out of range"));
    }
    if v.normalize().scale() > 2 {
        return Err(format!("{name} must have at most 2 decimal places"));
    }
    Ok(v)
}

fn required_str(o: &Object<'_>, name: &str, path: &str) -> Result<String, String> {
    match o.str(name) {
        Ok(Some(v)) if !v.is_empty() => Ok(v),
        Ok(_) => Err(format!("{path} is required")),
        Err(_) => Err(format!("{path} must be a string")),
    }
}

fn optional_str(o: &Object<'_>, name: &str) -> Result<Option<String>, String> {
    o.str(name).map_err(|_| format!("{name} must be a string"))
}

/// The order total, from `purchase_units[0].amount`.
fn purchase_unit(body: &Object<'_>) -> Result<(Decimal, String), String> {
    let units = match body.array("purchase_units") {
        Ok(Some(u)) if !u.is_empty() => u,
        Ok(_) => return Err("purchase_units is required".into()),
        Err(_) => return Err("purchase_units must be an array".into()),
    };
    if units.len() > 1 {
        return Err("purchase_units must have exactly one element".into());
    }
    let unit = units
        .first()
        .and_then(|u| Object::from_raw(u))
        .ok_or("purchase_units[0] must be an object")?;
    let amount = match unit.object("amount") {
        Ok(Some(a)) => a,
        Ok(None) => return Err("purchase_units[0].amount is required".into()),
        Err(_) => return Err("purchase_units[0].amount must be an object".into()),
    };
    money(&amount, "purchase_units[0].amount")
}

/// `{currency_code, value}` with GEL only.
fn money(amount: &Object<'_>, path: &str) -> Result<(Decimal, String), String> {
    let currency = required_str(amount, "currency_code", &format!("{path}.currency_code"))?;
    if currency != "GEL" {
        return Err(format!(
            "Currency {currency} is not enabled for this merchant"
        ));
    }
    let value = amount
        .raw("value")
        .ok_or(format!("{path}.value is required"))?;
    let value = check_amount(&format!("{path}.value"), amount_of(value), false)?;
    Ok((value, currency))
}

/// Validates the basket (iPay keeps it for the hosted page; the simulator only checks it).
fn items(body: &Object<'_>) -> Result<(), String> {
    let raw = match body.array("items") {
        Ok(Some(i)) if !i.is_empty() => i,
        Ok(_) => return Err("items is required".into()),
        Err(_) => return Err("items must be an array".into()),
    };
    for (i, r) in raw.into_iter().enumerate() {
        let item = Object::from_raw(r).ok_or(format!("items[{i}] must be an object"))?;
        let path = |f: &str| format!("items[{i}].{f}");
        let amount_raw = item
            .raw("amount")
            .ok_or(format!("{} is required", path("amount")))?;
        check_amount(&path("amount"), amount_of(amount_raw), true)?;
        required_str(&item, "description", &path("description"))?;
        required_str(&item, "product_id", &path("product_id"))?;
        let quantity = match item.raw("quantity") {
            None => return Err(format!("{} is required", path("quantity"))),
            Some(q) if kind_of(q) == JsonKind::String => serde_json::from_str::<String>(q.get())
                .ok()
                .and_then(|s| s.parse::<i64>().ok()),
            Some(q) => as_int(q).ok(),
        };
        quantity
            .filter(|q| *q > 0)
            .ok_or(format!("{} must be a positive integer", path("quantity")))?;
    }
    Ok(())
}

/// Validates a `POST /checkout/orders` body.
pub(crate) fn new_order(body: &Object<'_>) -> Result<NewOrder, String> {
    let intent = required_str(body, "intent", "intent")?;
    if !matches!(intent.as_str(), "CAPTURE" | "AUTHORIZE") {
        return Err(format!("intent {intent} is not supported"));
    }
    items(body)?;
    // A missing or unknown locale falls back to `ka` (bog-ipay.md §4.1).
    let locale = match body.str("locale") {
        Ok(Some(l)) if l == "en-US" => l,
        _ => "ka".to_owned(),
    };
    let shop_order_id = optional_str(body, "shop_order_id")?;
    let redirect_url = required_str(body, "redirect_url", "redirect_url")?;
    if !is_url(&redirect_url) {
        return Err("redirect_url must be an absolute http(s) URL".into());
    }
    if body.bool("show_shop_order_id_on_extract").is_err() {
        return Err("show_shop_order_id_on_extract must be a boolean".into());
    }
    let manual = match optional_str(body, "capture_method")?.as_deref() {
        None | Some("AUTOMATIC") => false,
        Some("MANUAL") => true,
        Some(other) => return Err(format!("capture_method {other} is not supported")),
    };
    let (amount, currency) = purchase_unit(body)?;
    for legacy in ["card_transaction_id", "loan_code"] {
        optional_str(body, legacy)?;
    }
    Ok(NewOrder {
        intent,
        manual,
        locale,
        shop_order_id,
        redirect_url,
        amount,
        currency,
    })
}

/// Validates a `POST /checkout/payment/subscription` body.
pub(crate) fn new_charge(body: &Object<'_>) -> Result<NewCharge, String> {
    let order_id = required_str(body, "order_id", "order_id")?;
    let amount = match body.object("amount") {
        Ok(Some(a)) => a,
        Ok(None) => return Err("amount is required".into()),
        Err(_) => return Err("amount must be an object".into()),
    };
    let (amount, currency) = money(&amount, "amount")?;
    let shop_order_id = optional_str(body, "shop_order_id")?;
    optional_str(body, "purchase_description")?;
    Ok(NewCharge {
        order_id,
        amount,
        currency,
        shop_order_id,
    })
}

/// The pre-auth `amount`, given as a string or number.
pub(crate) fn optional_amount(body: &Object<'_>, name: &str) -> Result<Option<Decimal>, String> {
    match body.raw(name) {
        None => Ok(None),
        Some(raw) => check_amount(name, amount_of(raw), false).map(Some),
    }
}

/// Reads a form amount (refunds): a plain decimal string.
pub(crate) fn form_amount(text: Option<&str>) -> Result<Option<Decimal>, String> {
    match text {
        None | Some("") => Ok(None),
        Some(t) => check_amount("amount", parse_plain_decimal(t), false).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"intent":"AUTHORIZE","items":[{"amount":"12.50","description":"Blue mug","quantity":2,"product_id":"SKU-1001"},{"amount":"5.00","description":"Delivery","quantity":"1","product_id":"SHIP"}],"locale":"en-US","shop_order_id":"A-7","redirect_url":"https://shop.example.ge/return?ref=A-7","show_shop_order_id_on_extract":true,"capture_method":"AUTOMATIC","purchase_units":[{"amount":{"currency_code":"GEL","value":"30.00"},"industry_type":"ECOMMERCE"}]}"#;

    fn check(body: &str) -> Result<NewOrder, String> {
        new_order(&Object::parse(body.as_bytes()).unwrap())
    }

    #[test]
    fn accepts_the_documented_shape() {
        let o = check(OK).unwrap();
        assert_eq!(o.amount, Decimal::new(3000, 2));
        assert_eq!(o.locale, "en-US");
        assert!(!o.manual);
        let numeric = OK.replace(r#""value":"30.00""#, r#""value":30.00"#);
        assert!(check(&numeric).is_ok());
        let fallback = OK.replace(r#""en-US""#, r#""fr""#);
        assert_eq!(check(&fallback).unwrap().locale, "ka");
    }

    #[test]
    fn rejects_bad_fields() {
        for (from, to) in [
            (r#""AUTHORIZE""#, r#""LOAN""#),
            (r#""GEL""#, r#""USD""#),
            (r#""30.00""#, r#""0""#),
            (r#""30.00""#, r#""1.005""#),
            (r#""30.00""#, r#""1e3""#),
            (r#""quantity":2"#, r#""quantity":0"#),
            (r#""product_id":"SHIP""#, r#""product_id":"""#),
            (
                r#""https://shop.example.ge/return?ref=A-7""#,
                r#""/return""#,
            ),
            (r#""AUTOMATIC""#, r#""LATER""#),
            (
                r#""show_shop_order_id_on_extract":true"#,
                r#""show_shop_order_id_on_extract":"y""#,
            ),
        ] {
            assert!(check(&OK.replace(from, to)).is_err(), "{to}");
        }
    }

    #[test]
    fn form_amounts() {
        assert_eq!(form_amount(Some("5.25")), Ok(Some(Decimal::new(525, 2))));
        assert_eq!(form_amount(None), Ok(None));
        assert!(form_amount(Some("5,25")).is_err());
        assert!(form_amount(Some("-1")).is_err());
    }
}
