//! Maya Vault (spec §3.4): payment tokens (V1, public key), one-time card payments (V2),
//! customers (V3/V4), their cards with 3-D Secure verification (V5–V7) and charges on a saved
//! card (V8). V2 and V8 may move money: never re-sent, echo checked.

use std::fmt;

use paykit_core::http::{Effect, Method, RawResponse};
use paykit_core::{Error, ExposeSecret, Money, PaymentRef, Result, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::auth::{KeyKind, Product};
use crate::call::Endpoint;
use crate::status::CardState;
use crate::wire::{AmountCurrency, AuthorizationType, Metadata, Payment, Person, RedirectUrls};
use crate::{MayaCheckoutClient, PROVIDER, error, validate};

const fn vault(name: &'static str, method: Method, key: KeyKind, effect: Effect) -> Endpoint {
    Endpoint::new(name, method, Product::Vault, key, effect)
}

const TOKEN: Endpoint = vault(
    "maya-create-payment-token",
    Method::POST,
    KeyKind::Public,
    Effect::NoMoney,
);
const PAY: Endpoint = vault(
    "maya-create-card-payment",
    Method::POST,
    KeyKind::Secret,
    Effect::MovesMoney,
);
const CUSTOMER_CREATE: Endpoint = vault(
    "maya-create-customer",
    Method::POST,
    KeyKind::Secret,
    Effect::NoMoney,
);
const CUSTOMER_GET: Endpoint = vault(
    "maya-get-customer",
    Method::GET,
    KeyKind::Secret,
    Effect::Read,
);
const CUSTOMER_UPDATE: Endpoint = vault(
    "maya-update-customer",
    Method::PUT,
    KeyKind::Secret,
    Effect::NoMoney,
);
const CUSTOMER_DELETE: Endpoint = vault(
    "maya-delete-customer",
    Method::DELETE,
    KeyKind::Secret,
    Effect::NoMoney,
);
const CARD_LINK: Endpoint = vault(
    "maya-link-card",
    Method::POST,
    KeyKind::Secret,
    Effect::NoMoney,
);
const CARD_GET: Endpoint = vault("maya-get-card", Method::GET, KeyKind::Secret, Effect::Read);
const CARD_UPDATE: Endpoint = vault(
    "maya-update-card",
    Method::PUT,
    KeyKind::Secret,
    Effect::NoMoney,
);
const CARD_DELETE: Endpoint = vault(
    "maya-delete-card",
    Method::DELETE,
    KeyKind::Secret,
    Effect::NoMoney,
);
const CARD_PAY: Endpoint = vault(
    "maya-pay-with-saved-card",
    Method::POST,
    KeyKind::Secret,
    Effect::MovesMoney,
);

/// Raw card data for V1. Holding it puts the merchant in PCI scope (spec §3.4). Number and CVC
/// never appear in `Debug`.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardDetails {
    #[serde(serialize_with = "expose")]
    number: SecretString,
    exp_month: String,
    exp_year: String,
    #[serde(serialize_with = "expose")]
    cvc: SecretString,
}

fn expose<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

impl CardDetails {
    /// A card: PAN digits, `MM`, `YYYY`, CVC, checked for shape.
    pub fn new(
        number: SecretString,
        exp_month: impl Into<String>,
        exp_year: impl Into<String>,
        cvc: SecretString,
    ) -> Result<CardDetails> {
        let digits = |text: &str, min: usize, max: usize| {
            (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(number.expose_secret(), 12, 19) {
            return Err(Error::invalid_input(
                "card.number",
                "must be 12 to 19 digits",
            ));
        }
        let exp_month = exp_month.into();
        let month_ok = digits(&exp_month, 2, 2)
            && exp_month
                .parse::<u8>()
                .is_ok_and(|month| (1..=12).contains(&month));
        if !month_ok {
            return Err(Error::invalid_input("card.exp_month", "must be 01 to 12"));
        }
        let exp_year = exp_year.into();
        if !digits(&exp_year, 4, 4) {
            return Err(Error::invalid_input("card.exp_year", "must be four digits"));
        }
        if !digits(cvc.expose_secret(), 3, 4) {
            return Err(Error::invalid_input("card.cvc", "must be 3 or 4 digits"));
        }
        Ok(CardDetails {
            number,
            exp_month,
            exp_year,
            cvc,
        })
    }
}

impl fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardDetails")
            .field("number", &"[REDACTED]")
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &"[REDACTED]")
            .finish()
    }
}

