//! Webhook Signature Version 1 (spec §6.4): `X-Maya-Webhook-Signature: nonce=…,v1=<hex>` and
//! `X-Maya-Webhook-Timestamp: <epoch ms>`, RSASSA-PKCS1-v1_5 SHA-256 over the flattened body
//! ([`crate::flatten`]), under any of the configured keys, with either number rendering.

use std::fmt;

use paykit_core::json_literal::JsonLiteral;
use paykit_core::webhook::RsaPublicKey;
use paykit_core::{Error, Result, SignatureError};

use crate::config::Environment;
use crate::flatten::{NumberRendering, flatten};

/// The signature header (names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "x-maya-webhook-signature";
/// The timestamp header: Unix epoch in milliseconds.
pub const TIMESTAMP_HEADER: &str = "x-maya-webhook-timestamp";

/// Why a delivery was not accepted (the notes' verifier results, spec §9).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No signature header, or one without a non-empty `nonce` and `v1`.
    #[error("the X-Maya-Webhook-Signature header is missing or lacks nonce and v1")]
    MissingSignature,
    /// The timestamp header is missing or not an integer of milliseconds.
    #[error("the X-Maya-Webhook-Timestamp header is missing or not epoch milliseconds")]
    BadTimestamp,
    /// The timestamp is outside the window.
    #[error(
        "the delivery timestamp {timestamp_ms} is more than {tolerance_ms} ms from now ({now_ms})"
    )]
    StaleTimestamp {
        /// The header's value.
        timestamp_ms: i64,
        /// Our clock.
        now_ms: i64,
        /// The window.
        tolerance_ms: i64,
    },
    /// `v1` is not an even-length hex string (checked before any crypto).
    #[error("the v1 signature is not hex")]
    BadSignatureEncoding,
    /// The body is too large or not JSON.
    #[error("the body is not acceptable: {0}")]
    BadBody(String),
    /// No key verifies the signature under either number rendering.
    #[error("the signature does not verify under any configured key")]
    InvalidSignature,
    /// The nonce was seen before within the window: a retry or a replay. Acknowledge (2xx)
    /// and do not process again.
    #[error("nonce {nonce} was already accepted")]
    Replay {
        /// The nonce.
        nonce: String,
    },
    /// The nonce cache (a claim store) failed; answer non-2xx so Maya retries.
    #[error("the nonce cache failed: {0}")]
    Store(String),
}

impl VerifyError {
    /// True for a replayed nonce: answer 2xx and do nothing.
    pub fn is_replay(&self) -> bool {
        matches!(self, VerifyError::Replay { .. })
    }
}

impl From<VerifyError> for Error {
    fn from(error: VerifyError) -> Error {
        match error {
            VerifyError::MissingSignature => Error::Signature(SignatureError::Missing),
            VerifyError::BadTimestamp | VerifyError::BadSignatureEncoding => {
                Error::Signature(SignatureError::Malformed)
            }
            VerifyError::StaleTimestamp { .. } | VerifyError::InvalidSignature => {
                Error::Signature(SignatureError::Mismatch)
            }
            VerifyError::BadBody(reason) => Error::Signature(SignatureError::BadBody(reason)),
            VerifyError::Replay { nonce } => Error::Signature(SignatureError::BadBody(format!(
                "replayed delivery: nonce {nonce} was already accepted"
            ))),
            VerifyError::Store(message) => Error::Store {
                backend: "claims",
                operation: "claim webhook nonce",
                message,
            },
        }
    }
}

/// The parsed signature header.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The nonce, appended to the signed string.
    pub nonce: String,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl fmt::Debug for SignatureHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureHeader")
            .field("nonce", &self.nonce)
            .field("signature_bytes", &self.signature.len())
            .finish()
    }
}

impl SignatureHeader {
    /// Reads `nonce=…,v1=…` in any order, tolerating spaces and ignoring other keys (`v2=`).
    pub fn parse(header: &str) -> std::result::Result<SignatureHeader, VerifyError> {
        let (nonce, signature) = parse_header(header)?;
        Ok(SignatureHeader {
            nonce: nonce.to_owned(),
            signature: signature.as_bytes().to_vec(),
        })
    }
}

/// The longest `v1` accepted, in hex characters: a 16384-bit signature.
const MAX_SIGNATURE_HEX: usize = 4096;

/// Signatures up to this many bytes (4096-bit keys) are decoded on the stack.
const INLINE_SIGNATURE: usize = 512;

/// Decoded `v1` bytes: on the stack for the keys in use (the header is read for every
/// delivery), on the heap past 4096 bits.
pub(crate) struct SignatureBytes {
    inline: [u8; INLINE_SIGNATURE],
    len: usize,
    /// Empty (no allocation) unless the signature is longer than `inline`.
    heap: Vec<u8>,
}

impl SignatureBytes {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        if self.len > INLINE_SIGNATURE {
            &self.heap
        } else {
            self.inline.get(..self.len).unwrap_or_default()
        }
    }
}

