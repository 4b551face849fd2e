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
#![doc = include_str!("../README.md")]

mod api;
mod api_errors;
mod auth;
mod callback_notification;
mod confirm;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod outcome;
mod records;
mod refund_records;
mod shape;
mod signature;
mod status;
mod types;
pub mod validate;
mod webhook;
mod wire;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use paykit_core::http::{Credential, ExecutorConfig, HttpExecutor};
use paykit_core::{
    CachedTokenSource, CallbackAuthenticity, Capabilities, CaptureMode, CardUsage, Decimal, Error,
    ExposeSecret, InMemoryPaymentRecords, Money, PaymentOutcome, PaymentRecords, PaymentRequest,
    ProviderId, RefundSupport, Result, SavedCardCharge, SecretString, SignatureError,
    TokenCacheConfig, TokenSource, TokenStore, VerifiedEvent, Webhook, WebhookRequest,
    store::TokenKey,
};

pub use api_errors::{ApiErrorEntry, api_errors, render_api_errors};
pub use auth::MaibTokenFetcher;
pub use error::{describe_error_code, is_transient_error_code};
pub use status::PaymentFlow;
pub use types::{
    BillerExpiry, Checkout, ClientInfo, CompleteResult, DeletedCard, ExecuteOneClickRequest,
    ExecuteRecurringRequest, Item, ItemInfo, Language, Notification, PayInfo, PayRequest,
    PaymentLink, RecurringResult, RefundResult, SaveCardRequest, ThreeDsStatus, TokenPair,
    TransactionStatus,
};
pub use webhook::{MaibWebhook, SignatureVariant, VerifiedNotification, dedupe_key};

/// maib's provider id.
pub const PROVIDER: ProviderId = ProviderId("maib");

/// The production API host; every path starts with `/v1/`. maib documents no separate v1
/// sandbox: test Projects use this host with test credentials.
pub const PRODUCTION_BASE_URL: &str = "https://api.maibmerchants.md";

/// Years a card stored through [`paykit_core::Recurring::save_card`] is kept by default
/// (December of the current year plus this); the card's own expiry wins when it is sooner.
pub const DEFAULT_CARD_RETENTION_YEARS: u8 = 5;

type Tokens = CachedTokenSource<MaibTokenFetcher>;

/// A maib e-commerce v1 client: the full native API ([`MaibClient::pay`],
/// [`MaibClient::hold`], [`MaibClient::complete`], ...) and paykit's common traits.
///
/// Cheap to share behind an `Arc`; one client keeps one token cache.
#[derive(Clone)]
pub struct MaibClient {
    executor: HttpExecutor,
    fetcher: MaibTokenFetcher,
    tokens: Arc<Tokens>,
    credential: Credential,
    capabilities: Capabilities,
    default_language: types::Language,
    card_retention_years: u8,
    webhook: Option<MaibWebhook>,
    records: Arc<dyn PaymentRecords>,
}

impl MaibClient {
    /// A builder for the Project `project_id` with its `project_secret`.
    pub fn builder(
        project_id: impl Into<String>,
        project_secret: SecretString,
    ) -> MaibClientBuilder {
        MaibClientBuilder {
            project_id: project_id.into(),
            project_secret,
            base_url: PRODUCTION_BASE_URL.to_owned(),
            signature_key: None,
            http_client: None,
            executor: ExecutorConfig::default(),
            token_cache: TokenCacheConfig::default(),
            default_language: types::Language::default(),
            card_retention_years: DEFAULT_CARD_RETENTION_YEARS,
            records: None,
            token_store: None,
            callback_body_limit: paykit_core::MAX_CALLBACK_BYTES,
        }
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        self.executor.base_url().as_str()
    }

    /// The callback verifier, when a Signature Key was configured.
    pub fn webhook(&self) -> Option<&MaibWebhook> {
        self.webhook.as_ref()
    }

    /// The token source every call draws from (for sharing with other code).
    pub fn token_source(&self) -> Arc<dyn TokenSource> {
        self.tokens.clone()
    }

    /// The language sent when a request names none.
    pub fn default_language(&self) -> types::Language {
        self.default_language
    }
}

impl fmt::Debug for MaibClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaibClient")
            .field("base_url", &self.base_url())
            .field("project_id", &self.fetcher.project_id())
            .field("default_language", &self.default_language)
            .field("webhook", &self.webhook.is_some())
            .finish_non_exhaustive()
    }
}