/// V1's answer: a single-use token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentToken {
    /// The token.
    pub payment_token_id: String,
    /// Its state.
    #[serde(default)]
    pub state: Option<CardState>,
    /// The issuer.
    #[serde(default)]
    pub issuer: Option<String>,
}

/// V2's body: a one-time payment with a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CardPayment {
    /// From V1.
    pub payment_token_id: String,
    /// Shape B: `{amount, currency}`.
    pub total_amount: AmountCurrency,
    /// 1–36 characters.
    pub request_reference_number: String,
    /// Where the customer returns after 3-D Secure.
    pub redirect_url: RedirectUrls,
    /// Buyer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Person>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Manual capture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_type: Option<AuthorizationType>,
}

impl CardPayment {
    /// A payment of `amount` with `token`.
    pub fn new(
        token: impl Into<String>,
        amount: &Money,
        reference: impl Into<String>,
        redirect_url: RedirectUrls,
    ) -> Self {
        CardPayment {
            payment_token_id: token.into(),
            total_amount: AmountCurrency::of(amount),
            request_reference_number: reference.into(),
            redirect_url,
            buyer: None,
            metadata: None,
            authorization_type: None,
        }
    }

    /// Asks for an authorization (hold).
    pub fn authorization(mut self, kind: AuthorizationType) -> Self {
        self.authorization_type = Some(kind);
        self
    }
}

/// V5's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LinkCard {
    /// From V1.
    pub payment_token_id: String,
    /// Make it the default card.
    pub is_default: bool,
    /// Where the customer returns after verification.
    pub redirect_url: RedirectUrls,
    /// Optional reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_reference_number: Option<String>,
}

impl LinkCard {
    /// Vaults `token`.
    pub fn new(token: impl Into<String>, redirect_url: RedirectUrls) -> Self {
        LinkCard {
            payment_token_id: token.into(),
            is_default: true,
            redirect_url,
            request_reference_number: None,
        }
    }
}

/// V8's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SavedCardPayment {
    /// Shape B.
    pub total_amount: AmountCurrency,
    /// 1–36 characters.
    pub request_reference_number: String,
    /// Needed when 3-D Secure applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<RedirectUrls>,
    /// Manual capture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_type: Option<AuthorizationType>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl SavedCardPayment {
    /// A charge of `amount` under `reference`.
    pub fn new(amount: &Money, reference: impl Into<String>) -> Self {
        SavedCardPayment {
            total_amount: AmountCurrency::of(amount),
            request_reference_number: reference.into(),
            redirect_url: None,
            authorization_type: None,
            metadata: None,
        }
    }

    /// Sets the 3-D Secure return pages.
    pub fn redirect_url(mut self, urls: RedirectUrls) -> Self {
        self.redirect_url = Some(urls);
        self
    }

    /// Asks for an authorization (hold).
    pub fn authorization(mut self, kind: AuthorizationType) -> Self {
        self.authorization_type = Some(kind);
        self
    }
}

