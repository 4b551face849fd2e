//! # paykit-bog-payments
//!
//! The Bank of Georgia **Payments API** (`api.bog.ge/payments/v1`, the "payment manager",
//! iPay's successor) for paykit: every endpoint, typed, and the common paykit traits on top.
//!
//! - [`BogPaymentsClient`]: a Keycloak client-credentials token (HTTP Basic, form grant) on its
//!   own host, `expires_in` read defensively ([`classify_expires_in`]), cached by core, a 401
//!   refreshes once and retries; one method per endpoint:
//!   [`create_order`](BogPaymentsClient::create_order), [`receipt`](BogPaymentsClient::receipt),
//!   [`refund_order`](BogPaymentsClient::refund_order),
//!   [`approve_preauth`](BogPaymentsClient::approve_preauth),
//!   [`cancel_preauth`](BogPaymentsClient::cancel_preauth),
//!   [`save_card_recurrent`](BogPaymentsClient::save_card_recurrent),
//!   [`save_card_automatic`](BogPaymentsClient::save_card_automatic),
//!   [`pay_with_saved_card`](BogPaymentsClient::pay_with_saved_card),
//!   [`charge_subscription`](BogPaymentsClient::charge_subscription),
//!   [`delete_card`](BogPaymentsClient::delete_card),
//!   [`apple_pay_accept`](BogPaymentsClient::apple_pay_accept).
//! - [`IdempotencyKey`]: every POST, PUT and DELETE carries one, made once per operation and
//!   reused by every retry, so this is the first provider where paykit retries a money-moving
//!   call after a 5xx or a timeout (BOG replays the first answer for a repeated key). An
//!   unknown outcome carries the key (`idempotency_key` of [`paykit_core::PaymentRef`]): repeat the
//!   call with it.
//! - [`BogPaymentsWebhook`]: `Callback-Signature` (RSA SHA-256 over the raw bytes) verified
//!   before parsing, against the environment's published key plus configured ones; the event
//!   carries the receipt and is checked against the payment records.
//! - The common traits: [`PaymentProvider`], [`Capture`], [`Void`], [`Refund`], [`Recurring`],
//!   and [`paykit_core::Webhook`].
//!
//! ```no_run
//! use paykit_bog_payments::{BogPaymentsClient, Environment};
//! use paykit_core::{Currency, Money, NextAction, PaymentProvider, PaymentRequest, SecretString};
//!
//! # async fn run() -> paykit_core::Result<()> {
//! let client = BogPaymentsClient::builder("10000999", SecretString::from("Ab3dEf6hIj9K"))
//!     .environment(Environment::Sandbox)
//!     .build()?;
//! let request = PaymentRequest::new(Money::parse("30.00", Currency::GEL)?)
//!     .order_id("A-20250314-0007")
//!     .callback_url("https://shop.example.ge/bog/callback")
//!     .return_url("https://shop.example.ge/pay/ok");
//! let outcome = client.create_payment(&request).await?;
//! if let NextAction::Redirect { url } = &outcome.next_action {
//!     println!("send the customer to {url}");
//! }
//! # Ok(())
//! # }
//! ```

// No panic on any bytes a provider or a callback sender can send (issue 11).
#![deny(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable,
    clippy::unwrap_used
)]

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

mod answers;
mod api;
mod auth;
mod config;
mod error;
mod facts;
#[doc(hidden)]
pub mod fuzzing;
mod idempotency;
mod receipt;
mod status;
mod translate;
mod types;
mod validate;
mod webhook;
mod wire;

use std::fmt;
use std::sync::Arc;

use paykit_core::http::{Credential, HttpExecutor};
use paykit_core::webhook::RsaPublicKey;
use paykit_core::{
    CachedTokenSource, Capabilities, Capture, CardUsage, Error, Money, PaymentOutcome,
    PaymentProvider, PaymentRecords, PaymentRequest, ProviderId, Recurring, Refund, Result,
    SavedCardCharge, TokenSource, Void, async_trait,
};

pub use auth::{
    CredentialEncoding, ExpiresInClass, FALLBACK_LIFETIME, MAX_LIFETIME, MIN_LIFETIME,
    REFRESH_MARGIN, TokenLifetime, classify_expires_in,
};
pub use config::{
    API_BASE_PATH, BogPaymentsClientBuilder, Environment, PRODUCTION_API_BASE,
    PRODUCTION_CALLBACK_KEY, PRODUCTION_TOKEN_URL, SANDBOX_API_BASE, SANDBOX_CALLBACK_KEY,
    SANDBOX_TOKEN_URL, TOKEN_PATH,
};
pub use error::NOT_FOUND;
pub use idempotency::IdempotencyKey;
pub use receipt::{
    Action, ActionKind, ActionStatus, PaymentDetail, Receipt, ReceiptBuyer, ReceiptItem,
};
pub use status::{OrderStatus, StatusReading, status_of};
pub use types::{
    Accepted, ApplePayResult, ApplicationType, BasketItem, Buyer, Campaign, CampaignCard,
    CampaignType, CaptureMethod, ChargeAccepted, ChargeSaved, CreateOrder, CreatedOrder, Language,
    Loan, OrderConfig, PaymentMethod, RequestReceived, SplitPayment, SplitShare, Theme,
};
pub use webhook::{
    BogPaymentsWebhook, CallbackEvent, SIGNATURE_HEADER, body_digest, parse_callback,
    verify_signature,
};

