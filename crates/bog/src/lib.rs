//! # paykit-bog
//!
//! Bank of Georgia **iPay** (online payments API v1, `ipay.ge/opay/api/v1`) for paykit: the
//! full native API, typed, and the common paykit traits on top of it.
//!
//! - [`BogClient`]: OAuth2 client credentials (HTTP Basic, tokens cached at most 50 s because
//!   iPay's `expires_in` is an epoch-millisecond instant and tokens die about a minute after
//!   issue; a 401 re-authenticates once), and one method per endpoint:
//!   [`create_order`](BogClient::create_order), [`payment_details`](BogClient::payment_details),
//!   [`refund_order`](BogClient::refund_order),
//!   [`complete_pre_auth`](BogClient::complete_pre_auth),
//!   [`charge_subscription`](BogClient::charge_subscription) and the legacy reads.
//! - The common traits: [`PaymentProvider`] (create = order + redirect to the approve link,
//!   get = payment details), [`Capture`] and [`Void`] (pre-authorization completion and cancel),
//!   [`Refund`], [`Recurring`] (a successful payment's `order_id` is the saved card).
//! - [`BogWebhook`]: iPay callbacks are unsigned; they are matched against the stored
//!   `order_id` + `payment_hash` ([`OrderStore`], or the payment records) and confirmed by
//!   re-querying iPay: every event is built from iPay's answer, never from the callback.
//! - Money truth (DESIGN.md §8): every call declares what it does to money and paykit-core
//!   decides what each answer means; a fault of a refund, completion or recurring charge is an
//!   unknown outcome carrying the order's ids. iPay's details show no refunds and no amount, so
//!   the client writes what it did to core's [`paykit_core::PaymentRecords`]
//!   ([`BogClientBuilder::payment_records`]) and `get_payment` reads refunds from there.
//!
//! ```no_run
//! use std::sync::Arc;
//! use paykit_bog::{BogClient, InMemoryOrderStore, TEST_BASE_URL};
//! use paykit_core::{Currency, Money, NextAction, PaymentProvider, PaymentRequest, SecretString};
//!
//! # async fn run() -> paykit_core::Result<()> {
//! let store = Arc::new(InMemoryOrderStore::new());
//! let client = BogClient::builder("1006", SecretString::from("581ba5eeadd657c8ccddc74c839bd3ad"))
//!     .base_url(TEST_BASE_URL)
//!     .order_store(store.clone())
//!     .build()?;
//! let request = PaymentRequest::new(Money::parse("10.50", Currency::GEL)?)
//!     .order_id("A-1001")
//!     .description("Blue mug")
//!     .return_url("https://shop.example.ge/return?order=A-1001");
//! let outcome = client.create_payment(&request).await?;
//! if let NextAction::Redirect { url } = &outcome.next_action {
//!     println!("send the customer to {url}");
//! }
//! # Ok(())
//! # }
//! ```

// No panic on any bytes a provider or a callback sender can send (issue 11); see
// paykit-core for why `arithmetic_side_effects` is left out.
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

mod api;
mod auth;
mod completion;
mod config;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod model;
mod notification;
mod records;
mod refund;
mod status;
mod store;
mod translate;
mod validate;
mod webhook;
mod wire;

use std::fmt;
use std::sync::Arc;

use paykit_core::http::{Credential, HttpExecutor};
use paykit_core::{
    CachedTokenSource, Capabilities, Capture, CardUsage, Error, Flow, Money, PaymentOutcome,
    PaymentProvider, PaymentRecords, PaymentRequest, ProviderId, Recurring, Refund, Result,
    SavedCardCharge, TokenSource, Void, async_trait,
};

pub use config::{
    BogClientBuilder, DEFAULT_TOKEN_MAX_LIFETIME, DEFAULT_TOKEN_REFRESH_MARGIN,
    PRODUCTION_BASE_URL, TEST_BASE_URL,
};
pub use model::{
    CaptureMethod, CardType, CreateOrder, Intent, LegacyAmount, LegacyCapture, LegacyError,
    LegacyOrder, LegacyOrderStatus, LegacyPayer, Link, Locale, Order, OrderItem, PaymentDetails,
    PaymentHash, PaymentMethod, PaymentState, PreAuthCompletion, PreAuthResult, PreAuthStatus,
    SubscriptionCharge, SubscriptionPayment,
};
pub use notification::{MAX_CALLBACK_BYTES, Notification, NotificationKind};
pub use store::{InMemoryOrderStore, OrderStore, StoredOrder};
pub use webhook::BogWebhook;

