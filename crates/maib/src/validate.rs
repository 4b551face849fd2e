//! Every documented field limit of the maib e-commerce v1 API (protocol notes maib.md §3-§4),
//! checked before any I/O. A broken rule is answered with [`Error::InvalidInput`] naming the
//! field as the request type names it (`amount`, `client_ip`, `items[3].name`, ...); nothing
//! is sent.

use std::net::Ipv4Addr;
use std::time::{SystemTime, UNIX_EPOCH};

use paykit_core::{Currency, Decimal, Error, Money, Result};

use crate::types::{
    BillerExpiry, Checkout, ClientInfo, ExecuteOneClickRequest, ExecuteRecurringRequest, Item,
    PayRequest, SaveCardRequest,
};

/// Currencies maib accepts.
pub const CURRENCIES: [Currency; 3] = [Currency::MDL, Currency::EUR, Currency::USD];
/// Longest `description`.
pub const MAX_DESCRIPTION: usize = 124;
/// Longest `orderId`.
pub const MAX_ORDER_ID: usize = 36;
/// Longest `email`.
pub const MAX_EMAIL: usize = 40;
/// Longest `clientName`.
pub const MAX_CLIENT_NAME: usize = 128;
/// Longest `phone`.
pub const MAX_PHONE: usize = 40;
/// Longest `callbackUrl`, `okUrl`, `failUrl`.
pub const MAX_URL: usize = 2048;
/// Most `items`.
pub const MAX_ITEMS: usize = 50;
/// Longest `items[].id`.
pub const MAX_ITEM_ID: usize = 36;
/// Longest `items[].name`.
pub const MAX_ITEM_NAME: usize = 128;
/// Longest `payId` / `billerId` (UUIDs are 36 characters).
pub const MAX_ID: usize = 36;
/// Most decimals of any amount.
pub const MAX_SCALE: u32 = 2;

/// Parses a customer IP given as text: maib takes IPv4 only (error 12019 otherwise).
///
/// ```
/// assert!(paykit_maib::validate::parse_client_ip("135.250.245.121").is_ok());
/// assert!(paykit_maib::validate::parse_client_ip("2001:db8::1").is_err());
/// ```
pub fn parse_client_ip(text: &str) -> Result<Ipv4Addr> {
    text.trim().parse::<Ipv4Addr>().map_err(|_| {
        Error::invalid_input(
            "client_ip",
            format!("maib takes an IPv4 address (a.b.c.d), got {text:?}"),
        )
    })
}

/// The current UTC year and month, from the system clock.
pub fn current_year_month() -> (u16, u8) {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX / 2);
    civil_year_month(days)
}

/// Year and month of the day `days` after 1970-01-01 (proleptic Gregorian calendar).
fn civil_year_month(days: i64) -> (u16, u8) {
    // H. Hinnant's days-to-civil algorithm, in integers.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        u16::try_from(year).unwrap_or(u16::MAX),
        u8::try_from(month).unwrap_or(1),
    )
}

/// `billerExpiry` must not lie in the past: its month may be the current one at the latest.
/// `YY` is a year of this century (`29` is 2029), as on cards.
pub(crate) fn biller_expiry(expiry: BillerExpiry, today: (u16, u8)) -> Result<()> {
    let given = (2000 + u16::from(expiry.year()), expiry.month());
    if given < today {
        return Err(Error::invalid_input(
            "biller_expiry",
            format!(
                "{expiry} is in the past (now {:02}{:02})",
                today.1,
                today.0 % 100
            ),
        ));
    }
    Ok(())
}

/// A `payId` or `billerId`: non-empty, at most 36 characters, no whitespace or controls.
pub(crate) fn id(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    if value.chars().count() > MAX_ID {
        return Err(Error::invalid_input(
            field,
            format!("at most {MAX_ID} characters (a UUID)"),
        ));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_input(
            field,
            "must not contain whitespace or control characters",
        ));
    }
    Ok(())
}

