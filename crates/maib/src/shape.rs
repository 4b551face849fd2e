//! Strict shapes of a signed callback's fields, checked after the signature (issue 10 §3).
//!
//! maib signs the *values* of `result` in key order, not their names. With one genuine
//! callback an attacker can rename, drop and add keys and keep the signature valid as long as
//! the sorted values stay in the same order: drop `approval`, add `"a": 10.25`, and the
//! approval code `327593` becomes the `amount`. A signature alone therefore binds no value to
//! its name. These checks refuse every body whose decisive fields do not look like what maib
//! sends (protocol notes maib.md §1.2, §3, §4, §6.1, §7.1 and its examples), which stops the
//! relabellings that need a value of the wrong kind; what is left is closed by confirming the
//! event with `pay-info` ([`crate::MaibClient::confirm`]).
//!
//! | field | accepted |
//! |---|---|
//! | `payId` (required), `billerId` | 36 characters: 8-4-4-4-12 ASCII letters or digits |
//! | `orderId` | a string of 1 to 36 characters, none a control character |
//! | `amount`, `confirmAmount`, `refundAmount` | a JSON number, more than 0, at most 2 decimals |
//! | `currency` | `MDL`, `EUR` or `USD`; required with any amount |
//! | `status` (required) | `OK`, `FAILED`, `CREATED`, `PENDING`, `DECLINED`, `TIMEOUT`, `REVERSED` |
//! | `rrn` | 12 ASCII letters or digits |
//! | `approval` | 6 ASCII letters or digits |
//! | `cardNumber` | 6 digits, `*`s, 4 digits (13 to 19 characters) |
//! | `billerExpiry` | `MMYY` |
//!
//! Optional fields may be absent, `null` or `""`. Amounts must also make sense together: a
//! capture or refund no larger than the amount.

use std::borrow::Cow;

use paykit_core::{Decimal, Error, SignatureError};

use paykit_core::json_literal::JsonRef;

/// The statuses maib documents (§7.1).
const STATUSES: [&str; 7] = [
    "OK", "FAILED", "CREATED", "PENDING", "DECLINED", "TIMEOUT", "REVERSED",
];

fn refuse(why: String) -> Error {
    Error::Signature(SignatureError::BadBody(why))
}

/// The members of `result` a notification reads, found in one pass over it (the first of a
/// repeated key, which the verifier has refused before anyway).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Fields<'r, 'a> {
    pub(crate) pay_id: Option<&'r JsonRef<'a>>,
    pub(crate) order_id: Option<&'r JsonRef<'a>>,
    pub(crate) biller_id: Option<&'r JsonRef<'a>>,
    pub(crate) biller_expiry: Option<&'r JsonRef<'a>>,
    pub(crate) status: Option<&'r JsonRef<'a>>,
    pub(crate) status_code: Option<&'r JsonRef<'a>>,
    pub(crate) status_message: Option<&'r JsonRef<'a>>,
    pub(crate) three_ds: Option<&'r JsonRef<'a>>,
    pub(crate) rrn: Option<&'r JsonRef<'a>>,
    pub(crate) approval: Option<&'r JsonRef<'a>>,
    pub(crate) card_number: Option<&'r JsonRef<'a>>,
    pub(crate) amount: Option<&'r JsonRef<'a>>,
    pub(crate) currency: Option<&'r JsonRef<'a>>,
    pub(crate) refund_amount: Option<&'r JsonRef<'a>>,
    pub(crate) confirm_amount: Option<&'r JsonRef<'a>>,
}

impl<'r, 'a> Fields<'r, 'a> {
    pub(crate) fn of(result: &'r [(Cow<'a, str>, JsonRef<'a>)]) -> Self {
        let mut fields = Fields::default();
        for (key, value) in result {
            let slot = match key.as_ref() {
                "payId" => &mut fields.pay_id,
                "orderId" => &mut fields.order_id,
                "billerId" => &mut fields.biller_id,
                "billerExpiry" => &mut fields.biller_expiry,
                "status" => &mut fields.status,
                "statusCode" => &mut fields.status_code,
                "statusMessage" => &mut fields.status_message,
                "threeDs" => &mut fields.three_ds,
                "rrn" => &mut fields.rrn,
                "approval" => &mut fields.approval,
                "cardNumber" => &mut fields.card_number,
                "amount" => &mut fields.amount,
                "currency" => &mut fields.currency,
                "refundAmount" => &mut fields.refund_amount,
                "confirmAmount" => &mut fields.confirm_amount,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        fields
    }
}

/// The value when present and not `null` / `""`.
fn present<'r, 'a>(value: Option<&'r JsonRef<'a>>) -> Option<&'r JsonRef<'a>> {
    value.filter(|value| match value {
        JsonRef::Null => false,
        JsonRef::String(text) => !text.is_empty(),
        _ => true,
    })
}

/// The string value of field `key`, refusing any other JSON type.
fn text<'r>(value: Option<&'r JsonRef<'_>>, key: &str) -> Result<Option<&'r str>, Error> {
    match present(value) {
        None => Ok(None),
        Some(JsonRef::String(text)) => Ok(Some(text)),
        Some(_) => Err(refuse(format!("`{key}` is not a string"))),
    }
}

fn check(
    key: &str,
    value: Option<&str>,
    ok: impl Fn(&str) -> bool,
    shape: &str,
) -> Result<(), Error> {
    match value {
        Some(value) if !ok(value) => Err(refuse(format!("`{key}` is not {shape}"))),
        _ => Ok(()),
    }
}

/// maib's ids: `string(UUID)`, 36 characters; its own examples are not always hex (§1.2).
fn is_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(at, byte)| match at {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_alphanumeric(),
        })
}

