//! The native iPay vocabulary: requests, responses and the provider's enumerations, typed.
//!
//! Request enumerations are closed (the spec lists every value); response enumerations are
//! open (`Other`) because iPay adds values without notice.

use std::fmt;
use std::str::FromStr;

use paykit_core::{Error, Money, PaymentStatus};
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};

use crate::status::{self, ProviderStatus};

/// What the hosted payment page offers (`intent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Intent {
    /// `CAPTURE`: card entry **and** login with BOG internet-banking credentials.
    #[default]
    Capture,
    /// `AUTHORIZE`: card entry only.
    Authorize,
}

impl Intent {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Intent::Capture => "CAPTURE",
            Intent::Authorize => "AUTHORIZE",
        }
    }
}

/// When the money is taken (`capture_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CaptureMethod {
    /// `AUTOMATIC`: charged at once.
    #[default]
    Automatic,
    /// `MANUAL`: the amount is only blocked; complete it with
    /// [`crate::BogClient::complete_pre_auth`] or release it within 30 days.
    Manual,
}

impl CaptureMethod {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            CaptureMethod::Automatic => "AUTOMATIC",
            CaptureMethod::Manual => "MANUAL",
        }
    }
}

/// The language of the hosted payment page (`locale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Locale {
    /// `ka`, Georgian (iPay's default).
    #[default]
    Ka,
    /// `en-US`, English.
    EnUs,
}

impl Locale {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::Ka => "ka",
            Locale::EnUs => "en-US",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Locale {
    type Err = Error;

    /// Parses `ka` or `en-US` (any case); anything else is [`Error::InvalidInput`] on `locale`.
    fn from_str(text: &str) -> Result<Self, Error> {
        if text.eq_ignore_ascii_case("ka") {
            Ok(Locale::Ka)
        } else if text.eq_ignore_ascii_case("en-US") {
            Ok(Locale::EnUs)
        } else {
            Err(Error::invalid_input(
                "locale",
                format!("must be \"ka\" or \"en-US\", got {text:?}"),
            ))
        }
    }
}

/// The per-payment value iPay returns at creation and echoes in every callback.
///
/// Callbacks are unsigned; this value, compared with what the merchant stored, is what ties a
/// callback to a real order. It is kept out of `Debug` output like a secret.
#[derive(Clone)]
pub struct PaymentHash(SecretString);

impl PaymentHash {
    /// Wraps a stored value.
    pub fn new(value: impl Into<String>) -> Self {
        PaymentHash(SecretString::from(value.into()))
    }

    /// The value, for storing it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for PaymentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PaymentHash([REDACTED])")
    }
}

/// One basket line (`items[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderItem {
    /// The merchant's product id (`product_id`).
    pub product_id: String,
    /// Product name (`description`); the start of it goes on the customer's statement.
    pub description: String,
    /// Unit price (`amount`, sent as a 2-decimal string).
    pub unit_price: Money,
    /// Quantity, at least 1.
    pub quantity: u32,
}

impl OrderItem {
    /// `quantity` × `description` at `unit_price`.
    pub fn new(
        product_id: impl Into<String>,
        description: impl Into<String>,
        unit_price: Money,
        quantity: u32,
    ) -> Self {
        OrderItem {
            product_id: product_id.into(),
            description: description.into(),
            unit_price,
            quantity,
        }
    }

    /// `unit_price × quantity`, if it does not overflow.
    pub(crate) fn line_total(&self) -> Option<Decimal> {
        self.unit_price
            .amount()
            .checked_mul(Decimal::from(self.quantity))
    }
}

