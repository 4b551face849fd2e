//! # paykit-maya
//!
//! Maya (PayMaya, Philippines) Mini App payments for paykit: the two-token model, create and
//! execute.
//!
//! Every call to the Mini App host carries two tokens:
//!
//! - the **client credentials token** (`Authorization: Bearer`), obtained from Maya Connect
//!   with OAuth 2.0 `client_credentials` and cached process-wide by [`MayaClient`];
//! - the **customer access token** (`X-Authorization`), pushed by Maya to the merchant's
//!   Session URL when the customer opens the Mini App ([`SessionPush`] / [`SessionReply`]),
//!   held with its refresh token by a [`CustomerSession`] that renews the pair through
//!   `POST /tokens`.
//!
//! On a fleet, both are shared: the client token through a [`paykit_core::TokenStore`]
//! ([`MayaClientBuilder::token_store`]), and each customer's pair through a
//! [`paykit_core::SessionStore`] ([`MayaClient::store_session`],
//! [`MayaClient::shared_session`]), so one instance refreshes for all of them and Maya's
//! rotating refresh token is spent once.
//!
//! A payment is created (`POST /merchant/payments`, no money moves) and executed at once
//! (`POST /merchant/payments/{id}/execute`, synchronous and final). The native API keeps both
//! steps ([`MayaClient::create_payment`], [`MayaClient::execute_payment`]); the common
//! [`PaymentProvider`] of a session ([`MayaClient::payments`]) does both in one
//! `create_payment`, because a created payment expires within seconds.
//!
//! What a failure means follows what the call does to money (DESIGN.md §8, decided in
//! paykit-core): create moves none, so its failures are refusals or retryable errors that keep
//! Maya's code; execute moves money, so an answer that never arrived or cannot be believed is
//! [`Error::OutcomeUnknown`] of `maya-execute-payment`, carrying the payment id. The README's
//! "Money truth" table lists every case.
//!
//! There is no status query, no refund and no callback in this product: `get_payment` answers
//! [`Error::Unsupported`], and so does [`MayaWebhook`].
//!
//! ```no_run
//! use paykit_core::{Currency, Money, PaymentProvider, PaymentRequest, SecretString};
//! use paykit_maya::{MayaClient, SessionTokens};
//!
//! # async fn demo(stored: SessionTokens) -> paykit_core::Result<()> {
//! let client = MayaClient::builder("client-id", SecretString::from("client-secret"))
//!     .token_url("https://connect.example.ph/oauth/token") // from the onboarding kit
//!     .p2m_id("P2M-000123456")
//!     .build()?;
//! let session = client.session(stored)?;
//! let payments = client.payments(session.clone());
//! let outcome = payments
//!     .create_payment(&PaymentRequest::new(Money::parse("249.50", Currency::PHP)?))
//!     .await?;
//! println!("{}: {}", outcome.provider_payment_id, outcome.status);
//! // Maya rotates refresh tokens: persist session.tokens() when session.revision() changed.
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

mod api;
mod auth;
mod blame;
mod call;
mod config;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod payment;
mod reference;
mod session;
mod session_store;
mod shared_session;
mod status;
mod validate;
mod webhook;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::http::{BasicAuth, ExecutorConfig, HttpExecutor};
use paykit_core::store::TokenKey;
use paykit_core::{
    CachedTokenSource, CallbackAuthenticity, Capabilities, CaptureMode, Error, PaymentOutcome,
    PaymentProvider, PaymentRef, PaymentRequest, ProviderId, RefundSupport, Result, SecretString,
    TokenCacheConfig, TokenStore, UnknownCause,
};

pub use config::{
    DEFAULT_SESSION_LEASE, ExecuteRetry, SANDBOX_API_URL, TokenBodyEncoding,
    default_client_token_cache, default_session_token_cache,
};
pub use error::{ALREADY_PROCESSED, ErrorBody, ErrorShape, FieldError, is_already_processed};
pub use payment::{
    CreatePayment, CreatedPayment, EncryptedProfile, ExecuteOutcome, ExecutePayment,
    ExecutedPayment,
};
pub use reference::RequestReference;
pub use session::{CustomerSession, SessionPush, SessionReply, SessionTokens, X_AUTHORIZATION};
pub use status::MiniAppPaymentStatus;
pub use webhook::MayaWebhook;