/// A Vault customer (V3/V4 answers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VaultCustomer {
    /// The customer id.
    pub id: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// ISO-8601.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// A vaulted card (V5–V7).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VaultedCard {
    /// The card token, used in V8.
    pub card_token_id: String,
    /// `visa`, `master-card`, …
    #[serde(default)]
    pub card_type: Option<String>,
    /// Masked PAN.
    #[serde(default)]
    pub masked_pan: Option<String>,
    /// `PREVERIFICATION` until 3-D Secure is done, then `VERIFIED`.
    #[serde(default)]
    pub state: Option<CardState>,
    /// Default card.
    #[serde(default)]
    pub default: Option<bool>,
    /// The 3-D Secure page while `PREVERIFICATION`.
    #[serde(default)]
    pub verification_url: Option<String>,
}

fn validate_payment(
    amount: &AmountCurrency,
    reference: &str,
    redirect: Option<&RedirectUrls>,
) -> Result<Money> {
    let currency = crate::wire::currency_of(&amount.currency)
        .ok_or_else(|| Error::invalid_input("currency", "unknown currency code"))?;
    let money = Money::new(amount.amount, currency)?;
    validate::amount("total_amount", &money)?;
    validate::reference("request_reference_number", reference)?;
    if let Some(redirect) = redirect {
        redirect.validate()?;
    }
    Ok(money)
}

/// Parses a payment answered to a charge, checking the echo: the amount must equal the one
/// asked for, and the reference (when echoed) ours. Anything else leaves the outcome unknown.
pub(crate) fn charged(response: &RawResponse, amount: &Money, reference: &str) -> Result<Payment> {
    let payment: Payment = error::parse(response)?;
    crate::operations::echo_amount(payment.amount, payment.currency.as_deref(), amount)?;
    if let Some(echoed) = &payment.request_reference_number {
        if echoed != reference {
            return Err(Error::Integrity {
                provider: PROVIDER,
                field: "requestReferenceNumber".into(),
                expected: reference.to_owned(),
                actual: echoed.clone(),
            });
        }
    }
    Ok(payment)
}

impl MayaCheckoutClient {
    /// V1 `POST /payments/v1/payment-tokens` (public key): tokenizes a card.
    pub async fn create_payment_token(&self, card: &CardDetails) -> Result<PaymentToken> {
        let request = self
            .request(&TOKEN, "/payments/v1/payment-tokens".to_owned())?
            .json(&serde_json::json!({ "card": card }))?
            .sensitive_response();
        self.send(&request, &PaymentRef::new()).await
    }

    /// V2 `POST /payments/v1/payments` (secret key): a one-time card payment, usually
    /// answered `FOR_AUTHENTICATION` with a `verificationUrl`. Moves money: never re-sent.
    pub async fn create_card_payment(&self, payment: &CardPayment) -> Result<Payment> {
        validate::segment("payment_token_id", &payment.payment_token_id)?;
        let money = validate_payment(
            &payment.total_amount,
            &payment.request_reference_number,
            Some(&payment.redirect_url),
        )?;
        let request = self
            .request(&PAY, "/payments/v1/payments".to_owned())?
            .json(payment)?;
        let ids = PaymentRef::new().merchant_reference(&payment.request_reference_number);
        let reference = payment.request_reference_number.clone();
        self.send_with(&request, &ids, |r| charged(r, &money, &reference))
            .await
    }

