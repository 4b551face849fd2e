//! iPay response bodies (bog-ipay.md §3-5) and callback forms (§7).

use rust_decimal::Decimal;
use serde::Serialize;

use super::state::Order;

/// Amounts go out as strings with two decimals (`"0.10"`), as iPay writes them.
pub(crate) fn money(value: Decimal) -> String {
    let mut v = value;
    v.rescale(2);
    v.to_string()
}

/// The token response.
#[derive(Serialize)]
pub(crate) struct Token {
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) app_id: &'static str,
    /// Epoch milliseconds (the issue instant, as iPay really sends it).
    pub(crate) expires_in: u64,
}

/// One HATEOAS link.
#[derive(Serialize)]
pub(crate) struct Link {
    pub(crate) href: String,
    pub(crate) rel: &'static str,
    pub(crate) method: &'static str,
}

/// The create-order response.
#[derive(Serialize)]
pub(crate) struct CreatedOrder<'a> {
    pub(crate) status: &'static str,
    pub(crate) payment_hash: &'a str,
    pub(crate) links: Vec<Link>,
    pub(crate) order_id: &'a str,
}

/// `GET /checkout/payment/{order_id}`.
#[derive(Serialize)]
pub(crate) struct Details<'a> {
    status: &'static str,
    order_id: &'a str,
    payment_hash: &'a str,
    ipay_payment_id: &'a str,
    status_description: &'static str,
    shop_order_id: Option<&'a str>,
    payment_method: &'static str,
    card_type: &'static str,
    pan: Option<&'a str>,
    transaction_id: Option<&'a str>,
    pre_auth_status: Option<&'static str>,
}

impl<'a> From<&'a Order> for Details<'a> {
    fn from(o: &'a Order) -> Self {
        let card = o.card.as_ref();
        Self {
            status: o.status.as_str(),
            order_id: &o.order_id,
            payment_hash: &o.payment_hash,
            ipay_payment_id: &o.ipay_payment_id,
            status_description: o.status_description,
            shop_order_id: o.shop_order_id.as_deref(),
            payment_method: if card.is_some() { "GC_CARD" } else { "UNKNOWN" },
            card_type: if card.is_some() { "VISA" } else { "UNKNOWN" },
            pan: card.map(|(pan, _)| pan.as_str()),
            transaction_id: card.map(|(_, tx)| tx.as_str()),
            pre_auth_status: o.pre_auth.map(|p| p.as_str()),
        }
    }
}

/// The pre-auth completion response.
#[derive(Serialize)]
pub(crate) struct Completion {
    pub(crate) status: &'static str,
    pub(crate) description: &'static str,
}

/// The recurring-charge response.
#[derive(Serialize)]
pub(crate) struct Charge<'a> {
    pub(crate) status: &'static str,
    pub(crate) payment_hash: &'a str,
    pub(crate) order_id: &'a str,
}

/// The Payment Status Change callback form.
pub(crate) fn status_form(o: &Order) -> Vec<(&'static str, String)> {
    let d = Details::from(o);
    let mut form = vec![
        ("status", d.status.to_owned()),
        ("order_id", o.order_id.clone()),
        ("payment_hash", o.payment_hash.clone()),
        ("ipay_payment_id", o.ipay_payment_id.clone()),
        ("status_description", d.status_description.to_owned()),
        ("shop_order_id", o.shop_order_id.clone().unwrap_or_default()),
        ("payment_method", d.payment_method.to_owned()),
        ("card_type", d.card_type.to_owned()),
    ];
    if let Some((pan, tx)) = &o.card {
        form.push(("pan", pan.clone()));
        form.push(("transaction_id", tx.clone()));
    }
    if let Some(p) = o.pre_auth {
        form.push(("pre_auth_status", p.as_str().to_owned()));
    }
    form
}

/// The Payment Amount Return (refund) callback form: no `status` field.
pub(crate) fn refund_form(o: &Order) -> Vec<(&'static str, String)> {
    let d = Details::from(o);
    vec![
        ("order_id", o.order_id.clone()),
        ("payment_hash", o.payment_hash.clone()),
        ("ipay_payment_id", o.ipay_payment_id.clone()),
        ("status_description", d.status_description.to_owned()),
        ("shop_order_id", o.shop_order_id.clone().unwrap_or_default()),
        ("payment_method", d.payment_method.to_owned()),
        ("card_type", d.card_type.to_owned()),
    ]
}
