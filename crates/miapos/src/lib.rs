//! # paykit-miapos
//!
//! The miaPOS (Finergy Tech) e-commerce protocol: instant MDL payments over Moldova's MIA
//! scheme, by QR code or request to pay, with RSA-signed callbacks.
//!
//! - [`MiaPos`] is the client: the full native API ([`MiaPos::pay`],
//!   [`MiaPos::request_to_pay_direct`], [`MiaPos::payment`], [`MiaPos::public_key`],
//!   [`MiaPos::issue_token`], [`MiaPos::refresh_token`]) and paykit's common traits
//!   ([`PaymentProvider`], [`Webhook`]).
//! - Tokens are cached by core's `CachedTokenSource`: the access token (300 s) is renewed
//!   ahead of expiry with the refresh grant (5 days), falling back to the credentials.
//! - Every request is validated before any I/O (MDL only, amount above zero with at most two
//!   decimals, `clientPhone` for request-to-pay, ...).
//! - [`MiaPosWebhook`] verifies callbacks (RSASSA-PKCS1-v1_5 SHA-256 over the canonical string
//!   of `result`) with the key from `GET /public-key`, cached per base URL, and checks every
//!   field's documented shape. The signature binds values, not names, so fulfil only from
//!   [`MiaPos::verify_confirmed`], which confirms the callback with `GET /payment/{id}`.
//! - Every call declares what it does to money; core decides what a fault means. A QR `/pay`
//!   moves no money until the payer opens the checkout page only its answer names, so its
//!   faults are retryable; a request to pay reaches the payer's phone at once, so its faults
//!   are unknown outcomes (see the README's "Money truth").
//!
//! The protocol has no refunds, no two-step capture and no stored cards: [`Capabilities`] says
//! so and the optional traits are absent.
//!
//! ## A QR payment
//!
//! ```no_run
//! use paykit_core::{Currency, Money, NextAction, PaymentProvider, PaymentRequest, SecretString};
//! use paykit_miapos::MiaPos;
//!
//! # async fn run() -> paykit_core::Result<()> {
//! let client = MiaPos::sandbox("128", SecretString::from("merchant-secret"))
//!     .terminal_id("TE0001")
//!     .build()?;
//! let request = PaymentRequest::new(Money::parse("249.90", Currency::MDL)?)
//!     .order_id("WEB-2026-000451")
//!     .description("Order #451")
//!     .callback_url("https://shop.example.md/miapos/callback")
//!     .return_url("https://shop.example.md/return?order=451");
//! let outcome = client.create_payment(&request).await?;
//! // Persist outcome.provider_payment_id before redirecting: it is the only reliable key.
//! if let NextAction::Checkout { url: Some(url), .. } = &outcome.next_action {
//!     println!("send the payer to {url}");
//! }
//! # Ok(()) }
//! ```
//!
//! ## Reconciliation: callbacks come once
//!
//! miaPOS sends each callback **once**, with a 60 s timeout and no retries, and failure
//! statuses may not be called back at all. A payment is therefore settled by asking: poll
//! `GET /payment/{id}` with backoff until it reaches a final status (`SUCCESS`, `FAILED`,
//! `DECLINED`, `EXPIRED`) or a deadline passes, using core's [`paykit_core::poll_payment`]
//! (or [`paykit_core::poll_until_final`] around [`MiaPos::payment`]). QR codes expire after
//! about five minutes, so a deadline of ten to fifteen minutes covers every payment; run the
//! same poll from a periodic job over payments still `CREATED` or `PENDING`. (A request to pay
//! whose outcome is unknown has no payment id to poll yet: wait for a callback carrying its
//! order id, or for its expiry, before asking the payer again.)
//!
//! ```no_run
//! use std::time::Duration;
//! use paykit_core::{PollConfig, PollOutcome, poll_payment};
//! use paykit_miapos::MiaPos;
//!
//! # async fn run(client: &MiaPos, payment_id: &str) -> paykit_core::Result<()> {
//! // First query at once, then after 2 s, 4 s, 8 s, ... (at most 30 s apart), for 15 minutes.
//! let config = PollConfig::new(
//!     Duration::from_secs(2),
//!     Duration::from_secs(30),
//!     Duration::from_secs(15 * 60),
//! );
//! match poll_payment(client, payment_id, &config).await? {
//!     PollOutcome::Final(outcome) if outcome.status.is_paid() => { /* fulfil the order */ }
//!     PollOutcome::Final(outcome) => { /* failed, declined or expired: let the buyer retry */ }
//!     PollOutcome::TimedOut(last) => { /* still pending: try again from the periodic job */ }
//! }
//! # Ok(()) }
//! ```
//!
//! Timeouts and 5xx answers are ridden out; any other error ends polling.

