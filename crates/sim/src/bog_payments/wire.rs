//! The Payments API's answers on the wire: the receipt (bog-payments.md §5.1) that
//! `GET /receipt` returns and every callback wraps (§7.1), the create answers (§4.8) and the
//! acknowledgements (§5.2-5.3). Amounts are strings in Java's style (`"30.0"`, `"12.5"`),
//! times UTC with microseconds.

use rust_decimal::Decimal;
use serde::Serialize;

use super::state::{Action, Buyer, Item, Order};
use crate::calendar::DateTime;

/// The business as the receipt names it.
const BRAND_KA: &str = "სატესტო მაღაზია";
const BRAND_EN: &str = "Test Shop";
const BRAND_URL: &str = "https://shop.example.ge";

/// `YYYY-MM-DDTHH:MM:SS.ssssssZ` for `now_ms` (the simulator keeps milliseconds, so the last
/// three digits are zeros).
pub(crate) fn zoned(now_ms: u64) -> String {
    let secs = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    format!(
        "{}.{:06}Z",
        DateTime::from_unix(secs).iso_local(),
        (now_ms % 1000) * 1000
    )
}

/// A decimal as Java prints a double: the shortest digits, and `.0` for whole numbers.
pub(crate) fn java(value: Decimal) -> String {
    let n = value.normalize();
    if n.scale() == 0 {
        format!("{n}.0")
    } else {
        n.to_string()
    }
}

/// A decimal with its shortest digits (`"2"`, `"12.5"`), as the receipt writes quantities.
fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

#[derive(Serialize)]
struct Client<'a> {
    id: &'a str,
    brand_ka: &'static str,
    brand_en: &'static str,
    url: &'static str,
}

#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct BuyerOut<'a> {
    full_name: Option<&'a str>,
    email: Option<&'a str>,
    phone_number: Option<&'a str>,
}

impl<'a> BuyerOut<'a> {
    fn of(b: &'a Buyer) -> Self {
        Self {
            full_name: b.full_name.as_deref(),
            email: b.email.as_deref(),
            phone_number: b.phone_number.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct ItemOut<'a> {
    external_item_id: &'a str,
    description: Option<&'a str>,
    quantity: String,
    unit_price: String,
    unit_discount_price: String,
    vat: String,
    vat_percent: String,
    total_price: String,
    package_code: Option<&'a str>,
    tin: Option<&'a str>,
    pinfl: Option<&'a str>,
    product_discount_id: Option<&'a str>,
}

impl<'a> ItemOut<'a> {
    fn of(i: &'a Item) -> Self {
        let zero = || "0".to_owned();
        let line = i
            .total_price
            .unwrap_or_else(|| i.quantity.saturating_mul(i.unit_price));
        Self {
            external_item_id: &i.product_id,
            description: i.description.as_deref(),
            quantity: plain(i.quantity),
            unit_price: java(i.unit_price),
            unit_discount_price: i.unit_discount_price.map_or_else(zero, java),
            vat: i.vat.map_or_else(zero, java),
            vat_percent: i.vat_percent.map_or_else(zero, java),
            total_price: java(line),
            package_code: i.package_code.as_deref(),
            tin: i.tin.as_deref(),
            pinfl: i.pinfl.as_deref(),
            product_discount_id: i.product_discount_id.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Units<'a> {
    request_amount: String,
    transfer_amount: Option<String>,
    refund_amount: String,
    currency_code: &'a str,
    items: Vec<ItemOut<'a>>,
}

#[derive(Serialize)]
struct Redirects<'a> {
    success: Option<&'a str>,
    fail: Option<&'a str>,
}

#[derive(Serialize)]
struct Detail<'a> {
    transfer_method: KeyValue<'a>,
    code: Option<&'a str>,
    code_description: Option<&'a str>,
    transaction_id: Option<&'a str>,
    payer_identifier: Option<&'a str>,
    payment_option: &'a str,
    card_type: Option<&'a str>,
    card_expiry_date: Option<&'a str>,
    request_account_tag: Option<&'a str>,
    transfer_account_tag: Option<&'a str>,
    saved_card_type: Option<&'a str>,
    parent_order_id: Option<&'a str>,
    auth_code: Option<&'a str>,
}

#[derive(Serialize)]
struct ActionOut<'a> {
    action_id: &'a str,
    request_channel: &'static str,
    action: &'a str,
    status: &'a str,
    zoned_action_date: String,
    amount: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_description: Option<&'a str>,
}

impl<'a> ActionOut<'a> {
    fn of(a: &'a Action) -> Self {
        Self {
            action_id: &a.action_id,
            request_channel: "public_api",
            action: a.action,
            status: a.status,
            zoned_action_date: zoned(a.at_ms),
            amount: java(a.amount),
            code: a.code,
            code_description: a.code_description,
        }
    }
}

/// The payment details object.
#[derive(Serialize)]
pub(crate) struct Receipt<'a> {
    order_id: &'a str,
    industry: &'static str,
    capture: &'static str,
    external_order_id: Option<&'a str>,
    client: Client<'a>,
    zoned_create_date: String,
    zoned_expire_date: String,
    order_status: KeyValue<'a>,
    buyer: Option<BuyerOut<'a>>,
    purchase_units: Units<'a>,
    redirect_links: Redirects<'a>,
    payment_detail: Detail<'a>,
    discount: Option<()>,
    actions: Option<Vec<ActionOut<'a>>>,
    lang: &'a str,
    reject_reason: Option<&'a str>,
}

