//! paykit-core's readers of untrusted text: the literal-keeping JSON tree, the decimal and
//! boolean wire helpers, and `Money::parse`.

use paykit_core::json_literal::JsonLiteral;
use paykit_core::wire::{self, parse_decimal_literal};
use paykit_core::{Currency, Decimal, Money};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// `JsonLiteral::parse`: never panics, and whatever it accepts is JSON to serde_json too
/// (same grammar, and its depth bound is tighter than serde_json's).
pub fn json_literal(data: &[u8]) {
    let Ok(value) = JsonLiteral::parse(data) else {
        return;
    };
    assert!(
        serde_json::from_slice::<IgnoredAny>(data).is_ok(),
        "JsonLiteral accepted what serde_json refuses: {:?}",
        String::from_utf8_lossy(data)
    );
    let _ = (value.get("result"), value.as_str());
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow)]
    v: &'a RawValue,
}

#[derive(Serialize, Deserialize)]
struct Number {
    #[serde(with = "wire::decimal_number")]
    v: Decimal,
}

#[derive(Serialize, Deserialize)]
struct Text {
    #[serde(with = "wire::decimal_string")]
    v: Decimal,
}

#[derive(Serialize, Deserialize)]
struct OptNumber {
    #[serde(default, with = "wire::opt_decimal_number")]
    v: Option<Decimal>,
}

#[derive(Serialize, Deserialize)]
struct OptText {
    #[serde(default, with = "wire::opt_decimal_string")]
    v: Option<Decimal>,
}

#[derive(Serialize, Deserialize)]
struct Form {
    #[serde(with = "wire::form_decimal")]
    v: Decimal,
}

#[derive(Serialize, Deserialize)]
struct Flag {
    #[serde(with = "wire::lenient_bool")]
    v: bool,
}

/// The input as the value of a one-field object, and that value's exact text when it is one
/// JSON value.
fn as_field(data: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(data).ok()?;
    let document = format!("{{\"v\":{text}}}");
    let raw = serde_json::from_str::<Raw<'_>>(&document)
        .ok()?
        .v
        .get()
        .to_owned();
    Some((document, raw))
}

/// The decimal helpers of `paykit_core::wire`: each reads what `parse_decimal_literal` reads
/// and nothing else, and what it writes reads back as the same decimal.
pub fn wire_decimal(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_decimal_literal(text);
    }
    let Some((document, raw)) = as_field(data) else {
        return;
    };
    let expected = parse_decimal_literal(&raw);
    let number = serde_json::from_str::<Number>(&document).ok().map(|n| n.v);
    let text = serde_json::from_str::<Text>(&document).ok().map(|n| n.v);
    assert_eq!(number, expected, "decimal_number of {raw}");
    assert_eq!(text, expected, "decimal_string of {raw}");
    let optional = serde_json::from_str::<OptNumber>(&document)
        .ok()
        .map(|n| n.v);
    let optional_text = serde_json::from_str::<OptText>(&document).ok().map(|n| n.v);
    let expected_optional = if raw == "null" {
        Some(None)
    } else {
        expected.map(Some)
    };
    assert_eq!(optional, expected_optional, "opt_decimal_number of {raw}");
    assert_eq!(
        optional_text, expected_optional,
        "opt_decimal_string of {raw}"
    );
    if let Ok(form) = serde_json::from_str::<Form>(&document) {
        // A form field is text: only a JSON string reaches it.
        let inner: String = serde_json::from_str(&raw).unwrap_or_default();
        assert_eq!(
            Some(form.v),
            parse_decimal_literal(&inner),
            "form_decimal of {raw}"
        );
    }
    if let Some(value) = expected {
        decimal_writes_read_back(value);
    }
}