/// `POST /checkout/orders`: a payment for the customer to approve on iPay's page.
///
/// ```
/// use paykit_bog::{CaptureMethod, CreateOrder, Intent, Locale, OrderItem};
/// use paykit_core::{Currency, Money};
///
/// let mug = Money::parse("12.50", Currency::GEL)?;
/// let order = CreateOrder::new(
///     Intent::Authorize,
///     Money::parse("25.00", Currency::GEL)?,
///     "https://shop.example.ge/return?ref=A-7",
/// )
/// .item(OrderItem::new("SKU-1001", "Blue mug", mug, 2))
/// .shop_order_id("A-7")
/// .locale(Locale::EnUs)
/// .capture_method(CaptureMethod::Manual);
/// assert_eq!(order.items.len(), 1);
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateOrder {
    /// What the payment page offers.
    pub intent: Intent,
    /// The basket; at least one line, summing to `total`.
    pub items: Vec<OrderItem>,
    /// The order total (`purchase_units[0].amount`).
    pub total: Money,
    /// Where the browser goes after success **or** failure. iPay adds nothing to it, so put
    /// your own reference in it.
    pub redirect_url: String,
    /// The merchant's order id, echoed in details and callbacks.
    pub shop_order_id: Option<String>,
    /// Payment page language; iPay falls back to `ka`.
    pub locale: Option<Locale>,
    /// Charge at once or only block the amount.
    pub capture_method: Option<CaptureMethod>,
    /// Prefix the statement text with `shop_order_id`.
    pub show_shop_order_id_on_extract: Option<bool>,
}

impl CreateOrder {
    /// An order for `total` with no lines yet (add them with [`CreateOrder::item`]).
    pub fn new(intent: Intent, total: Money, redirect_url: impl Into<String>) -> Self {
        CreateOrder {
            intent,
            items: Vec::new(),
            total,
            redirect_url: redirect_url.into(),
            shop_order_id: None,
            locale: None,
            capture_method: None,
            show_shop_order_id_on_extract: None,
        }
    }

    /// Adds a basket line.
    pub fn item(mut self, item: OrderItem) -> Self {
        self.items.push(item);
        self
    }

    /// Sets `shop_order_id`.
    pub fn shop_order_id(mut self, id: impl Into<String>) -> Self {
        self.shop_order_id = Some(id.into());
        self
    }

    /// Sets `locale`.
    pub fn locale(mut self, locale: Locale) -> Self {
        self.locale = Some(locale);
        self
    }

    /// Sets `capture_method`.
    pub fn capture_method(mut self, method: CaptureMethod) -> Self {
        self.capture_method = Some(method);
        self
    }

    /// Sets `show_shop_order_id_on_extract`.
    pub fn show_shop_order_id_on_extract(mut self, show: bool) -> Self {
        self.show_shop_order_id_on_extract = Some(show);
        self
    }
}

/// A HATEOAS link of a created order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Link {
    /// The URL.
    pub href: String,
    /// `self`, `approve`, ...
    pub rel: String,
    /// `GET`, `REDIRECT` (older responses: `GET` for approve too); an open string.
    pub method: String,
}

/// A created order (`POST /checkout/orders` answer).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Order {
    /// iPay's id for the payment; every later call takes it.
    pub order_id: String,
    /// Store it: callbacks echo it and are checked against it.
    pub payment_hash: PaymentHash,
    /// `CREATED` on success, verbatim.
    pub status: String,
    /// Where to send the customer's browser (the `rel=approve` link).
    pub approve_url: String,
    /// The legacy order-details resource (`rel=self`), if given.
    pub self_url: Option<String>,
    /// Every link, as received.
    pub links: Vec<Link>,
}

/// `status` of a payment (details, callbacks, recurring charges).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentState {
    /// `success`: paid (or, with `MANUAL` capture, blocked; see [`PreAuthStatus`]).
    Success,
    /// `error`: declined, failed, or unpaid for an hour.
    Error,
    /// `in_progress`: the customer has not finished, or a recurring charge is processing.
    InProgress,
    /// A value this version does not know, verbatim.
    Other(String),
}

impl PaymentState {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            PaymentState::Success => "success",
            PaymentState::Error => "error",
            PaymentState::InProgress => "in_progress",
            PaymentState::Other(other) => other,
        }
    }
}

impl From<&str> for PaymentState {
    fn from(text: &str) -> Self {
        match text {
            "success" => PaymentState::Success,
            "error" => PaymentState::Error,
            "in_progress" => PaymentState::InProgress,
            other => PaymentState::Other(other.to_owned()),
        }
    }
}

