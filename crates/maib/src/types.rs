//! The native maib e-commerce v1 API, typed: one request type per endpoint family and one result
//! type per response (protocol notes maib.md §2-§4).
//!
//! Requests are built with `new` plus setters and checked against every documented limit
//! before anything is sent (see [`crate::validate`]). Results keep every documented field;
//! the API omits or nulls many of them depending on payment type and state, so almost all are
//! optional.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use paykit_core::{Currency, Decimal, Error, Money, SecretString};

use crate::validate;

/// Language of the maib checkout page (`ro`, `en`, `ru`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Romanian (`ro`).
    Ro,
    /// English (`en`), maib's default when none is sent.
    #[default]
    En,
    /// Russian (`ru`).
    Ru,
}

impl Language {
    /// The code sent on the wire.
    pub const fn code(self) -> &'static str {
        match self {
            Language::Ro => "ro",
            Language::En => "en",
            Language::Ru => "ru",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = Error;

    /// Parses `ro`, `en` or `ru` (case-insensitive); anything else is
    /// [`Error::InvalidInput`] on `language`.
    fn from_str(code: &str) -> Result<Self, Error> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ro" => Ok(Language::Ro),
            "en" => Ok(Language::En),
            "ru" => Ok(Language::Ru),
            _ => Err(Error::invalid_input(
                "language",
                format!("maib accepts ro, en or ru, got {code:?}"),
            )),
        }
    }
}

/// How long maib keeps a stored card: `MMYY`, valid until the end of that month
/// (`1229` = until 31 December 2029 23:59:59). If the card itself expires sooner, its own
/// expiry wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BillerExpiry {
    // Field order matters for `Ord`: year first.
    year: u8,
    month: u8,
}

impl BillerExpiry {
    /// `month` 1-12 and `year` as two digits (29 for 2029).
    pub fn new(month: u8, year: u8) -> Result<Self, Error> {
        if !(1..=12).contains(&month) {
            return Err(Error::invalid_input(
                "biller_expiry",
                format!("month must be 01-12, got {month}"),
            ));
        }
        if year > 99 {
            return Err(Error::invalid_input(
                "biller_expiry",
                format!("year must have two digits, got {year}"),
            ));
        }
        Ok(BillerExpiry { year, month })
    }

    /// Parses `MMYY` (exactly four digits).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let &[m1, m2, y1, y2] = text.as_bytes() else {
            return Err(Error::invalid_input(
                "biller_expiry",
                format!("must be MMYY (four digits), got {text:?}"),
            ));
        };
        if ![m1, m2, y1, y2].iter().all(u8::is_ascii_digit) {
            return Err(Error::invalid_input(
                "biller_expiry",
                format!("must be MMYY (four digits), got {text:?}"),
            ));
        }
        let month = (m1 - b'0') * 10 + (m2 - b'0');
        let year = (y1 - b'0') * 10 + (y2 - b'0');
        BillerExpiry::new(month, year)
    }

    /// December of the year `years` after the current one (capped at 2099): a retention for
    /// cards stored without an explicit date. The card's own expiry still wins.
    pub fn years_from_now(years: u8) -> Self {
        let (year, _) = validate::current_year_month();
        let year = year.saturating_add(u16::from(years)).min(2099);
        BillerExpiry {
            // `year` is in 2000..=2099 for any clock maib can talk to; `% 100` keeps it 0..=99.
            year: u8::try_from(year % 100).unwrap_or(99),
            month: 12,
        }
    }

    /// The month, 1-12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The two-digit year.
    pub fn year(self) -> u8 {
        self.year
    }

    /// The wire form, `MMYY`.
    pub fn to_mmyy(self) -> String {
        format!("{:02}{:02}", self.month, self.year)
    }
}

impl fmt::Display for BillerExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{:02}", self.month, self.year)
    }
}

impl FromStr for BillerExpiry {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        BillerExpiry::parse(text)
    }
}

/// One order line (`items[]`). Every field is optional on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Item {
    /// Product id, at most 36 characters.
    pub id: Option<String>,
    /// Product name, at most 128 characters.
    pub name: Option<String>,
    /// Unit price in major units, at least 0, at most 2 decimals.
    pub price: Option<Decimal>,
    /// Quantity, at least 1.
    pub quantity: Option<u32>,
}

