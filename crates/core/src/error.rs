//! One error type for every provider: what went wrong, and whether the provider may have acted.
//!
//! The two questions a caller must answer after a failure are "may I retry?" and "did money
//! possibly move?". [`Error::is_retryable`] and [`Error::outcome_unknown`] answer them; the
//! variants carry the detail. No variant ever holds a secret: messages are built from provider
//! ids, codes, field names and bounded, token-free snippets.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::outcome::PaymentOutcome;
use crate::payment_ref::PaymentRef;

/// A provider's stable identifier, e.g. `"maib"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderId(pub &'static str);

impl ProviderId {
    /// The identifier as text.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The id named `name`, read back from a store. Each distinct name is allocated once for the
    /// life of the process (ids are `'static`); names are limited to 64 visible ASCII
    /// characters, so a corrupt store cannot grow this without bound.
    pub fn intern(name: &str) -> Option<ProviderId> {
        use std::collections::BTreeSet;
        use std::sync::Mutex;
        static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
        if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let mut names = NAMES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = names.get(name) {
            return Some(ProviderId(known));
        }
        if names.len() >= 1024 {
            return None;
        }
        let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
        names.insert(leaked);
        Some(ProviderId(leaked))
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Whether a request may have reached the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sent {
    /// The request certainly did not leave this process (connect failure, invalid request).
    NotSent,
    /// The request may have been received and acted upon.
    MaybeSent,
}

impl fmt::Display for Sent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sent::NotSent => "not sent",
            Sent::MaybeSent => "may have been sent",
        })
    }
}

/// What failed at the transport level.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The TCP/TLS connection could not be established.
    Connect,
    /// No complete response within the configured timeout.
    Timeout,
    /// The response body exceeded the configured size cap.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The provider answered with an HTTP status that carries no usable error body
    /// (a gateway error page, for instance).
    Status(u16),
    /// The provider answered with a redirect (3xx). paykit never follows one: a payment or a
    /// token request re-sent to another host could be executed twice or leak its credentials.
    Redirect(u16),
    /// A caller-supplied `reqwest::Client` followed a redirect. Its final answer comes from
    /// somewhere else than the request was addressed to, so it is not believed.
    FollowedRedirect,
    /// No access token could be obtained for the call (the token endpoint failed): the call
    /// itself was never sent.
    NoToken(String),
    /// The request could not be built (an invalid header value, say): nothing was sent, and
    /// sending it again would fail the same way.
    InvalidRequest(String),
    /// Any other I/O or protocol failure.
    Other(String),
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportKind::Connect => f.write_str("connection failed"),
            TransportKind::Timeout => f.write_str("timed out"),
            TransportKind::BodyTooLarge { limit } => {
                write!(f, "response body larger than {limit} bytes")
            }
            TransportKind::Status(code) => write!(f, "HTTP {code} without a usable body"),
            TransportKind::Redirect(code) => write!(f, "HTTP {code} redirect, not followed"),
            TransportKind::FollowedRedirect => {
                f.write_str("the HTTP client followed a redirect; its answer is not believed")
            }
            TransportKind::NoToken(reason) => write!(f, "no access token ({reason})"),
            TransportKind::InvalidRequest(reason) => write!(f, "invalid request: {reason}"),
            TransportKind::Other(reason) => f.write_str(reason),
        }
    }
}

/// Why a callback signature was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureError {
    /// The callback carries no signature where one is required.
    Missing,
    /// The signature is not decodable (bad base64, wrong length).
    Malformed,
    /// The signature is well formed but does not match the body and key.
    Mismatch,
    /// The verification key itself is unusable (not a valid SPKI RSA key, empty secret).
    BadKey,
    /// The body is not of the shape the signature scheme covers.
    BadBody(String),
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Missing => f.write_str("signature missing"),
            SignatureError::Malformed => f.write_str("signature malformed"),
            SignatureError::Mismatch => f.write_str("signature does not match"),
            SignatureError::BadKey => f.write_str("verification key unusable"),
            SignatureError::BadBody(why) => write!(f, "callback body unusable: {why}"),
        }
    }
}

