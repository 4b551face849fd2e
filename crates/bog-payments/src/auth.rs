//! The token: Keycloak's client-credentials grant (§3), HTTP Basic `client_id:client_secret`
//! (raw by default, RFC 6749 form-encoded on request), form `grant_type=client_credentials`,
//! on its own host. `expires_in` is classified defensively (§3.3, TV-P2): the docs' example is
//! an iPay epoch-millisecond value, so large values are read as instants. Core's cache keeps
//! the token, refreshes it 30 s before its end (at most half its life) with one fetch for all
//! callers, and a 401 on any call drops it and retries that call once.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paykit_core::http::{
    ApiRequest, BasicAuth, Credential, Effect, HttpExecutor, Idempotency, RawResponse,
};
use paykit_core::{
    Expiry, PaymentRef, Result, SecretString, TokenCacheConfig, TokenFetcher, TokenGrant,
    async_trait,
};
use serde::Deserialize;

use crate::{PROVIDER, error};

/// How the credentials are put into the Basic header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialEncoding {
    /// `base64(id:secret)` as the docs' `curl -u` and every SDK send (the default).
    #[default]
    Raw,
    /// RFC 6749 §2.3.1: each part form-urlencoded first (for secrets with special characters).
    Rfc6749,
}

/// The lifetime used when `expires_in` is missing or not positive.
pub const FALLBACK_LIFETIME: Duration = Duration::from_secs(60);
/// The shortest lifetime believed.
pub const MIN_LIFETIME: Duration = Duration::from_secs(30);
/// The longest lifetime believed.
pub const MAX_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh this long before the end (core caps it at half the lifetime).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// What an `expires_in` value was taken to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiresInClass {
    /// Missing, zero or negative.
    Invalid,
    /// A lifetime in seconds (the documented meaning).
    Duration,
    /// An absolute instant in epoch seconds (above 10⁹).
    EpochSeconds,
    /// An absolute instant in epoch milliseconds (above 10¹²).
    EpochMillis,
}

/// The token lifetime the §3.3 policy gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime {
    /// How `expires_in` was read.
    pub class: ExpiresInClass,
    /// The lifetime used, clamped to 30 s..=1 h.
    pub lifetime: Duration,
    /// When to refresh, from the moment the token was received:
    /// `max(lifetime − 30 s, lifetime / 2)`.
    pub refresh_after: Duration,
}

/// Classifies `expires_in` received at `received_at_unix_secs` (TV-P2).
pub fn classify_expires_in(expires_in: Option<i64>, received_at_unix_secs: i64) -> TokenLifetime {
    let (class, seconds) = match expires_in {
        None => (ExpiresInClass::Invalid, None),
        Some(value) if value <= 0 => (ExpiresInClass::Invalid, None),
        Some(value) if value > 1_000_000_000_000 => (
            ExpiresInClass::EpochMillis,
            Some(value / 1000 - received_at_unix_secs),
        ),
        Some(value) if value > 1_000_000_000 => (
            ExpiresInClass::EpochSeconds,
            Some(value - received_at_unix_secs),
        ),
        Some(value) => (ExpiresInClass::Duration, Some(value)),
    };
    let lifetime = match seconds {
        None => FALLBACK_LIFETIME,
        Some(seconds) => {
            let clamped = seconds.clamp(
                i64::try_from(MIN_LIFETIME.as_secs()).unwrap_or(30),
                i64::try_from(MAX_LIFETIME.as_secs()).unwrap_or(3600),
            );
            Duration::from_secs(u64::try_from(clamped).unwrap_or(30))
        }
    };
    if class != ExpiresInClass::Duration && seconds.is_some_and(|s| s <= 0) {
        tracing::warn!(
            expires_in,
            "BOG's expires_in names an instant already past; using the shortest lifetime"
        );
    }
    let refresh_after = lifetime.saturating_sub(REFRESH_MARGIN).max(lifetime / 2);
    TokenLifetime {
        class,
        lifetime,
        refresh_after,
    }
}

