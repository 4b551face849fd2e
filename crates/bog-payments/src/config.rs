//! Hosts (§1, §1.1: the sandbox is `*-sandbox.bog.ge`, with a hyphen), the published callback
//! keys (TV-P4), and the client builder.

use std::fmt;
use std::sync::Arc;

use paykit_core::http::{ExecutorConfig, HttpExecutor};
use paykit_core::store::TokenKey;
use paykit_core::webhook::RsaPublicKey;
use paykit_core::{
    CachedTokenSource, CallbackAuthenticity, Capabilities, CardUsage, Decimal, Error, ExposeSecret,
    InMemoryPaymentRecords, PaymentRecords, RefundSupport, Result, SecretString, TokenStore,
};

use crate::auth::{self, CredentialEncoding, TokenFetcherImpl};
use crate::types::{Language, Theme};
use crate::validate::{CURRENCIES, CallbackUrls};
use crate::{BogPaymentsClient, PROVIDER};

/// Production API base.
pub const PRODUCTION_API_BASE: &str = "https://api.bog.ge/payments/v1";
/// Production token endpoint (Keycloak realm `bog`).
pub const PRODUCTION_TOKEN_URL: &str =
    "https://oauth2.bog.ge/auth/realms/bog/protocol/openid-connect/token";
/// Sandbox API base.
pub const SANDBOX_API_BASE: &str = "https://api-sandbox.bog.ge/payments/v1";
/// Sandbox token endpoint.
pub const SANDBOX_TOKEN_URL: &str =
    "https://oauth2-sandbox.bog.ge/auth/realms/bog/protocol/openid-connect/token";
/// The token endpoint's path on its host (the same in both environments and the simulator).
pub const TOKEN_PATH: &str = "/auth/realms/bog/protocol/openid-connect/token";
/// The API base's path on its host.
pub const API_BASE_PATH: &str = "/payments/v1";

/// BOG's production callback key (SPKI-DER SHA-256 `00ce06ee…a77d`).
pub const PRODUCTION_CALLBACK_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu4RUyAw3+CdkS3ZNILQh
zHI9Hemo+vKB9U2BSabppkKjzjjkf+0Sm76hSMiu/HFtYhqWOESryoCDJoqffY0Q
1VNt25aTxbj068QNUtnxQ7KQVLA+pG0smf+EBWlS1vBEAFbIas9d8c9b9sSEkTrr
TYQ90WIM8bGB6S/KLVoT1a7SnzabjoLc5Qf/SLDG5fu8dH8zckyeYKdRKSBJKvhx
tcBuHV4f7qsynQT+f2UYbESX/TLHwT5qFWZDHZ0YUOUIvb8n7JujVSGZO9/+ll/g
4ZIWhC1MlJgPObDwRkRd8NFOopgxMcMsDIZIoLbWKhHVq67hdbwpAq9K9WMmEhPn
PwIDAQAB
-----END PUBLIC KEY-----
";

/// BOG's sandbox callback key (SPKI-DER SHA-256 `d51af4cc…c750`).
pub const SANDBOX_CALLBACK_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqczfAuhtxw2iF68kS0Hy
bGSv0ZlDAjsXh6VC8avDl3Vxa9qCn6Pzl37Tl2Z21WodiISLeXdhCtOMTeLNUBeb
CYD31y2/MwnhLYqlCk2bOh29fyPc1iT5Eu/k/1IaNRrK9/UVZaTkhOMeEm+aL4y8
5XsE4UjqftEmwrAdbO2G4cCpuoMC9ZXG9gAdr2BFN6i2Vt9eCen5Poj7E1ik7s8T
GyzploVV0NflhwBGeWnvQANUQGr87gsP5k2JG1z5EwnMybJQ7i3XT726rJMaV6QW
sY5hP72Mtv1I1zL2d9FXm9FWOzbpcXCyxuEBXvqqOHzogri8C7KRRYKyk97Ri7D6
8wIDAQAB
-----END PUBLIC KEY-----
";

/// Which BOG environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// `api.bog.ge`, `oauth2.bog.ge`, the production callback key.
    #[default]
    Production,
    /// `api-sandbox.bog.ge`, `oauth2-sandbox.bog.ge`, the sandbox callback key.
    Sandbox,
}

impl Environment {
    /// The API base.
    pub fn api_base(self) -> &'static str {
        match self {
            Environment::Production => PRODUCTION_API_BASE,
            Environment::Sandbox => SANDBOX_API_BASE,
        }
    }

    /// The token endpoint.
    pub fn token_url(self) -> &'static str {
        match self {
            Environment::Production => PRODUCTION_TOKEN_URL,
            Environment::Sandbox => SANDBOX_TOKEN_URL,
        }
    }

    /// The published callback key (PEM).
    pub fn callback_key_pem(self) -> &'static str {
        match self {
            Environment::Production => PRODUCTION_CALLBACK_KEY,
            Environment::Sandbox => SANDBOX_CALLBACK_KEY,
        }
    }
}