/// Configures a [`MaibClient`].
///
/// ```
/// use paykit_core::SecretString;
/// use paykit_maib::{Language, MaibClient};
///
/// let client = MaibClient::builder("8508706", SecretString::from("project-secret"))
///     .base_url("http://127.0.0.1:9000")
///     .signature_key(SecretString::from("signature-key"))
///     .default_language(Language::Ro)
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:9000/");
/// # Ok::<(), paykit_core::Error>(())
/// ```
pub struct MaibClientBuilder {
    project_id: String,
    project_secret: SecretString,
    base_url: String,
    signature_key: Option<SecretString>,
    http_client: Option<reqwest::Client>,
    executor: ExecutorConfig,
    token_cache: TokenCacheConfig,
    default_language: types::Language,
    card_retention_years: u8,
    records: Option<Arc<dyn PaymentRecords>>,
    token_store: Option<Arc<dyn TokenStore>>,
    callback_body_limit: usize,
}

impl MaibClientBuilder {
    /// The API host (default [`PRODUCTION_BASE_URL`]); paths `/v1/...` are appended.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The Project's Signature Key, for verifying callbacks.
    pub fn signature_key(mut self, key: SecretString) -> Self {
        self.signature_key = Some(key);
        self
    }

    /// Sends through the caller's own `reqwest::Client` (proxies, pools, roots).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Timeouts, response size cap and retries.
    pub fn executor_config(mut self, config: ExecutorConfig) -> Self {
        self.executor = config;
        self
    }

    /// Token refresh margin and lifetimes.
    pub fn token_cache(mut self, config: TokenCacheConfig) -> Self {
        self.token_cache = config;
        self
    }

    /// The checkout language sent when a request names none (default English, maib's own
    /// default; the newer docs require `language`, so one is always sent).
    pub fn default_language(mut self, language: types::Language) -> Self {
        self.default_language = language;
        self
    }

    /// How many years after the current one cards stored through the common
    /// [`paykit_core::Recurring`] trait are kept (default [`DEFAULT_CARD_RETENTION_YEARS`]).
    pub fn card_retention_years(mut self, years: u8) -> Self {
        self.card_retention_years = years;
        self
    }

    /// Where the client remembers the payments it creates: their flow (direct, hold, card
    /// registration), amount and order id, and whether it captured a hold. maib cannot tell a
    /// hold from a direct payment later, so `get_payment`, callbacks and refunds read the flow
    /// from here. Default: an [`InMemoryPaymentRecords`] of this client alone, lost on restart;
    /// share a durable store between the processes that create and the ones that answer.
    pub fn payment_records(mut self, records: Arc<dyn PaymentRecords>) -> Self {
        self.records = Some(records);
        self
    }

    /// Shares the access token with every process using `store` (DESIGN.md §9): one token per
    /// Project ID for the whole fleet, refreshed by one process at a time. Default: this client
    /// alone.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Refuses callback bodies longer than `limit` bytes before parsing or hashing them, on
    /// every verification path of this client's [`MaibWebhook`] (default
    /// [`paykit_core::MAX_CALLBACK_BYTES`]).
    pub fn callback_body_limit(mut self, limit: usize) -> Self {
        self.callback_body_limit = limit;
        self
    }

    /// Builds the client. Fails on an empty Project ID or secret, an unusable base URL or an
    /// empty Signature Key.
    pub fn build(self) -> Result<MaibClient> {
        if self.project_id.trim().is_empty() {
            return Err(Error::invalid_input("project_id", "must not be empty"));
        }
        if self.project_secret.expose_secret().trim().is_empty() {
            return Err(Error::invalid_input("project_secret", "must not be empty"));
        }
        let executor = match self.http_client {
            Some(client) => {
                HttpExecutor::with_client(PROVIDER, &self.base_url, client, self.executor)?
            }
            None => HttpExecutor::new(PROVIDER, &self.base_url, self.executor)?,
        };
        let records: Arc<dyn PaymentRecords> = self
            .records
            .unwrap_or_else(|| Arc::new(InMemoryPaymentRecords::new()));
        let webhook = self
            .signature_key
            .map(MaibWebhook::new)
            .transpose()?
            .map(|hook| {
                hook.with_records(records.clone())
                    .with_body_limit(self.callback_body_limit)
            });
        let account = TokenKey::new(PROVIDER, self.project_id.clone());
        let fetcher = MaibTokenFetcher::new(executor.clone(), self.project_id, self.project_secret);
        let mut cache = CachedTokenSource::new(fetcher.clone(), self.token_cache);
        if let Some(store) = self.token_store {
            cache = cache.with_store(store, account);
        }
        let tokens = Arc::new(cache);
        let credential = Credential::Bearer(tokens.clone());
        Ok(MaibClient {
            executor,
            fetcher,
            tokens,
            credential,
            capabilities: capabilities(),
            default_language: self.default_language,
            card_retention_years: self.card_retention_years,
            webhook,
            records,
        })
    }
}