/// Amount of `pay`, `hold`, `savecard-*`, `execute-*`: a maib currency, at least 1, at most
/// 2 decimals (errors 12005, 12014, 12015).
pub(crate) fn amount(field: &'static str, amount: &Money) -> Result<()> {
    currency(amount.currency())?;
    at_least_one(field, amount.amount())
}

fn at_least_one(field: &'static str, value: Decimal) -> Result<()> {
    scale(field, value)?;
    if value < Decimal::ONE {
        return Err(Error::invalid_input(
            field,
            format!("maib takes at least 1, got {value}"),
        ));
    }
    Ok(())
}

/// A currency maib accepts.
pub(crate) fn currency(currency: Currency) -> Result<()> {
    if CURRENCIES.contains(&currency) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "currency",
            format!("maib accepts MDL, EUR or USD, got {currency}"),
        ))
    }
}

/// `confirmAmount` / `refundAmount`: more than 0, at most 2 decimals (12012/12013,
/// 12028/12029).
pub(crate) fn positive(field: &'static str, value: Decimal) -> Result<()> {
    scale(field, value)?;
    if value <= Decimal::ZERO {
        return Err(Error::invalid_input(
            field,
            format!("must be more than 0, got {value}"),
        ));
    }
    Ok(())
}

/// `delivery`, `items[].price`: at least 0, at most 2 decimals.
fn non_negative(field: impl Into<std::borrow::Cow<'static, str>>, value: Decimal) -> Result<()> {
    let field = field.into();
    if value.normalize().scale() > MAX_SCALE {
        return Err(Error::invalid_input(
            field,
            format!("at most {MAX_SCALE} decimals, got {value}"),
        ));
    }
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Error::invalid_input(
            field,
            format!("must not be negative, got {value}"),
        ));
    }
    Ok(())
}

fn scale(field: &'static str, value: Decimal) -> Result<()> {
    if value.normalize().scale() > MAX_SCALE {
        return Err(Error::invalid_input(
            field,
            format!("at most {MAX_SCALE} decimals, got {value}"),
        ));
    }
    Ok(())
}

/// At most `max` characters.
fn length(field: impl Into<std::borrow::Cow<'static, str>>, value: &str, max: usize) -> Result<()> {
    let count = value.chars().count();
    if count > max {
        return Err(Error::invalid_input(
            field,
            format!("at most {max} characters, got {count}"),
        ));
    }
    Ok(())
}

fn optional_length(field: &'static str, value: Option<&str>, max: usize) -> Result<()> {
    value.map_or(Ok(()), |v| length(field, v, max))
}

/// An e-mail address of at most 40 characters, of the form `local@domain.tld`.
fn email(value: &str) -> Result<()> {
    length("email", value, MAX_EMAIL)?;
    let bad = |why: &str| Err(Error::invalid_input("email", why.to_owned()));
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("must not contain whitespace");
    }
    let Some((local, domain)) = value.split_once('@') else {
        return bad("must look like name@example.com");
    };
    if local.is_empty() || domain.contains('@') {
        return bad("must look like name@example.com");
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return bad("the domain must look like example.com");
    }
    Ok(())
}