impl Item {
    /// A line of `quantity` × `name` at `price`.
    pub fn new(name: impl Into<String>, price: Decimal, quantity: u32) -> Self {
        Item {
            id: None,
            name: Some(name.into()),
            price: Some(price),
            quantity: Some(quantity),
        }
    }

    /// Sets the product id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// The fields `pay`, `hold`, `savecard-*` and `execute-oneclick` share besides the amount.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Checkout {
    /// Checkout page language; the client's default language is sent when `None`.
    pub language: Option<Language>,
    /// Shown on the checkout page, at most 124 characters.
    pub description: Option<String>,
    /// The merchant's order id, at most 36 characters; echoed back.
    pub order_id: Option<String>,
    /// Shipping cost in major units, at least 0, at most 2 decimals.
    pub delivery: Option<Decimal>,
    /// Order lines, at most 50.
    pub items: Vec<Item>,
    /// Where maib posts the signed final result (the Project's URL when `None`).
    pub callback_url: Option<String>,
    /// Where the customer lands after success (the Project's URL when `None`).
    pub ok_url: Option<String>,
    /// Where the customer lands after failure (the Project's URL when `None`).
    pub fail_url: Option<String>,
}

/// The customer fields of `pay`, `hold` and `savecard-*`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClientInfo {
    /// Name, at most 128 characters.
    pub name: Option<String>,
    /// E-mail address, at most 40 characters (required by `savecard-recurring`).
    pub email: Option<String>,
    /// Phone, at most 40 characters.
    pub phone: Option<String>,
}

/// Generates the setters shared by request types with `checkout` (and `client`) fields.
macro_rules! checkout_setters {
    () => {
        /// Sets the checkout page language.
        pub fn language(mut self, language: Language) -> Self {
            self.checkout.language = Some(language);
            self
        }

        /// Sets the description shown on the checkout page.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.checkout.description = Some(description.into());
            self
        }

        /// Sets the merchant's order id.
        pub fn order_id(mut self, order_id: impl Into<String>) -> Self {
            self.checkout.order_id = Some(order_id.into());
            self
        }

        /// Sets the shipping cost.
        pub fn delivery(mut self, delivery: Decimal) -> Self {
            self.checkout.delivery = Some(delivery);
            self
        }

        /// Adds an order line.
        pub fn item(mut self, item: Item) -> Self {
            self.checkout.items.push(item);
            self
        }

        /// Sets the callback URL.
        pub fn callback_url(mut self, url: impl Into<String>) -> Self {
            self.checkout.callback_url = Some(url.into());
            self
        }

        /// Sets the success redirect URL.
        pub fn ok_url(mut self, url: impl Into<String>) -> Self {
            self.checkout.ok_url = Some(url.into());
            self
        }

        /// Sets the failure redirect URL.
        pub fn fail_url(mut self, url: impl Into<String>) -> Self {
            self.checkout.fail_url = Some(url.into());
            self
        }
    };
}

macro_rules! client_setters {
    () => {
        /// Sets the customer's name.
        pub fn client_name(mut self, name: impl Into<String>) -> Self {
            self.client.name = Some(name.into());
            self
        }

        /// Sets the customer's e-mail address.
        pub fn email(mut self, email: impl Into<String>) -> Self {
            self.client.email = Some(email.into());
            self
        }

        /// Sets the customer's phone.
        pub fn phone(mut self, phone: impl Into<String>) -> Self {
            self.client.phone = Some(phone.into());
            self
        }
    };
}

/// `POST /v1/pay` (direct payment) and `POST /v1/hold` (two-step authorization).
///
/// ```
/// use paykit_core::{Currency, Money};
/// use paykit_maib::{Language, PayRequest};
///
/// let request = PayRequest::new(Money::parse("10.25", Currency::MDL)?, [135, 250, 245, 121].into())
///     .language(Language::Ro)
///     .order_id("123")
///     .description("Order #123");
/// assert_eq!(request.checkout.order_id.as_deref(), Some("123"));
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayRequest {
    /// Amount and currency (MDL, EUR, USD); at least 1, at most 2 decimals.
    pub amount: Money,
    /// The customer's IPv4 address.
    pub client_ip: Ipv4Addr,
    /// The customer.
    pub client: ClientInfo,
    /// Checkout page, order and URLs.
    pub checkout: Checkout,
}

