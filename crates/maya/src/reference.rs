//! `Request-Reference-No`: the UUIDv4 every call to the Mini App host carries, and the
//! `sessionId` the merchant's Session URL hands back.

use std::fmt;

use paykit_core::{Error, Result};

use crate::validate;

/// A UUIDv4 in canonical lowercase form (`9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6c`).
///
/// Maya requires one in the `Request-Reference-No` header of every call and echoes it back as
/// `requestReferenceNumber` (spec §5.1). The client generates a fresh one per call unless the
/// caller supplies one for their own tracing.
///
/// ```
/// use paykit_maya::RequestReference;
///
/// let generated = RequestReference::new_v4()?;
/// assert_eq!(generated.as_str().len(), 36);
/// let given = RequestReference::parse("9B2E4C1A-5D6F-4E3B-8A7C-1F2D3E4A5B6C")?;
/// assert_eq!(given.as_str(), "9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6c");
/// assert!(RequestReference::parse("order-17").is_err());
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestReference(String);

impl RequestReference {
    /// A random UUIDv4 from the system's secure random generator.
    pub fn new_v4() -> Result<Self> {
        Ok(RequestReference(random_uuid_v4()?))
    }

    /// Checks that `text` is a UUIDv4 (any case; stored lowercase).
    pub fn parse(text: &str) -> Result<Self> {
        validate::request_reference("request_reference", text)?;
        Ok(RequestReference(text.to_ascii_lowercase()))
    }

    /// The UUID text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A random UUIDv4 (RFC 9562 §5.4): 122 random bits, version nibble 4, variant `10`.
pub(crate) fn random_uuid_v4() -> Result<String> {
    let mut bytes = [0_u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::Transport {
        provider: crate::PROVIDER,
        kind: paykit_core::TransportKind::Other(
            "the system random generator is unavailable".to_owned(),
        ),
        sent: paykit_core::Sent::NotSent,
        mutating: false,
    })?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(hex_digit(byte >> 4));
        text.push(hex_digit(byte & 0x0f));
    }
    Ok(text)
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_valid_distinct_v4_uuids() {
        let a = RequestReference::new_v4().unwrap();
        let b = RequestReference::new_v4().unwrap();
        assert_ne!(a, b);
        for id in [&a, &b] {
            RequestReference::parse(id.as_str()).unwrap();
            assert_eq!(&id.as_str()[14..15], "4");
            assert!(matches!(&id.as_str()[19..20], "8" | "9" | "a" | "b"));
        }
    }

    #[test]
    fn parse_rejects_non_v4_and_garbage() {
        for bad in [
            "",
            "order-17",
            "9b2e4c1a-5d6f-1e3b-8a7c-1f2d3e4a5b6c", // version 1
            "9b2e4c1a-5d6f-4e3b-cа7c-1f2d3e4a5b6c", // non-ASCII
            "9b2e4c1a5d6f4e3b8a7c1f2d3e4a5b6c",     // no hyphens
            "9b2e4c1a-5d6f-4e3b-7a7c-1f2d3e4a5b6c", // wrong variant
            "9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6c0",
        ] {
            let err = RequestReference::parse(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "request_reference"),
                "{bad:?}: {err}"
            );
        }
    }
}
