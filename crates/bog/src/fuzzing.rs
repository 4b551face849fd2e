//! Exists only so fuzzers and property tests (crates/props) reach iPay's response decoders
//! without I/O. Not API: nothing here is stable, and an application has no use for it.

use paykit_core::Result;
use paykit_core::http::RawResponse;

use crate::auth::token_answer;
use crate::model::{LegacyOrder, PaymentDetails};
use crate::{PROVIDER, error, translate, wire};

/// The order id a call would have asked about, for the decoders that compare with it.
const ASKED: &str = "fuzz-order-id";

/// 1 for an `Ok`, 0 for an `Err`.
fn ok<T>(result: Result<T>) -> usize {
    usize::from(result.is_ok())
}

/// Runs every response decoder and error mapping of iPay over `response`, as the client's
/// calls do, and discards what they read: the error mappings (`from_response`, `token_error`,
/// `ensure_success`), the token answer, the create-order, payment-details, subscription and
/// legacy order / status answers, and the refund and pre-authorization completion answers.
/// Returns how many decoded.
pub fn decode_response(response: &RawResponse) -> usize {
    let _ = error::from_response(response).to_string();
    let _ = error::token_error(response).to_string();
    let mut decoded = ok(error::ensure_success(response));
    decoded += ok(token_answer(response));
    decoded += ok(error::parse::<wire::CreateOrderResponse>(response)
        .and_then(|parsed| parsed.into_order(PROVIDER, &response.body)));
    decoded += ok(
        error::parse::<wire::PaymentDetailsResponse>(response).map(|parsed| {
            let details = PaymentDetails::from(parsed);
            translate::outcome_for_details(&details, None)
        }),
    );
    decoded += ok(error::parse::<wire::SubscriptionResponse>(response)
        .and_then(|parsed| parsed.into_payment(PROVIDER, &response.body, ASKED)));
    decoded += ok(error::parse::<wire::LegacyOrderResponse>(response).map(LegacyOrder::from));
    decoded += ok(error::parse::<wire::LegacyStatusResponse>(response));
    decoded += ok(wire::refund_answer(response, ASKED));
    decoded += ok(wire::pre_auth_answer(response, ASKED));
    decoded
}
