//! How a verification or confirmation error is answered, and how it is logged without a byte
//! of the callback.

use paykit_core::{Error, SignatureError};

use crate::outcome::CallbackOutcome;

/// Where an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The webhook's `verify` (which, for unsigned callbacks, already asks the provider).
    Verify,
    /// The route's [`Confirm`](crate::Confirm), asking the provider about a signed event.
    Confirm,
}

/// The outcome an error gives: 4xx when the callback is wrong, 5xx when a retry can help.
pub(crate) fn outcome_of(error: &Error, phase: Phase) -> CallbackOutcome {
    use CallbackOutcome as O;
    match error {
        Error::Signature(SignatureError::BadBody(_)) => O::Malformed,
        Error::Signature(SignatureError::BadKey) => O::Misconfigured,
        // Missing, Malformed, Mismatch and whatever a later version adds: not authentic.
        Error::Signature(_) => O::Forged,
        // The provider's own answer contradicts the callback: a relabelled or replayed body.
        Error::Integrity { .. } => O::Forged,
        Error::InvalidInput { .. } => match phase {
            // The callback names no order we know, or breaks the format.
            Phase::Verify => O::Malformed,
            // A confirmer of another provider, or an id its own client refuses.
            Phase::Confirm => O::Misconfigured,
        },
        Error::Unsupported { .. } => match phase {
            // A verifier that accepts nothing (Maya sends no payment callbacks).
            Phase::Verify => O::Forged,
            // The provider cannot tell (a maib payment without a record of its flow).
            Phase::Confirm => O::ConfirmationFailed,
        },
        // Transport, Api, Auth, RateLimited, Decode, Store, and anything a later version adds:
        // the provider (or paykit's records) could not be asked now; a later delivery can be
        // handled.
        _ => O::ConfirmationFailed,
    }
}

/// A one-line description of `error` for logs: the kind of failure and the names of fields,
/// never a value taken from the callback (body excerpts, signatures, hashes, tokens).
pub(crate) fn summary(error: &Error) -> String {
    match error {
        Error::Signature(SignatureError::BadBody(_)) => {
            "callback rejected: body not in the provider's format".to_owned()
        }
        Error::Signature(kind) => format!("callback rejected: {kind}"),
        Error::InvalidInput { field, .. } => format!("invalid {field}"),
        Error::Integrity {
            provider, field, ..
        } => format!("{provider}: the provider's answer contradicts the callback's {field}"),
        Error::Decode { provider, .. } => format!("{provider}: an answer could not be decoded"),
        Error::Unsupported { .. }
        | Error::Transport { .. }
        | Error::Api { .. }
        | Error::Auth { .. }
        | Error::RateLimited { .. }
        | Error::Store { .. } => error.to_string(),
        other => format!("{}: {}", kind_name(other), "failed"),
    }
}

fn kind_name(error: &Error) -> &'static str {
    match error {
        Error::OutcomeUnknown { .. } => "outcome unknown",
        Error::NotRecorded { .. } => "not recorded",
        _ => "error",
    }
}

#[cfg(test)]
mod tests {
    use paykit_core::ProviderId;

    use super::*;

    #[test]
    fn errors_map_to_the_answer_contract() {
        let p = ProviderId("t");
        for (error, phase, outcome) in [
            (
                Error::Signature(SignatureError::Mismatch),
                Phase::Verify,
                CallbackOutcome::Forged,
            ),
            (
                Error::Signature(SignatureError::Missing),
                Phase::Verify,
                CallbackOutcome::Forged,
            ),
            (
                Error::Signature(SignatureError::BadBody("x".into())),
                Phase::Verify,
                CallbackOutcome::Malformed,
            ),
            (
                Error::Signature(SignatureError::BadKey),
                Phase::Verify,
                CallbackOutcome::Misconfigured,
            ),
            (
                Error::invalid_input("order_id", "unknown"),
                Phase::Verify,
                CallbackOutcome::Malformed,
            ),
            (
                Error::Integrity {
                    provider: p,
                    field: "amount".into(),
                    expected: "1".into(),
                    actual: "2".into(),
                },
                Phase::Confirm,
                CallbackOutcome::Forged,
            ),
            (
                Error::Auth {
                    provider: p,
                    message: "no".into(),
                },
                Phase::Confirm,
                CallbackOutcome::ConfirmationFailed,
            ),
            (
                Error::store("memory", "get record", "down"),
                Phase::Verify,
                CallbackOutcome::ConfirmationFailed,
            ),
            (
                Error::unsupported(p, "flow"),
                Phase::Confirm,
                CallbackOutcome::ConfirmationFailed,
            ),
            (
                Error::unsupported(p, "callbacks"),
                Phase::Verify,
                CallbackOutcome::Forged,
            ),
        ] {
            assert_eq!(outcome_of(&error, phase), outcome, "{error:?}");
        }
    }

    #[test]
    fn summaries_leave_callback_values_out() {
        let decode = Error::decode(p(), "bad", b"{\"payment_hash\":\"SECRET-HASH\"}", false);
        assert!(decode.to_string().contains("SECRET-HASH"));
        assert!(!summary(&decode).contains("SECRET-HASH"));
        let body = Error::Signature(SignatureError::BadBody("the key `SECRET` twice".into()));
        assert!(!summary(&body).contains("SECRET"));
        let integrity = Error::Integrity {
            provider: p(),
            field: "amount".into(),
            expected: "SECRET-1".into(),
            actual: "SECRET-2".into(),
        };
        assert!(!summary(&integrity).contains("SECRET"));
        let input = Error::invalid_input("body", "SECRET token");
        assert!(!summary(&input).contains("SECRET"));
    }

    fn p() -> ProviderId {
        ProviderId("t")
    }
}
