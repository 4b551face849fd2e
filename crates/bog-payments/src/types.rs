//! The request side of the native API: orders, basket lines, buyer, `config`, and the small
//! enums of bog-payments.md §6. Every enum the provider may extend is open (`Other(String)`).

use paykit_core::{Currency, Decimal};

use crate::idempotency::IdempotencyKey;

/// Declares an open string enum: known values plus `Other(String)` for anything else.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(other) => other,
                }
            }

            /// The variant for a wire value (unknown values become `Other`).
            pub fn from_wire(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use open_enum;

open_enum!(
    /// A payment method (§6.2): requested in `payment_method`, reported as `transfer_method.key`.
    PaymentMethod {
        /// Bank card.
        Card => "card",
        /// Google Pay (card entry stays available).
        GooglePay => "google_pay",
        /// Apple Pay (card entry stays available).
        ApplePay => "apple_pay",
        /// Transfer by a BOG internet- or mobile-bank user.
        BogP2p => "bog_p2p",
        /// BOG MR/Plus points.
        BogLoyalty => "bog_loyalty",
        /// Buy now, pay later.
        Bnpl => "bnpl",
        /// Standard bank installment plan.
        BogLoan => "bog_loan",
        /// Gift card.
        GiftCard => "gift_card",
    }
);

impl PaymentMethod {
    /// Card, Apple Pay and Google Pay: the methods that support pre-authorization and partial
    /// refunds (§4.2, §5.2).
    pub fn is_card_like(&self) -> bool {
        matches!(
            self,
            PaymentMethod::Card | PaymentMethod::GooglePay | PaymentMethod::ApplePay
        )
    }
}

/// When the money is taken (`capture`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CaptureMethod {
    /// Charged at once (the default).
    #[default]
    Automatic,
    /// Only blocked (pre-authorization), confirmed or rejected later, within 30 days.
    Manual,
}

impl CaptureMethod {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureMethod::Automatic => "automatic",
            CaptureMethod::Manual => "manual",
        }
    }
}

/// The hosted page's language (`Accept-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Georgian (BOG's default).
    Ka,
    /// English.
    En,
}

impl Language {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ka => "ka",
            Language::En => "en",
        }
    }

    /// `ka` for Georgian, `en` for every other language (there is no other page, §9.3).
    pub fn from_code(code: &str) -> Self {
        if code.trim().to_ascii_lowercase().starts_with("ka") {
            Language::Ka
        } else {
            Language::En
        }
    }
}

