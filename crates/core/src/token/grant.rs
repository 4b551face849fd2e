//! What a provider's token endpoint returns, and the fetcher trait a provider implements.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::{Error, ProviderId, Result};

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
    /// The grant of an OAuth2 token answer that must be a bearer token (RFC 6749 §5.1):
    /// refused as [`Error::Auth`] when `token_type` names another kind or the token is blank,
    /// because sending either would only earn a 401 on the next call.
    ///
    /// # Errors
    ///
    /// [`Error::Auth`] naming what was wrong (never the token).
    pub fn bearer(
        provider: ProviderId,
        access_token: String,
        token_type: Option<&str>,
        expires: Expiry,
    ) -> Result<Self> {
        if token_type.is_some_and(|kind| !kind.eq_ignore_ascii_case("bearer")) {
            return Err(Error::Auth {
                provider,
                message: "the token endpoint issued a token that is not a bearer token".into(),
            });
        }
        if access_token.trim().is_empty() {
            return Err(Error::Auth {
                provider,
                message: "the token endpoint returned an empty access_token".into(),
            });
        }
        Ok(TokenGrant::access_only(
            SecretString::from(access_token),
            expires,
        ))
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    const P: ProviderId = ProviderId("p");

    #[test]
    fn only_a_non_blank_bearer_token_is_granted() {
        let expires = Expiry::After(Duration::from_secs(60));
        let granted = TokenGrant::bearer(P, "t-1".into(), Some("Bearer"), expires).unwrap();
        assert_eq!(granted.expires, expires);
        assert!(TokenGrant::bearer(P, "t-1".into(), None, expires).is_ok());
        let mac = TokenGrant::bearer(P, "t-1".into(), Some("mac"), expires).unwrap_err();
        assert!(mac.to_string().contains("not a bearer token"), "{mac}");
        let blank = TokenGrant::bearer(P, "  ".into(), Some("bearer"), expires).unwrap_err();
        assert!(blank.to_string().contains("empty access_token"), "{blank}");
        assert!(!mac.to_string().contains("t-1"));
    }
}