impl fmt::Debug for MaibClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaibClientBuilder")
            .field("base_url", &self.base_url)
            .field("project_id", &self.project_id)
            .field("project_secret", &"[REDACTED]")
            .field(
                "signature_key",
                &self.signature_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("default_language", &self.default_language)
            .finish_non_exhaustive()
    }
}

/// What maib e-commerce v1 supports: MDL/EUR/USD from 1.00, direct and two-step payments
/// with full or partial capture, one refund per payment (full or partial), stored cards for
/// recurring and one-click charges, and signed callbacks.
///
/// There is **no void**: v1 has no endpoint to cancel a hold. A full refund of a held
/// payment releases it ([`MaibClient::refund_payment`]); an uncompleted hold also lapses at
/// the bank.
pub fn capabilities() -> Capabilities {
    Capabilities::new(validate::CURRENCIES)
        .amount_range(Some(Decimal::ONE), None)
        .manual_capture(true)
        .void(false)
        .refunds(RefundSupport::FullAndPartial)
        .saved_cards([CardUsage::Recurring, CardUsage::OneClick])
        .callbacks(CallbackAuthenticity::Signed)
}

/// A refund or capture amount: a maib currency, more than 0, at most 2 decimals.
fn follow_up_amount(field: &'static str, amount: Option<&Money>) -> Result<Option<Decimal>> {
    match amount {
        None => Ok(None),
        Some(money) => {
            validate::currency(money.currency())?;
            validate::positive(field, money.amount())?;
            Ok(Some(money.amount()))
        }
    }
}

#[async_trait]
impl paykit_core::PaymentProvider for MaibClient {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// `pay` for [`CaptureMode::Automatic`], `hold` for [`CaptureMode::Manual`]. Needs the
    /// customer's IPv4 address; the outcome redirects the customer to maib's checkout page.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        self.capabilities.check_payment(PROVIDER, request)?;
        let native = outcome::pay_request(request)?;
        let link = match request.capture {
            CaptureMode::Automatic => self.pay(&native).await?,
            CaptureMode::Manual => self.hold(&native).await?,
        };
        Ok(link.outcome(Some(request.amount)))
    }

    /// `pay-info`, read with the flow this client recorded when it created the payment: `OK`
    /// is authorized for an uncompleted hold, captured for a direct payment or a captured
    /// hold. For a payment with no record (created by another client or before a restart of
    /// the in-memory default) an answer that depends on the flow is
    /// [`Error::Unsupported`] naming [`MaibClient::pay_info`] and [`PayInfo::outcome`]: maib
    /// cannot tell, and paykit does not guess. States every flow shares (failed, expired,
    /// waiting for the customer, a captured hold) are answered either way.
    ///
    /// The state is `pay-info`'s, whatever the records say: a refund recorded as requested
    /// whose answer was lost is reported once `pay-info` shows it (`refunded`,
    /// `partially_refunded`, or `cancelled` for a released hold); until then the state
    /// reported is `pay-info`'s (`captured`), never a refund maib does not show. Once
    /// `pay-info` shows it, the record's entry is marked confirmed (any other requested one
    /// refused: maib refunds a payment once) and the state written, which is how the
    /// [`paykit_core::reconcile::Reconciler`] settles the record.
    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        validate::id("provider_payment_id", provider_payment_id)?;
        let known = self.known(provider_payment_id).await?;
        let info = self.pay_info(provider_payment_id).await?;
        let outcome = info.outcome_for(known.flow, known.completed);
        self.confirm_shown_refund(&known, &info, outcome.as_ref().ok().map(|o| &o.status))
            .await;
        outcome.map_err(|_| records::flow_unknown(provider_payment_id, "reading the state of"))
    }

    fn capture(&self) -> Option<&dyn paykit_core::Capture> {
        Some(self)
    }

    fn refund(&self) -> Option<&dyn paykit_core::Refund> {
        Some(self)
    }

    /// None: maib v1 has no void (see [`capabilities`]).
    fn void(&self) -> Option<&dyn paykit_core::Void> {
        None
    }

    fn recurring(&self) -> Option<&dyn paykit_core::Recurring> {
        Some(self)
    }
}