impl<'a> Receipt<'a> {
    /// `order`'s receipt; `client_id` is the business id the receipt shows.
    pub(crate) fn of(order: &'a Order, client_id: &'a str) -> Self {
        let payment = order.payment.as_ref();
        let method = payment.map(|p| p.method);
        Self {
            order_id: &order.order_id,
            industry: "ecommerce",
            capture: if order.manual { "manual" } else { "automatic" },
            external_order_id: order.external_order_id.as_deref(),
            client: Client {
                id: client_id,
                brand_ka: BRAND_KA,
                brand_en: BRAND_EN,
                url: BRAND_URL,
            },
            zoned_create_date: zoned(order.created_ms),
            zoned_expire_date: zoned(order.expires_ms),
            order_status: KeyValue {
                key: order.status.key(),
                value: order.status.label(),
            },
            buyer: order.buyer.as_ref().map(BuyerOut::of),
            purchase_units: Units {
                request_amount: java(order.request_amount),
                transfer_amount: order.transfer_amount.map(java),
                refund_amount: java(order.refund_amount),
                currency_code: order.currency,
                items: order.items.iter().map(ItemOut::of).collect(),
            },
            redirect_links: Redirects {
                success: order.redirect_success.as_deref(),
                fail: order.redirect_fail.as_deref(),
            },
            payment_detail: Detail {
                transfer_method: KeyValue {
                    key: method.map_or("", |m| m.key()),
                    value: method.map_or("", |m| m.label()),
                },
                code: payment.map(|p| p.code),
                code_description: payment.map(|p| p.code_description),
                transaction_id: payment.map(|p| p.transaction_id.as_str()),
                payer_identifier: payment.map(|p| p.payer_identifier.as_str()),
                payment_option: order.option.key(),
                card_type: payment.and_then(|p| p.card_type),
                card_expiry_date: payment.and_then(|p| p.card_expiry),
                request_account_tag: order.account_tag.as_deref(),
                transfer_account_tag: payment.map(|_| order.account_tag.as_deref().unwrap_or("1")),
                saved_card_type: order.saved.map(|k| k.key()),
                parent_order_id: order.parent_order_id.as_deref(),
                auth_code: payment.and_then(|p| p.auth_code.as_deref()),
            },
            discount: None,
            actions: (!order.actions.is_empty())
                .then(|| order.actions.iter().map(ActionOut::of).collect()),
            lang: order.lang,
            reject_reason: order.reject_reason.as_deref(),
        }
    }
}

/// The callback body: `{event, zoned_request_time, body}` around the receipt.
#[derive(Serialize)]
pub(crate) struct Envelope<'a> {
    pub(crate) event: &'static str,
    pub(crate) zoned_request_time: String,
    pub(crate) body: Receipt<'a>,
}

/// `{"href": ...}`.
#[derive(Serialize)]
pub(crate) struct Href {
    pub(crate) href: String,
}

/// `_links` of the create answers.
#[derive(Serialize)]
pub(crate) struct Links {
    pub(crate) details: Href,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) redirect: Option<Href>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) accept: Option<Href>,
}

/// The answer to create, pay with a saved card and `/subscribe`: `{id, _links}`, plus
/// `status` and `order_details` for payments that finished at once (Google Pay on the
/// merchant's page, Apple Pay accept), or `result` (Apple Pay session data).
#[derive(Serialize)]
pub(crate) struct Created<'a> {
    pub(crate) id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) order_details: Option<Receipt<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) result: Option<ApplePaySession<'a>>,
    #[serde(rename = "_links")]
    pub(crate) links: Links,
}

/// Apple Pay session data for an order paid on the merchant's page (illustrative: BOG
/// documents the object only as "Apple Pay initiation data").
#[derive(Serialize)]
pub(crate) struct ApplePaySession<'a> {
    pub(crate) merchant_identifier: &'static str,
    pub(crate) display_name: &'static str,
    pub(crate) initiative: &'a str,
    pub(crate) initiative_context: &'static str,
    pub(crate) amount: String,
    pub(crate) currency_code: &'a str,
}

impl<'a> ApplePaySession<'a> {
    pub(crate) fn of(order: &'a Order, initiative: &'a str) -> Self {
        Self {
            merchant_identifier: "merchant.ge.bog.paykit-sim",
            display_name: BRAND_EN,
            initiative,
            initiative_context: "shop.example.ge",
            amount: java(order.request_amount),
            currency_code: order.currency,
        }
    }
}

/// The acknowledgement of refund, approve and cancel.
#[derive(Serialize)]
pub(crate) struct Ack<'a> {
    pub(crate) key: &'static str,
    pub(crate) message: &'static str,
    pub(crate) action_id: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_like_java_doubles() {
        assert_eq!(java(Decimal::new(30, 0)), "30.0");
        assert_eq!(java(Decimal::new(3000, 2)), "30.0");
        assert_eq!(java(Decimal::new(1250, 2)), "12.5");
        assert_eq!(java(Decimal::ZERO), "0.0");
        assert_eq!(java(Decimal::new(2535, 2)), "25.35");
        assert_eq!(plain(Decimal::new(200, 2)), "2");
    }

    #[test]
    fn zoned_times_have_microseconds() {
        assert_eq!(zoned(1_741_944_413_589), "2025-03-14T09:26:53.589000Z");
        assert_eq!(zoned(0), "1970-01-01T00:00:00.000000Z");
    }
}
