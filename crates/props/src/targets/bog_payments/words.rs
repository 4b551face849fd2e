//! The Payments API's words and ids: open enums, Idempotency-Keys, `expires_in`.

use paykit_bog_payments::{
    ActionKind, ActionStatus, CampaignCard, CampaignType, IdempotencyKey, OrderStatus,
    PaymentMethod, body_digest, classify_expires_in,
};

/// The provider's words and ids: every open enum keeps what it reads (`from_wire` then
/// `as_str` is the text itself), an `Idempotency-Key` parses only as itself and every derived
/// key parses, `expires_in` (the first 8 bytes as an integer, or the text) always gives a
/// lifetime inside the policy's bounds, and a body's digest is 64 hex digits.
pub fn bog_payments_words(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    assert_eq!(OrderStatus::from_wire(text).as_str(), text);
    assert_eq!(PaymentMethod::from_wire(text).as_str(), text);
    assert_eq!(ActionKind::from_wire(text).as_str(), text);
    assert_eq!(ActionStatus::from_wire(text).as_str(), text);
    assert_eq!(CampaignCard::from_wire(text).as_str(), text);
    assert_eq!(CampaignType::from_wire(text).as_str(), text);
    let _ = PaymentMethod::from_wire(text).is_card_like();
    if let Ok(key) = IdempotencyKey::parse(text) {
        assert_eq!(key.as_str(), text);
    }
    let derived = IdempotencyKey::derive(text);
    assert!(
        IdempotencyKey::parse(derived.as_str()).is_ok(),
        "a derived key does not parse: {}",
        derived.as_str()
    );
    let mut raw = [0_u8; 8];
    for (out, byte) in raw.iter_mut().zip(data) {
        *out = *byte;
    }
    let received = 1_741_942_800;
    for expires_in in [
        Some(i64::from_le_bytes(raw)),
        text.trim().parse::<i64>().ok(),
    ] {
        let lifetime = classify_expires_in(expires_in, received);
        assert!(
            (paykit_bog_payments::MIN_LIFETIME..=paykit_bog_payments::MAX_LIFETIME)
                .contains(&lifetime.lifetime)
                || lifetime.lifetime == paykit_bog_payments::FALLBACK_LIFETIME,
            "expires_in {expires_in:?} gave {lifetime:?}"
        );
        assert!(lifetime.refresh_after <= lifetime.lifetime);
    }
    let digest = body_digest(data);
    assert!(digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()));
}
