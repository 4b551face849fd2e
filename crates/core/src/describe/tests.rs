//! The shapes fixtures are written against.

use crate::{
    Authenticity, Currency, Error, EventKind, Money, NextAction, PaymentOutcome, PaymentStatus,
    ProviderId, SavedCard, Sent, SignatureError, TransportKind, VerifiedEvent,
};
use serde_json::json;

use super::*;

const MAIB: ProviderId = ProviderId("maib");

fn outcome() -> PaymentOutcome {
    PaymentOutcome::new("pay-1", PaymentStatus::Pending)
        .with_next_action(NextAction::Redirect {
            url: "https://pay/x".into(),
        })
        .with_amount(Some(Money::parse("10.25", Currency::MDL).unwrap()))
        .with_order_id(Some("o-1".into()))
        .with_raw_status(Some("PENDING".into()))
}

#[test]
fn outcomes() {
    assert_eq!(
        describe_outcome(&outcome()),
        json!({
            "provider_payment_id": "pay-1",
            "status": "pending",
            "failure_reason": null,
            "next_action": {"kind": "redirect", "url": "https://pay/x"},
            "amount": {"value": "10.25", "currency": "MDL"},
            "refunded": null,
            "order_id": "o-1",
            "saved_card": null,
            "raw_status": "PENDING",
            "state_known": true,
        })
    );
    let accepted = describe_outcome(&PaymentOutcome::accepted("pay-2"));
    assert_eq!(accepted["status"], "pending");
    assert_eq!(accepted["state_known"], false);
    let failed = PaymentOutcome::new(
        "p",
        PaymentStatus::Failed {
            reason: Some("116".into()),
        },
    )
    .with_next_action(NextAction::FormPost {
        url: "https://acs".into(),
        fields: vec![("PaReq".into(), "x".into())],
    })
    .with_saved_card(Some(SavedCard {
        id: "b-1".into(),
        masked_pan: None,
    }));
    let described = describe_outcome(&failed);
    assert_eq!(described["status"], "failed");
    assert_eq!(described["failure_reason"], "116");
    assert_eq!(described["next_action"]["fields"], json!([["PaReq", "x"]]));
    assert_eq!(
        described["saved_card"],
        json!({"id": "b-1", "masked_pan": null})
    );
    let checkout = PaymentOutcome::new("p", PaymentStatus::RequiresAction).with_next_action(
        NextAction::Checkout {
            url: None,
            qr_payload: Some("qr".into()),
        },
    );
    assert_eq!(
        describe_outcome(&checkout)["next_action"],
        json!({"kind": "checkout", "url": null, "qr_payload": "qr"})
    );
}

#[test]
fn errors_always_have_the_five_keys() {
    let errors = [
        Error::Transport {
            provider: MAIB,
            kind: TransportKind::Status(502),
            sent: Sent::MaybeSent,
            mutating: true,
        },
        Error::Api {
            provider: MAIB,
            http_status: Some(400),
            code: "12001".into(),
            message: "bad".into(),
            retryable: false,
        },
        Error::Auth {
            provider: MAIB,
            message: "no".into(),
        },
        Error::invalid_input("amount", "below 1"),
        Error::unsupported(MAIB, "void"),
        Error::Signature(SignatureError::Mismatch),
        Error::Decode {
            provider: MAIB,
            reason: "eof".into(),
            snippet: "{".into(),
        },
        Error::Integrity {
            provider: MAIB,
            field: "amount".into(),
            expected: "1".into(),
            actual: "2".into(),
        },
    ];
    let kinds: Vec<Value> = errors
        .iter()
        .map(|e| describe_error(e)["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "transport",
            "api",
            "auth",
            "invalid_input",
            "unsupported",
            "signature",
            "decode",
            "integrity"
        ]
    );
    for error in &errors {
        let described = describe_error(error);
        for key in ["kind", "code", "field", "sent", "http_status"] {
            assert!(described.get(key).is_some(), "{key} in {described}");
        }
    }
    let transport = describe_error(&errors[0]);
    assert_eq!(transport["sent"], "maybe_sent");
    assert_eq!(transport["http_status"], 502);
    assert_eq!(transport["transport"], "status");
    let api = describe_error(&errors[1]);
    assert_eq!(
        (api["code"].as_str(), api["http_status"].as_u64()),
        (Some("12001"), Some(400))
    );
    let invalid = describe_error(&errors[3]);
    assert_eq!(
        (invalid["field"].as_str(), invalid["sent"].as_str()),
        (Some("amount"), Some("not_sent"))
    );
    assert_eq!(describe_error(&errors[5])["code"], "mismatch");
}

#[test]
fn events() {
    let event = VerifiedEvent::new(
        MAIB,
        Authenticity::Signed,
        "pay-1:OK",
        EventKind::Payment(outcome()),
    );
    let described = describe_event(&event);
    assert_eq!(described["authenticity"], "signed");
    assert_eq!(described["dedupe_key"], "pay-1:OK");
    assert_eq!(described["event"], "payment");
    assert_eq!(described["payment"]["status"], "pending");
    let unknown = VerifiedEvent::new(
        MAIB,
        Authenticity::Confirmed,
        "k",
        EventKind::Unknown {
            name: Some("chargeback".into()),
            raw: "{}".into(),
        },
    );
    let described = describe_event(&unknown);
    assert_eq!(described["authenticity"], "confirmed");
    assert_eq!(described["event"], "unknown");
    assert_eq!(described["name"], "chargeback");
    assert_eq!(described["payment"], Value::Null);
}

#[test]
fn unknown_outcomes_show_their_cause_and_every_id_but_the_hash() {
    let error = Error::OutcomeUnknown {
        provider: MAIB,
        call: "refund",
        cause: crate::UnknownCause::Transport(TransportKind::Redirect(307)),
        payment: Box::new(
            crate::PaymentRef::new()
                .provider_payment_id("pay-1")
                .payment_hash("secret-hash")
                .merchant_reference("order-1"),
        ),
    };
    let described = describe_error(&error);
    assert_eq!(described["kind"], "outcome_unknown");
    assert_eq!(described["call"], "refund");
    assert_eq!(described["cause"], "transport");
    assert_eq!(described["transport"], "redirect");
    assert_eq!(described["http_status"], 307);
    assert_eq!(described["outcome_unknown"], true);
    assert_eq!(described["retryable"], false);
    assert_eq!(described["payment"]["provider_payment_id"], "pay-1");
    assert_eq!(described["payment"]["merchant_reference"], "order-1");
    assert_eq!(described["payment"]["payment_hash"], true);
    assert!(!described.to_string().contains("secret-hash"));
    assert!(!error.to_string().contains("secret-hash"));
    assert!(!format!("{error:?}").contains("secret-hash"));

    let limited = describe_error(&Error::RateLimited {
        provider: MAIB,
        http_status: 429,
        retry_after: Some(std::time::Duration::from_secs(7)),
    });
    assert_eq!(limited["kind"], "rate_limited");
    assert_eq!(limited["retry_after_secs"], 7);
    assert_eq!(limited["retryable"], true);
}
