//! Private serde structs, one per request body and response `result`, exactly as maib spells
//! them (protocol notes maib.md §1-§4). Amounts are JSON numbers written from `Decimal` text and
//! read from the number's literal; no `f64` anywhere.
//!
//! Reading is lenient where the docs are inconsistent: `ok` may be the string `"true"`,
//! `delivery` may be a string, ids and codes may arrive as numbers, and every field but the
//! essential ids may be missing or `null`.

use std::collections::BTreeMap;

use paykit_core::Decimal;
use paykit_core::wire::{decimal_number, lenient_bool, opt_decimal_number};
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::api_errors::ApiErrorEntry;
use crate::types::{
    Checkout, ClientInfo, CompleteResult, DeletedCard, ExecuteOneClickRequest,
    ExecuteRecurringRequest, Item, ItemInfo, Language, PayInfo, PayRequest, PaymentLink,
    RecurringResult, RefundResult, SaveCardRequest, ThreeDsStatus, TokenPair, TransactionStatus,
};

// ---------------------------------------------------------------------------------------------
// Requests

/// `POST /v1/generate-token`, mode A.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CredentialsBody<'a> {
    pub(crate) project_id: &'a str,
    pub(crate) project_secret: &'a str,
}

/// `POST /v1/generate-token`, mode B.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefreshBody<'a> {
    pub(crate) refresh_token: &'a str,
}

/// `items[]` of a request.
#[derive(Serialize)]
pub(crate) struct ItemBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(with = "opt_decimal_number", skip_serializing_if = "Option::is_none")]
    price: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<u32>,
}

/// `X.XX`: every amount goes out with exactly two decimals (`10.25`, `100.00`).
pub(crate) fn two_decimals(value: Decimal) -> Decimal {
    let mut value = value.normalize();
    value.rescale(2);
    value
}

fn items(items: &[Item]) -> Vec<ItemBody<'_>> {
    items
        .iter()
        .map(|item| ItemBody {
            id: item.id.as_deref(),
            name: item.name.as_deref(),
            price: item.price.map(two_decimals),
            quantity: item.quantity,
        })
        .collect()
}

/// The fields every creating call may carry after the amount.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CheckoutBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<&'a str>,
    #[serde(with = "opt_decimal_number", skip_serializing_if = "Option::is_none")]
    delivery: Option<Decimal>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<ItemBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ok_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_url: Option<&'a str>,
}

impl<'a> CheckoutBody<'a> {
    fn new(checkout: &'a Checkout, client: Option<&'a ClientInfo>, language: Language) -> Self {
        CheckoutBody {
            language: Some(checkout.language.unwrap_or(language).code()),
            description: checkout.description.as_deref(),
            client_name: client.and_then(|c| c.name.as_deref()),
            email: client.and_then(|c| c.email.as_deref()),
            phone: client.and_then(|c| c.phone.as_deref()),
            order_id: checkout.order_id.as_deref(),
            delivery: checkout.delivery.map(two_decimals),
            items: items(&checkout.items),
            callback_url: checkout.callback_url.as_deref(),
            ok_url: checkout.ok_url.as_deref(),
            fail_url: checkout.fail_url.as_deref(),
        }
    }
}

/// `POST /v1/pay` and `POST /v1/hold`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayBody<'a> {
    #[serde(with = "decimal_number")]
    amount: Decimal,
    currency: &'static str,
    client_ip: String,
    #[serde(flatten)]
    checkout: CheckoutBody<'a>,
}

impl<'a> PayBody<'a> {
    pub(crate) fn new(request: &'a PayRequest, language: Language) -> Self {
        PayBody {
            amount: two_decimals(request.amount.amount()),
            currency: request.amount.currency().code(),
            client_ip: request.client_ip.to_string(),
            checkout: CheckoutBody::new(&request.checkout, Some(&request.client), language),
        }
    }
}

/// `POST /v1/savecard-recurring` and `POST /v1/savecard-oneclick`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SaveCardBody<'a> {
    biller_expiry: String,
    client_ip: String,
    currency: &'static str,
    #[serde(with = "opt_decimal_number", skip_serializing_if = "Option::is_none")]
    amount: Option<Decimal>,
    #[serde(flatten)]
    checkout: CheckoutBody<'a>,
}

