//! Shared wire types (spec §3.1, §3.3). Three amount shapes that must not share one struct
//! (§3.1.1), and the payment object every retrieval, Vault charge, wallet execute and
//! `PAYMENT_*` webhook returns. Amounts go out as JSON numbers from the decimal's own text
//! and come back from a number **or** a string, exactly, never through a float.

use paykit_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::status::MayaStatus;

/// Shape A, `{value, currency, details?}`: Checkout and Pay with Maya `totalAmount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueAmount {
    /// The amount in pesos.
    #[serde(with = "paykit_core::wire::decimal_number")]
    pub value: Decimal,
    /// `PHP`.
    pub currency: String,
    /// Checkout's optional breakdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<AmountDetails>,
}

impl ValueAmount {
    /// `money` in shape A.
    pub fn of(money: &Money) -> ValueAmount {
        ValueAmount {
            value: money.amount(),
            currency: money.currency().code().to_owned(),
            details: None,
        }
    }
}

/// Shape A′, `{value, details?}`: Checkout item prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemAmount {
    /// The amount in pesos.
    #[serde(with = "paykit_core::wire::decimal_number")]
    pub value: Decimal,
}

/// Shape B, `{amount, currency}`: Vault payments, refunds and captures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountCurrency {
    /// The amount in pesos.
    #[serde(with = "paykit_core::wire::decimal_number")]
    pub amount: Decimal,
    /// `PHP`.
    pub currency: String,
}

impl AmountCurrency {
    /// `money` in shape B.
    pub fn of(money: &Money) -> AmountCurrency {
        AmountCurrency {
            amount: money.amount(),
            currency: money.currency().code().to_owned(),
        }
    }
}

/// Checkout's optional `totalAmount.details`; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmountDetails {
    /// Discount.
    #[serde(
        default,
        with = "paykit_core::wire::opt_decimal_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount: Option<Decimal>,
    /// Service charge.
    #[serde(
        default,
        with = "paykit_core::wire::opt_decimal_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_charge: Option<Decimal>,
    /// Shipping fee.
    #[serde(
        default,
        with = "paykit_core::wire::opt_decimal_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_fee: Option<Decimal>,
    /// Tax.
    #[serde(
        default,
        with = "paykit_core::wire::opt_decimal_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax: Option<Decimal>,
    /// Subtotal.
    #[serde(
        default,
        with = "paykit_core::wire::opt_decimal_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub subtotal: Option<Decimal>,
}

/// Where Maya sends the customer back (spec §3.1.2). A redirect is never proof of payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectUrls {
    /// After success.
    pub success: String,
    /// After failure.
    pub failure: String,
    /// After "Back to Merchant".
    pub cancel: String,
}

impl RedirectUrls {
    /// Three URLs.
    pub fn new(
        success: impl Into<String>,
        failure: impl Into<String>,
        cancel: impl Into<String>,
    ) -> RedirectUrls {
        RedirectUrls {
            success: success.into(),
            failure: failure.into(),
            cancel: cancel.into(),
        }
    }

    pub(crate) fn validate(&self) -> paykit_core::Result<()> {
        crate::validate::url("redirect_url.success", &self.success)?;
        crate::validate::url("redirect_url.failure", &self.failure)?;
        crate::validate::url("redirect_url.cancel", &self.cancel)
    }
}

/// `contact` of a buyer or customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// E.g. `+639181008888`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A billing or shipping address (spec §3.1.5). Empty fields are omitted, never sent as `""`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// First name (shipping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name (shipping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Line 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Line 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// ZIP code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    /// ISO alpha-2, e.g. `PH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
}

/// A Checkout buyer or a Vault customer (spec §3.1.5): every field optional unless the merchant
/// has Kount fraud protection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_since: Option<String>,
    /// `M` or `F`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Phone and e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// The buyer's IP address (Checkout fraud checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
}

/// Manual capture (spec §3.1.6); needs the feature enabled on the merchant profile (else
/// `PY0019`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthorizationType {
    /// Several partial captures up to the authorized amount.
    Normal,
    /// One capture equal to the authorized amount.
    Final,
    /// Up to the authorized amount, longer hold for some schemes.
    Preauthorization,
}

/// The payment object (spec §3.3). Unknown fields are ignored; status stays open.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Payment {
    /// The payment id.
    pub id: String,
    /// Maya's status.
    pub status: MayaStatus,
    /// Whether it is paid.
    #[serde(default)]
    pub is_paid: Option<bool>,
    /// The amount, read exactly from a number or a string.
    #[serde(default, with = "paykit_core::wire::opt_decimal_number")]
    pub amount: Option<Decimal>,
    /// The currency code.
    #[serde(default)]
    pub currency: Option<String>,
    /// Authoritative eligibility for a void.
    #[serde(default)]
    pub can_void: Option<bool>,
    /// Authoritative eligibility for a refund.
    #[serde(default)]
    pub can_refund: Option<bool>,
    /// Authoritative eligibility for a capture.
    #[serde(default)]
    pub can_capture: Option<bool>,
    /// ISO-8601 UTC.
    #[serde(default)]
    pub created_at: Option<String>,
    /// ISO-8601 UTC.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The merchant's reference.
    #[serde(default)]
    pub request_reference_number: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Vault token used.
    #[serde(default)]
    pub payment_token_id: Option<String>,
    /// Card or wallet details (masked).
    #[serde(default)]
    pub fund_source: Option<Value>,
    /// Receipt details.
    #[serde(default)]
    pub receipt: Option<Value>,
    /// Receipt number.
    #[serde(default)]
    pub receipt_number: Option<String>,
    /// Approval code.
    #[serde(default)]
    pub approval_code: Option<String>,
    /// Metadata as stored.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// 3-D Secure page while `FOR_AUTHENTICATION`.
    #[serde(default)]
    pub verification_url: Option<String>,
    /// Present on authorization records.
    #[serde(default)]
    pub authorization_type: Option<String>,
    /// Running captured total on authorizations.
    #[serde(default, with = "paykit_core::wire::opt_decimal_number")]
    pub captured_amount: Option<Decimal>,
    /// Present on capture records: the parent authorization.
    #[serde(default)]
    pub authorization_payment: Option<Value>,
    /// Failure code, when Maya gives one.
    #[serde(default)]
    pub error_code: Option<String>,
    /// Failure message.
    #[serde(default)]
    pub error_message: Option<String>,
}

impl Payment {
    /// The amount as money, when amount and a known currency are present.
    pub fn money(&self) -> Option<Money> {
        money(self.amount, self.currency.as_deref())
    }

    /// True for an authorization record (carries `authorizationType`).
    pub fn is_authorization(&self) -> bool {
        self.authorization_type.is_some()
    }

    /// True for a capture record (carries `authorizationPayment`).
    pub fn is_capture(&self) -> bool {
        self.authorization_payment
            .as_ref()
            .is_some_and(|v| !v.is_null())
    }
}

/// A Maya amount and currency code as money; `None` when either is missing or unknown.
pub(crate) fn money(amount: Option<Decimal>, currency: Option<&str>) -> Option<Money> {
    let currency = currency_of(currency?)?;
    Money::new(amount?, currency).ok()
}

pub(crate) fn currency_of(code: &str) -> Option<Currency> {
    Currency::ALL.iter().copied().find(|c| c.code() == code)
}

/// Free metadata (spec §3.1.4), e.g. Payment Facilitator `pf` fields.
pub type Metadata = Map<String, Value>;