impl PayRequest {
    /// A payment of `amount` by the customer at `client_ip`.
    pub fn new(amount: Money, client_ip: Ipv4Addr) -> Self {
        PayRequest {
            amount,
            client_ip,
            client: ClientInfo::default(),
            checkout: Checkout::default(),
        }
    }

    checkout_setters!();
    client_setters!();
}

/// `POST /v1/savecard-recurring` and `POST /v1/savecard-oneclick`: store a card, paying
/// `amount` at the same time when one is given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SaveCardRequest {
    /// How long maib keeps the card; not in the past.
    pub biller_expiry: BillerExpiry,
    /// The customer's IPv4 address.
    pub client_ip: Ipv4Addr,
    /// The currency (MDL, EUR, USD).
    pub currency: Currency,
    /// Charged while storing the card (at least 1); `None` stores the card only.
    pub amount: Option<Decimal>,
    /// The customer (`email` is required for recurring).
    pub client: ClientInfo,
    /// Checkout page, order and URLs.
    pub checkout: Checkout,
}

impl SaveCardRequest {
    /// Stores a card until `biller_expiry` without charging it.
    pub fn new(biller_expiry: BillerExpiry, client_ip: Ipv4Addr, currency: Currency) -> Self {
        SaveCardRequest {
            biller_expiry,
            client_ip,
            currency,
            amount: None,
            client: ClientInfo::default(),
            checkout: Checkout::default(),
        }
    }

    /// Also charges `amount` (its currency becomes the request's currency).
    pub fn amount(mut self, amount: Money) -> Self {
        self.currency = amount.currency();
        self.amount = Some(amount.amount());
        self
    }

    checkout_setters!();
    client_setters!();
}

/// `POST /v1/execute-recurring`: charge a stored card without the customer (no redirect, no
/// 3-D Secure; the result is synchronous).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecuteRecurringRequest {
    /// The stored card (`billerId`).
    pub biller_id: String,
    /// Amount and currency.
    pub amount: Money,
    /// Description, at most 124 characters.
    pub description: Option<String>,
    /// The merchant's order id, at most 36 characters.
    pub order_id: Option<String>,
    /// Shipping cost.
    pub delivery: Option<Decimal>,
    /// Order lines, at most 50.
    pub items: Vec<Item>,
}

impl ExecuteRecurringRequest {
    /// Charges `amount` on `biller_id`.
    pub fn new(biller_id: impl Into<String>, amount: Money) -> Self {
        ExecuteRecurringRequest {
            biller_id: biller_id.into(),
            amount,
            description: None,
            order_id: None,
            delivery: None,
            items: Vec::new(),
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the merchant's order id.
    pub fn order_id(mut self, order_id: impl Into<String>) -> Self {
        self.order_id = Some(order_id.into());
        self
    }

    /// Sets the shipping cost.
    pub fn delivery(mut self, delivery: Decimal) -> Self {
        self.delivery = Some(delivery);
        self
    }

    /// Adds an order line.
    pub fn item(mut self, item: Item) -> Self {
        self.items.push(item);
        self
    }
}

/// `POST /v1/execute-oneclick`: the customer confirms a charge on a stored card on the maib
/// page (3-D Secure may run); the result arrives on the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecuteOneClickRequest {
    /// The stored card (`billerId`).
    pub biller_id: String,
    /// Amount and currency; at least 1.
    pub amount: Money,
    /// The customer's IPv4 address.
    pub client_ip: Ipv4Addr,
    /// Checkout page, order and URLs.
    pub checkout: Checkout,
}

impl ExecuteOneClickRequest {
    /// Charges `amount` on `biller_id` once the customer at `client_ip` confirms.
    pub fn new(biller_id: impl Into<String>, amount: Money, client_ip: Ipv4Addr) -> Self {
        ExecuteOneClickRequest {
            biller_id: biller_id.into(),
            amount,
            client_ip,
            checkout: Checkout::default(),
        }
    }

