//! Field limits from the spec, checked before any I/O. Every failure is an
//! [`Error::InvalidInput`] naming the field; nothing is sent.

use std::borrow::Cow;

use paykit_core::{Currency, Decimal, Error, Money, Result};

/// The only currency of Mini App payments (spec §5.2: accounts hold one currency, PHP in
/// practice; another one is answered with PY0037).
pub(crate) const CURRENCY: Currency = Currency::PHP;

/// Largest `amount.value` (spec §5.2: 0.001 … 9999999999.99).
pub(crate) fn max_amount() -> Decimal {
    Decimal::new(999_999_999_999, 2)
}

/// Smallest `amount.value` for PHP: one centavo. The documented lower bound is 0.001, which a
/// two-decimal currency cannot express.
pub(crate) fn min_amount() -> Decimal {
    Decimal::new(1, 2)
}

/// Longest `Request-Reference-No` / `requestReferenceNumber` (spec §5.3: AN(36)) and payment
/// `id` (a UUIDv4).
pub(crate) const MAX_REFERENCE_LEN: usize = 36;

/// Longest `sessionId` (spec §4.1: AN(255)).
pub(crate) const MAX_SESSION_ID_LEN: usize = 255;

/// Amount rules: PHP, more than zero, at most two decimals, at most 9,999,999,999.99.
pub(crate) fn amount(field: &'static str, amount: &Money) -> Result<()> {
    if amount.currency() != CURRENCY {
        return Err(Error::invalid_input(
            "currency",
            format!(
                "Maya Mini App payments are in {CURRENCY} only, got {}",
                amount.currency()
            ),
        ));
    }
    let value = amount.amount();
    if value.normalize().scale() > CURRENCY.exponent() {
        return Err(Error::invalid_input(
            field,
            format!("at most 2 decimals, got {value}"),
        ));
    }
    if value < min_amount() {
        return Err(Error::invalid_input(
            field,
            format!(
                "must be more than zero (at least {}), got {value}",
                min_amount()
            ),
        ));
    }
    if value > max_amount() {
        return Err(Error::invalid_input(
            field,
            format!("must be at most {}, got {value}", max_amount()),
        ));
    }
    Ok(())
}

/// `p2mId`: issued by Maya at onboarding; required on create.
pub(crate) fn p2m_id(p2m_id: Option<&str>) -> Result<&str> {
    let Some(p2m_id) = p2m_id else {
        return Err(Error::invalid_input(
            "p2m_id",
            "is required to create a payment: set the p2mId Maya issued at onboarding",
        ));
    };
    non_blank("p2m_id", p2m_id)?;
    Ok(p2m_id)
}

/// A payment `id` from create: a UUIDv4 per the spec; accepted as 1–36 characters of
/// `[A-Za-z0-9_-]` so it is always a safe path segment.
pub(crate) fn payment_id(field: &'static str, id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_REFERENCE_LEN {
        return Err(Error::invalid_input(
            field,
            format!(
                "must be 1 to {MAX_REFERENCE_LEN} characters (a UUID), got {}",
                id.len()
            ),
        ));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::invalid_input(
            field,
            "may hold only letters, digits, '-' and '_' (a UUID)",
        ));
    }
    Ok(())
}

/// `Request-Reference-No`: a UUIDv4 (spec §5.1), 36 characters.
pub(crate) fn request_reference(field: &'static str, text: &str) -> Result<()> {
    let bytes = text.as_bytes();
    let fail = |why: &str| {
        Err(Error::invalid_input(
            field,
            format!("must be a UUIDv4: {why}"),
        ))
    };
    if bytes.len() != MAX_REFERENCE_LEN {
        return fail("36 characters with hyphens expected");
    }
    for (index, byte) in bytes.iter().enumerate() {
        let hyphen = matches!(index, 8 | 13 | 18 | 23);
        if hyphen != (*byte == b'-') || (!hyphen && !byte.is_ascii_hexdigit()) {
            return fail("hex digits in 8-4-4-4-12 groups expected");
        }
    }
    if bytes.get(14) != Some(&b'4') {
        return fail("version digit (15th character) must be 4");
    }
    let variant = bytes.get(19).map(u8::to_ascii_lowercase);
    if !matches!(variant, Some(b'8' | b'9' | b'a' | b'b')) {
        return fail("variant digit (20th character) must be 8, 9, a or b");
    }
    Ok(())
}

/// `sessionId`: 1–255 URL-safe characters (RFC 3986 unreserved), single use.
pub(crate) fn session_id(text: &str) -> Result<()> {
    if text.is_empty() || text.len() > MAX_SESSION_ID_LEN {
        return Err(Error::invalid_input(
            "session_id",
            format!(
                "must be 1 to {MAX_SESSION_ID_LEN} characters, got {}",
                text.len()
            ),
        ));
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    {
        return Err(Error::invalid_input(
            "session_id",
            "must be URL-safe: letters, digits, '-', '.', '_' and '~' only",
        ));
    }
    Ok(())
}

/// A session store key: the merchant's own choice (the Session URL's `sessionId`, or a
/// customer id), 1–255 visible ASCII characters, so every engine can hold it as is. The error
/// never echoes it: it is the key to a customer's tokens.
pub(crate) fn store_key(field: &'static str, key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_SESSION_ID_LEN {
        return Err(Error::invalid_input(
            field,
            format!(
                "must be 1 to {MAX_SESSION_ID_LEN} characters, got {}",
                key.len()
            ),
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_input(
            field,
            "must be visible ASCII without spaces",
        ));
    }
    Ok(())
}

/// A token that travels in a header: non-empty, visible ASCII, no spaces.
pub(crate) fn token(field: &'static str, token: &str) -> Result<()> {
    if token.is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        // Never echo the token itself: it is a credential.
        return Err(Error::invalid_input(
            field,
            "must be visible ASCII without spaces (it is sent in a header)",
        ));
    }
    Ok(())
}

