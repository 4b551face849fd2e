//! `Idempotency-Key` (bog-payments.md §8): a UUID v4 per *logical operation*, sent raw (never
//! JSON-quoted) on every POST, PUT and DELETE. Repeating a call to the same endpoint with the
//! same key makes BOG answer with the first call's status and body, which is what lets paykit
//! retry a money-moving call after a 5xx or a timeout: the key is made once, before the first
//! attempt, and every retry of that operation carries it.

use std::fmt;

use paykit_core::webhook::sha256;
use paykit_core::{Error, Result, TransportKind};

use crate::PROVIDER;

/// A UUID v4 `Idempotency-Key`. Make one per operation ([`IdempotencyKey::generate`]), store
/// it with the operation, and pass the same key again when repeating that operation.
///
/// ```
/// use paykit_bog_payments::IdempotencyKey;
///
/// let key = IdempotencyKey::parse("3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f")?;
/// assert_eq!(key.as_str(), "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f");
/// assert!(IdempotencyKey::parse("order-123").is_err());
/// let derived = IdempotencyKey::derive("order:A-20250314-0007");
/// assert_eq!(derived.as_str(), "8bc10d42-4ba4-4114-bd9a-3979df02b5f1");
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A fresh random key (122 random bits from the operating system's generator).
    pub fn generate() -> Result<Self> {
        let mut bytes = [0_u8; 16];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::Transport {
            provider: PROVIDER,
            kind: TransportKind::Other("no randomness for an Idempotency-Key".into()),
            sent: paykit_core::Sent::NotSent,
            mutating: true,
        })?;
        Ok(IdempotencyKey(format_v4(bytes)))
    }

    /// A key the merchant made: must be a UUID v4 in the 8-4-4-4-12 hex form (either case),
    /// version nibble `4`, variant `8`, `9`, `a` or `b`.
    pub fn parse(text: &str) -> Result<Self> {
        if is_uuid_v4(text) {
            Ok(IdempotencyKey(text.to_owned()))
        } else {
            Err(Error::invalid_input(
                "idempotency_key",
                "must be a UUID v4 such as 3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f",
            ))
        }
    }

    /// A key derived from the merchant's own operation id (`seed`, e.g. `"refund:A-17:1"`), so
    /// that a process that lost the key can make it again: SHA-256 of `bog-idem:` + `seed`,
    /// first 16 bytes, version and variant bits forced (TV-P6).
    pub fn derive(seed: &str) -> Self {
        let digest = sha256(format!("bog-idem:{seed}").as_bytes());
        let mut bytes = [0_u8; 16];
        for (out, byte) in bytes.iter_mut().zip(digest.iter()) {
            *out = *byte;
        }
        IdempotencyKey(format_v4(bytes))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({})", self.0)
    }
}

/// Sets the v4 version and RFC 4122 variant bits and formats `bytes` as a UUID.
fn format_v4(mut bytes: [u8; 16]) -> String {
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | 0x40;
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    let mut out = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// True for a UUID v4 in the hyphenated form.
pub(crate) fn is_uuid_v4(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 36 {
        return false;
    }
    bytes.iter().enumerate().all(|(index, byte)| match index {
        8 | 13 | 18 | 23 => *byte == b'-',
        14 => *byte == b'4',
        19 => matches!(byte, b'8' | b'9' | b'a' | b'b' | b'A' | b'B'),
        _ => byte.is_ascii_hexdigit(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TV-P6.
    #[test]
    fn valid_and_invalid_keys() {
        for valid in [
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f",
            "3F0C6B1E-8A2D-4C5B-9E7F-1A0D2C4B6E8F",
        ] {
            assert!(IdempotencyKey::parse(valid).is_ok(), "{valid}");
        }
        for invalid in [
            "3f0c6b1e-8a2d-1c5b-9e7f-1a0d2c4b6e8f",
            "3f0c6b1e-8a2d-4c5b-7e7f-1a0d2c4b6e8f",
            "3f0c6b1e8a2d4c5b9e7f1a0d2c4b6e8f",
            "{3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f}",
            "\"3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f\"",
            "order-123",
            "",
        ] {
            let error = IdempotencyKey::parse(invalid).unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput { ref field, .. } if field == "idempotency_key"),
                "{invalid}: {error:?}"
            );
        }
    }

    /// TV-P6 derivation cases.
    #[test]
    fn derivation_matches_the_vectors() {
        assert_eq!(
            IdempotencyKey::derive("order:A-20250314-0007").as_str(),
            "8bc10d42-4ba4-4114-bd9a-3979df02b5f1"
        );
        assert_eq!(
            IdempotencyKey::derive("refund:A-20250314-0007:1").as_str(),
            "31d52c5b-5273-40ce-9121-d6f235fe9e5a"
        );
    }

    #[test]
    fn generated_keys_are_v4_and_differ() {
        let a = IdempotencyKey::generate().unwrap();
        let b = IdempotencyKey::generate().unwrap();
        assert!(is_uuid_v4(a.as_str()), "{a}");
        assert_ne!(a, b);
    }
}
