//! Outcomes, errors and events as JSON: the shape contract fixtures' `expect` is written against
//! (see `fixtures/README.md`) and the shape the `paykit` CLI prints. Every key is always present (`null` when it does not apply),
//! so an expectation can also demand that something is absent.

use crate::{
    Authenticity, Error, EventKind, Money, NextAction, PaymentOutcome, PaymentRef, PaymentStatus,
    Sent, SignatureError, TransportKind, UnknownCause, VerifiedEvent,
};
use serde_json::{Value, json};

/// A payment outcome:
/// `{provider_payment_id, status, failure_reason, next_action, amount, refunded, order_id,
/// saved_card, raw_status, state_known}` (`state_known` false for an acknowledgement that names no
/// state). `status` is [`PaymentStatus::name`]; amounts are
/// `{"value": "10.25", "currency": "MDL"}`; `next_action` is `{"kind": "none" | "redirect" |
/// "form_post" | "checkout", ...}`.
pub fn describe_outcome(outcome: &PaymentOutcome) -> Value {
    let failure_reason = match &outcome.status {
        PaymentStatus::Failed { reason } => json!(reason),
        _ => Value::Null,
    };
    json!({
        "provider_payment_id": outcome.provider_payment_id,
        "status": outcome.status.name(),
        "failure_reason": failure_reason,
        "next_action": next_action(&outcome.next_action),
        "amount": outcome.amount.as_ref().map(money),
        "refunded": outcome.refunded.as_ref().map(money),
        "order_id": outcome.order_id,
        "saved_card": outcome.saved_card.as_ref().map(|card| json!({
            "id": card.id,
            "masked_pan": card.masked_pan,
        })),
        "raw_status": outcome.raw_status,
        "state_known": outcome.state_known,
    })
}

/// An error: `{kind, code, field, sent, http_status}` plus detail keys per kind
/// (`provider`, `message`, `reason`, `transport`, `operation`, `expected`, `actual`, ...).
/// `kind` is `api`, `transport`, `auth`, `invalid_input`, `unsupported`, `signature`,
/// `decode`, `integrity`, `outcome_unknown` (with `call`, `cause` and the `payment` ids),
/// `rate_limited`, `not_recorded` or `store`. `sent` says whether the request left:
/// `not_sent` before any I/O (invalid input, unsupported) and for a connection never made,
/// `maybe_sent` after connecting and for every unknown outcome, `null` when an answer was
/// received. Every error also says `outcome_unknown` and `retryable`.
pub fn describe_error(error: &Error) -> Value {
    let mut described = match error {
        Error::Transport {
            provider,
            kind,
            sent,
            mutating,
        } => json!({
            "kind": "transport",
            "sent": sent_name(*sent),
            "http_status": match kind { TransportKind::Status(code) => Some(*code), _ => None },
            "transport": transport_name(kind),
            "provider": provider.as_str(),
            "mutating": mutating,
        }),
        Error::Api {
            provider,
            http_status,
            code,
            message,
            retryable,
        } => json!({
            "kind": "api",
            "code": code,
            "http_status": http_status,
            "provider": provider.as_str(),
            "message": message,
            "retryable": retryable,
        }),
        Error::Auth { provider, message } => json!({
            "kind": "auth",
            "provider": provider.as_str(),
            "message": message,
        }),
        Error::InvalidInput { field, reason } => json!({
            "kind": "invalid_input",
            "field": field,
            "sent": "not_sent",
            "reason": reason,
        }),
        Error::Unsupported {
            provider,
            operation,
        } => json!({
            "kind": "unsupported",
            "sent": "not_sent",
            "provider": provider.as_str(),
            "operation": operation,
        }),
        Error::Signature(signature) => json!({
            "kind": "signature",
            "code": signature_code(signature),
            "reason": signature.to_string(),
        }),
        Error::Decode {
            provider,
            reason,
            snippet,
        } => json!({
            "kind": "decode",
            "provider": provider.as_str(),
            "reason": reason,
            "snippet": snippet,
        }),
        Error::Integrity {
            provider,
            field,
            expected,
            actual,
        } => json!({
            "kind": "integrity",
            "field": field,
            "provider": provider.as_str(),
            "expected": expected,
            "actual": actual,
        }),
        Error::OutcomeUnknown {
            provider,
            call,
            cause,
            payment,
        } => unknown_outcome(provider.as_str(), call, cause, payment),
        Error::RateLimited {
            provider,
            http_status,
            retry_after,
        } => json!({
            "kind": "rate_limited",
            "http_status": http_status,
            "provider": provider.as_str(),
            "retry_after_secs": retry_after.map(|wait| wait.as_secs()),
        }),
        Error::NotRecorded {
            provider,
            outcome,
            payment,
            reason,
        } => json!({
            "kind": "not_recorded",
            "provider": provider.as_str(),
            "outcome": describe_outcome(outcome),
            "payment": payment_ids(payment),
            "reason": reason,
        }),
        Error::Store {
            backend,
            operation,
            message,
        } => json!({
            "kind": "store",
            "backend": backend,
            "operation": operation,
            "message": message,
        }),
    };
    if let Value::Object(map) = &mut described {
        for key in ["code", "field", "sent", "http_status"] {
            map.entry(key).or_insert(Value::Null);
        }
        map.insert("outcome_unknown".into(), json!(error.outcome_unknown()));
        map.entry("retryable")
            .or_insert(json!(error.is_retryable()));
    }
    described
}

