//! The create-order body (bog-payments.md §4.2-4.6), checked field by field. Every refusal
//! names the field or the rule, as a 400 `message`.

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::state::{Buyer, Item, Method};
use crate::json::{Field, JsonKind, Object, as_decimal, as_int, kind_of, parse_plain_decimal};

/// Order lifetime bounds and default, in minutes (§4.2).
const TTL_MIN: i64 = 2;
const TTL_MAX: i64 = 1440;
const TTL_DEFAULT: i64 = 15;

/// At most this many split entries (§5.5).
const MAX_SPLITS: usize = 10;

/// A create-order request that passed validation.
#[derive(Debug, Clone)]
pub(crate) struct NewOrder {
    pub(crate) callback_url: String,
    pub(crate) external_order_id: Option<String>,
    pub(crate) manual: bool,
    pub(crate) currency: &'static str,
    pub(crate) total: Decimal,
    pub(crate) items: Vec<Item>,
    pub(crate) buyer: Option<Buyer>,
    pub(crate) redirect_success: Option<String>,
    pub(crate) redirect_fail: Option<String>,
    pub(crate) ttl_minutes: u64,
    pub(crate) methods: Vec<Method>,
    pub(crate) account_tag: Option<String>,
    /// `config.google_pay.external` with its token: paid at once.
    pub(crate) google_pay_token: Option<String>,
    /// `config.apple_pay.external`: finished through `.../payment`.
    pub(crate) apple_pay_external: bool,
    /// `application_type` (`web` or `mobile`), for the Apple Pay session data.
    pub(crate) application_type: Option<String>,
}

type Checked<T> = Result<T, String>;

fn wrong(field: &str, e: Field) -> String {
    match e {
        Field::WrongType => format!("{field} has the wrong type"),
        Field::OutOfRange => format!("{field} is out of range"),
    }
}

fn string(o: &Object<'_>, key: &str, field: &str) -> Checked<Option<String>> {
    o.str(key).map_err(|e| wrong(field, e))
}

fn object<'a>(o: &Object<'a>, key: &str, field: &str) -> Checked<Option<Object<'a>>> {
    o.object(key).map_err(|e| wrong(field, e))
}

/// An amount: a JSON number, or a numeric string (the docs' own examples send both).
fn amount_raw(raw: &RawValue, field: &str) -> Checked<Decimal> {
    match kind_of(raw) {
        JsonKind::Number => as_decimal(raw).map_err(|e| wrong(field, e)),
        JsonKind::String => serde_json::from_str::<String>(raw.get())
            .ok()
            .and_then(|t| parse_plain_decimal(t.trim()))
            .ok_or_else(|| format!("{field} must be a number")),
        _ => Err(format!("{field} must be a number")),
    }
}

/// An optional amount field.
pub(crate) fn amount(o: &Object<'_>, key: &str, field: &str) -> Checked<Option<Decimal>> {
    o.raw(key).map(|raw| amount_raw(raw, field)).transpose()
}

/// A money amount: not negative, at most two decimals.
fn money(value: Decimal, field: &str) -> Checked<Decimal> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!("{field} must not be negative"));
    }
    if value.normalize().scale() > 2 {
        return Err(format!("{field} must have at most 2 decimal places"));
    }
    Ok(value)
}

/// A positive amount with at most two decimals (refunds, confirmations, totals).
pub(crate) fn positive(value: Decimal, field: &str) -> Checked<Decimal> {
    let value = money(value, field)?;
    if value <= Decimal::ZERO {
        return Err(format!("{field} must be greater than 0"));
    }
    Ok(value)
}