/// The cache settings matching [`classify_expires_in`]: the cache refreshes `REFRESH_MARGIN`
/// before the end, capped at half the lifetime, which is `max(lifetime − 30 s, lifetime / 2)`.
pub(crate) fn cache_config() -> TokenCacheConfig {
    TokenCacheConfig::default()
        .refresh_margin(REFRESH_MARGIN)
        .default_lifetime(FALLBACK_LIFETIME)
        .max_lifetime(MAX_LIFETIME)
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// Fetches tokens from the Keycloak endpoint.
#[derive(Debug)]
pub(crate) struct TokenFetcherImpl {
    executor: HttpExecutor,
    path: String,
    credentials: BasicAuth,
}

impl TokenFetcherImpl {
    pub(crate) fn new(
        executor: HttpExecutor,
        path: String,
        client_id: &str,
        secret: &SecretString,
        encoding: CredentialEncoding,
    ) -> Self {
        use paykit_core::ExposeSecret;
        let credentials = match encoding {
            CredentialEncoding::Raw => BasicAuth::new(client_id, secret.clone()),
            CredentialEncoding::Rfc6749 => BasicAuth::new(
                form_encode(client_id),
                SecretString::from(form_encode(secret.expose_secret())),
            ),
        };
        TokenFetcherImpl {
            executor,
            path,
            credentials,
        }
    }

    /// The token request, as data.
    pub(crate) fn request(&self) -> ApiRequest {
        ApiRequest::post("token", self.path.clone())
            .form(&[("grant_type", "client_credentials")])
            .auth(Credential::Basic(self.credentials.clone()))
            .idempotency(Idempotency::Read)
            .effect(Effect::Read)
            .sensitive_response()
    }
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[async_trait]
impl TokenFetcher for TokenFetcherImpl {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.executor
            .call(&self.request(), &PaymentRef::new(), token_answer)
            .await
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The grant of a token answer, or the error it carries.
pub(crate) fn token_answer(response: &RawResponse) -> Result<TokenGrant> {
    if !response.is_success() {
        return Err(error::token_error(response));
    }
    let token: TokenResponse = response.json()?;
    let expires_in = token.expires_in.as_ref().and_then(|value| match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|_| 0)),
        serde_json::Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    });
    let lifetime = classify_expires_in(expires_in, now_secs());
    TokenGrant::bearer(
        PROVIDER,
        token.access_token,
        token.token_type.as_deref(),
        Expiry::After(lifetime.lifetime),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-03-14T09:00:00Z.
    const RECEIVED: i64 = 1_741_942_800;

    /// TV-P2, every row.
    #[test]
    fn expires_in_is_classified_as_the_digest_says() {
        let cases = [
            (Some(300), ExpiresInClass::Duration, 300, 270),
            (Some(3600), ExpiresInClass::Duration, 3600, 3570),
            (Some(20), ExpiresInClass::Duration, 30, 15),
            (Some(86_400), ExpiresInClass::Duration, 3600, 3570),
            (Some(0), ExpiresInClass::Invalid, 60, 30),
            (None, ExpiresInClass::Invalid, 60, 30),
            (Some(-5), ExpiresInClass::Invalid, 60, 30),
            (Some(1_634_719_923_245), ExpiresInClass::EpochMillis, 30, 15),
            (Some(1_741_943_100), ExpiresInClass::EpochSeconds, 300, 270),
        ];
        for (input, class, lifetime, refresh) in cases {
            let got = classify_expires_in(input, RECEIVED);
            assert_eq!(got.class, class, "{input:?}");
            assert_eq!(got.lifetime, Duration::from_secs(lifetime), "{input:?}");
            assert_eq!(got.refresh_after, Duration::from_secs(refresh), "{input:?}");
        }
    }

    /// TV-P1: the raw and the RFC 6749 Basic headers.
    #[test]
    fn basic_headers_match_the_vectors() {
        let executor =
            HttpExecutor::new(PROVIDER, "https://oauth2.bog.ge/x", Default::default()).unwrap();
        let header = |secret: &str, encoding| {
            let fetcher = TokenFetcherImpl::new(
                executor.clone(),
                "token".into(),
                "10000999",
                &SecretString::from(secret),
                encoding,
            );
            fetcher
                .credentials
                .header_value()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            header("Ab3dEf6hIj9K", CredentialEncoding::Raw),
            "Basic MTAwMDA5OTk6QWIzZEVmNmhJajlL"
        );
        assert_eq!(
            header("Ab3dEf6hIj9K", CredentialEncoding::Rfc6749),
            "Basic MTAwMDA5OTk6QWIzZEVmNmhJajlL"
        );
        assert_eq!(
            header("p+ss/w=rd%é", CredentialEncoding::Raw),
            "Basic MTAwMDA5OTk6cCtzcy93PXJkJcOp"
        );
        assert_eq!(
            header("p+ss/w=rd%é", CredentialEncoding::Rfc6749),
            "Basic MTAwMDA5OTk6cCUyQnNzJTJGdyUzRHJkJTI1JUMzJUE5"
        );
    }
}
