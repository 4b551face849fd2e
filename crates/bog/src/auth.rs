//! `POST /oauth2/token`: HTTP Basic of `client_id:secret_key`, form `grant_type=client_credentials`.
//!
//! iPay's `expires_in` is **not** a lifetime: it is an absolute instant in epoch milliseconds
//! (`expires_in / 1000` equals the JWT's `exp`), and that instant is roughly when the token was
//! *issued*; tokens really die about a minute later. So the grant says
//! `Expiry::AtUnixMillis(expires_in + 60 s)` and the cache additionally never keeps a token
//! longer than [`crate::DEFAULT_TOKEN_MAX_LIFETIME`] (50 s, configurable) after the request.
//! A 401 on any call drops the token and retries once (the executor does it).

use std::time::Duration;

use paykit_core::http::{
    ApiRequest, BasicAuth, Credential, Effect, HttpExecutor, Idempotency, RawResponse,
};
use paykit_core::{
    Expiry, PaymentRef, Result, SecretString, TokenCacheConfig, TokenFetcher, TokenGrant,
    async_trait,
};

use crate::{PROVIDER, error, wire};

/// How long past `expires_in` an iPay token is still accepted (found by experiment by the
/// helix .NET SDK: `exp` is the issue time and tokens live about 60 s).
pub(crate) const LIFETIME_AFTER_EXPIRES_IN: Duration = Duration::from_secs(60);

/// The token endpoint, below the base URL.
pub(crate) const TOKEN_PATH: &str = "oauth2/token";

/// Fetches tokens with the client-credentials grant. iPay has no refresh grant.
#[derive(Debug)]
pub(crate) struct BogTokenFetcher {
    executor: HttpExecutor,
    credentials: BasicAuth,
}

impl BogTokenFetcher {
    pub(crate) fn new(executor: HttpExecutor, client_id: &str, secret_key: SecretString) -> Self {
        BogTokenFetcher {
            executor,
            credentials: BasicAuth::new(client_id, secret_key),
        }
    }

    /// The token request, as data.
    pub(crate) fn request(&self) -> ApiRequest {
        ApiRequest::post("oauth2-token", TOKEN_PATH)
            .form(&[("grant_type", "client_credentials")])
            .auth(Credential::Basic(self.credentials.clone()))
            // Asking for a token changes nothing: retried like a read, and no fault of it is
            // ever an unknown outcome.
            .idempotency(Idempotency::Read)
            .effect(Effect::Read)
            .sensitive_response()
    }
}

/// The cache settings: never past `max_lifetime` after the request, renewed `margin` before.
pub(crate) fn cache_config(max_lifetime: Duration, margin: Duration) -> TokenCacheConfig {
    TokenCacheConfig::default()
        .max_lifetime(max_lifetime)
        .default_lifetime(max_lifetime)
        .refresh_margin(margin)
}

/// How far ahead of this host's clock an `expires_in` may lie and still be believed: iPay
/// dates a token at its issue, so anything beyond a few minutes means the clocks disagree.
pub(crate) const PLAUSIBLE_AHEAD: Duration = Duration::from_secs(10 * 60);

/// The expiry of a token whose answer carried `expires_in` (epoch milliseconds).
pub(crate) fn expiry(expires_in: Option<i64>) -> Expiry {
    expiry_at(expires_in, now_ms())
}