use auth::ClientCredentials;
use config::TokenEndpoint;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Maya's provider id.
pub const PROVIDER: ProviderId = ProviderId("maya");

/// The Maya Mini App client: configuration, the HTTP executor and the process-wide client
/// credentials token. Cheap to clone; clones share the token cache.
#[derive(Clone)]
pub struct MayaClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    api: HttpExecutor,
    client_token: Arc<CachedTokenSource<ClientCredentials>>,
    p2m_id: Option<String>,
    session_cache: TokenCacheConfig,
    session_lease: Duration,
    execute_retry: ExecuteRetry,
    capabilities: Capabilities,
}

impl fmt::Debug for MayaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MayaClient")
            .field("api_base_url", &self.inner.api.base_url().as_str())
            .field("client_token", &self.inner.client_token)
            .field("p2m_id", &self.inner.p2m_id)
            .field("execute_retry", &self.inner.execute_retry)
            .finish_non_exhaustive()
    }
}

impl MayaClient {
    /// A builder with the Maya Connect client id and secret from onboarding.
    pub fn builder(client_id: impl Into<String>, client_secret: SecretString) -> MayaClientBuilder {
        MayaClientBuilder::new(client_id, client_secret)
    }

    /// What Mini App payments support.
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// The common [`PaymentProvider`] for one customer session.
    pub fn payments(&self, session: CustomerSession) -> SessionPayments {
        SessionPayments {
            client: self.clone(),
            session,
        }
    }

    /// The [`Webhook`](paykit_core::Webhook) of this product (always
    /// [`Error::Unsupported`]).
    pub fn webhook(&self) -> MayaWebhook {
        MayaWebhook
    }
}

/// Builds a [`MayaClient`].
///
/// Hosts: the Mini App API defaults to [`SANDBOX_API_URL`]; the production host is handed over
/// by Maya after sandbox testing. The Maya Connect token URL is not published for either
/// environment and must be set.
pub struct MayaClientBuilder {
    client_id: String,
    client_secret: SecretString,
    api_base_url: String,
    token_url: Option<String>,
    p2m_id: Option<String>,
    token_body: TokenBodyEncoding,
    scope: Option<String>,
    executor: ExecutorConfig,
    http_client: Option<reqwest::Client>,
    client_token_cache: TokenCacheConfig,
    session_token_cache: TokenCacheConfig,
    session_lease: Duration,
    token_store: Option<Arc<dyn TokenStore>>,
    execute_retry: ExecuteRetry,
}

impl fmt::Debug for MayaClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MayaClientBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("api_base_url", &self.api_base_url)
            .field("token_url", &self.token_url)
            .field("p2m_id", &self.p2m_id)
            .field("token_body", &self.token_body)
            .field("scope", &self.scope)
            .field("executor", &self.executor)
            .field("session_lease", &self.session_lease)
            .field("token_store", &self.token_store)
            .field("execute_retry", &self.execute_retry)
            .finish_non_exhaustive()
    }
}

