//! An API call described as data.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::Serialize;

use super::auth::Credential;
use super::classify::Effect;
use super::response::RawResponse;

/// Reads a 401 answer and names the token credential at fault, by its position among the
/// request's token credentials (0 for the first `Bearer`/`TokenHeader`); `None` blames them all.
pub type UnauthorizedBlame = fn(&RawResponse) -> Option<usize>;

/// Makes a header value anew for every HTTP attempt (a request id the provider wants unique
/// per request, such as Maya's `Request-Reference-No`).
pub type AttemptHeader = fn() -> Result<HeaderValue>;
use crate::error::{Error, Result};

/// A request body, already encoded. `Debug` shows the kind and size only: bodies of token
/// requests carry credentials.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// No body and no `Content-Type` (maib's GET and DELETE calls insist on this).
    Empty,
    /// `application/json`.
    Json(Bytes),
    /// `application/x-www-form-urlencoded`.
    Form(String),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(bytes) => write!(f, "Json({} bytes)", bytes.len()),
            Body::Form(text) => write!(f, "Form({} bytes)", text.len()),
        }
    }
}

/// Whether a call changes state at the provider, and whether repeating it is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// A read: retried on 429, 5xx and timeouts.
    Read,
    /// A state change the provider does not deduplicate (a payment, a refund): retried only
    /// when it certainly was not sent.
    Mutating,
    /// A state change the provider documents as safe to repeat (Maya's execute): retried like a
    /// read.
    MutatingRetrySafe,
}

impl Idempotency {
    /// True for [`Idempotency::Mutating`] and [`Idempotency::MutatingRetrySafe`].
    pub fn is_mutating(self) -> bool {
        !matches!(self, Idempotency::Read)
    }
}

/// One API call: method, path, body, credentials and retry semantics. Pure data; the
/// [`super::HttpExecutor`] sends it.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) idempotency: Idempotency,
    pub(crate) effect: Option<Effect>,
    pub(crate) blame: Option<UnauthorizedBlame>,
    pub(crate) attempt_headers: Vec<(HeaderName, AttemptHeader)>,
    pub(crate) sensitive_response: bool,
}

