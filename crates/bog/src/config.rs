//! Base URLs and the client builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use paykit_core::http::{ExecutorConfig, HttpExecutor};
use paykit_core::{
    CachedTokenSource, CallbackAuthenticity, Capabilities, CardUsage, Currency, Decimal, Error,
    ExposeSecret, InMemoryPaymentRecords, PaymentRecords, RefundSupport, Result, SecretString,
    TokenStore, store::TokenKey,
};

use crate::auth::{self, BogTokenFetcher};
use crate::model::{Intent, Locale};
use crate::store::OrderStore;
use crate::{BogClient, PROVIDER};

/// iPay production API.
pub const PRODUCTION_BASE_URL: &str = "https://ipay.ge/opay/api/v1";

/// iPay test API (public demo merchant `1006` works there).
pub const TEST_BASE_URL: &str = "https://dev.ipay.ge/opay/api/v1";

/// The longest a token is used after it was requested, unless configured otherwise: iPay
/// tokens die about 60 s after issue whatever `expires_in` says.
pub const DEFAULT_TOKEN_MAX_LIFETIME: Duration = Duration::from_secs(50);

/// How long before its end a token is renewed (the cache caps this at half the lifetime).
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(5);

/// Settings the adapter reads on every call.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) currencies: Vec<Currency>,
    pub(crate) locale: Option<Locale>,
    pub(crate) intent: Intent,
    pub(crate) show_shop_order_id_on_extract: Option<bool>,
}

/// Builds a [`BogClient`]. Start with [`BogClient::builder`].
///
/// ```
/// use paykit_bog::{BogClient, Locale, TEST_BASE_URL};
/// use paykit_core::SecretString;
/// use std::time::Duration;
///
/// let client = BogClient::builder("1006", SecretString::from("581ba5eeadd657c8ccddc74c839bd3ad"))
///     .base_url(TEST_BASE_URL)
///     .default_locale(Locale::EnUs)
///     .token_max_lifetime(Duration::from_secs(45))
///     .build()?;
/// assert_eq!(client.base_url(), "https://dev.ipay.ge/opay/api/v1");
/// # Ok::<(), paykit_core::Error>(())
/// ```
pub struct BogClientBuilder {
    client_id: String,
    secret_key: SecretString,
    base_url: String,
    currencies: Vec<Currency>,
    locale: Option<Locale>,
    intent: Intent,
    show_shop_order_id_on_extract: Option<bool>,
    token_max_lifetime: Duration,
    token_refresh_margin: Duration,
    executor: ExecutorConfig,
    http_client: Option<reqwest::Client>,
    order_store: Option<Arc<dyn OrderStore>>,
    payment_records: Option<Arc<dyn PaymentRecords>>,
    token_store: Option<Arc<dyn TokenStore>>,
}

impl BogClientBuilder {
    pub(crate) fn new(client_id: String, secret_key: SecretString) -> Self {
        BogClientBuilder {
            client_id,
            secret_key,
            base_url: PRODUCTION_BASE_URL.to_owned(),
            currencies: vec![Currency::GEL],
            locale: None,
            intent: Intent::Capture,
            show_shop_order_id_on_extract: None,
            token_max_lifetime: DEFAULT_TOKEN_MAX_LIFETIME,
            token_refresh_margin: DEFAULT_TOKEN_REFRESH_MARGIN,
            executor: ExecutorConfig::default(),
            http_client: None,
            order_store: None,
            payment_records: None,
            token_store: None,
        }
    }

    /// Any base URL: [`PRODUCTION_BASE_URL`] (the default), [`TEST_BASE_URL`], a simulator or
    /// a proxy. Paths such as `checkout/orders` are appended to it.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Uses [`TEST_BASE_URL`].
    pub fn test_environment(self) -> Self {
        self.base_url(TEST_BASE_URL)
    }

    /// Currencies BOG enabled for this merchant (default: GEL only, as documented).
    pub fn currencies(mut self, currencies: impl Into<Vec<Currency>>) -> Self {
        self.currencies = currencies.into();
        self
    }

    /// Payment page language for payments created through the common traits when the request
    /// names none (default: none sent, so iPay shows `ka`).
    pub fn default_locale(mut self, locale: Locale) -> Self {
        self.locale = Some(locale);
        self
    }

    /// Intent of payments created through [`paykit_core::PaymentProvider::create_payment`]
    /// (default [`Intent::Capture`]: card and internet-banking login).
    pub fn default_intent(mut self, intent: Intent) -> Self {
        self.intent = intent;
        self
    }

    /// `show_shop_order_id_on_extract` for payments created through the common traits.
    pub fn show_shop_order_id_on_extract(mut self, show: bool) -> Self {
        self.show_shop_order_id_on_extract = Some(show);
        self
    }

