//! The typed [`Notification`] of a verified callback, read from the same borrowed tree the
//! signature was checked over: no second parse of `result` (issue 16).
//!
//! The readings are the lenient ones maib's API responses get (`crate::wire`): strings as
//! they are, numbers and booleans as their text, `null` and a missing field as nothing, and
//! amounts as decimals from a number (or a numeric string). A nested value where a scalar
//! belongs is a decode error.

use paykit_core::{Decimal, Error, Result};

use crate::PROVIDER;
use crate::callback_json::JsonRef;
use crate::shape::Fields;
use crate::types::{Notification, ThreeDsStatus, TransactionStatus};

/// Reads `fields` (of a `result` whose signature and shapes checked out) into a
/// [`Notification`]; `body` is quoted, as for any decode error, when a value is not a scalar.
pub(crate) fn notification(fields: &Fields<'_, '_>, body: &[u8]) -> Result<Notification> {
    let text = |value, key: &str| scalar_text(value).map_err(|why| decode(key, why, body));
    let amount = |value, key: &str| decimal(value).map_err(|why| decode(key, why, body));
    let pay_id = text(fields.pay_id, "payId")?
        .filter(|id| !id.is_empty())
        .ok_or_else(|| decode("payId", "a required value is null or empty", body))?;
    let named = |value, key: &str| Ok::<_, Error>(text(value, key)?.filter(|s| !s.is_empty()));
    Ok(Notification {
        pay_id,
        order_id: text(fields.order_id, "orderId")?,
        biller_id: text(fields.biller_id, "billerId")?,
        biller_expiry: text(fields.biller_expiry, "billerExpiry")?,
        status: named(fields.status, "status")?.map(|s| TransactionStatus::parse(&s)),
        status_code: text(fields.status_code, "statusCode")?,
        status_message: text(fields.status_message, "statusMessage")?,
        three_ds: named(fields.three_ds, "threeDs")?.map(|s| ThreeDsStatus::parse(&s)),
        rrn: text(fields.rrn, "rrn")?,
        approval: text(fields.approval, "approval")?,
        card_number: text(fields.card_number, "cardNumber")?,
        amount: amount(fields.amount, "amount")?,
        currency: text(fields.currency, "currency")?,
        refund_amount: amount(fields.refund_amount, "refundAmount")?,
        confirm_amount: amount(fields.confirm_amount, "confirmAmount")?,
    })
}

fn decode(key: &str, why: &str, body: &[u8]) -> Error {
    Error::decode(PROVIDER, format_args!("`{key}`: {why}"), body, false)
}

/// A scalar as text; `null` or absent is `None`.
fn scalar_text(value: Option<&JsonRef<'_>>) -> std::result::Result<Option<String>, &'static str> {
    match value {
        None | Some(JsonRef::Null) => Ok(None),
        Some(JsonRef::String(text)) => Ok(Some(text.as_ref().to_owned())),
        Some(JsonRef::Number(literal)) => Ok(Some((*literal).to_owned())),
        Some(JsonRef::Bool(true)) => Ok(Some("true".to_owned())),
        Some(JsonRef::Bool(false)) => Ok(Some("false".to_owned())),
        Some(JsonRef::Array(_) | JsonRef::Object(_)) => Err("expected a scalar"),
    }
}

/// An amount from a number or a numeric string; `null`, `""` or absent is `None`.
fn decimal(value: Option<&JsonRef<'_>>) -> std::result::Result<Option<Decimal>, &'static str> {
    let text = match value {
        None | Some(JsonRef::Null) => return Ok(None),
        Some(JsonRef::String(text)) if text.is_empty() => return Ok(None),
        Some(JsonRef::String(text)) => text.as_ref(),
        Some(JsonRef::Number(literal)) => literal,
        Some(_) => return Err("not a decimal amount"),
    };
    paykit_core::wire::parse_decimal_literal(text)
        .map(Some)
        .ok_or("not a decimal amount")
}
