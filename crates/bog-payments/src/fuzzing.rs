//! Decoder entry points for fuzzers and property tests (hidden from the docs): each takes any
//! bytes and must never panic.

use std::sync::OnceLock;

use paykit_core::Result;
use paykit_core::http::{RawResponse, StatusCode};
use paykit_core::webhook::RsaPublicKey;

use crate::{PROVIDER, Receipt, answers, error, status_of, translate};

/// 1 for an `Ok`, 0 for an `Err`.
fn ok<T>(result: Result<T>) -> usize {
    usize::from(result.is_ok())
}

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
    // Parsed once: a fuzzer calls this millions of times, and the key never changes.
    static KEY: OnceLock<Option<RsaPublicKey>> = OnceLock::new();
    let key =
        KEY.get_or_init(|| RsaPublicKey::from_spki_base64(crate::PRODUCTION_CALLBACK_KEY).ok());
    if let Some(key) = key {
        let _ = crate::webhook::verify_signature(body, Some(header), std::slice::from_ref(key));
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

/// The order a call would have asked about, for the readers that compare with it.
const ASKED: &str = "fuzz-order-id";

/// Runs every decoder a call of the client runs on an answer over `response` and discards
/// what they read: both error mappings (`from_response`, `token_error`), the token answer, the
/// JSON reader behind every 2xx (`json_value`), the receipt with its status, outcome and
/// refundable amount, and each call's own answer reader with its checks (`answers.rs`: create
/// order, receipt of the asked order, acknowledgement, card accepted, `/subscribe` against
/// the parent, Apple Pay of the asked order). Returns how many decoded.
pub fn decode_response(response: &RawResponse) -> usize {
    let _ = error::from_response(response).to_string();
    let _ = error::token_error(response).to_string();
    let mut decoded = ok(crate::auth::token_answer(response));
    let key = crate::IdempotencyKey::derive("fuzz");
    decoded += ok(answers::created_order(response, &key));
    decoded += ok(answers::receipt(response, ASKED));
    decoded += ok(answers::acknowledgement(response, &key));
    decoded += ok(answers::accepted(response, &key));
    decoded += ok(answers::charge_accepted(response, ASKED, &key));
    decoded += ok(answers::apple_pay_result(response, ASKED, &key));
    let Ok(value) = error::json_value(response) else {
        return decoded;
    };
    decoded += 1;
    decoded += ok(Receipt::from_value(value).map(|receipt| {
        let _ = (
            status_of(&receipt),
            translate::outcome_for_receipt(&receipt),
            receipt.refundable_amount(),
            receipt.transfer_method().map(|m| m.is_card_like()),
        );
    }));
    decoded
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
            decode_response(&response(200, part));
            decode_response(&response(400, part));
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