    checkout_setters!();
}

/// Transaction status (`status`, spec §7.1). Unknown values are kept in
/// [`TransactionStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransactionStatus {
    /// `OK`: succeeded (held for `hold`, refunded for `refund`, deleted for `delete-card`).
    Ok,
    /// `FAILED`.
    Failed,
    /// `CREATED`: registered, the customer has not paid yet.
    Created,
    /// `PENDING`: not finished; also the success value of `savecard-*` without an amount.
    Pending,
    /// `DECLINED`: declined by maib ecomm.
    Declined,
    /// `TIMEOUT`: not paid within 10 minutes.
    Timeout,
    /// `REVERSED`: already refunded (answer of a repeated `refund`).
    Reversed,
    /// A value this version does not know, verbatim.
    Other(String),
}

impl TransactionStatus {
    /// Parses the wire value (exact, upper case as maib sends it; other case is accepted).
    pub fn parse(text: &str) -> Self {
        // Compared without an upper-cased copy: this runs on every callback (issue 16).
        const KNOWN: [(&str, TransactionStatus); 7] = [
            ("OK", TransactionStatus::Ok),
            ("FAILED", TransactionStatus::Failed),
            ("CREATED", TransactionStatus::Created),
            ("PENDING", TransactionStatus::Pending),
            ("DECLINED", TransactionStatus::Declined),
            ("TIMEOUT", TransactionStatus::Timeout),
            ("REVERSED", TransactionStatus::Reversed),
        ];
        let trimmed = text.trim();
        KNOWN
            .into_iter()
            .find(|(wire, _)| wire.eq_ignore_ascii_case(trimmed))
            .map_or_else(|| TransactionStatus::Other(text.to_owned()), |(_, s)| s)
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            TransactionStatus::Ok => "OK",
            TransactionStatus::Failed => "FAILED",
            TransactionStatus::Created => "CREATED",
            TransactionStatus::Pending => "PENDING",
            TransactionStatus::Declined => "DECLINED",
            TransactionStatus::Timeout => "TIMEOUT",
            TransactionStatus::Reversed => "REVERSED",
            TransactionStatus::Other(text) => text,
        }
    }
}

impl fmt::Display for TransactionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// 3-D Secure result (`threeDs`, spec §7.2). Unknown values are kept in
/// [`ThreeDsStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreeDsStatus {
    /// `AUTHENTICATED`.
    Authenticated,
    /// `NOT_AUTHENTICATED`.
    NotAuthenticated,
    /// `UNAVAILABLE`.
    Unavailable,
    /// `ATTEMPTED`.
    Attempted,
    /// `REJECTED`.
    Rejected,
    /// `SKIPPED`.
    Skipped,
    /// `NOTPARTICIPATED`.
    NotParticipated,
    /// A value this version does not know, verbatim.
    Other(String),
}

impl ThreeDsStatus {
    /// Parses the wire value.
    pub fn parse(text: &str) -> Self {
        // Compared without an upper-cased copy: this runs on every callback (issue 16).
        const KNOWN: [(&str, ThreeDsStatus); 7] = [
            ("AUTHENTICATED", ThreeDsStatus::Authenticated),
            ("NOT_AUTHENTICATED", ThreeDsStatus::NotAuthenticated),
            ("UNAVAILABLE", ThreeDsStatus::Unavailable),
            ("ATTEMPTED", ThreeDsStatus::Attempted),
            ("REJECTED", ThreeDsStatus::Rejected),
            ("SKIPPED", ThreeDsStatus::Skipped),
            ("NOTPARTICIPATED", ThreeDsStatus::NotParticipated),
        ];
        let trimmed = text.trim();
        KNOWN
            .into_iter()
            .find(|(wire, _)| wire.eq_ignore_ascii_case(trimmed))
            .map_or_else(|| ThreeDsStatus::Other(text.to_owned()), |(_, s)| s)
    }
}

