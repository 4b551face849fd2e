//! The Bank of Georgia Payments callback signature (bog-payments.md §7.2): RSASSA-PKCS1-v1_5
//! with SHA-256 over the exact body bytes, standard base64 in `Callback-Signature`. The
//! public key is handed out as a SubjectPublicKeyInfo PEM, the form BOG publishes.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The simulator's Payments API signing key.
pub(crate) struct CallbackSigner {
    key: KeyPair,
    public_key_pem: String,
}

impl std::fmt::Debug for CallbackSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackSigner")
            .field("public_key_pem", &self.public_key_pem)
            .finish_non_exhaustive()
    }
}

impl CallbackSigner {
    /// A fresh RSA-2048 key.
    pub(crate) fn generate() -> Result<Self, String> {
        let key = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| "RSA key generation failed".to_owned())?;
        Self::from_key(key)
    }

    /// A key from unencrypted PKCS#8 DER.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        let key = KeyPair::from_pkcs8(der).map_err(|e| format!("private key rejected: {e}"))?;
        Self::from_key(key)
    }

    fn from_key(key: KeyPair) -> Result<Self, String> {
        let spki = key
            .public_key()
            .as_der()
            .map_err(|_| "public key encoding failed".to_owned())?;
        let public_key_pem = pem("PUBLIC KEY", spki.as_ref());
        Ok(Self {
            key,
            public_key_pem,
        })
    }

    /// The public key, SubjectPublicKeyInfo PEM.
    pub(crate) fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// `Callback-Signature` for `body`: base64 of the PKCS#1 v1.5 / SHA-256 signature.
    pub(crate) fn sign(&self, body: &[u8]) -> Option<String> {
        let mut sig = vec![0_u8; self.key.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.key
            .sign(&RSA_PKCS1_SHA256, &rng, body, &mut sig)
            .ok()?;
        Some(STANDARD.encode(sig))
    }
}

/// A PEM block: base64 in 64-character lines between the armour lines.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::miapos::pem_to_der;

    /// The notes' TV-P3 throwaway test key (not BOG's).
    fn vectors() -> serde_json::Value {
        serde_json::from_str(include_str!("../../testdata/bog-payments-vectors.json")).unwrap()
    }

    #[test]
    fn signs_the_tv_p3_bodies_exactly_as_the_vectors() {
        let v = vectors();
        let tv = &v["tv_p3_callbacks"];
        let der = pem_to_der(tv["private_key_pem_TEST_ONLY"].as_str().unwrap()).unwrap();
        let signer = CallbackSigner::from_pkcs8(&der).unwrap();
        assert_eq!(
            signer.public_key_pem(),
            tv["public_key_pem"].as_str().unwrap()
        );
        let cases = tv["cases"].as_object().unwrap();
        assert_eq!(cases.len(), 3);
        for (name, case) in cases {
            let body = STANDARD
                .decode(case["body_base64"].as_str().unwrap())
                .unwrap();
            assert_eq!(
                signer.sign(&body).unwrap(),
                case["callback_signature"].as_str().unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn generated_keys_are_pem_rsa_2048() {
        let signer = CallbackSigner::generate().unwrap();
        let pem = signer.public_key_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"));
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert_eq!(
            STANDARD.decode(signer.sign(b"x").unwrap()).unwrap().len(),
            256
        );
        assert!(CallbackSigner::from_pkcs8(b"garbage").is_err());
    }
}