fn is_order_id(text: &str) -> bool {
    (1..=36).contains(&text.chars().count()) && !text.chars().any(char::is_control)
}

fn alnum(len: usize) -> impl Fn(&str) -> bool {
    move |text| text.len() == len && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_card_mask(text: &str) -> bool {
    let bytes = text.as_bytes();
    if !(13..=19).contains(&bytes.len()) {
        return false;
    }
    // First six digits, stars, last four digits.
    let Some((head, rest)) = bytes.split_at_checked(6) else {
        return false;
    };
    let Some((stars, tail)) = rest.split_at_checked(rest.len().saturating_sub(4)) else {
        return false;
    };
    head.iter().all(u8::is_ascii_digit)
        && tail.iter().all(u8::is_ascii_digit)
        && stars.iter().all(|b| *b == b'*')
}

fn is_mmyy(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 4
        && bytes.iter().all(u8::is_ascii_digit)
        && matches!(
            &text[..2],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
}

/// An amount: a JSON number (never a string), more than 0, at most 2 decimals, no exponent.
fn amount(value: Option<&JsonRef<'_>>, key: &str) -> Result<Option<Decimal>, Error> {
    let literal = match present(value) {
        None => return Ok(None),
        Some(JsonRef::Number(literal)) => *literal,
        Some(_) => return Err(refuse(format!("`{key}` is not a JSON number"))),
    };
    let shaped = match literal.split_once('.') {
        Some((whole, cents)) => {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && (1..=2).contains(&cents.len())
                && cents.bytes().all(|b| b.is_ascii_digit())
        }
        None => !literal.is_empty() && literal.bytes().all(|b| b.is_ascii_digit()),
    };
    let value = Decimal::from_str_exact(literal).ok().filter(|_| shaped);
    match value {
        Some(value) if value > Decimal::ZERO => Ok(Some(value)),
        _ => Err(refuse(format!(
            "`{key}` is not a positive amount with at most 2 decimals"
        ))),
    }
}

/// The amounts of a `result` whose shapes checked out, parsed once for the notification.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Amounts {
    pub(crate) amount: Option<Decimal>,
    pub(crate) confirm_amount: Option<Decimal>,
    pub(crate) refund_amount: Option<Decimal>,
}

/// Refuses a verified `result` whose decisive fields are not shaped as maib sends them.
#[cfg(test)]
pub(crate) fn check_result(result: &[(Cow<'_, str>, JsonRef<'_>)]) -> Result<Amounts, Error> {
    check_fields(&Fields::of(result))
}

/// [`check_result`] on the fields already picked out.
pub(crate) fn check_fields(fields: &Fields<'_, '_>) -> Result<Amounts, Error> {
    match text(fields.pay_id, "payId")? {
        None => return Err(refuse("no `payId`".to_owned())),
        Some(id) => check("payId", Some(id), is_id, "a maib id")?,
    }
    check(
        "billerId",
        text(fields.biller_id, "billerId")?,
        is_id,
        "a maib id",
    )?;
    check(
        "orderId",
        text(fields.order_id, "orderId")?,
        is_order_id,
        "an order id",
    )?;
    match text(fields.status, "status")? {
        None => return Err(refuse("no `status`".to_owned())),
        Some(status) => check(
            "status",
            Some(status),
            |s| STATUSES.contains(&s),
            "a documented status",
        )?,
    }
    check(
        "rrn",
        text(fields.rrn, "rrn")?,
        alnum(12),
        "a retrieval reference number",
    )?;
    check(
        "approval",
        text(fields.approval, "approval")?,
        alnum(6),
        "an approval code",
    )?;
    check(
        "cardNumber",
        text(fields.card_number, "cardNumber")?,
        is_card_mask,
        "a masked card number",
    )?;
    check(
        "billerExpiry",
        text(fields.biller_expiry, "billerExpiry")?,
        is_mmyy,
        "MMYY",
    )?;
    let paid = amount(fields.amount, "amount")?;
    let confirmed = amount(fields.confirm_amount, "confirmAmount")?;
    let refunded = amount(fields.refund_amount, "refundAmount")?;
    let currency = text(fields.currency, "currency")?;
    check(
        "currency",
        currency,
        |c| {
            crate::validate::CURRENCIES
                .iter()
                .any(|known| known.code() == c)
        },
        "MDL, EUR or USD",
    )?;
    if (paid.is_some() || confirmed.is_some() || refunded.is_some()) && currency.is_none() {
        return Err(refuse("an amount without a `currency`".to_owned()));
    }
    if let Some(confirmed) = confirmed {
        if paid.is_none_or(|paid| confirmed > paid) {
            return Err(refuse("`confirmAmount` is not within `amount`".to_owned()));
        }
    }
    if let Some(refunded) = refunded {
        if confirmed.or(paid).is_none_or(|base| refunded > base) {
            return Err(refuse(
                "`refundAmount` is not within what was paid".to_owned(),
            ));
        }
    }
    Ok(Amounts {
        amount: paid,
        confirm_amount: confirmed,
        refund_amount: refunded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TV1: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#;

    fn members(json: &str) -> paykit_core::json_literal::Members<'_> {
        match JsonRef::parse_nested_at_most(json.as_bytes(), 32).unwrap() {
            JsonRef::Object(members) => members,
            other => panic!("{other:?}"),
        }
    }

    fn refused(json: &str) -> String {
        match check_result(&members(json)) {
            Err(Error::Signature(SignatureError::BadBody(why))) => why,
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn maibs_own_shapes_pass() {
        check_result(&members(TV1)).unwrap();
        check_result(&members(&TV1.replace("10.25", "10.00"))).unwrap();
        check_result(&members(&TV1.replace("10.25", "10"))).unwrap();
        // The docs' own billerId is not hex; nulls and empties are absent values.
        check_result(&members(r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","billerId":"t78i8006-458a-46bc-9e0a-89a6ee11df68","billerExpiry":"1229","orderId":null,"status":"PENDING","rrn":null,"approval":"","cardNumber":"510218******1124","currency":"EUR"}"#)).unwrap();
    }

    #[test]
    fn relabelled_values_are_refused() {
        // The issue's forgery: approval dropped, "a" added, the approval code as the amount.
        let forged = TV1
            .replace(r#""approval":"327593","#, r#""a":10.25,"#)
            .replace(r#""amount":10.25"#, r#""amount":"327593""#);
        assert!(refused(&forged).contains("amount"));
        // rrn renamed to refundAmount: a string, or as a number larger than the payment.
        let string = TV1.replace(r#""rrn":"#, r#""refundAmount":"#);
        assert!(refused(&string).contains("refundAmount"));
        let number = TV1.replace(r#""rrn":"331711380059""#, r#""refundAmount":331711380059"#);
        assert!(refused(&number).contains("refundAmount"));
    }

    #[test]
    fn every_decisive_field_is_checked() {
        for (from, to, field) in [
            ("f16a9006-128a-46bc-8e2a-77a6ee99df75", "123", "payId"),
            (
                r#""orderId":"123""#,
                r#""orderId":"0123456789012345678901234567890123456""#,
                "orderId",
            ),
            (r#""orderId":"123""#, r#""orderId":123"#, "orderId"),
            ("10.25", "10.255", "amount"),
            ("10.25", "0", "amount"),
            ("10.25", "-10.25", "amount"),
            ("10.25", "1e3", "amount"),
            (r#""MDL""#, r#""GEL""#, "currency"),
            (r#""currency":"MDL""#, r#""currency":null"#, "currency"),
            (r#""OK""#, r#""SETTLED""#, "status"),
            (r#""status":"OK""#, r#""status":null"#, "status"),
            ("331711380059", "3317113800", "rrn"),
            ("327593", "3275930", "approval"),
            ("510218******1124", "5102181234561124", "cardNumber"),
            ("510218******1124", "327593", "cardNumber"),
        ] {
            let body = TV1.replace(from, to);
            assert_ne!(body, TV1, "{from}");
            let why = refused(&body);
            assert!(why.contains(field), "{field}: {why}");
        }
        let confirm = TV1.replace(r#""amount":10.25"#, r#""amount":10.25,"confirmAmount":11"#);
        assert!(refused(&confirm).contains("confirmAmount"));
    }
}