// No panic on any bytes a provider or a callback sender can send (issue 11): these lints
// keep panicking shortcuts out of library code. `arithmetic_side_effects` is left out: it
// flags every `Instant + Duration` and `Decimal` sum, whose bounds validation sets; the
// property tests and fuzzers in crates/props look for the overflow it would guard.
#![deny(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable,
    clippy::unwrap_used
)]

mod auth;
mod confirm;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod native;
mod status;
mod types;
mod validate;
mod webhook;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::http::{Credential, ExecutorConfig, HttpExecutor};
use paykit_core::{
    CachedTokenSource, CallbackAuthenticity, Capabilities, Currency, Decimal, Error, NextAction,
    PaymentOutcome, PaymentProvider, PaymentRequest, PaymentStatus, ProviderId, RefundSupport,
    Result, SecretString, TokenCacheConfig, TokenSource, TokenStore, VerifiedEvent, Webhook,
    WebhookRequest, store::TokenKey,
};
use paykit_core::{ExposeSecret, MAX_CALLBACK_BYTES};

use crate::auth::MiaPosAuth;
use crate::webhook::{Backoff, RemoteKeys};

pub use paykit_core::webhook::RsaPublicKey;

pub use crate::status::MiaPosStatus;
pub use crate::types::{
    DirectRtpCreated, DirectRtpRequest, Language, PayRequest, PaymentCreated, PaymentInfo,
    PaymentType, PublicKey, TokenPair,
};
pub use crate::webhook::{
    DEFAULT_KEY_FETCH_BACKOFF, DEFAULT_KEY_FETCH_MAX_BACKOFF, DEFAULT_KEY_REFETCH_COOLDOWN,
    DEFAULT_KEY_TTL, MiaPosWebhook, PublicKeyCache, canonical_string,
};

/// This provider's id, `miapos`.
pub const PROVIDER: ProviderId = ProviderId("miapos");

/// The sandbox (`https://ecomm-test.miapos.md`). Production base URLs are given per bank at
/// onboarding, so none is shipped.
pub const SANDBOX_BASE_URL: &str = "https://ecomm-test.miapos.md";

/// Fields of the native request that a [`PaymentRequest`] fills under another name.
const TRAIT_FIELD_NAMES: &[(&str, &str)] = &[
    ("client_name", "customer.name"),
    ("client_phone", "customer.phone"),
    ("client_email", "customer.email"),
    ("success_url", "return_url"),
];

/// Request defaults configured on the client.
#[derive(Debug, Clone)]
struct Defaults {
    terminal_id: Option<String>,
    language: Option<crate::Language>,
    payment_type: crate::PaymentType,
    direct_redirect: Option<bool>,
    fast_redirect: Option<bool>,
}

struct Inner {
    executor: HttpExecutor,
    tokens: Arc<CachedTokenSource<MiaPosAuth>>,
    credential: Credential,
    merchant_id: String,
    defaults: Defaults,
    capabilities: Capabilities,
    webhook: MiaPosWebhook,
}

/// The miaPOS client. Cheap to clone; clones share tokens, connections and the key cache.
#[derive(Clone)]
pub struct MiaPos {
    inner: Arc<Inner>,
}