use auth::BogTokenFetcher;
use config::Settings;

/// This provider's id, `"bog"`.
pub const PROVIDER: ProviderId = ProviderId("bog");

/// A Bank of Georgia iPay client. Cheap to clone; clones share the token cache and records.
#[derive(Clone)]
pub struct BogClient {
    inner: Arc<Inner>,
}

struct Inner {
    executor: HttpExecutor,
    client_id: String,
    tokens: Arc<CachedTokenSource<BogTokenFetcher>>,
    settings: Settings,
    capabilities: Capabilities,
    store: Option<Arc<dyn OrderStore>>,
    records: Arc<dyn PaymentRecords>,
}

impl BogClient {
    /// Starts building a client for the merchant's `client_id` and `secret_key`. The secret may
    /// hold any characters (`+`, `/`, `=`, non-ASCII); it is sent only in the token request's
    /// `Authorization: Basic` header.
    pub fn builder(
        client_id: impl Into<String>,
        secret_key: paykit_core::SecretString,
    ) -> BogClientBuilder {
        BogClientBuilder::new(client_id.into(), secret_key)
    }

    pub(crate) fn from_parts(
        executor: HttpExecutor,
        client_id: String,
        tokens: Arc<CachedTokenSource<BogTokenFetcher>>,
        settings: Settings,
        capabilities: Capabilities,
        store: Option<Arc<dyn OrderStore>>,
        records: Arc<dyn PaymentRecords>,
    ) -> Self {
        BogClient {
            inner: Arc::new(Inner {
                executor,
                client_id,
                tokens,
                settings,
                capabilities,
                store,
                records,
            }),
        }
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        self.inner.executor.base_url().as_str()
    }

    /// The merchant's `client_id`.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The token source the client's calls draw from (shared by clones).
    pub fn token_source(&self) -> Arc<dyn TokenSource> {
        self.inner.tokens.clone()
    }

    /// The store created orders are recorded in, if configured.
    pub fn order_store(&self) -> Option<Arc<dyn OrderStore>> {
        self.inner.store.clone()
    }

    /// The payment records the client writes (see [`BogClientBuilder::payment_records`]).
    pub fn payment_records(&self) -> Arc<dyn PaymentRecords> {
        self.inner.records.clone()
    }

    /// A callback verifier: callbacks are matched against the order store when one is
    /// configured, and against the payment records (which carry the `payment_hash` too)
    /// otherwise or when the store does not know the order. Always `Some` since the records
    /// carry the hash; an `Option` for compatibility with clients that needed a store.
    pub fn webhook(&self) -> Option<BogWebhook> {
        Some(BogWebhook::over(self.clone(), self.order_store()))
    }

    /// The bearer credential every API call carries.
    fn bearer(&self) -> Credential {
        Credential::Bearer(self.inner.tokens.clone())
    }

    /// A card-saving order for the common [`Recurring::save_card`].
    async fn create_card_saving_order(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        self.inner.capabilities.check_payment(PROVIDER, request)?;
        validate::card_saving_amount(&request.amount)?;
        let order =
            translate::order_from_request(request, &self.inner.settings, Intent::Authorize)?;
        let created = self.create_order_as(&order, Flow::SaveCard).await?;
        Ok(translate::outcome_for_order(&created, &order))
    }
}

