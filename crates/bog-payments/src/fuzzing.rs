//! Decoder entry points for fuzzers and property tests (hidden from the docs): each takes any
//! bytes and must never panic.

use paykit_core::http::{RawResponse, StatusCode};

use crate::PROVIDER;

fn response(status: u16, body: &[u8]) -> RawResponse {
    RawResponse {
        provider: PROVIDER,
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        headers: Default::default(),
        body: body.to_vec().into(),
        mutating: true,
        sensitive: false,
    }
}

/// A receipt body.
pub fn decode_receipt(body: &[u8]) {
    if let Ok(value) = serde_json::from_slice(body) {
        let _ = crate::Receipt::from_value(value).map(|r| crate::status_of(&r));
    }
}

/// A callback body and signature header, against the published production key.
pub fn decode_callback(body: &[u8], header: &str) {
    if let Ok(key) =
        paykit_core::webhook::RsaPublicKey::from_spki_base64(crate::PRODUCTION_CALLBACK_KEY)
    {
        let _ = crate::webhook::verify_signature(body, Some(header), &[key]);
    }
    let _ = crate::webhook::parse_callback(body);
}

/// An error answer of `status`.
pub fn decode_error(status: u16, body: &[u8]) {
    let _ = crate::error::from_response(&response(status, body));
    let _ = crate::error::token_error(&response(status, body));
}

/// A token answer.
pub fn decode_token(body: &[u8]) {
    let _ = crate::auth::token_answer(&response(200, body));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Truncations of a real receipt, garbage and huge inputs never panic.
    #[test]
    fn decoders_survive_garbage() {
        let receipt = br#"{"order_id":"x","order_status":{"key":"completed"},"purchase_units":{"request_amount":"30.0","currency_code":"GEL","items":[{"quantity":"2"}]},"actions":[{"action":"refund","amount":"abc"}]}"#;
        for cut in 0..receipt.len() {
            let part = receipt.get(..cut).unwrap_or_default();
            decode_receipt(part);
            decode_callback(part, "%%%");
            decode_error(400, part);
            decode_token(part);
        }
        let huge = vec![b'['; 100_000];
        decode_receipt(&huge);
        decode_callback(&huge, "");
        decode_error(500, &huge);
        decode_token(&[0xff, 0xfe, 0x00]);
        decode_callback(b"{}", "%2");
        decode_callback(b"{}", &"A".repeat(10_000));
    }
}