/// `pre_auth_status` of a `MANUAL`-capture payment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PreAuthStatus {
    /// `in_progress`: the amount is blocked and can be completed or released.
    InProgress,
    /// `success`: completed and paid out to the merchant.
    Success,
    /// `success_unblocked`: released back to the customer.
    SuccessUnblocked,
    /// A value this version does not know, verbatim.
    Other(String),
}

impl PreAuthStatus {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            PreAuthStatus::InProgress => "in_progress",
            PreAuthStatus::Success => "success",
            PreAuthStatus::SuccessUnblocked => "success_unblocked",
            PreAuthStatus::Other(other) => other,
        }
    }
}

impl From<&str> for PreAuthStatus {
    fn from(text: &str) -> Self {
        match text {
            "in_progress" => PreAuthStatus::InProgress,
            "success" => PreAuthStatus::Success,
            "success_unblocked" => PreAuthStatus::SuccessUnblocked,
            other => PreAuthStatus::Other(other.to_owned()),
        }
    }
}

/// How the customer paid (`payment_method`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentMethod {
    /// `GC_CARD`: card details entered.
    GcCard,
    /// `BOG_CARD`: logged into BOG internet banking.
    BogCard,
    /// `BOG_LOAN`: installment.
    BogLoan,
    /// `BOG_LOYALTY`: PLUS/MR loyalty points.
    BogLoyalty,
    /// `UNKNOWN`: the payment is `error` or `in_progress`.
    Unknown,
    /// A value this version does not know, verbatim.
    Other(String),
}

impl PaymentMethod {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            PaymentMethod::GcCard => "GC_CARD",
            PaymentMethod::BogCard => "BOG_CARD",
            PaymentMethod::BogLoan => "BOG_LOAN",
            PaymentMethod::BogLoyalty => "BOG_LOYALTY",
            PaymentMethod::Unknown => "UNKNOWN",
            PaymentMethod::Other(other) => other,
        }
    }

    /// True for the card methods (`GC_CARD`, `BOG_CARD`).
    pub fn is_card(&self) -> bool {
        matches!(self, PaymentMethod::GcCard | PaymentMethod::BogCard)
    }
}

impl From<&str> for PaymentMethod {
    fn from(text: &str) -> Self {
        match text {
            "GC_CARD" => PaymentMethod::GcCard,
            "BOG_CARD" => PaymentMethod::BogCard,
            "BOG_LOAN" => PaymentMethod::BogLoan,
            "BOG_LOYALTY" => PaymentMethod::BogLoyalty,
            "UNKNOWN" => PaymentMethod::Unknown,
            other => PaymentMethod::Other(other.to_owned()),
        }
    }
}

/// Card scheme (`card_type`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardType {
    /// `MC`.
    Mastercard,
    /// `VISA`.
    Visa,
    /// `AMEX`.
    Amex,
    /// `UNKNOWN`: not a card payment.
    Unknown,
    /// A value this version does not know, verbatim.
    Other(String),
}

impl CardType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            CardType::Mastercard => "MC",
            CardType::Visa => "VISA",
            CardType::Amex => "AMEX",
            CardType::Unknown => "UNKNOWN",
            CardType::Other(other) => other,
        }
    }
}

impl From<&str> for CardType {
    fn from(text: &str) -> Self {
        match text {
            "MC" => CardType::Mastercard,
            "VISA" => CardType::Visa,
            "AMEX" => CardType::Amex,
            "UNKNOWN" => CardType::Unknown,
            other => CardType::Other(other.to_owned()),
        }
    }
}

