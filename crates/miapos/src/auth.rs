//! Token fetching (miapos.md §2, §3.1, §3.2): `POST /token` with the merchant id and secret
//! key, `POST /token/refresh` with the refresh token. Both are unauthenticated and answer a new
//! pair (access 300 s, refresh 5 days as observed).
//!
//! The client wraps [`MiaPosAuth`] in core's `CachedTokenSource`, which serves the cached
//! access token, renews it ahead of expiry with the refresh grant first and the credentials as
//! fallback, and is invalidated by the executor on HTTP 401.
//!
//! A token is fetched *before* the API call that needs it is sent; when none can be had, core's
//! executor reports that call as not sent (`TransportKind::NoToken`), never as an unknown
//! outcome of a payment.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::http::{ApiRequest, Effect, HttpExecutor, Idempotency, RawResponse};
use paykit_core::{
    Expiry, ExposeSecret, PaymentRef, Result, SecretString, TokenFetcher, TokenGrant,
};

use crate::error::token_error;
use crate::types::TokenPair;
use crate::wire;

/// Path of the credentials grant.
pub(crate) const TOKEN_PATH: &str = "ecomm/api/v1/token";
/// Path of the refresh grant.
pub(crate) const REFRESH_PATH: &str = "ecomm/api/v1/token/refresh";

/// Asks miaPOS for tokens.
#[derive(Clone)]
pub(crate) struct MiaPosAuth {
    executor: HttpExecutor,
    merchant_id: String,
    secret_key: SecretString,
}

impl MiaPosAuth {
    /// A fetcher for `merchant_id` on `executor`'s base URL.
    pub(crate) fn new(
        executor: HttpExecutor,
        merchant_id: String,
        secret_key: SecretString,
    ) -> Self {
        MiaPosAuth {
            executor,
            merchant_id,
            secret_key,
        }
    }

    /// `POST /ecomm/api/v1/token`.
    pub(crate) async fn issue(&self) -> Result<TokenPair> {
        let body = wire::TokenRequest {
            merchant_id: &self.merchant_id,
            secret_key: self.secret_key.expose_secret(),
        };
        let request = ApiRequest::post("token", TOKEN_PATH).json(&body)?;
        self.exchange(request, "token request").await
    }

    /// `POST /ecomm/api/v1/token/refresh`.
    pub(crate) async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenPair> {
        let body = wire::RefreshRequest {
            refresh_token: refresh_token.expose_secret(),
        };
        let request = ApiRequest::post("token-refresh", REFRESH_PATH).json(&body)?;
        self.exchange(request, "token refresh").await
    }

    async fn exchange(&self, request: ApiRequest, grant: &str) -> Result<TokenPair> {
        // Issuing a token changes nothing the merchant cares about: retried like a read.
        let request = request
            .idempotency(Idempotency::Read)
            .effect(Effect::Read)
            .sensitive_response();
        self.executor
            .call(&request, &PaymentRef::new(), |response| {
                token_answer(response, grant)
            })
            .await
    }
}

/// The token pair of a `token` / `token/refresh` answer (`grant` names the call), or the
/// error it carries.
pub(crate) fn token_answer(response: &RawResponse, grant: &str) -> Result<TokenPair> {
    if !response.is_success() {
        return Err(token_error(response, grant));
    }
    let answer: wire::TokenResponse = response.json()?;
    Ok(TokenPair {
        access_token: SecretString::from(answer.access_token),
        access_expires_in: seconds(answer.access_token_expires_in),
        refresh_token: answer.refresh_token.map(SecretString::from),
        refresh_expires_in: seconds(answer.refresh_token_expires_in),
        token_type: answer.token_type,
    })
}

/// A lifetime in seconds; zero or absent means "not said".
fn seconds(value: Option<u64>) -> Option<Duration> {
    value.filter(|s| *s > 0).map(Duration::from_secs)
}

/// The grant core's cache stores.
pub(crate) fn to_grant(pair: TokenPair) -> TokenGrant {
    TokenGrant {
        access_token: pair.access_token,
        expires: pair
            .access_expires_in
            .map_or(Expiry::Unknown, Expiry::After),
        refresh_token: pair.refresh_token,
        refresh_expires: pair.refresh_expires_in.map(Expiry::After),
    }
}

#[async_trait]
impl TokenFetcher for MiaPosAuth {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.issue().await.map(to_grant)
    }

    async fn fetch_with_refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant> {
        self.refresh(refresh_token).await.map(to_grant)
    }
}

impl fmt::Debug for MiaPosAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiaPosAuth")
            .field("base_url", &self.executor.base_url().as_str())
            .field("merchant_id", &self.merchant_id)
            .field("secret_key", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_carry_both_lifetimes() {
        let grant = to_grant(TokenPair {
            access_token: SecretString::from("a"),
            access_expires_in: seconds(Some(300)),
            refresh_token: Some(SecretString::from("r")),
            refresh_expires_in: seconds(Some(432_000)),
            token_type: Some("Bearer".into()),
        });
        assert_eq!(grant.expires, Expiry::After(Duration::from_secs(300)));
        assert_eq!(
            grant.refresh_expires,
            Some(Expiry::After(Duration::from_secs(432_000)))
        );
        assert!(grant.refresh_token.is_some());
    }

    #[test]
    fn missing_or_zero_lifetimes_are_unknown() {
        assert_eq!(seconds(Some(0)), None);
        assert_eq!(seconds(None), None);
        let grant = to_grant(TokenPair {
            access_token: SecretString::from("a"),
            access_expires_in: None,
            refresh_token: None,
            refresh_expires_in: None,
            token_type: None,
        });
        assert_eq!(grant.expires, Expiry::Unknown);
    }

    #[test]
    fn debug_hides_the_secret_key() {
        let executor = HttpExecutor::new(
            crate::PROVIDER,
            "http://127.0.0.1:1",
            paykit_core::http::ExecutorConfig::default(),
        )
        .unwrap();
        let auth = MiaPosAuth::new(executor, "128".into(), SecretString::from("s3cr3t-key"));
        let text = format!("{auth:?}");
        assert!(
            text.contains("128") && !text.contains("s3cr3t-key"),
            "{text}"
        );
    }
}
