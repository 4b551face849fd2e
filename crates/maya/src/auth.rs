//! Token fetching: the client credentials token from Maya Connect (spec §3) and the customer
//! token refresh through `POST /tokens` (spec §4.2). Both are wrapped in core's
//! [`CachedTokenSource`](paykit_core::CachedTokenSource) by the client and the session.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use http::HeaderValue;
use http::header::ACCEPT;
use paykit_core::TokenSource;
use paykit_core::http::{
    ApiRequest, BasicAuth, Credential, Effect, HttpExecutor, Idempotency, RawResponse,
};
use paykit_core::{
    Error, Expiry, ExposeSecret, PaymentRef, Result, SecretString, TokenFetcher, TokenGrant,
};

use crate::config::TokenBodyEncoding;
use crate::error::{self, ErrorBody};
use crate::session::SessionTokens;
use crate::shared_session::SharedSession;
use crate::validate;
use crate::wire::{self, CustomerTokens, RefreshRequest, TokenRequestJson, TokenResponse};
use crate::{call, reference};

/// The header carrying the per-request UUIDv4 on every Mini App call.
pub(crate) const REQUEST_REFERENCE_NO: &str = "request-reference-no";

/// Lifetime assumed when Maya Connect gives no (or a zero) `expires_in`: the documented 3600 s.
pub(crate) const DEFAULT_CLIENT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Longest `expires_in` believed: a day (Maya documents 3600 s). Larger values are cut, so an
/// absurd answer cannot keep a token forever or overflow the cache's clock arithmetic.
pub(crate) const MAX_CLIENT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

pub(crate) fn accept_json() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

/// OAuth 2.0 `client_credentials` against Maya Connect: HTTP Basic with the client id and
/// secret, `grant_type` in the body.
#[derive(Debug)]
pub(crate) struct ClientCredentials {
    executor: HttpExecutor,
    path: String,
    basic: BasicAuth,
    encoding: TokenBodyEncoding,
    scope: Option<String>,
}

impl ClientCredentials {
    pub(crate) fn new(
        executor: HttpExecutor,
        path: String,
        basic: BasicAuth,
        encoding: TokenBodyEncoding,
        scope: Option<String>,
    ) -> Self {
        ClientCredentials {
            executor,
            path,
            basic,
            encoding,
            scope,
        }
    }

    /// The token request, described.
    fn request(&self) -> Result<ApiRequest> {
        let request = ApiRequest::post("maya-client-token", self.path.clone())
            .header(ACCEPT, accept_json())
            .auth(Credential::Basic(self.basic.clone()))
            // A token grant changes nothing at Maya: retried like a read.
            .idempotency(Idempotency::Read)
            .effect(Effect::Read)
            .sensitive_response();
        match self.encoding {
            TokenBodyEncoding::Form => {
                let mut pairs = vec![("grant_type", wire::GRANT_TYPE)];
                if let Some(scope) = &self.scope {
                    pairs.push(("scope", scope));
                }
                Ok(request.form(&pairs))
            }
            TokenBodyEncoding::Json => request.json(&TokenRequestJson {
                grant_type: wire::GRANT_TYPE,
                scope: self.scope.as_deref(),
            }),
        }
    }
}

#[async_trait]
impl TokenFetcher for ClientCredentials {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.executor
            .call(&self.request()?, &PaymentRef::new(), client_token_answer)
            .await
    }
}

/// The grant of a client-credentials token answer, or the error it carries.
pub(crate) fn client_token_answer(response: &RawResponse) -> Result<TokenGrant> {
    if !response.is_success() {
        return Err(error::token_error(response));
    }
    let body: TokenResponse = response.json()?;
    if validate::token("access_token", &body.access_token).is_err() {
        return Err(error::unexpected(
            "access_token is empty or not header-safe",
            &response.body,
            true,
        ));
    }
    if let Some(kind) = body.token_type.as_deref() {
        if !kind.eq_ignore_ascii_case("bearer") {
            tracing::warn!(
                token_type = kind,
                "Maya Connect issued a non-Bearer token type"
            );
        }
    }
    let lifetime = match body.expires_in {
        Some(seconds) if seconds > 0 => Duration::from_secs(seconds).min(MAX_CLIENT_TOKEN_LIFETIME),
        _ => DEFAULT_CLIENT_TOKEN_LIFETIME,
    };
    Ok(TokenGrant::access_only(
        SecretString::from(body.access_token),
        Expiry::After(lifetime),
    ))
}

