//! The money-truth rule (DESIGN.md §8), decided once for every adapter.
//!
//! An adapter declares what each call does to money ([`Effect`]) and parses the answer; this
//! module turns every way the exchange can go wrong into the one meaning the rule assigns:
//!
//! | answer to a money-moving call | result |
//! |---|---|
//! | well-formed success whose echo matches | the adapter's `Ok` |
//! | documented refusal (4xx with the provider's error) | the adapter's [`Error::Api`]: nothing happened |
//! | not sent (connect refused, invalid input, no token) | retryable, nothing happened |
//! | HTTP 429 | [`Error::RateLimited`]: refused before acting, retryable |
//! | 5xx, timeout or reset after sending, redirect, oversized body | [`Error::OutcomeUnknown`] |
//! | 2xx that cannot be decoded, 2xx whose echo mismatches | [`Error::OutcomeUnknown`] |
//! | provider fault marked transient by the adapter (maib `10000`) | [`Error::OutcomeUnknown`] |
//!
//! A call that moves no money ([`Effect::NoMoney`], e.g. registering a payment page) keeps
//! every error as the adapter made it: transport faults of such a call are retryable.

use crate::error::{Error, Sent, TransportKind, UnknownCause};
use crate::payment_ref::PaymentRef;

/// What a call does to money, declared by the adapter for each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Changes nothing at the provider (status queries, token requests).
    Read,
    /// Changes state at the provider without moving money: registering a payment page the
    /// customer has yet to pay, deleting a stored card. A fault leaves nothing to reconcile.
    NoMoney,
    /// May move money: a charge, a capture, a refund, a void, an execute.
    MovesMoney,
}

impl Effect {
    /// True for [`Effect::MovesMoney`].
    pub fn moves_money(self) -> bool {
        self == Effect::MovesMoney
    }
}

/// The error of a call of `effect`, after the rule: on a money-moving call every answer that
/// leaves the outcome open becomes [`Error::OutcomeUnknown`] carrying `ids`.
pub(crate) fn classify(
    error: Error,
    effect: Effect,
    call: &'static str,
    ids: &PaymentRef,
) -> Error {
    if !effect.moves_money() {
        return error;
    }
    let (provider, cause) = match error {
        Error::Transport {
            provider,
            kind,
            sent: Sent::MaybeSent,
            ..
        } => (
            provider,
            match kind {
                TransportKind::Status(status) => UnknownCause::Status {
                    status,
                    retry_after: None,
                },
                kind => UnknownCause::Transport(kind),
            },
        ),
        Error::Decode {
            provider,
            reason,
            snippet,
        } => (provider, UnknownCause::Decode { reason, snippet }),
        Error::Integrity {
            provider,
            field,
            expected,
            actual,
        } => (
            provider,
            UnknownCause::Integrity {
                field,
                expected,
                actual,
            },
        ),
        Error::Api {
            provider,
            http_status,
            code,
            message,
            retryable,
        } if retryable || http_status.is_some_and(|status| status >= 500) => (
            provider,
            UnknownCause::ProviderFault {
                http_status,
                code,
                message,
            },
        ),
        unknown @ (Error::OutcomeUnknown { .. } | Error::NotRecorded { .. }) => {
            return unknown.with_payment_ref(call, ids);
        }
        known => return known,
    };
    tracing::warn!(
        provider = provider.as_str(),
        call,
        %cause,
        "a money-moving call ended without a readable answer; its outcome is unknown"
    );
    Error::OutcomeUnknown {
        provider,
        call,
        cause,
        payment: Box::new(ids.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProviderId;

    const P: ProviderId = ProviderId("t");

    fn ids() -> PaymentRef {
        PaymentRef::new().provider_payment_id("pay-1")
    }

    fn api(status: u16, retryable: bool) -> Error {
        Error::Api {
            provider: P,
            http_status: Some(status),
            code: "E".into(),
            message: "m".into(),
            retryable,
        }
    }

    #[test]
    fn faults_of_money_moving_calls_are_unknown_with_their_ids() {
        let faults = [
            Error::Transport {
                provider: P,
                kind: TransportKind::Timeout,
                sent: Sent::MaybeSent,
                mutating: true,
            },
            Error::Transport {
                provider: P,
                kind: TransportKind::Status(502),
                sent: Sent::MaybeSent,
                mutating: true,
            },
            Error::decode(P, "eof", b"{\"result\":", false),
            Error::Integrity {
                provider: P,
                field: "payId".into(),
                expected: "a".into(),
                actual: "b".into(),
            },
            api(500, false),
            api(400, true),
        ];
        for fault in faults {
            let shown = format!("{fault:?}");
            let error = classify(fault, Effect::MovesMoney, "refund", &ids());
            assert!(error.outcome_unknown(), "{shown} -> {error:?}");
            assert!(!error.is_retryable(), "{error:?}");
            assert_eq!(error.payment_ref(), Some(&ids()));
            assert!(error.to_string().contains("pay-1"), "{error}");
            assert!(error.to_string().contains("refund"), "{error}");
        }
    }

    #[test]
    fn refusals_and_unsent_calls_stay_what_they_are() {
        let refusal = classify(api(409, false), Effect::MovesMoney, "refund", &ids());
        assert!(matches!(refusal, Error::Api { .. }));
        let unsent = Error::Transport {
            provider: P,
            kind: TransportKind::Connect,
            sent: Sent::NotSent,
            mutating: true,
        };
        let unsent = classify(unsent, Effect::MovesMoney, "refund", &ids());
        assert!(unsent.is_retryable() && !unsent.outcome_unknown());
        let limited = Error::RateLimited {
            provider: P,
            http_status: 429,
            retry_after: None,
        };
        assert!(classify(limited, Effect::MovesMoney, "refund", &ids()).is_retryable());
    }

    #[test]
    fn calls_that_move_no_money_keep_their_errors() {
        let decode = Error::decode(P, "eof", b"{", false);
        assert!(matches!(
            classify(decode, Effect::NoMoney, "pay", &ids()),
            Error::Decode { .. }
        ));
        let fault = classify(api(500, true), Effect::NoMoney, "pay", &ids());
        assert!(fault.is_retryable());
        assert_eq!(fault.api_code(), Some("E"));
    }

    #[test]
    fn unknown_outcomes_gain_ids_they_lacked() {
        let first = classify(api(500, false), Effect::MovesMoney, "execute", &ids());
        let more = PaymentRef::new().merchant_reference("order-9");
        let again = classify(first, Effect::MovesMoney, "execute", &more);
        let payment = again.payment_ref().unwrap();
        assert_eq!(payment.provider_payment_id.as_deref(), Some("pay-1"));
        assert_eq!(payment.merchant_reference.as_deref(), Some("order-9"));
    }
}