/// What each helper writes for `value` reads back as `value`, scale included.
pub fn decimal_writes_read_back(value: Decimal) {
    let written = [
        serde_json::to_string(&Number { v: value }),
        serde_json::to_string(&Text { v: value }),
        serde_json::to_string(&OptNumber { v: Some(value) }),
        serde_json::to_string(&OptText { v: Some(value) }),
        serde_json::to_string(&Form { v: value }),
    ];
    for json in written {
        let json = json.unwrap_or_default();
        let back = serde_json::from_str::<Number>(&json).ok().map(|n| n.v);
        assert_eq!(back, Some(value), "{value} written as {json}");
        let back = back.unwrap_or_default();
        assert_eq!(back.scale(), value.scale(), "{value} written as {json}");
    }
}

/// `wire::lenient_bool`: `true`/`false`, bare or quoted, any case; nothing else.
pub fn wire_bool(data: &[u8]) {
    let Some((document, raw)) = as_field(data) else {
        return;
    };
    let read = serde_json::from_str::<Flag>(&document).ok().map(|f| f.v);
    let word = raw.trim_matches('"');
    let expected = if word.eq_ignore_ascii_case("true") {
        Some(true)
    } else if word.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    };
    assert_eq!(read, expected, "lenient_bool of {raw}");
    if let Some(value) = read {
        let json = serde_json::to_string(&Flag { v: value }).unwrap_or_default();
        assert_eq!(json, format!("{{\"v\":{value}}}"));
    }
}

/// `Money::parse` for every currency; every amount it accepts round-trips through every wire
/// form ([`money_round_trips`]).
pub fn money_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for currency in Currency::ALL {
        if let Ok(money) = Money::parse(&text, *currency) {
            money_round_trips(money);
        }
    }
}

/// `money` survives every wire form paykit writes: the 2-decimal string (iPay), the JSON
/// number literal (maib, Maya, miaPOS), the JSON string (`decimal_string`) and minor units.
pub fn money_round_trips(money: Money) {
    let currency = money.currency();
    let fixed = money.to_fixed_string();
    assert_eq!(
        money.amount().scale(),
        currency.exponent(),
        "{money}: scale"
    );
    let decimals = fixed.split_once('.').map_or(0, |(_, d)| d.len());
    assert_eq!(
        u32::try_from(decimals).ok(),
        Some(currency.exponent()),
        "{fixed}: decimals"
    );
    assert_eq!(
        Money::parse(&fixed, currency).ok(),
        Some(money),
        "{fixed}: fixed string"
    );
    let number = serde_json::to_string(&Number { v: money.amount() }).unwrap_or_default();
    assert_eq!(
        number,
        format!("{{\"v\":{fixed}}}"),
        "{money}: number literal"
    );
    let read = serde_json::from_str::<Number>(&number).ok().map(|n| n.v);
    assert_eq!(
        read.and_then(|v| Money::new(v, currency).ok()),
        Some(money),
        "{number}: number literal read back"
    );
    let string = serde_json::to_string(&Text { v: money.amount() }).unwrap_or_default();
    assert_eq!(string, format!("{{\"v\":\"{fixed}\"}}"), "{money}: string");
    let read = serde_json::from_str::<Text>(&string).ok().map(|n| n.v);
    assert_eq!(
        read.and_then(|v| Money::new(v, currency).ok()),
        Some(money),
        "{string}: string read back"
    );
    match money.to_minor_units() {
        Ok(minor) => {
            assert_eq!(
                Money::from_minor(minor, currency).ok(),
                Some(money),
                "{money}: minor units {minor}"
            );
            assert_eq!(
                minor.to_string(),
                minor_digits(&fixed),
                "{money}: minor digits"
            );
        }
        // Only amounts past i64 minor units may refuse.
        Err(_) => assert!(
            money.amount().mantissa().unsigned_abs() > u128::from(i64::MAX.unsigned_abs()),
            "{money}: minor units refused"
        ),
    }
}

/// The minor units a fixed string spells: its digits without the point or leading zeros.
fn minor_digits(fixed: &str) -> String {
    let digits: String = fixed.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        "0".to_owned()
    } else {
        digits.to_owned()
    }
}
