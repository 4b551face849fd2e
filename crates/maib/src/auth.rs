//! `POST /v1/generate-token` (protocol notes maib.md §2): project credentials (mode A) or a
//! refresh token (mode B). [`MaibTokenFetcher`] plugs both into core's
//! [`paykit_core::CachedTokenSource`], which refreshes ahead of expiry, tries the refresh token
//! first and falls back to the credentials when it is refused (`11002`) or expired.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::http::{ApiRequest, Effect, HttpExecutor, Idempotency};
use paykit_core::{
    Expiry, ExposeSecret, PaymentRef, Result, SecretString, TokenFetcher, TokenGrant,
};

use crate::error;
use crate::types::TokenPair;
use crate::wire::{CredentialsBody, RefreshBody, TokenResult};

/// The token endpoint's path.
pub(crate) const TOKEN_PATH: &str = "/v1/generate-token";

/// Fetches maib tokens with a Project's credentials.
#[derive(Clone)]
pub struct MaibTokenFetcher {
    executor: HttpExecutor,
    project_id: String,
    project_secret: SecretString,
}

impl MaibTokenFetcher {
    /// A fetcher sending `project_id` / `project_secret` through `executor`.
    pub fn new(executor: HttpExecutor, project_id: String, project_secret: SecretString) -> Self {
        MaibTokenFetcher {
            executor,
            project_id,
            project_secret,
        }
    }

    /// The Project ID (not secret).
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// Mode A: tokens for the Project's credentials.
    pub async fn generate_with_credentials(&self) -> Result<TokenPair> {
        let body = CredentialsBody {
            project_id: &self.project_id,
            project_secret: self.project_secret.expose_secret(),
        };
        self.generate(ApiRequest::post("generate-token", TOKEN_PATH).json(&body)?)
            .await
    }

    /// Mode B: tokens for a refresh token.
    pub async fn generate_with_refresh(&self, refresh_token: &SecretString) -> Result<TokenPair> {
        let body = RefreshBody {
            refresh_token: refresh_token.expose_secret(),
        };
        self.generate(ApiRequest::post("generate-token", TOKEN_PATH).json(&body)?)
            .await
    }

    async fn generate(&self, request: ApiRequest) -> Result<TokenPair> {
        // Asking for a token changes nothing at maib: retried like a read.
        let request = request
            .idempotency(Idempotency::Read)
            .effect(Effect::Read)
            .sensitive_response();
        let result: TokenResult = self
            .executor
            .call(&request, &PaymentRef::new(), error::parse)
            .await?;
        Ok(result.into())
    }
}

/// The grant core's cache stores: lifetimes from `expiresIn` / `refreshExpiresIn`.
fn grant(pair: TokenPair) -> TokenGrant {
    TokenGrant {
        access_token: pair.access_token,
        expires: pair
            .expires_in
            .map_or(Expiry::Unknown, |s| Expiry::After(Duration::from_secs(s))),
        refresh_expires: pair
            .refresh_token
            .as_ref()
            .and(pair.refresh_expires_in)
            .map(|s| Expiry::After(Duration::from_secs(s))),
        refresh_token: pair.refresh_token,
    }
}

#[async_trait]
impl TokenFetcher for MaibTokenFetcher {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.generate_with_credentials().await.map(grant)
    }

    /// A refused refresh token (`11002`) comes back as `Error::Auth`; the cache then forgets
    /// it and falls back to [`TokenFetcher::fetch_with_credentials`].
    async fn fetch_with_refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant> {
        self.generate_with_refresh(refresh_token).await.map(grant)
    }
}

impl fmt::Debug for MaibTokenFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaibTokenFetcher")
            .field("base_url", &self.executor.base_url().as_str())
            .field("project_id", &self.project_id)
            .field("project_secret", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_come_from_the_response() {
        let g = grant(TokenPair {
            access_token: SecretString::from("a"),
            expires_in: Some(300),
            refresh_token: Some(SecretString::from("r")),
            refresh_expires_in: Some(1800),
            token_type: Some("Bearer".into()),
        });
        assert_eq!(g.expires, Expiry::After(Duration::from_secs(300)));
        assert_eq!(
            g.refresh_expires,
            Some(Expiry::After(Duration::from_secs(1800)))
        );
        let g = grant(TokenPair {
            access_token: SecretString::from("a"),
            expires_in: None,
            refresh_token: None,
            refresh_expires_in: Some(1800),
            token_type: None,
        });
        assert_eq!(g.expires, Expiry::Unknown);
        assert!(g.refresh_token.is_none() && g.refresh_expires.is_none());
    }
}