/// The hosted page's theme (`Theme` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Theme {
    /// Light (BOG's default).
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Where an order for merchant-page Apple Pay is created from (`application_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationType {
    /// A web page.
    Web,
    /// A mobile app.
    Mobile,
}

impl ApplicationType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationType::Web => "web",
            ApplicationType::Mobile => "mobile",
        }
    }
}

/// One basket line (§4.4). Amounts are major units (25.5 is 25.50 GEL).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BasketItem {
    /// Your SKU (echoed as `external_item_id`).
    pub product_id: String,
    /// The name shown on the page.
    pub description: Option<String>,
    /// At least 1.
    pub quantity: u32,
    /// The price of one unit.
    pub unit_price: Decimal,
    /// The discount per unit.
    pub unit_discount_price: Option<Decimal>,
    /// The VAT amount.
    pub vat: Option<Decimal>,
    /// The VAT rate.
    pub vat_percent: Option<Decimal>,
    /// The line total.
    pub total_price: Option<Decimal>,
    /// The product image URL.
    pub image: Option<String>,
    /// A fiscal or packaging code.
    pub package_code: Option<String>,
    /// A taxpayer identification number.
    pub tin: Option<String>,
    /// A personal identification number.
    pub pinfl: Option<String>,
    /// A discount or promotion id.
    pub product_discount_id: Option<String>,
}

impl BasketItem {
    /// `quantity` × `product_id` at `unit_price`.
    pub fn new(product_id: impl Into<String>, quantity: u32, unit_price: Decimal) -> Self {
        BasketItem {
            product_id: product_id.into(),
            description: None,
            quantity,
            unit_price,
            unit_discount_price: None,
            vat: None,
            vat_percent: None,
            total_price: None,
            image: None,
            package_code: None,
            tin: None,
            pinfl: None,
            product_discount_id: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the VAT amount and rate.
    pub fn vat(mut self, amount: Decimal, percent: Decimal) -> Self {
        self.vat = Some(amount);
        self.vat_percent = Some(percent);
        self
    }

    /// Sets the per-unit discount.
    pub fn unit_discount_price(mut self, amount: Decimal) -> Self {
        self.unit_discount_price = Some(amount);
        self
    }

    /// Sets the line total.
    pub fn total_price(mut self, amount: Decimal) -> Self {
        self.total_price = Some(amount);
        self
    }

    /// Sets the image URL.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.image = Some(url.into());
        self
    }

    /// Sets the fiscal fields (`package_code`, `tin`, `pinfl`).
    pub fn fiscal(
        mut self,
        package_code: Option<String>,
        tin: Option<String>,
        pinfl: Option<String>,
    ) -> Self {
        self.package_code = package_code;
        self.tin = tin;
        self.pinfl = pinfl;
        self
    }

    /// Sets the discount id.
    pub fn product_discount_id(mut self, id: impl Into<String>) -> Self {
        self.product_discount_id = Some(id.into());
        self
    }
}

/// The buyer shown on the hosted page. The request names these `masked_email` and
/// `masked_phone`; receipts answer `email` and `phone_number` ([`crate::ReceiptBuyer`]).
/// BOG silently ignores the response names in a request (§10.2 item 5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Buyer {
    /// Name and surname.
    pub full_name: Option<String>,
    /// The e-mail shown (BOG calls it masked).
    pub masked_email: Option<String>,
    /// The phone shown (BOG calls it masked).
    pub masked_phone: Option<String>,
}

impl Buyer {
    /// A buyer with every field set or not.
    pub fn new(
        full_name: Option<String>,
        masked_email: Option<String>,
        masked_phone: Option<String>,
    ) -> Self {
        Buyer {
            full_name,
            masked_email,
            masked_phone,
        }
    }
}

/// Installment or BNPL terms from BOG's calculator (`config.loan`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loan {
    /// The calculator's `discount_code`.
    pub kind: String,
    /// The term in months.
    pub month: u32,
}

open_enum!(
    /// A campaign's card brand (`config.campaign.card`).
    CampaignCard {
        /// Visa.
        Visa => "visa",
        /// Mastercard.
        Mastercard => "mc",
        /// Solo.
        Solo => "solo",
    }
);

open_enum!(
    /// What a campaign does (`config.campaign.type`).
    CampaignType {
        /// Only that card type may pay.
        Restrict => "restrict",
        /// That card type gets a discount.
        ClientDiscount => "client_discount",
    }
);

/// A card campaign (`config.campaign`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    /// The card brand.
    pub card: CampaignCard,
    /// What the campaign does.
    pub kind: CampaignType,
}

/// One split recipient (`config.split.split_payments[]`, §5.5): an amount or a percentage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPayment {
    /// The recipient's IBAN.
    pub iban: String,
    /// Their share.
    pub share: SplitShare,
    /// Up to 25 characters.
    pub description: Option<String>,
}

/// A split recipient's share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitShare {
    /// A fixed amount.
    Amount(Decimal),
    /// A percentage of the payment.
    Percent(Decimal),
}

/// Per-payment configuration (`config`, §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OrderConfig {
    /// Installment/BNPL terms; required when `payment_method` is only `bog_loan` or `bnpl`.
    pub loan: Option<Loan>,
    /// A card campaign.
    pub campaign: Option<Campaign>,
    /// Google Pay started on your page: `Some(token)` with the full token string.
    pub google_pay_token: Option<String>,
    /// Apple Pay started on your page (`config.apple_pay.external`).
    pub apple_pay_external: bool,
    /// The POS terminal tag (`config.account.tag`).
    pub account_tag: Option<String>,
    /// Split payments (GEL only, at most 10 entries).
    pub split: Vec<SplitPayment>,
}

impl OrderConfig {
    /// True when nothing is set (no `config` object is sent).
    pub fn is_empty(&self) -> bool {
        self == &OrderConfig::default()
    }
}

/// `POST /ecommerce/orders` (§4): every documented field, validated before any I/O.
///
/// ```
/// use paykit_bog_payments::{BasketItem, CreateOrder};
/// use paykit_core::{Currency, Decimal};
///
/// let order = CreateOrder::new(
///     "https://shop.example.ge/bog/callback",
///     Currency::GEL,
///     Decimal::new(30, 0),
///     vec![
///         BasketItem::new("SKU-1001", 2, Decimal::new(125, 1)).description("Blue mug"),
///         BasketItem::new("SHIP", 1, Decimal::new(5, 0)).description("Delivery"),
///     ],
/// )
/// .external_order_id("A-20250314-0007")
/// .ttl_minutes(15);
/// assert_eq!(order.basket.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateOrder {
    /// HTTPS URL BOG posts results to.
    pub callback_url: String,
    /// Your reference (its first 25 characters reach the bank statement).
    pub external_order_id: Option<String>,
    /// Automatic or manual (pre-authorization).
    pub capture: CaptureMethod,
    /// GEL, USD, EUR or GBP.
    pub currency: Currency,
    /// The order total, major units, at most 2 decimals.
    pub total_amount: Decimal,
    /// The total discount.
    pub total_discount_amount: Option<Decimal>,
    /// The delivery cost (`delivery.amount`).
    pub delivery_amount: Option<Decimal>,
    /// At least one line.
    pub basket: Vec<BasketItem>,
    /// Where the browser returns on success.
    pub success_url: Option<String>,
    /// Where the browser returns on failure.
    pub fail_url: Option<String>,
    /// Minutes the order stays payable, 2 to 1440 (BOG's default 15).
    pub ttl_minutes: Option<u32>,
    /// The methods offered; empty means every active one.
    pub payment_methods: Vec<PaymentMethod>,
    /// The buyer shown on the page.
    pub buyer: Option<Buyer>,
    /// Per-payment configuration.
    pub config: OrderConfig,
    /// For merchant-page Apple Pay.
    pub application_type: Option<ApplicationType>,
    /// The page language (`Accept-Language`), overriding the client's default.
    pub language: Option<Language>,
    /// The page theme (`Theme`), overriding the client's default.
    pub theme: Option<Theme>,
    /// Check `total_amount` = Σ quantity × unit price + delivery − discount (default on).
    pub check_totals: bool,
}

