//! The one place paykit does HTTP: base URL, credentials, timeouts, size cap, retries,
//! re-authentication on 401, and a tracing span per call.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use tokio::time::Instant;
use tracing::Instrument as _;
use url::Url;

use super::auth::{Credential, sensitive_value};
use super::classify::classify;
use super::request::{ApiRequest, Body, Idempotency};
use super::response::RawResponse;
use super::retry::RetryPolicy;
use crate::error::{Error, ProviderId, Result, Sent, TransportKind, UnknownCause};
use crate::payment_ref::PaymentRef;
use crate::token::AccessToken;
use secrecy::ExposeSecret as _;

/// Limits and retry behaviour of an [`HttpExecutor`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExecutorConfig {
    /// Deadline for one attempt, from connecting until the whole body has arrived.
    pub timeout: Duration,
    /// Deadline for establishing a connection (used when paykit builds the client).
    pub connect_timeout: Duration,
    /// Largest response body accepted; larger ones fail with [`TransportKind::BodyTooLarge`].
    pub max_response_bytes: usize,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Deadline for the whole call: token, every attempt, back-off and `Retry-After` waits.
    /// A wait that would cross it is not waited for: the last answer is returned instead.
    pub deadline: Duration,
    /// Allow a plain `http://` base URL on a host other than loopback. Off by default: tokens
    /// and payment data would cross the network in clear text.
    pub allow_plain_http: bool,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        ExecutorConfig {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 1024 * 1024,
            retry: RetryPolicy::default(),
            deadline: Duration::from_secs(60),
            allow_plain_http: false,
        }
    }
}

impl ExecutorConfig {
    /// Sets [`ExecutorConfig::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`ExecutorConfig::max_response_bytes`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Sets [`ExecutorConfig::retry`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets [`ExecutorConfig::allow_plain_http`].
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// Sets [`ExecutorConfig::deadline`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

/// Sends [`ApiRequest`]s to one provider's base URL.
#[derive(Debug, Clone)]
pub struct HttpExecutor {
    provider: ProviderId,
    client: reqwest::Client,
    base_url: Url,
    config: ExecutorConfig,
}

/// How one attempt ended.
enum Attempt {
    Response(RawResponse, Vec<AccessToken>),
    Failed(Error),
}

impl HttpExecutor {
    /// An executor with its own `reqwest::Client` (rustls, the configured connect timeout).
    pub fn new(provider: ProviderId, base_url: &str, config: ExecutorConfig) -> Result<Self> {
        // Never follow a redirect: reqwest would re-send a payment (or a token request and its
        // secret) to whatever the `Location` says. A 3xx is an answer like any other.
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Transport {
                provider,
                kind: TransportKind::Other(format!("cannot build the HTTP client: {e}")),
                sent: Sent::NotSent,
                mutating: false,
            })?;
        HttpExecutor::with_client(provider, base_url, client, config)
    }