impl MayaClientBuilder {
    /// A builder with the Maya Connect client id and secret.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        MayaClientBuilder {
            client_id: client_id.into(),
            client_secret,
            api_base_url: SANDBOX_API_URL.to_owned(),
            token_url: None,
            p2m_id: None,
            token_body: TokenBodyEncoding::default(),
            scope: None,
            executor: ExecutorConfig::default(),
            http_client: None,
            client_token_cache: default_client_token_cache(),
            session_token_cache: default_session_token_cache(),
            session_lease: DEFAULT_SESSION_LEASE,
            token_store: None,
            execute_retry: ExecuteRetry::default(),
        }
    }

    /// The Mini App API base URL (default [`SANDBOX_API_URL`]).
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = url.into();
        self
    }

    /// The full Maya Connect token URL, e.g. `https://<connect host>/oauth/token`. Required.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The `p2mId` Maya issued at onboarding (required to create payments).
    pub fn p2m_id(mut self, p2m_id: impl Into<String>) -> Self {
        self.p2m_id = Some(p2m_id.into());
        self
    }

    /// How the token request body is encoded (default form).
    pub fn token_body(mut self, encoding: TokenBodyEncoding) -> Self {
        self.token_body = encoding;
        self
    }

    /// A `scope` for the token request (none by default; Maya's scope strings are not
    /// published).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Timeouts, size cap and retry policy of both executors.
    pub fn executor_config(mut self, config: ExecutorConfig) -> Self {
        self.executor = config;
        self
    }

    /// Sends through the caller's own `reqwest::Client` (proxies, custom roots, pools).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Cache tuning of the client credentials token (default
    /// [`default_client_token_cache`]).
    pub fn client_token_cache(mut self, config: TokenCacheConfig) -> Self {
        self.client_token_cache = config;
        self
    }

    /// Cache tuning of customer sessions (default [`default_session_token_cache`]).
    pub fn session_token_cache(mut self, config: TokenCacheConfig) -> Self {
        self.session_token_cache = config;
        self
    }

    /// How long an instance may hold a shared customer session's refresh lease before another
    /// takes over (default [`DEFAULT_SESSION_LEASE`], 60 ms to 10 minutes). The lease is
    /// renewed while Maya answers, so it only bounds how long an instance that crashed
    /// mid-refresh delays that customer's refresh; keep it well above a normal
    /// `POST /tokens` and above the clock skew between machines. Only sessions kept in a
    /// [`paykit_core::SessionStore`] ([`MayaClient::shared_session`]) take a lease.
    pub fn session_lease(mut self, lease: Duration) -> Self {
        self.session_lease = lease;
        self
    }

    /// Shares the client credentials token with every process using `store` (DESIGN.md §9):
    /// one token per client id for the whole fleet, fetched by one process at a time.
    /// Default: this client alone.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Retry of execute on Maya's fault codes (default [`ExecuteRetry::default`]).
    pub fn execute_retry(mut self, retry: ExecuteRetry) -> Self {
        self.execute_retry = retry;
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent.
    pub fn build(self) -> Result<MayaClient> {
        validate::client_id(&self.client_id)?;
        if paykit_core::ExposeSecret::expose_secret(&self.client_secret).is_empty() {
            return Err(Error::invalid_input("client_secret", "must not be empty"));
        }
        let Some(token_url) = &self.token_url else {
            return Err(Error::invalid_input(
                "token_url",
                "is required: Maya does not publish the Maya Connect token URL; take it from \
                 the onboarding kit",
            ));
        };
        let token = TokenEndpoint::parse(token_url)?;
        if let Some(p2m_id) = &self.p2m_id {
            validate::non_blank("p2m_id", p2m_id)?;
        }
        if let Some(scope) = &self.scope {
            validate::non_blank("scope", scope)?;
        }
        if !(config::MIN_SESSION_LEASE..=config::MAX_SESSION_LEASE).contains(&self.session_lease) {
            return Err(Error::invalid_input(
                "session_lease",
                format!(
                    "must be {} ms to {} s",
                    config::MIN_SESSION_LEASE.as_millis(),
                    config::MAX_SESSION_LEASE.as_secs()
                ),
            ));
        }
        let executor = |base: &str| match &self.http_client {
            Some(client) => {
                HttpExecutor::with_client(PROVIDER, base, client.clone(), self.executor.clone())
            }
            None => HttpExecutor::new(PROVIDER, base, self.executor.clone()),
        };
        let api = executor(&self.api_base_url).map_err(rename_base_url)?;
        let token_executor = executor(&token.base)?;
        // The client id names the account in a shared token store; the secret never does.
        let account = TokenKey::new(PROVIDER, self.client_id.clone());
        let fetcher = ClientCredentials::new(
            token_executor,
            token.path,
            BasicAuth::new(self.client_id, self.client_secret),
            self.token_body,
            self.scope,
        );
        let mut client_token = CachedTokenSource::new(fetcher, self.client_token_cache);
        if let Some(store) = self.token_store {
            client_token = client_token.with_store(store, account);
        }
        Ok(MayaClient {
            inner: Arc::new(ClientInner {
                api,
                client_token: Arc::new(client_token),
                p2m_id: self.p2m_id,
                session_cache: self.session_token_cache,
                session_lease: self.session_lease,
                execute_retry: self.execute_retry,
                capabilities: capabilities(),
            }),
        })
    }
}