/// `{kind: "outcome_unknown", call, cause, sent: "maybe_sent", http_status, code, transport,
/// field, payment}`; `cause` is `transport`, `status`, `provider_fault`, `decode` or
/// `integrity`.
fn unknown_outcome(
    provider: &str,
    call: &str,
    cause: &UnknownCause,
    payment: &PaymentRef,
) -> Value {
    let (name, http_status, code, transport, field) = match cause {
        UnknownCause::Transport(kind) => {
            ("transport", None, None, Some(transport_name(kind)), None)
        }
        UnknownCause::Status { status, .. } => ("status", Some(*status), None, None, None),
        UnknownCause::ProviderFault {
            http_status, code, ..
        } => (
            "provider_fault",
            *http_status,
            Some(code.as_str()),
            None,
            None,
        ),
        UnknownCause::Decode { .. } => ("decode", None, None, None, None),
        UnknownCause::Integrity { field, .. } => ("integrity", None, None, None, Some(field)),
    };
    let http_status = http_status.or(match cause {
        UnknownCause::Transport(TransportKind::Redirect(status)) => Some(*status),
        _ => None,
    });
    json!({
        "kind": "outcome_unknown",
        "provider": provider,
        "call": call,
        "cause": name,
        "sent": "maybe_sent",
        "http_status": http_status,
        "code": code,
        "transport": transport,
        "field": field,
        "reason": cause.to_string(),
        "payment": payment_ids(payment),
    })
}

/// `{provider_payment_id, provider_order_id, payment_hash, merchant_reference,
/// idempotency_key}`; `payment_hash` says only whether it is known (it is a secret).
pub fn payment_ids(payment: &PaymentRef) -> Value {
    json!({
        "provider_payment_id": payment.provider_payment_id,
        "provider_order_id": payment.provider_order_id,
        "payment_hash": payment.payment_hash.is_some(),
        "merchant_reference": payment.merchant_reference,
        "idempotency_key": payment.idempotency_key,
    })
}

/// A verified callback: `{provider, authenticity: "signed" | "confirmed", dedupe_key,
/// event: "payment" | "refund" | "unknown", payment: <outcome or null>, name, raw}`
/// (`name` and `raw` for unknown events).
pub fn describe_event(event: &VerifiedEvent) -> Value {
    let authenticity = match event.authenticity {
        Authenticity::Signed => "signed",
        Authenticity::Confirmed => "confirmed",
    };
    let (kind, payment, name, raw) = match &event.kind {
        EventKind::Payment(outcome) => ("payment", Some(describe_outcome(outcome)), None, None),
        EventKind::Refund(outcome) => ("refund", Some(describe_outcome(outcome)), None, None),
        EventKind::Unknown { name, raw } => ("unknown", None, name.clone(), Some(raw.clone())),
    };
    json!({
        "provider": event.provider.as_str(),
        "authenticity": authenticity,
        "dedupe_key": event.dedupe_key,
        "event": kind,
        "payment": payment,
        "name": name,
        "raw": raw,
    })
}

/// `{"value": "10.25", "currency": "MDL"}`.
fn money(money: &Money) -> Value {
    json!({ "value": money.to_fixed_string(), "currency": money.currency().code() })
}

/// The next action with a `kind` tag.
fn next_action(action: &NextAction) -> Value {
    match action {
        NextAction::None => json!({ "kind": "none" }),
        NextAction::Redirect { url } => json!({ "kind": "redirect", "url": url }),
        NextAction::FormPost { url, fields } => json!({
            "kind": "form_post",
            "url": url,
            "fields": fields.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        }),
        NextAction::Checkout { url, qr_payload } => json!({
            "kind": "checkout",
            "url": url,
            "qr_payload": qr_payload,
        }),
    }
}

/// `not_sent` / `maybe_sent`.
fn sent_name(sent: Sent) -> &'static str {
    match sent {
        Sent::NotSent => "not_sent",
        Sent::MaybeSent => "maybe_sent",
    }
}

/// `connect`, `timeout`, `body_too_large`, `status`, `redirect`, `followed_redirect`,
/// `no_token`, `invalid_request` or `other`.
fn transport_name(kind: &TransportKind) -> &'static str {
    match kind {
        TransportKind::Connect => "connect",
        TransportKind::Timeout => "timeout",
        TransportKind::BodyTooLarge { .. } => "body_too_large",
        TransportKind::Status(_) => "status",
        TransportKind::Redirect(_) => "redirect",
        TransportKind::FollowedRedirect => "followed_redirect",
        TransportKind::NoToken(_) => "no_token",
        TransportKind::InvalidRequest(_) => "invalid_request",
        TransportKind::Other(_) => "other",
    }
}

/// `missing`, `malformed`, `mismatch`, `bad_key` or `bad_body`.
fn signature_code(error: &SignatureError) -> &'static str {
    match error {
        SignatureError::Missing => "missing",
        SignatureError::Malformed => "malformed",
        SignatureError::Mismatch => "mismatch",
        SignatureError::BadKey => "bad_key",
        SignatureError::BadBody(_) => "bad_body",
    }
}

#[cfg(test)]
mod tests;
