//! Redis failures as [`Error::Store`], described by their kind only.
//!
//! A `RedisError`'s own text is not used: a reply that does not convert to the expected type
//! is described with the reply itself (which may be a stored token), and a URL that does not
//! parse may be echoed with its password. The category, the server's error code and the I/O
//! error kind say what went wrong without either.

use std::time::Duration;

use paykit_core::Error;
use redis::RedisError;

/// The backend name in every error of this crate.
pub(crate) const BACKEND: &str = "redis";

/// `error`, which happened while doing `operation`, as an [`Error::Store`].
pub(crate) fn from_redis(operation: &'static str, error: &RedisError) -> Error {
    let mut message = error.category().to_owned();
    if let Some(code) = error.code() {
        message.push_str(&format!(" ({code})"));
    }
    let io_kind = std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    if let Some(kind) = io_kind {
        message.push_str(&format!(": {kind}"));
    }
    Error::store(BACKEND, operation, message)
}

/// No answer within `timeout`.
pub(crate) fn timed_out(operation: &'static str, timeout: Duration) -> Error {
    Error::store(BACKEND, operation, format!("no answer within {timeout:?}"))
}

/// A stored value this crate cannot read: `what` names the field, never its content.
pub(crate) fn unreadable(operation: &'static str, what: impl std::fmt::Display) -> Error {
    Error::store(
        BACKEND,
        operation,
        format!("unreadable stored value: {what}"),
    )
}

/// A core decoding error ([`paykit_core::PaymentRecord::from_json`]) re-labelled as this
/// backend's, keeping its message (which names the field, never a value).
pub(crate) fn relabel(operation: &'static str, error: Error) -> Error {
    match error {
        Error::Store { message, .. } => unreadable(operation, message),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_the_kind_not_the_detail() {
        let parse: RedisError = (
            redis::ErrorKind::TypeError,
            "Response was of incompatible type",
            "response was string-data('\"tok-secret\"')".to_owned(),
        )
            .into();
        let shown = from_redis("load token", &parse).to_string();
        assert_eq!(shown, "redis store: load token failed: type error");
        let io: RedisError =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused by x").into();
        let shown = from_redis("claim", &io).to_string();
        assert_eq!(
            shown,
            "redis store: claim failed: I/O error: connection refused"
        );
        let bad_url = redis::Client::open("redis://:pa55word@[::1").unwrap_err();
        let shown = from_redis("connect", &bad_url).to_string();
        assert!(!shown.contains("pa55word"), "{shown}");
        assert!(shown.contains("invalid client config"), "{shown}");
    }
}