#[async_trait]
impl paykit_core::Capture for MaibClient {
    /// `complete`, for the whole hold or part of it.
    async fn capture(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        validate::id("provider_payment_id", provider_payment_id)?;
        let confirm = follow_up_amount("amount", amount.as_ref())?;
        let known = self.known(provider_payment_id).await?;
        let currency = same_currency(amount.as_ref(), known.currency())?;
        let result = self
            .complete_known(provider_payment_id, confirm, &known)
            .await?;
        let outcome = result.outcome(currency);
        self.remember_captured(&known, outcome.clone()).await?;
        Ok(outcome)
    }
}

#[async_trait]
impl paykit_core::Refund for MaibClient {
    /// `refund`, whole or part. maib refunds a payment once; a second refund goes through
    /// maib support, and a repeated one is refused (`13116`, or `REVERSED`: an
    /// [`Error::Api`], never a refund).
    ///
    /// `pay-info` is read first (a read: nothing moves if it fails) for what the payment's
    /// refundable amount and currency are, so a refund of all of it is
    /// [`paykit_core::PaymentStatus::Refunded`] whether the amount was named or not, and a
    /// refund of an uncompleted hold, which releases it, is
    /// [`paykit_core::PaymentStatus::Cancelled`]. Refunding all of a payment this client has
    /// no record of, and that may be an uncompleted hold, is refused before sending
    /// ([`Error::Unsupported`]; use [`MaibClient::refund_payment`]).
    ///
    /// The refund is written to the payment record before it is sent, at the amount asked or
    /// the refundable amount `pay-info` showed, and updated from the answer, as
    /// [`MaibClient::refund_payment`] describes.
    async fn refund(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        self.capabilities.check_refund(PROVIDER, amount.as_ref())?;
        validate::id("provider_payment_id", provider_payment_id)?;
        let refund = follow_up_amount("amount", amount.as_ref())?;
        let known = self.known(provider_payment_id).await?;
        let before = self.pay_info(provider_payment_id).await?;
        let currency = before.currency.as_deref().and_then(|c| c.parse().ok());
        same_currency(amount.as_ref(), currency)?;
        let whole = match (refund, before.refundable()) {
            (None, _) => true,
            (Some(asked), Some(all)) => asked.normalize() == all.normalize(),
            (Some(_), None) => false,
        };
        let completed = known.completed || before.confirm_amount.is_some_and(|c| c > Decimal::ZERO);
        let flow = known
            .flow
            // Only a hold is ever completed.
            .or(completed.then_some(PaymentFlow::Hold))
            // maib refuses a partial refund of an uncompleted hold (13110), so a partial refund
            // it accepts was of money taken.
            .or((!whole).then_some(PaymentFlow::Direct));
        let Some(flow) = flow else {
            return Err(records::flow_unknown(
                provider_payment_id,
                "refunding all of",
            ));
        };
        let basis = refund_records::RefundBasis {
            before,
            flow: Some(flow),
            completed: known.completed,
            // pay-info was read: its confirmAmount shows a capture.
            capture_known: true,
        };
        let result = self
            .refund_known(provider_payment_id, refund, &known, &basis)
            .await?;
        // The flow is known here, so the state is too.
        Ok(basis.outcome(&result))
    }
}

/// The currency of a follow-up `amount` must be the payment's, when that is known.
fn same_currency(
    amount: Option<&Money>,
    payment: Option<paykit_core::Currency>,
) -> Result<Option<paykit_core::Currency>> {
    match (amount, payment) {
        (Some(money), Some(currency)) if money.currency() != currency => Err(Error::invalid_input(
            "amount",
            format!("in {}, the payment is in {currency}", money.currency()),
        )),
        (Some(money), _) => Ok(Some(money.currency())),
        (None, payment) => Ok(payment),
    }
}

