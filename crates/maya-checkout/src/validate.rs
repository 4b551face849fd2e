//! Limits checked before any I/O (spec §3): the reference number, reasons, amounts, ids.

use paykit_core::http::encode_path_segment;
use paykit_core::{Currency, Error, Money, Result};
use rust_decimal::Decimal;

/// The only currency of these products (spec §0).
pub(crate) const CURRENCY: Currency = Currency::PHP;

/// Longest `requestReferenceNumber` (spec §3.1.3).
pub const MAX_REFERENCE_CHARS: usize = 36;
/// Longest void/refund `reason` (spec §3.7).
pub const MAX_REASON_CHARS: usize = 512;

/// The largest amount accepted: Maya documents none for Checkout, so the Mini App API's
/// 9,999,999,999.99 bound (spec §3.1.1) keeps absurd values from being sent.
pub(crate) fn max_amount() -> Decimal {
    Decimal::new(999_999_999_999, 2)
}

/// A reference number: 1 to 36 characters, no control characters.
pub(crate) fn reference(field: &'static str, rrn: &str) -> Result<()> {
    let count = rrn.chars().count();
    if count == 0 || count > MAX_REFERENCE_CHARS {
        return Err(Error::invalid_input(
            field,
            format!("must be 1 to {MAX_REFERENCE_CHARS} characters, got {count}"),
        ));
    }
    if rrn.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            field,
            "must not hold control characters",
        ));
    }
    Ok(())
}

/// A void or refund reason: 1 to 512 characters, not blank.
pub(crate) fn reason(reason: &str) -> Result<()> {
    let count = reason.chars().count();
    if reason.trim().is_empty() || count > MAX_REASON_CHARS {
        return Err(Error::invalid_input(
            "reason",
            format!("must be 1 to {MAX_REASON_CHARS} characters and not blank"),
        ));
    }
    Ok(())
}

/// An amount Maya accepts: PHP, more than zero, at most two decimals, at most
/// 9,999,999,999.99.
pub(crate) fn amount(field: &'static str, money: &Money) -> Result<()> {
    if money.currency() != CURRENCY {
        return Err(Error::invalid_input(
            "currency",
            format!(
                "{} is not accepted; Maya takes PHP only (PY0037)",
                money.currency()
            ),
        ));
    }
    let value = money.amount();
    if value <= Decimal::ZERO {
        return Err(Error::invalid_input(field, "must be more than zero"));
    }
    if value.normalize().scale() > 2 {
        return Err(Error::invalid_input(
            field,
            format!("has more than two decimals: {value}"),
        ));
    }
    if value > max_amount() {
        return Err(Error::invalid_input(
            field,
            format!("must be at most {}", max_amount()),
        ));
    }
    Ok(())
}

/// An id placed in a path, escaped.
pub(crate) fn segment(field: &'static str, id: &str) -> Result<String> {
    if id.chars().count() > 128 {
        return Err(Error::invalid_input(field, "is longer than 128 characters"));
    }
    encode_path_segment(field, id)
}

/// A reference placed in a path (P3, P5, P8): checked, then escaped.
pub(crate) fn reference_segment(rrn: &str) -> Result<String> {
    reference("request_reference_number", rrn)?;
    encode_path_segment("request_reference_number", rrn)
}

/// A URL Maya redirects the customer to: absolute `https://` or `http://`.
pub(crate) fn url(field: &'static str, url: &str) -> Result<()> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || url.len() > 2048
        || url.chars().any(|c| c.is_control() || c == ' ')
    {
        return Err(Error::invalid_input(
            field,
            "must be an absolute http(s) URL without spaces, at most 2048 bytes",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn php(text: &str) -> Money {
        Money::parse(text, Currency::PHP).unwrap()
    }

    #[test]
    fn references_are_one_to_thirty_six_characters() {
        assert!(reference("rrn", "").is_err());
        assert!(reference("rrn", &"a".repeat(36)).is_ok());
        assert!(reference("rrn", &"a".repeat(37)).is_err());
        assert!(reference("rrn", &"é".repeat(36)).is_ok());
        assert!(reference("rrn", "a\nb").is_err());
    }

    #[test]
    fn amounts_follow_the_rules() {
        assert!(amount("amount", &php("249.50")).is_ok());
        assert!(amount("amount", &php("0")).is_err());
        assert!(amount("amount", &php("1.100")).is_ok());
        assert!(amount("amount", &php("10000000000")).is_err());
        assert!(amount("amount", &Money::parse("1", Currency::EUR).unwrap()).is_err());
    }

    #[test]
    fn reasons_are_bounded() {
        assert!(reason(" ").is_err());
        assert!(reason(&"r".repeat(512)).is_ok());
        assert!(reason(&"r".repeat(513)).is_err());
    }
}