impl fmt::Debug for BogClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BogClient")
            .field("base_url", &self.base_url())
            .field("client_id", &self.inner.client_id)
            .field("settings", &self.inner.settings)
            .field("tokens", &self.inner.tokens)
            .field("order_store", &self.inner.store.is_some())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl PaymentProvider for BogClient {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// Creates an order and answers [`paykit_core::NextAction::Redirect`] to its approve link.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        self.inner.capabilities.check_payment(PROVIDER, request)?;
        let order = translate::order_from_request(
            request,
            &self.inner.settings,
            self.inner.settings.intent,
        )?;
        let created = self.create_order(&order).await?;
        Ok(translate::outcome_for_order(&created, &order))
    }

    /// Payment details, merged with what paykit recorded: iPay's details carry no amount and
    /// no refunds, so the amount and the refund state (refunded, partially refunded, or
    /// `Pending` while a refund's answer is missing) come from the payment records.
    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        let details = self.payment_details(provider_payment_id).await?;
        let record = self.record_of(provider_payment_id).await?;
        Ok(translate::outcome_for_details(&details, record.as_ref()))
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
impl Capture for BogClient {
    /// Completes a pre-authorization: `FULL_COMPLETE` without an amount or with exactly the
    /// blocked amount (iPay refuses a "partial" completion of everything), otherwise
    /// `PARTIAL_COMPLETE` with `amount` (the rest is released).
    async fn capture(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        self.capture_payment(provider_payment_id, amount).await
    }
}

#[async_trait]
impl Void for BogClient {
    /// Releases a pre-authorization (`auth_type=CANCEL`). A pre-authorization iPay reports as
    /// already completed is refused ([`Error::Api`]): its money was taken, nothing was released.
    async fn void(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        self.settle_pre_auth(provider_payment_id, PreAuthCompletion::Cancel)
            .await
    }
}

#[async_trait]
impl Refund for BogClient {
    /// `POST /checkout/refund`, recorded in the payment records before it is sent. A refund of
    /// exactly the payment's amount goes out as a full refund (iPay refuses a "partial" refund
    /// of everything). On a blocked (`MANUAL`, not completed) payment the same call releases
    /// the block, reported as `Cancelled`. The outcome is `Refunded` or `PartiallyRefunded`
    /// with the amount returned so far, as far as paykit knows it.
    async fn refund(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        self.refund_payment(provider_payment_id, amount).await
    }
}

#[async_trait]
impl Recurring for BogClient {
    /// iPay keeps no separate card vault: a successful payment's `order_id` *is* the saved card.
    /// This creates an ordinary card-only (`AUTHORIZE`) order of at least 0.10; once it is paid,
    /// [`PaymentProvider::get_payment`] reports its `order_id` as the saved card. To save a card
    /// without charging the customer, refund that payment afterwards (as BOG documents).
    /// Only [`CardUsage::Recurring`] exists in iPay v1.
    async fn save_card(
        &self,
        request: &PaymentRequest,
        usage: CardUsage,
    ) -> Result<PaymentOutcome> {
        match usage {
            CardUsage::Recurring => self.create_card_saving_order(request).await,
            CardUsage::OneClick => Err(Error::unsupported(
                PROVIDER,
                "one-click payments with a saved card (iPay v1 has merchant-initiated charges only)",
            )),
        }
    }

    /// `POST /checkout/payment/subscription` with the original `order_id` as the card. The
    /// outcome is the **new** payment, usually `Pending`: poll it with `get_payment`.
    async fn charge_saved_card(&self, charge: &SavedCardCharge) -> Result<PaymentOutcome> {
        if charge.usage == CardUsage::OneClick {
            return Err(Error::unsupported(
                PROVIDER,
                "one-click payments with a saved card (iPay v1 has merchant-initiated charges only)",
            ));
        }
        validate::required("card_id", &charge.card_id)?;
        let payment = &charge.payment;
        self.inner
            .capabilities
            .check_amount("amount", &payment.amount)?;
        let native = SubscriptionCharge {
            order_id: charge.card_id.clone(),
            amount: payment.amount,
            shop_order_id: payment.order_id.clone(),
            purchase_description: payment.description.clone(),
        };
        let created = self.charge_subscription(&native).await?;
        Ok(translate::outcome_for_subscription(
            &created,
            payment.amount,
            payment.order_id.clone(),
        ))
    }

    /// iPay v1 has no call to delete a saved card.
    async fn delete_saved_card(&self, _card_id: &str) -> Result<()> {
        Err(Error::unsupported(
            PROVIDER,
            "deleting saved cards (iPay v1 has no such call)",
        ))
    }
}
