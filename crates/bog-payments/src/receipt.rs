//! `GET /receipt/{order_id}` (§5.1): the authoritative payment details, also the `body` of every
//! callback. Every field may be `null` in real answers except `order_id`, `order_status.key`
//! and `purchase_units`; money fields are strings (`"30.0"`) or numbers. The whole answer is
//! kept as [`Receipt::raw`] for fields this version does not model.

use paykit_core::{Currency, Decimal, Error, Result};
use serde_json::{Map, Value};

use crate::PROVIDER;
use crate::status::OrderStatus;
use crate::types::{PaymentMethod, open_enum};
use crate::wire::parse_amount;

open_enum!(
    /// What an `actions[]` entry did.
    ActionKind {
        /// Pre-authorization confirmed in full.
        Authorize => "authorize",
        /// Pre-authorization confirmed in part.
        PartialAuthorize => "partial_authorize",
        /// Pre-authorization rejected.
        CancelAuthorize => "cancel_authorize",
        /// Full refund.
        Refund => "refund",
        /// Partial refund.
        PartialRefund => "partial_refund",
    }
);

open_enum!(
    /// How an `actions[]` entry ended.
    ActionStatus {
        /// Done.
        Completed => "completed",
        /// Refused (codes 161–179 for refunds).
        Rejected => "rejected",
    }
);

/// One operation on the order (`actions[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Action {
    /// The id the acknowledgement returned.
    pub action_id: Option<String>,
    /// `public_api`, `business_manager` or `support`.
    pub request_channel: Option<String>,
    /// What it did.
    pub action: ActionKind,
    /// How it ended.
    pub status: ActionStatus,
    /// When (UTC).
    pub zoned_action_date: Option<String>,
    /// Its amount.
    pub amount: Option<Decimal>,
    /// Its result code.
    pub code: Option<String>,
    /// The code's text.
    pub code_description: Option<String>,
}

/// The buyer as receipts name it (`email`, `phone_number`: not the request's `masked_*`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReceiptBuyer {
    /// Name and surname.
    pub full_name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone_number: Option<String>,
}

/// One basket line as echoed (`purchase_units.items[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiptItem {
    /// Your `product_id`.
    pub external_item_id: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The quantity.
    pub quantity: Option<Decimal>,
    /// The unit price.
    pub unit_price: Option<Decimal>,
}

/// `payment_detail`: how the order was paid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PaymentDetail {
    /// The method used (`None` before payment, when BOG sends `""`).
    pub transfer_method: Option<PaymentMethod>,
    /// The response code (`"100"`, §6.4).
    pub code: Option<String>,
    /// The code's English text.
    pub code_description: Option<String>,
    /// A bank transaction reference.
    pub transaction_id: Option<String>,
    /// A masked PAN for cards.
    pub payer_identifier: Option<String>,
    /// `direct_debit`, `recurrent` or `subscription`.
    pub payment_option: Option<String>,
    /// `visa`, `mc` or `amex`.
    pub card_type: Option<String>,
    /// `MM/YY`.
    pub card_expiry_date: Option<String>,
    /// `recurrent` or `subscription` when the card was saved on this order.
    pub saved_card_type: Option<String>,
    /// The order whose saved card paid this one.
    pub parent_order_id: Option<String>,
    /// The authorization code.
    pub auth_code: Option<String>,
}

/// The payment details of one order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Receipt {
    /// BOG's order id.
    pub order_id: String,
    /// The machine status.
    pub status: OrderStatus,
    /// The localized label (display only).
    pub status_label: Option<String>,
    /// `automatic` or `manual`.
    pub capture: Option<String>,
    /// Your reference.
    pub external_order_id: Option<String>,
    /// Creation time, UTC.
    pub zoned_create_date: Option<String>,
    /// Expiry time, UTC.
    pub zoned_expire_date: Option<String>,
    /// The buyer.
    pub buyer: Option<ReceiptBuyer>,
    /// The amount asked for.
    pub request_amount: Option<Decimal>,
    /// The amount processed (held, for a blocked pre-authorization; net of refunds).
    pub transfer_amount: Option<Decimal>,
    /// The amount refunded so far.
    pub refund_amount: Option<Decimal>,
    /// `currency_code`, when it is one paykit knows.
    pub currency: Option<Currency>,
    /// `currency_code` verbatim.
    pub currency_code: Option<String>,
    /// The basket echo.
    pub items: Vec<ReceiptItem>,
    /// How it was paid.
    pub payment_detail: Option<PaymentDetail>,
    /// Every operation on the order.
    pub actions: Vec<Action>,
    /// Why it was rejected (`expiration`, `unknown`, or a decline text).
    pub reject_reason: Option<String>,
    /// The page language.
    pub lang: Option<String>,
    /// The whole answer as received.
    pub raw: Value,
}