impl MiaPos {
    /// A builder for the environment at `base_url` (the sandbox is [`SANDBOX_BASE_URL`];
    /// production URLs come from the merchant's bank).
    pub fn builder(
        base_url: impl Into<String>,
        merchant_id: impl Into<String>,
        secret_key: SecretString,
    ) -> MiaPosBuilder {
        MiaPosBuilder {
            base_url: base_url.into(),
            merchant_id: merchant_id.into(),
            secret_key,
            defaults: Defaults {
                terminal_id: None,
                language: None,
                payment_type: crate::PaymentType::Qr,
                direct_redirect: None,
                fast_redirect: None,
            },
            executor: ExecutorConfig::default(),
            tokens: TokenCacheConfig::default(),
            http_client: None,
            public_key: None,
            key_cache: None,
            key_ttl: DEFAULT_KEY_TTL,
            key_refetch_cooldown: DEFAULT_KEY_REFETCH_COOLDOWN,
            key_fetch_backoff: Backoff {
                base: DEFAULT_KEY_FETCH_BACKOFF,
                max: DEFAULT_KEY_FETCH_MAX_BACKOFF,
            },
            callback_body_limit: MAX_CALLBACK_BYTES,
            token_store: None,
        }
    }

    /// A builder for the sandbox.
    pub fn sandbox(merchant_id: impl Into<String>, secret_key: SecretString) -> MiaPosBuilder {
        MiaPos::builder(SANDBOX_BASE_URL, merchant_id, secret_key)
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        self.inner.executor.base_url().as_str()
    }

    /// The callback verifier of this client (sharing its key cache).
    pub fn webhook(&self) -> MiaPosWebhook {
        self.inner.webhook.clone()
    }

    /// The token source the client's calls draw from.
    pub fn token_source(&self) -> Arc<dyn TokenSource> {
        self.inner.tokens.clone()
    }

    /// The native request a [`PaymentRequest`] becomes (`/pay`).
    fn pay_request_from(&self, request: &PaymentRequest) -> Result<PayRequest> {
        let order_id = request
            .order_id
            .clone()
            .ok_or_else(|| Error::invalid_input("order_id", "miaPOS requires an order id"))?;
        let description = request.description.clone().ok_or_else(|| {
            Error::invalid_input("description", "miaPOS requires a description for the payer")
        })?;
        let payment_type = self.inner.defaults.payment_type;
        let mut native = PayRequest::new(order_id, request.amount, description);
        native.payment_type = Some(payment_type);
        native.language = request
            .language
            .as_deref()
            .map(str::parse::<crate::Language>)
            .transpose()?;
        native.client_name = request.customer.name.clone();
        native.client_email = request.customer.email.clone();
        // The phone is for request-to-pay only; miaPOS calls it deprecated for QR.
        if payment_type == crate::PaymentType::Rtp {
            native.client_phone = request.customer.phone.clone();
        }
        native.callback_url = request.callback_url.clone();
        native.success_url = request.return_url.clone();
        native.fail_url = request
            .fail_url
            .clone()
            .or_else(|| request.return_url.clone());
        Ok(native)
    }
}

#[async_trait]
impl PaymentProvider for MiaPos {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// `POST /pay` with the client's terminal and payment type. `order_id` and `description`
    /// are required; `return_url` becomes `successUrl`, `fail_url` (or else `return_url`)
    /// `failUrl`; the customer's name and e-mail become `clientName` and `clientEmail`, and the
    /// phone `clientPhone` for request-to-pay only, normalised to its 8 national digits
    /// (`+37369123456`, `37369123456`, `069123456` and `69123456` all go out as `69123456`).
    /// Order lines and the customer's IP are not part of the protocol and are ignored. Invalid
    /// fields are named as in the [`PaymentRequest`] (`customer.phone`, `return_url`, ...).
    ///
    /// The outcome is `RequiresAction` with [`NextAction::Checkout`] (the checkout page; miaPOS
    /// gives no raw QR payload). What a fault means depends on the payment type (see
    /// [`MiaPos::pay`]): for QR nothing can be paid without the answer, so it is retryable; for
    /// request-to-pay the payer already has the request, so it is an unknown outcome carrying
    /// the order id: never send it again blindly.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        self.inner.capabilities.check_payment(PROVIDER, request)?;
        let native = self.pay_request_from(request)?;
        let created = self
            .pay(&native)
            .await
            .map_err(|e| validate::rename_field(e, TRAIT_FIELD_NAMES))?;
        Ok(
            PaymentOutcome::new(created.payment_id, PaymentStatus::RequiresAction)
                .with_next_action(NextAction::Checkout {
                    url: Some(created.checkout_page),
                    qr_payload: None,
                })
                .with_amount(Some(request.amount))
                .with_order_id(Some(created.order_id)),
        )
    }

    /// `GET /payment/{id}`, mapped by [`MiaPosStatus::to_payment_status`].
    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        self.payment(provider_payment_id)
            .await
            .map(|info| info.to_outcome())
    }
}

