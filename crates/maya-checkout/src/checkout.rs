//! Maya Checkout (spec §3.2): C1 create (public key, moves no money: the customer pays on
//! Maya's page) and C2 retrieve (secret key).

use paykit_core::http::{Effect, Method};
use paykit_core::{Error, Money, PaymentRef, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{KeyKind, Product};
use crate::call::Endpoint;
use crate::status::{CheckoutStatus, MayaStatus};
use crate::wire::{
    AuthorizationType, ItemAmount, Metadata, Person, RedirectUrls, ValueAmount, currency_of,
};
use crate::{MayaCheckoutClient, validate};

const CREATE: Endpoint = Endpoint::new(
    "maya-create-checkout",
    Method::POST,
    Product::Checkout,
    KeyKind::Public,
    Effect::NoMoney,
);
const GET: Endpoint = Endpoint::new(
    "maya-get-checkout",
    Method::GET,
    Product::Checkout,
    KeyKind::Secret,
    Effect::Read,
);

/// One order line. Maya's validation is stricter than its reference: name, code, quantity,
/// unit price and line total are always sent (spec §8.18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutItem {
    /// Item name.
    pub name: String,
    /// Item code (Maya's plugins fall back to `"001"`).
    pub code: String,
    /// Quantity, an integer.
    pub quantity: u32,
    /// Optional description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Unit price (shape A′).
    pub amount: ItemAmount,
    /// Line total (shape A′).
    pub total_amount: ItemAmount,
}

impl CheckoutItem {
    /// `quantity` × `unit_price` of `name`.
    pub fn new(name: impl Into<String>, quantity: u32, unit_price: Decimal) -> CheckoutItem {
        CheckoutItem {
            name: name.into(),
            code: "001".to_owned(),
            quantity,
            description: None,
            amount: ItemAmount { value: unit_price },
            total_amount: ItemAmount {
                // An overflowing line total is refused by validation rather than panicking.
                value: unit_price
                    .checked_mul(Decimal::from(quantity))
                    .unwrap_or(Decimal::MAX),
            },
        }
    }

    /// Sets the item code.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = code.into();
        self
    }
}

/// C1's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateCheckout {
    /// Shape A: `{value, currency}`.
    pub total_amount: ValueAmount,
    /// Buyer details (required fields with Kount fraud protection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Person>,
    /// Order lines.
    pub items: Vec<CheckoutItem>,
    /// Return pages.
    pub redirect_url: RedirectUrls,
    /// The merchant's reference, 1–36 characters.
    pub request_reference_number: String,
    /// Metadata (Payment Facilitator `pf`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Manual capture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_type: Option<AuthorizationType>,
}

impl CreateCheckout {
    /// A checkout of `amount` under `reference`, returning to `redirect_url`.
    pub fn new(amount: &Money, reference: impl Into<String>, redirect_url: RedirectUrls) -> Self {
        CreateCheckout {
            total_amount: ValueAmount::of(amount),
            buyer: None,
            items: Vec::new(),
            redirect_url,
            request_reference_number: reference.into(),
            metadata: None,
            authorization_type: None,
        }
    }

    /// Sets the buyer.
    pub fn buyer(mut self, buyer: Person) -> Self {
        self.buyer = Some(buyer);
        self
    }

