//! What became of one callback, and the HTTP status each outcome is answered with.
//!
//! The statuses follow one rule (DESIGN.md §10): a 2xx only once the merchant's handler has
//! succeeded (or had already succeeded for the same callback, or must not run: a replayed
//! delivery of Maya's gateway); a 4xx when the callback itself is wrong and sending it again
//! cannot help; a 5xx when a later delivery can succeed. maib and iPay deliver again on any
//! answer other than 200; miaPOS and Maya's Session URL do not retry at all; Maya's gateway
//! tries four times in all on anything but a 2xx; the Payments API documents no retries (poll
//! its receipts for unfinished orders).

use std::fmt;

use http::StatusCode;

/// What a callback route (or the [`Verified`](crate::Verified) extractor) made of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// Verified, claimed, and the handler succeeded: the provider's success answer.
    Handled,
    /// Handled before (the claim says so): the success answer again, the handler not run.
    Duplicate,
    /// Verified; the [`Verified`](crate::Verified) extractor hands it to the merchant's code.
    Verified,
    /// Authentic, but accepted once before: Maya's gateway signed it with a nonce the route's
    /// webhook has seen (a replay, or the same attempt posted twice). The success answer, the
    /// handler not run, nothing claimed: Maya signs each genuine retry with a fresh nonce, and
    /// a 4xx or 5xx would only make it send again (maya-checkout.md §6.2, §6.4.2 step 9).
    Replayed,
    /// Another delivery of the same callback is being handled right now: 503, so the provider
    /// delivers it again later, when the claim is done (then [`CallbackOutcome::Duplicate`])
    /// or released (then handled).
    InProgress,
    /// Not authentic: a missing, undecodable or wrong signature, an iPay order id or payment
    /// hash that is not the stored one, a callback the provider's own answer contradicts: 401.
    Forged,
    /// Not a callback this route can read (not the provider's format, a wrong content type, a
    /// body that could not be received whole): 400.
    Malformed,
    /// Larger than the route's body limit, refused before it was read whole: 413.
    TooLarge,
    /// Authentic, but the provider could not be asked to confirm it (a timeout, a 5xx, no
    /// token), or paykit's records could not be read, or the event cannot be confirmed
    /// (an event kind this version does not model on a route that accepts only confirmed
    /// events): 503.
    ConfirmationFailed,
    /// A shared store (the claims, Maya's sessions) could not be reached: 503. Nothing was
    /// run: handling without a claim could do the work twice.
    StoreFailed,
    /// The handler failed with a retryable [`HandlerError`](crate::HandlerError): 500. Its
    /// claim was released, so the next delivery runs it again.
    HandlerFailed,
    /// The handler refused the event for good ([`HandlerError::permanent`](crate::HandlerError::permanent)):
    /// 422. Its claim was released too: a provider that delivers again runs it again.
    HandlerRefused,
    /// The route is set up wrongly (a verifier without its key, an `Accept::Confirmed` route
    /// whose webhook returned an event it did not confirm and that has no confirmer): 500.
    Misconfigured,
}

impl CallbackOutcome {
    /// The outcome's name in logs and spans (`"handled"`, `"duplicate"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            CallbackOutcome::Handled => "handled",
            CallbackOutcome::Duplicate => "duplicate",
            CallbackOutcome::Verified => "verified",
            CallbackOutcome::Replayed => "replayed",
            CallbackOutcome::InProgress => "in_progress",
            CallbackOutcome::Forged => "forged",
            CallbackOutcome::Malformed => "malformed",
            CallbackOutcome::TooLarge => "too_large",
            CallbackOutcome::ConfirmationFailed => "confirmation_failed",
            CallbackOutcome::StoreFailed => "store_failed",
            CallbackOutcome::HandlerFailed => "handler_failed",
            CallbackOutcome::HandlerRefused => "handler_refused",
            CallbackOutcome::Misconfigured => "misconfigured",
        }
    }

    /// The HTTP status of a refusal; `None` for the outcomes answered with the route's
    /// success [`Answer`](crate::Answer).
    pub const fn refusal_status(self) -> Option<StatusCode> {
        Some(match self {
            CallbackOutcome::Handled
            | CallbackOutcome::Duplicate
            | CallbackOutcome::Verified
            | CallbackOutcome::Replayed => {
                return None;
            }
            CallbackOutcome::InProgress
            | CallbackOutcome::ConfirmationFailed
            | CallbackOutcome::StoreFailed => StatusCode::SERVICE_UNAVAILABLE,
            CallbackOutcome::Forged => StatusCode::UNAUTHORIZED,
            CallbackOutcome::Malformed => StatusCode::BAD_REQUEST,
            CallbackOutcome::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            CallbackOutcome::HandlerFailed | CallbackOutcome::Misconfigured => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            CallbackOutcome::HandlerRefused => StatusCode::UNPROCESSABLE_ENTITY,
        })
    }

    /// True when a later delivery of the same callback can succeed (the refusal is a 5xx).
    pub fn is_retryable(self) -> bool {
        match self.refusal_status() {
            Some(status) => status.is_server_error(),
            None => false,
        }
    }

    /// The fixed text a refusal's body carries: never a detail of the callback or the error.
    pub(crate) const fn phrase(self) -> &'static str {
        match self {
            CallbackOutcome::Handled
            | CallbackOutcome::Duplicate
            | CallbackOutcome::Verified
            | CallbackOutcome::Replayed => "ok",
            CallbackOutcome::InProgress => "being handled; deliver again later",
            CallbackOutcome::Forged => "callback not authentic",
            CallbackOutcome::Malformed => "callback not readable",
            CallbackOutcome::TooLarge => "callback too large",
            CallbackOutcome::ConfirmationFailed => "could not confirm; deliver again later",
            CallbackOutcome::StoreFailed => "store unavailable; deliver again later",
            CallbackOutcome::HandlerFailed => "handling failed; deliver again later",
            CallbackOutcome::HandlerRefused => "callback refused by the merchant",
            CallbackOutcome::Misconfigured => "callback route misconfigured",
        }
    }
}

impl fmt::Display for CallbackOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_outcomes_a_retry_can_change_are_5xx() {
        use CallbackOutcome as O;
        for (outcome, status, retryable) in [
            (O::InProgress, 503, true),
            (O::ConfirmationFailed, 503, true),
            (O::StoreFailed, 503, true),
            (O::HandlerFailed, 500, true),
            (O::Misconfigured, 500, true),
            (O::Forged, 401, false),
            (O::Malformed, 400, false),
            (O::TooLarge, 413, false),
            (O::HandlerRefused, 422, false),
        ] {
            assert_eq!(
                outcome.refusal_status().map(|s| s.as_u16()),
                Some(status),
                "{outcome}"
            );
            assert_eq!(outcome.is_retryable(), retryable, "{outcome}");
        }
        for success in [O::Handled, O::Duplicate, O::Verified, O::Replayed] {
            assert_eq!(success.refusal_status(), None);
            assert!(!success.is_retryable());
        }
    }
}
