//! The cryptographic checks callbacks need, on the crypto crate rustls already brings
//! (aws-lc-rs): SHA-256, constant-time comparison, RSA PKCS#1 v1.5 SHA-256 verification.

use std::fmt;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{Error, Result, SignatureError};

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0_u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// An RSA public key for PKCS#1 v1.5 SHA-256 signatures, parsed once and reused.
#[derive(Clone)]
pub struct RsaPublicKey {
    key: std::sync::Arc<ParsedPublicKey>,
    fingerprint: [u8; 8],
}

impl RsaPublicKey {
    /// Parses a base64 (standard alphabet, whitespace and PEM armour tolerated) DER
    /// `SubjectPublicKeyInfo`, the form miaPOS serves. Keys of 2048 to 8192 bits.
    pub fn from_spki_base64(encoded: &str) -> Result<Self> {
        let body: String = encoded
            .lines()
            .filter(|line| !line.trim_start().starts_with("-----"))
            .flat_map(|line| line.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|_| Error::Signature(SignatureError::BadKey))?;
        RsaPublicKey::from_spki_der(&der)
    }

    /// Parses a DER `SubjectPublicKeyInfo` (or PKCS#1 `RSAPublicKey`).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(|_| Error::Signature(SignatureError::BadKey))?;
        let mut fingerprint = [0_u8; 8];
        fingerprint.copy_from_slice(&sha256(der)[..8]);
        Ok(RsaPublicKey {
            key: std::sync::Arc::new(key),
            fingerprint,
        })
    }

    /// Verifies a raw signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        self.key
            .verify_sig(message, signature)
            .map_err(|_| Error::Signature(SignatureError::Mismatch))
    }

    /// Verifies a base64 signature over `message`; undecodable signatures are
    /// [`SignatureError::Malformed`], wrong ones [`SignatureError::Mismatch`].
    pub fn verify_base64(&self, message: &[u8], signature_b64: &str) -> Result<()> {
        let signature = STANDARD
            .decode(signature_b64.trim().as_bytes())
            .map_err(|_| Error::Signature(SignatureError::Malformed))?;
        if signature.is_empty() {
            return Err(Error::Signature(SignatureError::Malformed));
        }
        self.verify(message, &signature)
    }
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex: String = self
            .fingerprint
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        f.debug_struct("RsaPublicKey")
            .field("sha256_prefix", &hex)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};

    fn keypair() -> (RsaKeyPair, String) {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let spki = pair.public_key().as_der().unwrap();
        (pair, STANDARD.encode(spki.as_ref()))
    }

    fn sign(pair: &RsaKeyPair, message: &[u8]) -> Vec<u8> {
        let mut sig = vec![0; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            message,
            &mut sig,
        )
        .unwrap();
        sig
    }

    #[test]
    fn sha256_matches_the_known_answer() {
        let hex: String = sha256(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn rsa_signatures_verify_and_tampering_is_caught() {
        let (pair, spki_b64) = keypair();
        let key = RsaPublicKey::from_spki_base64(&spki_b64).unwrap();
        let sig = STANDARD.encode(sign(&pair, b"amount=10.00"));
        key.verify_base64(b"amount=10.00", &sig).unwrap();
        let err = key.verify_base64(b"amount=10.01", &sig).unwrap_err();
        assert!(matches!(err, Error::Signature(SignatureError::Mismatch)));
        let err = key.verify_base64(b"amount=10.00", "%%%").unwrap_err();
        assert!(matches!(err, Error::Signature(SignatureError::Malformed)));
    }

    #[test]
    fn pem_armour_is_tolerated_and_garbage_keys_rejected() {
        let (_, spki_b64) = keypair();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            spki_b64
        );
        RsaPublicKey::from_spki_base64(&pem).unwrap();
        let err = RsaPublicKey::from_spki_base64("bm90IGEga2V5").unwrap_err();
        assert!(matches!(err, Error::Signature(SignatureError::BadKey)));
    }
}
