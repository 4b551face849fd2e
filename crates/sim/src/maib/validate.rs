//! Request validation for maib (maib.md §3-4): every documented limit, with its error code.

use std::net::Ipv4Addr;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::errors::MaibError;
use super::fields::Errors;
use super::state::Order;
use crate::calendar::DateTime;
use crate::json::Object;

/// Largest accepted amount. maib reports its range in 12014's args but does not document
/// the maximum; this is the simulator's choice.
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Which fields an endpoint takes and requires.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// `None`: no amount field; `Some((required, minimum))`.
    pub(crate) amount: Option<(bool, Decimal)>,
    /// `None`: no clientIp field; `Some(required)`.
    pub(crate) client_ip: Option<bool>,
    pub(crate) language_required: bool,
    /// Whether clientName / email / phone are part of the request.
    pub(crate) customer_fields: bool,
    pub(crate) email_required: bool,
    /// Whether callbackUrl / okUrl / failUrl are part of the request.
    pub(crate) urls: bool,
    pub(crate) biller_expiry: bool,
    pub(crate) biller_id: bool,
}

const ONE: Decimal = Decimal::ONE;
const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

impl Rules {
    /// `/v1/pay`
    pub(crate) const PAY: Self = Self {
        amount: Some((true, ONE)),
        client_ip: Some(true),
        language_required: true,
        customer_fields: true,
        email_required: false,
        urls: true,
        biller_expiry: false,
        biller_id: false,
    };
    /// `/v1/hold`
    pub(crate) const HOLD: Self = Self {
        language_required: false,
        ..Self::PAY
    };
    /// `/v1/savecard-recurring`
    pub(crate) const SAVE_RECURRING: Self = Self {
        amount: Some((false, ONE)),
        language_required: false,
        email_required: true,
        biller_expiry: true,
        ..Self::PAY
    };
    /// `/v1/savecard-oneclick`
    pub(crate) const SAVE_ONECLICK: Self = Self {
        amount: Some((false, ONE)),
        language_required: true,
        biller_expiry: true,
        ..Self::PAY
    };
    /// `/v1/execute-oneclick`
    pub(crate) const EXECUTE_ONECLICK: Self = Self {
        amount: Some((true, CENT)),
        language_required: false,
        customer_fields: false,
        biller_id: true,
        ..Self::PAY
    };
    /// `/v1/execute-recurring`
    pub(crate) const EXECUTE_RECURRING: Self = Self {
        amount: Some((true, CENT)),
        client_ip: None,
        language_required: false,
        customer_fields: false,
        urls: false,
        biller_id: true,
        ..Self::PAY
    };
}

/// Reads and validates a payment request; all problems are reported together.
pub(crate) fn order(body: &Object<'_>, rules: Rules, now_ms: u64) -> Result<Order, Vec<MaibError>> {
    let mut v = Errors::default();
    let mut order = Order::default();

    if let Some((required, min)) = rules.amount {
        order.amount = v.money(body, "amount", min, ("12014", "12015"));
        if required && order.amount.is_none() && !body.has("amount") {
            v.push(MaibError::invalid("amount"));
        }
    }
    order.currency = match body.str("currency") {
        Ok(Some(c)) if matches!(c.as_str(), "MDL" | "EUR" | "USD") => c,
        _ => {
            v.push(MaibError::currency("currency"));
            String::new()
        }
    };
    if let Some(required) = rules.client_ip {
        order.client_ip = v.text(body, "clientIp");
        match &order.client_ip {
            None if required && !body.has("clientIp") => {
                v.push(MaibError::required("12018", "clientIp"));
            }
            Some(ip) if Ipv4Addr::from_str(ip).is_err() => {
                v.push(MaibError::format("12019", "clientIp"));
            }
            _ => {}
        }
    }
    order.language = v.text(body, "language");
    match order.language.as_deref() {
        None if rules.language_required && !body.has("language") => {
            v.push(MaibError::language_length("language"));
        }
        Some(l) if l.chars().count() != 2 => v.push(MaibError::language_length("language")),
        Some(l) if !matches!(l, "ro" | "en" | "ru") => v.push(MaibError::invalid("language")),
        _ => {}
    }
    order.description = v.limited(body, "description", 124, "12020");
    if rules.customer_fields {
        order.client_name = v.limited(body, "clientName", 128, "12021");
        order.email = v.limited(body, "email", 40, "12007");
        match order.email.as_deref() {
            None if rules.email_required && !body.has("email") => {
                v.push(MaibError::invalid("email"));
            }
            Some(e) if e.chars().count() <= 40 && !is_email(e) => {
                v.push(MaibError::format("12008", "email"));
            }
            _ => {}
        }
        order.phone = v.limited(body, "phone", 40, "12006");
    }
    order.order_id = v.limited(body, "orderId", 36, "12025");
    order.delivery = v.money(body, "delivery", Decimal::ZERO, ("12016", "12017"));
    order.items = v.items(body);
    if rules.urls {
        order.callback_url = v.url(body, "callbackUrl", "12024");
        order.ok_url = v.url(body, "okUrl", "12022");
        order.fail_url = v.url(body, "failUrl", "13023");
    }
    if rules.biller_expiry {
        order.biller_expiry = v.text(body, "billerExpiry");
        match order.biller_expiry.as_deref() {
            None if !body.has("billerExpiry") => {
                v.push(MaibError::required("12033", "billerExpiry"));
            }
            Some(e) => match parse_mmyy(e) {
                None => v.push(MaibError::format("12034", "billerExpiry")),
                Some(until) if mmyy_is_past(until, now_ms) => {
                    v.push(MaibError::expiry_past(&current_mmyy(now_ms)));
                }
                Some(_) => {}
            },
            None => {}
        }
    }
    if rules.biller_id {
        order.biller_id = v.text(body, "billerId");
        if order.biller_id.is_none() && !body.has("billerId") {
            v.push(MaibError::required("12032", "billerId"));
        }
    }
    v.finish(order)
}