/// Why the outcome of a money-moving call is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnknownCause {
    /// The exchange broke after the request may have arrived: a timeout, a reset mid-body, an
    /// oversized body, a redirect.
    Transport(TransportKind),
    /// An HTTP status that says the provider failed (5xx) or that paykit cannot read, without a
    /// usable error body.
    Status {
        /// The HTTP status.
        status: u16,
        /// The provider's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The provider reported a fault it documents as "the operation may have happened"
    /// (maib `10000`, a Maya `PY00xx` fault).
    ProviderFault {
        /// HTTP status, when the fault arrived over HTTP.
        http_status: Option<u16>,
        /// The provider's error code, verbatim.
        code: String,
        /// The provider's message.
        message: String,
    },
    /// A success status whose body could not be understood.
    Decode {
        /// What was wrong.
        reason: String,
        /// The first bytes of the body, lossily decoded.
        snippet: String,
    },
    /// A success whose echo contradicts the request (another amount, another payment id).
    Integrity {
        /// The field that differs.
        field: Cow<'static, str>,
        /// What the request implied.
        expected: String,
        /// What the provider answered.
        actual: String,
    },
}

impl fmt::Display for UnknownCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnknownCause::Transport(kind) => write!(f, "{kind}"),
            UnknownCause::Status { status, .. } => write!(f, "HTTP {status}"),
            UnknownCause::ProviderFault { code, message, .. } => {
                write!(f, "provider fault {code}: {message}")
            }
            UnknownCause::Decode { reason, .. } => {
                write!(f, "success answer that cannot be decoded ({reason})")
            }
            UnknownCause::Integrity {
                field,
                expected,
                actual,
            } => write!(
                f,
                "success answer whose {field} is {actual:?}, expected {expected:?}"
            ),
        }
    }
}

/// Every failure paykit reports.
///
/// A declined card is not an error: it is an `Ok` outcome with a failed status. An error means
/// "we could not ask" or "we do not know".
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The exchange with the provider failed below the API level.
    #[error("{provider}: {kind}; the request {sent}")]
    Transport {
        /// Which provider.
        provider: ProviderId,
        /// What failed.
        kind: TransportKind,
        /// Whether the provider may have received the request.
        sent: Sent,
        /// Whether the request changes state at the provider (a payment, a refund).
        mutating: bool,
    },
    /// The provider answered with an error of its API.
    #[error("{provider} API error {code} (HTTP {}): {message}", http_status.map_or_else(|| "-".to_owned(), |s| s.to_string()))]
    Api {
        /// Which provider.
        provider: ProviderId,
        /// HTTP status, when the error arrived over HTTP.
        http_status: Option<u16>,
        /// The provider's error code, verbatim (e.g. `"12001"`, `"PY0010"`).
        code: String,
        /// The provider's message, possibly with our explanation appended.
        message: String,
        /// True when the provider documents this code as transient.
        retryable: bool,
    },
    /// Credentials were rejected or no token could be obtained.
    #[error("{provider}: authentication failed: {message}")]
    Auth {
        /// Which provider.
        provider: ProviderId,
        /// What the provider said, or why no token could be obtained.
        message: String,
    },
    /// The caller's input breaks a documented rule; nothing was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The offending field, named as in the caller's request (`amount`, `items[3].name`).
        field: Cow<'static, str>,
        /// What rule it breaks.
        reason: String,
    },
    /// The provider does not offer this operation or option.
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// Which provider.
        provider: ProviderId,
        /// What was asked for.
        operation: Cow<'static, str>,
    },
    /// A callback failed authentication.
    #[error("callback rejected: {0}")]
    Signature(SignatureError),
    /// The provider's response could not be understood.
    #[error("{provider}: could not decode the response ({reason}); body starts with {snippet:?}")]
    Decode {
        /// Which provider.
        provider: ProviderId,
        /// What was wrong.
        reason: String,
        /// The first bytes of the body, lossily decoded; empty for bodies that may hold tokens.
        snippet: String,
    },
    /// A money-moving call may or may not have taken effect. Never repeat it blindly: ask the
    /// provider (`get_payment`) or your records about [`Error::payment_ref`] first.
    #[error("{provider} {call}: outcome unknown, {cause}; reconcile before retrying ({payment})")]
    OutcomeUnknown {
        /// Which provider.
        provider: ProviderId,
        /// The call whose outcome is unknown (e.g. `"refund"`, `"execute-payment"`).
        call: &'static str,
        /// Why it is unknown.
        cause: UnknownCause,
        /// Every id paykit knows about the payment.
        payment: Box<PaymentRef>,
    },
    /// The provider refused the call before acting on it and said to come back later: HTTP
    /// 429, or a 503 with `Retry-After` on a call that moves no money. Nothing happened; try
    /// again after `retry_after`.
    #[error("{provider}: HTTP {http_status}, refused before acting; try again later{}", retry_after.map_or_else(String::new, |d| format!(" (after {} s)", d.as_secs())))]
    RateLimited {
        /// Which provider.
        provider: ProviderId,
        /// The HTTP status (429 or 503).
        http_status: u16,
        /// The provider's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The provider carried the operation out, but paykit could not record it (the merchant's
    /// store failed). The operation must not be repeated: `outcome` is what the provider
    /// answered and `payment` holds its ids; record them once the store is back.
    #[error(
        "{provider}: the operation succeeded but could not be recorded ({reason}); do not repeat it ({payment})"
    )]
    NotRecorded {
        /// Which provider.
        provider: ProviderId,
        /// What the provider answered.
        outcome: Box<PaymentOutcome>,
        /// Every id of the payment.
        payment: Box<PaymentRef>,
        /// Why recording failed.
        reason: String,
    },
    /// A shared-state store (DESIGN.md §9: Redis, PostgreSQL, the merchant's own) failed.
    /// Nothing was sent to a provider because of it; what paykit did instead (served the
    /// in-process token, refused to handle a callback it could not claim) is documented where
    /// the store is used.
    #[error("{backend} store: {operation} failed: {message}")]
    Store {
        /// Which engine (`"redis"`, `"postgres"`, `"memory"`).
        backend: &'static str,
        /// What was being done (`"load token"`, `"claim"`, `"put record"`).
        operation: &'static str,
        /// The engine's error, which never carries a stored value.
        message: String,
    },
    /// The response contradicts the request (another amount, another payment id).
    #[error("{provider}: response {field} is {actual:?}, expected {expected:?}")]
    Integrity {
        /// Which provider.
        provider: ProviderId,
        /// The field that differs.
        field: Cow<'static, str>,
        /// What the request implied.
        expected: String,
        /// What the provider answered.
        actual: String,
    },
}