/// An absolute http(s) URL with a host, at most 2048 characters.
fn url(field: &'static str, value: &str) -> Result<()> {
    length(field, value, MAX_URL)?;
    let parsed = url::Url::parse(value)
        .map_err(|e| Error::invalid_input(field, format!("not a well-formed URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid_input(
            field,
            format!("must be an http(s) URL, got scheme {:?}", parsed.scheme()),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input(field, "must name a host"));
    }
    Ok(())
}

fn items(items: &[Item]) -> Result<()> {
    if items.len() > MAX_ITEMS {
        return Err(Error::invalid_input(
            "items",
            format!("at most {MAX_ITEMS} lines, got {}", items.len()),
        ));
    }
    for (index, item) in items.iter().enumerate() {
        let at = |name: &str| format!("items[{index}].{name}");
        if let Some(id) = &item.id {
            length(at("id"), id, MAX_ITEM_ID)?;
        }
        if let Some(name) = &item.name {
            length(at("name"), name, MAX_ITEM_NAME)?;
        }
        if let Some(price) = item.price {
            non_negative(at("price"), price)?;
        }
        if let Some(quantity) = item.quantity {
            if quantity == 0 || i32::try_from(quantity).is_err() {
                return Err(Error::invalid_input(
                    at("quantity"),
                    format!("must be 1 to {}, got {quantity}", i32::MAX),
                ));
            }
        }
    }
    Ok(())
}

fn client(client: &ClientInfo) -> Result<()> {
    optional_length("client_name", client.name.as_deref(), MAX_CLIENT_NAME)?;
    if let Some(address) = &client.email {
        email(address)?;
    }
    optional_length("phone", client.phone.as_deref(), MAX_PHONE)
}

/// The order part shared by every creating call.
fn order(
    description: Option<&str>,
    order_id: Option<&str>,
    delivery: Option<Decimal>,
    lines: &[Item],
) -> Result<()> {
    optional_length("description", description, MAX_DESCRIPTION)?;
    optional_length("order_id", order_id, MAX_ORDER_ID)?;
    if let Some(delivery) = delivery {
        non_negative("delivery", delivery)?;
    }
    items(lines)
}

fn checkout(checkout: &Checkout) -> Result<()> {
    order(
        checkout.description.as_deref(),
        checkout.order_id.as_deref(),
        checkout.delivery,
        &checkout.items,
    )?;
    for (field, value) in [
        ("callback_url", &checkout.callback_url),
        ("ok_url", &checkout.ok_url),
        ("fail_url", &checkout.fail_url),
    ] {
        if let Some(value) = value {
            url(field, value)?;
        }
    }
    Ok(())
}

/// `pay` and `hold`.
pub(crate) fn pay(request: &PayRequest) -> Result<()> {
    amount("amount", &request.amount)?;
    client(&request.client)?;
    checkout(&request.checkout)
}

/// `savecard-recurring` (`email` required) and `savecard-oneclick`.
pub(crate) fn save_card(
    request: &SaveCardRequest,
    recurring: bool,
    today: (u16, u8),
) -> Result<()> {
    biller_expiry(request.biller_expiry, today)?;
    currency(request.currency)?;
    if let Some(value) = request.amount {
        at_least_one("amount", value)?;
    }
    if recurring && request.client.email.is_none() {
        return Err(Error::invalid_input(
            "email",
            "savecard-recurring requires the customer's e-mail",
        ));
    }
    client(&request.client)?;
    checkout(&request.checkout)
}

/// `execute-recurring`.
pub(crate) fn execute_recurring(request: &ExecuteRecurringRequest) -> Result<()> {
    id("biller_id", &request.biller_id)?;
    amount("amount", &request.amount)?;
    order(
        request.description.as_deref(),
        request.order_id.as_deref(),
        request.delivery,
        &request.items,
    )
}

/// `execute-oneclick`.
pub(crate) fn execute_oneclick(request: &ExecuteOneClickRequest) -> Result<()> {
    id("biller_id", &request.biller_id)?;
    amount("amount", &request.amount)?;
    checkout(&request.checkout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<()>) -> String {
        match result {
            Err(Error::InvalidInput { field, .. }) => field.into_owned(),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    fn money(text: &str, currency: Currency) -> Money {
        Money::parse(text, currency).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn pay_request() -> PayRequest {
        PayRequest::new(money("10.25", Currency::MDL), Ipv4Addr::new(10, 0, 0, 1))
    }

    #[test]
    fn a_full_valid_request_passes() {
        let request = pay_request()
            .description("d".repeat(124))
            .order_id("o".repeat(36))
            .email("ion@example.md")
            .client_name("n".repeat(128))
            .phone("0".repeat(40))
            .delivery(dec("1.25"))
            .callback_url("https://shop.example.md/maib/callback")
            .ok_url("http://127.0.0.1:8080/ok?nonce=1")
            .fail_url(format!("https://e.md/{}", "x".repeat(2048 - 13)));
        let request = (0..50).fold(request, |r, i| {
            r.item(Item::new("n".repeat(128), dec("2.50"), 2).id(format!("{i:036}")))
        });
        pay(&request).unwrap();
    }

    #[test]
    fn amounts_below_one_or_with_three_decimals_are_refused() {
        let small = PayRequest::new(money("0.99", Currency::MDL), Ipv4Addr::LOCALHOST);
        assert_eq!(field_of(pay(&small)), "amount");
        assert_eq!(field_of(at_least_one("amount", dec("1.001"))), "amount");
        pay(&PayRequest::new(
            money("1", Currency::MDL),
            Ipv4Addr::LOCALHOST,
        ))
        .unwrap();
    }

    #[test]
    fn only_mdl_eur_usd() {
        let gel = PayRequest::new(money("10", Currency::GEL), Ipv4Addr::LOCALHOST);
        assert_eq!(field_of(pay(&gel)), "currency");
        for c in CURRENCIES {
            pay(&PayRequest::new(money("10", c), Ipv4Addr::LOCALHOST)).unwrap();
        }
    }

    #[test]
    fn every_length_limit_names_its_field() {
        let cases: Vec<(PayRequest, &str)> = vec![
            (pay_request().description("d".repeat(125)), "description"),
            (pay_request().order_id("o".repeat(37)), "order_id"),
            (pay_request().client_name("n".repeat(129)), "client_name"),
            (pay_request().phone("1".repeat(41)), "phone"),
            (
                pay_request().email(format!("{}@example.md", "a".repeat(30))),
                "email",
            ),
            (
                pay_request().callback_url(format!("https://e.md/{}", "x".repeat(2048))),
                "callback_url",
            ),
            (
                pay_request().item(Item::new("x", dec("1"), 1).id("i".repeat(37))),
                "items[0].id",
            ),
            (
                pay_request()
                    .item(Item::new("ok", dec("1"), 1))
                    .item(Item::new("n".repeat(129), dec("1"), 1)),
                "items[1].name",
            ),
        ];
        for (request, field) in cases {
            assert_eq!(field_of(pay(&request)), field);
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        pay(&pay_request().description("ș".repeat(124))).unwrap();
    }

    #[test]
    fn items_are_limited_in_count_price_and_quantity() {
        let many = (0..51).fold(pay_request(), |r, _| r.item(Item::new("x", dec("1"), 1)));
        assert_eq!(field_of(pay(&many)), "items");
        let price = pay_request().item(Item::new("x", dec("1.005"), 1));
        assert_eq!(field_of(pay(&price)), "items[0].price");
        let negative = pay_request().item(Item::new("x", dec("-1"), 1));
        assert_eq!(field_of(pay(&negative)), "items[0].price");
        let zero = pay_request().item(Item::new("x", dec("1"), 0));
        assert_eq!(field_of(pay(&zero)), "items[0].quantity");
        let huge = pay_request().item(Item::new("x", dec("1"), u32::MAX));
        assert_eq!(field_of(pay(&huge)), "items[0].quantity");
        pay(&pay_request().item(Item::new("x", dec("0"), 1))).unwrap();
    }

    #[test]
    fn delivery_is_non_negative_with_two_decimals() {
        assert_eq!(
            field_of(pay(&pay_request().delivery(dec("-0.01")))),
            "delivery"
        );
        assert_eq!(
            field_of(pay(&pay_request().delivery(dec("1.251")))),
            "delivery"
        );
        pay(&pay_request().delivery(dec("0"))).unwrap();
        pay(&pay_request().delivery(dec("1.2500"))).unwrap();
    }

    #[test]
    fn emails_must_look_like_emails() {
        for bad in [
            "plain",
            "@example.md",
            "a@b",
            "a@@b.md",
            "a b@c.md",
            "a@b..md",
            "a@.md",
        ] {
            assert_eq!(field_of(pay(&pay_request().email(bad))), "email", "{bad}");
        }
        pay(&pay_request().email("a.b+c@d.e.md")).unwrap();
    }

    #[test]
    fn urls_must_be_absolute_http() {
        for (bad, field) in [
            ("not a url", "ok_url"),
            ("/relative/path", "ok_url"),
            ("ftp://e.md/x", "ok_url"),
            ("javascript:alert(1)", "ok_url"),
        ] {
            assert_eq!(field_of(pay(&pay_request().ok_url(bad))), field, "{bad}");
        }
        assert_eq!(
            field_of(pay(&pay_request().fail_url("https://"))),
            "fail_url"
        );
    }

    #[test]
    fn client_ip_must_be_ipv4() {
        assert_eq!(
            parse_client_ip(" 135.250.245.121 ").unwrap(),
            Ipv4Addr::new(135, 250, 245, 121)
        );
        for bad in ["::1", "256.1.1.1", "1.2.3", "localhost", ""] {
            let err = parse_client_ip(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "client_ip"),
                "{bad}"
            );
        }
    }

    #[test]
    fn biller_expiry_may_not_be_past() {
        let today = (2026, 5);
        let at = |s: &str| biller_expiry(BillerExpiry::parse(s).unwrap(), today);
        at("0526").unwrap();
        at("1226").unwrap();
        at("0127").unwrap();
        assert!(at("0426").is_err());
        assert!(at("1225").is_err());
        at("0199").unwrap(); // January 2099
        assert!(at("0100").is_err(), "2000 is past");
    }

    #[test]
    fn the_calendar_is_right() {
        assert_eq!(civil_year_month(0), (1970, 1));
        assert_eq!(civil_year_month(59), (1970, 3)); // 1970-03-01
        assert_eq!(civil_year_month(11_016), (2000, 2)); // 2000-02-29
        assert_eq!(civil_year_month(20_454), (2026, 1)); // 2026-01-01
        assert_eq!(civil_year_month(20_453), (2025, 12)); // 2025-12-31
        let (year, month) = current_year_month();
        assert!(year >= 2025 && (1..=12).contains(&month));
    }

    #[test]
    fn save_card_rules() {
        let expiry = BillerExpiry::parse("1299").unwrap();
        let request = SaveCardRequest::new(expiry, Ipv4Addr::LOCALHOST, Currency::EUR);
        assert_eq!(
            field_of(save_card(&request, true, (2026, 1))),
            "email",
            "recurring needs an e-mail"
        );
        save_card(&request, false, (2026, 1)).unwrap();
        let small = request
            .clone()
            .email("a@b.md")
            .amount(money("0.5", Currency::EUR));
        assert_eq!(field_of(save_card(&small, true, (2026, 1))), "amount");
        let past = SaveCardRequest::new(
            BillerExpiry::parse("0120").unwrap(),
            Ipv4Addr::LOCALHOST,
            Currency::EUR,
        );
        assert_eq!(
            field_of(save_card(&past, false, (2026, 1))),
            "biller_expiry"
        );
        let rub = SaveCardRequest::new(expiry, Ipv4Addr::LOCALHOST, Currency::GBP);
        assert_eq!(field_of(save_card(&rub, false, (2026, 1))), "currency");
    }

    #[test]
    fn ids_are_bounded() {
        id("pay_id", "f16a9006-128a-46bc-8e2a-77a6ee99df75").unwrap();
        assert_eq!(field_of(id("pay_id", "")), "pay_id");
        assert_eq!(field_of(id("biller_id", &"x".repeat(37))), "biller_id");
        assert_eq!(field_of(id("biller_id", "a b")), "biller_id");
        let request = ExecuteRecurringRequest::new("", money("5", Currency::MDL));
        assert_eq!(field_of(execute_recurring(&request)), "biller_id");
    }

    #[test]
    fn confirm_and_refund_amounts_are_positive() {
        assert_eq!(
            field_of(positive("confirm_amount", dec("0"))),
            "confirm_amount"
        );
        assert_eq!(
            field_of(positive("refund_amount", dec("0.001"))),
            "refund_amount"
        );
        positive("refund_amount", dec("0.01")).unwrap();
    }
}
