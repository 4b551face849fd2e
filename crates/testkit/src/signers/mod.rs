//! Independent test signers, to (re)create callback fixtures and catch fixture drift.
//!
//! They are written from the spec digests, not from the provider crates, so a client bug
//! cannot hide behind the same bug here.

mod body;
mod error;
pub mod maib;
pub mod miapos;
mod pem;

pub use body::Envelope;
pub use error::SignError;
pub use pem::pem_to_der;

/// Whether a callback body's stored signature is the one `key_text` (the contents of the
/// callback's `signed_with` file) gives for `provider`.
pub fn stored_signature_matches(
    provider: &str,
    body: &[u8],
    key_text: &str,
) -> Result<bool, SignError> {
    match provider {
        "maib" => maib::stored_signature_matches(body, key_text),
        "miapos" => miapos::Signer::from_pkcs8_pem(key_text)?.stored_signature_matches(body),
        other => Err(SignError::NoSigner(other.to_owned())),
    }
}
