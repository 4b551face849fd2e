//! # paykit-maya-checkout
//!
//! Maya's payment gateway for paykit (Philippines, PHP): the hosted **Checkout**, card vaulting
//! with **Maya Vault** (payment tokens, customers, cards, 3-D Secure), **Pay with Maya** (single
//! wallet payment and wallet link with merchant-initiated charges), payment retrieval and the
//! payment operations (capture, void, refund, cancel), the webhook registry, and **v1-signed
//! webhooks**.
//!
//! Authentication is HTTP Basic with an API key and an empty password
//! (`base64("<key>:")`): the public `pk-…` key for the endpoints Maya lists as public, the
//! secret `sk-…` key for the rest. A key of the wrong kind is refused by the builder, and an
//! endpoint whose key is not configured is refused before any I/O, never as Maya's `K004`.
//!
//! Maya documents **no idempotency**: no call that may move money (Vault payments, saved-card
//! and wallet-link charges, capture, void, refund) is ever sent twice by this crate. When one
//! ends with an unknown outcome, look the payment up by its reference
//! ([`MayaCheckoutClient::payments_by_reference`]) before trying again, as Maya advises.
//! Errors are classified by Maya's code ([`ErrorKind`]), not by HTTP status: server faults
//! arrive as HTTP 400 and `PY0047` (not refundable yet) as HTTP 401.
//!
//! Void or refund is chosen by the Asia/Manila calendar ([`calendar`]): void on the payment's
//! day (whole amount only), refund from the next day for 180 days; [`ReversalChoice`] lets a
//! merchant choose explicitly.
//!
//! ```no_run
//! use paykit_core::{Currency, Money, PaymentProvider, PaymentRequest, SecretString};
//! use paykit_maya_checkout::{Environment, KeyPair, MayaCheckoutClient};
//!
//! # async fn demo() -> paykit_core::Result<()> {
//! let keys = KeyPair::new(
//!     SecretString::from("pk-your-public-key"),
//!     SecretString::from("sk-your-secret-key"),
//! )?;
//! let client = MayaCheckoutClient::builder(Environment::Sandbox, keys).build()?;
//! let request = PaymentRequest::new(Money::parse("249.50", Currency::PHP)?)
//!     .order_id("order-10042-a1")
//!     .return_url("https://shop.example.ph/return/10042");
//! let outcome = client.create_payment(&request).await?;
//! println!("send the customer to {:?}", outcome.next_action);
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

mod auth;
pub mod calendar;
mod call;
mod checkout;
mod config;
mod error;
mod flatten;
#[doc(hidden)]
pub mod fuzzing;
mod operations;
mod outcome;
mod provider;
mod records;
mod registry;
mod scan;
mod signature;
mod status;
mod validate;
mod vault;
mod wallet;
mod webhook;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use paykit_core::http::{ExecutorConfig, HttpExecutor};
use paykit_core::{Capabilities, Error, PaymentRecords, ProviderId, Result};

pub use auth::{ApiKey, KeyKind, KeyPair, Product};
pub use calendar::{ManilaDay, Reversal, ReversalChoice, Window};
pub use checkout::{Checkout, CheckoutCreated, CheckoutItem, CheckoutTotal, CreateCheckout};
pub use config::{
    Environment, PRODUCTION_API_URL, PRODUCTION_WEBHOOK_KEY_1, PRODUCTION_WEBHOOK_KEY_2,
    SANDBOX_API_URL, SANDBOX_WEBHOOK_KEY_1, SANDBOX_WEBHOOK_KEY_2,
};
pub use error::{ErrorBody, ErrorKind, FieldError, error_kind};
pub use flatten::{NumberRendering, flatten};
pub use operations::{
    CancelAnswer, CaptureRequest, PaymentStatusAnswer, ReceiptAmount, RefundAnswer, RefundReceipt,
    RefundRecord, Reversed, VoidRecord,
};
pub use outcome::payment_outcome;
pub use provider::{CARD_PREFIX, WALLET_PREFIX};
pub use registry::{WebhookEvent, WebhookRegistration};
pub use signature::{
    SIGNATURE_HEADER, SignatureHeader, TIMESTAMP_HEADER, VerifyError, WebhookKeys,
};
pub use status::{CardState, CheckoutStatus, MayaStatus, RecordStatus, StatusContext};
pub use validate::{MAX_REASON_CHARS, MAX_REFERENCE_CHARS};
pub use vault::{
    CardDetails, CardPayment, LinkCard, PaymentToken, SavedCardPayment, VaultCustomer, VaultedCard,
};
pub use wallet::{
    WalletCharge, WalletLink, WalletLinkCard, WalletLinkCreated, WalletLinkRequest, WalletPayment,
    WalletPaymentCreated,
};
pub use webhook::{
    DEFAULT_TOLERANCE, Delivery, DeliveryBody, MayaCheckoutWebhook, Routing, WebhookConfig,
};
pub use wire::{
    Address, AmountCurrency, AmountDetails, AuthorizationType, Contact, ItemAmount, Metadata,
    Payment, Person, RedirectUrls, ValueAmount,
};

use auth::KeyRing;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// This adapter's provider id.
pub const PROVIDER: ProviderId = ProviderId("maya-checkout");

/// The default reason sent with voids and refunds started through the common traits (Maya
/// requires one, 1–512 characters).
pub const DEFAULT_REASON: &str = "Reversed by the merchant";

