//! Exists only so fuzzers and property tests (crates/props) reach maib's response decoders
//! without I/O. Not API: nothing here is stable, and an application has no use for it.

use paykit_core::http::RawResponse;
use paykit_core::{Currency, Result};

use crate::error;
use crate::status::PaymentFlow;
use crate::types::{PaymentLink, RecurringResult, TokenPair};
use crate::wire::{
    CompleteWire, DeleteWire, LinkResult, PayInfoWire, RecurringWire, RefundWire, TokenResult,
};

/// The id a call would have asked about, for the decoders that compare with it.
const ASKED: &str = "fuzz-pay-id";

/// 1 for an `Ok`, 0 for an `Err`.
fn ok<T>(result: Result<T>) -> usize {
    usize::from(result.is_ok())
}

/// Runs every response decoder and error mapping of maib over `response`, as the client's
/// calls do, and discards what they read: the `errors[]` envelope, the `result` of every call
/// (`generate-token`, the link calls, `complete`, `refund`, `pay-info`, `execute-recurring`,
/// `delete-card`) and what each result says about the payment. Returns how many decoded.
pub fn decode_response(response: &RawResponse) -> usize {
    let _ = error::error_from(response).to_string();
    let mut decoded = 0_usize;
    decoded += ok(error::parse::<TokenResult>(response).map(TokenPair::from));
    decoded += ok(error::parse::<LinkResult>(response).map(|link| {
        let link = PaymentLink::from(link);
        link.outcome(None)
    }));
    decoded += ok(error::parse::<CompleteWire>(response).map(|wire| {
        let result = wire.into_result(ASKED);
        [None, Some(Currency::MDL)].map(|currency| result.outcome(currency))
    }));
    let info = error::parse::<PayInfoWire>(response).map(|wire| wire.into_result(ASKED));
    if let Ok(info) = &info {
        for flow in [
            PaymentFlow::Direct,
            PaymentFlow::Hold,
            PaymentFlow::SaveCard,
        ] {
            let _ = info.outcome(flow);
        }
    }
    decoded += ok(error::parse::<RefundWire>(response).map(|wire| {
        let result = wire.into_result(ASKED);
        if let Ok(before) = &info {
            for flow in [
                PaymentFlow::Direct,
                PaymentFlow::Hold,
                PaymentFlow::SaveCard,
            ] {
                let _ = result.outcome(before, flow);
            }
        }
        result
    }));
    decoded += ok(info);
    decoded += ok(error::parse::<RecurringWire>(response).map(|wire| {
        let result = RecurringResult::from(wire);
        result.outcome()
    }));
    decoded += ok(error::parse::<DeleteWire>(response).map(|wire| wire.into_result(ASKED)));
    decoded
}
