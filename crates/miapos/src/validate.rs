//! Field rules checked before any I/O (miapos.md §3.3, §3.4, §7).
//!
//! | field | rule | source |
//! |---|---|---|
//! | `terminal_id`, `order_id`, `description` | present, not blank | spec: required |
//! | `currency` | MDL only | spec: "currently always MDL"; plugins refuse others |
//! | `amount` | more than 0, at most 2 decimals | spec + observed 400 on zero; plugins format to 2 dp |
//! | `payment_type` | `qr` or `rtp`; `rtp` needs `client_phone` | spec |
//! | `language` | `ro`, `ru` or `en` | spec (enforced by [`crate::Language`]) |
//! | `client_name` | not blank, at most 128 characters | plugins truncate to 128 |
//! | `client_phone` | a Moldovan number, sent as its 8 national digits (`69123456`); see [`client_phone`] | spec example `79000001`, §7.12, CS-Cart |
//! | `client_email` | one `@` with text on both sides, no spaces, at most 254 characters | RFC 5321 |
//! | `callback_url`, `success_url`, `fail_url` | absolute `http(s)` URL | spec: `string (URL)` |
//! | `payment_id` | not empty, not `.`/`..` (percent-encoded into the path) | path safety |
//!
//! Every failure is [`Error::InvalidInput`] naming the field; nothing is sent.

use std::borrow::Cow;

use paykit_core::http::encode_path_segment;
use paykit_core::{Currency, Error, Money, Result};

use crate::types::{DirectRtpRequest, PayRequest, PaymentType};

/// Longest `clientName` the plugins send.
pub(crate) const CLIENT_NAME_MAX_CHARS: usize = 128;
/// Digits of a Moldovan national phone number.
pub(crate) const CLIENT_PHONE_DIGITS: usize = 8;
/// Longest e-mail address (RFC 5321 path limit).
pub(crate) const CLIENT_EMAIL_MAX_CHARS: usize = 254;

/// Checks a `/pay` request with its effective terminal and payment type; returns the payer's
/// phone as it goes on the wire (8 national digits), if any.
pub(crate) fn pay(
    request: &PayRequest,
    terminal_id: &str,
    payment_type: PaymentType,
) -> Result<Option<String>> {
    required("terminal_id", terminal_id)?;
    required("order_id", &request.order_id)?;
    amount(&request.amount)?;
    required("description", &request.description)?;
    if let Some(name) = &request.client_name {
        client_name(name)?;
    }
    let phone = match (&request.client_phone, payment_type) {
        (Some(phone), _) => Some(client_phone(phone)?),
        (None, PaymentType::Rtp) => {
            return Err(Error::invalid_input(
                "client_phone",
                "is required when payment_type is rtp",
            ));
        }
        (None, PaymentType::Qr) => None,
    };
    if let Some(email) = &request.client_email {
        client_email(email)?;
    }
    optional_url("callback_url", request.callback_url.as_deref())?;
    optional_url("success_url", request.success_url.as_deref())?;
    optional_url("fail_url", request.fail_url.as_deref())?;
    Ok(phone)
}

/// Checks a `/request-to-pay/direct` request with its effective terminal; returns the payer's
/// phone as it goes on the wire.
pub(crate) fn direct_rtp(request: &DirectRtpRequest, terminal_id: &str) -> Result<String> {
    required("terminal_id", terminal_id)?;
    required("order_id", &request.order_id)?;
    amount(&request.amount)?;
    required("description", &request.description)?;
    client_name(&request.client_name)?;
    let phone = client_phone(&request.client_phone)?;
    if let Some(email) = &request.client_email {
        client_email(email)?;
    }
    optional_url("callback_url", request.callback_url.as_deref())?;
    Ok(phone)
}

/// The payment id, percent-encoded for the path.
pub(crate) fn payment_id(id: &str) -> Result<String> {
    encode_path_segment("payment_id", id)
}

fn required(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(
            field,
            "is required and must not be blank",
        ));
    }
    Ok(())
}