/// The new token pair of a 2xx `POST /tokens` answer.
pub(crate) fn customer_tokens_answer(response: &RawResponse) -> Result<SessionTokens> {
    let body: CustomerTokens = response.json()?;
    SessionTokens::from_wire(body).map_err(|e| {
        error::unexpected(
            format!("refresh answer unusable: {e}"),
            &response.body,
            true,
        )
    })
}

/// What a customer session knows: the newest token pair, how often it was renewed, and why it
/// ended, if it did.
pub(crate) struct SessionState {
    pub(crate) tokens: SessionTokens,
    pub(crate) revision: u64,
    pub(crate) ended: Option<String>,
    pub(crate) last_error: Option<Error>,
}

/// A failed `POST /tokens`, and whether Maya's answer ends the session.
pub(crate) struct RefreshFailure {
    pub(crate) error: Error,
    /// Maya refused the refresh token itself ([`ends_session`]): trying again cannot help.
    pub(crate) ends_session: bool,
}

/// Renews one customer's token pair through `POST /tokens`. Core's cache calls it (single
/// flight); it keeps the newest pair itself, so the refresh token the cache never sees is
/// always the one Maya issued last. With a [`SharedSession`] the pair lives in a
/// [`paykit_core::SessionStore`] and the refresh follows the fleet protocol of
/// [`crate::shared_session`].
pub(crate) struct SessionRefresher {
    executor: HttpExecutor,
    pub(crate) client_token: Arc<dyn TokenSource>,
    state: Mutex<SessionState>,
    pub(crate) shared: Option<SharedSession>,
}

impl fmt::Debug for SessionRefresher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SessionRefresher")
            .field("tokens", &state.tokens)
            .field("revision", &state.revision)
            .field("ended", &state.ended.is_some())
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl SessionRefresher {
    /// A refresher of a pair this process alone holds.
    pub(crate) fn new(
        executor: HttpExecutor,
        client_token: Arc<dyn TokenSource>,
        tokens: SessionTokens,
    ) -> Self {
        SessionRefresher::with_state(executor, client_token, tokens, None, None)
    }

    /// A refresher of a pair kept in a session store (`ended`: as stored).
    pub(crate) fn shared(
        executor: HttpExecutor,
        client_token: Arc<dyn TokenSource>,
        tokens: SessionTokens,
        ended: Option<String>,
        shared: SharedSession,
    ) -> Self {
        SessionRefresher::with_state(executor, client_token, tokens, ended, Some(shared))
    }

    fn with_state(
        executor: HttpExecutor,
        client_token: Arc<dyn TokenSource>,
        tokens: SessionTokens,
        ended: Option<String>,
        shared: Option<SharedSession>,
    ) -> Self {
        SessionRefresher {
            executor,
            client_token,
            state: Mutex::new(SessionState {
                tokens,
                revision: 0,
                ended,
                last_error: None,
            }),
            shared,
        }
    }

    /// Makes `tokens` the pair this instance holds; the revision grows when the pair changed.
    pub(crate) fn hold(&self, tokens: &SessionTokens, ended: Option<String>) {
        let mut state = self.lock();
        if !state.tokens.same_pair(tokens) {
            state.tokens = tokens.clone();
            state.revision = state.revision.saturating_add(1);
        }
        state.ended = ended;
        state.last_error = None;
    }

    /// Records that the session ended, keeping the pair (its access token serves until it
    /// expires).
    pub(crate) fn mark_ended(&self, reason: String) {
        self.lock().ended = Some(reason);
    }

    /// The state, even after a panic elsewhere (every update is a plain assignment).
    pub(crate) fn lock(&self) -> MutexGuard<'_, SessionState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The current token values, for scrubbing them out of provider messages.
    pub(crate) fn secret_values(&self) -> [String; 2] {
        let state = self.lock();
        [
            state.tokens.access_token().expose_secret().to_owned(),
            state.tokens.refresh_token().expose_secret().to_owned(),
        ]
    }

    /// One refresh: through the store's protocol when the pair is shared, else one
    /// `POST /tokens` with the newest refresh token, whose new pair replaces the old one (Maya
    /// rotates refresh tokens on every refresh).
    async fn refresh(&self) -> Result<SessionTokens> {
        if let Some(shared) = &self.shared {
            return self.refresh_shared(shared).await;
        }
        let current = {
            let state = self.lock();
            if let Some(reason) = &state.ended {
                return Err(session_ended(reason));
            }
            state.tokens.clone()
        };
        match self.send_refresh(&current).await {
            Ok(tokens) => {
                self.hold(&tokens, None);
                Ok(tokens)
            }
            Err(failure) => {
                if failure.ends_session {
                    self.mark_ended(failure.error.to_string());
                }
                Err(failure.error)
            }
        }
    }

    /// `POST /tokens` with `current`'s refresh token: the new pair, or why there is none.
    /// Changes nothing in this refresher.
    pub(crate) async fn send_refresh(
        &self,
        current: &SessionTokens,
    ) -> std::result::Result<SessionTokens, RefreshFailure> {
        let passing = |error| RefreshFailure {
            error,
            ends_session: false,
        };
        let request = ApiRequest::post("maya-refresh-customer-token", "/tokens")
            .header(ACCEPT, accept_json())
            // A fresh reference per attempt: it names one HTTP request, not the refresh.
            .header_per_attempt(
                http::HeaderName::from_static(REQUEST_REFERENCE_NO),
                reference::fresh_header,
            )
            .auth(Credential::Bearer(self.client_token.clone()))
            .json(&RefreshRequest {
                refresh_token: current.refresh_token().expose_secret(),
            })
            .map_err(passing)?
            // Maya rotates the refresh token: a repeat after a lost answer would present a
            // refresh token that may already be spent, so never repeat once possibly sent.
            .idempotency(Idempotency::Mutating)
            // It renews the customer's tokens and moves no money.
            .effect(Effect::NoMoney)
            .sensitive_response();
        let secrets = [
            current.access_token().expose_secret(),
            current.refresh_token().expose_secret(),
        ];
        let no_ids = PaymentRef::new();
        let ended = AtomicBool::new(false);
        let call = self.executor.call(&request, &no_ids, |response| {
            if !response.is_success() {
                let error = error::from_response(response, &secrets);
                let refused = ErrorBody::parse(&response.body)
                    .is_some_and(|body| ends_session(response.status.as_u16(), &body));
                // The last answer decides (a 401 about the client token is renewed and sent
                // again by the executor).
                ended.store(refused, Ordering::Relaxed);
                return Err(error);
            }
            customer_tokens_answer(response)
        });
        // Its own record: this refresh runs inside the attempt of the payment call that needed
        // the token, and must not pass its reference off as that call's.
        let (tokens, _) = call::scope(call).await;
        tokens.map_err(|error| RefreshFailure {
            error,
            ends_session: ended.load(Ordering::Relaxed),
        })
    }
}

