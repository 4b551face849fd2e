//! What a signed `result` must look like before any of it is believed (issue 10 §3).
//!
//! miaPOS signs the *values* of `result` in key order, not the names (§4). A holder of one
//! genuine callback can therefore rename, drop or add fields as long as the sorted values stay
//! the same: give `orderId` the value that was `paymentDate`, move `terminalId` into an unknown
//! field, send `amount` as a string. The signature still verifies. So after the signature check
//! every documented field must have exactly its documented type and shape, and a body that
//! breaks any rule is refused as a whole:
//!
//! | field | rule | source |
//! |---|---|---|
//! | `paymentId` | required; a UUID (`8-4-4-4-12` hex digits) | §3.3 `string (uuid)` |
//! | `orderId`, `terminalId` | required; non-blank text without control characters | §3.5 |
//! | `status` | required; `CREATED`, `PENDING`, `SUCCESS`, `FAILED`, `DECLINED` or `EXPIRED` | §5 |
//! | `amount` | required; a JSON number, more than 0, at most 2 decimals | §3.3, §4 |
//! | `currency` | required; `MDL` | §3.3 "currently always MDL" |
//! | `paymentType` | `qr` or `rtp` | §3.5 |
//! | `paymentDate` | `YYYY-MM-DDTHH:MM:SS`, optionally with `Z` or `±HH:MM` | §3.5, signature guide |
//! | `swiftPayerBank` | a BIC: 6 letters, 2 letters or digits, optionally 3 more | §3.5 (`CMTBMD2X`) |
//! | `swiftMessageId` | non-blank text without whitespace | §3.5 |
//! | `checkoutPage` | an http(s) URL; a `paymentId` in its query equals `paymentId` | §3.5 (observed) |
//!
//! Every documented field except `amount` is a JSON string; `null` counts as absent (the sender
//! omits nulls, and they are not signed). Fields this version does not know are signed and
//! allowed (miaPOS may add some), but never read. The typed result, and the common event, are
//! built from these checked literals ([`Checked`]), never from a second parse of the body.

use paykit_core::{Decimal, Result};

use super::bad_body;
use super::envelope::Value;
use crate::status::MiaPosStatus;
use crate::types::{PaymentFacts, PaymentInfo};

/// The documented statuses; a callback with any other is refused (§5).
const STATUSES: [&str; 6] = [
    "CREATED", "PENDING", "SUCCESS", "FAILED", "DECLINED", "EXPIRED",
];

/// The documented fields of `result`, found in one pass over it (`null` is absent; duplicate
/// keys were refused before the signature was checked, so the first is the only one).
#[derive(Default)]
struct Documented<'a> {
    terminal_id: Option<Value<'a>>,
    order_id: Option<Value<'a>>,
    payment_id: Option<Value<'a>>,
    status: Option<Value<'a>>,
    amount: Option<Value<'a>>,
    currency: Option<Value<'a>>,
    payment_type: Option<Value<'a>>,
    payment_date: Option<Value<'a>>,
    swift_message_id: Option<Value<'a>>,
    swift_payer_bank: Option<Value<'a>>,
    checkout_page: Option<Value<'a>>,
}

impl<'a> Documented<'a> {
    fn of(fields: &[(&str, Value<'a>)]) -> Self {
        let mut documented = Documented::default();
        for (key, value) in fields {
            let slot = match *key {
                "terminalId" => &mut documented.terminal_id,
                "orderId" => &mut documented.order_id,
                "paymentId" => &mut documented.payment_id,
                "status" => &mut documented.status,
                "amount" => &mut documented.amount,
                "currency" => &mut documented.currency,
                "paymentType" => &mut documented.payment_type,
                "paymentDate" => &mut documented.payment_date,
                "swiftMessageId" => &mut documented.swift_message_id,
                "swiftPayerBank" => &mut documented.swift_payer_bank,
                "checkoutPage" => &mut documented.checkout_page,
                _ => continue,
            };
            if slot.is_none() && !matches!(value, Value::Null) {
                *slot = Some(*value);
            }
        }
        documented
    }
}

/// A documented string field: a JSON string or absent.
fn text<'a>(name: &str, value: Option<Value<'a>>) -> Result<Option<&'a str>> {
    match value {
        None => Ok(None),
        Some(Value::Text(value)) => Ok(Some(value)),
        Some(_) => Err(wrong(name, "is not a JSON string")),
    }
}