/// `GET /checkout/payment/{order_id}`: the authoritative state of a payment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PaymentDetails {
    /// `status`.
    pub status: PaymentState,
    /// `order_id`.
    pub order_id: String,
    /// `payment_hash`; must equal the stored one.
    pub payment_hash: PaymentHash,
    /// `ipay_payment_id`, the id printed on the receipt.
    pub ipay_payment_id: Option<String>,
    /// `status_description` (`PERFORMED`, `REJECTED`, ...), verbatim.
    pub status_description: Option<String>,
    /// `shop_order_id`, when the order had one.
    pub shop_order_id: Option<String>,
    /// `payment_method`.
    pub payment_method: Option<PaymentMethod>,
    /// `card_type`.
    pub card_type: Option<CardType>,
    /// `pan`: masked (first 6 and last 4 digits), for `GC_CARD` successes.
    pub pan: Option<String>,
    /// `transaction_id`, for `GC_CARD` successes.
    pub transaction_id: Option<String>,
    /// `pre_auth_status`, for `MANUAL`-capture successes.
    pub pre_auth_status: Option<PreAuthStatus>,
    /// `capture_method`, when iPay includes it (not documented; seen in integrations).
    pub capture_method: Option<String>,
}

impl PaymentDetails {
    /// The status iPay's answer alone describes. iPay shows no refunds, so a refunded payment
    /// still reads `Captured` here; [`paykit_core::PaymentProvider::get_payment`] adds what the
    /// payment records know (refunds, the amount).
    pub fn payment_status(&self) -> PaymentStatus {
        status::map(ProviderStatus::Payment {
            state: &self.status,
            pre_auth: self.pre_auth_status.as_ref(),
            description: self.status_description.as_deref(),
        })
    }
}

/// How to settle a blocked (`MANUAL`) payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PreAuthCompletion {
    /// `FULL_COMPLETE`: charge the whole blocked amount.
    Full,
    /// `PARTIAL_COMPLETE`: charge this amount (less than blocked); the rest is released.
    Partial(Money),
    /// `CANCEL`: release the block.
    Cancel,
}

impl PreAuthCompletion {
    /// The wire `auth_type`.
    pub const fn auth_type(&self) -> &'static str {
        match self {
            PreAuthCompletion::Full => "FULL_COMPLETE",
            PreAuthCompletion::Partial(_) => "PARTIAL_COMPLETE",
            PreAuthCompletion::Cancel => "CANCEL",
        }
    }
}

/// The answer to a pre-authorization completion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreAuthResult {
    /// `status` (`success` when done).
    pub status: PaymentState,
    /// `description`, e.g. `Pre-authorization successfully completed` or
    /// `Already completed successful`.
    pub description: Option<String>,
}

/// `POST /checkout/payment/subscription`: charge a card saved by an earlier payment.
///
/// The feature is off by default at BOG; the merchant must ask BOG to enable it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscriptionCharge {
    /// The `order_id` of an earlier **successful** payment by the same customer.
    pub order_id: String,
    /// The amount to charge.
    pub amount: Money,
    /// The merchant's id for this charge.
    pub shop_order_id: Option<String>,
    /// A description of the charge.
    pub purchase_description: Option<String>,
}

impl SubscriptionCharge {
    /// Charges `amount` on the card used for `order_id`.
    pub fn new(order_id: impl Into<String>, amount: Money) -> Self {
        SubscriptionCharge {
            order_id: order_id.into(),
            amount,
            shop_order_id: None,
            purchase_description: None,
        }
    }

    /// Sets `shop_order_id`.
    pub fn shop_order_id(mut self, id: impl Into<String>) -> Self {
        self.shop_order_id = Some(id.into());
        self
    }

    /// Sets `purchase_description`.
    pub fn purchase_description(mut self, description: impl Into<String>) -> Self {
        self.purchase_description = Some(description.into());
        self
    }
}

/// The answer to a recurring charge: a **new** payment, usually still `in_progress`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SubscriptionPayment {
    /// The new payment's `order_id`; poll [`crate::BogClient::payment_details`] with it.
    pub order_id: String,
    /// The new payment's `payment_hash`.
    pub payment_hash: PaymentHash,
    /// `status`.
    pub status: PaymentState,
}

/// `GET /checkout/orders/status/{order_id}` (legacy, no longer in the current docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyOrderStatus {
    /// `PERFORMED`, `REJECTED`, ..., verbatim.
    pub status: String,
}

