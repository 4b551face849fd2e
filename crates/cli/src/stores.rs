//! `--records <URL>`: the shared store `pay`, `status`, `refund` and `reconcile` keep payment
//! records in (and, on Redis, access tokens), picked by the URL's scheme.
//!
//! The URL may carry a password. It is held as a secret, and nothing here prints it: a scheme
//! this binary does not know is named only when it looks like a scheme, and an engine's error
//! (which the store crates already keep free of the URL) has the password scrubbed from it
//! anyway before it reaches the terminal.

use std::sync::Arc;

use paykit_core::{PaymentRecords, TokenStore};
use secrecy::ExposeSecret;

use crate::args::StoreArgs;

/// The stores a client is built with.
pub(crate) struct Stores {
    /// Payment records.
    pub(crate) records: Arc<dyn PaymentRecords>,
    /// Shared access tokens: Redis has them, PostgreSQL does not (tokens stay per process).
    pub(crate) tokens: Option<Arc<dyn TokenStore>>,
}

/// Why `--records` could not be used.
#[derive(Debug)]
pub(crate) enum StoreError {
    /// The URL names no engine this binary has: a usage error, nothing was contacted.
    Usage(String),
    /// The engine did not answer or refused: the records cannot be read.
    Unavailable(String),
}

/// The engines `--records` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Redis,
    Postgres,
}

/// The schemes each engine answers to, for messages.
const KNOWN_SCHEMES: &str = "redis://, rediss://, postgres:// or postgresql://";

/// The stores `args` names, connected (and, for PostgreSQL, migrated); `None` without
/// `--records`.
pub(crate) async fn open(args: &StoreArgs) -> Result<Option<Stores>, StoreError> {
    let Some(url) = &args.records else {
        return Ok(None);
    };
    let url = url.expose_secret();
    let stores = match engine(url).map_err(StoreError::Usage)? {
        Engine::Redis => {
            let config = paykit_redis::RedisConfig::default().key_prefix(&args.records_prefix);
            let stores = paykit_redis::RedisStores::connect(url, config)
                .await
                .map_err(|e| unavailable(&e, url))?;
            Stores {
                records: stores.records(),
                tokens: Some(stores.tokens()),
            }
        }
        Engine::Postgres => {
            let stores = paykit_postgres::PgStores::connect(url)
                .await
                .map_err(|e| unavailable(&e, url))?;
            stores.migrate().await.map_err(|e| unavailable(&e, url))?;
            Stores {
                records: stores.records(),
                tokens: None,
            }
        }
    };
    Ok(Some(stores))
}

/// The engine `url`'s scheme names, or a usage message that names `--records` (and the scheme,
/// when it is one: never the rest of the URL).
fn engine(url: &str) -> Result<Engine, String> {
    let Some((scheme, _)) = url.split_once("://") else {
        return Err(format!(
            "--records must be a URL starting with {KNOWN_SCHEMES}"
        ));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "redis" | "rediss" => Ok(Engine::Redis),
        "postgres" | "postgresql" => Ok(Engine::Postgres),
        _ if looks_like_a_scheme(scheme) => Err(format!(
            "--records: unsupported scheme {scheme}://, use {KNOWN_SCHEMES}"
        )),
        _ => Err(format!(
            "--records must be a URL starting with {KNOWN_SCHEMES}"
        )),
    }
}

/// RFC 3986's scheme syntax, short: anything else may be part of a secret pasted by mistake.
fn looks_like_a_scheme(text: &str) -> bool {
    text.len() <= 16
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A store error as text, scrubbed of `url`'s password.
fn unavailable(error: &paykit_core::Error, url: &str) -> StoreError {
    StoreError::Unavailable(scrub(&format!("cannot use --records: {error}"), url))
}

/// `text` with `url`'s password (as written, and percent-decoded) replaced by `***`.
pub(crate) fn scrub(text: &str, url: &str) -> String {
    let mut scrubbed = text.to_owned();
    if let Some(password) = password(url) {
        for form in [percent_decoded(password), password.to_owned()] {
            if !form.is_empty() {
                scrubbed = scrubbed.replace(&form, "***");
            }
        }
    }
    scrubbed
}

/// The password in `url`'s user info (`scheme://user:password@host…`), if any.
fn password(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let (user_info, _host) = authority.rsplit_once('@')?;
    let (_user, password) = user_info.split_once(':')?;
    Some(password)
}

/// `text` with `%XX` escapes decoded (invalid ones kept as written).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(value) => {
                decoded.push(value);
                index += 3;
            }
            None => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_engine() {
        for url in ["redis://h/", "rediss://:p@h:6380/1", "REDIS://h"] {
            assert_eq!(engine(url), Ok(Engine::Redis), "{url}");
        }
        for url in ["postgres://u@h/db", "postgresql://u:p@h:5433/db"] {
            assert_eq!(engine(url), Ok(Engine::Postgres), "{url}");
        }
    }

    #[test]
    fn other_schemes_are_named_but_nothing_else_of_the_url() {
        let message = engine("mysql://shop:hunter2@db/shop").unwrap_err();
        assert!(message.contains("--records"), "{message}");
        assert!(message.contains("mysql://"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        // Not a scheme: not echoed at all.
        for url in ["shop:hunter2@db/shop", "hunter2 secret://db", "hunter2"] {
            let message = engine(url).unwrap_err();
            assert!(message.starts_with("--records must be a URL"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[test]
    fn passwords_are_scrubbed_as_written_and_decoded() {
        let url = "redis://user:p%40ss%2Fw0rd@host:6379/0";
        assert_eq!(password(url), Some("p%40ss%2Fw0rd"));
        let text = "failed for p%40ss%2Fw0rd and p@ss/w0rd";
        assert_eq!(scrub(text, url), "failed for *** and ***");
        assert_eq!(password("redis://host:6379/"), None);
        assert_eq!(password("postgres://user@host/db"), None);
        // An `@` in the path is not user info.
        assert_eq!(password("redis://host/0?x=a:b@c"), None);
        assert_eq!(scrub("unchanged", "redis://host/"), "unchanged");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%zz%41"), "%zzA");
    }
}