/// `expiresAt`: Unix seconds, positive, convertible to milliseconds.
pub(crate) fn expires_at(field: &'static str, seconds: i64) -> Result<i64> {
    if seconds <= 0 {
        return Err(Error::invalid_input(
            field,
            format!("must be a positive Unix time in seconds, got {seconds}"),
        ));
    }
    seconds
        .checked_mul(1000)
        .ok_or_else(|| Error::invalid_input(field, format!("{seconds} is out of range")))
}

/// A configuration value that must be present and without surrounding whitespace or control
/// characters.
pub(crate) fn non_blank(field: impl Into<Cow<'static, str>>, value: &str) -> Result<()> {
    let field = field.into();
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    if value.trim() != value || value.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            field,
            "must not have surrounding whitespace or control characters",
        ));
    }
    Ok(())
}

/// The OAuth client id: present, and without `:` (HTTP Basic cannot carry it, RFC 7617 §2).
pub(crate) fn client_id(client_id: &str) -> Result<()> {
    non_blank("client_id", client_id)?;
    if client_id.contains(':') {
        return Err(Error::invalid_input(
            "client_id",
            "must not contain ':' (it is sent with HTTP Basic)",
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

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("not invalid input: {other}"),
        }
    }

    #[test]
    fn amounts_within_the_documented_range_pass() {
        for ok in ["0.01", "249.50", "9999999999.99"] {
            amount("amount", &php(ok)).unwrap();
        }
    }

    #[test]
    fn zero_too_large_and_foreign_amounts_fail_by_field() {
        assert_eq!(field_of(amount("amount", &php("0")).unwrap_err()), "amount");
        assert_eq!(
            field_of(amount("amount", &php("10000000000.00")).unwrap_err()),
            "amount"
        );
        let usd = Money::parse("1", Currency::USD).unwrap();
        assert_eq!(field_of(amount("amount", &usd).unwrap_err()), "currency");
    }

    #[test]
    fn p2m_id_is_required() {
        assert_eq!(field_of(p2m_id(None).unwrap_err()), "p2m_id");
        assert_eq!(field_of(p2m_id(Some("  ")).unwrap_err()), "p2m_id");
        assert_eq!(field_of(p2m_id(Some(" P2M-1")).unwrap_err()), "p2m_id");
        assert_eq!(p2m_id(Some("P2M-000123456")).unwrap(), "P2M-000123456");
    }

    #[test]
    fn payment_ids_are_safe_path_segments() {
        payment_id("payment_id", "5f0c8a2e-7b41-4d2a-9c3e-2a1b0c9d8e7f").unwrap();
        for bad in ["", "../x", "a/b", "a b", &"a".repeat(37)] {
            assert_eq!(
                field_of(payment_id("payment_id", bad).unwrap_err()),
                "payment_id"
            );
        }
    }

    #[test]
    fn session_ids_are_url_safe_and_bounded() {
        session_id("b6f0e3d2-1c4a-4f7e-9a55-0e8d2c7b9a31").unwrap();
        session_id(&"s".repeat(255)).unwrap();
        for bad in ["", "a b", "a/b", "a?b", &"s".repeat(256)] {
            assert_eq!(field_of(session_id(bad).unwrap_err()), "session_id");
        }
    }

    #[test]
    fn store_keys_are_visible_ascii_bounded_and_never_echoed() {
        store_key("session_id", "maya:customer-42").unwrap();
        store_key("session_id", &"k".repeat(255)).unwrap();
        for bad in ["", "secret key", "secret\tkey", "sécret", &"k".repeat(256)] {
            let err = store_key("session_id", bad).unwrap_err();
            assert!(!err.to_string().contains("secret"), "{err}");
            assert_eq!(field_of(err), "session_id");
        }
    }

    #[test]
    fn tokens_must_be_header_safe_and_are_never_echoed() {
        token("access_token", "test-access-token").unwrap();
        let err = token("access_token", "secret value\n").unwrap_err();
        assert!(!err.to_string().contains("secret value"), "{err}");
        assert_eq!(
            field_of(token("refresh_token", "").unwrap_err()),
            "refresh_token"
        );
    }

    #[test]
    fn expiry_must_be_positive_and_in_range() {
        assert_eq!(
            expires_at("expires_at", 1_767_225_600).unwrap(),
            1_767_225_600_000
        );
        assert!(expires_at("expires_at", 0).is_err());
        assert!(expires_at("expires_at", i64::MAX).is_err());
    }

    #[test]
    fn client_ids_cannot_hold_a_colon() {
        client_id("miniapp-client").unwrap();
        assert_eq!(field_of(client_id("a:b").unwrap_err()), "client_id");
        assert_eq!(field_of(client_id("").unwrap_err()), "client_id");
    }
}