/// Validates an optional `confirmAmount` / `refundAmount`: `> 0`, at most 2 decimals.
pub(crate) fn optional_amount(
    body: &Object<'_>,
    name: &str,
    codes: (&'static str, &'static str),
) -> Result<Option<Decimal>, MaibError> {
    let mut v = Errors::default();
    let value = v.money(body, name, CENT, codes);
    match v.0.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(value),
    }
}

/// `MMYY` to (year, month), or `None` if malformed.
pub(crate) fn parse_mmyy(text: &str) -> Option<(i64, u32)> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month: u32 = text.get(0..2)?.parse().ok()?;
    let year: i64 = text.get(2..4)?.parse().ok()?;
    (1..=12).contains(&month).then_some((2000 + year, month))
}

/// Whether the month `until` has ended by `now_ms`.
pub(crate) fn mmyy_is_past(until: (i64, u32), now_ms: u64) -> bool {
    let now = DateTime::from_unix(i64::try_from(now_ms / 1000).unwrap_or(i64::MAX));
    (now.year, now.month) > until
}

fn current_mmyy(now_ms: u64) -> String {
    let now = DateTime::from_unix(i64::try_from(now_ms / 1000).unwrap_or(i64::MAX));
    format!("{:02}{:02}", now.month, now.year.rem_euclid(100))
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(body: &str, rules: Rules) -> Vec<&'static str> {
        let obj = Object::parse(body.as_bytes()).unwrap();
        // 2026-06-15T00:00:00Z
        match order(&obj, rules, 1_781_481_600_000) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(MaibError::code).collect(),
        }
    }

    const OK_PAY: &str =
        r#"{"amount":10.25,"currency":"MDL","clientIp":"135.250.245.121","language":"ro"}"#;

    #[test]
    fn a_valid_pay_passes() {
        assert!(codes(OK_PAY, Rules::PAY).is_empty());
        let full = r#"{"amount":10.25,"currency":"MDL","clientIp":"135.250.245.121","language":"ro",
            "description":"Order #123","clientName":"Ion Popescu","email":"ion@example.md","phone":"069123456",
            "orderId":"123","delivery":1.25,
            "items":[{"id":"10","name":"Product 1","price":2.50,"quantity":2},{"id":"11","name":"Product 2","price":4,"quantity":1}],
            "callbackUrl":"https://shop.example.md/maib/callback","okUrl":"https://shop.example.md/maib/ok","failUrl":"https://shop.example.md/maib/fail"}"#;
        assert!(codes(full, Rules::PAY).is_empty());
    }

    #[test]
    fn amount_rules() {
        assert_eq!(
            codes(&OK_PAY.replace("10.25", "0.99"), Rules::PAY),
            ["12014"]
        );
        assert_eq!(
            codes(&OK_PAY.replace("10.25", "10.255"), Rules::PAY),
            ["12015"]
        );
        assert_eq!(
            codes(&OK_PAY.replace("10.25", "\"10.25\""), Rules::PAY),
            ["12001"]
        );
        assert_eq!(
            codes(&OK_PAY.replace("\"amount\":10.25,", ""), Rules::PAY),
            ["12001"]
        );
        assert!(codes(&OK_PAY.replace("10.25", "10.50"), Rules::PAY).is_empty());
        assert_eq!(
            codes(&OK_PAY.replace("10.25", "1e40"), Rules::PAY),
            ["12014"]
        );
    }

    #[test]
    fn field_codes() {
        let cases = [
            (r#""currency":"MDL""#, r#""currency":"RON""#, "12005"),
            (
                r#""clientIp":"135.250.245.121""#,
                r#""clientIp":"::1""#,
                "12019",
            ),
            (r#","clientIp":"135.250.245.121""#, "", "12018"),
            (r#""language":"ro""#, r#""language":"rom""#, "12004"),
            (r#""language":"ro""#, r#""language":"de""#, "12001"),
            (r#","language":"ro""#, "", "12004"),
        ];
        for (from, to, code) in cases {
            assert_eq!(codes(&OK_PAY.replace(from, to), Rules::PAY), [code], "{to}");
        }
        let with = |extra: &str| codes(&OK_PAY.replace('}', &format!(",{extra}}}")), Rules::PAY);
        assert_eq!(
            with(&format!(r#""description":"{}""#, "x".repeat(125))),
            ["12020"]
        );
        assert_eq!(
            with(&format!(r#""clientName":"{}""#, "x".repeat(129))),
            ["12021"]
        );
        assert_eq!(
            with(&format!(r#""email":"{}@example.md""#, "x".repeat(30))),
            ["12007"]
        );
        assert_eq!(with(r#""email":"not-an-email""#), ["12008"]);
        assert_eq!(with(&format!(r#""phone":"{}""#, "1".repeat(41))), ["12006"]);
        assert_eq!(
            with(&format!(r#""orderId":"{}""#, "1".repeat(37))),
            ["12025"]
        );
        assert_eq!(with(r#""delivery":-1"#), ["12016"]);
        assert_eq!(with(r#""delivery":1.001"#), ["12017"]);
        assert_eq!(with(r#""okUrl":"ftp://x""#), ["12022"]);
        assert_eq!(with(r#""failUrl":"nope""#), ["13023"]);
        assert_eq!(with(r#""callbackUrl":"https://""#), ["12024"]);
        assert_eq!(with(r#""items":[{"quantity":0}]"#), ["12040"]);
        assert_eq!(with(r#""items":[{"price":1.001}]"#), ["12039"]);
        assert_eq!(with(r#""items":[{"price":-1}]"#), ["12038"]);
        assert_eq!(
            with(&format!(r#""items":[{{"id":"{}"}}]"#, "1".repeat(37))),
            ["12036"]
        );
        assert_eq!(
            with(&format!(r#""items":[{{"name":"{}"}}]"#, "n".repeat(129))),
            ["12037"]
        );
        let many = vec!["{}"; 51].join(",");
        assert_eq!(with(&format!(r#""items":[{many}]"#)), ["12026"]);
    }

    #[test]
    fn savecard_rules() {
        let ok = r#"{"billerExpiry":"1230","clientIp":"135.250.245.121","currency":"EUR","email":"ion@example.md"}"#;
        assert!(codes(ok, Rules::SAVE_RECURRING).is_empty());
        assert_eq!(
            codes(
                &ok.replace(r#","email":"ion@example.md""#, ""),
                Rules::SAVE_RECURRING
            ),
            ["12001"]
        );
        assert_eq!(
            codes(&ok.replace("1230", "1330"), Rules::SAVE_RECURRING),
            ["12034"]
        );
        assert_eq!(
            codes(&ok.replace("1230", "0526"), Rules::SAVE_RECURRING),
            ["12035"]
        );
        assert!(codes(&ok.replace("1230", "0626"), Rules::SAVE_RECURRING).is_empty());
        assert_eq!(
            codes(
                &ok.replace(r#""billerExpiry":"1230","#, ""),
                Rules::SAVE_RECURRING
            ),
            ["12033"]
        );
    }

    #[test]
    fn execute_rules() {
        assert_eq!(
            codes(r#"{"amount":5,"currency":"EUR"}"#, Rules::EXECUTE_RECURRING),
            ["12032"]
        );
        assert!(
            codes(
                r#"{"billerId":"b","amount":0.5,"currency":"EUR"}"#,
                Rules::EXECUTE_RECURRING
            )
            .is_empty()
        );
        assert_eq!(
            codes(
                r#"{"billerId":"b","amount":0.5,"currency":"EUR"}"#,
                Rules::EXECUTE_ONECLICK
            ),
            ["12018"]
        );
    }

    #[test]
    fn mmyy() {
        assert_eq!(parse_mmyy("1229"), Some((2029, 12)));
        assert_eq!(parse_mmyy("0029"), None);
        assert_eq!(parse_mmyy("1"), None);
        assert_eq!(parse_mmyy("ab12"), None);
    }
}