/// Whether `url` may receive callbacks: HTTPS, as BOG requires, or plain HTTP to a loopback
/// host, so merchants under test on this machine can be called.
pub(crate) fn callback_url_ok(url: &str) -> bool {
    let has_host = |rest: &str| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.contains(char::is_whitespace)
    };
    if let Some(rest) = url.strip_prefix("https://") {
        return has_host(rest);
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|h| format!("{h}]"))
    } else {
        authority.split(':').next().map(str::to_owned)
    };
    matches!(host.as_deref(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

fn item(raw: &RawValue, index: usize) -> Checked<Item> {
    let at = |name: &str| format!("purchase_units.basket[{index}].{name}");
    let o = Object::from_raw(raw)
        .ok_or_else(|| format!("purchase_units.basket[{index}] must be an object"))?;
    let product_id = match o.str("product_id") {
        Ok(Some(id)) if !id.trim().is_empty() => id,
        Ok(_) => return Err(format!("{} is required", at("product_id"))),
        Err(e) => return Err(wrong(&at("product_id"), e)),
    };
    let quantity = amount(&o, "quantity", &at("quantity"))?
        .ok_or_else(|| format!("{} is required", at("quantity")))?;
    if quantity < Decimal::ONE || !quantity.fract().is_zero() {
        return Err(format!(
            "{} must be a whole number of at least 1",
            at("quantity")
        ));
    }
    let unit_price = amount(&o, "unit_price", &at("unit_price"))?
        .ok_or_else(|| format!("{} is required", at("unit_price")))?;
    let unit_price = money(unit_price, &at("unit_price"))?;
    let optional = |key: &str| -> Checked<Option<Decimal>> {
        amount(&o, key, &at(key))?
            .map(|v| money(v, &at(key)))
            .transpose()
    };
    let text = |key: &str| string(&o, key, &at(key));
    Ok(Item {
        product_id,
        description: text("description")?,
        quantity,
        unit_price,
        unit_discount_price: optional("unit_discount_price")?,
        vat: optional("vat")?,
        vat_percent: optional("vat_percent")?,
        total_price: optional("total_price")?,
        image: text("image")?,
        package_code: text("package_code")?,
        tin: text("tin")?,
        pinfl: text("pinfl")?,
        product_discount_id: text("product_discount_id")?,
    })
}

fn methods(body: &Object<'_>) -> Checked<Vec<Method>> {
    let Some(list) = body
        .array("payment_method")
        .map_err(|e| wrong("payment_method", e))?
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for raw in list {
        let name = crate::json::as_string(raw).map_err(|e| wrong("payment_method", e))?;
        let method =
            Method::parse(&name).ok_or_else(|| format!("payment_method: unknown method {name}"))?;
        if !out.contains(&method) {
            out.push(method);
        }
    }
    Ok(out)
}

fn buyer(body: &Object<'_>) -> Checked<Option<Buyer>> {
    let Some(b) = object(body, "buyer", "buyer")? else {
        return Ok(None);
    };
    // The request names them masked_email/masked_phone; `email` and `phone_number` are
    // ignored here as BOG ignores them (§4.2).
    Ok(Some(Buyer {
        full_name: string(&b, "full_name", "buyer.full_name")?,
        email: string(&b, "masked_email", "buyer.masked_email")?,
        phone_number: string(&b, "masked_phone", "buyer.masked_phone")?,
    }))
}

fn split(config: &Object<'_>, currency: &str) -> Checked<()> {
    let Some(split) = object(config, "split", "config.split")? else {
        return Ok(());
    };
    if currency != "GEL" {
        return Err("config.split is allowed only for GEL".to_owned());
    }
    let entries = split
        .array("split_payments")
        .map_err(|e| wrong("config.split.split_payments", e))?
        .unwrap_or_default();
    if entries.len() > MAX_SPLITS {
        return Err(format!(
            "config.split.split_payments allows at most {MAX_SPLITS} entries"
        ));
    }
    for (i, raw) in entries.iter().enumerate() {
        let at = format!("config.split.split_payments[{i}]");
        let e = Object::from_raw(raw).ok_or_else(|| format!("{at} must be an object"))?;
        if !matches!(e.str("iban"), Ok(Some(ref iban)) if !iban.is_empty()) {
            return Err(format!("{at}.iban is required"));
        }
        if e.has("amount") == e.has("percent") {
            return Err(format!("{at} needs exactly one of amount and percent"));
        }
    }
    Ok(())
}

/// Checks a create-order body.
pub(crate) fn new_order(body: &Object<'_>) -> Checked<NewOrder> {
    let callback_url = string(body, "callback_url", "callback_url")?
        .ok_or_else(|| "callback_url is required".to_owned())?;
    if !callback_url_ok(&callback_url) {
        return Err("callback_url must be an absolute https URL".to_owned());
    }
    // BOG documents a string; an integer (as one SDK sends) is kept as its digits.
    let external_order_id = match body.raw("external_order_id") {
        None => None,
        Some(raw) => match kind_of(raw) {
            JsonKind::String => string(body, "external_order_id", "external_order_id")?,
            JsonKind::Number => Some(raw.get().trim().to_owned()),
            _ => return Err("external_order_id must be a string".to_owned()),
        },
    };
    let manual = match string(body, "capture", "capture")?.as_deref() {
        None | Some("automatic") => false,
        Some("manual") => true,
        Some(other) => return Err(format!("capture: unknown value {other}")),
    };
    let units = object(body, "purchase_units", "purchase_units")?
        .ok_or_else(|| "purchase_units is required".to_owned())?;
    let currency = match string(&units, "currency", "purchase_units.currency")?.as_deref() {
        None | Some("GEL") => "GEL",
        Some("USD") => "USD",
        Some("EUR") => "EUR",
        Some("GBP") => "GBP",
        Some(other) => {
            return Err(format!(
                "purchase_units.currency: unsupported currency {other}"
            ));
        }
    };
    let total = amount(&units, "total_amount", "purchase_units.total_amount")?
        .ok_or_else(|| "purchase_units.total_amount is required".to_owned())?;
    let total = positive(total, "purchase_units.total_amount")?;
    if let Some(d) = amount(
        &units,
        "total_discount_amount",
        "purchase_units.total_discount_amount",
    )? {
        money(d, "purchase_units.total_discount_amount")?;
    }
    if let Some(delivery) = object(&units, "delivery", "purchase_units.delivery")? {
        if let Some(d) = amount(&delivery, "amount", "purchase_units.delivery.amount")? {
            money(d, "purchase_units.delivery.amount")?;
        }
    }
    let basket = units
        .array("basket")
        .map_err(|e| wrong("purchase_units.basket", e))?
        .unwrap_or_default();
    if basket.is_empty() {
        return Err("purchase_units.basket must have at least one item".to_owned());
    }
    let items = basket
        .iter()
        .enumerate()
        .map(|(i, raw)| item(raw, i))
        .collect::<Checked<Vec<_>>>()?;
    let ttl = match body.raw("ttl") {
        None => TTL_DEFAULT,
        Some(raw) => as_int(raw).map_err(|_| "ttl must be a whole number of minutes".to_owned())?,
    };
    if !(TTL_MIN..=TTL_MAX).contains(&ttl) {
        return Err(format!(
            "ttl must be between {TTL_MIN} and {TTL_MAX} minutes"
        ));
    }
    let methods = methods(body)?;
    if manual && !methods.iter().all(|m| m.is_card_based()) {
        return Err("capture manual is allowed only for card, google_pay and apple_pay".to_owned());
    }
    let redirects = object(body, "redirect_urls", "redirect_urls")?;
    let redirect = |key: &str| -> Checked<Option<String>> {
        match &redirects {
            Some(r) => string(r, key, &format!("redirect_urls.{key}")),
            None => Ok(None),
        }
    };
    let application_type = string(body, "application_type", "application_type")?;
    if let Some(kind) = application_type.as_deref() {
        if !matches!(kind, "web" | "mobile") {
            return Err(format!("application_type: unknown value {kind}"));
        }
    }
    let config = object(body, "config", "config")?;
    let mut account_tag = None;
    let mut google_pay_token = None;
    let mut apple_pay_external = false;
    let loan_only = matches!(methods.as_slice(), [Method::BogLoan] | [Method::Bnpl]);
    let mut has_loan = false;
    if let Some(config) = &config {
        if let Some(loan) = object(config, "loan", "config.loan")? {
            string(&loan, "type", "config.loan.type")?;
            amount(&loan, "month", "config.loan.month")?;
            has_loan = true;
        }
        if let Some(account) = object(config, "account", "config.account")? {
            account_tag = string(&account, "tag", "config.account.tag")?;
        }
        if let Some(campaign) = object(config, "campaign", "config.campaign")? {
            if let Some(card) = string(&campaign, "card", "config.campaign.card")? {
                if !matches!(card.as_str(), "visa" | "mc" | "solo") {
                    return Err(format!("config.campaign.card: unknown value {card}"));
                }
            }
            if let Some(kind) = string(&campaign, "type", "config.campaign.type")? {
                if !matches!(kind.as_str(), "restrict" | "client_discount") {
                    return Err(format!("config.campaign.type: unknown value {kind}"));
                }
            }
        }
        if let Some(gp) = object(config, "google_pay", "config.google_pay")? {
            let external = gp
                .bool("external")
                .map_err(|e| wrong("config.google_pay.external", e))?
                .unwrap_or(false);
            if external {
                match string(
                    &gp,
                    "google_pay_token",
                    "config.google_pay.google_pay_token",
                )? {
                    Some(t) if !t.is_empty() => google_pay_token = Some(t),
                    _ => {
                        return Err(
                            "config.google_pay.google_pay_token is required when external is true"
                                .to_owned(),
                        );
                    }
                }
            }
        }
        if let Some(ap) = object(config, "apple_pay", "config.apple_pay")? {
            apple_pay_external = ap
                .bool("external")
                .map_err(|e| wrong("config.apple_pay.external", e))?
                .unwrap_or(false);
        }
        split(config, currency)?;
    }
    if loan_only && !has_loan {
        return Err(
            "config.loan is required when payment_method is only bog_loan or bnpl".to_owned(),
        );
    }
    if google_pay_token.is_some() && apple_pay_external {
        return Err(
            "config.google_pay.external and config.apple_pay.external exclude each other"
                .to_owned(),
        );
    }
    Ok(NewOrder {
        callback_url,
        external_order_id,
        manual,
        currency,
        total,
        items,
        buyer: buyer(body)?,
        redirect_success: redirect("success")?,
        redirect_fail: redirect("fail")?,
        ttl_minutes: u64::try_from(ttl).unwrap_or(15),
        methods,
        account_tag,
        google_pay_token,
        apple_pay_external,
        application_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
      "callback_url": "https://shop.example.ge/bog/callback",
      "external_order_id": "A-20250314-0007",
      "capture": "automatic",
      "purchase_units": {"currency": "GEL", "total_amount": 30, "basket": [
        {"product_id": "SKU-1001", "description": "Blue mug", "quantity": 2, "unit_price": 12.5},
        {"product_id": "SHIP", "description": "Delivery", "quantity": 1, "unit_price": 5}]},
      "redirect_urls": {"success": "https://shop.example.ge/pay/ok", "fail": "https://shop.example.ge/pay/fail"},
      "ttl": 15,
      "payment_method": ["card", "google_pay"],
      "buyer": {"full_name": "Test Buyer", "masked_email": "b***r@example.ge", "masked_phone": "+995 5** *** 000", "email": "ignored"}
    }"#;

    fn check(text: &str) -> Checked<NewOrder> {
        let o = Object::parse(text.as_bytes()).unwrap();
        new_order(&o)
    }

    fn with(change: impl FnOnce(&mut serde_json::Value)) -> Checked<NewOrder> {
        let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
        change(&mut v);
        check(&v.to_string())
    }

    #[test]
    fn the_digest_example_passes() {
        let o = check(GOOD).unwrap();
        assert_eq!(o.total, Decimal::new(30, 0));
        assert_eq!(o.items.len(), 2);
        assert_eq!(o.methods, [Method::Card, Method::GooglePay]);
        assert_eq!(o.ttl_minutes, 15);
        let buyer = o.buyer.unwrap();
        assert_eq!(buyer.email.as_deref(), Some("b***r@example.ge"));
    }

    #[test]
    fn each_rule_names_its_field() {
        type Change = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(Change, &str)> = vec![
            (
                Box::new(|v| v["callback_url"] = "http://shop.example.ge/cb".into()),
                "callback_url",
            ),
            (
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("callback_url");
                }),
                "callback_url",
            ),
            (Box::new(|v| v["ttl"] = 1.into()), "ttl"),
            (Box::new(|v| v["ttl"] = 1441.into()), "ttl"),
            (Box::new(|v| v["ttl"] = 2.5.into()), "ttl"),
            (
                Box::new(|v| v["purchase_units"]["basket"] = serde_json::json!([])),
                "basket",
            ),
            (
                Box::new(|v| v["purchase_units"]["total_amount"] = 0.into()),
                "total_amount",
            ),
            (
                Box::new(|v| v["purchase_units"]["total_amount"] = serde_json::json!("1.234")),
                "total_amount",
            ),
            (
                Box::new(|v| v["purchase_units"]["currency"] = "MDL".into()),
                "currency",
            ),
            (
                Box::new(|v| v["purchase_units"]["basket"][0]["quantity"] = 0.into()),
                "quantity",
            ),
            (
                Box::new(|v| v["purchase_units"]["basket"][0]["unit_price"] = (-1).into()),
                "unit_price",
            ),
            (
                Box::new(|v| {
                    v["purchase_units"]["basket"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("product_id");
                }),
                "product_id",
            ),
            (
                Box::new(|v| v["payment_method"] = serde_json::json!(["cash"])),
                "payment_method",
            ),
            (
                Box::new(|v| {
                    v["capture"] = "manual".into();
                    v["payment_method"] = serde_json::json!(["bog_p2p"]);
                }),
                "capture",
            ),
            (
                Box::new(|v| v["payment_method"] = serde_json::json!(["bnpl"])),
                "config.loan",
            ),
            (
                Box::new(|v| {
                    v["purchase_units"]["currency"] = "USD".into();
                    v["config"] = serde_json::json!({"split": {"split_payments": []}});
                }),
                "config.split",
            ),
            (
                Box::new(|v| v["config"] = serde_json::json!({"google_pay": {"external": true}})),
                "google_pay_token",
            ),
        ];
        for (change, field) in cases {
            let err = with(change).unwrap_err();
            assert!(err.contains(field), "{err} should name {field}");
        }
    }

    #[test]
    fn loopback_http_callbacks_are_allowed_for_local_merchants() {
        assert!(callback_url_ok("https://shop.example.ge/cb"));
        assert!(callback_url_ok("http://127.0.0.1:4000/cb"));
        assert!(callback_url_ok("http://localhost/cb"));
        assert!(callback_url_ok("http://[::1]:80/cb"));
        assert!(!callback_url_ok("http://127.0.0.1.evil.example/cb"));
        assert!(!callback_url_ok("http://shop.example.ge/cb"));
        assert!(!callback_url_ok("https://"));
        assert!(!callback_url_ok("ftp://x"));
    }

    #[test]
    fn garbage_bodies_never_panic() {
        let seeds = [GOOD, "{}", r#"{"purchase_units":[]}"#, r#"{"ttl":1e999}"#];
        for seed in seeds {
            for cut in 0..seed.len() {
                if let Some(o) = seed.get(..cut).and_then(|s| Object::parse(s.as_bytes())) {
                    let _ = new_order(&o);
                }
            }
        }
        let big = format!(
            r#"{{"callback_url":"https://x/","purchase_units":{{"total_amount":{},"basket":[]}}}}"#,
            "9".repeat(5000)
        );
        assert!(check(&big).is_err());
    }
}
