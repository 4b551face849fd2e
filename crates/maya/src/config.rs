//! Hosts and tuning knobs. Every host is configuration: only the Mini App sandbox host is
//! published (spec §1); the production host and both Maya Connect token URLs come with the
//! onboarding kit.

use std::time::Duration;

use paykit_core::{Error, Result, TokenCacheConfig};
use url::Url;

use crate::validate;

/// The Mini App ("op") API sandbox host: profile, token refresh, payments (spec §1).
pub const SANDBOX_API_URL: &str = "https://op-sandbox.paymaya.com";

/// How the client credentials request body is encoded (spec §3.2: form is the RFC 6749 norm
/// and the default; JSON is the fallback if Maya Connect answers 415/400 to a form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TokenBodyEncoding {
    /// `application/x-www-form-urlencoded`: `grant_type=client_credentials`.
    #[default]
    Form,
    /// `application/json`: `{"grant_type":"client_credentials"}`.
    Json,
}

/// The bounded retry of execute on Maya's transient fault codes.
///
/// The HTTP executor already repeats execute on timeouts, 429 and 5xx (execute is documented as
/// safe to repeat). Maya also reports its own faults (`PY0001`, `PY9999`, ...) as HTTP 400,
/// which the executor does not know; this loop repeats execute on those, with the same payment
/// id and a fresh `Request-Reference-No`, waiting `delay × attempt` in between. A repeat that
/// finds the payment already executed comes back as
/// [`ExecuteOutcome::AlreadyProcessed`](crate::ExecuteOutcome::AlreadyProcessed). Maya
/// documents these faults as "may have happened": still failing after the last attempt, the
/// outcome is unknown ([`paykit_core::Error::OutcomeUnknown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecuteRetry {
    /// Total attempts, the first included (at least 1).
    pub attempts: u32,
    /// Base wait between attempts.
    pub delay: Duration,
}

impl Default for ExecuteRetry {
    /// Three attempts, 300 ms apart and growing: a created payment expires within seconds of
    /// being bound to the customer (spec §5.5), so retries must be quick.
    fn default() -> Self {
        ExecuteRetry {
            attempts: 3,
            delay: Duration::from_millis(300),
        }
    }
}

impl ExecuteRetry {
    /// `attempts` in total (clamped to at least 1), `delay` apart (growing linearly).
    pub fn new(attempts: u32, delay: Duration) -> Self {
        ExecuteRetry {
            attempts: attempts.max(1),
            delay,
        }
    }

    /// No retries on fault codes.
    pub fn none() -> Self {
        ExecuteRetry::new(1, Duration::ZERO)
    }
}

/// Default cache tuning for the client credentials token: Maya documents a 3600 s lifetime;
/// refresh 60 s ahead (spec §3.5).
pub fn default_client_token_cache() -> TokenCacheConfig {
    TokenCacheConfig::default()
        .refresh_margin(Duration::from_secs(60))
        .default_lifetime(Duration::from_secs(3600))
}

/// Default cache tuning for a customer session: refresh 30 s before `expiresAt`.
pub fn default_session_token_cache() -> TokenCacheConfig {
    TokenCacheConfig::default().refresh_margin(Duration::from_secs(30))
}

/// Default length of the lease a fleet instance holds while it refreshes a shared customer
/// session ([`MayaClientBuilder::session_lease`](crate::MayaClientBuilder::session_lease)).
pub const DEFAULT_SESSION_LEASE: Duration = Duration::from_secs(10);

/// Longest session lease accepted: a crashed instance delays its sessions' refresh this long.
pub(crate) const MAX_SESSION_LEASE: Duration = Duration::from_secs(600);

/// Shortest session lease accepted: a lease is renewed every third of it, and waiters poll
/// every 20 ms.
pub(crate) const MIN_SESSION_LEASE: Duration = Duration::from_millis(60);

/// A configured token URL split into the executor's base URL and the request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenEndpoint {
    pub(crate) base: String,
    pub(crate) path: String,
}

impl TokenEndpoint {
    /// Splits `https://host[:port]/path` into `https://host[:port]` and `/path`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        validate::non_blank("token_url", text)?;
        let url = Url::parse(text)
            .map_err(|e| Error::invalid_input("token_url", format!("is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::invalid_input("token_url", "must be an http(s) URL"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid_input(
                "token_url",
                "must not carry a query or fragment",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid_input(
                "token_url",
                "must not carry credentials; set client_id and client_secret instead",
            ));
        }
        let base = url.origin().ascii_serialization();
        let path = url.path().to_owned();
        if path.is_empty() || path == "/" {
            return Err(Error::invalid_input(
                "token_url",
                "must include the token endpoint's path (e.g. /oauth/token)",
            ));
        }
        Ok(TokenEndpoint { base, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_split_into_origin_and_path() {
        let e = TokenEndpoint::parse("https://connect.example.ph:8443/oauth/token").unwrap();
        assert_eq!(e.base, "https://connect.example.ph:8443");
        assert_eq!(e.path, "/oauth/token");
        let e = TokenEndpoint::parse("http://127.0.0.1:9000/maya/connect/token").unwrap();
        assert_eq!(e.path, "/maya/connect/token");
    }

    #[test]
    fn unusable_token_urls_are_refused() {
        for bad in [
            "",
            "connect.example.ph/oauth/token",
            "ftp://connect.example.ph/token",
            "https://connect.example.ph",
            "https://connect.example.ph/",
            "https://connect.example.ph/token?x=1",
            "https://user:pw@connect.example.ph/token",
        ] {
            let err = TokenEndpoint::parse(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "token_url"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn execute_retry_is_at_least_one_attempt() {
        assert_eq!(ExecuteRetry::new(0, Duration::ZERO).attempts, 1);
        assert_eq!(ExecuteRetry::default().attempts, 3);
    }
}