/// Settings the adapter reads on every call.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) language: Option<Language>,
    pub(crate) theme: Option<Theme>,
    pub(crate) default_callback_url: Option<String>,
    pub(crate) explicit_full_amounts: bool,
    pub(crate) callback_urls: CallbackUrls,
}

/// Builds a [`BogPaymentsClient`]. Start with [`BogPaymentsClient::builder`].
///
/// ```
/// use paykit_bog_payments::{BogPaymentsClient, Environment, SANDBOX_API_BASE};
/// use paykit_core::SecretString;
///
/// let client = BogPaymentsClient::builder("10000999", SecretString::from("Ab3dEf6hIj9K"))
///     .environment(Environment::Sandbox)
///     .default_callback_url("https://shop.example.ge/bog/callback")
///     .build()?;
/// assert_eq!(client.api_base(), SANDBOX_API_BASE);
/// # Ok::<(), paykit_core::Error>(())
/// ```
pub struct BogPaymentsClientBuilder {
    client_id: String,
    client_secret: SecretString,
    environment: Environment,
    api_base: Option<String>,
    token_url: Option<String>,
    extra_keys: Vec<String>,
    published_keys: bool,
    encoding: CredentialEncoding,
    settings: Settings,
    executor: ExecutorConfig,
    http_client: Option<reqwest::Client>,
    records: Option<Arc<dyn PaymentRecords>>,
    token_store: Option<Arc<dyn TokenStore>>,
}

impl BogPaymentsClientBuilder {
    pub(crate) fn new(client_id: String, client_secret: SecretString) -> Self {
        BogPaymentsClientBuilder {
            client_id,
            client_secret,
            environment: Environment::Production,
            api_base: None,
            token_url: None,
            extra_keys: Vec::new(),
            published_keys: true,
            encoding: CredentialEncoding::Raw,
            settings: Settings {
                language: None,
                theme: None,
                default_callback_url: None,
                explicit_full_amounts: false,
                callback_urls: CallbackUrls::HttpsOnly,
            },
            executor: ExecutorConfig::default(),
            http_client: None,
            records: None,
            token_store: None,
        }
    }

