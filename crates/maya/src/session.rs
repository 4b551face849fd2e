//! The customer session: the token pair Maya pushes to the merchant's Session URL (spec §4.1),
//! the handler's parser and reply, and [`CustomerSession`], which keeps the newest pair and
//! renews it through `POST /tokens` (spec §4.2), one refresh at a time.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use http::HeaderName;
use paykit_core::http::{Credential, HttpExecutor};
use paykit_core::store::{StoredSession, unix_millis};
use paykit_core::{
    CachedTokenSource, Error, Expiry, Result, SecretString, TokenCacheConfig, TokenGrant,
    TokenSource,
};
use paykit_core::{ExposeSecret, webhook::WebhookRequest};

use crate::auth::{REQUEST_REFERENCE_NO, SessionRefresher, session_ended};
use crate::reference::random_uuid_v4;
use crate::shared_session::SharedSession;
use crate::validate;
use crate::wire::{self, CustomerTokens};

/// The header the customer token travels in (spec §5.1), raw, without a scheme.
pub const X_AUTHORIZATION: &str = "x-authorization";

/// A customer's Maya token pair: `accessToken`, `refreshToken` and `expiresAt` (Unix seconds).
///
/// `Debug` shows only `expires_at`. Persist the pair with
/// [`ExposeSecret::expose_secret`](paykit_core::ExposeSecret) on both tokens.
#[derive(Clone)]
pub struct SessionTokens {
    access_token: SecretString,
    refresh_token: SecretString,
    expires_at: i64,
}

impl SessionTokens {
    /// A pair as stored by the merchant. Both tokens must be non-empty visible ASCII (they are
    /// sent in a header and a JSON body) and `expires_at` positive Unix seconds.
    pub fn new(
        access_token: SecretString,
        refresh_token: SecretString,
        expires_at: i64,
    ) -> Result<Self> {
        validate::token("access_token", access_token.expose_secret())?;
        validate::token("refresh_token", refresh_token.expose_secret())?;
        validate::expires_at("expires_at", expires_at)?;
        Ok(SessionTokens {
            access_token,
            refresh_token,
            expires_at,
        })
    }

    pub(crate) fn from_wire(wire: CustomerTokens) -> Result<Self> {
        SessionTokens::new(
            SecretString::from(wire.access_token),
            SecretString::from(wire.refresh_token),
            wire.expires_at,
        )
    }

    /// The customer access token (`X-Authorization`).
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The customer refresh token (body of `POST /tokens`).
    pub fn refresh_token(&self) -> &SecretString {
        &self.refresh_token
    }

    /// When the access token expires, in Unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// True once `expires_at` has passed by the system clock.
    pub fn is_expired(&self) -> bool {
        self.seconds_left() <= 0
    }

    /// Seconds until `expires_at` (negative once past).
    pub(crate) fn seconds_left(&self) -> i64 {
        self.expires_at.saturating_sub(unix_now())
    }

    /// True when both tokens and the expiry are the same.
    pub(crate) fn same_pair(&self, other: &SessionTokens) -> bool {
        self.access_token.expose_secret() == other.access_token.expose_secret()
            && self.refresh_token.expose_secret() == other.refresh_token.expose_secret()
            && self.expires_at == other.expires_at
    }

    /// True while the access token has more than `margin` left (the cache would not refresh
    /// it yet).
    pub(crate) fn is_fresh(&self, margin: Duration) -> bool {
        let margin_ms = i64::try_from(margin.as_millis()).unwrap_or(i64::MAX);
        self.expires_at
            .saturating_mul(1000)
            .saturating_sub(unix_millis())
            > margin_ms
    }

    /// The pair as a session store keeps it, with no refresh under way.
    pub(crate) fn to_stored(&self) -> StoredSession {
        StoredSession::new(
            self.access_token.clone(),
            self.refresh_token.clone(),
            self.expires_at,
        )
    }

    /// The pair a session store holds, checked like a pushed one: a value another process
    /// wrote is not trusted blindly. The error names the field, never a value.
    pub(crate) fn from_stored(stored: &StoredSession) -> Result<Self> {
        SessionTokens::new(
            stored.access_token.clone(),
            stored.refresh_token.clone(),
            stored.expires_at,
        )
        .map_err(|e| Error::store("session", "decode", e))
    }

