//! Exists only so fuzzers and property tests (crates/props) reach Maya's response decoders
//! without I/O. Not API: nothing here is stable, and an application has no use for it.

use paykit_core::http::RawResponse;
use paykit_core::{Money, Result};

use crate::api::{created, executed, payment_id, profile_answer};
use crate::auth::{client_token_answer, customer_tokens_answer, ends_session};
use crate::error::{self, ErrorBody};
use crate::payment::CreatePayment;
use crate::validate;
use crate::wire::PaymentResponse;

/// The payment id and `p2mId` a call would have sent, for the decoders that compare with them.
const ASKED: &str = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
const P2M_ID: &str = "fuzz-p2m-id";
/// Secrets a customer-token error must not show.
const SECRETS: &[&str] = &["fuzz-access-token", "fuzz-refresh-token"];

/// 1 for an `Ok`, 0 for an `Err`.
fn ok<T>(result: Result<T>) -> usize {
    usize::from(result.is_ok())
}

/// Runs every response decoder and error mapping of Maya over `response`, as the client's
/// calls do, and discards what they read: `from_response` (with and without secrets to hide),
/// the error body and whether it ends a session, the client token answer, the customer token
/// refresh answer, the create answer (`PaymentResponse`, `payment_id`), the execute answer
/// and the profile answer. Returns how many decoded.
pub fn decode_response(response: &RawResponse) -> usize {
    let _ = error::from_response(response, &[]).to_string();
    let _ = error::from_response(response, SECRETS).to_string();
    let _ = error::token_error(response).to_string();
    if let Some(body) = ErrorBody::parse(&response.body) {
        let _ = (
            body.describe(),
            ends_session(response.status.as_u16(), &body),
        );
    }
    let mut decoded = ok(client_token_answer(response));
    decoded += ok(customer_tokens_answer(response));
    decoded += ok(response
        .json::<PaymentResponse>()
        .and_then(|wire| payment_id(wire.id.as_deref(), response)));
    if let Ok(amount) = Money::parse("100.00", validate::CURRENCY) {
        decoded += ok(created(response, &CreatePayment::new(amount), P2M_ID, None));
        decoded += ok(executed(ASKED, Some(&amount), None, response));
    }
    decoded += ok(executed(ASKED, None, None, response));
    decoded += ok(profile_answer(response));
    decoded
}