impl<'a> SaveCardBody<'a> {
    pub(crate) fn new(request: &'a SaveCardRequest, language: Language) -> Self {
        SaveCardBody {
            biller_expiry: request.biller_expiry.to_mmyy(),
            client_ip: request.client_ip.to_string(),
            currency: request.currency.code(),
            amount: request.amount.map(two_decimals),
            checkout: CheckoutBody::new(&request.checkout, Some(&request.client), language),
        }
    }
}

/// `POST /v1/execute-recurring`: no customer, language or URL fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExecuteRecurringBody<'a> {
    biller_id: &'a str,
    #[serde(with = "decimal_number")]
    amount: Decimal,
    currency: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<&'a str>,
    #[serde(with = "opt_decimal_number", skip_serializing_if = "Option::is_none")]
    delivery: Option<Decimal>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<ItemBody<'a>>,
}

impl<'a> ExecuteRecurringBody<'a> {
    pub(crate) fn new(request: &'a ExecuteRecurringRequest) -> Self {
        ExecuteRecurringBody {
            biller_id: &request.biller_id,
            amount: two_decimals(request.amount.amount()),
            currency: request.amount.currency().code(),
            description: request.description.as_deref(),
            order_id: request.order_id.as_deref(),
            delivery: request.delivery.map(two_decimals),
            items: items(&request.items),
        }
    }
}

/// `POST /v1/execute-oneclick`: no customer name, e-mail or phone.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExecuteOneClickBody<'a> {
    biller_id: &'a str,
    #[serde(with = "decimal_number")]
    amount: Decimal,
    currency: &'static str,
    client_ip: String,
    #[serde(flatten)]
    checkout: CheckoutBody<'a>,
}

impl<'a> ExecuteOneClickBody<'a> {
    pub(crate) fn new(request: &'a ExecuteOneClickRequest, language: Language) -> Self {
        ExecuteOneClickBody {
            biller_id: &request.biller_id,
            amount: two_decimals(request.amount.amount()),
            currency: request.amount.currency().code(),
            client_ip: request.client_ip.to_string(),
            checkout: CheckoutBody::new(&request.checkout, None, language),
        }
    }
}

/// `POST /v1/complete`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompleteBody<'a> {
    pub(crate) pay_id: &'a str,
    #[serde(with = "opt_decimal_number", skip_serializing_if = "Option::is_none")]
    pub(crate) confirm_amount: Option<Decimal>,
}

/// `POST /v1/refund`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefundBody<'a> {
    pub(crate) pay_id: &'a str,
    #[serde(with = "opt_decimal_number", skip_serializing_if = "Option::is_none")]
    pub(crate) refund_amount: Option<Decimal>,
}

// ---------------------------------------------------------------------------------------------
// Responses

/// `{"result": ..., "ok": ..., "errors": [...]}`.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default, deserialize_with = "opt_bool")]
    pub(crate) ok: Option<bool>,
    #[serde(default = "none")]
    pub(crate) result: Option<T>,
    #[serde(default)]
    pub(crate) errors: Option<Vec<ApiErrorItem>>,
}

fn none<T>() -> Option<T> {
    None
}

/// One entry of `errors[]`.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiErrorItem {
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) error_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) error_message: Option<String>,
    #[serde(default, deserialize_with = "opt_args")]
    pub(crate) error_args: BTreeMap<String, String>,
}

impl ApiErrorItem {
    /// The entry as paykit keeps it.
    pub(crate) fn entry(&self) -> ApiErrorEntry {
        let mut entry = ApiErrorEntry::new(
            self.error_code.clone().unwrap_or_default(),
            self.error_message.clone().unwrap_or_default(),
        );
        for (name, value) in &self.error_args {
            entry = entry.arg(name.clone(), value.clone());
        }
        entry
    }
}

/// `generate-token` result.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResult {
    #[serde(deserialize_with = "string")]
    access_token: String,
    #[serde(default, deserialize_with = "opt_u64")]
    expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    refresh_expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    token_type: Option<String>,
}

