//! Errors of the test signers.

/// Why a callback could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The callback body is not JSON or lacks its parts.
    #[error("malformed callback: {0}")]
    Malformed(String),
    /// A value the canonical string cannot hold.
    #[error("value {field} cannot be signed: {reason}")]
    Value {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// The key is not usable.
    #[error("bad key: {0}")]
    Key(String),
    /// No signer exists for the provider.
    #[error("no test signer for provider {0:?}")]
    NoSigner(String),
}
