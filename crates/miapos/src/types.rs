//! The native API's public request and response types (miapos.md §3).
//!
//! Requests are plain structs with public fields, a constructor taking the required fields and
//! setters for the optional ones. The wire form lives in the private `wire` module.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use paykit_core::{Currency, Decimal, Error, Money, NextAction, PaymentOutcome, SecretString};

use paykit_core::webhook::RsaPublicKey;

use crate::status::MiaPosStatus;

/// Checkout page language (`language`): `ro` (miaPOS's default), `ru` or `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Romanian, `ro`.
    Ro,
    /// Russian, `ru`.
    Ru,
    /// English, `en`.
    En,
}

impl Language {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::Ro => "ro",
            Language::Ru => "ru",
            Language::En => "en",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = Error;

    /// Parses `ro`, `ru` or `en` (any case); anything else is [`Error::InvalidInput`] on
    /// `language`.
    fn from_str(text: &str) -> Result<Self, Error> {
        match text.to_ascii_lowercase().as_str() {
            "ro" => Ok(Language::Ro),
            "ru" => Ok(Language::Ru),
            "en" => Ok(Language::En),
            _ => Err(Error::invalid_input(
                "language",
                format!("must be one of ro, ru, en; got {text:?}"),
            )),
        }
    }
}

/// How the payer pays (`paymentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaymentType {
    /// `qr`: a QR code on the checkout page (needs an *ecomm* terminal). miaPOS's default.
    #[default]
    Qr,
    /// `rtp`: a request to pay sent to the payer's phone (needs an *RTP* terminal and
    /// `clientPhone`).
    Rtp,
}

impl PaymentType {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentType::Qr => "qr",
            PaymentType::Rtp => "rtp",
        }
    }
}

impl fmt::Display for PaymentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentType {
    type Err = Error;

    /// Parses `qr` or `rtp` (any case); anything else is [`Error::InvalidInput`] on
    /// `payment_type`.
    fn from_str(text: &str) -> Result<Self, Error> {
        match text.to_ascii_lowercase().as_str() {
            "qr" => Ok(PaymentType::Qr),
            "rtp" => Ok(PaymentType::Rtp),
            _ => Err(Error::invalid_input(
                "payment_type",
                format!("must be qr or rtp; got {text:?}"),
            )),
        }
    }
}

/// `POST /ecomm/api/v1/pay`: register a payment and get a hosted checkout page.
///
/// ```
/// use paykit_core::{Currency, Money};
/// use paykit_miapos::{Language, PayRequest, PaymentType};
///
/// let request = PayRequest::new("WEB-451", Money::parse("249.90", Currency::MDL)?, "Order #451")
///     .language(Language::Ro)
///     .payment_type(PaymentType::Qr)
///     .callback_url("https://shop.example.md/miapos/callback")
///     .success_url("https://shop.example.md/return?order=451&r=ok")
///     .direct_redirect(true);
/// assert_eq!(request.order_id, "WEB-451");
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayRequest {
    /// `terminalId`; `None` uses the terminal configured on the client. An *ecomm* terminal
    /// for `qr`, an *RTP* terminal for `rtp`.
    pub terminal_id: Option<String>,
    /// `orderId`, the merchant's reference. miaPOS does not enforce uniqueness: every call
    /// creates a new payment.
    pub order_id: String,
    /// `amount` and `currency`: MDL only, more than zero.
    pub amount: Money,
    /// `payDescription`, shown to the payer.
    pub description: String,
    /// `language`; `None` uses the client's default, if any, else miaPOS's (`ro`).
    pub language: Option<Language>,
    /// `paymentType`; `None` uses the client's default (`qr` unless configured).
    pub payment_type: Option<PaymentType>,
    /// `clientName`, at most 128 characters.
    pub client_name: Option<String>,
    /// `clientPhone`, required for `rtp`: a Moldovan number, sent as its 8 national digits
    /// (`+37369123456`, `37369123456`, `069123456` and `69123456` all go out as `69123456`).
    pub client_phone: Option<String>,
    /// `clientEmail`.
    pub client_email: Option<String>,
    /// `callbackUrl`; miaPOS falls back to the URL set in its admin UI.
    pub callback_url: Option<String>,
    /// `successUrl`, used verbatim (put your own order reference in its query).
    pub success_url: Option<String>,
    /// `failUrl`, used verbatim.
    pub fail_url: Option<String>,
    /// `directRedirect` (observed, not in the spec): on phones, jump straight into the banking
    /// app. QR only.
    pub direct_redirect: Option<bool>,
    /// `fastRedirect` (observed, not in the spec): skip the pause on the result screen.
    pub fast_redirect: Option<bool>,
}