impl CreateOrder {
    /// An order of `basket` totalling `total_amount` in `currency`, results posted to
    /// `callback_url`.
    pub fn new(
        callback_url: impl Into<String>,
        currency: Currency,
        total_amount: Decimal,
        basket: Vec<BasketItem>,
    ) -> Self {
        CreateOrder {
            callback_url: callback_url.into(),
            external_order_id: None,
            capture: CaptureMethod::Automatic,
            currency,
            total_amount,
            total_discount_amount: None,
            delivery_amount: None,
            basket,
            success_url: None,
            fail_url: None,
            ttl_minutes: None,
            payment_methods: Vec::new(),
            buyer: None,
            config: OrderConfig::default(),
            application_type: None,
            language: None,
            theme: None,
            check_totals: true,
        }
    }

    /// Sets your reference.
    pub fn external_order_id(mut self, id: impl Into<String>) -> Self {
        self.external_order_id = Some(id.into());
        self
    }

    /// Sets the capture method.
    pub fn capture(mut self, capture: CaptureMethod) -> Self {
        self.capture = capture;
        self
    }

    /// Sets the delivery cost.
    pub fn delivery_amount(mut self, amount: Decimal) -> Self {
        self.delivery_amount = Some(amount);
        self
    }

    /// Sets the total discount.
    pub fn total_discount_amount(mut self, amount: Decimal) -> Self {
        self.total_discount_amount = Some(amount);
        self
    }