    /// The pair as a grant for core's cache: the access token, expiring at `expiresAt`. The
    /// refresh token stays with the session, which always refreshes with the newest one.
    pub(crate) fn grant(&self) -> Result<TokenGrant> {
        let millis = validate::expires_at("expires_at", self.expires_at)?;
        Ok(TokenGrant::access_only(
            self.access_token.clone(),
            Expiry::AtUnixMillis(millis),
        ))
    }
}

impl fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionTokens")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What Maya posts to the merchant's Session URL when the customer opens the Mini App.
///
/// ```
/// use paykit_maya::{SessionPush, SessionReply};
///
/// let body = br#"{"accessToken":"test-access-token","refreshToken":"test-refresh-token","expiresAt":1767225600}"#;
/// let push = SessionPush::parse_body(body)?;
/// assert_eq!(push.tokens().expires_at(), 1767225600);
/// // Store push.into_tokens() under a fresh one-time session id, then answer at once:
/// let reply = SessionReply::generate()?;
/// assert!(String::from_utf8(reply.body()).unwrap().starts_with("{\"sessionId\":\""));
/// # Ok::<(), paykit_core::Error>(())
/// ```
///
/// On a fleet, store the pair where every instance finds it
/// ([`MayaClient::store_session`](crate::MayaClient::store_session)); the landing page's
/// instance then opens it with [`MayaClient::shared_session`](crate::MayaClient::shared_session):
///
/// ```
/// use std::sync::Arc;
///
/// use paykit_core::store::InMemorySessionStore;
/// use paykit_core::{SecretString, SessionStore};
/// use paykit_maya::{MayaClient, SessionPush, SessionReply};
///
/// async fn on_session_url(
///     client: &MayaClient,
///     store: Arc<dyn SessionStore>,
///     body: &[u8],
/// ) -> paykit_core::Result<SessionReply> {
///     let push = SessionPush::parse_body(body)?;
///     let reply = SessionReply::generate()?;
///     // One compare-and-swap: fast enough to answer Maya at once. Nothing is sent to Maya.
///     client
///         .store_session(store, reply.session_id(), push.into_tokens())
///         .await?;
///     Ok(reply)
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let client = MayaClient::builder("client-id", SecretString::from("client-secret"))
///     .token_url("https://connect.example.ph/oauth/token")
///     .build()?;
/// let store: Arc<dyn SessionStore> = Arc::new(InMemorySessionStore::new());
/// let body = br#"{"accessToken":"test-access-token","refreshToken":"test-refresh-token","expiresAt":1767225600}"#;
/// let reply = on_session_url(&client, store.clone(), body).await?;
/// // Later, on any instance, for the landing page's request:
/// let session = client.shared_session(store, reply.session_id()).await?;
/// assert!(session.is_shared());
/// # Ok::<(), paykit_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct SessionPush {
    tokens: SessionTokens,
    request_reference: Option<String>,
}

impl SessionPush {
    /// Largest body accepted by default ([`paykit_core::MAX_CALLBACK_BYTES`]): a token pair is
    /// a few kilobytes at most. [`SessionPush::parse_request_within`] takes another limit.
    pub const MAX_BODY_BYTES: usize = paykit_core::MAX_CALLBACK_BYTES;

