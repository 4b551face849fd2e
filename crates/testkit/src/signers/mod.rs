//! Independent test signers, to (re)create callback fixtures and catch fixture drift.
//!
//! They are written from the protocol notes, not from the provider crates, so a client bug
//! cannot hide behind the same bug here.

mod body;
pub mod bog_payments;
mod error;
pub mod maib;
pub mod maya_checkout;
pub mod miapos;
mod pem;
mod rsa;

use std::collections::BTreeMap;

pub use body::Envelope;
pub use error::SignError;
pub use pem::pem_to_der;
pub use rsa::RsaSigner;

/// Whether a callback's stored signature (in its body, or for Bank of Georgia's Payments API
/// and Maya in its `headers`) is the one `key_text` (the contents of the callback's
/// `signed_with` file) gives for `provider`.
pub fn stored_signature_matches(
    provider: &str,
    headers: &BTreeMap<String, String>,
    body: &[u8],
    key_text: &str,
) -> Result<bool, SignError> {
    match provider {
        "maib" => maib::stored_signature_matches(body, key_text),
        "miapos" => miapos::Signer::from_pkcs8_pem(key_text)?.stored_signature_matches(body),
        "bog-payments" => {
            bog_payments::Signer::from_pkcs8_pem(key_text)?.stored_signature_matches(headers, body)
        }
        "maya-checkout" => {
            maya_checkout::Signer::from_pkcs8_pem(key_text)?.stored_signature_matches(headers, body)
        }
        other => Err(SignError::NoSigner(other.to_owned())),
    }
}