    /// An executor over the caller's own client (proxies, custom roots, shared pools). Build it
    /// with `redirect(reqwest::redirect::Policy::none())`: an answer that arrives through a
    /// followed redirect is refused as [`TransportKind::FollowedRedirect`] (an unknown outcome
    /// for a money-moving call), and the request has by then been sent twice.
    pub fn with_client(
        provider: ProviderId,
        base_url: &str,
        client: reqwest::Client,
        config: ExecutorConfig,
    ) -> Result<Self> {
        let base_url = Url::parse(base_url).map_err(|e| {
            Error::invalid_input("base_url", format!("{base_url:?} is not a URL: {e}"))
        })?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(Error::invalid_input("base_url", "must be an http(s) URL"));
        }
        if !base_url.username().is_empty() || base_url.password().is_some() {
            // Credentials in a URL end up in logs and `Debug` output.
            return Err(Error::invalid_input(
                "base_url",
                "must not carry credentials (user:password@): configure them on the client",
            ));
        }
        if base_url.scheme() == "http" && !is_loopback(&base_url) && !config.allow_plain_http {
            return Err(Error::invalid_input(
                "base_url",
                "must be https:// (plain http:// only on loopback, or with \
                 ExecutorConfig::allow_plain_http)",
            ));
        }
        Ok(HttpExecutor {
            provider,
            client,
            base_url,
            config,
        })
    }

    /// The provider this executor talks to.
    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The limits in force.
    pub fn config(&self) -> &ExecutorConfig {
        &self.config
    }

    /// Sends `request`, retrying as its [`Idempotency`] allows, and returns the final response
    /// whatever its status. On HTTP 401 every token the request carried is invalidated and the
    /// request is sent once more with fresh tokens.
    pub async fn send(&self, request: &ApiRequest) -> Result<RawResponse> {
        let span = tracing::debug_span!(
            "paykit.http",
            provider = self.provider.as_str(),
            call = request.name,
            method = %request.method,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        self.send_with_retries(request).instrument(span).await
    }

    /// Sends `request` and parses its answer with `parse`, under the money-truth rule
    /// (DESIGN.md §8): for a call whose [`super::Effect`] moves money, every answer that leaves
    /// the outcome open (a 5xx, a timeout or reset after sending, a redirect, a success that
    /// cannot be decoded or whose echo mismatches, a provider fault) becomes
    /// [`Error::OutcomeUnknown`] carrying `ids`. HTTP 429 is [`Error::RateLimited`]. This is
    /// the entry point adapters use for every API call.
    pub async fn call<T>(
        &self,
        request: &ApiRequest,
        ids: &PaymentRef,
        parse: impl FnOnce(&RawResponse) -> Result<T>,
    ) -> Result<T> {
        let effect = request.effect_kind();
        let response = match self.send(request).await {
            Ok(response) => response,
            Err(error) => return Err(classify(error, effect, request.name, ids)),
        };
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            return Err(response.rate_limited());
        }
        parse(&response).map_err(|error| {
            with_retry_after(
                classify(error, effect, request.name, ids),
                response.retry_after(),
            )
        })
    }

    async fn send_with_retries(&self, request: &ApiRequest) -> Result<RawResponse> {
        let url = self.url_for(request)?;
        let policy = &self.config.retry;
        let ends = Instant::now() + self.config.deadline;
        let fits = |wait: Duration| Instant::now() + wait < ends;
        let mut attempt: u32 = 1;
        let mut reauthenticated = false;
        // Whether an earlier attempt may have reached the provider (for a deadline error).
        let mut sent_before = Sent::NotSent;
        loop {
            let remaining = ends.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::Transport {
                    provider: self.provider,
                    kind: TransportKind::Timeout,
                    sent: sent_before,
                    mutating: request.effect_kind().moves_money(),
                });
            }
            let outcome = self.attempt(request, &url, remaining).await;
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            match outcome {
                Attempt::Response(response, tokens) => {
                    span.record("status", response.status.as_u16());
                    if response.status == StatusCode::UNAUTHORIZED
                        && !tokens.is_empty()
                        && !reauthenticated
                    {
                        // The provider refused the token before doing anything: safe for every call.
                        let blamed = request.blame.and_then(|blame| blame(&response));
                        self.invalidate(request, &tokens, blamed);
                        reauthenticated = true;
                        tracing::debug!("HTTP 401: token invalidated, sending once more");
                        continue;
                    }
                    let may_retry =
                        attempt < policy.max_attempts && retry_allowed(request, Sent::MaybeSent);
                    if may_retry {
                        if let Some(wait) = policy
                            .delay_for_status(response.status, &response.headers, attempt)
                            .filter(|wait| fits(*wait))
                        {
                            sent_before = Sent::MaybeSent;
                            tracing::debug!(
                                status = response.status.as_u16(),
                                ?wait,
                                "transient status, retrying"
                            );
                            tokio::time::sleep(wait).await;
                            attempt += 1;
                            continue;
                        }
                    }
                    return Ok(response);
                }
                Attempt::Failed(error) => {
                    let sent = match &error {
                        Error::Transport { sent, .. } => Some(*sent),
                        _ => None,
                    };
                    let transient = matches!(
                        &error,
                        Error::Transport {
                            kind: TransportKind::Connect
                                | TransportKind::Timeout
                                | TransportKind::Other(_),
                            ..
                        }
                    );
                    let wait = policy.backoff(attempt);
                    let may_retry = attempt < policy.max_attempts
                        && transient
                        && fits(wait)
                        && sent.is_some_and(|sent| retry_allowed(request, sent));
                    if may_retry {
                        if sent == Some(Sent::MaybeSent) {
                            sent_before = Sent::MaybeSent;
                        }
                        tracing::debug!(%error, ?wait, "transport failure, retrying");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Invalidates the tokens the request carried: only the `blamed` one when known.
    fn invalidate(&self, request: &ApiRequest, tokens: &[AccessToken], blamed: Option<usize>) {
        let sources = request.credentials.iter().filter_map(|c| match c {
            Credential::Bearer(source) | Credential::TokenHeader { source, .. } => Some(source),
            Credential::Basic(_) | Credential::SecretHeader { .. } => None,
        });
        for (index, (source, token)) in sources.zip(tokens).enumerate() {
            if blamed.is_none_or(|blamed| blamed == index) {
                source.invalidate(token);
            }
        }
    }

    fn url_for(&self, request: &ApiRequest) -> Result<Url> {
        let base = self.base_url.as_str().trim_end_matches('/');
        let path = request.path.trim_start_matches('/');
        let mut url = Url::parse(&format!("{base}/{path}")).map_err(|e| {
            Error::invalid_input("path", format!("{:?} makes no URL: {e}", request.path))
        })?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter());
        }
        Ok(url)
    }

    /// Builds the headers, drawing one token per token credential (in credential order).
    async fn headers(&self, request: &ApiRequest) -> Result<(HeaderMap, Vec<AccessToken>)> {
        let mut headers = request.headers.clone();
        for (name, make) in &request.attempt_headers {
            headers.insert(name.clone(), make()?);
        }
        let mut tokens = Vec::new();
        for credential in &request.credentials {
            match credential {
                Credential::Bearer(source) => {
                    let token = source.token().await?;
                    headers.insert(
                        AUTHORIZATION,
                        sensitive_value(&format!("Bearer {}", token.expose_secret()))?,
                    );
                    tokens.push(token);
                }
                Credential::TokenHeader { header, source } => {
                    let token = source.token().await?;
                    headers.insert(header.clone(), sensitive_value(token.expose_secret())?);
                    tokens.push(token);
                }
                Credential::Basic(basic) => {
                    headers.insert(AUTHORIZATION, basic.header_value()?);
                }
                Credential::SecretHeader { header, value } => {
                    headers.insert(header.clone(), sensitive_value(value.expose_secret())?);
                }
            }
        }
        match &request.body {
            Body::Empty => {}
            Body::Json(_) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Body::Form(_) => {
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                );
            }
        }
        Ok((headers, tokens))
    }

    async fn attempt(&self, request: &ApiRequest, url: &Url, remaining: Duration) -> Attempt {
        let mutating = request.effect_kind().moves_money();
        let (headers, tokens) = match tokio::time::timeout(remaining, self.headers(request)).await {
            Ok(Ok(built)) => built,
            Ok(Err(error)) => return Attempt::Failed(self.no_token(error, request)),
            Err(_) => {
                // No token in time: this attempt sent nothing.
                return Attempt::Failed(Error::Transport {
                    provider: self.provider,
                    kind: TransportKind::Timeout,
                    sent: Sent::NotSent,
                    mutating,
                });
            }
        };
        let mut builder = self
            .client
            .request(request.method.clone(), url.clone())
            .headers(headers)
            .timeout(self.config.timeout.min(remaining));
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder.body(bytes.clone()),
            Body::Form(text) => builder.body(text.clone()),
        };
        let response = match builder.send().await {
            Ok(response) => response,
            Err(error) => return Attempt::Failed(self.transport_error(&error, mutating)),
        };
        let status = response.status();
        let redirect = if status.is_redirection() {
            Some(TransportKind::Redirect(status.as_u16()))
        } else if response.url() != url {
            Some(TransportKind::FollowedRedirect)
        } else {
            None
        };
        if let Some(kind) = redirect {
            tracing::warn!(status = status.as_u16(), "redirect answered; not followed");
            return Attempt::Failed(Error::Transport {
                provider: self.provider,
                kind,
                sent: Sent::MaybeSent,
                mutating,
            });
        }
        let headers = response.headers().clone();
        match self.read_body(response, mutating).await {
            Ok(body) => Attempt::Response(
                RawResponse {
                    provider: self.provider,
                    status,
                    headers,
                    body,
                    mutating,
                    sensitive: request.sensitive_response,
                },
                tokens,
            ),
            Err(error) => Attempt::Failed(error),
        }
    }

    async fn read_body(&self, mut response: reqwest::Response, mutating: bool) -> Result<Bytes> {
        let limit = self.config.max_response_bytes;
        let too_large = || Error::Transport {
            provider: self.provider,
            kind: TransportKind::BodyTooLarge { limit },
            sent: Sent::MaybeSent,
            mutating,
        };
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(too_large());
        }
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body.freeze()),
                Err(error) => return Err(self.transport_error(&error, mutating)),
            }
        }
    }

    /// A failure to obtain the call's token, as the call sees it: the call was never sent, so
    /// a token endpoint's fault (timeout, 5xx, unreadable answer) must not read as "the payment
    /// may have happened". Refusals (rejected credentials, a spent refresh token) stay as they
    /// are: they are final and known.
    fn no_token(&self, error: Error, request: &ApiRequest) -> Error {
        let fault = match &error {
            Error::Transport { .. }
            | Error::Decode { .. }
            | Error::Integrity { .. }
            | Error::OutcomeUnknown { .. } => true,
            Error::Api {
                retryable,
                http_status,
                ..
            } => *retryable || http_status.is_some_and(|status| status >= 500),
            _ => false,
        };
        if !fault {
            return error;
        }
        Error::Transport {
            provider: self.provider,
            kind: TransportKind::NoToken(error.to_string()),
            sent: Sent::NotSent,
            mutating: request.effect_kind().moves_money(),
        }
    }

    fn transport_error(&self, error: &reqwest::Error, mutating: bool) -> Error {
        // Only a failed connect proves nothing left this process; anything later may have been
        // received and acted upon.
        let (kind, sent) = if error.is_connect() {
            (TransportKind::Connect, Sent::NotSent)
        } else if error.is_builder() {
            (
                TransportKind::InvalidRequest(error_chain(error)),
                Sent::NotSent,
            )
        } else if error.is_timeout() {
            (TransportKind::Timeout, Sent::MaybeSent)
        } else {
            (TransportKind::Other(error_chain(error)), Sent::MaybeSent)
        };
        Error::Transport {
            provider: self.provider,
            kind,
            sent,
            mutating,
        }
    }
}

/// True for `localhost` and loopback addresses (the simulator, test servers).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Keeps the provider's `Retry-After` on an unknown outcome caused by a bare status (a 503).
fn with_retry_after(error: Error, wait: Option<Duration>) -> Error {
    match error {
        Error::OutcomeUnknown {
            provider,
            call,
            cause:
                UnknownCause::Status {
                    status,
                    retry_after,
                },
            payment,
        } => Error::OutcomeUnknown {
            provider,
            call,
            cause: UnknownCause::Status {
                status,
                retry_after: retry_after.or(wait),
            },
            payment,
        },
        other => other,
    }
}

/// A call may be repeated if it does not change state, the provider guarantees repeats are
/// harmless, or it certainly never arrived.
fn retry_allowed(request: &ApiRequest, sent: Sent) -> bool {
    match request.idempotency {
        Idempotency::Read | Idempotency::MutatingRetrySafe => true,
        Idempotency::Mutating => sent == Sent::NotSent,
    }
}

/// The error and its causes. The URL in it carries ids, never secrets: credentials travel in
/// headers only.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
