//! v1-signed webhooks: the signature and timestamp headers, the flattened body, the nonce
//! cache, under the fixtures' local test key.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use paykit_core::json_literal::JsonLiteral;
use paykit_core::{Authenticity, Error, Webhook, WebhookRequest};
use paykit_maya_checkout::{
    Delivery, DeliveryBody, MayaCheckoutWebhook, NumberRendering, Payment, SIGNATURE_HEADER,
    SignatureHeader, TIMESTAMP_HEADER, VerifyError, WebhookConfig, WebhookKeys, flatten,
};

use super::NOW_MS;
use crate::ready::ready;
use crate::seeds::{self, split_lines};

/// The configuration every receiver is built from: the local test key only.
fn config() -> &'static WebhookConfig {
    static CONFIG: OnceLock<WebhookConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let pem = match std::fs::read_to_string(
            seeds::fixtures_root().join("maya-checkout/keys/local_test_public.pem"),
        ) {
            Ok(pem) => pem,
            Err(error) => panic!("the Maya test key is missing: {error}"),
        };
        match WebhookKeys::new().with_pem("local-test", &pem) {
            Ok(keys) => WebhookConfig::new(keys),
            Err(error) => panic!("the Maya test key is refused: {error}"),
        }
    })
}

/// A receiver with its own, empty nonce cache and the fixed clock.
fn receiver() -> MayaCheckoutWebhook {
    MayaCheckoutWebhook::new(config().clone())
        .clock(Arc::new(|| UNIX_EPOCH + Duration::from_millis(NOW_MS)))
}

fn check(
    hook: &MayaCheckoutWebhook,
    request: &WebhookRequest<'_>,
) -> Result<Delivery, VerifyError> {
    match ready(hook.check(request)) {
        Some(verdict) => verdict,
        None => panic!("the Maya receiver waited on I/O"),
    }
}

/// A delivery: the first line is `X-Maya-Webhook-Signature`, the second
/// `X-Maya-Webhook-Timestamp` (an empty line: no header), the rest the body. Checked through
/// `MayaCheckoutWebhook::check`, `Webhook::verify` and by hand (`SignatureHeader::parse`,
/// `JsonLiteral::parse`, `WebhookKeys::verify`):
///
/// - `check` and `verify` agree, `verify`'s error is `check`'s converted;
/// - a signature that verifies by hand is refused by `check` only for its timestamp or body;
/// - what `check` accepts verifies by hand under the same key and rendering, once: the same
///   request again is a replay; a refused one is refused again the same way (nothing cached);
/// - the event is signed, never fit for fulfilment, keyed `maya-checkout:<id>:<status>`, and
///   a payment's amount reads back as the body's literal;
/// - the body scan `Webhook::verify` reads with agrees with the tree reader and serde.
pub fn maya_checkout_webhook(data: &[u8]) {
    let ([signature, timestamp], body) = split_lines::<2>(data);
    paykit_maya_checkout::fuzzing::webhook_body(body);
    // The fast reader behind `Webhook::verify` reads whatever it reads as the tree and serde do.
    assert!(
        paykit_maya_checkout::fuzzing::webhook_scan(body),
        "the body scan disagrees with the tree reader"
    );
    let mut headers = HeaderMap::new();
    for (name, line) in [(SIGNATURE_HEADER, signature), (TIMESTAMP_HEADER, timestamp)] {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            if !line.is_empty() {
                headers.insert(name, value);
            }
        }
    }
    let request = WebhookRequest::new(&headers, body);
    let hook = receiver();
    let checked = check(&hook, &request);
    let Some(verified) = ready(receiver().verify(&request)) else {
        panic!("the Maya receiver waited on I/O");
    };
    let by_hand = request
        .header(SIGNATURE_HEADER)
        .and_then(|h| SignatureHeader::parse(h).ok())
        .and_then(|header| {
            let tree = JsonLiteral::parse(body).ok()?;
            let flat = flatten(&tree, &header.nonce, NumberRendering::Canonical);
            assert!(flat.ends_with(&format!("&nonce={}", header.nonce)));
            // Maya may reorder members and re-indent: the signed string must not change.
            assert_eq!(
                flatten(&reversed(&tree), &header.nonce, NumberRendering::Canonical),
                flat,
                "member order changed the flattened string"
            );
            config().keys.verify(&tree, &header).ok()
        });
    match &checked {
        Err(refused) => {
            assert_eq!(
                verified.as_ref().err().map(|e| format!("{e:?}")),
                Some(format!("{:?}", Error::from(refused.clone()))),
                "Webhook::verify vs check"
            );
            if by_hand.is_some() {
                assert!(
                    matches!(
                        refused,
                        VerifyError::BadTimestamp
                            | VerifyError::StaleTimestamp { .. }
                            | VerifyError::BadBody(_)
                    ),
                    "a signature that verifies by hand was refused with {refused:?}"
                );
            }
            assert_eq!(
                check(&hook, &request).err().as_ref(),
                Some(refused),
                "a refused delivery left something behind"
            );
        }
        Ok(delivery) => {
            assert_eq!(
                by_hand,
                Some((delivery.key.clone(), delivery.rendering)),
                "check accepted what does not verify by hand"
            );
            assert!(
                check(&hook, &request).is_err_and(|e| e.is_replay()),
                "the same delivery twice was not a replay"
            );
            delivery_promises(delivery, verified.as_ref().ok(), body);
        }
    }
}