impl From<TokenResult> for TokenPair {
    fn from(t: TokenResult) -> Self {
        TokenPair {
            access_token: t.access_token.into(),
            expires_in: t.expires_in,
            refresh_token: t.refresh_token.filter(|r| !r.is_empty()).map(Into::into),
            refresh_expires_in: t.refresh_expires_in,
            token_type: t.token_type,
        }
    }
}

/// The intermediate result of `pay`, `hold`, `savecard-*`, `execute-oneclick`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LinkResult {
    #[serde(deserialize_with = "string")]
    pay_id: String,
    #[serde(default, deserialize_with = "opt_string")]
    order_id: Option<String>,
    #[serde(deserialize_with = "string")]
    pay_url: String,
}

impl From<LinkResult> for PaymentLink {
    fn from(r: LinkResult) -> Self {
        PaymentLink {
            pay_id: r.pay_id,
            order_id: r.order_id,
            pay_url: r.pay_url,
        }
    }
}

/// `complete` result.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompleteWire {
    #[serde(default, deserialize_with = "opt_string")]
    pay_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    order_id: Option<String>,
    #[serde(default, deserialize_with = "opt_status")]
    status: Option<TransactionStatus>,
    #[serde(default, deserialize_with = "opt_string")]
    status_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    status_message: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    rrn: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    approval: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    card_number: Option<String>,
    #[serde(default, with = "opt_decimal_number")]
    confirm_amount: Option<Decimal>,
}

impl CompleteWire {
    /// The result, with `pay_id` defaulting to the one asked about.
    pub(crate) fn into_result(self, asked: &str) -> CompleteResult {
        CompleteResult {
            pay_id: self.pay_id.unwrap_or_else(|| asked.to_owned()),
            order_id: self.order_id,
            status: self.status,
            status_code: self.status_code,
            status_message: self.status_message,
            rrn: self.rrn,
            approval: self.approval,
            card_number: self.card_number,
            confirm_amount: self.confirm_amount,
        }
    }
}

/// `refund` result.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefundWire {
    #[serde(default, deserialize_with = "opt_string")]
    pay_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    order_id: Option<String>,
    #[serde(default, deserialize_with = "opt_status")]
    status: Option<TransactionStatus>,
    #[serde(default, deserialize_with = "opt_string")]
    status_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    status_message: Option<String>,
    #[serde(default, with = "opt_decimal_number")]
    refund_amount: Option<Decimal>,
}

impl RefundWire {
    /// The result, with `pay_id` defaulting to the one asked about.
    pub(crate) fn into_result(self, asked: &str) -> RefundResult {
        RefundResult {
            pay_id: self.pay_id.unwrap_or_else(|| asked.to_owned()),
            order_id: self.order_id,
            status: self.status,
            status_code: self.status_code,
            status_message: self.status_message,
            refund_amount: self.refund_amount,
        }
    }
}

/// `items[]` of `pay-info`.
#[derive(Deserialize, Debug)]
pub(crate) struct ItemWire {
    #[serde(default, deserialize_with = "opt_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    name: Option<String>,
    #[serde(default, with = "opt_decimal_number")]
    price: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_i64")]
    quantity: Option<i64>,
}

/// `pay-info` result.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayInfoWire {
    #[serde(default, deserialize_with = "opt_string")]
    pay_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    order_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    biller_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    biller_expiry: Option<String>,
    #[serde(default, deserialize_with = "opt_status")]
    status: Option<TransactionStatus>,
    #[serde(default, deserialize_with = "opt_string")]
    status_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    status_message: Option<String>,
    #[serde(default, deserialize_with = "opt_three_ds")]
    three_ds: Option<ThreeDsStatus>,
    #[serde(default, deserialize_with = "opt_string")]
    rrn: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    approval: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    card_number: Option<String>,
    #[serde(default, with = "opt_decimal_number")]
    amount: Option<Decimal>,
    #[serde(default, with = "opt_decimal_number")]
    confirm_amount: Option<Decimal>,
    #[serde(default, with = "opt_decimal_number")]
    refund_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_string")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    client_ip: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    client_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "opt_lenient_decimal")]
    delivery: Option<Decimal>,
    #[serde(default)]
    items: Option<Vec<ItemWire>>,
}