fn required<'a>(name: &str, value: Option<&'a str>) -> Result<&'a str> {
    value.ok_or_else(|| wrong(name, "is missing"))
}

/// An authentic callback's `result` whose every documented field has its documented shape,
/// borrowed from the body: the typed [`PaymentInfo`] is an owned copy of it, and the common
/// event is made from it directly ([`Checked::facts`]), without that copy.
#[derive(Debug)]
pub(super) struct Checked<'a> {
    terminal_id: &'a str,
    order_id: &'a str,
    payment_id: &'a str,
    status: MiaPosStatus,
    amount: Decimal,
    currency: &'a str,
    payment_type: Option<&'a str>,
    payment_date: Option<&'a str>,
    swift_message_id: Option<&'a str>,
    swift_payer_bank: Option<&'a str>,
    checkout_page: Option<&'a str>,
}

impl Checked<'_> {
    /// The typed result: every field an owned copy.
    pub(super) fn to_info(&self) -> PaymentInfo {
        let owned = |value: Option<&str>| value.map(str::to_owned);
        PaymentInfo {
            terminal_id: self.terminal_id.to_owned(),
            order_id: self.order_id.to_owned(),
            payment_id: self.payment_id.to_owned(),
            status: self.status.clone(),
            amount: self.amount,
            currency: self.currency.to_owned(),
            payment_type: owned(self.payment_type),
            payment_date: owned(self.payment_date),
            swift_message_id: owned(self.swift_message_id),
            swift_payer_bank: owned(self.swift_payer_bank),
            checkout_page: owned(self.checkout_page),
        }
    }

    /// What the outcome and the event are made of: the same facts [`PaymentInfo::to_outcome`]
    /// reads from [`Checked::to_info`]'s copy.
    pub(super) fn facts(&self) -> PaymentFacts<'_> {
        PaymentFacts {
            payment_id: self.payment_id,
            order_id: self.order_id,
            status: &self.status,
            amount: self.amount,
            currency: self.currency,
            checkout_page: self.checkout_page,
        }
    }
}

/// The `result` of an authentic callback, checked field by field.
pub(super) fn checked<'a>(fields: &[(&'a str, Value<'a>)]) -> Result<Checked<'a>> {
    let documented = Documented::of(fields);
    // Borrowed while checking; owned copies are made once, for the answer.
    // Every documented field but `amount` is a string: checked before any is read, so the
    // first type error found is reported whatever the order below.
    let terminal_id = text("terminalId", documented.terminal_id)?;
    let order_id = text("orderId", documented.order_id)?;
    let payment_id = text("paymentId", documented.payment_id)?;
    let status = text("status", documented.status)?;
    let currency = text("currency", documented.currency)?;
    let payment_type = text("paymentType", documented.payment_type)?;
    let payment_date = text("paymentDate", documented.payment_date)?;
    let swift_message_id = text("swiftMessageId", documented.swift_message_id)?;
    let swift_payer_bank = text("swiftPayerBank", documented.swift_payer_bank)?;
    let checkout_page = text("checkoutPage", documented.checkout_page)?;
    let payment_id = required("paymentId", payment_id)?;
    if !is_uuid(payment_id) {
        return Err(wrong("paymentId", "is not a UUID"));
    }
    let order_id = required("orderId", order_id)?;
    plain_text("orderId", order_id)?;
    let terminal_id = required("terminalId", terminal_id)?;
    plain_text("terminalId", terminal_id)?;
    let status = required("status", status)?;
    if !STATUSES.contains(&status) {
        return Err(wrong("status", "is not one of the documented statuses"));
    }
    let amount = amount(documented.amount)?;
    let currency = required("currency", currency)?;
    if currency != "MDL" {
        return Err(wrong("currency", "is not MDL"));
    }
    if payment_type.is_some_and(|t| !matches!(t, "qr" | "rtp")) {
        return Err(wrong("paymentType", "is neither qr nor rtp"));
    }
    if payment_date.is_some_and(|d| !is_local_date_time(d)) {
        return Err(wrong("paymentDate", "is not YYYY-MM-DDTHH:MM:SS"));
    }
    if let Some(id) = swift_message_id {
        if id.is_empty() || holds_space_or_control(id) {
            return Err(wrong("swiftMessageId", "is blank or holds whitespace"));
        }
    }
    if swift_payer_bank.is_some_and(|b| !is_bic(b)) {
        return Err(wrong("swiftPayerBank", "is not a BIC"));
    }
    if let Some(page) = checkout_page {
        checkout_page_of(page, payment_id)?;
    }
    Ok(Checked {
        terminal_id,
        order_id,
        payment_id,
        status: MiaPosStatus::parse(status),
        amount,
        currency,
        payment_type,
        payment_date,
        swift_message_id,
        swift_payer_bank,
        checkout_page,
    })
}