    /// Parses the request: `Content-Type` must be JSON when present; `Request-Reference-No`
    /// (Maya's trace id) is kept when present and well formed. A body over
    /// [`SessionPush::MAX_BODY_BYTES`] is refused before anything is read.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self> {
        SessionPush::parse_request(&WebhookRequest::new(headers, body))
    }

    /// Parses a request kept as a [`WebhookRequest`] (headers optional), with the default
    /// body limit.
    pub fn parse_request(request: &WebhookRequest<'_>) -> Result<Self> {
        SessionPush::parse_request_within(request, Self::MAX_BODY_BYTES)
    }

    /// Parses a request whose body may be at most `limit` bytes. The limit is checked first,
    /// before the headers or any byte of the body are looked at: the Session URL is public,
    /// and a flood of huge bodies must not cost parse time. Over it, the error names `body`.
    pub fn parse_request_within(request: &WebhookRequest<'_>, limit: usize) -> Result<Self> {
        let body = request.bounded_body(limit).map_err(|_| too_large(limit))?;
        let mut push = SessionPush::parse_unbounded(body)?;
        if let Some(headers) = request.headers {
            push.read_headers(headers)?;
        }
        Ok(push)
    }

    /// Checks `Content-Type` and keeps a well-formed `Request-Reference-No`.
    fn read_headers(&mut self, headers: &HeaderMap) -> Result<()> {
        if let Some(content_type) = headers.get(http::header::CONTENT_TYPE) {
            let is_json = content_type
                .to_str()
                .ok()
                .and_then(|v| v.split(';').next())
                .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
            if !is_json {
                return Err(Error::invalid_input(
                    "content-type",
                    "the Session URL expects application/json",
                ));
            }
        }
        self.request_reference = headers
            .get(HeaderName::from_static(REQUEST_REFERENCE_NO))
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| validate::request_reference("request_reference", v).is_ok())
            .map(str::to_owned);
        Ok(())
    }

    /// Parses the JSON body alone, with the default body limit. Errors name the field and
    /// never echo a token.
    pub fn parse_body(body: &[u8]) -> Result<Self> {
        SessionPush::parse_request_within(&WebhookRequest::body_only(body), Self::MAX_BODY_BYTES)
    }

    /// The body, already within its limit.
    fn parse_unbounded(body: &[u8]) -> Result<Self> {
        let wire: CustomerTokens = serde_json::from_slice(body).map_err(|e| {
            // serde's message could quote a token; keep only where it failed.
            Error::invalid_input(
                "body",
                format!(
                    "must be a JSON object with accessToken and refreshToken (strings) and \
                     expiresAt (Unix seconds); unreadable at line {} column {}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let tokens = SessionTokens::new(
            SecretString::from(wire.access_token),
            SecretString::from(wire.refresh_token),
            wire.expires_at,
        )
        .map_err(rename_to_wire_fields)?;
        Ok(SessionPush {
            tokens,
            request_reference: None,
        })
    }

    /// The pushed token pair.
    pub fn tokens(&self) -> &SessionTokens {
        &self.tokens
    }

    /// The pushed token pair, by value.
    pub fn into_tokens(self) -> SessionTokens {
        self.tokens
    }

    /// Maya's `Request-Reference-No`, when it sent a well-formed one.
    pub fn request_reference(&self) -> Option<&str> {
        self.request_reference.as_deref()
    }
}

/// The error for a body over `limit`: an input error naming `body`, like every other fault
/// of a push (core's check reports it as a bad callback body; a push is not signed).
fn too_large(limit: usize) -> Error {
    Error::invalid_input("body", format!("larger than {limit} bytes"))
}

/// Names the push's fields as Maya spells them.
fn rename_to_wire_fields(error: Error) -> Error {
    match error {
        Error::InvalidInput { field, reason } => {
            let field = match field.as_ref() {
                "access_token" => "accessToken",
                "refresh_token" => "refreshToken",
                "expires_at" => "expiresAt",
                _ => return Error::InvalidInput { field, reason },
            };
            Error::invalid_input(field, reason)
        }
        other => other,
    }
}

/// The Session URL's answer: `{"sessionId": "..."}` with a 2xx status (spec §4.1). Maya
/// appends the id to the landing page URL; it must be single use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReply {
    session_id: String,
}

impl SessionReply {
    /// The reply's `Content-Type`.
    pub const CONTENT_TYPE: &'static str = "application/json";

    /// The HTTP status to answer with.
    pub const STATUS: u16 = 200;

    /// A reply with the merchant's own id: 1–255 URL-safe characters.
    pub fn new(session_id: impl Into<String>) -> Result<Self> {
        let session_id = session_id.into();
        validate::session_id(&session_id)?;
        Ok(SessionReply { session_id })
    }

    /// A reply with a fresh random UUIDv4 (what Maya recommends).
    pub fn generate() -> Result<Self> {
        Ok(SessionReply {
            session_id: random_uuid_v4()?,
        })
    }

    /// The id to store the token pair under.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The JSON body.
    pub fn body(&self) -> Vec<u8> {
        let reply = wire::SessionReply {
            session_id: &self.session_id,
        };
        // A struct of one validated URL-safe string always serializes.
        serde_json::to_vec(&reply).unwrap_or_default()
    }
}

/// One customer's session with the newest token pair, shared by every call made for that
/// customer. Cheap to clone (clones share the pair).
///
/// The access token is renewed through `POST /tokens` shortly before `expiresAt`, and after
/// Maya rejects it (HTTP 401), one refresh at a time however many calls wait for it. Maya
/// rotates the refresh token on every refresh: persist [`CustomerSession::tokens`] when
/// [`CustomerSession::revision`] changes.
///
/// A session kept in a [`paykit_core::SessionStore`]
/// ([`MayaClient::shared_session`](crate::MayaClient::shared_session),
/// [`MayaClient::store_session`](crate::MayaClient::store_session)) persists itself: one
/// instance of the fleet refreshes for all of them, and the others adopt the pair it stored.
///
/// `Debug` shows the expiry, the revision and whether the session ended or is shared; never a
/// token, nor the store key.
#[derive(Clone)]
pub struct CustomerSession {
    source: Arc<CachedTokenSource<SessionRefresher>>,
}

impl CustomerSession {
    /// A session whose pair this process alone holds.
    pub(crate) fn new(
        executor: HttpExecutor,
        client_token: Arc<dyn TokenSource>,
        tokens: SessionTokens,
        config: TokenCacheConfig,
    ) -> Result<Self> {
        let grant = tokens.grant()?;
        let refresher = SessionRefresher::new(executor, client_token, tokens);
        Ok(CustomerSession::over(refresher, config, grant))
    }

    /// A session whose pair lives in a session store, starting from `tokens` as read there
    /// (`ended`: as stored).
    pub(crate) fn shared(
        executor: HttpExecutor,
        client_token: Arc<dyn TokenSource>,
        tokens: SessionTokens,
        ended: Option<String>,
        shared: SharedSession,
        config: TokenCacheConfig,
    ) -> Result<Self> {
        let grant = tokens.grant()?;
        let refresher = SessionRefresher::shared(executor, client_token, tokens, ended, shared);
        Ok(CustomerSession::over(refresher, config, grant))
    }

    fn over(refresher: SessionRefresher, config: TokenCacheConfig, grant: TokenGrant) -> Self {
        let source =
            CachedTokenSource::seeded(refresher, config, grant, tokio::time::Instant::now());
        CustomerSession {
            source: Arc::new(source),
        }
    }

    /// True when the pair lives in a [`paykit_core::SessionStore`]
    /// ([`MayaClient::shared_session`](crate::MayaClient::shared_session)).
    pub fn is_shared(&self) -> bool {
        self.source.fetcher().shared.is_some()
    }

    /// The newest token pair this instance knows (pushed, refreshed here, or for a shared
    /// session adopted from the store), to persist.
    pub fn tokens(&self) -> SessionTokens {
        self.source.fetcher().lock().tokens.clone()
    }

    /// How many times the pair this instance holds changed (refreshed here, or for a shared
    /// session adopted from the store); persist on change. Counted per instance: it is not
    /// the store's revision.
    pub fn revision(&self) -> u64 {
        self.source.fetcher().lock().revision
    }

    /// When the newest access token expires, in Unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.source.fetcher().lock().tokens.expires_at()
    }

    /// True once Maya has refused a refresh (for a shared session: as this instance last read
    /// the store): the session lasts until the current access token expires, then the
    /// customer must reopen the Mini App.
    pub fn is_ended(&self) -> bool {
        self.source.fetcher().lock().ended.is_some()
    }

    /// Makes sure the access token is fresh, refreshing it if it is about to expire.
    pub async fn ensure_fresh(&self) -> Result<()> {
        self.check_usable()?;
        self.source.token().await.map(drop)
    }

    /// Refreshes now, even if the access token is still fresh, and returns the new pair.
    /// Concurrent calls cause one refresh.
    pub async fn refresh(&self) -> Result<SessionTokens> {
        self.check_usable()?;
        let before = self.revision();
        let current = self.source.token().await?;
        if self.revision() == before {
            self.source.invalidate(&current);
            self.source.token().await?;
        }
        if self.revision() == before {
            // The cache kept serving the still-valid token; report why the refresh failed.
            let error = self.source.fetcher().lock().last_error.clone();
            return Err(error.unwrap_or_else(|| {
                Error::invalid_input("session", "the customer token could not be refreshed")
            }));
        }
        Ok(self.tokens())
    }

    /// Drops the current access token, so the next call refreshes the pair first (Maya
    /// refused the token after the executor had renewed the other one).
    pub(crate) async fn invalidate_current(&self) -> Result<()> {
        let current = self.source.token().await?;
        self.source.invalidate(&current);
        Ok(())
    }

    /// `X-Authorization: <customer access token>`, renewed on HTTP 401.
    pub(crate) fn credential(&self) -> Credential {
        Credential::TokenHeader {
            header: HeaderName::from_static(X_AUTHORIZATION),
            source: self.source.clone(),
        }
    }

    /// Refuses, before any I/O, a session Maya will no longer renew whose access token has
    /// expired.
    ///
    /// A shared session asks its store instead (through the refresh): another instance may
    /// have stored a newer pair since, pushed when the customer reopened the Mini App.
    pub(crate) fn check_usable(&self) -> Result<()> {
        if self.is_shared() {
            return Ok(());
        }
        let state = self.source.fetcher().lock();
        match &state.ended {
            Some(reason) if state.tokens.is_expired() => Err(session_ended(reason)),
            _ => Ok(()),
        }
    }

    /// The current token values, to scrub from provider messages.
    pub(crate) fn secret_values(&self) -> [String; 2] {
        self.source.fetcher().secret_values()
    }
}

