//! maib response bodies (the `result` objects of maib.md §2-4 and §6).

use serde::Serialize;

use super::state::{Item, Payment};
use crate::json::Money;

/// `generate-token` result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResult {
    pub(crate) access_token: String,
    pub(crate) expires_in: u64,
    pub(crate) refresh_token: String,
    pub(crate) refresh_expires_in: u64,
    pub(crate) token_type: &'static str,
}

/// The intermediate response of pay / hold / savecard-* / execute-oneclick.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Registered<'a> {
    pub(crate) pay_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) order_id: Option<&'a str>,
    pub(crate) pay_url: String,
}

/// The final result as the callback carries it (null for absent processing details, as in
/// maib's own decline examples).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CallbackResult<'a> {
    pub(crate) pay_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) biller_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) biller_expiry: Option<&'a str>,
    pub(crate) order_id: Option<&'a str>,
    pub(crate) status: &'static str,
    pub(crate) status_code: &'static str,
    pub(crate) status_message: &'static str,
    pub(crate) three_ds: &'static str,
    pub(crate) rrn: Option<&'a str>,
    pub(crate) approval: Option<&'a str>,
    pub(crate) card_number: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) amount: Option<Money>,
    pub(crate) currency: &'a str,
}

impl<'a> CallbackResult<'a> {
    /// The callback result of a processed payment (`None` before the customer acted).
    pub(crate) fn of(p: &'a Payment) -> Option<Self> {
        let auth = p.auth.as_ref()?;
        Some(Self {
            pay_id: &p.pay_id,
            biller_id: p.biller_id.as_deref(),
            biller_expiry: p
                .kind
                .saves_card()
                .then_some(p.order.biller_expiry.as_deref())
                .flatten(),
            order_id: p.order.order_id.as_deref(),
            status: p.status.as_str(),
            status_code: auth.status_code,
            status_message: auth.status_message,
            three_ds: auth.three_ds,
            rrn: auth.rrn.as_deref(),
            approval: auth.approval.as_deref(),
            card_number: auth.card_number,
            amount: p.order.amount.map(Money),
            currency: &p.order.currency,
        })
    }
}

/// A basket line as echoed back.
#[derive(Serialize)]
struct ItemView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<i64>,
}

impl<'a> From<&'a Item> for ItemView<'a> {
    fn from(i: &'a Item) -> Self {
        Self {
            id: i.id.as_deref(),
            name: i.name.as_deref(),
            price: i.price.map(Money),
            quantity: i.quantity,
        }
    }
}

/// `pay-info` result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayInfo<'a> {
    pay_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    biller_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    biller_expiry: Option<&'a str>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_message: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    three_ds: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rrn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    approval: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_number: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_amount: Option<Money>,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<Money>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<ItemView<'a>>,
}

impl<'a> From<&'a Payment> for PayInfo<'a> {
    fn from(p: &'a Payment) -> Self {
        let auth = p.auth.as_ref();
        let o = &p.order;
        Self {
            pay_id: &p.pay_id,
            order_id: o.order_id.as_deref(),
            biller_id: p.biller_id.as_deref(),
            biller_expiry: o.biller_expiry.as_deref(),
            status: p.status.as_str(),
            status_code: auth.map(|a| a.status_code),
            status_message: auth.map(|a| a.status_message),
            three_ds: auth.map(|a| a.three_ds),
            rrn: auth.and_then(|a| a.rrn.as_deref()),
            approval: auth.and_then(|a| a.approval.as_deref()),
            card_number: auth.map(|a| a.card_number),
            amount: o.amount.map(Money),
            confirm_amount: p.confirm_amount.map(Money),
            refund_amount: p.refund_amount.map(Money),
            currency: &o.currency,
            description: o.description.as_deref(),
            client_ip: o.client_ip.as_deref(),
            client_name: o.client_name.as_deref(),
            email: o.email.as_deref(),
            phone: o.phone.as_deref(),
            delivery: o.delivery.map(Money),
            items: o.items.iter().map(ItemView::from).collect(),
        }
    }
}

/// `complete` result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Completed<'a> {
    pub(crate) pay_id: &'a str,
    pub(crate) order_id: Option<&'a str>,
    pub(crate) status: &'static str,
    pub(crate) status_code: &'static str,
    pub(crate) status_message: &'static str,
    pub(crate) rrn: Option<&'a str>,
    pub(crate) approval: Option<&'a str>,
    pub(crate) card_number: &'static str,
    pub(crate) confirm_amount: Money,
}

/// `refund` result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Refunded<'a> {
    pub(crate) pay_id: &'a str,
    pub(crate) order_id: Option<&'a str>,
    pub(crate) status: &'static str,
    pub(crate) status_code: &'static str,
    pub(crate) status_message: &'static str,
    pub(crate) refund_amount: Money,
}

/// `execute-recurring` result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Executed<'a> {
    pub(crate) pay_id: &'a str,
    pub(crate) biller_id: &'a str,
    pub(crate) order_id: Option<&'a str>,
    pub(crate) status: &'static str,
    pub(crate) status_code: &'static str,
    pub(crate) status_message: &'static str,
    pub(crate) rrn: Option<&'a str>,
    pub(crate) approval: Option<&'a str>,
    pub(crate) card_number: &'static str,
    pub(crate) amount: Option<Money>,
    pub(crate) currency: &'a str,
}

/// `delete-card` result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Deleted<'a> {
    pub(crate) biller_id: &'a str,
    pub(crate) status: &'static str,
}
