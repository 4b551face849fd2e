//! miaPOS response and callback bodies (miapos.md §3).

use rust_decimal::Decimal;
use serde::Serialize;

use super::state::Payment;
use crate::json::Money;

/// `AuthTokens`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuthTokens {
    pub(crate) access_token: String,
    pub(crate) access_token_expires_in: u64,
    pub(crate) refresh_token: String,
    pub(crate) refresh_token_expires_in: u64,
    pub(crate) token_type: &'static str,
}

/// `CreatePaymentResponse` (`checkout_page` absent for RTP direct).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Created<'a> {
    pub(crate) order_id: &'a str,
    pub(crate) payment_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) checkout_page: Option<String>,
}

/// `OrderPaymentResult`, as `GET /payment/{id}` and the callback carry it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentResult<'a> {
    terminal_id: &'a str,
    order_id: &'a str,
    payment_id: &'a str,
    status: &'static str,
    amount: Money,
    currency: &'a str,
    payment_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    swift_message_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    swift_payer_bank: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkout_page: Option<String>,
}

/// How `amount` is written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AmountForm {
    /// Two decimals, as in the real callbacks (`1775.00`).
    Fixed2,
    /// Trailing zeros dropped, as in the real status responses (`249.9`).
    Shortest,
}

impl<'a> PaymentResult<'a> {
    /// The result object of `p`; `checkout_page` is only included when given.
    pub(crate) fn of(p: &'a Payment, form: AmountForm, checkout_page: Option<String>) -> Self {
        let amount = match form {
            AmountForm::Fixed2 => {
                let mut a = p.amount;
                a.rescale(2);
                a
            }
            AmountForm::Shortest => p.amount.normalize(),
        };
        Self {
            terminal_id: &p.terminal_id,
            order_id: &p.order_id,
            payment_id: &p.payment_id,
            status: p.status.as_str(),
            amount: Money(amount.max(Decimal::ZERO)),
            currency: &p.currency,
            payment_type: p.payment_type.as_str(),
            payment_date: p.payment_date.as_deref(),
            swift_message_id: p.swift_message_id.as_deref(),
            swift_payer_bank: p.swift_payer_bank,
            checkout_page,
        }
    }
}

/// `PublicKeyResponse`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PublicKey<'a> {
    pub(crate) public_key: &'a str,
}