    /// Production (default) or sandbox: hosts and the callback key.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Overrides the API base (a simulator: `http://127.0.0.1:PORT/payments/v1`).
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = Some(url.into());
        self
    }

    /// Overrides the token endpoint (a simulator:
    /// `http://127.0.0.1:PORT/auth/realms/bog/protocol/openid-connect/token`).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Also accepts callbacks signed by this key (PEM or base64 SPKI): a rotated BOG key, or a
    /// simulator's. Deployment configuration only, never request data. Checked at build.
    pub fn callback_key(mut self, pem: impl Into<String>) -> Self {
        self.extra_keys.push(pem.into());
        self
    }

    /// Accepts only the keys given with [`Self::callback_key`], not the environment's
    /// published one (a simulator run that must not trust BOG's key).
    pub fn only_configured_callback_keys(mut self) -> Self {
        self.published_keys = false;
        self
    }

    /// How the Basic header encodes the credentials (default [`CredentialEncoding::Raw`]).
    pub fn credential_encoding(mut self, encoding: CredentialEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// The hosted page's default language.
    pub fn language(mut self, language: Language) -> Self {
        self.settings.language = Some(language);
        self
    }

    /// The hosted page's default theme.
    pub fn theme(mut self, theme: Theme) -> Self {
        self.settings.theme = Some(theme);
        self
    }

    /// The callback URL used by the common traits when a [`paykit_core::PaymentRequest`] has
    /// none (BOG needs one per order).
    pub fn default_callback_url(mut self, url: impl Into<String>) -> Self {
        self.settings.default_callback_url = Some(url.into());
        self
    }

    /// Also accepts plain `http://` callback URLs to a loopback host (`localhost`,
    /// `127.0.0.0/8`, `::1`), for a merchant's service running on the same machine as the
    /// simulator. BOG itself takes only `https://` callback URLs (and could not reach a
    /// loopback host): without this, every other URL than `https://` is refused before
    /// anything is sent.
    ///
    /// ```
    /// use paykit_bog_payments::BogPaymentsClient;
    /// use paykit_core::SecretString;
    ///
    /// let strict = BogPaymentsClient::builder("10000999", SecretString::from("Ab3dEf6hIj9K"))
    ///     .default_callback_url("http://127.0.0.1:8080/bog/callback")
    ///     .build();
    /// assert!(strict.is_err());
    /// let local = BogPaymentsClient::builder("10000999", SecretString::from("Ab3dEf6hIj9K"))
    ///     .allow_loopback_http_callbacks()
    ///     .default_callback_url("http://127.0.0.1:8080/bog/callback")
    ///     .build();
    /// assert!(local.is_ok());
    /// ```
    pub fn allow_loopback_http_callbacks(mut self) -> Self {
        self.settings.callback_urls = CallbackUrls::AlsoLoopbackHttp;
        self
    }

    /// Sends the amount even for full refunds and full confirmations (the sandbox demanded it,
    /// §1.4). Default: omitted, as the docs describe.
    pub fn explicit_full_amounts(mut self, explicit: bool) -> Self {
        self.settings.explicit_full_amounts = explicit;
        self
    }

    /// Timeouts, retries, size caps.
    pub fn executor_config(mut self, config: ExecutorConfig) -> Self {
        self.executor = config;
        self
    }

    /// Sends through the caller's own `reqwest::Client`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Where the client records the orders it creates (amount, currency, reference): callbacks
    /// are checked against them. Default: in memory.
    pub fn payment_records(mut self, records: Arc<dyn PaymentRecords>) -> Self {
        self.records = Some(records);
        self
    }

    /// Shares the access token with a fleet (DESIGN.md §9).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    fn executor(&self, base: &str) -> Result<HttpExecutor> {
        match &self.http_client {
            Some(client) => {
                HttpExecutor::with_client(PROVIDER, base, client.clone(), self.executor.clone())
            }
            None => HttpExecutor::new(PROVIDER, base, self.executor.clone()),
        }
    }

    /// Checks the settings (credentials, URLs, every callback key) and builds the client.
    /// Nothing is sent.
    pub fn build(self) -> Result<BogPaymentsClient> {
        if self.client_id.trim().is_empty() || self.client_id.contains(':') {
            return Err(Error::invalid_input(
                "client_id",
                "is required and must not contain ':'",
            ));
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err(Error::invalid_input("client_secret", "is required"));
        }
        if let Some(url) = &self.settings.default_callback_url {
            crate::validate::callback_url(
                "default_callback_url",
                url,
                self.settings.callback_urls,
            )?;
        }
        let mut pems: Vec<&str> = Vec::new();
        if self.published_keys {
            pems.push(self.environment.callback_key_pem());
        }
        pems.extend(self.extra_keys.iter().map(String::as_str));
        if pems.is_empty() {
            return Err(Error::invalid_input(
                "callback_key",
                "no callback key left: add one with callback_key",
            ));
        }
        let keys = pems
            .iter()
            .map(|pem| {
                RsaPublicKey::from_spki_base64(pem).map_err(|_| {
                    Error::invalid_input("callback_key", "is not an RSA public key (PEM or SPKI)")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let api_base = self
            .api_base
            .clone()
            .unwrap_or_else(|| self.environment.api_base().to_owned());
        let token_url = self
            .token_url
            .clone()
            .unwrap_or_else(|| self.environment.token_url().to_owned());
        let (token_base, token_path) = match token_url.trim_end_matches('/').rsplit_once('/') {
            Some((base, path)) if !path.is_empty() && base.contains("://") => {
                (base.to_owned(), path.to_owned())
            }
            _ => {
                return Err(Error::invalid_input(
                    "token_url",
                    "must be an absolute URL with a path",
                ));
            }
        };
        let executor = self.executor(&api_base)?;
        let token_executor = self.executor(&token_base)?;
        let fetcher = TokenFetcherImpl::new(
            token_executor,
            token_path,
            &self.client_id,
            &self.client_secret,
            self.encoding,
        );
        let mut cache = CachedTokenSource::new(fetcher, auth::cache_config());
        if let Some(store) = self.token_store {
            cache = cache.with_store(store, TokenKey::new(PROVIDER, self.client_id.clone()));
        }
        let capabilities = Capabilities::new(CURRENCIES.to_vec())
            .amount_range(Some(Decimal::new(1, 2)), None)
            .manual_capture(true)
            .void(true)
            .refunds(RefundSupport::FullAndPartial)
            .saved_cards([CardUsage::Recurring, CardUsage::OneClick])
            .callbacks(CallbackAuthenticity::Signed);
        Ok(BogPaymentsClient::from_parts(crate::Parts {
            executor,
            token_url,
            client_id: self.client_id,
            tokens: Arc::new(cache),
            settings: self.settings,
            capabilities,
            records: self
                .records
                .unwrap_or_else(|| Arc::new(InMemoryPaymentRecords::new())),
            callback_keys: keys,
        }))
    }
}

impl fmt::Debug for BogPaymentsClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BogPaymentsClientBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("environment", &self.environment)
            .field("api_base", &self.api_base)
            .field("token_url", &self.token_url)
            .field("extra_keys", &self.extra_keys.len())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