#[async_trait]
impl TokenFetcher for SessionRefresher {
    /// There are no customer credentials: "fetching" means refreshing with the newest refresh
    /// token. If that fails for a passing reason while the current access token is still
    /// valid, the current one is handed back so the cache keeps serving it.
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        match self.refresh().await {
            Ok(tokens) => tokens.grant(),
            Err(error) => {
                let mut state = self.lock();
                state.last_error = Some(error.clone());
                let still_valid = state.ended.is_none()
                    && state.tokens.seconds_left() > 5
                    && !matches!(error, Error::InvalidInput { .. });
                if still_valid {
                    tracing::warn!(%error, "customer token refresh failed; the current token is still valid");
                    state.tokens.grant()
                } else {
                    Err(error)
                }
            }
        }
    }

    async fn fetch_with_refresh(&self, _refresh_token: &SecretString) -> Result<TokenGrant> {
        self.fetch_with_credentials().await
    }
}

/// True when Maya refused the refresh itself (the refresh token is spent, expired or unknown),
/// as opposed to our client credentials, the merchant account, or a passing fault.
pub(crate) fn ends_session(status: u16, body: &ErrorBody) -> bool {
    matches!(status, 400 | 401 | 403 | 404) && !body.concerns_client() && !body.is_server_fault()
}

/// The error for a session that can no longer be renewed.
pub(crate) fn session_ended(reason: &str) -> Error {
    Error::invalid_input(
        "session",
        format!(
            "the customer's Maya session has ended and cannot be refreshed ({reason}); the \
             customer must reopen the Mini App from the Maya app"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str) -> ErrorBody {
        ErrorBody::parse(format!(r#"{{"code":"{code}","message":"m"}}"#).as_bytes()).unwrap()
    }

    #[test]
    fn refresh_rejections_end_the_session_but_client_and_fault_errors_do_not() {
        let oauth =
            ErrorBody::parse(br#"{"error":"invalid_token","error_description":"x"}"#).unwrap();
        assert!(ends_session(400, &oauth));
        assert!(ends_session(401, &body("PY0044")));
        assert!(!ends_session(401, &body("K003")));
        assert!(!ends_session(400, &body("PY0001")));
        assert!(!ends_session(500, &body("X")));
        assert!(!ends_session(404, &body("PY0017")));
    }
}
