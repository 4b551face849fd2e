//! What a provider's token endpoint returns, and the fetcher trait a provider implements.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::Result;

/// When a token stops being valid, as the provider expresses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Valid for this long, counted from just before the token request was sent
    /// (`expiresIn: 300`).
    After(Duration),
    /// Valid until this absolute instant, in milliseconds since the Unix epoch (Bank of
    /// Georgia's `expires_in`, Maya's `expiresAt * 1000`).
    AtUnixMillis(i64),
    /// The provider did not say; the cache's default lifetime applies.
    Unknown,
}

/// One successful answer of a token endpoint.
pub struct TokenGrant {
    /// The access token.
    pub access_token: SecretString,
    /// When it expires.
    pub expires: Expiry,
    /// A refresh token, when the provider issues one.
    pub refresh_token: Option<SecretString>,
    /// When the refresh token expires; `None` when unknown (it is then used until rejected).
    pub refresh_expires: Option<Expiry>,
}

impl TokenGrant {
    /// A grant with an access token only.
    pub fn access_only(access_token: SecretString, expires: Expiry) -> Self {
        TokenGrant {
            access_token,
            expires,
            refresh_token: None,
            refresh_expires: None,
        }
    }
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant")
            .field("access_token", &"[REDACTED]")
            .field("expires", &self.expires)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("refresh_expires", &self.refresh_expires)
            .finish()
    }
}

/// The provider-specific half of token handling: how to ask for a token.
///
/// [`crate::CachedTokenSource`] decides when to call which method.
#[async_trait]
pub trait TokenFetcher: Send + Sync + fmt::Debug {
    /// Obtains a token with the long-lived credentials (project secret, client credentials).
    async fn fetch_with_credentials(&self) -> Result<TokenGrant>;

    /// Obtains a token with a refresh token. The default refuses, so the cache falls back to
    /// [`TokenFetcher::fetch_with_credentials`]; providers with a refresh grant override it.
    async fn fetch_with_refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant> {
        let _ = refresh_token;
        self.fetch_with_credentials().await
    }
}
