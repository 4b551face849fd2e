//! Why the simulator could not start, or could not do what it was asked.

use std::fmt;

/// An error from the simulator's library API.
#[derive(Debug)]
#[non_exhaustive]
pub enum SimError {
    /// A listener could not bind its address.
    Bind {
        /// Which provider's listener.
        provider: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// `start` was not called inside a Tokio runtime.
    NoRuntime,
    /// The miaPOS signing key could not be generated or loaded.
    Key(String),
    /// The Bank of Georgia Payments callback signing key could not be generated or loaded.
    BogPaymentsKey(String),
    /// The outbound HTTP client could not be built.
    Http(String),
    /// Pushing a Maya session to the merchant's Session URL failed.
    Session(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bind { provider, source } => {
                write!(f, "cannot bind the {provider} listener: {source}")
            }
            Self::NoRuntime => f.write_str("the simulator must be started inside a Tokio runtime"),
            Self::Key(reason) => write!(f, "miaPOS signing key: {reason}"),
            Self::BogPaymentsKey(reason) => {
                write!(f, "Bank of Georgia Payments signing key: {reason}")
            }
            Self::Http(reason) => write!(f, "HTTP client: {reason}"),
            Self::Session(reason) => write!(f, "Maya session push: {reason}"),
        }
    }
}

impl std::error::Error for SimError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}
