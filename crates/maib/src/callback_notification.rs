//! The typed [`Notification`] of a verified callback, read from the same borrowed tree the
//! signature was checked over: no second parse of `result` (issue 16).
//!
//! The readings are the lenient ones maib's API responses get (`crate::wire`): strings as
//! they are, numbers and booleans as their text, `null` and a missing field as nothing. The
//! amounts are the decimals the shape checks parsed (JSON numbers, never strings), not parsed
//! again. A nested value where a scalar belongs is a decode error.

use std::borrow::Cow;

use paykit_core::{Error, Result};

use crate::PROVIDER;
use crate::shape::{Amounts, Fields};
use crate::types::{Notification, ThreeDsStatus, TransactionStatus};
use paykit_core::json_literal::JsonRef;

/// How much of the notification a caller keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Every field: [`crate::MaibWebhook::verify_notification`].
    Full,
    /// What an event is made of (id, status, amounts, currency, order, stored card, status
    /// message); `billerExpiry`, `statusCode`, `threeDs`, `rrn` and `approval` are checked as
    /// scalars but not copied, since no event reads them (issue 16: no copy nobody reads).
    Event,
}

/// Reads `fields` (of a `result` whose signature and shapes checked out, `amounts` parsed by
/// those checks) into a [`Notification`]; `body` is quoted, as for any decode error, when a
/// value is not a scalar.
pub(crate) fn notification(
    fields: &Fields<'_, '_>,
    amounts: Amounts,
    detail: Detail,
    body: &[u8],
) -> Result<Notification> {
    let text = |value, key: &str| scalar_text(value).map_err(|why| decode(key, why, body));
    let owned = |value, key: &str| Ok::<_, Error>(text(value, key)?.map(Cow::into_owned));
    // Checked either way, copied only when kept.
    let kept = |value, key: &str| {
        let checked = text(value, key)?;
        Ok::<_, Error>(
            checked
                .filter(|_| detail == Detail::Full)
                .map(Cow::into_owned),
        )
    };
    let pay_id = text(fields.pay_id, "payId")?
        .filter(|id| !id.is_empty())
        .ok_or_else(|| decode("payId", "a required value is null or empty", body))?
        .into_owned();
    let named = |value, key: &str| Ok::<_, Error>(text(value, key)?.filter(|s| !s.is_empty()));
    let three_ds = named(fields.three_ds, "threeDs")?;
    Ok(Notification {
        pay_id,
        order_id: owned(fields.order_id, "orderId")?,
        biller_id: owned(fields.biller_id, "billerId")?,
        biller_expiry: kept(fields.biller_expiry, "billerExpiry")?,
        status: named(fields.status, "status")?.map(|s| TransactionStatus::parse(&s)),
        status_code: kept(fields.status_code, "statusCode")?,
        status_message: owned(fields.status_message, "statusMessage")?,
        three_ds: three_ds
            .filter(|_| detail == Detail::Full)
            .map(|s| ThreeDsStatus::parse(&s)),
        rrn: kept(fields.rrn, "rrn")?,
        approval: kept(fields.approval, "approval")?,
        card_number: owned(fields.card_number, "cardNumber")?,
        amount: amounts.amount,
        currency: owned(fields.currency, "currency")?,
        refund_amount: amounts.refund_amount,
        confirm_amount: amounts.confirm_amount,
    })
}

fn decode(key: &str, why: &str, body: &[u8]) -> Error {
    Error::decode(PROVIDER, format_args!("`{key}`: {why}"), body, false)
}

/// A scalar as text, borrowed where the body has it; `null` or absent is `None`.
fn scalar_text<'v>(
    value: Option<&'v JsonRef<'_>>,
) -> std::result::Result<Option<Cow<'v, str>>, &'static str> {
    match value {
        None | Some(JsonRef::Null) => Ok(None),
        Some(JsonRef::String(text)) => Ok(Some(Cow::Borrowed(text.as_ref()))),
        Some(JsonRef::Number(literal)) => Ok(Some(Cow::Borrowed(literal))),
        Some(JsonRef::Bool(true)) => Ok(Some(Cow::Borrowed("true"))),
        Some(JsonRef::Bool(false)) => Ok(Some(Cow::Borrowed("false"))),
        Some(JsonRef::Array(_) | JsonRef::Object(_)) => Err("expected a scalar"),
    }
}