impl PayRequest {
    /// A payment of `amount` for order `order_id`, described to the payer as `description`.
    pub fn new(order_id: impl Into<String>, amount: Money, description: impl Into<String>) -> Self {
        PayRequest {
            terminal_id: None,
            order_id: order_id.into(),
            amount,
            description: description.into(),
            language: None,
            payment_type: None,
            client_name: None,
            client_phone: None,
            client_email: None,
            callback_url: None,
            success_url: None,
            fail_url: None,
            direct_redirect: None,
            fast_redirect: None,
        }
    }

    /// Sets [`PayRequest::terminal_id`].
    pub fn terminal_id(mut self, terminal_id: impl Into<String>) -> Self {
        self.terminal_id = Some(terminal_id.into());
        self
    }

    /// Sets [`PayRequest::language`].
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Sets [`PayRequest::payment_type`].
    pub fn payment_type(mut self, payment_type: PaymentType) -> Self {
        self.payment_type = Some(payment_type);
        self
    }

    /// Sets [`PayRequest::client_name`].
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// Sets [`PayRequest::client_phone`].
    pub fn client_phone(mut self, phone: impl Into<String>) -> Self {
        self.client_phone = Some(phone.into());
        self
    }

    /// Sets [`PayRequest::client_email`].
    pub fn client_email(mut self, email: impl Into<String>) -> Self {
        self.client_email = Some(email.into());
        self
    }

    /// Sets [`PayRequest::callback_url`].
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Sets [`PayRequest::success_url`].
    pub fn success_url(mut self, url: impl Into<String>) -> Self {
        self.success_url = Some(url.into());
        self
    }

    /// Sets [`PayRequest::fail_url`].
    pub fn fail_url(mut self, url: impl Into<String>) -> Self {
        self.fail_url = Some(url.into());
        self
    }

    /// Sets [`PayRequest::direct_redirect`].
    pub fn direct_redirect(mut self, on: bool) -> Self {
        self.direct_redirect = Some(on);
        self
    }

    /// Sets [`PayRequest::fast_redirect`].
    pub fn fast_redirect(mut self, on: bool) -> Self {
        self.fast_redirect = Some(on);
        self
    }
}

/// The answer to [`PayRequest`]: persist `payment_id` before redirecting the payer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentCreated {
    /// `orderId`, echoed (checked against the request).
    pub order_id: String,
    /// `paymentId` (a UUID): the only reliable key of the payment.
    pub payment_id: String,
    /// `checkoutPage`: send the payer here (`<base>/checkout?paymentId=<uuid>`).
    pub checkout_page: String,
}

/// `POST /ecomm/api/v1/request-to-pay/direct`: a request to pay pushed straight to the payer's
/// banking app, with no checkout page. Needs an RTP terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectRtpRequest {
    /// `terminalId`; `None` uses the terminal configured on the client.
    pub terminal_id: Option<String>,
    /// `orderId`.
    pub order_id: String,
    /// `amount` and `currency`: MDL only, more than zero.
    pub amount: Money,
    /// `payDescription`.
    pub description: String,
    /// `clientName` (required here), at most 128 characters.
    pub client_name: String,
    /// `clientPhone` (required here): a Moldovan number, sent as its 8 national digits
    /// (`069123456` goes out as `69123456`).
    pub client_phone: String,
    /// `clientEmail`.
    pub client_email: Option<String>,
    /// `callbackUrl`; miaPOS falls back to the URL set in its admin UI.
    pub callback_url: Option<String>,
}

impl DirectRtpRequest {
    /// A request to pay `amount` for `order_id`, sent to `client_phone`.
    pub fn new(
        order_id: impl Into<String>,
        amount: Money,
        description: impl Into<String>,
        client_name: impl Into<String>,
        client_phone: impl Into<String>,
    ) -> Self {
        DirectRtpRequest {
            terminal_id: None,
            order_id: order_id.into(),
            amount,
            description: description.into(),
            client_name: client_name.into(),
            client_phone: client_phone.into(),
            client_email: None,
            callback_url: None,
        }
    }

