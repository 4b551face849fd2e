//! How a request authenticates: token headers drawn from a [`TokenSource`], or HTTP Basic.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::token::TokenSource;

/// HTTP Basic credentials (`client_id:secret`), for OAuth client-credentials grants.
#[derive(Clone)]
pub struct BasicAuth {
    username: String,
    password: SecretString,
}

impl BasicAuth {
    /// Credentials for the `Authorization: Basic` header. Any characters are allowed in both
    /// parts (`+`, `/`, `=`, non-ASCII): the pair is base64-encoded as UTF-8 bytes.
    pub fn new(username: impl Into<String>, password: SecretString) -> Self {
        BasicAuth {
            username: username.into(),
            password,
        }
    }

    /// The user name (a client id; not secret).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The header value, marked sensitive so no HTTP-level logging prints it.
    pub fn header_value(&self) -> Result<HeaderValue> {
        let pair = format!("{}:{}", self.username, self.password.expose_secret());
        let mut value = HeaderValue::try_from(format!("Basic {}", STANDARD.encode(pair)))
            .map_err(|_| Error::invalid_input("credentials", "cannot be sent in a header"))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

/// One credential attached to a request. A request may carry several (Maya sends the client
/// token as `Authorization: Bearer` and the customer token as `X-Authorization`).
#[derive(Clone, Debug)]
pub enum Credential {
    /// `Authorization: Bearer <token>`; on HTTP 401 the token is invalidated and the call
    /// retried once.
    Bearer(Arc<dyn TokenSource>),
    /// `<header>: <token>` with no scheme; also invalidated on HTTP 401.
    TokenHeader {
        /// The header name, e.g. `x-authorization`.
        header: HeaderName,
        /// Where the token comes from.
        source: Arc<dyn TokenSource>,
    },
    /// `Authorization: Basic ...`.
    Basic(BasicAuth),
    /// `<header>: <secret>`, the same static secret on every call (an API key such as TBC's
    /// `apikey`). Nothing refreshes it, so a 401 is an authentication error and is not retried.
    /// The value is marked sensitive and never printed.
    SecretHeader {
        /// The header name, e.g. `apikey`.
        header: HeaderName,
        /// The secret sent as the header's value.
        value: SecretString,
    },
}

impl Credential {
    /// A [`Credential::SecretHeader`]: `header` must be a valid header name.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] on `credentials` when `header` is not a header name or the
    /// secret cannot be sent in a header; the message never quotes the secret.
    pub fn secret_header(header: &str, value: SecretString) -> Result<Self> {
        let header = HeaderName::try_from(header)
            .map_err(|_| Error::invalid_input("credentials", "the header name is not valid"))?;
        sensitive_value(value.expose_secret())?;
        Ok(Credential::SecretHeader { header, value })
    }
}

pub(crate) fn sensitive_value(text: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::try_from(text)
        .map_err(|_| Error::invalid_input("token", "cannot be sent in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_encodes_utf8_and_reserved_characters() {
        let auth = BasicAuth::new("1006", SecretString::from("a+b/c=ü"));
        let value = auth.header_value().unwrap();
        assert!(value.is_sensitive());
        let encoded = value
            .to_str()
            .unwrap()
            .strip_prefix("Basic ")
            .unwrap()
            .to_owned();
        let decoded = STANDARD.decode(encoded).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "1006:a+b/c=ü");
    }

    #[test]
    fn basic_debug_hides_the_password() {
        let auth = BasicAuth::new("client", SecretString::from("hunter2"));
        assert!(!format!("{auth:?}").contains("hunter2"));
    }
}