/// Tokens from `POST /v1/generate-token`.
#[non_exhaustive]
pub struct TokenPair {
    /// The bearer token.
    pub access_token: SecretString,
    /// Its lifetime in seconds (`expiresIn`).
    pub expires_in: Option<u64>,
    /// The refresh token.
    pub refresh_token: Option<SecretString>,
    /// Its lifetime in seconds (`refreshExpiresIn`).
    pub refresh_expires_in: Option<u64>,
    /// `Bearer`.
    pub token_type: Option<String>,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"[REDACTED]")
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("refresh_expires_in", &self.refresh_expires_in)
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// The intermediate answer of `pay`, `hold`, `savecard-*` and `execute-oneclick`: send the
/// customer to `pay_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentLink {
    /// maib's transaction id.
    pub pay_id: String,
    /// The merchant's order id, echoed.
    pub order_id: Option<String>,
    /// The checkout page. Opaque: redirect to it verbatim, never re-encode it.
    pub pay_url: String,
}

/// The synchronous answer of `POST /v1/complete`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompleteResult {
    /// maib's transaction id.
    pub pay_id: String,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// `OK` when captured.
    pub status: Option<TransactionStatus>,
    /// Card platform response code (`000` approved).
    pub status_code: Option<String>,
    /// Its text.
    pub status_message: Option<String>,
    /// Retrieval reference number.
    pub rrn: Option<String>,
    /// Issuer approval code.
    pub approval: Option<String>,
    /// Masked card number.
    pub card_number: Option<String>,
    /// The captured amount.
    pub confirm_amount: Option<Decimal>,
}

/// The synchronous answer of `POST /v1/refund`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundResult {
    /// maib's transaction id.
    pub pay_id: String,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// `OK` when refunded, `REVERSED` when it already was.
    pub status: Option<TransactionStatus>,
    /// Card platform response code (`400` accepted).
    pub status_code: Option<String>,
    /// Its text.
    pub status_message: Option<String>,
    /// The refunded amount.
    pub refund_amount: Option<Decimal>,
}

/// An order line as `pay-info` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ItemInfo {
    /// Product id.
    pub id: Option<String>,
    /// Product name.
    pub name: Option<String>,
    /// Unit price.
    pub price: Option<Decimal>,
    /// Quantity.
    pub quantity: Option<i64>,
}

/// `GET /v1/pay-info/{payId}`: everything maib knows about a payment. Every field but
/// `pay_id` may be missing, depending on payment type and state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PayInfo {
    /// maib's transaction id.
    pub pay_id: String,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// Stored card id (recurring / one-click).
    pub biller_id: Option<String>,
    /// Stored card retention, `MMYY`.
    pub biller_expiry: Option<String>,
    /// Transaction status.
    pub status: Option<TransactionStatus>,
    /// Card platform response code.
    pub status_code: Option<String>,
    /// Its text.
    pub status_message: Option<String>,
    /// 3-D Secure result.
    pub three_ds: Option<ThreeDsStatus>,
    /// Retrieval reference number.
    pub rrn: Option<String>,
    /// Issuer approval code.
    pub approval: Option<String>,
    /// Masked card number.
    pub card_number: Option<String>,
    /// The amount.
    pub amount: Option<Decimal>,
    /// The captured amount (two-step payments).
    pub confirm_amount: Option<Decimal>,
    /// The refunded amount.
    pub refund_amount: Option<Decimal>,
    /// The currency code, verbatim.
    pub currency: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Customer IP.
    pub client_ip: Option<String>,
    /// Customer name.
    pub client_name: Option<String>,
    /// Customer e-mail.
    pub email: Option<String>,
    /// Customer phone.
    pub phone: Option<String>,
    /// Shipping cost (documented as a string here, a number elsewhere: both are read).
    pub delivery: Option<Decimal>,
    /// Order lines.
    pub items: Vec<ItemInfo>,
}

/// The synchronous answer of `POST /v1/execute-recurring`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecurringResult {
    /// maib's id of the new transaction.
    pub pay_id: String,
    /// The stored card charged.
    pub biller_id: Option<String>,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// `OK` on success.
    pub status: Option<TransactionStatus>,
    /// Card platform response code.
    pub status_code: Option<String>,
    /// Its text.
    pub status_message: Option<String>,
    /// Retrieval reference number.
    pub rrn: Option<String>,
    /// Issuer approval code.
    pub approval: Option<String>,
    /// Masked card number.
    pub card_number: Option<String>,
    /// The amount charged.
    pub amount: Option<Decimal>,
    /// The currency code, verbatim.
    pub currency: Option<String>,
}