    /// Sets the return URLs.
    pub fn redirect_urls(mut self, success: impl Into<String>, fail: impl Into<String>) -> Self {
        self.success_url = Some(success.into());
        self.fail_url = Some(fail.into());
        self
    }

    /// Sets the order's lifetime in minutes.
    pub fn ttl_minutes(mut self, minutes: u32) -> Self {
        self.ttl_minutes = Some(minutes);
        self
    }

    /// Sets the offered methods.
    pub fn payment_methods(mut self, methods: impl Into<Vec<PaymentMethod>>) -> Self {
        self.payment_methods = methods.into();
        self
    }

    /// Sets the buyer.
    pub fn buyer(mut self, buyer: Buyer) -> Self {
        self.buyer = Some(buyer);
        self
    }

    /// Sets the configuration.
    pub fn config(mut self, config: OrderConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the application type.
    pub fn application_type(mut self, kind: ApplicationType) -> Self {
        self.application_type = Some(kind);
        self
    }

    /// Sets the page language.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Sets the page theme.
    pub fn theme(mut self, theme: Theme) -> Self {
        self.theme = Some(theme);
        self
    }

    /// Turns the basket-totals check off (BOG does not document whether it checks them).
    pub fn skip_totals_check(mut self) -> Self {
        self.check_totals = false;
        self
    }
}

/// `POST /ecommerce/orders/{parent}/subscribe` (§5.4): the amount, currency and buyer are the
/// parent order's; only these two may be set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ChargeSaved {
    /// Where this charge's results go (BOG uses the parent's otherwise).
    pub callback_url: Option<String>,
    /// A fresh reference per renewal, so callbacks can tell renewals apart.
    pub external_order_id: Option<String>,
}

impl ChargeSaved {
    /// A charge with both fields set or not.
    pub fn new(callback_url: Option<String>, external_order_id: Option<String>) -> Self {
        ChargeSaved {
            callback_url,
            external_order_id,
        }
    }
}

/// The answer to an order creation (§4.8).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreatedOrder {
    /// BOG's order id: every later call needs it.
    pub id: String,
    /// `_links.details.href`.
    pub details_url: Option<String>,
    /// `_links.redirect.href`: send the customer's browser here (absent for merchant-page
    /// Apple Pay).
    pub redirect_url: Option<String>,
    /// `_links.accept.href` (merchant-page Apple Pay).
    pub accept_url: Option<String>,
    /// `status` of the Google Pay variant.
    pub immediate_status: Option<crate::OrderStatus>,
    /// `order_details` of the Google Pay/Apple Pay variants, when the payment finished at once.
    pub order_details: Option<crate::Receipt>,
    /// The key the call was sent with.
    pub idempotency_key: IdempotencyKey,
}

/// The acknowledgement of a refund, a pre-auth approval or a cancellation (`request_received`):
/// the real outcome comes from the receipt or the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestReceived {
    /// `key`, normally `request_received`.
    pub key: String,
    /// BOG's message.
    pub message: Option<String>,
    /// The action's id, as it will appear in `actions[]`.
    pub action_id: Option<String>,
    /// The key the call was sent with.
    pub idempotency_key: IdempotencyKey,
}

/// A `202 Accepted` without a body (saving or deleting a card).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// The HTTP status (202 documented).
    pub http_status: u16,
    /// The key the call was sent with.
    pub idempotency_key: IdempotencyKey,
}

/// The answer to an automatic charge of a saved card.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChargeAccepted {
    /// The new order's id.
    pub id: String,
    /// `_links.details.href`.
    pub details_url: Option<String>,
    /// The key the call was sent with.
    pub idempotency_key: IdempotencyKey,
}

/// The answer to an Apple Pay accept (§5.6).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApplePayResult {
    /// The order's id.
    pub id: String,
    /// `status`, when given.
    pub status: Option<crate::OrderStatus>,
    /// `order_details`, when given.
    pub order_details: Option<crate::Receipt>,
    /// `_links.details.href`.
    pub details_url: Option<String>,
    /// The key the call was sent with.
    pub idempotency_key: IdempotencyKey,
}