/// [`expiry`] against a clock reading `now_ms`. An `expires_in` whose deadline is already past
/// (this host's clock ahead of iPay's) or implausibly far ahead says nothing reliable about the
/// token, so it is [`Expiry::Unknown`]: the cache then keeps the token for its configured
/// lifetime (at most 50 s), instead of deriving one from a wall clock that disagrees.
pub(crate) fn expiry_at(expires_in: Option<i64>, now_ms: i64) -> Expiry {
    let grace = i64::try_from(LIFETIME_AFTER_EXPIRES_IN.as_millis()).unwrap_or(0);
    let ahead = i64::try_from(PLAUSIBLE_AHEAD.as_millis()).unwrap_or(0);
    match expires_in {
        Some(at_ms) if at_ms > 0 => {
            let deadline = at_ms.saturating_add(grace);
            if deadline <= now_ms || deadline > now_ms.saturating_add(ahead) {
                tracing::warn!(
                    expires_in = at_ms,
                    now_ms,
                    "iPay's expires_in disagrees with this host's clock; using the cache lifetime"
                );
                Expiry::Unknown
            } else {
                Expiry::AtUnixMillis(deadline)
            }
        }
        _ => Expiry::Unknown,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[async_trait]
impl TokenFetcher for BogTokenFetcher {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.executor
            .call(&self.request(), &PaymentRef::new(), token_answer)
            .await
    }
}

/// The grant of a token answer, or the error it carries.
pub(crate) fn token_answer(response: &RawResponse) -> Result<TokenGrant> {
    if !response.is_success() {
        return Err(error::token_error(response));
    }
    let token: wire::TokenResponse = response.json()?;
    TokenGrant::bearer(
        PROVIDER,
        token.access_token,
        token.token_type.as_deref(),
        expiry(token.expires_in),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_core::http::{Body, ExecutorConfig};
    use paykit_core::{CachedTokenSource, TokenSource};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn expires_in_is_an_instant_not_a_duration() {
        // TV-2: expires_in / 1000 == exp of the JWT; the token lives ~60 s beyond it.
        let issued = 1_596_573_893_918;
        assert_eq!(
            expiry_at(Some(issued), issued + 1_000),
            Expiry::AtUnixMillis(1_596_573_953_918)
        );
        assert_eq!(expiry(None), Expiry::Unknown);
        assert_eq!(expiry(Some(0)), Expiry::Unknown);
        assert_eq!(expiry(Some(-5)), Expiry::Unknown);
    }

    #[test]
    fn an_expires_in_that_disagrees_with_the_clock_is_not_believed() {
        let now = 1_800_000_000_000;
        // This host's clock is ahead of iPay's: the token "died" before it arrived.
        assert_eq!(expiry_at(Some(now - 120_000), now), Expiry::Unknown);
        // Absurdly far ahead (TV-2 read as seconds, a year, i64::MAX).
        for ahead in [3_600_000, 365 * 24 * 3_600_000, i64::MAX - now] {
            assert_eq!(expiry_at(Some(now + ahead), now), Expiry::Unknown);
        }
        assert_eq!(expiry(Some(i64::MAX)), Expiry::Unknown);
    }

    /// Hands out numbered tokens the way iPay dates them: `expires_in` = now (issue time).
    #[derive(Debug, Default)]
    struct FakeIpay {
        issued: AtomicU32,
        expires_in_offset_ms: i64,
    }

    #[async_trait]
    impl TokenFetcher for FakeIpay {
        async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            let now_ms = i64::try_from(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_millis(),
            )
            .unwrap();
            Ok(TokenGrant::access_only(
                SecretString::from(format!("test-token-{n}")),
                expiry(Some(now_ms + self.expires_in_offset_ms)),
            ))
        }
    }

    fn cache(fake: FakeIpay) -> CachedTokenSource<FakeIpay> {
        CachedTokenSource::new(
            fake,
            cache_config(
                crate::DEFAULT_TOKEN_MAX_LIFETIME,
                crate::DEFAULT_TOKEN_REFRESH_MARGIN,
            ),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_live_at_most_fifty_seconds_by_default() {
        let tokens = cache(FakeIpay::default());
        assert_eq!(
            tokens.token().await.unwrap().expose_secret(),
            "test-token-1"
        );
        tokio::time::advance(Duration::from_secs(44)).await;
        assert_eq!(
            tokens.token().await.unwrap().expose_secret(),
            "test-token-1"
        );
        // Past the 45 s refresh point: renewed ahead of the 50 s end.
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            tokens.token().await.unwrap().expose_secret(),
            "test-token-2"
        );
        assert_eq!(tokens.fetcher().issued.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_older_issue_instant_shortens_the_life() {
        // Issued 40 s ago by iPay's clock: about 20 s left of its ~60 s.
        let tokens = cache(FakeIpay {
            expires_in_offset_ms: -40_000,
            ..FakeIpay::default()
        });
        tokens.token().await.unwrap();
        tokio::time::advance(Duration::from_secs(21)).await;
        assert_eq!(
            tokens.token().await.unwrap().expose_secret(),
            "test-token-2"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rejected_token_is_replaced_at_once() {
        let tokens = cache(FakeIpay::default());
        let first = tokens.token().await.unwrap();
        tokens.invalidate(&first);
        assert_eq!(
            tokens.token().await.unwrap().expose_secret(),
            "test-token-2"
        );
    }

    #[test]
    fn the_request_is_a_form_post_with_basic_auth() {
        let executor = HttpExecutor::new(
            PROVIDER,
            "https://ipay.ge/opay/api/v1",
            ExecutorConfig::default(),
        )
        .unwrap();
        let fetcher = BogTokenFetcher::new(executor, "1006", SecretString::from("s"));
        let request = fetcher.request();
        assert_eq!(request.path(), "oauth2/token");
        assert_eq!(request.method().as_str(), "POST");
        assert_eq!(
            request.body(),
            &Body::Form("grant_type=client_credentials".into())
        );
        assert!(request.is_sensitive_response());
        assert_eq!(request.idempotency_kind(), Idempotency::Read);
        assert_eq!(request.effect_kind(), Effect::Read);
        assert!(!format!("{fetcher:?}").contains("\"s\""));
    }
}