use auth::TokenFetcherImpl;
use config::Settings;

/// This provider's id, `"bog-payments"`.
pub const PROVIDER: ProviderId = ProviderId("bog-payments");

/// A Bank of Georgia Payments API client. Cheap to clone; clones share the token cache.
#[derive(Clone)]
pub struct BogPaymentsClient {
    inner: Arc<Inner>,
}

struct Inner {
    executor: HttpExecutor,
    token_url: String,
    client_id: String,
    tokens: Arc<CachedTokenSource<TokenFetcherImpl>>,
    settings: Settings,
    capabilities: Capabilities,
    records: Arc<dyn PaymentRecords>,
    callback_keys: Vec<RsaPublicKey>,
}

/// What the builder hands over.
pub(crate) struct Parts {
    pub(crate) executor: HttpExecutor,
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    pub(crate) tokens: Arc<CachedTokenSource<TokenFetcherImpl>>,
    pub(crate) settings: Settings,
    pub(crate) capabilities: Capabilities,
    pub(crate) records: Arc<dyn PaymentRecords>,
    pub(crate) callback_keys: Vec<RsaPublicKey>,
}

impl BogPaymentsClient {
    /// Starts building a client for the business's `client_id` and `client_secret`.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: paykit_core::SecretString,
    ) -> BogPaymentsClientBuilder {
        BogPaymentsClientBuilder::new(client_id.into(), client_secret)
    }

    pub(crate) fn from_parts(parts: Parts) -> Self {
        BogPaymentsClient {
            inner: Arc::new(Inner {
                executor: parts.executor,
                token_url: parts.token_url,
                client_id: parts.client_id,
                tokens: parts.tokens,
                settings: parts.settings,
                capabilities: parts.capabilities,
                records: parts.records,
                callback_keys: parts.callback_keys,
            }),
        }
    }

    /// The API base every path is appended to.
    pub fn api_base(&self) -> &str {
        self.inner.executor.base_url().as_str()
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.inner.token_url
    }

    /// The business's `client_id`.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The token source the client's calls draw from (shared by clones).
    pub fn token_source(&self) -> Arc<dyn TokenSource> {
        self.inner.tokens.clone()
    }

    /// The payment records the client writes.
    pub fn payment_records(&self) -> Arc<dyn PaymentRecords> {
        self.inner.records.clone()
    }

    fn bearer(&self) -> Credential {
        Credential::Bearer(self.inner.tokens.clone())
    }

    /// The amount sent for a "full" follow-up: `None` unless the client was told to send it
    /// explicitly (the sandbox quirk of §1.4).
    fn full_amount(
        &self,
        amount: Option<Money>,
        whole: Option<paykit_core::Decimal>,
    ) -> Option<paykit_core::Decimal> {
        match amount {
            Some(amount) => Some(amount.amount()),
            None if self.inner.settings.explicit_full_amounts => whole,
            None => None,
        }
    }

    /// [`PaymentProvider::create_payment`] under the merchant's own `key`: sent again with the
    /// same key after an unknown outcome, BOG answers with the order it created the first time
    /// instead of creating a second one (§8).
    ///
    /// # Errors
    ///
    /// As `create_payment`; an unknown outcome carries `key`.
    pub async fn create_payment_with_key(
        &self,
        request: &PaymentRequest,
        key: &IdempotencyKey,
    ) -> Result<PaymentOutcome> {
        self.inner.capabilities.check_payment(PROVIDER, request)?;
        let order = translate::order_from_request(request, &self.inner.settings)?;
        let created = self.create_order(&order, key).await?;
        Ok(translate::outcome_for_created(&created, request.amount)
            .with_order_id(request.order_id.clone()))
    }

    /// [`Refund::refund`] under the merchant's own `key`: the receipt is read first and what BOG
    /// refuses is refused before anything is sent (a state that cannot be refunded, more than is
    /// refundable, another currency, a partial refund of a payment that is not card-like, §5.2).
    /// To repeat an attempt whose outcome is unknown, use [`BogPaymentsClient::refund_order`]
    /// with the same key instead: the first attempt may have refunded already, so the receipt
    /// can no longer judge the request; BOG answers for the key.
    ///
    /// # Errors
    ///
    /// `Error::InvalidInput` or `Error::Unsupported` before I/O as above; otherwise as
    /// `refund_order`, an unknown outcome carrying `key`.
    pub async fn refund_with_key(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
        key: &IdempotencyKey,
    ) -> Result<PaymentOutcome> {
        self.inner
            .capabilities
            .check_refund(PROVIDER, amount.as_ref())?;
        let receipt = self.receipt(provider_payment_id).await?;
        let refundable = refundable_now(&receipt, amount.as_ref())?;
        let sent = self.full_amount(amount, Some(refundable));
        self.refund_order(provider_payment_id, sent, key).await?;
        let paid = translate::outcome_for_receipt(&receipt).amount;
        Ok(translate::outcome_acknowledged(provider_payment_id, paid))
    }

    async fn create_for(
        &self,
        request: &PaymentRequest,
        save: Option<CardUsage>,
    ) -> Result<PaymentOutcome> {
        if save.is_none() {
            return self
                .create_payment_with_key(request, &IdempotencyKey::generate()?)
                .await;
        }
        self.inner.capabilities.check_payment(PROVIDER, request)?;
        let order = translate::order_from_request(request, &self.inner.settings)?;
        let key = IdempotencyKey::generate()?;
        let created = self.create_order(&order, &key).await?;
        match save {
            Some(CardUsage::OneClick) => {
                self.save_card_recurrent(&created.id, &IdempotencyKey::generate()?)
                    .await?;
            }
            Some(CardUsage::Recurring) => {
                self.save_card_automatic(&created.id, &IdempotencyKey::generate()?)
                    .await?;
            }
            None => {}
        }
        Ok(translate::outcome_for_created(&created, request.amount)
            .with_order_id(request.order_id.clone()))
    }
}