/// The answer of `DELETE /v1/delete-card/{billerId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeletedCard {
    /// The card deleted.
    pub biller_id: String,
    /// `OK` when deleted.
    pub status: Option<TransactionStatus>,
}

/// The `result` of a verified callback (the final response of `pay`, `hold`, `savecard-*`
/// and `execute-oneclick`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Notification {
    /// maib's transaction id.
    pub pay_id: String,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// Stored card id (savecard flows, sometimes one-click).
    pub biller_id: Option<String>,
    /// Stored card retention, `MMYY` (may be earlier than requested).
    pub biller_expiry: Option<String>,
    /// Transaction status.
    pub status: Option<TransactionStatus>,
    /// Card platform response code.
    pub status_code: Option<String>,
    /// Its text.
    pub status_message: Option<String>,
    /// 3-D Secure result.
    pub three_ds: Option<ThreeDsStatus>,
    /// Retrieval reference number.
    pub rrn: Option<String>,
    /// Issuer approval code.
    pub approval: Option<String>,
    /// Masked card number.
    pub card_number: Option<String>,
    /// The amount.
    pub amount: Option<Decimal>,
    /// The currency code, verbatim.
    pub currency: Option<String>,
    /// The refunded amount, should maib ever send one.
    pub refund_amount: Option<Decimal>,
    /// The captured amount, should maib ever send one.
    pub confirm_amount: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_print() {
        assert_eq!("RO".parse::<Language>().unwrap(), Language::Ro);
        assert_eq!(Language::Ru.to_string(), "ru");
        let err = "de".parse::<Language>().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "language"));
    }

    #[test]
    fn biller_expiry_is_mmyy() {
        let e = BillerExpiry::parse("1229").unwrap();
        assert_eq!((e.month(), e.year()), (12, 29));
        assert_eq!(e.to_mmyy(), "1229");
        assert_eq!(BillerExpiry::new(1, 5).unwrap().to_string(), "0105");
        for bad in ["1329", "0029", "12/29", "122", "12290", "ab29", ""] {
            let err = BillerExpiry::parse(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "biller_expiry"),
                "{bad}"
            );
        }
        assert!(BillerExpiry::parse("0130").unwrap() > BillerExpiry::parse("1229").unwrap());
    }

    #[test]
    fn statuses_keep_unknown_values() {
        assert_eq!(TransactionStatus::parse("OK"), TransactionStatus::Ok);
        assert_eq!(
            TransactionStatus::parse("REVERSED"),
            TransactionStatus::Reversed
        );
        let other = TransactionStatus::parse("SETTLED");
        assert_eq!(other, TransactionStatus::Other("SETTLED".into()));
        assert_eq!(other.as_str(), "SETTLED");
        assert_eq!(
            ThreeDsStatus::parse("NOTPARTICIPATED"),
            ThreeDsStatus::NotParticipated
        );
    }

    #[test]
    fn save_card_amount_sets_the_currency() {
        let r = SaveCardRequest::new(
            BillerExpiry::parse("1230").unwrap(),
            Ipv4Addr::LOCALHOST,
            Currency::MDL,
        )
        .amount(Money::parse("6.25", Currency::EUR).unwrap());
        assert_eq!(r.currency, Currency::EUR);
        assert_eq!(r.amount.unwrap().to_string(), "6.25");
    }

    #[test]
    fn token_pair_debug_hides_tokens() {
        let pair = TokenPair {
            access_token: SecretString::from("acc-secret"),
            expires_in: Some(300),
            refresh_token: Some(SecretString::from("ref-secret")),
            refresh_expires_in: Some(1800),
            token_type: Some("Bearer".into()),
        };
        let text = format!("{pair:?}");
        assert!(
            !text.contains("acc-secret") && !text.contains("ref-secret"),
            "{text}"
        );
    }
}