    /// The longest a token is used after it was requested (default
    /// [`DEFAULT_TOKEN_MAX_LIFETIME`]).
    pub fn token_max_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_max_lifetime = lifetime;
        self
    }

    /// How long before its end a token is renewed (default [`DEFAULT_TOKEN_REFRESH_MARGIN`]).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// Timeouts, response size cap and retry policy.
    pub fn executor_config(mut self, config: ExecutorConfig) -> Self {
        self.executor = config;
        self
    }

    /// Sends through the caller's own `reqwest::Client` (proxies, custom roots, shared pools).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Records every order this client creates (`order_id`, `payment_hash`) in `store`, so that
    /// [`crate::BogWebhook`] can check callbacks of payments made through the common traits.
    pub fn order_store(mut self, store: Arc<dyn OrderStore>) -> Self {
        self.order_store = Some(store);
        self
    }

    /// Where the client writes what it asked iPay to do and what it learned (see
    /// [`paykit_core::PaymentRecords`]): each payment's flow, amount and ids, and every refund,
    /// written **before** it is sent and updated from iPay's answer and its Amount Return
    /// callback. iPay's payment details show no refunds, so `get_payment` reads refunds from
    /// here. Default: an [`InMemoryPaymentRecords`], lost on restart and not shared between
    /// processes; production code passes records on its database.
    pub fn payment_records(mut self, records: Arc<dyn PaymentRecords>) -> Self {
        self.payment_records = Some(records);
        self
    }

    /// Shares the access token with every process using `store` (DESIGN.md §9): one token per
    /// client id for the whole fleet, refreshed by one process at a time. Default: this client
    /// alone.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Checks the settings and builds the client. Nothing is sent.
    pub fn build(self) -> Result<BogClient> {
        if self.client_id.trim().is_empty() {
            return Err(Error::invalid_input("client_id", "is required"));
        }
        if self.client_id.contains(':') {
            return Err(Error::invalid_input(
                "client_id",
                "must not contain ':' (HTTP Basic separates it from the secret with one)",
            ));
        }
        if self.secret_key.expose_secret().is_empty() {
            return Err(Error::invalid_input("secret_key", "is required"));
        }
        if self.currencies.is_empty() {
            return Err(Error::invalid_input(
                "currencies",
                "name at least one currency",
            ));
        }
        if self.token_max_lifetime.is_zero() {
            return Err(Error::invalid_input(
                "token_max_lifetime",
                "must be more than zero",
            ));
        }
        let executor = match self.http_client {
            Some(client) => {
                HttpExecutor::with_client(PROVIDER, &self.base_url, client, self.executor)?
            }
            None => HttpExecutor::new(PROVIDER, &self.base_url, self.executor)?,
        };
        let fetcher = BogTokenFetcher::new(executor.clone(), &self.client_id, self.secret_key);
        let cache = auth::cache_config(self.token_max_lifetime, self.token_refresh_margin);
        let mut cache = CachedTokenSource::new(fetcher, cache);
        if let Some(store) = self.token_store {
            cache = cache.with_store(store, TokenKey::new(PROVIDER, self.client_id.clone()));
        }
        let tokens = Arc::new(cache);
        let capabilities = Capabilities::new(self.currencies.clone())
            .amount_range(Some(Decimal::new(1, 2)), None)
            .manual_capture(true)
            .void(true)
            .refunds(RefundSupport::FullAndPartial)
            .saved_cards([CardUsage::Recurring])
            .callbacks(CallbackAuthenticity::Confirmed);
        let settings = Settings {
            currencies: self.currencies,
            locale: self.locale,
            intent: self.intent,
            show_shop_order_id_on_extract: self.show_shop_order_id_on_extract,
        };
        Ok(BogClient::from_parts(
            executor,
            self.client_id,
            tokens,
            settings,
            capabilities,
            self.order_store,
            self.payment_records
                .unwrap_or_else(|| Arc::new(InMemoryPaymentRecords::new())),
        ))
    }
}

impl fmt::Debug for BogClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BogClientBuilder")
            .field("client_id", &self.client_id)
            .field("secret_key", &"[REDACTED]")
            .field("base_url", &self.base_url)
            .field("currencies", &self.currencies)
            .field("locale", &self.locale)
            .field("intent", &self.intent)
            .field("token_max_lifetime", &self.token_max_lifetime)
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("executor", &self.executor)
            .field("order_store", &self.order_store.is_some())
            .field("payment_records", &self.payment_records.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_is_the_default_and_any_url_is_accepted() {
        let client = BogClient::builder("1006", SecretString::from("test-secret-key"))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), PRODUCTION_BASE_URL);
        let client = BogClient::builder("1006", SecretString::from("test-secret-key"))
            .test_environment()
            .build()
            .unwrap();
        assert_eq!(client.base_url(), TEST_BASE_URL);
        let client = BogClient::builder("1006", SecretString::from("test-secret-key"))
            .base_url("http://127.0.0.1:8080/bog/opay/api/v1/")
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:8080/bog/opay/api/v1/");
    }

    #[test]
    fn the_token_cap_is_fifty_seconds_unless_configured() {
        assert_eq!(DEFAULT_TOKEN_MAX_LIFETIME, Duration::from_secs(50));
        let builder = BogClient::builder("1006", SecretString::from("test-secret-key"))
            .token_max_lifetime(Duration::from_secs(30));
        assert!(format!("{builder:?}").contains("30s"));
    }
}