/// Shorthand for results with paykit's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest body excerpt kept in a [`Error::Decode`].
const SNIPPET_LEN: usize = 120;

impl Error {
    /// An [`Error::Store`] of `backend` failing at `operation`.
    pub fn store(
        backend: &'static str,
        operation: &'static str,
        message: impl fmt::Display,
    ) -> Self {
        Error::Store {
            backend,
            operation,
            message: message.to_string(),
        }
    }

    /// An [`Error::InvalidInput`] for `field`.
    pub fn invalid_input(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::Unsupported`] for `operation`.
    pub fn unsupported(provider: ProviderId, operation: impl Into<Cow<'static, str>>) -> Self {
        Error::Unsupported {
            provider,
            operation: operation.into(),
        }
    }

    /// An [`Error::Decode`] with a bounded excerpt of `body`.
    ///
    /// Pass `sensitive = true` for token endpoints: their bodies hold credentials, so no excerpt
    /// is kept.
    pub fn decode(
        provider: ProviderId,
        reason: impl fmt::Display,
        body: &[u8],
        sensitive: bool,
    ) -> Self {
        let (reason, snippet) = if sensitive {
            // serde's messages quote the offending value (`invalid type: string "eyJ…"`): in
            // a token response that value may be the token itself.
            (redact_quoted(&reason.to_string()), String::new())
        } else {
            let head = body.get(..SNIPPET_LEN).unwrap_or(body);
            let snippet = String::from_utf8_lossy(head).into_owned();
            (reason.to_string(), snippet)
        };
        Error::Decode {
            provider,
            reason,
            snippet,
        }
    }

    /// True when repeating the same call may succeed and cannot cause a double charge: transport
    /// failures of requests that were not sent or do not mutate, timeouts of reads, and API
    /// errors the provider marks transient.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport {
                kind: TransportKind::InvalidRequest(_),
                ..
            } => false,
            Error::Transport {
                sent: Sent::NotSent,
                ..
            } => true,
            Error::Transport { mutating, kind, .. } => {
                !mutating && !matches!(kind, TransportKind::BodyTooLarge { .. })
            }
            Error::Api { retryable, .. } => *retryable,
            Error::RateLimited { .. } => true,
            _ => false,
        }
    }

    /// True when a state-changing request may or may not have taken effect. The caller must
    /// reconcile (query the payment) before trying again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::OutcomeUnknown { .. }
                | Error::Transport {
                    sent: Sent::MaybeSent,
                    mutating: true,
                    ..
                }
        )
    }

    /// Every id paykit knows about the payment an unknown or unrecorded outcome concerns.
    pub fn payment_ref(&self) -> Option<&PaymentRef> {
        match self {
            Error::OutcomeUnknown { payment, .. } | Error::NotRecorded { payment, .. } => {
                Some(payment)
            }
            _ => None,
        }
    }

    /// How long the provider asked the caller to wait, when it said so (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. }
            | Error::OutcomeUnknown {
                cause: UnknownCause::Status { retry_after, .. },
                ..
            } => *retry_after,
            _ => None,
        }
    }

    /// Adds ids to an unknown or unrecorded outcome (ids already known are kept). A legacy
    /// `Transport { MaybeSent, mutating: true }` becomes an [`Error::OutcomeUnknown`] of `call`.
    /// Other errors are returned unchanged: they carry no payment.
    pub fn with_payment_ref(self, call: &'static str, ids: &PaymentRef) -> Self {
        match self {
            Error::OutcomeUnknown {
                provider,
                call,
                cause,
                payment,
            } => Error::OutcomeUnknown {
                provider,
                call,
                cause,
                payment: Box::new(payment.merge(ids)),
            },
            Error::NotRecorded {
                provider,
                outcome,
                payment,
                reason,
            } => Error::NotRecorded {
                provider,
                outcome,
                payment: Box::new(payment.merge(ids)),
                reason,
            },
            Error::Transport {
                provider,
                kind,
                sent: Sent::MaybeSent,
                mutating: true,
            } => Error::OutcomeUnknown {
                provider,
                call,
                cause: match kind {
                    TransportKind::Status(status) => UnknownCause::Status {
                        status,
                        retry_after: None,
                    },
                    kind => UnknownCause::Transport(kind),
                },
                payment: Box::new(ids.clone()),
            },
            other => other,
        }
    }

    /// The provider's API error code, when this is an [`Error::Api`].
    pub fn api_code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// `text` with everything between double quotes or backticks replaced by `…`.
fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    open = Some(c);
                }
            }
        }
    }
    if open.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: ProviderId = ProviderId("test");

    fn transport(sent: Sent, mutating: bool) -> Error {
        Error::Transport {
            provider: P,
            kind: TransportKind::Timeout,
            sent,
            mutating,
        }
    }

    #[test]
    fn unsent_requests_are_retryable_and_known() {
        let e = transport(Sent::NotSent, true);
        assert!(e.is_retryable());
        assert!(!e.outcome_unknown());
    }

    #[test]
    fn a_maybe_sent_payment_is_unknown_and_not_retryable() {
        let e = transport(Sent::MaybeSent, true);
        assert!(!e.is_retryable());
        assert!(e.outcome_unknown());
        assert!(e.to_string().contains("may have been sent"), "{e}");
    }

    #[test]
    fn a_maybe_sent_read_is_retryable() {
        let e = transport(Sent::MaybeSent, false);
        assert!(e.is_retryable());
        assert!(!e.outcome_unknown());
    }

    #[test]
    fn api_errors_follow_the_provider_flag() {
        let e = Error::Api {
            provider: P,
            http_status: Some(400),
            code: "12001".into(),
            message: "Parameter 'amount' is invalid".into(),
            retryable: false,
        };
        assert!(!e.is_retryable());
        assert_eq!(e.api_code(), Some("12001"));
        assert_eq!(
            e.to_string(),
            "test API error 12001 (HTTP 400): Parameter 'amount' is invalid"
        );
    }

    #[test]
    fn invalid_input_names_the_field() {
        let e = Error::invalid_input("items[2].name", "longer than 128 characters");
        assert_eq!(
            e.to_string(),
            "invalid items[2].name: longer than 128 characters"
        );
    }

    #[test]
    fn decode_snippets_are_bounded_and_dropped_when_sensitive() {
        let body = vec![b'x'; 10_000];
        let Error::Decode { snippet, .. } = Error::decode(P, "eof", &body, false) else {
            panic!("not a decode error")
        };
        assert_eq!(snippet.len(), SNIPPET_LEN);
        let Error::Decode { snippet, .. } =
            Error::decode(P, "eof", b"{\"access_token\":\"s3cr3t\"", true)
        else {
            panic!("not a decode error")
        };
        assert!(snippet.is_empty());
    }

    #[test]
    fn sensitive_decode_reasons_do_not_quote_values() {
        let parsed = serde_json::from_str::<std::collections::HashMap<String, u64>>(
            r#"{"access_token":"s3cr3t-token"}"#,
        );
        let Err(serde_error) = parsed else {
            panic!("parsed")
        };
        assert!(serde_error.to_string().contains("s3cr3t-token"));
        let e = Error::decode(P, serde_error, b"", true);
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert!(!format!("{e:?}").contains("s3cr3t"), "{e:?}");
        assert_eq!(redact_quoted(r#"a "b" c `d` "e"#), r#"a "…" c `…` "…"#);
    }

    #[test]
    fn decode_snippet_survives_invalid_utf8() {
        let e = Error::decode(P, "bad", &[0xff, 0xfe, b'a'], false);
        assert!(e.to_string().contains('a'));
    }
}