impl ApiRequest {
    /// A call named `name` (used in tracing, e.g. `"pay-info"`) to `path` below the base URL.
    /// Path segments taken from user input must go through [`encode_path_segment`].
    pub fn new(name: &'static str, method: Method, path: impl Into<String>) -> Self {
        let idempotency = if method == Method::GET || method == Method::HEAD {
            Idempotency::Read
        } else {
            Idempotency::Mutating
        };
        ApiRequest {
            name,
            method,
            path: path.into(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::Empty,
            credentials: Vec::new(),
            idempotency,
            effect: None,
            blame: None,
            attempt_headers: Vec::new(),
            sensitive_response: false,
        }
    }

    /// A GET (a read).
    pub fn get(name: &'static str, path: impl Into<String>) -> Self {
        ApiRequest::new(name, Method::GET, path)
    }

    /// A POST (mutating unless marked otherwise).
    pub fn post(name: &'static str, path: impl Into<String>) -> Self {
        ApiRequest::new(name, Method::POST, path)
    }

    /// A DELETE (mutating).
    pub fn delete(name: &'static str, path: impl Into<String>) -> Self {
        ApiRequest::new(name, Method::DELETE, path)
    }

    /// Sets a JSON body, serialized now so serialization errors surface before any I/O.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid_input("body", format!("cannot be encoded as JSON: {e}")))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets a form body from key/value pairs, in order.
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: &[(K, V)]) -> Self {
        let mut encoder = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            encoder.append_pair(key.as_ref(), value.as_ref());
        }
        self.body = Body::Form(encoder.finish());
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Adds a header whose value `make` produces anew for every attempt (the first and each
    /// retry), replacing any fixed value of the same name.
    pub fn header_per_attempt(mut self, name: HeaderName, make: AttemptHeader) -> Self {
        self.attempt_headers.push((name, make));
        self
    }

    /// Adds a credential.
    pub fn auth(mut self, credential: Credential) -> Self {
        self.credentials.push(credential);
        self
    }

    /// Overrides the retry semantics.
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Declares what the call does to money. Without a declaration a read is
    /// [`Effect::Read`] and every other call [`Effect::MovesMoney`], the safe assumption.
    pub fn effect(mut self, effect: Effect) -> Self {
        self.effect = Some(effect);
        self
    }

    /// What the call does to money (see [`ApiRequest::effect`]).
    pub fn effect_kind(&self) -> Effect {
        self.effect.unwrap_or(if self.idempotency.is_mutating() {
            Effect::MovesMoney
        } else {
            Effect::Read
        })
    }

    /// How to tell which token a 401 blames, for a request that carries several (Maya's client
    /// token and customer token): only that one is invalidated, so a problem with one credential
    /// does not spend the other (a customer's rotating refresh token, say).
    pub fn on_unauthorized(mut self, blame: UnauthorizedBlame) -> Self {
        self.blame = Some(blame);
        self
    }

    /// Marks the response as holding secrets (token endpoints): decode errors keep no excerpt.
    pub fn sensitive_response(mut self) -> Self {
        self.sensitive_response = true;
        self
    }

    /// The call's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path below the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The retry semantics.
    pub fn idempotency_kind(&self) -> Idempotency {
        self.idempotency
    }

    /// Whether decode errors must keep no excerpt of the body.
    pub fn is_sensitive_response(&self) -> bool {
        self.sensitive_response
    }
}

/// Percent-encodes one path segment taken from input `field`: everything but RFC 3986
/// unreserved characters is escaped, so an id such as `a/b?c` cannot change the path. Empty,
/// `.` and `..` segments are refused (URL normalization would remove them, even escaped).
pub fn encode_path_segment(field: &'static str, segment: &str) -> Result<String> {
    if segment.is_empty() || segment == "." || segment == ".." {
        return Err(Error::invalid_input(
            field,
            "must be a non-empty id, not `.` or `..`",
        ));
    }
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_get_their_default_semantics() {
        assert_eq!(ApiRequest::get("x", "/a").idempotency, Idempotency::Read);
        assert_eq!(
            ApiRequest::post("x", "/a").idempotency,
            Idempotency::Mutating
        );
        assert_eq!(
            ApiRequest::delete("x", "/a").idempotency,
            Idempotency::Mutating
        );
    }

    #[test]
    fn calls_move_money_unless_declared_otherwise() {
        assert_eq!(ApiRequest::get("x", "/a").effect_kind(), Effect::Read);
        assert_eq!(
            ApiRequest::post("x", "/a").effect_kind(),
            Effect::MovesMoney
        );
        let token = ApiRequest::post("t", "/t").idempotency(Idempotency::Read);
        assert_eq!(token.effect_kind(), Effect::Read);
        let link = ApiRequest::post("pay", "/pay").effect(Effect::NoMoney);
        assert_eq!(link.effect_kind(), Effect::NoMoney);
    }

    #[test]
    fn path_segments_cannot_escape() {
        assert_eq!(
            encode_path_segment("id", "a/b?c#d e").unwrap(),
            "a%2Fb%3Fc%23d%20e"
        );
        let uuid = "f16a9006-128a-46bc-8e2a-77a6ee99df75";
        assert_eq!(encode_path_segment("id", uuid).unwrap(), uuid);
        assert_eq!(encode_path_segment("id", "ü").unwrap(), "%C3%BC");
        for bad in ["", ".", ".."] {
            let err = encode_path_segment("pay_id", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "pay_id"));
        }
    }

    #[test]
    fn form_bodies_are_encoded_in_order() {
        let r = ApiRequest::post("t", "/t")
            .form(&[("grant_type", "client_credentials"), ("a", "x y&z")]);
        assert_eq!(
            r.body,
            Body::Form("grant_type=client_credentials&a=x+y%26z".into())
        );
    }
}
