//! Serde helpers that move decimals on and off the wire exactly.
//!
//! JSON numbers are written from the decimal's text and read from the number's literal text
//! (serde_json's `RawValue`), so `10.25` never passes through a binary float. Use them per field:
//!
//! ```
//! use rust_decimal::Decimal;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Body {
//!     #[serde(with = "paykit_core::wire::decimal_number")]
//!     amount: Decimal,
//! }
//!
//! let body: Body = serde_json::from_str(r#"{"amount": 10.25}"#)?;
//! assert_eq!(body.amount.to_string(), "10.25");
//! assert_eq!(serde_json::to_string(&body)?, r#"{"amount":10.25}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Parses a JSON number literal or a JSON string holding a decimal, e.g. `10.25`, `"10.25"`,
/// `1e2`. Plain decimal text is parsed exactly; exponent notation is accepted for robustness.
pub fn parse_decimal_literal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let unquoted = match text.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?.trim(),
        None => text,
    };
    if unquoted.is_empty() {
        return None;
    }
    if unquoted.contains(['e', 'E']) {
        Decimal::from_scientific(unquoted).ok()
    } else {
        Decimal::from_str_exact(unquoted).ok()
    }
}

fn write_number<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(value.to_string()).map_err(S::Error::custom)?;
    raw.serialize(serializer)
}

fn read_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    parse_decimal_literal(raw.get())
        .ok_or_else(|| D::Error::custom(format!("not a decimal amount: {}", raw.get())))
}

/// A decimal written as a JSON number; read from a number or a numeric string.
pub mod decimal_number {
    use super::*;

    /// Writes `value` as a JSON number literal.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        write_number(value, serializer)
    }

    /// Reads a JSON number or numeric string exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        read_lenient(deserializer)
    }
}

/// An optional decimal written as a JSON number; `null` or absent is `None`
/// (pair with `#[serde(default)]`).
pub mod opt_decimal_number {
    use super::*;

    /// Writes `Some` as a JSON number literal and `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => write_number(v, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null`, a JSON number or a numeric string.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
        match raw {
            None => Ok(None),
            Some(raw) if raw.get().trim() == "null" => Ok(None),
            Some(raw) => parse_decimal_literal(raw.get())
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("not a decimal amount: {}", raw.get()))),
        }
    }
}

/// A decimal written as a JSON string (`"10.25"`); read from a string or a number.
pub mod decimal_string {
    use super::*;

    /// Writes `value` as a string with its own scale.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads a JSON string or number exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        read_lenient(deserializer)
    }
}

/// An optional decimal written as a JSON string; `null` or absent is `None`.
pub mod opt_decimal_string {
    use super::*;

    /// Writes `Some` as a string and `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.collect_str(v),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null`, a JSON string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        super::opt_decimal_number::deserialize(deserializer)
    }
}

/// A decimal in a form-encoded body (`amount=10.25`): text in, text out.
pub mod form_decimal {
    use super::*;

    /// Writes `value` as text.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads decimal text exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_decimal_literal(&text)
            .ok_or_else(|| D::Error::custom(format!("not a decimal amount: {text:?}")))
    }
}

/// A boolean that some providers send as `true` and sometimes as `"true"` (maib's `ok`).
pub mod lenient_bool {
    use super::*;

    /// Writes a JSON boolean.
    pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }

    /// Reads `true`/`false` or the strings `"true"`/`"false"` (any case).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get().trim().trim_matches('"');
        if text.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if text.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(D::Error::custom(format!("not a boolean: {}", raw.get())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Num {
        #[serde(with = "decimal_number")]
        amount: Decimal,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Str {
        #[serde(with = "decimal_string")]
        amount: Decimal,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Opt {
        #[serde(with = "opt_decimal_number", default)]
        amount: Option<Decimal>,
    }

    #[derive(Deserialize, Debug)]
    struct Flag {
        #[serde(with = "lenient_bool")]
        ok: bool,
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn numbers_are_written_from_the_decimal_text() {
        let out = serde_json::to_string(&Num {
            amount: dec("10.25"),
        })
        .unwrap();
        assert_eq!(out, r#"{"amount":10.25}"#);
        let out = serde_json::to_string(&Num {
            amount: dec("1.10"),
        })
        .unwrap();
        assert_eq!(out, r#"{"amount":1.10}"#);
    }

    #[test]
    fn numbers_beyond_float_precision_read_exactly() {
        let n: Num = serde_json::from_str(r#"{"amount": 90071992547409.93}"#).unwrap();
        assert_eq!(n.amount, dec("90071992547409.93"));
        let n: Num = serde_json::from_str(r#"{"amount": 0.1}"#).unwrap();
        assert_eq!(n.amount.to_string(), "0.1");
    }

    #[test]
    fn amounts_read_from_strings_or_numbers() {
        let a: Str = serde_json::from_str(r#"{"amount":"10.50"}"#).unwrap();
        let b: Str = serde_json::from_str(r#"{"amount":10.50}"#).unwrap();
        assert_eq!(a.amount, b.amount);
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"amount":"10.50"}"#);
    }

    #[test]
    fn non_numbers_are_decode_errors_not_panics() {
        for bad in [
            r#"{"amount":"ten"}"#,
            r#"{"amount":true}"#,
            r#"{"amount":{}}"#,
            r#"{"amount":""}"#,
        ] {
            assert!(serde_json::from_str::<Num>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn optional_amounts_accept_null_and_absence() {
        assert_eq!(serde_json::from_str::<Opt>(r#"{}"#).unwrap().amount, None);
        assert_eq!(
            serde_json::from_str::<Opt>(r#"{"amount":null}"#)
                .unwrap()
                .amount,
            None
        );
        assert_eq!(
            serde_json::from_str::<Opt>(r#"{"amount":"2.5"}"#)
                .unwrap()
                .amount,
            Some(dec("2.5"))
        );
    }

    #[test]
    fn exponent_literals_are_understood() {
        assert_eq!(parse_decimal_literal("1e2"), Some(dec("100")));
        assert_eq!(parse_decimal_literal("\"\""), None);
    }

    #[test]
    fn lenient_bool_takes_strings() {
        assert!(serde_json::from_str::<Flag>(r#"{"ok":"true"}"#).unwrap().ok);
        assert!(!serde_json::from_str::<Flag>(r#"{"ok":false}"#).unwrap().ok);
        assert!(serde_json::from_str::<Flag>(r#"{"ok":"yes"}"#).is_err());
    }
}
