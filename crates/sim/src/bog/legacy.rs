//! The legacy read resources iPay no longer documents (bog-ipay.md §5.6): the PayPal-like
//! order at `GET /checkout/orders/{id}` (the `rel=self` link) and
//! `GET /checkout/orders/status/{id}`.

use serde::Serialize;

use super::state::{Order, Status};
use super::wire::money;
use crate::calendar::java_georgia;

fn legacy_status(o: &Order) -> &'static str {
    match o.status {
        Status::Success => "PERFORMED",
        Status::Error => "REJECTED",
        Status::InProgress => "IN_PROGRESS",
    }
}

fn java_time(ms: u64) -> String {
    java_georgia(i64::try_from(ms / 1000).unwrap_or(i64::MAX))
}

#[derive(Serialize)]
struct Amount {
    value: String,
    currency_code: String,
}

#[derive(Serialize)]
struct Payer {
    name: Option<String>,
    email_address: Option<String>,
    payer_id: Option<String>,
}

#[derive(Serialize)]
struct Payee {
    addres: Option<String>,
    contact: Option<String>,
    email_address: Option<String>,
}

#[derive(Serialize)]
struct Capture {
    id: String,
    status: &'static str,
    amount: Amount,
    final_capture: &'static str,
    create_time: String,
    update_time: String,
}

#[derive(Serialize)]
struct Payments {
    captures: Vec<Capture>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PurchaseUnit {
    amount: Amount,
    payee: Payee,
    payments: Vec<Payments>,
    #[serde(rename = "shop_order_id")]
    shop_order_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorEntry {
    error_code: &'static str,
    action_time: String,
}

/// The legacy order resource.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LegacyOrder {
    id: String,
    status: &'static str,
    intent: String,
    payer: Payer,
    purchase_unit: PurchaseUnit,
    create_time: String,
    update_time: String,
    error_history: Vec<ErrorEntry>,
}

impl From<&Order> for LegacyOrder {
    fn from(o: &Order) -> Self {
        let amount = || Amount {
            value: money(o.amount),
            currency_code: o.currency.clone(),
        };
        let captures = if o.status == Status::Success {
            vec![Capture {
                id: o.ipay_payment_id.clone(),
                status: "COMPLETED",
                amount: Amount {
                    value: money(if o.captured.is_zero() {
                        o.amount
                    } else {
                        o.captured
                    }),
                    currency_code: o.currency.clone(),
                },
                final_capture: "true",
                create_time: java_time(o.updated_ms),
                update_time: java_time(o.updated_ms),
            }]
        } else {
            Vec::new()
        };
        let error_history = if o.status == Status::Error {
            vec![ErrorEntry {
                error_code: "REJECTED",
                action_time: java_time(o.updated_ms),
            }]
        } else {
            Vec::new()
        };
        Self {
            id: o.order_id.clone(),
            status: legacy_status(o),
            intent: o.intent.clone(),
            payer: Payer {
                name: None,
                email_address: None,
                payer_id: None,
            },
            purchase_unit: PurchaseUnit {
                amount: amount(),
                payee: Payee {
                    addres: None,
                    contact: None,
                    email_address: None,
                },
                payments: vec![Payments { captures }],
                shop_order_id: o.shop_order_id.clone(),
            },
            create_time: java_time(o.created_ms),
            update_time: java_time(o.updated_ms),
            error_history,
        }
    }
}

/// The legacy status resource.
#[derive(Serialize)]
pub(crate) struct LegacyStatus {
    status: &'static str,
}

impl From<&Order> for LegacyStatus {
    fn from(o: &Order) -> Self {
        Self {
            status: legacy_status(o),
        }
    }
}