/// Core names the executor's URL `base_url`; here it is the API base URL.
fn rename_base_url(error: Error) -> Error {
    match error {
        Error::InvalidInput { field, reason } if field == "base_url" => {
            Error::invalid_input("api_base_url", reason)
        }
        other => other,
    }
}

/// PHP only, 0.01 to 9,999,999,999.99, automatic capture only, no refunds, no void, no saved
/// cards, no callbacks.
fn capabilities() -> Capabilities {
    Capabilities::new([validate::CURRENCY])
        .amount_range(Some(validate::min_amount()), Some(validate::max_amount()))
        .refunds(RefundSupport::None)
        .void(false)
        .callbacks(CallbackAuthenticity::None)
}

/// The common [`PaymentProvider`] for one customer session (see [`MayaClient::payments`]).
#[derive(Debug, Clone)]
pub struct SessionPayments {
    client: MayaClient,
    session: CustomerSession,
}

impl SessionPayments {
    /// The session payments are made for.
    pub fn session(&self) -> &CustomerSession {
        &self.session
    }

    /// The client.
    pub fn client(&self) -> &MayaClient {
        &self.client
    }
}

#[async_trait]
impl PaymentProvider for SessionPayments {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        self.client.capabilities()
    }

    /// Creates the payment and executes it at once (a created payment expires within
    /// seconds). The outcome is Maya's final answer: captured, failed (declined), or for a word
    /// that is not final (see [`MiniAppPaymentStatus`]) that status, to reconcile in Maya
    /// Manager.
    ///
    /// Only the amount is sent: Maya's create body has no order id, description, URLs or
    /// items. `order_id` is handed back in the outcome for correlation.
    ///
    /// Failures say which step failed:
    ///
    /// - **create** moves no money: its failures are refusals or retryable errors with Maya's
    ///   code, never an unknown outcome. Nothing was charged; calling again is safe.
    /// - **execute** moves money: an answer that never arrived or cannot be believed is
    ///   [`Error::OutcomeUnknown`] of `maya-execute-payment` whose
    ///   [`payment_ref`](Error::payment_ref) carries the payment id and `order_id`. So is
    ///   `PY0010` (recognised by [`is_already_processed`]): the execute was repeated after a
    ///   lost answer and the first attempt went through, approved or declined. Reconcile in
    ///   Maya Manager; do not charge again. A refusal of execute names the payment in its
    ///   message; that payment is never executed and expires.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        if request.capture != CaptureMode::Automatic {
            return Err(Error::unsupported(PROVIDER, "manual capture"));
        }
        self.capabilities().check_payment(PROVIDER, request)?;
        validate::amount("amount", &request.amount)?;
        let created = self
            .client
            .create_payment(&self.session, &CreatePayment::new(request.amount))
            .await?;
        let ids = PaymentRef::new()
            .provider_payment_id(created.id.clone())
            .maybe_merchant_reference(request.order_id.as_deref());
        let execute = ExecutePayment::new(created.id.clone()).amount(created.amount);
        let executed = self
            .client
            .execute_payment(&self.session, &execute)
            .await
            .map_err(|error| execute_failed(error, &ids))?;
        if let ExecuteOutcome::AlreadyProcessed { message, .. } = &executed {
            return Err(already_processed(message, &ids));
        }
        // Every other outcome is decided (executed or declined).
        let outcome = executed
            .to_payment_outcome()
            .ok_or_else(|| already_processed("", &ids))?;
        Ok(outcome
            .with_amount(Some(created.amount))
            .with_order_id(request.order_id.clone()))
    }

    /// Mini App payments have no status query: execute's answer is final, and Maya documents
    /// no "retrieve payment" endpoint for this product (only Maya Manager). Always
    /// [`Error::Unsupported`], without any I/O.
    async fn get_payment(&self, _provider_payment_id: &str) -> Result<PaymentOutcome> {
        Err(Error::unsupported(
            PROVIDER,
            "get_payment: Mini App payments have no status query; execute's answer is final \
             (reconcile unknown outcomes in Maya Manager)",
        ))
    }
}

