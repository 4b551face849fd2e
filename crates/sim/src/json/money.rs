//! Exact decimal numbers on the JSON wire.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// A decimal written into JSON as a number literal with exactly its own digits
/// (`Money(dec!(10.50))` is written `10.50`), never through `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Money(pub(crate) Decimal);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.0.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Parses a JSON number literal (as a [`RawValue`] holds it) into a decimal. `None` when the
/// literal does not fit a `Decimal` (about 28 significant digits, |x| < 7.9e28).
pub(crate) fn parse_number(literal: &str) -> Option<Decimal> {
    if literal.contains(['e', 'E']) {
        Decimal::from_scientific(literal).ok()
    } else {
        Decimal::from_str_exact(literal)
            .ok()
            .or_else(|| Decimal::from_str(literal).ok())
    }
}

/// Parses a plain decimal string (`"10.50"`, `"7"`, `"-0.1"`): optional minus, digits, and an
/// optional fraction. Rejects exponents, signs other than a leading `-`, spaces, separators.
pub(crate) fn parse_plain_decimal(text: &str) -> Option<Decimal> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(int) || frac.is_some_and(|f| !digits_ok(f)) {
        return None;
    }
    Decimal::from_str_exact(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_literal_digits() {
        let v = Money(Decimal::new(1050, 2));
        assert_eq!(serde_json::to_string(&v).unwrap(), "10.50");
        let v = Money(Decimal::new(7, 0));
        assert_eq!(serde_json::to_string(&v).unwrap(), "7");
    }

    #[test]
    fn parses_number_literals_exactly() {
        assert_eq!(parse_number("10.25"), Some(Decimal::new(1025, 2)));
        assert_eq!(parse_number("1775.00").map(|d| d.scale()), Some(2));
        assert_eq!(parse_number("1e2"), Some(Decimal::new(100, 0)));
        assert_eq!(parse_number("1e400"), None);
        assert_eq!(parse_number("123456789012345678901234567890123"), None);
    }

    #[test]
    fn plain_decimals_only() {
        assert_eq!(parse_plain_decimal("10.50"), Some(Decimal::new(1050, 2)));
        assert_eq!(parse_plain_decimal("0.1"), Some(Decimal::new(1, 1)));
        for bad in ["", "1e2", "1_000", " 1", "1.", ".5", "+1", "1,5", "abc"] {
            assert_eq!(parse_plain_decimal(bad), None, "{bad}");
        }
    }
}