impl fmt::Debug for BogPaymentsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BogPaymentsClient")
            .field("api_base", &self.api_base())
            .field("token_url", &self.inner.token_url)
            .field("client_id", &self.inner.client_id)
            .field("tokens", &self.inner.tokens)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl PaymentProvider for BogPaymentsClient {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// Creates an order ([`BogPaymentsClient::create_order`], a fresh key) and answers
    /// [`paykit_core::NextAction::Redirect`] to BOG's page.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        self.create_for(request, None).await
    }

    /// The receipt, mapped by [`status_of`].
    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        let receipt = self.receipt(provider_payment_id).await?;
        Ok(translate::outcome_for_receipt(&receipt))
    }

    fn capture(&self) -> Option<&dyn Capture> {
        Some(self)
    }

    fn refund(&self) -> Option<&dyn Refund> {
        Some(self)
    }

    fn void(&self) -> Option<&dyn Void> {
        Some(self)
    }

    fn recurring(&self) -> Option<&dyn Recurring> {
        Some(self)
    }
}

#[async_trait]
impl Capture for BogPaymentsClient {
    /// Confirms a pre-authorization (all of it without an amount). The answer is an
    /// acknowledgement: the outcome is accepted (`state_known` false, status `Pending`) until the receipt shows `completed` or
    /// `partial_completed`.
    async fn capture(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        if let Some(amount) = &amount {
            self.inner.capabilities.check_amount("amount", amount)?;
        }
        let mut whole = None;
        if amount.is_some() || self.inner.settings.explicit_full_amounts {
            // Capturing more than is held is not described by BOG (§5.3): refused here.
            let receipt = self.receipt(provider_payment_id).await?;
            if receipt.status != OrderStatus::Blocked {
                return Err(Error::invalid_input(
                    "provider_payment_id",
                    format!(
                        "only a blocked pre-authorization can be captured, this one is {}",
                        receipt.status.as_str()
                    ),
                ));
            }
            if let (Some(amount), Some(held)) = (&amount, receipt.transfer_amount) {
                if amount.amount() > held {
                    return Err(Error::invalid_input(
                        "amount",
                        format!("is more than the held {held}"),
                    ));
                }
            }
            whole = receipt.transfer_amount;
        }
        let sent = self.full_amount(amount, whole);
        self.approve_preauth(
            provider_payment_id,
            sent,
            None,
            &IdempotencyKey::generate()?,
        )
        .await?;
        Ok(translate::outcome_acknowledged(provider_payment_id, amount))
    }
}

#[async_trait]
impl Void for BogPaymentsClient {
    /// Rejects a pre-authorization: the whole held amount is released. Accepted (`state_known` false) until the
    /// receipt shows `rejected` with a `cancel_authorize` action.
    async fn void(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        self.cancel_preauth(provider_payment_id, None, &IdempotencyKey::generate()?)
            .await?;
        Ok(translate::outcome_acknowledged(provider_payment_id, None))
    }
}