fn wrong(name: &str, why: &str) -> paykit_core::Error {
    bad_body(format!(
        "`result.{name}` {why}; a signed body that breaks the documented shape is refused"
    ))
}

fn plain_text(name: &str, value: &str) -> Result<()> {
    if blank_or_control(value) {
        return Err(wrong(name, "is blank or holds control characters"));
    }
    Ok(())
}

/// Empty or only whitespace (`str::trim`'s), or holding a control character.
///
/// Ids are ASCII, and for ASCII text this is byte by byte: a control is below 0x20 or 0x7f,
/// and every ASCII whitespace but the space is a control, so blank is only spaces. Walking
/// `char`s was a fifth of the shape checks (issue 16 profile); other text still walks them.
fn blank_or_control(value: &str) -> bool {
    if value.is_ascii() {
        let control = |b: u8| b < 0x20 || b == 0x7f;
        return value.bytes().all(|b| b == b' ') || value.bytes().any(control);
    }
    value.trim().is_empty() || value.chars().any(char::is_control)
}

/// Holding whitespace or a control character; for ASCII text, any byte up to the space or 0x7f
/// (the ASCII whitespace are the space and controls), byte by byte as in [`blank_or_control`].
fn holds_space_or_control(value: &str) -> bool {
    if value.is_ascii() {
        return value.bytes().any(|b| b <= b' ' || b == 0x7f);
    }
    value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `amount`: a JSON number (never a string: the spec types it `number`), above zero, with at
/// most two decimals.
fn amount(value: Option<Value<'_>>) -> Result<Decimal> {
    let literal = match value {
        None => return Err(wrong("amount", "is missing")),
        Some(Value::Number(literal)) => literal,
        Some(_) => return Err(wrong("amount", "is not a JSON number")),
    };
    let amount = paykit_core::wire::parse_decimal_literal(literal)
        .ok_or_else(|| wrong("amount", "is not a decimal number"))?;
    if amount <= Decimal::ZERO {
        return Err(wrong("amount", "is not more than 0"));
    }
    if amount.normalize().scale() > 2 {
        return Err(wrong("amount", "has more than two decimals"));
    }
    Ok(amount)
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Group by group, each a plain run of hex digits: a position `match` per byte cost more.
    let hex = |at: usize, len: usize| {
        bytes
            .get(at..at + len)
            .is_some_and(|group| group.iter().all(u8::is_ascii_hexdigit))
    };
    bytes.len() == 36
        && [8, 13, 18, 23]
            .iter()
            .all(|at| bytes.get(*at) == Some(&b'-'))
        && hex(0, 8)
        && hex(9, 4)
        && hex(14, 4)
        && hex(19, 4)
        && hex(24, 12)
}

/// `YYYY-MM-DDTHH:MM:SS` (Chișinău local time, as observed), optionally followed by `Z` or
/// `±HH:MM` (the signature guide's example).
fn is_local_date_time(text: &str) -> bool {
    let Some((stamp, zone)) = text.as_bytes().split_at_checked(19) else {
        return false;
    };
    let part = |range: std::ops::Range<usize>| stamp.get(range).unwrap_or_default();
    let digits = |range: std::ops::Range<usize>| {
        let digits = part(range);
        !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
    };
    // Only called once `digits` has checked the range: each byte is 0-9.
    let number = |range: std::ops::Range<usize>| {
        part(range)
            .iter()
            .fold(0u32, |n, b| n * 10 + u32::from(b.saturating_sub(b'0')))
    };
    let layout = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')]
        .iter()
        .all(|(at, sep)| stamp.get(*at) == Some(sep));
    let all_digits = [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
        .into_iter()
        .all(digits);
    if !layout || !all_digits {
        return false;
    }
    let in_range = (1..=12).contains(&number(5..7))
        && (1..=31).contains(&number(8..10))
        && number(11..13) <= 23
        && number(14..16) <= 59
        && number(17..19) <= 59;
    let zone_ok = match zone {
        [] | [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-') && [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    in_range && zone_ok
}

/// A BIC (ISO 9362): 4 letters of bank, 2 of country, 2 letters or digits of location,
/// optionally 3 of branch.
fn is_bic(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some((bank_and_country, rest)) = bytes.split_at_checked(6) else {
        return false;
    };
    matches!(bytes.len(), 8 | 11)
        && bank_and_country.iter().all(u8::is_ascii_uppercase)
        && rest
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// `checkoutPage`: an http(s) URL whose `paymentId` parameter, when present, is the payment's.
fn checkout_page_of(page: &str, payment_id: &str) -> Result<()> {
    use super::checkout_page::{Refusal, check};
    check(page, payment_id).map_err(|refusal| match refusal {
        Refusal::NotUrl => wrong("checkoutPage", "is not a URL"),
        Refusal::NotHttp => wrong("checkoutPage", "is not an http(s) URL"),
        Refusal::OtherPayment => wrong("checkoutPage", "names another paymentId"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids() {
        assert!(is_uuid("2a663962-c954-4984-90e5-1d24c3305f7b"));
        assert!(is_uuid("AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"));
        for bad in [
            "",
            "2a663962c954498490e51d24c3305f7b",
            "2a663962-c954-4984-90e5-1d24c3305f7",
            "2a663962-c954-4984-90e5-1d24c3305f7bb",
            "2a663962-c954-4984-90e5-1d24c3305f7g",
            "2a663962-c954-4984-90e5-1d24c3305f7b-",
            "order-123",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }

    /// The byte-wise checks are the `char` ones: every string of up to three characters over
    /// ASCII controls, spaces and Unicode whitespace and controls, and every one-byte edit of a
    /// UUID.
    #[test]
    fn byte_wise_checks_answer_as_the_char_walks_do() {
        let alphabet = [
            "a", "-", " ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{1c}", "\u{1f}", "\u{7f}",
            "\u{85}", "\u{a0}", "é", "\u{2028}", "\u{3000}", "\u{9f}",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        assert!(texts.len() > 5000);
        for text in &texts {
            assert_eq!(
                blank_or_control(text),
                text.trim().is_empty() || text.chars().any(char::is_control),
                "{text:?}"
            );
            assert_eq!(
                holds_space_or_control(text),
                text.chars().any(|c| c.is_whitespace() || c.is_control()),
                "{text:?}"
            );
        }
        let by_position = |text: &str| {
            let bytes = text.as_bytes();
            bytes.len() == 36
                && bytes.iter().enumerate().all(|(at, byte)| match at {
                    8 | 13 | 18 | 23 => *byte == b'-',
                    _ => byte.is_ascii_hexdigit(),
                })
        };
        let uuid = "2a663962-c954-4984-90e5-1d24c3305f7b";
        for at in 0..uuid.len() {
            for byte in [
                b'-', b'0', b'9', b'a', b'f', b'g', b'A', b'F', b'G', b' ', b'/', b':',
            ] {
                let mut edited = uuid.as_bytes().to_vec();
                edited[at] = byte;
                let edited = String::from_utf8(edited).unwrap();
                assert_eq!(is_uuid(&edited), by_position(&edited), "{edited}");
            }
            assert_eq!(is_uuid(&uuid[..at]), by_position(&uuid[..at]));
        }
    }

    #[test]
    fn payment_dates() {
        for good in [
            "2024-12-17T11:54:23",
            "2024-05-20T16:32:28+03:00",
            "2026-01-02T03:04:05Z",
        ] {
            assert!(is_local_date_time(good), "{good}");
        }
        for bad in [
            "",
            "2024-12-17",
            "2024-12-17 11:54:23",
            "2024-13-17T11:54:23",
            "2024-12-00T11:54:23",
            "2024-12-17T24:00:00",
            "2024-12-17T11:54:23.123",
            "2024-12-17T11:54:23+3",
            "order-123-45678901234",
            "２０２４-12-17T11:54:23",
        ] {
            assert!(!is_local_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn bics() {
        for good in ["CMTBMD2X", "AGRNMD2X", "MOLDMD2XXXX"] {
            assert!(is_bic(good), "{good}");
        }
        for bad in [
            "",
            "CMTBMD2",
            "cmtbmd2x",
            "CMT1MD2X",
            "CMTBMD2XX",
            "TE0001",
            "SUCCESS",
        ] {
            assert!(!is_bic(bad), "{bad}");
        }
    }
}
