//! miaPOS: callback verification with the fixtures' test public key (given directly, so no
//! key fetch), the canonical string, and reading a public key as the key endpoint sends it.

use std::sync::OnceLock;

use paykit_core::{Webhook, WebhookRequest};
use paykit_miapos::{MiaPosWebhook, RsaPublicKey, canonical_string};

use crate::ready::ready;
use crate::seeds;

/// The verifier under `fixtures/miapos/keys/public_key.b64`.
pub(crate) fn hook() -> &'static MiaPosWebhook {
    static HOOK: OnceLock<MiaPosWebhook> = OnceLock::new();
    HOOK.get_or_init(|| {
        let key = match seeds::key("miapos", "public_key.b64") {
            Ok(key) => key,
            Err(error) => panic!("the miaPOS test key is missing: {error}"),
        };
        match MiaPosWebhook::from_spki_base64(&key) {
            Ok(hook) => hook,
            Err(error) => panic!("the miaPOS test key is refused: {error}"),
        }
    })
}

/// `MiaPosWebhook::verify_callback` and the `Webhook` trait agree; a verified callback's
/// canonical string exists and its outcome carries its payment id; the event is signed, not
/// fit for fulfilment by itself.
pub fn miapos_callback(data: &[u8]) {
    let hook = hook();
    let canonical = canonical_string(data);
    let Some(verified) = ready(hook.verify_callback(data)) else {
        panic!("the miaPOS verifier with a fixed key waited on I/O");
    };
    let Some(event) = ready(hook.verify(&WebhookRequest::body_only(data))) else {
        panic!("the miaPOS verifier with a fixed key waited on I/O");
    };
    assert_eq!(
        verified.is_ok(),
        event.is_ok(),
        "verify_callback vs Webhook::verify"
    );
    if let Ok(info) = &verified {
        assert!(canonical.is_ok(), "verified without a canonical string");
        let outcome = info.to_outcome();
        assert_eq!(outcome.provider_payment_id, info.payment_id);
        let _ = (info.money(), info.payment_type(), info.status.is_final());
    }
    if let Ok(event) = &event {
        assert!(
            !event.is_fit_for_fulfilment(),
            "a signed miaPOS event is never enough"
        );
    }
}

/// `RsaPublicKey::from_spki_base64` / `from_spki_der`: the key endpoint's answer is untrusted
/// bytes too. A key that parses verifies nothing it did not sign.
pub fn miapos_public_key(data: &[u8]) {
    let from_der = RsaPublicKey::from_spki_der(data);
    let from_text = RsaPublicKey::from_spki_base64(&String::from_utf8_lossy(data));
    for key in [from_der.ok(), from_text.ok()].into_iter().flatten() {
        assert!(key.verify(b"message", &[0_u8; 256]).is_err());
        assert!(key.verify_base64(b"message", "AAAA").is_err());
    }
}
