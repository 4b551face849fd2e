//! Identifiers and tokens: random, unique, and shaped like the providers' own.

use std::sync::atomic::{AtomicU64, Ordering};

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// Fills `N` random bytes from the system RNG. Should the RNG ever fail, falls back to a
/// hash of a process-wide counter and the time, which is still unique (these are test ids,
/// never secrets).
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0_u8; N];
    if aws_lc_rs::rand::fill(&mut out).is_ok() {
        return out;
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut seed = COUNTER
        .fetch_add(1, Ordering::Relaxed)
        .to_be_bytes()
        .to_vec();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    seed.extend_from_slice(&nanos.to_be_bytes());
    let mut filled = 0;
    while filled < N {
        let block = digest::digest(&digest::SHA256, &seed);
        for b in block.as_ref() {
            if let Some(slot) = out.get_mut(filled) {
                *slot = *b;
                filled += 1;
            }
        }
        seed = block.as_ref().to_vec();
    }
    out
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// A random RFC 4122 version-4 UUID, lowercase and hyphenated.
pub(crate) fn uuid_v4() -> String {
    let mut b = bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = to_hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

/// `n` random bytes as lowercase hex (iPay's 40-character ids use `n = 20`).
pub(crate) fn hex_id(n: usize) -> String {
    let mut out = String::new();
    while out.len() < n * 2 {
        out.push_str(&to_hex(&bytes::<32>()));
    }
    out.truncate(n * 2);
    out
}

/// A string of `n` random decimal digits (never starting with 0).
pub(crate) fn digits(n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in bytes::<32>() {
            // Rejection sampling keeps the digits uniform.
            if b < 250 && out.len() < n {
                let d = b % 10;
                if !(out.is_empty() && d == 0) {
                    out.push(char::from(b'0' + d));
                }
            }
        }
    }
    out
}

/// An opaque transaction handle shaped like maib's `trans_id` (standard base64 with `/` and
/// `=`, which clients must pass on verbatim). `+` is avoided so a browser query needs no care.
pub(crate) fn trans_id() -> String {
    STANDARD.encode(bytes::<20>()).replace('+', "/")
}

/// True with probability `percent`/100 (clamped to 0..=100).
pub(crate) fn hit(percent: u8) -> bool {
    let p = percent.min(100);
    if p == 0 {
        return false;
    }
    if p == 100 {
        return true;
    }
    let [a, b] = bytes::<2>();
    u16::from_be_bytes([a, b]) % 100 < u16::from(p)
}

/// A JWT-shaped opaque token. The payload carries `sub`, `exp` (seconds) and a random `jti`
/// so every token is unique; the "signature" is random bytes (nothing verifies it but us,
/// by lookup).
pub(crate) fn jwt(alg: &str, sub: &str, exp_secs: u64, extra_header: &str) -> String {
    let header = format!(r#"{{"alg":"{alg}","typ":"JWT"{extra_header}}}"#);
    let payload = format!(
        r#"{{"sub":"{}","exp":{exp_secs},"jti":"{}"}}"#,
        sub.replace(['"', '\\'], ""),
        hex_id(12)
    );
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(bytes::<32>())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_has_v4_shape() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
        assert!(matches!(u.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(u, uuid_v4());
    }

    #[test]
    fn ids_have_requested_lengths() {
        assert_eq!(hex_id(20).len(), 40);
        let d = digits(12);
        assert_eq!(d.len(), 12);
        assert!(d.bytes().all(|b| b.is_ascii_digit()));
        assert!(!trans_id().contains('+'));
    }

    #[test]
    fn hit_extremes() {
        assert!(!hit(0));
        assert!(hit(100));
        assert!(hit(255));
    }

    #[test]
    fn jwt_has_three_parts() {
        assert_eq!(jwt("HS256", "x", 1, "").split('.').count(), 3);
    }
}