#[async_trait]
impl Webhook for MiaPos {
    /// Verifies with the key of this client's base URL (fetched once, cached, refetched once
    /// on a mismatch), or the key supplied to the builder, and checks every field's shape.
    /// The event is [`paykit_core::Authenticity::Signed`]: fulfil only from
    /// [`MiaPos::verify_confirmed`] (or [`MiaPos::confirm`]).
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        self.inner.webhook.verify_event(request).await
    }
}

impl fmt::Debug for MiaPos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiaPos")
            .field("base_url", &self.base_url())
            .field("merchant_id", &self.inner.merchant_id)
            .field("defaults", &self.inner.defaults)
            .field("webhook", &self.inner.webhook)
            .finish_non_exhaustive()
    }
}

/// Configures a [`MiaPos`] client.
///
/// ```
/// use std::time::Duration;
/// use paykit_core::SecretString;
/// use paykit_miapos::{Language, MiaPos, PaymentType};
///
/// let client = MiaPos::builder("https://ecomm-test.miapos.md", "128", SecretString::from("secret"))
///     .terminal_id("TE0001")
///     .language(Language::Ro)
///     .payment_type(PaymentType::Qr)
///     .direct_redirect(true)
///     .public_key_ttl(Duration::from_secs(3600))
///     .build()?;
/// assert_eq!(client.base_url(), "https://ecomm-test.miapos.md/");
/// # Ok::<(), paykit_core::Error>(())
/// ```
pub struct MiaPosBuilder {
    base_url: String,
    merchant_id: String,
    secret_key: SecretString,
    defaults: Defaults,
    executor: ExecutorConfig,
    tokens: TokenCacheConfig,
    http_client: Option<reqwest::Client>,
    public_key: Option<RsaPublicKey>,
    key_cache: Option<Arc<PublicKeyCache>>,
    key_ttl: Duration,
    key_refetch_cooldown: Duration,
    key_fetch_backoff: Backoff,
    callback_body_limit: usize,
    token_store: Option<Arc<dyn TokenStore>>,
}

impl MiaPosBuilder {
    /// The terminal used when a request names none (`terminalId`): an *ecomm* terminal for
    /// QR, an *RTP* terminal for request-to-pay.
    pub fn terminal_id(mut self, terminal_id: impl Into<String>) -> Self {
        self.defaults.terminal_id = Some(terminal_id.into());
        self
    }

    /// The checkout language used when a request names none.
    pub fn language(mut self, language: crate::Language) -> Self {
        self.defaults.language = Some(language);
        self
    }

    /// The payment type used when a request names none, and by
    /// [`PaymentProvider::create_payment`] (default QR). Request-to-pay needs the customer's
    /// phone.
    pub fn payment_type(mut self, payment_type: crate::PaymentType) -> Self {
        self.defaults.payment_type = payment_type;
        self
    }

    /// Sends `directRedirect` on QR payments unless a request says otherwise (recommended:
    /// on phones the checkout page opens the banking app directly).
    pub fn direct_redirect(mut self, on: bool) -> Self {
        self.defaults.direct_redirect = Some(on);
        self
    }

    /// Sends `fastRedirect` unless a request says otherwise.
    pub fn fast_redirect(mut self, on: bool) -> Self {
        self.defaults.fast_redirect = Some(on);
        self
    }

    /// Timeouts, size cap and retry policy of the HTTP executor.
    pub fn executor_config(mut self, config: ExecutorConfig) -> Self {
        self.executor = config;
        self
    }

    /// Shares the access token with every process using `store` (DESIGN.md §9): one token per
    /// merchant id for the whole fleet, refreshed by one process at a time. Default: this
    /// client alone.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Token cache tuning (default: renew 30 s before expiry).
    pub fn token_cache(mut self, config: TokenCacheConfig) -> Self {
        self.tokens = config;
        self
    }

    /// Uses the caller's `reqwest::Client` (proxies, custom roots, a shared pool).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Verifies callbacks with this key only; the key endpoint is never called.
    pub fn public_key(mut self, key: RsaPublicKey) -> Self {
        self.public_key = Some(key);
        self
    }