/// `tree` with the members of every object in reverse order.
fn reversed(tree: &JsonLiteral) -> JsonLiteral {
    match tree {
        JsonLiteral::Object(members) => JsonLiteral::Object(
            members
                .iter()
                .rev()
                .map(|(name, value)| (name.clone(), reversed(value)))
                .collect(),
        ),
        JsonLiteral::Array(items) => JsonLiteral::Array(items.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

fn delivery_promises(
    delivery: &Delivery,
    verified: Option<&paykit_core::VerifiedEvent>,
    body: &[u8],
) {
    let Some(event) = verified else {
        panic!("check accepted, Webhook::verify refused");
    };
    assert_eq!(event.authenticity, Authenticity::Signed);
    assert!(
        !event.is_fit_for_fulfilment(),
        "a signed Maya delivery is fit for fulfilment without confirmation"
    );
    assert_eq!(event, &delivery.to_event());
    let id = event.payment().map(|p| p.provider_payment_id.as_str());
    assert_eq!(id, Some(delivery.id()));
    assert!(
        event
            .dedupe_key
            .starts_with(&format!("maya-checkout:{}:", delivery.id())),
        "dedupe key {}",
        event.dedupe_key
    );
    if let DeliveryBody::Payment(payment) = &delivery.body {
        amount_reads_back(payment, body);
        assert_eq!(
            event.payment().and_then(|p| p.amount),
            payment.money(),
            "the event's amount is not the payment's"
        );
    }
}

/// `amount` of a payment object is exactly the body's literal (a number or a numeric string).
fn amount_reads_back(payment: &Payment, body: &[u8]) {
    let Ok(JsonLiteral::Object(members)) = JsonLiteral::parse(body) else {
        return;
    };
    // serde keeps the last of duplicate keys.
    let literal = members
        .iter()
        .rev()
        .find(|(k, _)| k == "amount")
        .map(|m| &m.1);
    let expected = match literal {
        Some(JsonLiteral::Number(text) | JsonLiteral::String(text)) => {
            paykit_core::wire::parse_decimal_literal(text)
        }
        _ => None,
    };
    assert_eq!(payment.amount, expected, "amount read back differently");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The delivery promises hold only if deliveries are accepted: the fixtures' signed ones
    /// pass `check` under the test key and the fixed clock, the tampered ones do not.
    #[test]
    fn fixture_deliveries_reach_the_accepted_path() {
        let seeds = seeds::callbacks_with_headers(
            "maya-checkout",
            &["x-maya-webhook-signature", "x-maya-webhook-timestamp"],
        )
        .unwrap();
        let mut accepted = Vec::new();
        for seed in &seeds {
            maya_checkout_webhook(&seed.bytes);
            let ([signature, timestamp], body) = split_lines::<2>(&seed.bytes);
            let mut headers = HeaderMap::new();
            for (name, line) in [(SIGNATURE_HEADER, signature), (TIMESTAMP_HEADER, timestamp)] {
                if !line.is_empty() {
                    headers.insert(name, HeaderValue::from_bytes(line).unwrap());
                }
            }
            if check(&receiver(), &WebhookRequest::new(&headers, body)).is_ok() {
                accepted.push(seed.origin.clone());
            }
        }
        assert!(accepted.len() >= 4, "accepted only {accepted:?}");
        assert!(
            accepted.iter().all(|o| !o.contains("tampered")),
            "{accepted:?}"
        );
    }

    #[test]
    #[should_panic(expected = "amount read back differently")]
    fn a_misread_payment_amount_is_caught() {
        let body = br#"{"id":"p","status":"PAYMENT_SUCCESS","amount":"249.50","currency":"PHP"}"#;
        let mut payment: Payment = serde_json::from_slice(body).unwrap();
        payment.amount = payment.amount.map(|a| a + paykit_core::Decimal::ONE);
        amount_reads_back(&payment, body);
    }
}