/// Where "now" comes from: the Manila calendar and the webhook timestamp window read it.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The Maya payment-gateway client. Cheap to clone.
#[derive(Clone)]
pub struct MayaCheckoutClient {
    inner: Arc<Inner>,
}

struct Inner {
    api: HttpExecutor,
    environment: Environment,
    keys: KeyRing,
    clock: Clock,
    reversal: ReversalChoice,
    reason: String,
    records: Option<Arc<dyn PaymentRecords>>,
    capabilities: Capabilities,
}

impl fmt::Debug for MayaCheckoutClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MayaCheckoutClient")
            .field("api_base_url", &self.inner.api.base_url().as_str())
            .field("environment", &self.inner.environment)
            .field("keys", &self.inner.keys)
            .field("reversal", &self.inner.reversal)
            .finish_non_exhaustive()
    }
}

impl MayaCheckoutClient {
    /// A builder for `environment` with the default key pair.
    pub fn builder(environment: Environment, keys: KeyPair) -> MayaCheckoutClientBuilder {
        MayaCheckoutClientBuilder::new(environment, keys)
    }

    /// The environment the keys belong to.
    pub fn environment(&self) -> Environment {
        self.inner.environment
    }

    /// What this adapter supports.
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// Now, by the configured clock.
    pub fn now(&self) -> SystemTime {
        (self.inner.clock)()
    }

    /// True when `product`'s endpoints have a `kind` key (the product's own pair, or the
    /// default one); without it those calls are refused before any I/O. A webhook route asks
    /// whether it can confirm (payment retrieval needs the secret key) before it is mounted.
    pub fn has_key(&self, product: Product, kind: KeyKind) -> bool {
        self.inner.keys.key(product, kind).is_ok()
    }
}

/// Builds a [`MayaCheckoutClient`].
pub struct MayaCheckoutClientBuilder {
    environment: Environment,
    keys: KeyRing,
    api_base_url: Option<String>,
    executor: ExecutorConfig,
    http_client: Option<reqwest::Client>,
    clock: Clock,
    reversal: ReversalChoice,
    reason: String,
    records: Option<Arc<dyn PaymentRecords>>,
}

impl fmt::Debug for MayaCheckoutClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MayaCheckoutClientBuilder")
            .field("environment", &self.environment)
            .field("keys", &self.keys)
            .field("api_base_url", &self.api_base_url)
            .field("executor", &self.executor)
            .field("reversal", &self.reversal)
            .finish_non_exhaustive()
    }
}

impl MayaCheckoutClientBuilder {
    /// A builder for `environment` with the default key pair.
    pub fn new(environment: Environment, keys: KeyPair) -> Self {
        MayaCheckoutClientBuilder {
            environment,
            keys: KeyRing::new(keys),
            api_base_url: None,
            executor: ExecutorConfig::default(),
            http_client: None,
            clock: Arc::new(SystemTime::now),
            reversal: ReversalChoice::default(),
            reason: DEFAULT_REASON.to_owned(),
            records: None,
        }
    }

    /// A key pair for one product's endpoints (Maya's SDKs keep one per product); the default
    /// pair serves whatever this pair lacks.
    pub fn product_keys(mut self, product: Product, keys: KeyPair) -> Self {
        self.keys.set(product, keys);
        self
    }

    /// Another API base URL (the simulator, a proxy). Default: the environment's host.
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = Some(url.into());
        self
    }

    /// Timeouts, size cap and retry policy.
    pub fn executor_config(mut self, config: ExecutorConfig) -> Self {
        self.executor = config;
        self
    }

    /// Sends through the caller's own `reqwest::Client`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The clock (tests, simulators). Default: the system clock.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// How the common [`paykit_core::Refund`] reverses a payment (default: by the Manila
    /// calendar).
    pub fn reversal(mut self, choice: ReversalChoice) -> Self {
        self.reversal = choice;
        self
    }

    /// The reason sent with trait-initiated voids and refunds (default [`DEFAULT_REASON`]).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }

    /// Writes what the common traits create, refund and void to `records` (DESIGN.md §9), so
    /// a [`paykit_core::reconcile::Reconciler`] can sweep what an unknown outcome left open.
    /// Default: nothing is recorded (Maya answers every question itself: P1, P3, P9).
    pub fn records(mut self, records: Arc<dyn PaymentRecords>) -> Self {
        self.records = Some(records);
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent.
    pub fn build(self) -> Result<MayaCheckoutClient> {
        if self.keys.is_empty() {
            return Err(Error::invalid_input(
                "keys",
                "at least one of the public and secret keys is required",
            ));
        }
        validate::reason(&self.reason)?;
        let base = self
            .api_base_url
            .unwrap_or_else(|| self.environment.api_url().to_owned());
        let api = match self.http_client {
            Some(client) => HttpExecutor::with_client(PROVIDER, &base, client, self.executor),
            None => HttpExecutor::new(PROVIDER, &base, self.executor),
        }
        .map_err(|error| match error {
            Error::InvalidInput { field, reason } if field == "base_url" => {
                Error::invalid_input("api_base_url", reason)
            }
            other => other,
        })?;
        Ok(MayaCheckoutClient {
            inner: Arc::new(Inner {
                api,
                environment: self.environment,
                keys: self.keys,
                clock: self.clock,
                reversal: self.reversal,
                reason: self.reason,
                records: self.records,
                capabilities: provider::capabilities(),
            }),
        })
    }
}