/// [`SignatureHeader::parse`] without copying: the nonce borrowed from `header`, the signature
/// decoded into a fixed buffer.
pub(crate) fn parse_header(
    header: &str,
) -> std::result::Result<(&str, SignatureBytes), VerifyError> {
    let mut nonce = None;
    let mut v1 = None;
    for part in header.split(',') {
        let part = part.trim();
        if let Some(value) = part.strip_prefix("nonce=") {
            nonce = Some(value.trim());
        } else if let Some(value) = part.strip_prefix("v1=") {
            v1 = Some(value.trim());
        }
    }
    let (Some(nonce), Some(v1)) = (nonce, v1) else {
        return Err(VerifyError::MissingSignature);
    };
    if nonce.is_empty() || v1.is_empty() {
        return Err(VerifyError::MissingSignature);
    }
    let signature = hex_decode(v1).ok_or(VerifyError::BadSignatureEncoding)?;
    Ok((nonce, signature))
}

/// Each byte's value as a hex digit (either case), `0xFF` for every other byte.
#[rustfmt::skip]
const HEX_DIGIT: [u8; 256] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

/// Hex (either case) to bytes; `None` for odd lengths or other characters, and for more than a
/// 16384-bit signature's worth.
fn hex_decode(text: &str) -> Option<SignatureBytes> {
    let hex = text.as_bytes();
    if hex.len() % 2 != 0 || hex.len() > MAX_SIGNATURE_HEX {
        return None;
    }
    let len = hex.len() / 2;
    let mut out = SignatureBytes {
        inline: [0; INLINE_SIGNATURE],
        len,
        heap: Vec::new(),
    };
    if len > INLINE_SIGNATURE {
        out.heap = vec![0; len];
        hex_into(hex, &mut out.heap)?;
    } else {
        hex_into(hex, out.inline.get_mut(..len)?)?;
    }
    Some(out)
}

/// Decodes `hex` (twice `out`'s length) into `out`, by table: the issue 16 profile showed a
/// `match` and an `Option` per character as most of the header's cost.
fn hex_into(hex: &[u8], out: &mut [u8]) -> Option<()> {
    let digit = |b: u8| HEX_DIGIT.get(usize::from(b)).copied().unwrap_or(0xFF);
    // A digit is below 16, anything else 0xFF: one check of all of them at the end.
    let mut seen = 0_u8;
    for (pair, slot) in hex.chunks_exact(2).zip(out.iter_mut()) {
        let [high, low] = pair else {
            return None;
        };
        let (high, low) = (digit(*high), digit(*low));
        seen |= high | low;
        *slot = (high << 4) | (low & 0x0F);
    }
    (seen & 0xF0 == 0).then_some(())
}

/// The keys a delivery may be signed with, each with a label for logs.
#[derive(Clone, Default)]
pub struct WebhookKeys {
    keys: Vec<(String, RsaPublicKey)>,
}

impl fmt::Debug for WebhookKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|(label, _)| label))
            .finish()
    }
}

impl WebhookKeys {
    /// No keys (every delivery fails until one is added).
    pub fn new() -> WebhookKeys {
        WebhookKeys::default()
    }

    /// Maya's two published keys of `environment` (spec §6.6). Check them against Maya's
    /// "Webhook Security" page before production: keys rotate.
    pub fn maya(environment: Environment) -> Result<WebhookKeys> {
        let [first, second] = environment.webhook_keys();
        WebhookKeys::new()
            .with_pem(format!("maya-{}-1", environment.name()), first)?
            .with_pem(format!("maya-{}-2", environment.name()), second)
    }

    /// Adds a PEM (or bare base64) SPKI RSA key, e.g. the simulator's announced key or a
    /// rotated Maya key. A production build must never trust test keys.
    pub fn with_pem(mut self, label: impl Into<String>, pem: &str) -> Result<WebhookKeys> {
        self.keys
            .push((label.into(), RsaPublicKey::from_spki_base64(pem)?));
        Ok(self)
    }