fn amount(money: &Money) -> Result<()> {
    if money.currency() != Currency::MDL {
        return Err(Error::invalid_input(
            "currency",
            format!("miaPOS accepts MDL only, got {}", money.currency()),
        ));
    }
    if money.amount() <= paykit_core::Decimal::ZERO {
        return Err(Error::invalid_input(
            "amount",
            format!("must be more than 0, got {}", money.amount()),
        ));
    }
    if money.amount().normalize().scale() > 2 {
        return Err(Error::invalid_input(
            "amount",
            format!("at most 2 decimals, got {}", money.amount()),
        ));
    }
    Ok(())
}

fn client_name(name: &str) -> Result<()> {
    required("client_name", name)?;
    let chars = name.chars().count();
    if chars > CLIENT_NAME_MAX_CHARS {
        return Err(Error::invalid_input(
            "client_name",
            format!("at most {CLIENT_NAME_MAX_CHARS} characters, got {chars}"),
        ));
    }
    Ok(())
}

/// What a phone may look like, for the error message.
const PHONE_FORMS: &str = "a Moldovan phone number: 8 national digits (69123456), with a \
     leading 0 (069123456), or with the country code 373 as 37369123456, +37369123456 or \
     0037369123456; spaces, '-', '.' and parentheses between digits are ignored";

/// The payer's phone as miaPOS wants it: the 8 digits of the Moldovan national number
/// (`69123456`; the spec's example is `79000001`, and CS-Cart keeps the last 8 digits).
///
/// Accepted: the 8 digits; the domestic form with its trunk `0` (`069123456`); the
/// international form with the country code 373 (`37369123456`, `+37369123456`,
/// `0037369123456`). Spaces, hyphens, dots and parentheses are read as separators. Anything
/// else (another country code, a wrong number of digits, letters, non-ASCII digits, a `+` not
/// at the start) is refused: guessing which 8 digits were meant could send a request to pay to
/// someone else's phone. The refusal does not repeat the number (personal data).
pub(crate) fn client_phone(phone: &str) -> Result<String> {
    let refuse = |detail: &str| {
        Error::invalid_input("client_phone", format!("must be {PHONE_FORMS}; {detail}"))
    };
    let trimmed = phone.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(refuse("it holds other characters")),
        }
    }
    // After the country code, a domestic trunk 0 is tolerated: "+373 (0)69 123 456".
    let after_country_code = |international: &str| -> Result<String> {
        let national = international
            .strip_prefix("373")
            .ok_or_else(|| refuse("the country code is not 373 (Moldova)"))?;
        Ok(match national.strip_prefix('0') {
            Some(rest) if national.len() == CLIENT_PHONE_DIGITS + 1 => rest.to_owned(),
            _ => national.to_owned(),
        })
    };
    let national = if plus {
        after_country_code(&digits)?
    } else if let Some(international) = digits.strip_prefix("00") {
        after_country_code(international)?
    } else if digits.len() == CLIENT_PHONE_DIGITS + 3 && digits.starts_with("373") {
        after_country_code(&digits)?
    } else if digits.len() == CLIENT_PHONE_DIGITS + 1 && digits.starts_with('0') {
        digits[1..].to_owned()
    } else {
        digits
    };
    if national.len() != CLIENT_PHONE_DIGITS {
        return Err(refuse(&format!("got {} national digits", national.len())));
    }
    if national.starts_with('0') {
        return Err(refuse("a national number does not start with 0"));
    }
    Ok(national)
}