#[async_trait]
impl Refund for BogPaymentsClient {
    /// Reads the receipt first: a refund needs a refundable state, never exceeds
    /// `transfer_amount`, and may be partial only for card, Apple Pay and Google Pay payments
    /// (§5.2). Acknowledged: accepted (`state_known` false) until the receipt or callback shows the refund.
    async fn refund(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        self.refund_with_key(provider_payment_id, amount, &IdempotencyKey::generate()?)
            .await
    }
}

/// What `receipt` leaves refundable, or why `amount` (everything when `None`) cannot be
/// refunded from it.
fn refundable_now(receipt: &Receipt, amount: Option<&Money>) -> Result<paykit_core::Decimal> {
    let refundable = receipt.refundable_amount().ok_or_else(|| {
        Error::invalid_input(
            "provider_payment_id",
            format!(
                "a payment in state {} cannot be refunded",
                receipt.status.as_str()
            ),
        )
    })?;
    // BOG describes refunds of card, Apple Pay, Google Pay and BOG-login payments only.
    if let Some(method) = receipt.transfer_method().filter(|m| {
        matches!(
            m,
            PaymentMethod::BogLoan
                | PaymentMethod::Bnpl
                | PaymentMethod::BogLoyalty
                | PaymentMethod::GiftCard
        )
    }) {
        return Err(Error::unsupported(
            PROVIDER,
            format!(
                "refunds of {} payments (BOG does not describe them)",
                method.as_str()
            ),
        ));
    }
    if let Some(amount) = amount {
        if receipt.currency.is_some_and(|c| c != amount.currency()) {
            return Err(Error::invalid_input(
                "amount",
                "is not in the payment's currency",
            ));
        }
        if amount.amount() > refundable {
            return Err(Error::invalid_input(
                "amount",
                format!("is more than the refundable {refundable}"),
            ));
        }
        let partial = amount.amount() < refundable;
        let card_like = receipt
            .transfer_method()
            .is_some_and(PaymentMethod::is_card_like);
        if partial && !card_like {
            return Err(Error::invalid_input(
                "amount",
                "partial refunds exist only for card, Apple Pay and Google Pay payments",
            ));
        }
    }
    Ok(refundable)
}

#[async_trait]
impl Recurring for BogPaymentsClient {
    /// Creates the parent order and saves its card before the customer pays:
    /// [`CardUsage::Recurring`] → `PUT /orders/{id}/subscriptions` (merchant-initiated charges
    /// of the same amount), [`CardUsage::OneClick`] → `PUT /orders/{id}/cards`. The card is
    /// saved only if that payment succeeds; the parent order's id is the saved card.
    async fn save_card(
        &self,
        request: &PaymentRequest,
        usage: CardUsage,
    ) -> Result<PaymentOutcome> {
        self.create_for(request, Some(usage)).await
    }

    /// [`CardUsage::Recurring`]: `POST …/{card_id}/subscribe`, which charges the parent
    /// order's amount (refused here when the recorded parent amount differs from the request).
    /// The outcome is the new order, `Pending`. [`CardUsage::OneClick`]: a new order on the
    /// saved card, `RequiresAction` with the page to send the customer to.
    async fn charge_saved_card(&self, charge: &SavedCardCharge) -> Result<PaymentOutcome> {
        match charge.usage {
            CardUsage::OneClick => {
                self.inner
                    .capabilities
                    .check_payment(PROVIDER, &charge.payment)?;
                let order = translate::order_from_request(&charge.payment, &self.inner.settings)?;
                let created = self
                    .pay_with_saved_card(&charge.card_id, &order, &IdempotencyKey::generate()?)
                    .await?;
                Ok(translate::outcome_for_created(
                    &created,
                    charge.payment.amount,
                ))
            }
            CardUsage::Recurring => {
                let parent = self.record_of(&charge.card_id).await?;
                if let Some(recorded) = parent.and_then(|p| p.amount) {
                    if recorded != charge.payment.amount {
                        return Err(Error::invalid_input(
                            "amount",
                            format!(
                                "an automatic charge repeats the parent order's {recorded}; create a new parent order to change it"
                            ),
                        ));
                    }
                }
                let native = ChargeSaved::new(
                    charge.payment.callback_url.clone(),
                    charge.payment.order_id.clone(),
                );
                let accepted = self
                    .charge_subscription(&charge.card_id, &native, &IdempotencyKey::generate()?)
                    .await?;
                Ok(PaymentOutcome::accepted(&accepted.id)
                    .with_amount(Some(charge.payment.amount))
                    .with_order_id(charge.payment.order_id.clone())
                    .with_raw_status(Some("created".to_owned())))
            }
        }
    }

    /// `DELETE /charges/card/{card_id}`.
    async fn delete_saved_card(&self, card_id: &str) -> Result<()> {
        self.delete_card(card_id, &IdempotencyKey::generate()?)
            .await
            .map(|_| ())
    }
}