/// A non-empty string field.
fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn object<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    map.get(key)?.as_object()
}

fn amount(map: &Map<String, Value>, key: &str) -> Result<Option<Decimal>> {
    match map.get(key) {
        None => Ok(None),
        Some(value) => parse_amount(value).map_err(|reason| bad(&format!("{key}: {reason}"))),
    }
}

fn bad(reason: &str) -> Error {
    Error::Decode {
        provider: PROVIDER,
        reason: format!("payment details: {reason}"),
        snippet: String::new(),
    }
}

impl Receipt {
    /// Reads a receipt from its JSON (the `GET /receipt` body or a callback's `body`).
    pub fn from_value(value: Value) -> Result<Receipt> {
        let map = value.as_object().ok_or_else(|| bad("not a JSON object"))?;
        let order_id = text(map, "order_id").ok_or_else(|| bad("no order_id"))?;
        let status_object = object(map, "order_status").ok_or_else(|| bad("no order_status"))?;
        let key = match status_object.get("key") {
            Some(Value::String(key)) => key.clone(),
            _ => return Err(bad("no order_status.key")),
        };
        let units = object(map, "purchase_units").ok_or_else(|| bad("no purchase_units"))?;
        let currency_code = text(units, "currency_code");
        let items = match units.get("items") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_object)
                .map(|item| {
                    Ok(ReceiptItem {
                        external_item_id: text(item, "external_item_id"),
                        description: text(item, "description"),
                        quantity: amount(item, "quantity")?,
                        unit_price: amount(item, "unit_price")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?,
            _ => Vec::new(),
        };
        let actions = match map.get("actions") {
            Some(Value::Array(actions)) => actions
                .iter()
                .filter_map(Value::as_object)
                .map(|a| {
                    Ok(Action {
                        action_id: text(a, "action_id"),
                        request_channel: text(a, "request_channel"),
                        action: ActionKind::from_wire(&text(a, "action").unwrap_or_default()),
                        status: ActionStatus::from_wire(&text(a, "status").unwrap_or_default()),
                        zoned_action_date: text(a, "zoned_action_date"),
                        amount: amount(a, "amount")?,
                        code: text(a, "code"),
                        code_description: text(a, "code_description"),
                    })
                })
                .collect::<Result<Vec<_>>>()?,
            _ => Vec::new(),
        };
        let payment_detail = object(map, "payment_detail").map(|d| PaymentDetail {
            transfer_method: object(d, "transfer_method")
                .and_then(|m| text(m, "key"))
                .map(|key| PaymentMethod::from_wire(&key)),
            code: text(d, "code"),
            code_description: text(d, "code_description"),
            transaction_id: text(d, "transaction_id"),
            payer_identifier: text(d, "payer_identifier"),
            payment_option: text(d, "payment_option"),
            card_type: text(d, "card_type"),
            card_expiry_date: text(d, "card_expiry_date"),
            saved_card_type: text(d, "saved_card_type"),
            parent_order_id: text(d, "parent_order_id"),
            auth_code: text(d, "auth_code"),
        });
        let receipt = Receipt {
            status: OrderStatus::from_wire(&key),
            status_label: text(status_object, "value"),
            capture: text(map, "capture"),
            external_order_id: text(map, "external_order_id"),
            zoned_create_date: text(map, "zoned_create_date"),
            zoned_expire_date: text(map, "zoned_expire_date"),
            buyer: object(map, "buyer").map(|b| ReceiptBuyer {
                full_name: text(b, "full_name"),
                email: text(b, "email"),
                phone_number: text(b, "phone_number"),
            }),
            request_amount: amount(units, "request_amount")?,
            transfer_amount: amount(units, "transfer_amount")?,
            refund_amount: amount(units, "refund_amount")?,
            currency: currency_code.as_deref().and_then(|c| c.parse().ok()),
            currency_code,
            items,
            payment_detail,
            actions,
            reject_reason: text(map, "reject_reason"),
            lang: text(map, "lang"),
            order_id,
            raw: Value::Null,
        };
        Ok(Receipt {
            raw: value,
            ..receipt
        })
    }

    /// The method the order was paid with, when known.
    pub fn transfer_method(&self) -> Option<&PaymentMethod> {
        self.payment_detail.as_ref()?.transfer_method.as_ref()
    }

    /// What may still be refunded: `transfer_amount` while the status allows refunds
    /// (`completed`, `partial_completed`, `refunded_partially`), otherwise `None`.
    pub fn refundable_amount(&self) -> Option<Decimal> {
        match self.status {
            OrderStatus::Completed
            | OrderStatus::PartialCompleted
            | OrderStatus::RefundedPartially => self.transfer_amount,
            _ => None,
        }
    }
}