    /// Shares a key cache between clients (keys are kept per base URL).
    pub fn public_key_cache(mut self, cache: Arc<PublicKeyCache>) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// How long a fetched key is trusted before it is fetched again (default 24 h).
    pub fn public_key_ttl(mut self, ttl: Duration) -> Self {
        self.key_ttl = ttl;
        self
    }

    /// The least time between two key fetches caused by failed verifications (default 60 s),
    /// counted from the last such fetch *attempt*, whether it succeeded or failed.
    pub fn public_key_refetch_cooldown(mut self, cooldown: Duration) -> Self {
        self.key_refetch_cooldown = cooldown;
        self
    }

    /// After a failed key fetch, no new fetch for `base` (doubled per consecutive failure,
    /// jittered, at most `max`; defaults [`DEFAULT_KEY_FETCH_BACKOFF`] and
    /// [`DEFAULT_KEY_FETCH_MAX_BACKOFF`]). Meanwhile callbacks are verified with the expired
    /// key if there is one, else refused with the fetch's error.
    pub fn public_key_fetch_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.key_fetch_backoff = Backoff {
            base,
            max: max.max(base),
        };
        self
    }

    /// Refuses callback bodies longer than `limit` bytes before reading them, on every
    /// verification path (default [`MAX_CALLBACK_BYTES`]).
    pub fn callback_body_limit(mut self, limit: usize) -> Self {
        self.callback_body_limit = limit;
        self
    }

    /// The client. Fails with [`Error::InvalidInput`] on an unusable base URL, an empty
    /// merchant id or secret key, or a blank terminal id.
    pub fn build(self) -> Result<MiaPos> {
        if self.merchant_id.trim().is_empty() {
            return Err(Error::invalid_input("merchant_id", "must not be empty"));
        }
        if self.secret_key.expose_secret().is_empty() {
            return Err(Error::invalid_input("secret_key", "must not be empty"));
        }
        if self
            .defaults
            .terminal_id
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(Error::invalid_input("terminal_id", "must not be blank"));
        }
        let executor = match self.http_client {
            Some(client) => {
                HttpExecutor::with_client(PROVIDER, &self.base_url, client, self.executor)?
            }
            None => HttpExecutor::new(PROVIDER, &self.base_url, self.executor)?,
        };
        let auth = MiaPosAuth::new(executor.clone(), self.merchant_id.clone(), self.secret_key);
        let mut cache = CachedTokenSource::new(auth, self.tokens);
        if let Some(store) = self.token_store {
            cache = cache.with_store(store, TokenKey::new(PROVIDER, self.merchant_id.clone()));
        }
        let tokens = Arc::new(cache);
        let credential = Credential::Bearer(tokens.clone());
        let webhook = match self.public_key {
            Some(key) => MiaPosWebhook::with_public_key(key),
            None => {
                let cache = self.key_cache.unwrap_or_default();
                MiaPosWebhook::remote(Arc::new(RemoteKeys {
                    slot: cache.slot(executor.base_url().as_str()),
                    executor: executor.clone(),
                    credential: credential.clone(),
                    ttl: self.key_ttl,
                    refetch_cooldown: self.key_refetch_cooldown,
                    backoff: self.key_fetch_backoff,
                }))
            }
        }
        .with_body_limit(self.callback_body_limit);
        let capabilities = Capabilities::new([Currency::MDL])
            .amount_range(Some(Decimal::new(1, 2)), None)
            .refunds(RefundSupport::None)
            .callbacks(CallbackAuthenticity::Signed);
        Ok(MiaPos {
            inner: Arc::new(Inner {
                executor,
                tokens,
                credential,
                merchant_id: self.merchant_id,
                defaults: self.defaults,
                capabilities,
                webhook,
            }),
        })
    }
}

impl fmt::Debug for MiaPosBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiaPosBuilder")
            .field("base_url", &self.base_url)
            .field("merchant_id", &self.merchant_id)
            .field("secret_key", &"[REDACTED]")
            .field("defaults", &self.defaults)
            .field("public_key", &self.public_key)
            .field("key_ttl", &self.key_ttl)
            .field("callback_body_limit", &self.callback_body_limit)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