impl LegacyOrderStatus {
    /// The status in paykit's terms (`PERFORMED` is captured, `REJECTED` failed, anything else
    /// pending).
    pub fn payment_status(&self) -> PaymentStatus {
        status::map(ProviderStatus::Legacy(&self.status))
    }
}

/// An amount as the legacy order resource gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyAmount {
    /// `value`, exact.
    pub value: Decimal,
    /// `currency_code`, verbatim.
    pub currency_code: String,
}

/// `payer` of the legacy order resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LegacyPayer {
    /// `name`.
    pub name: Option<String>,
    /// `email_address`.
    pub email_address: Option<String>,
    /// `payer_id`.
    pub payer_id: Option<String>,
}

/// One capture of the legacy order resource (`purchaseUnit.payments[].captures[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyCapture {
    /// `id`.
    pub id: Option<String>,
    /// `status`, verbatim.
    pub status: Option<String>,
    /// `amount`.
    pub amount: Option<LegacyAmount>,
    /// `final_capture` (sent as the string `"true"`).
    pub final_capture: Option<bool>,
    /// `create_time`, verbatim (Java `Date.toString()`, Georgia time).
    pub create_time: Option<String>,
    /// `update_time`, verbatim.
    pub update_time: Option<String>,
}

/// One entry of `errorHistory`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyError {
    /// `errorCode`.
    pub error_code: Option<String>,
    /// `actionTime`, verbatim.
    pub action_time: Option<String>,
}

/// `GET /checkout/orders/{order_id}` (legacy, no longer in the current docs; the `rel=self`
/// link). Timestamps are kept verbatim: they look like `Tue Nov 17 19:04:29 GET 2020`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyOrder {
    /// `id`.
    pub id: String,
    /// `status` (`PERFORMED`, `REJECTED`, ...), verbatim.
    pub status: Option<String>,
    /// `intent`.
    pub intent: Option<String>,
    /// `payer`.
    pub payer: Option<LegacyPayer>,
    /// `purchaseUnit.amount`.
    pub amount: Option<LegacyAmount>,
    /// `purchaseUnit.shop_order_id`.
    pub shop_order_id: Option<String>,
    /// Every capture of every payment of the purchase unit.
    pub captures: Vec<LegacyCapture>,
    /// `createTime`, verbatim.
    pub create_time: Option<String>,
    /// `updateTime`, verbatim.
    pub update_time: Option<String>,
    /// `errorHistory`.
    pub error_history: Vec<LegacyError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_parse_both_documented_values_only() {
        assert_eq!("ka".parse::<Locale>().unwrap(), Locale::Ka);
        assert_eq!("en-us".parse::<Locale>().unwrap(), Locale::EnUs);
        let err = "en".parse::<Locale>().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "locale"));
    }

    #[test]
    fn open_enums_keep_unknown_values() {
        assert_eq!(PaymentState::from("refunded").as_str(), "refunded");
        assert_eq!(
            PreAuthStatus::from("success_unblocked"),
            PreAuthStatus::SuccessUnblocked
        );
        assert_eq!(PaymentMethod::from("GC_CARD"), PaymentMethod::GcCard);
        assert!(PaymentMethod::from("BOG_CARD").is_card());
        assert!(!PaymentMethod::from("BOG_LOYALTY").is_card());
        assert_eq!(CardType::from("MC").as_str(), "MC");
        assert_eq!(CardType::from("JCB"), CardType::Other("JCB".into()));
    }

    #[test]
    fn legacy_statuses_map() {
        let performed = LegacyOrderStatus {
            status: "PERFORMED".into(),
        };
        assert_eq!(performed.payment_status(), PaymentStatus::Captured);
    }

    #[test]
    fn payment_hash_is_redacted() {
        let hash = PaymentHash::new("d7936f718c2b0ec2517a28c9de76966bcbecfe29");
        assert!(!format!("{hash:?}").contains("d7936f"));
        assert_eq!(
            hash.expose_secret(),
            "d7936f718c2b0ec2517a28c9de76966bcbecfe29"
        );
    }
}