    /// Sets [`DirectRtpRequest::terminal_id`].
    pub fn terminal_id(mut self, terminal_id: impl Into<String>) -> Self {
        self.terminal_id = Some(terminal_id.into());
        self
    }

    /// Sets [`DirectRtpRequest::client_email`].
    pub fn client_email(mut self, email: impl Into<String>) -> Self {
        self.client_email = Some(email.into());
        self
    }

    /// Sets [`DirectRtpRequest::callback_url`].
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }
}

/// The answer to [`DirectRtpRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectRtpCreated {
    /// `orderId`, echoed (checked against the request).
    pub order_id: String,
    /// `paymentId`.
    pub payment_id: String,
}

/// A payment as `GET /ecomm/api/v1/payment/{paymentId}` reports it, and the `result` of a
/// verified callback (`OrderPaymentResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentInfo {
    /// `terminalId`.
    pub terminal_id: String,
    /// `orderId`.
    pub order_id: String,
    /// `paymentId`.
    pub payment_id: String,
    /// `status`.
    pub status: MiaPosStatus,
    /// `amount`, exactly as sent (`249.9` reads as 249.9, never through a float).
    pub amount: Decimal,
    /// `currency`, verbatim (`MDL`).
    pub currency: String,
    /// `paymentType`, verbatim (`qr` / `rtp`); see [`PaymentInfo::payment_type`].
    pub payment_type: Option<String>,
    /// `paymentDate`, verbatim: Chișinău local time without an offset
    /// (`2026-10-05T22:13:42`). May be present on any status.
    pub payment_date: Option<String>,
    /// `swiftMessageId`, the bank-side message id (on `SUCCESS`).
    pub swift_message_id: Option<String>,
    /// `swiftPayerBank`, the payer bank's BIC (on `SUCCESS`).
    pub swift_payer_bank: Option<String>,
    /// `checkoutPage` (observed in status answers, not in the spec).
    pub checkout_page: Option<String>,
}

impl PaymentInfo {
    /// `payment_type` as a [`PaymentType`], when it is one of the known values.
    pub fn payment_type(&self) -> Option<PaymentType> {
        self.payment_type.as_deref().and_then(|t| t.parse().ok())
    }

    /// The amount as [`Money`], when the currency is known and the amount well formed.
    pub fn money(&self) -> Option<Money> {
        PaymentFacts::of(self).money()
    }

    /// The common outcome: status mapped by [`MiaPosStatus::to_payment_status`], the raw
    /// status kept, and the checkout page as the next action while the payer has not acted.
    pub fn to_outcome(&self) -> PaymentOutcome {
        PaymentFacts::of(self).outcome()
    }
}

/// The fields of a payment its common outcome is made of, borrowed: from a [`PaymentInfo`], or
/// straight from a verified callback's checked `result` (`webhook/shape.rs`), so both make the
/// outcome, and the event, by one function and the callback's event needs no owned copy first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PaymentFacts<'a> {
    pub(crate) payment_id: &'a str,
    pub(crate) order_id: &'a str,
    pub(crate) status: &'a MiaPosStatus,
    pub(crate) amount: Decimal,
    pub(crate) currency: &'a str,
    pub(crate) checkout_page: Option<&'a str>,
}

impl<'a> PaymentFacts<'a> {
    pub(crate) fn of(info: &'a PaymentInfo) -> Self {
        PaymentFacts {
            payment_id: &info.payment_id,
            order_id: &info.order_id,
            status: &info.status,
            amount: info.amount,
            currency: &info.currency,
            checkout_page: info.checkout_page.as_deref(),
        }
    }

    /// [`PaymentInfo::money`] of these facts.
    pub(crate) fn money(&self) -> Option<Money> {
        let currency: Currency = self.currency.parse().ok()?;
        Money::new(self.amount, currency).ok()
    }

    /// [`PaymentInfo::to_outcome`] of these facts.
    pub(crate) fn outcome(&self) -> PaymentOutcome {
        let next_action = match (self.status, self.checkout_page) {
            (MiaPosStatus::Created, Some(url)) => NextAction::Checkout {
                url: Some(url.to_owned()),
                qr_payload: None,
            },
            _ => NextAction::None,
        };
        PaymentOutcome::new(self.payment_id.to_owned(), self.status.to_payment_status())
            .with_next_action(next_action)
            .with_amount(self.money())
            .with_order_id(Some(self.order_id.to_owned()))
            .with_raw_status(Some(self.status.as_str().to_owned()))
    }
}