#[async_trait]
impl paykit_core::Recurring for MaibClient {
    /// `savecard-recurring` or `savecard-oneclick`. A zero amount stores the card without a
    /// payment. Recurring needs the customer's e-mail. The card is kept until December of
    /// the year [`MaibClientBuilder::card_retention_years`] ahead.
    async fn save_card(
        &self,
        request: &PaymentRequest,
        usage: CardUsage,
    ) -> Result<PaymentOutcome> {
        if !request.amount.is_zero() {
            self.capabilities.check_payment(PROVIDER, request)?;
        }
        let expiry = types::BillerExpiry::years_from_now(self.card_retention_years);
        let native = outcome::save_card_request(request, expiry)?;
        let link = match usage {
            CardUsage::Recurring => self.savecard_recurring(&native).await?,
            CardUsage::OneClick => self.savecard_oneclick(&native).await?,
        };
        let amount = (!request.amount.is_zero()).then_some(request.amount);
        Ok(link.outcome(amount))
    }

    /// `execute-recurring` (final at once) or `execute-oneclick` (the customer confirms on
    /// maib's page).
    async fn charge_saved_card(&self, charge: &SavedCardCharge) -> Result<PaymentOutcome> {
        if charge.payment.capture == CaptureMode::Manual {
            return Err(Error::unsupported(
                PROVIDER,
                "manual capture of a stored-card charge (execute-* are single-step)",
            ));
        }
        self.capabilities.check_payment(PROVIDER, &charge.payment)?;
        match charge.usage {
            CardUsage::Recurring => {
                let native = outcome::execute_recurring_request(&charge.card_id, &charge.payment)?;
                Ok(self.execute_recurring(&native).await?.outcome())
            }
            CardUsage::OneClick => {
                let native = outcome::execute_oneclick_request(&charge.card_id, &charge.payment)?;
                let link = self.execute_oneclick(&native).await?;
                Ok(link
                    .outcome(Some(charge.payment.amount))
                    .with_saved_card(Some(paykit_core::SavedCard {
                        id: charge.card_id.clone(),
                        masked_pan: None,
                    })))
            }
        }
    }

    /// `delete-card`; anything but status `OK` is an error.
    async fn delete_saved_card(&self, card_id: &str) -> Result<()> {
        let deleted = self.delete_card(card_id).await?;
        match deleted.status {
            Some(types::TransactionStatus::Ok) => Ok(()),
            other => Err(Error::Api {
                provider: PROVIDER,
                http_status: Some(200),
                code: other.map_or_else(|| "no status".to_owned(), |s| s.as_str().to_owned()),
                message: format!("delete-card did not answer OK for billerId {card_id}"),
                retryable: false,
            }),
        }
    }
}

#[async_trait]
impl Webhook for MaibClient {
    /// Verifies with the configured Signature Key and reads the payment's flow from this
    /// client's records; without a key every callback is refused with
    /// [`SignatureError::BadKey`]. The event is [`paykit_core::Authenticity::Signed`]: confirm
    /// it with [`MaibClient::confirm`] (or use [`MaibClient::verify_confirmed`]) before
    /// fulfilling anything.
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        match &self.webhook {
            Some(webhook) => webhook.verify(request).await,
            None => Err(Error::Signature(SignatureError::BadKey)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_are_what_maib_offers() {
        let caps = capabilities();
        assert_eq!(
            caps.currencies,
            vec![
                paykit_core::Currency::MDL,
                paykit_core::Currency::EUR,
                paykit_core::Currency::USD
            ]
        );
        assert_eq!(caps.min_amount, Some(Decimal::ONE));
        assert!(caps.capture_modes.contains(&CaptureMode::Manual));
        assert!(caps.partial_capture);
        assert!(!caps.void);
        assert_eq!(caps.refunds, RefundSupport::FullAndPartial);
        assert_eq!(
            caps.saved_cards,
            vec![CardUsage::Recurring, CardUsage::OneClick]
        );
        assert_eq!(caps.callbacks, CallbackAuthenticity::Signed);
    }

    #[test]
    fn builder_rejects_empty_credentials_and_bad_urls() {
        let err = MaibClient::builder(" ", SecretString::from("s"))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "project_id"));
        let err = MaibClient::builder("1", SecretString::from(""))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "project_secret"));
        let err = MaibClient::builder("1", SecretString::from("s"))
            .base_url("not a url")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "base_url"));
        let err = MaibClient::builder("1", SecretString::from("s"))
            .signature_key(SecretString::from(""))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Signature(SignatureError::BadKey)));
        let client = MaibClient::builder("1", SecretString::from("s"))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "https://api.maibmerchants.md/");
        assert!(client.webhook().is_none());
    }
}