/// An execute failure after a successful create, with every id known: an unknown outcome
/// gains the order id beside the payment id core put there; a refusal names the payment in its
/// message (it carries no ids of its own), so the merchant can find the unexecuted payment.
fn execute_failed(error: Error, ids: &PaymentRef) -> Error {
    tracing::warn!(payment = %ids, %error, "Maya execute failed after create");
    match error.with_payment_ref(api::EXECUTE_CALL, ids) {
        Error::Api {
            provider,
            http_status,
            code,
            message,
            retryable,
        } => Error::Api {
            provider,
            http_status,
            code,
            message: format!("{message} ({ids})"),
            retryable,
        },
        other => other,
    }
}

/// `PY0010` answered to the execute this call sent: an earlier attempt of it was processed and
/// its answer lost, so whether money moved is unknown.
fn already_processed(message: &str, ids: &PaymentRef) -> Error {
    const WHY: &str = "The payment was executed by an earlier attempt whose answer was lost; \
                       whether it was approved is unknown. Reconcile it in Maya Manager before \
                       charging again.";
    let said = message.trim().trim_end_matches('.');
    Error::OutcomeUnknown {
        provider: PROVIDER,
        call: api::EXECUTE_CALL,
        cause: UnknownCause::ProviderFault {
            http_status: None,
            code: ALREADY_PROCESSED.to_owned(),
            message: if said.is_empty() {
                WHY.to_owned()
            } else {
                format!("{said}. {WHY}")
            },
        },
        payment: Box::new(ids.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> MayaClientBuilder {
        MayaClient::builder("client-id", SecretString::from("super-secret-value"))
            .token_url("https://connect.example.ph/oauth/token")
    }

    fn field(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn the_token_url_is_required() {
        let err = MayaClient::builder("id", SecretString::from("s"))
            .build()
            .unwrap_err();
        assert_eq!(field(err), "token_url");
    }

    #[test]
    fn configuration_is_checked() {
        assert_eq!(
            field(builder().api_base_url("not a url").build().unwrap_err()),
            "api_base_url"
        );
        assert_eq!(
            field(
                MayaClient::builder("a:b", SecretString::from("s"))
                    .token_url("https://h/t")
                    .build()
                    .unwrap_err()
            ),
            "client_id"
        );
        assert_eq!(
            field(
                MayaClient::builder("a", SecretString::from(""))
                    .token_url("https://h/t")
                    .build()
                    .unwrap_err()
            ),
            "client_secret"
        );
        assert_eq!(field(builder().p2m_id(" ").build().unwrap_err()), "p2m_id");
        builder().p2m_id("P2M-1").build().unwrap();
        for lease in [Duration::ZERO, Duration::from_secs(3600)] {
            assert_eq!(
                field(builder().session_lease(lease).build().unwrap_err()),
                "session_lease"
            );
        }
        builder()
            .session_lease(Duration::from_millis(300))
            .build()
            .unwrap();
    }

    #[test]
    fn capabilities_are_honest() {
        let caps = capabilities();
        assert_eq!(caps.currencies, [paykit_core::Currency::PHP]);
        assert_eq!(caps.refunds, RefundSupport::None);
        assert_eq!(caps.callbacks, CallbackAuthenticity::None);
        assert!(!caps.void);
        assert!(caps.saved_cards.is_empty());
        assert_eq!(caps.capture_modes, [CaptureMode::Automatic]);
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let text = format!("{:?}", builder());
        assert!(!text.contains("super-secret-value"), "{text}");
        let client = builder().build().unwrap();
        let text = format!("{client:?}");
        assert!(!text.contains("super-secret-value"), "{text}");
    }
}