/// A token pair from `POST /token` or `POST /token/refresh`. Refresh returns a new pair: store
/// both. `Debug` never shows the tokens.
#[non_exhaustive]
pub struct TokenPair {
    /// `accessToken`, opaque.
    pub access_token: SecretString,
    /// `accessTokenExpiresIn` (observed: 300 s).
    pub access_expires_in: Option<Duration>,
    /// `refreshToken`.
    pub refresh_token: Option<SecretString>,
    /// `refreshTokenExpiresIn` (observed: 432 000 s, five days).
    pub refresh_expires_in: Option<Duration>,
    /// `tokenType` (`Bearer`).
    pub token_type: Option<String>,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"[REDACTED]")
            .field("access_expires_in", &self.access_expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("refresh_expires_in", &self.refresh_expires_in)
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// The callback verification key from `GET /ecomm/api/v1/public-key`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PublicKey {
    /// `publicKey` verbatim: base64 of a DER SubjectPublicKeyInfo, no PEM armour.
    pub spki_base64: String,
    /// The parsed key.
    pub key: RsaPublicKey,
}

#[cfg(test)]
mod tests {
    use paykit_core::{ExposeSecret, PaymentStatus};

    use super::*;

    fn info(status: MiaPosStatus, currency: &str, amount: &str) -> PaymentInfo {
        PaymentInfo {
            terminal_id: "TE0001".into(),
            order_id: "o-1".into(),
            payment_id: "p-1".into(),
            status,
            amount: Decimal::from_str_exact(amount).unwrap(),
            currency: currency.into(),
            payment_type: Some("qr".into()),
            payment_date: None,
            swift_message_id: None,
            swift_payer_bank: None,
            checkout_page: Some("https://x/checkout?paymentId=p-1".into()),
        }
    }

    #[test]
    fn enums_parse_case_insensitively_and_name_the_field() {
        assert_eq!("RU".parse::<Language>().unwrap(), Language::Ru);
        assert_eq!("rtp".parse::<PaymentType>().unwrap(), PaymentType::Rtp);
        let err = "de".parse::<Language>().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "language"));
        let err = "card".parse::<PaymentType>().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "payment_type"));
        assert_eq!(PaymentType::default(), PaymentType::Qr);
    }

    #[test]
    fn outcome_keeps_raw_status_amount_and_checkout_while_created() {
        let created = info(MiaPosStatus::Created, "MDL", "249.9").to_outcome();
        assert_eq!(created.status, PaymentStatus::RequiresAction);
        assert_eq!(created.raw_status.as_deref(), Some("CREATED"));
        assert_eq!(created.amount.unwrap().to_fixed_string(), "249.90");
        assert!(matches!(
            created.next_action,
            NextAction::Checkout { url: Some(_), .. }
        ));
        let paid = info(MiaPosStatus::Success, "MDL", "1").to_outcome();
        assert_eq!(paid.status, PaymentStatus::Captured);
        assert_eq!(paid.next_action, NextAction::None);
        assert_eq!(paid.order_id.as_deref(), Some("o-1"));
    }

    #[test]
    fn odd_amounts_or_currencies_leave_the_amount_out() {
        assert!(info(MiaPosStatus::Success, "XYZ", "1").money().is_none());
        assert!(
            info(MiaPosStatus::Success, "MDL", "1.005")
                .money()
                .is_none()
        );
        assert_eq!(
            info(MiaPosStatus::Success, "MDL", "1").payment_type(),
            Some(PaymentType::Qr)
        );
    }

    #[test]
    fn token_pair_debug_is_redacted() {
        let pair = TokenPair {
            access_token: SecretString::from("acc-secret"),
            access_expires_in: Some(Duration::from_secs(300)),
            refresh_token: Some(SecretString::from("ref-secret")),
            refresh_expires_in: None,
            token_type: Some("Bearer".into()),
        };
        let text = format!("{pair:?}");
        assert!(
            !text.contains("acc-secret") && !text.contains("ref-secret"),
            "{text}"
        );
        assert_eq!(pair.access_token.expose_secret(), "acc-secret");
    }
}
