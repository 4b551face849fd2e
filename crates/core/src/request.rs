//! What the merchant asks for: a payment, and the optional follow-ups.

use std::net::Ipv4Addr;
use std::time::Duration;

use crate::money::Money;

/// When the money is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CaptureMode {
    /// At once (single-step payment).
    #[default]
    Automatic,
    /// Reserve now, capture later with [`crate::Capture`] (two-step payment).
    Manual,
}

/// The paying customer, as far as the merchant knows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Customer {
    /// The customer's IPv4 address (maib requires it).
    pub ip: Option<Ipv4Addr>,
    /// Full name.
    pub name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number (miaPOS request-to-pay needs one).
    pub phone: Option<String>,
}

impl Customer {
    /// Sets the IPv4 address.
    pub fn ip(mut self, ip: Ipv4Addr) -> Self {
        self.ip = Some(ip);
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the e-mail address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

/// A line of the order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineItem {
    /// The merchant's product id.
    pub id: Option<String>,
    /// Product name.
    pub name: String,
    /// Unit price.
    pub unit_price: Money,
    /// Quantity, at least 1.
    pub quantity: u32,
}

impl LineItem {
    /// A line of `quantity` × `name` at `unit_price`.
    pub fn new(name: impl Into<String>, unit_price: Money, quantity: u32) -> Self {
        LineItem {
            id: None,
            name: name.into(),
            unit_price,
            quantity,
        }
    }

    /// Sets the product id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// A payment to create. Build with [`PaymentRequest::new`] and the setters.
///
/// ```
/// use paykit_core::{CaptureMode, Currency, Money, PaymentRequest};
///
/// let request = PaymentRequest::new(Money::parse("25.00", Currency::MDL)?)
///     .order_id("order-1001")
///     .description("Two coffees")
///     .capture(CaptureMode::Manual)
///     .return_url("https://shop.example/ok");
/// assert_eq!(request.order_id.as_deref(), Some("order-1001"));
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentRequest {
    /// The amount to charge.
    pub amount: Money,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// Shown to the customer.
    pub description: Option<String>,
    /// One-step or two-step.
    pub capture: CaptureMode,
    /// Where the customer lands after paying.
    pub return_url: Option<String>,
    /// Where the customer lands after a failure (defaults to `return_url` where a provider
    /// needs one).
    pub fail_url: Option<String>,
    /// Where the provider posts the result.
    pub callback_url: Option<String>,
    /// Interface language (`ro`, `en`, `ka`, ...), in the provider's vocabulary.
    pub language: Option<String>,
    /// The customer.
    pub customer: Customer,
    /// Order lines.
    pub items: Vec<LineItem>,
    /// How long the customer has to pay, where the provider takes it per payment. A provider
    /// without a per-payment expiry refuses the request before I/O rather than ignore it
    /// ([`Capabilities::expiry`](crate::Capabilities::expiry)).
    pub expires_after: Option<Duration>,
    /// The payment methods to offer, in the merchant's order of preference; empty means the
    /// provider's default selection. A method the provider cannot select is refused before
    /// I/O ([`Capabilities::methods`](crate::Capabilities::methods)).
    pub methods: Vec<PaymentMethod>,
}

/// A way to pay that a merchant may offer or restrict a payment to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentMethod {
    /// A card entered on the provider's page.
    Card,
    /// Apple Pay.
    ApplePay,
    /// Google Pay.
    GooglePay,
    /// The provider's own wallet (Maya wallet, ...).
    Wallet,
    /// An instant bank transfer or a QR code paid from a banking app.
    BankTransfer,
    /// Installments or buy-now-pay-later.
    Installments,
    /// A provider-specific method, by the provider's own name for it.
    Other(String),
}

impl PaymentRequest {
    /// A single-step payment of `amount` with nothing else set.
    pub fn new(amount: Money) -> Self {
        PaymentRequest {
            amount,
            order_id: None,
            description: None,
            capture: CaptureMode::Automatic,
            return_url: None,
            fail_url: None,
            callback_url: None,
            language: None,
            customer: Customer::default(),
            items: Vec::new(),
            expires_after: None,
            methods: Vec::new(),
        }
    }

    /// Sets the order id.
    pub fn order_id(mut self, order_id: impl Into<String>) -> Self {
        self.order_id = Some(order_id.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the capture mode.
    pub fn capture(mut self, capture: CaptureMode) -> Self {
        self.capture = capture;
        self
    }

    /// Sets the return URL.
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into());
        self
    }

    /// Sets the failure URL.
    pub fn fail_url(mut self, url: impl Into<String>) -> Self {
        self.fail_url = Some(url.into());
        self
    }

    /// Sets the callback URL.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Sets the language.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sets the customer.
    pub fn customer(mut self, customer: Customer) -> Self {
        self.customer = customer;
        self
    }

    /// Adds an order line.
    pub fn item(mut self, item: LineItem) -> Self {
        self.items.push(item);
        self
    }

    /// Sets how long the customer has to pay.
    pub fn expires_after(mut self, after: Duration) -> Self {
        self.expires_after = Some(after);
        self
    }

    /// Adds a payment method to offer.
    pub fn method(mut self, method: PaymentMethod) -> Self {
        self.methods.push(method);
        self
    }
}

/// Who starts a charge on a stored card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardUsage {
    /// The merchant, without the customer present (subscriptions).
    Recurring,
    /// The customer, in one click.
    OneClick,
}

/// A charge on a stored card.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedCardCharge {
    /// The stored card's reference.
    pub card_id: String,
    /// Who initiates it.
    pub usage: CardUsage,
    /// Amount, order id, description and (for one-click) customer and URLs.
    pub payment: PaymentRequest,
}

impl SavedCardCharge {
    /// Charges `payment.amount` on `card_id`.
    pub fn new(card_id: impl Into<String>, usage: CardUsage, payment: PaymentRequest) -> Self {
        SavedCardCharge {
            card_id: card_id.into(),
            usage,
            payment,
        }
    }
}