impl PayInfoWire {
    /// The result, with `pay_id` defaulting to the one asked about.
    pub(crate) fn into_result(self, asked: &str) -> PayInfo {
        PayInfo {
            pay_id: self.pay_id.unwrap_or_else(|| asked.to_owned()),
            order_id: self.order_id,
            biller_id: self.biller_id,
            biller_expiry: self.biller_expiry,
            status: self.status,
            status_code: self.status_code,
            status_message: self.status_message,
            three_ds: self.three_ds,
            rrn: self.rrn,
            approval: self.approval,
            card_number: self.card_number,
            amount: self.amount,
            confirm_amount: self.confirm_amount,
            refund_amount: self.refund_amount,
            currency: self.currency,
            description: self.description,
            client_ip: self.client_ip,
            client_name: self.client_name,
            email: self.email,
            phone: self.phone,
            delivery: self.delivery,
            items: self
                .items
                .unwrap_or_default()
                .into_iter()
                .map(|i| ItemInfo {
                    id: i.id,
                    name: i.name,
                    price: i.price,
                    quantity: i.quantity,
                })
                .collect(),
        }
    }
}

/// `execute-recurring` result.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RecurringWire {
    #[serde(deserialize_with = "string")]
    pay_id: String,
    #[serde(default, deserialize_with = "opt_string")]
    biller_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    order_id: Option<String>,
    #[serde(default, deserialize_with = "opt_status")]
    status: Option<TransactionStatus>,
    #[serde(default, deserialize_with = "opt_string")]
    status_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    status_message: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    rrn: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    approval: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    card_number: Option<String>,
    #[serde(default, with = "opt_decimal_number")]
    amount: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_string")]
    currency: Option<String>,
}

impl From<RecurringWire> for RecurringResult {
    fn from(r: RecurringWire) -> Self {
        RecurringResult {
            pay_id: r.pay_id,
            biller_id: r.biller_id,
            order_id: r.order_id,
            status: r.status,
            status_code: r.status_code,
            status_message: r.status_message,
            rrn: r.rrn,
            approval: r.approval,
            card_number: r.card_number,
            amount: r.amount,
            currency: r.currency,
        }
    }
}

/// `delete-card` result.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeleteWire {
    #[serde(default, deserialize_with = "opt_string")]
    biller_id: Option<String>,
    #[serde(default, deserialize_with = "opt_status")]
    status: Option<TransactionStatus>,
}

impl DeleteWire {
    /// The result, with `biller_id` defaulting to the one asked about.
    pub(crate) fn into_result(self, asked: &str) -> DeletedCard {
        DeletedCard {
            biller_id: self.biller_id.unwrap_or_else(|| asked.to_owned()),
            status: self.status,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lenient readers

/// A JSON scalar as text: strings unescaped, numbers and booleans as written; `null` is `None`.
fn scalar_text(raw: &RawValue) -> Result<Option<String>, serde_json::Error> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).map(Some),
        Some(b'n') => Ok(None),
        Some(b'{' | b'[') => Err(serde_json::Error::custom("expected a scalar")),
        Some(_) => Ok(Some(text.to_owned())),
        None => Ok(None),
    }
}

/// An optional string; numbers and booleans are taken as their text.
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(raw) => scalar_text(&raw).map_err(D::Error::custom),
    }
}

/// A required, non-empty string (ids and URLs the client cannot work without).
fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match opt_string(d)? {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(D::Error::custom("a required value is null or empty")),
    }
}

fn opt_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TransactionStatus>, D::Error> {
    Ok(opt_string(d)?
        .filter(|s| !s.is_empty())
        .map(|s| TransactionStatus::parse(&s)))
}

fn opt_three_ds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ThreeDsStatus>, D::Error> {
    Ok(opt_string(d)?
        .filter(|s| !s.is_empty())
        .map(|s| ThreeDsStatus::parse(&s)))
}

/// An optional whole number given as a number or a numeric string.
fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match opt_string(d)? {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => text
            .parse::<u64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("not a whole number of seconds: {text:?}"))),
    }
}

fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match opt_string(d)? {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("not a whole number: {text:?}"))),
    }
}

/// An optional decimal from a number, a numeric string, `null` or `""`.
fn opt_lenient_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim();
    if text == "null" || text == "\"\"" {
        return Ok(None);
    }
    paykit_core::wire::parse_decimal_literal(text)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("not a decimal amount: {text}")))
}

