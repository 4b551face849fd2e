//! `Request-Reference-No`: the UUIDv4 every call to the Mini App host carries, and the
//! `sessionId` the merchant's Session URL hands back.
//!
//! Maya calls the reference "your unique reference for this request" and echoes it as
//! `requestReferenceNumber` (spec §5.1, §6.1), so without a merchant-supplied one every HTTP
//! attempt gets its own ([`fresh_header`], made by core per attempt). Which one the answering
//! attempt carried is remembered for the call ([`crate::call`], [`last_sent`]), so the echo is
//! checked against the reference of the request it answers, not one an earlier attempt sent.

use std::fmt;

use http::HeaderValue;
use paykit_core::{Error, Result};

use crate::{call, validate};

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

/// The `Request-Reference-No` header value for `reference`.
pub(crate) fn header(reference: &RequestReference) -> Result<HeaderValue> {
    HeaderValue::from_str(reference.as_str())
        .map_err(|_| Error::invalid_input("request_reference", "cannot be sent in a header"))
}

/// A fresh reference for one HTTP attempt (core calls this for each attempt, retries and the
/// re-send after a 401 included), remembered as [`last_sent`] for the current call.
pub(crate) fn fresh_header() -> Result<HeaderValue> {
    let reference = RequestReference::new_v4()?;
    let value = header(&reference)?;
    call::update(|record| record.last_reference = Some(reference));
    Ok(value)
}

/// The reference of the current call's last attempt: the one carried by the request whose
/// answer is being parsed (a later attempt always follows an earlier answer).
pub(crate) fn last_sent() -> Option<RequestReference> {
    call::read(|record| record.last_reference.clone()).flatten()
}

/// Compares Maya's `requestReferenceNumber` echo with the reference the answered request
/// carried. A trace id, not part of the payment: a differing echo is logged, not fatal.
pub(crate) fn check_echo(echoed: Option<&str>, sent: Option<&RequestReference>) {
    let (Some(echoed), Some(sent)) = (echoed, sent) else {
        return;
    };
    if !echoed.eq_ignore_ascii_case(sent.as_str()) {
        tracing::warn!(
            sent = sent.as_str(),
            echoed = %echoed.chars().take(64).collect::<String>(),
            "Maya echoed another requestReferenceNumber than the answered request carried"
        );
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
    char::from_digit(u32::from(nibble & 0x0f), 16).unwrap_or('0')
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

    #[tokio::test]
    async fn each_fresh_header_is_new_and_the_last_is_remembered_per_call() {
        let ((first, second, last), _) = call::scope(async {
            let first = fresh_header().unwrap();
            let second = fresh_header().unwrap();
            (first, second, last_sent())
        })
        .await;
        assert_ne!(first, second);
        assert_eq!(last.unwrap().as_str(), second.to_str().unwrap());
        // Outside a call scope nothing is remembered, and nothing fails.
        fresh_header().unwrap();
        assert!(last_sent().is_none());
        assert!(call::scope(async { last_sent() }).await.0.is_none());
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