fn client_email(email: &str) -> Result<()> {
    let chars = email.chars().count();
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !well_formed || chars > CLIENT_EMAIL_MAX_CHARS {
        return Err(Error::invalid_input(
            "client_email",
            format!("must be an e-mail address of at most {CLIENT_EMAIL_MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

fn optional_url(field: &'static str, value: Option<&str>) -> Result<()> {
    let Some(text) = value else {
        return Ok(());
    };
    let parsed = url::Url::parse(text)
        .map_err(|e| Error::invalid_input(field, format!("is not an absolute URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid_input(
            field,
            "must be an http(s) URL with a host",
        ));
    }
    Ok(())
}

/// Renames the field of an [`Error::InvalidInput`] with `names` (native name → caller's
/// name), so trait callers see the fields of their own request.
pub(crate) fn rename_field(error: Error, names: &[(&str, &'static str)]) -> Error {
    match error {
        Error::InvalidInput { field, reason } => {
            let renamed = names
                .iter()
                .find(|(native, _)| *native == field)
                .map_or(field, |(_, caller)| Cow::Borrowed(*caller));
            Error::InvalidInput {
                field: renamed,
                reason,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mdl(text: &str) -> Money {
        Money::parse(text, Currency::MDL).unwrap()
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Err(Error::InvalidInput { field, .. }) => field.into_owned(),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    fn qr() -> PayRequest {
        PayRequest::new("o-1", mdl("10.00"), "Order o-1")
    }

    #[test]
    fn a_complete_request_passes() {
        let request = qr()
            .client_name("Ion Popescu")
            .client_email("ion@example.md")
            .client_phone("79000001")
            .callback_url("https://shop.example.md/cb")
            .success_url("https://shop.example.md/ok?order=1")
            .fail_url("http://127.0.0.1:8080/fail");
        pay(&request, "TE0001", PaymentType::Qr).unwrap();
        pay(&request, "TE0001", PaymentType::Rtp).unwrap();
    }

    #[test]
    fn required_fields_are_named() {
        assert_eq!(field_of(pay(&qr(), " ", PaymentType::Qr)), "terminal_id");
        let mut request = qr();
        request.order_id = String::new();
        assert_eq!(field_of(pay(&request, "T", PaymentType::Qr)), "order_id");
        let mut request = qr();
        request.description = "  ".into();
        assert_eq!(field_of(pay(&request, "T", PaymentType::Qr)), "description");
    }

    #[test]
    fn amounts_must_be_positive_mdl() {
        let zero = PayRequest::new("o", Money::zero(Currency::MDL), "d");
        assert_eq!(field_of(pay(&zero, "T", PaymentType::Qr)), "amount");
        let eur = PayRequest::new("o", Money::parse("1", Currency::EUR).unwrap(), "d");
        assert_eq!(field_of(pay(&eur, "T", PaymentType::Qr)), "currency");
        let cent = PayRequest::new("o", mdl("0.01"), "d");
        pay(&cent, "T", PaymentType::Qr).unwrap();
    }

    #[test]
    fn rtp_needs_a_phone_of_eight_digits() {
        assert_eq!(field_of(pay(&qr(), "T", PaymentType::Rtp)), "client_phone");
        for bad in [
            "6912345",
            "691234567",
            "+37369123",
            "6912 345",
            "６９１２３４５６",
        ] {
            let request = qr().client_phone(bad);
            assert_eq!(
                field_of(pay(&request, "T", PaymentType::Qr)),
                "client_phone",
                "{bad}"
            );
        }
    }

    #[test]
    fn every_written_form_of_a_moldovan_phone_becomes_its_eight_digits() {
        for form in [
            "69123456",
            "069123456",
            "37369123456",
            "+37369123456",
            "0037369123456",
            "+373 69 123 456",
            "+373-69-123-456",
            "+373 (0)69 123 456",
            "(069) 123-456",
            "069.123.456",
            " 69123456 ",
            "373 69 12 34 56",
        ] {
            assert_eq!(client_phone(form).unwrap(), "69123456", "{form}");
        }
        assert_eq!(client_phone("79000001").unwrap(), "79000001");
        assert_eq!(client_phone("+373 22 123 456").unwrap(), "22123456");
    }

    #[test]
    fn phones_that_are_not_moldovan_numbers_are_refused_with_the_accepted_forms() {
        for garbage in [
            "",
            "   ",
            "+",
            "6912345",          // 7 digits
            "691234567",        // 9 digits without a trunk 0
            "0691234567",       // 10 digits
            "3736912345",       // 373 + 7
            "373691234567",     // 373 + 9 not starting with 0
            "+37369123",        // too short after +373
            "+40712345678",     // Romania
            "+7 912 345 67 89", // Russia
            "0040712345678",    // Romania, 00 form
            "00123456",         // 00 without 373
            "01234567",         // a national number never starts with 0
            "++37369123456",    // second +
            "373+69123456",     // + not at the start
            "69 12 34 5a",      // a letter
            "tel:069123456",    // a scheme
            "069123456 ext 12", // an extension
            "６９１２３４５６", // full-width digits
            "٦٩١٢٣٤٥٦",         // Arabic-Indic digits
            "6912\t3456",       // a tab
            "69_123_456",       // another separator
        ] {
            let err = client_phone(garbage).unwrap_err();
            let Error::InvalidInput { field, reason } = &err else {
                panic!("{garbage:?}: {err:?}");
            };
            assert_eq!(field, "client_phone", "{garbage:?}");
            assert!(reason.contains("8 national digits (69123456)"), "{reason}");
            assert!(reason.contains("+37369123456"), "{reason}");
            // The refusal never repeats the number (personal data).
            if garbage.trim().len() > 3 && !PHONE_FORMS.contains(garbage.trim()) {
                assert!(!reason.contains(garbage.trim()), "{reason}");
            }
        }
    }

    #[test]
    fn the_normalised_phone_is_what_the_request_sends() {
        let request = qr().client_phone("+373 69 123 456");
        assert_eq!(
            pay(&request, "T", PaymentType::Rtp).unwrap().as_deref(),
            Some("69123456")
        );
        assert_eq!(pay(&qr(), "T", PaymentType::Qr).unwrap(), None);
        let direct = DirectRtpRequest::new("INV-1", mdl("1"), "d", "Maria", "069123456");
        assert_eq!(direct_rtp(&direct, "RTP0001").unwrap(), "69123456");
    }

    #[test]
    fn names_emails_and_urls_are_checked() {
        let long = qr().client_name("x".repeat(129));
        assert_eq!(field_of(pay(&long, "T", PaymentType::Qr)), "client_name");
        let exact = qr().client_name("ă".repeat(128));
        pay(&exact, "T", PaymentType::Qr).unwrap();
        for bad in ["ion", "@example.md", "ion@", "i on@example.md", "a@b@c"] {
            let request = qr().client_email(bad);
            assert_eq!(
                field_of(pay(&request, "T", PaymentType::Qr)),
                "client_email",
                "{bad}"
            );
        }
        for (field, request) in [
            ("callback_url", qr().callback_url("/relative")),
            ("success_url", qr().success_url("ftp://x.md/")),
            ("fail_url", qr().fail_url("not a url")),
        ] {
            assert_eq!(field_of(pay(&request, "T", PaymentType::Qr)), field);
        }
    }

    #[test]
    fn direct_rtp_requires_name_and_phone() {
        let ok = DirectRtpRequest::new("INV-77", mdl("75.00"), "Abonament", "Maria", "69123456");
        direct_rtp(&ok, "RTP0001").unwrap();
        let mut no_name = ok.clone();
        no_name.client_name = String::new();
        assert_eq!(field_of(direct_rtp(&no_name, "RTP0001")), "client_name");
        let mut bad_phone = ok.clone();
        bad_phone.client_phone = "0691234567".into();
        assert_eq!(field_of(direct_rtp(&bad_phone, "RTP0001")), "client_phone");
        assert_eq!(field_of(direct_rtp(&ok, "")), "terminal_id");
    }

    #[test]
    fn payment_ids_are_encoded_and_empty_ones_refused() {
        assert_eq!(payment_id("a/b").unwrap(), "a%2Fb");
        assert!(matches!(
            payment_id(""),
            Err(Error::InvalidInput { ref field, .. }) if field == "payment_id"
        ));
    }

    #[test]
    fn fields_are_renamed_for_trait_callers() {
        let err = Error::invalid_input("client_phone", "bad");
        let renamed = rename_field(err, &[("client_phone", "customer.phone")]);
        assert!(
            matches!(renamed, Error::InvalidInput { ref field, .. } if field == "customer.phone")
        );
        let untouched = rename_field(Error::invalid_input("amount", "x"), &[]);
        assert!(matches!(untouched, Error::InvalidInput { ref field, .. } if field == "amount"));
    }
}
