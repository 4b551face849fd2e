//! `paykit pay | refund --provider bog-payments`: the Payments API's native calls, so that the
//! operation's `Idempotency-Key` is the merchant's to keep. The common traits make a fresh key
//! per call; a command line must be able to repeat an operation with the same key after an
//! unknown outcome (exit 3), and BOG then answers what it did the first time instead of doing
//! it again.

use std::process::ExitCode;

use paykit_bog_payments::{BogPaymentsClient, IdempotencyKey};
use paykit_core::describe::describe_outcome;
use paykit_core::{Error, Money, PaymentOutcome, PaymentRequest};
use serde_json::Value;

use crate::args::IdempotencyArgs;
use crate::output;

/// The operation's key: `--idempotency-key`, checked, or a fresh one.
pub(crate) fn key(args: &IdempotencyArgs) -> Result<IdempotencyKey, String> {
    match &args.idempotency_key {
        Some(text) => IdempotencyKey::parse(text.trim()).map_err(|e| e.to_string()),
        None => IdempotencyKey::generate().map_err(|e| e.to_string()),
    }
}

/// `create_payment` under `key`: repeated with the same key, BOG answers with the order it
/// created the first time.
pub(crate) async fn pay(
    client: &BogPaymentsClient,
    request: &PaymentRequest,
    key: &IdempotencyKey,
) -> ExitCode {
    match client.create_payment_with_key(request, key).await {
        Ok(outcome) => {
            print_with_key(&outcome, key, None);
            ExitCode::SUCCESS
        }
        Err(error) => crate::live::report_error(&error, Some(key)),
    }
}

/// A refund under `key`; everything refundable without an amount.
///
/// A new operation goes through the client's checked refund (the receipt first; what BOG
/// refuses is refused before sending). A `repeat` (the merchant passed the key of an earlier
/// attempt) is sent as it is: the refund may already have happened, so the receipt can no
/// longer judge it, and only BOG, answering for that key, can say what happened.
pub(crate) async fn refund(
    client: &BogPaymentsClient,
    id: &str,
    amount: Option<Money>,
    key: &IdempotencyKey,
    repeat: bool,
) -> ExitCode {
    if !repeat {
        return match client.refund_with_key(id, amount, key).await {
            Ok(outcome) => {
                print_with_key(&outcome, key, None);
                ExitCode::SUCCESS
            }
            Err(error) => {
                if matches!(
                    error,
                    Error::InvalidInput { .. } | Error::Unsupported { .. }
                ) {
                    output::error("nothing was sent to BOG");
                }
                crate::live::report_error(&error, Some(key))
            }
        };
    }
    match client
        .refund_order(id, amount.map(|a| a.amount()), key)
        .await
    {
        Ok(received) => {
            // An acknowledgement: the receipt (`paykit status`) or the callback says when the
            // money moved.
            let outcome = PaymentOutcome::accepted(id)
                .with_amount(amount)
                .with_raw_status(Some(received.key.clone()));
            print_with_key(&outcome, key, received.action_id.as_deref());
            ExitCode::SUCCESS
        }
        Err(error) => crate::live::report_error(&error, Some(key)),
    }
}

/// The outcome as JSON on stdout, with the key it was reached with (and BOG's action id).
fn print_with_key(outcome: &PaymentOutcome, key: &IdempotencyKey, action_id: Option<&str>) {
    let mut shown = describe_outcome(outcome);
    if let Value::Object(fields) = &mut shown {
        fields.insert("idempotency_key".into(), Value::from(key.as_str()));
        if let Some(action_id) = action_id {
            fields.insert("action_id".into(), Value::from(action_id));
        }
    }
    output::json(&shown);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_merchant_s_uuid_or_fresh_ones() {
        let given = IdempotencyArgs {
            idempotency_key: Some(" 3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f ".into()),
        };
        assert_eq!(
            key(&given).unwrap().as_str(),
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f"
        );
        let bad = IdempotencyArgs {
            idempotency_key: Some("order-17".into()),
        };
        assert!(key(&bad).unwrap_err().contains("UUID v4"));
        let none = IdempotencyArgs {
            idempotency_key: None,
        };
        assert_ne!(key(&none).unwrap(), key(&none).unwrap(), "fresh every time");
    }
}
