//! An RSA key pair that signs with RSASSA-PKCS1-v1_5 and SHA-256, the scheme of miaPOS, Bank
//! of Georgia's Payments API and Maya's webhooks.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

use super::SignError;
use super::pem::pem_to_der;

/// A PKCS#8 RSA private key.
#[derive(Debug)]
pub struct RsaSigner {
    key: RsaKeyPair,
}

impl RsaSigner {
    /// Reads a PKCS#8 private key in PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, SignError> {
        let der = pem_to_der(pem, "PRIVATE KEY")?;
        RsaKeyPair::from_pkcs8(&der)
            .map(|key| Self { key })
            .map_err(|e| SignError::Key(e.to_string()))
    }

    /// The raw signature of `message` (deterministic: PKCS#1 v1.5 has no salt).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| SignError::Key("signing failed".into()))?;
        Ok(signature)
    }
}