    /// Adds an order line.
    pub fn item(mut self, item: CheckoutItem) -> Self {
        self.items.push(item);
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Asks for an authorization (hold) instead of a sale.
    pub fn authorization(mut self, kind: AuthorizationType) -> Self {
        self.authorization_type = Some(kind);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let money = amount_money(&self.total_amount)?;
        validate::amount("total_amount", &money)?;
        validate::reference("request_reference_number", &self.request_reference_number)?;
        self.redirect_url.validate()?;
        for item in &self.items {
            if item.name.trim().is_empty() || item.quantity == 0 {
                return Err(Error::invalid_input(
                    "items",
                    "every item needs a name and a quantity of at least 1",
                ));
            }
            let bounded =
                |value: Decimal| value >= Decimal::ZERO && value <= validate::max_amount();
            if !bounded(item.amount.value) || !bounded(item.total_amount.value) {
                return Err(Error::invalid_input(
                    "items",
                    "item amounts must be between 0 and 9999999999.99",
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn amount_money(amount: &ValueAmount) -> Result<Money> {
    let currency = currency_of(&amount.currency)
        .ok_or_else(|| Error::invalid_input("currency", "unknown currency code"))?;
    Money::new(amount.value, currency)
}

/// C1's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckoutCreated {
    /// The checkout id. Not the payment id: find payments by reference.
    pub checkout_id: String,
    /// The page to send the customer to, verbatim.
    pub redirect_url: String,
}

/// `totalAmount` of a checkout object: carries both `amount` and `value`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckoutTotal {
    /// `value`.
    #[serde(default, with = "paykit_core::wire::opt_decimal_number")]
    pub value: Option<Decimal>,
    /// `amount`.
    #[serde(default, with = "paykit_core::wire::opt_decimal_number")]
    pub amount: Option<Decimal>,
    /// The currency code.
    #[serde(default)]
    pub currency: Option<String>,
}

/// The checkout object (C2, and the body of legacy `CHECKOUT_*` webhooks).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Checkout {
    /// The checkout id.
    pub id: String,
    /// The checkout's lifecycle.
    #[serde(default)]
    pub status: Option<CheckoutStatus>,
    /// The payment status vocabulary of §4.
    #[serde(default)]
    pub payment_status: Option<MayaStatus>,
    /// Total.
    #[serde(default)]
    pub total_amount: Option<CheckoutTotal>,
    /// The merchant's reference.
    #[serde(default)]
    pub request_reference_number: Option<String>,
    /// Receipt number.
    #[serde(default)]
    pub receipt_number: Option<String>,
    /// Payment scheme (`visa`, `maya-wallet`, …).
    #[serde(default)]
    pub payment_scheme: Option<String>,
    /// Refunded so far (number or string).
    #[serde(default, with = "paykit_core::wire::opt_decimal_number")]
    pub refunded_amount: Option<Decimal>,
    /// ISO-8601.
    #[serde(default)]
    pub created_at: Option<String>,
    /// ISO-8601.
    #[serde(default)]
    pub expired_at: Option<String>,
    /// Processor details.
    #[serde(default)]
    pub payment_details: Option<Value>,
    /// Metadata.
    #[serde(default)]
    pub metadata: Option<Value>,
}

impl Checkout {
    /// The total as money: `value`, else `amount`.
    pub fn money(&self) -> Option<Money> {
        let total = self.total_amount.as_ref()?;
        crate::wire::money(total.value.or(total.amount), total.currency.as_deref())
    }
}

impl MayaCheckoutClient {
    /// C1 `POST /checkout/v1/checkouts` (public key). Moves no money; never re-sent once it
    /// may have arrived (an orphan simply expires after an hour).
    pub async fn create_checkout(&self, checkout: &CreateCheckout) -> Result<CheckoutCreated> {
        checkout.validate()?;
        let request = self
            .request(&CREATE, "/checkout/v1/checkouts".to_owned())?
            .json(checkout)?;
        let ids = PaymentRef::new().merchant_reference(&checkout.request_reference_number);
        let created: CheckoutCreated = self.send(&request, &ids).await?;
        if created.checkout_id.trim().is_empty() || created.redirect_url.trim().is_empty() {
            return Err(Error::decode(
                crate::PROVIDER,
                "checkoutId or redirectUrl is empty",
                b"",
                false,
            ));
        }
        Ok(created)
    }

    /// C2 `GET /checkout/v1/checkouts/{id}` (secret key).
    pub async fn get_checkout(&self, checkout_id: &str) -> Result<Checkout> {
        let path = format!(
            "/checkout/v1/checkouts/{}",
            validate::segment("checkout_id", checkout_id)?
        );
        let request = self.request(&GET, path)?;
        self.send(&request, &PaymentRef::new().provider_order_id(checkout_id))
            .await
    }
}