/// `errorArgs`: an object of (documented) string values; other scalars are kept as their text,
/// nested values as their JSON, `null` and a missing object as no arguments.
fn opt_args<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw = Option::<BTreeMap<String, Box<RawValue>>>::deserialize(d)?;
    let mut args = BTreeMap::new();
    for (name, value) in raw.unwrap_or_default() {
        let text = match scalar_text(&value) {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            Err(_) => value.get().to_owned(),
        };
        args.insert(name, text);
    }
    Ok(args)
}

/// `ok`: `true`, `false`, `"true"`, `"false"` or `null`.
fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    struct Flag(#[serde(with = "lenient_bool")] bool);
    Ok(Option::<Flag>::deserialize(d)?.map(|f| f.0))
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use paykit_core::{Currency, Money};
    use serde_json::{Value, json};

    use super::*;
    use crate::types::BillerExpiry;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn to_value<T: Serialize>(body: &T) -> Value {
        serde_json::from_slice(&serde_json::to_vec(body).unwrap()).unwrap()
    }

    #[test]
    fn pay_body_matches_the_docs_example() {
        let request = PayRequest::new(
            Money::parse("10.25", Currency::MDL).unwrap(),
            Ipv4Addr::new(135, 250, 245, 121),
        )
        .language(Language::Ro)
        .description("Order #123")
        .client_name("Ion Popescu")
        .email("ion@example.md")
        .phone("069123456")
        .order_id("123")
        .delivery(dec("1.25"))
        .item(Item::new("Product 1", dec("2.50"), 2).id("10"))
        .item(Item::new("Product 2", dec("4"), 1).id("11"))
        .callback_url("https://shop.example.md/maib/callback")
        .ok_url("https://shop.example.md/maib/ok")
        .fail_url("https://shop.example.md/maib/fail");
        let text = serde_json::to_string(&PayBody::new(&request, Language::En)).unwrap();
        // Amounts are number literals with two decimals, never strings, never floats.
        assert!(text.contains(r#""amount":10.25"#), "{text}");
        assert!(text.contains(r#""delivery":1.25"#), "{text}");
        assert!(text.contains(r#""price":4.00"#), "{text}");
        assert_eq!(
            to_value(&PayBody::new(&request, Language::En)),
            json!({
                "amount": 10.25, "currency": "MDL", "clientIp": "135.250.245.121", "language": "ro",
                "description": "Order #123", "clientName": "Ion Popescu", "email": "ion@example.md",
                "phone": "069123456", "orderId": "123", "delivery": 1.25,
                "items": [
                    {"id": "10", "name": "Product 1", "price": 2.5, "quantity": 2},
                    {"id": "11", "name": "Product 2", "price": 4.0, "quantity": 1}
                ],
                "callbackUrl": "https://shop.example.md/maib/callback",
                "okUrl": "https://shop.example.md/maib/ok",
                "failUrl": "https://shop.example.md/maib/fail"
            })
        );
    }

    #[test]
    fn minimal_bodies_omit_what_is_unset_but_always_carry_a_language() {
        let request = PayRequest::new(
            Money::parse("100", Currency::EUR).unwrap(),
            Ipv4Addr::new(1, 2, 3, 4),
        );
        let text = serde_json::to_string(&PayBody::new(&request, Language::En)).unwrap();
        assert_eq!(
            text,
            r#"{"amount":100.00,"currency":"EUR","clientIp":"1.2.3.4","language":"en"}"#
        );
    }

    #[test]
    fn savecard_body_without_amount() {
        let request = SaveCardRequest::new(
            BillerExpiry::parse("1230").unwrap(),
            Ipv4Addr::new(135, 250, 245, 121),
            Currency::EUR,
        )
        .email("ion@example.md")
        .order_id("sub-42");
        assert_eq!(
            to_value(&SaveCardBody::new(&request, Language::Ru)),
            json!({"billerExpiry": "1230", "clientIp": "135.250.245.121", "currency": "EUR",
                   "email": "ion@example.md", "orderId": "sub-42", "language": "ru"})
        );
    }

    #[test]
    fn execute_bodies_carry_only_their_fields() {
        let recurring = ExecuteRecurringRequest::new(
            "8a90269f-cebd-4b23-1f85-08db7982298c",
            Money::parse("6.25", Currency::EUR).unwrap(),
        )
        .order_id("sub-42-m2")
        .description("Monthly plan");
        assert_eq!(
            to_value(&ExecuteRecurringBody::new(&recurring)),
            json!({"billerId": "8a90269f-cebd-4b23-1f85-08db7982298c", "amount": 6.25,
                   "currency": "EUR", "orderId": "sub-42-m2", "description": "Monthly plan"})
        );
        let oneclick = ExecuteOneClickRequest::new(
            "8a90269f-cebd-4b23-1f85-08db7982298c",
            Money::parse("6.25", Currency::EUR).unwrap(),
            Ipv4Addr::new(135, 250, 245, 121),
        )
        .order_id("790");
        assert_eq!(
            to_value(&ExecuteOneClickBody::new(&oneclick, Language::En)),
            json!({"billerId": "8a90269f-cebd-4b23-1f85-08db7982298c", "amount": 6.25,
                   "currency": "EUR", "clientIp": "135.250.245.121", "language": "en",
                   "orderId": "790"})
        );
    }

    #[test]
    fn complete_and_refund_bodies() {
        let full = CompleteBody {
            pay_id: "p",
            confirm_amount: None,
        };
        assert_eq!(serde_json::to_string(&full).unwrap(), r#"{"payId":"p"}"#);
        let partial = RefundBody {
            pay_id: "p",
            refund_amount: Some(two_decimals(dec("5.5"))),
        };
        assert_eq!(
            serde_json::to_string(&partial).unwrap(),
            r#"{"payId":"p","refundAmount":5.50}"#
        );
    }

    #[test]
    fn envelope_ok_may_be_a_string() {
        let e: Envelope<DeleteWire> =
            serde_json::from_str(r#"{"result":{"billerId":"b","status":"OK"},"ok":"true"}"#)
                .unwrap();
        assert_eq!(e.ok, Some(true));
        let e: Envelope<DeleteWire> = serde_json::from_str(r#"{"result":null}"#).unwrap();
        assert_eq!(e.ok, None);
        assert!(e.result.is_none());
    }

    #[test]
    fn pay_info_reads_delivery_as_string_or_number_and_missing_fields() {
        let a: PayInfoWire =
            serde_json::from_str(r#"{"payId":"p","delivery":"1.25","amount":10.25}"#).unwrap();
        let b: PayInfoWire = serde_json::from_str(r#"{"payId":"p","delivery":1.25}"#).unwrap();
        assert_eq!(a.into_result("p").delivery, b.into_result("p").delivery);
        let empty: PayInfoWire = serde_json::from_str(r#"{}"#).unwrap();
        let info = empty.into_result("asked");
        assert_eq!(info.pay_id, "asked");
        assert!(info.status.is_none() && info.items.is_empty());
        let nulls: PayInfoWire = serde_json::from_str(
            r#"{"payId":"p","status":null,"amount":null,"items":null,"orderId":123,"delivery":""}"#,
        )
        .unwrap();
        let info = nulls.into_result("p");
        assert_eq!(info.order_id.as_deref(), Some("123"));
        assert!(info.delivery.is_none());
    }

    #[test]
    fn essential_fields_are_required() {
        assert!(serde_json::from_str::<LinkResult>(r#"{"payId":"p"}"#).is_err());
        assert!(serde_json::from_str::<LinkResult>(r#"{"payId":"","payUrl":"u"}"#).is_err());
        assert!(serde_json::from_str::<TokenResult>(r#"{"expiresIn":300}"#).is_err());
        assert!(
            serde_json::from_str::<TokenResult>(r#"{"accessToken":"a","expiresIn":-1}"#).is_err()
        );
        let t: TokenResult =
            serde_json::from_str(r#"{"accessToken":"a","expiresIn":"300"}"#).unwrap();
        assert_eq!(t.expires_in, Some(300));
    }

    #[test]
    fn amounts_keep_their_exact_value() {
        let r: CompleteWire =
            serde_json::from_str(r#"{"confirmAmount":90071992547409.93}"#).unwrap();
        assert_eq!(
            r.into_result("p").confirm_amount,
            Some(dec("90071992547409.93"))
        );
    }
}
