//! Exists only so fuzzers and property tests (crates/props) reach miaPOS's response decoders
//! without I/O. Not API: nothing here is stable, and an application has no use for it.

use paykit_core::Result;
use paykit_core::http::RawResponse;

use crate::auth::token_answer;
use crate::error::{api_error, token_error};
use crate::native::{parse, payment_info};
use crate::webhook::{public_key_of, public_key_response};
use crate::wire;

/// 1 for an `Ok`, 0 for an `Err`.
fn ok<T>(result: Result<T>) -> usize {
    usize::from(result.is_ok())
}

/// Runs every response decoder and error mapping of miaPOS over `response`, as the client's
/// calls do, and discards what they read: both error mappings, the token answer (issue and
/// refresh), the `pay`, `request-to-pay/direct` and payment answers (and the payment's
/// outcome), and the public-key answer with the key it names. Returns how many decoded.
pub fn decode_response(response: &RawResponse) -> usize {
    let _ = api_error(response).to_string();
    let mut decoded = 0_usize;
    for grant in ["token request", "token refresh"] {
        let _ = token_error(response, grant).to_string();
        decoded += ok(token_answer(response, grant));
    }
    decoded += ok(parse::<wire::PayResponse>(response));
    decoded += ok(parse::<wire::DirectRtpResponse>(response));
    decoded += ok(parse::<wire::PaymentResult>(response).map(|result| {
        let info = payment_info(result);
        info.to_outcome()
    }));
    decoded += ok(public_key_response(response).and_then(public_key_of));
    decoded
}