impl fmt::Debug for CustomerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.source.fetcher().lock();
        f.debug_struct("CustomerSession")
            .field("expires_at", &state.tokens.expires_at())
            .field("revision", &state.revision)
            .field("ended", &state.ended.is_some())
            .field("shared", &self.source.fetcher().shared.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    const PUSH: &[u8] = br#"{"accessToken":"test-access-token","refreshToken":"test-refresh-token","expiresAt":1767225600}"#;

    fn field(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn parses_the_documented_push() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        headers.insert(
            REQUEST_REFERENCE_NO,
            HeaderValue::from_static("3f1c2a9e-8b7d-4c55-9e21-6d0b7a1f4c10"),
        );
        let push = SessionPush::parse(&headers, PUSH).unwrap();
        assert_eq!(
            push.tokens().access_token().expose_secret(),
            "test-access-token"
        );
        assert_eq!(
            push.tokens().refresh_token().expose_secret(),
            "test-refresh-token"
        );
        assert_eq!(push.tokens().expires_at(), 1_767_225_600);
        assert_eq!(
            push.request_reference(),
            Some("3f1c2a9e-8b7d-4c55-9e21-6d0b7a1f4c10")
        );
        let again = SessionPush::parse_request(&WebhookRequest::body_only(PUSH)).unwrap();
        assert!(again.request_reference().is_none());
    }

    #[test]
    fn bad_pushes_name_the_field_and_never_echo_tokens() {
        let cases: &[(&[u8], &str)] = &[
            (
                br#"{"accessToken":"","refreshToken":"r","expiresAt":1}"#,
                "accessToken",
            ),
            (
                br#"{"accessToken":"a","refreshToken":"r r","expiresAt":1}"#,
                "refreshToken",
            ),
            (
                br#"{"accessToken":"a","refreshToken":"r","expiresAt":0}"#,
                "expiresAt",
            ),
            (br#"{"accessToken":"secret-a","refreshToken":"r"}"#, "body"),
            (
                br#"{"accessToken":7,"refreshToken":"secret-r","expiresAt":1}"#,
                "body",
            ),
            (b"not json secret-a", "body"),
            (b"\xff\x00", "body"),
        ];
        for (body, expected) in cases {
            let err = SessionPush::parse_body(body).unwrap_err();
            let text = err.to_string();
            assert!(!text.contains("secret-"), "{text}");
            assert_eq!(field(err), *expected, "{}", String::from_utf8_lossy(body));
        }
        let huge = vec![b' '; SessionPush::MAX_BODY_BYTES + 1];
        assert_eq!(field(SessionPush::parse_body(&huge).unwrap_err()), "body");
    }

    #[test]
    fn non_json_content_type_is_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain"),
        );
        assert_eq!(
            field(SessionPush::parse(&headers, PUSH).unwrap_err()),
            "content-type"
        );
    }

    #[test]
    fn replies_carry_a_url_safe_session_id() {
        let reply = SessionReply::new("b6f0e3d2-1c4a-4f7e-9a55-0e8d2c7b9a31").unwrap();
        assert_eq!(
            reply.body(),
            br#"{"sessionId":"b6f0e3d2-1c4a-4f7e-9a55-0e8d2c7b9a31"}"#
        );
        assert!(SessionReply::new("a b").is_err());
        let generated = SessionReply::generate().unwrap();
        validate::session_id(generated.session_id()).unwrap();
        assert_ne!(generated, SessionReply::generate().unwrap());
    }

    #[test]
    fn token_debug_is_redacted() {
        let push = SessionPush::parse_body(PUSH).unwrap();
        let text = format!("{push:?}");
        assert!(!text.contains("test-access-token") && !text.contains("test-refresh-token"));
        assert!(text.contains("1767225600"));
    }
}