    /// Adds a parsed key.
    pub fn with_key(mut self, label: impl Into<String>, key: RsaPublicKey) -> WebhookKeys {
        self.keys.push((label.into(), key));
        self
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Checks `signature` over `body`: canonical rendering first, then the raw number
    /// tokens, each under every key. Returns the key's label and the rendering that matched.
    pub fn verify(
        &self,
        body: &JsonLiteral,
        header: &SignatureHeader,
    ) -> std::result::Result<(String, NumberRendering), VerifyError> {
        let canonical = flatten(body, &header.nonce, NumberRendering::Canonical);
        let (index, rendering) = self.verify_message(&canonical, &header.signature, || {
            flatten(body, &header.nonce, NumberRendering::RawToken)
        })?;
        Ok((self.label(index).to_owned(), rendering))
    }

    /// [`WebhookKeys::verify`] of a body's `canonical` string, with `raw_tokens` making its
    /// raw-number-token string only if no key verifies the canonical one (spec §6.4.3).
    /// Returns the index of the key that verified and the rendering.
    pub(crate) fn verify_message(
        &self,
        canonical: &str,
        signature: &[u8],
        raw_tokens: impl FnOnce() -> String,
    ) -> std::result::Result<(usize, NumberRendering), VerifyError> {
        let verifies = |message: &str| {
            self.keys
                .iter()
                .position(|(_, key)| key.verify(message.as_bytes(), signature).is_ok())
        };
        if let Some(index) = verifies(canonical) {
            return Ok((index, NumberRendering::Canonical));
        }
        let raw = raw_tokens();
        // Without numbers the two renderings are one string: verify it once.
        if raw == canonical {
            return Err(VerifyError::InvalidSignature);
        }
        let index = verifies(&raw).ok_or(VerifyError::InvalidSignature)?;
        tracing::info!(
            key = %self.label(index),
            "a Maya webhook verified only with raw number tokens"
        );
        Ok((index, NumberRendering::RawToken))
    }

    /// The label of the key at `index` (empty past the end).
    pub(crate) fn label(&self, index: usize) -> &str {
        self.keys.get(index).map_or("", |(label, _)| label.as_str())
    }
}

/// The timestamp header as milliseconds, checked against `now_ms` ± `tolerance_ms`.
pub(crate) fn check_timestamp(
    header: Option<&str>,
    now_ms: i64,
    tolerance_ms: i64,
) -> std::result::Result<i64, VerifyError> {
    let text = header.map(str::trim).ok_or(VerifyError::BadTimestamp)?;
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp);
    }
    let timestamp_ms: i64 = text.parse().map_err(|_| VerifyError::BadTimestamp)?;
    let skew = now_ms.saturating_sub(timestamp_ms).saturating_abs();
    if skew > tolerance_ms {
        return Err(VerifyError::StaleTimestamp {
            timestamp_ms,
            now_ms,
            tolerance_ms,
        });
    }
    Ok(timestamp_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_in_any_order() {
        let header = SignatureHeader::parse("v1=0aff, nonce=abc ,v2=zz").unwrap();
        assert_eq!(header.nonce, "abc");
        assert_eq!(header.signature, vec![0x0a, 0xff]);
        assert_eq!(
            SignatureHeader::parse("v1=00"),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            SignatureHeader::parse("nonce=,v1="),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            SignatureHeader::parse("nonce=n,v1=zzznotvalid"),
            Err(VerifyError::BadSignatureEncoding)
        );
        assert_eq!(
            SignatureHeader::parse("nonce=n,v1=abc"),
            Err(VerifyError::BadSignatureEncoding)
        );
        assert_eq!(
            SignatureHeader::parse(""),
            Err(VerifyError::MissingSignature)
        );
    }

    #[test]
    fn hex_decodes_as_a_character_at_a_time_would() {
        let naive = |text: &str| -> Option<Vec<u8>> {
            if text.len() % 2 != 0 || text.len() > 4096 {
                return None;
            }
            (0..text.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
                .collect()
        };
        let mut seed: u32 = 5;
        let mut next = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            seed >> 16
        };
        const ALPHABET: &[u8] = b"0123456789abcdefABCDEF";
        for len in (0..80).chain([510, 512, 514, 1022, 1024, 1026, 4094, 4096, 4098]) {
            let mut text: Vec<u8> = (0..len)
                .map(|_| ALPHABET[next() as usize % ALPHABET.len()])
                .collect();
            let shown = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
            let decoded = |t: &[u8]| hex_decode(&shown(t)).map(|s| s.as_bytes().to_vec());
            assert_eq!(decoded(&text), naive(&shown(&text)), "{}", shown(&text));
            // One character that is not a digit, anywhere, refuses the whole value.
            if len > 0 {
                let at = next() as usize % len;
                for bad in [b'g', b'G', b'/', b':', b'@', b'`', b' ', b'+', 0x80, 0xff] {
                    text[at] = bad;
                    assert_eq!(decoded(&text), None, "{}", shown(&text));
                }
            }
        }
        let long = hex_decode(&"ab".repeat(1024)).unwrap();
        assert_eq!(long.heap.len(), 1024);
        assert_eq!(long.as_bytes(), vec![0xab; 1024]);
    }

    #[test]
    fn the_window_is_five_minutes_both_ways() {
        let now = 1_767_225_900_000;
        assert!(check_timestamp(Some("1767225600000"), now, 300_000).is_ok());
        assert!(matches!(
            check_timestamp(Some("1767225600000"), now + 1, 300_000),
            Err(VerifyError::StaleTimestamp { .. })
        ));
        assert!(matches!(
            check_timestamp(Some(&(now + 300_001).to_string()), now, 300_000),
            Err(VerifyError::StaleTimestamp { .. })
        ));
        for bad in [
            None,
            Some(""),
            Some("-5"),
            Some("1.5e12"),
            Some("99999999999999999999"),
        ] {
            assert_eq!(
                check_timestamp(bad, now, 300_000),
                Err(VerifyError::BadTimestamp)
            );
        }
    }

    #[test]
    fn mayas_published_keys_parse() {
        assert_eq!(WebhookKeys::maya(Environment::Sandbox).unwrap().len(), 2);
        assert_eq!(WebhookKeys::maya(Environment::Production).unwrap().len(), 2);
    }
}