    /// V3 `POST /payments/v1/customers`.
    pub async fn create_customer(&self, customer: &Person) -> Result<VaultCustomer> {
        let request = self
            .request(&CUSTOMER_CREATE, "/payments/v1/customers".to_owned())?
            .json(customer)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// V4 `GET /payments/v1/customers/{id}`.
    pub async fn get_customer(&self, customer_id: &str) -> Result<VaultCustomer> {
        let request = self.request(&CUSTOMER_GET, customer_path(customer_id)?)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// V4 `PUT /payments/v1/customers/{id}`: replaces the details.
    pub async fn update_customer(
        &self,
        customer_id: &str,
        customer: &Person,
    ) -> Result<VaultCustomer> {
        let request = self
            .request(&CUSTOMER_UPDATE, customer_path(customer_id)?)?
            .json(customer)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// V4 `DELETE /payments/v1/customers/{id}`.
    pub async fn delete_customer(&self, customer_id: &str) -> Result<()> {
        let request = self.request(&CUSTOMER_DELETE, customer_path(customer_id)?)?;
        self.send_with(&request, &PaymentRef::new(), ok_any).await
    }

    /// V5 `POST /payments/v1/customers/{id}/cards`: vaults a card. The answer's
    /// `verificationUrl` is the 3-D Secure page the customer must visit; the card is
    /// `PREVERIFICATION` until then.
    pub async fn link_card(&self, customer_id: &str, card: &LinkCard) -> Result<VaultedCard> {
        card.redirect_url.validate()?;
        if let Some(reference) = &card.request_reference_number {
            validate::reference("request_reference_number", reference)?;
        }
        let path = format!("{}/cards", customer_path(customer_id)?);
        let request = self.request(&CARD_LINK, path)?.json(card)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// V6 `GET /payments/v1/customers/{id}/cards`.
    pub async fn list_cards(&self, customer_id: &str) -> Result<Vec<VaultedCard>> {
        let path = format!("{}/cards", customer_path(customer_id)?);
        let request = self.request(&CARD_GET, path)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// V7 `GET /payments/v1/customers/{id}/cards/{cardTokenId}`.
    pub async fn get_card(&self, customer_id: &str, card_token_id: &str) -> Result<VaultedCard> {
        let request = self.request(&CARD_GET, card_path(customer_id, card_token_id)?)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// V7 `PUT …/cards/{cardTokenId}` with `{"isDefault": true}` (Maya refuses `false`,
    /// `PY0026`).
    pub async fn set_default_card(
        &self,
        customer_id: &str,
        card_token_id: &str,
    ) -> Result<VaultedCard> {
        let request = self
            .request(&CARD_UPDATE, card_path(customer_id, card_token_id)?)?
            .json(&serde_json::json!({ "isDefault": true }))?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// V7 `DELETE …/cards/{cardTokenId}`.
    pub async fn delete_card(&self, customer_id: &str, card_token_id: &str) -> Result<()> {
        let request = self.request(&CARD_DELETE, card_path(customer_id, card_token_id)?)?;
        self.send_with(&request, &PaymentRef::new(), ok_any).await
    }

    /// V8 `POST …/cards/{cardTokenId}/payments`: charges a saved card. Synchronous unless
    /// 3-D Secure applies (`FOR_AUTHENTICATION` + `verificationUrl`). Moves money: never
    /// re-sent; an unknown outcome carries the reference to look up with P3.
    pub async fn pay_with_saved_card(
        &self,
        customer_id: &str,
        card_token_id: &str,
        payment: &SavedCardPayment,
    ) -> Result<Payment> {
        let money = validate_payment(
            &payment.total_amount,
            &payment.request_reference_number,
            payment.redirect_url.as_ref(),
        )?;
        let path = format!("{}/payments", card_path(customer_id, card_token_id)?);
        let request = self.request(&CARD_PAY, path)?.json(payment)?;
        let ids = PaymentRef::new().merchant_reference(&payment.request_reference_number);
        let reference = payment.request_reference_number.clone();
        self.send_with(&request, &ids, |r| charged(r, &money, &reference))
            .await
    }
}

fn customer_path(customer_id: &str) -> Result<String> {
    Ok(format!(
        "/payments/v1/customers/{}",
        validate::segment("customer_id", customer_id)?
    ))
}

fn card_path(customer_id: &str, card_token_id: &str) -> Result<String> {
    Ok(format!(
        "{}/cards/{}",
        customer_path(customer_id)?,
        validate::segment("card_token_id", card_token_id)?
    ))
}

/// Any 2xx (the body, if any, is ignored); otherwise Maya's error.
pub(crate) fn ok_any(response: &RawResponse) -> Result<()> {
    if response.is_success() {
        Ok(())
    } else {
        Err(error::from_response(response))
    }
}
