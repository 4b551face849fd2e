//! `Callback-Signature` (RSA over the raw body) with the fixtures' test key, the callback
//! envelope, and the verifiers with and without payment records.

use std::sync::{Arc, OnceLock};

use http::{HeaderMap, HeaderValue};
use paykit_bog_payments::{
    BogPaymentsClient, BogPaymentsWebhook, SIGNATURE_HEADER, parse_callback, verify_signature,
};
use paykit_core::webhook::RsaPublicKey;
use paykit_core::{
    Authenticity, Currency, Decimal, Error, Flow, InMemoryPaymentRecords, MAX_CALLBACK_BYTES,
    Money, PaymentRecord, PaymentRecords, PaymentRef, SecretString, Webhook, WebhookRequest,
};

use crate::ready::ready;
use crate::seeds::{self, split_lines};

/// The orders the fixtures' callbacks are about, recorded as this client created them:
/// id, amount in GEL, the merchant's reference.
const RECORDED: [(&str, &str, &str); 2] = [
    (
        "0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b",
        "30.00",
        "A-20250314-0007",
    ),
    ("9d3c1b7e-2f4a-4b6c-8d0e-1a2b3c4d5e6f", "75.00", "HOLD-42"),
];

/// The test key, the verifier that wants a record, and the one that accepts unrecorded orders.
struct Hooks {
    key: RsaPublicKey,
    recorded: BogPaymentsWebhook,
    unrecorded: BogPaymentsWebhook,
}

fn hooks() -> &'static Hooks {
    static HOOKS: OnceLock<Hooks> = OnceLock::new();
    HOOKS.get_or_init(|| {
        let pem = match std::fs::read_to_string(
            seeds::fixtures_root().join("bog-payments/keys/test_callback_public_key.pem"),
        ) {
            Ok(pem) => pem,
            Err(error) => panic!("the BOG Payments test key is missing: {error}"),
        };
        let key = match RsaPublicKey::from_spki_base64(&pem) {
            Ok(key) => key,
            Err(error) => panic!("the BOG Payments test key is refused: {error}"),
        };
        let records = Arc::new(InMemoryPaymentRecords::new());
        for (order, amount, reference) in RECORDED {
            let money = match Money::parse(amount, Currency::GEL) {
                Ok(money) => money,
                Err(error) => panic!("{amount}: {error}"),
            };
            let record = PaymentRecord::new(paykit_bog_payments::PROVIDER, order)
                .with_ids(&PaymentRef::new().merchant_reference(reference))
                .with_flow(Flow::Pay)
                .with_amount(Some(money));
            if !matches!(ready(records.put(&record)), Some(Ok(()))) {
                panic!("in-memory payment records refused a record");
            }
        }
        // Loopback on the discard port: a verifier must never reach for the network.
        let client = BogPaymentsClient::builder("props-client", SecretString::from("props-secret"))
            .api_base("http://127.0.0.1:9/payments/v1")
            .token_url("http://127.0.0.1:9/token")
            .callback_key(pem)
            .only_configured_callback_keys()
            .payment_records(records as Arc<dyn PaymentRecords>)
            .build();
        let client = match client {
            Ok(client) => client,
            Err(error) => panic!("a BogPaymentsClient for loopback could not be built: {error}"),
        };
        Hooks {
            key,
            recorded: client.webhook(),
            unrecorded: client.webhook().accept_unrecorded_orders(),
        }
    })
}

/// `+`, `/` and `=` as a proxy percent-encodes them.
fn percent_encoded(header: &str) -> String {
    header
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// A callback: the first line is the `Callback-Signature` value (an empty line: no header),
/// the rest the body. Checked through `verify_signature` + `parse_callback`, through
/// `verify_callback` with and without a record of the order, and through `Webhook::verify`:
///
/// - whatever verifies in one path verifies in every other, to the same event;
/// - a signature refused by `verify_signature` is refused the same way by every verifier;
/// - a header that verifies verifies too after a proxy percent-encodes it;
/// - a verified callback of a recorded order has that order's amount, currency and reference;
/// - the event is signed, never fit for fulfilment until confirmed.
pub fn bog_payments_callback(data: &[u8]) {
    let ([line], body) = split_lines::<1>(data);
    let header = std::str::from_utf8(line).ok().filter(|h| !h.is_empty());
    paykit_bog_payments::fuzzing::decode_callback(body, header.unwrap_or(""));
    let hooks = hooks();
    let mut headers = HeaderMap::new();
    let sent = header.and_then(|h| HeaderValue::from_str(h).ok());
    if let Some(value) = &sent {
        headers.insert(SIGNATURE_HEADER, value.clone());
    }
    let request = WebhookRequest::new(&headers, body);
    // What the verifiers see: the header only when it is printable.
    let header = request.header(SIGNATURE_HEADER);
    let signature = verify_signature(body, header, std::slice::from_ref(&hooks.key));
    let parsed = parse_callback(body);
    let Some(recorded) = ready(hooks.recorded.verify_callback(&request)) else {
        panic!("the BOG Payments verifier waited on I/O");
    };
    let Some(unrecorded) = ready(hooks.unrecorded.verify_callback(&request)) else {
        panic!("the BOG Payments verifier waited on I/O");
    };
    let Some(event) = ready(hooks.recorded.verify(&request)) else {
        panic!("the BOG Payments verifier waited on I/O");
    };
    assert_eq!(
        recorded.is_ok(),
        event.is_ok(),
        "verify_callback vs Webhook::verify"
    );
    if body.len() > MAX_CALLBACK_BYTES {
        // Refused for its size before the signature is looked at.
        assert!(recorded.is_err() && unrecorded.is_err());
        return;
    }
    match &signature {
        Err(refused) => {
            let refused = format!("{refused:?}");
            for (path, verdict) in [
                ("recorded", recorded.as_ref().err()),
                ("unrecorded", unrecorded.as_ref().err()),
                ("Webhook::verify", event.as_ref().err()),
            ] {
                assert_eq!(
                    verdict.map(|e| format!("{e:?}")),
                    Some(refused.clone()),
                    "{path} disagrees with verify_signature"
                );
            }
        }
        Ok(()) => {
            if let Some(header) = header.filter(|h| !h.contains('%')) {
                let encoded = percent_encoded(header);
                assert!(
                    verify_signature(body, Some(&encoded), std::slice::from_ref(&hooks.key))
                        .is_ok(),
                    "a percent-encoded header that verifies raw was refused: {encoded}"
                );
            }
            match (&parsed, &unrecorded) {
                (Ok(parsed), Ok(accepted)) => assert_eq!(parsed, accepted),
                (Ok(_), Err(error)) => assert!(
                    matches!(error, Error::Integrity { .. }),
                    "a signed, parsed callback was refused with {error:?}"
                ),
                (Err(_), Ok(_)) => panic!("verify_callback accepted what parse_callback refuses"),
                (Err(_), Err(_)) => {}
            }
        }
    }
    if let Ok(accepted) = &recorded {
        assert!(signature.is_ok(), "verified without a valid signature");
        assert_eq!(
            parsed.as_ref().ok(),
            Some(accepted),
            "verify_callback vs parse"
        );
        assert_eq!(unrecorded.as_ref().ok(), Some(accepted));
        let receipt = &accepted.receipt;
        let Some((_, amount, reference)) = RECORDED.iter().find(|r| r.0 == receipt.order_id) else {
            panic!("an unrecorded order passed the recorded verifier");
        };
        assert_eq!(
            receipt.request_amount.map(|a| a.normalize()),
            Decimal::from_str_exact(amount).ok().map(|a| a.normalize()),
            "the amount read back is not the one recorded"
        );
        assert_eq!(receipt.currency_code.as_deref(), Some("GEL"));
        assert_eq!(receipt.external_order_id.as_deref(), Some(*reference));
    }
    if let Ok(event) = &event {
        assert_eq!(event.authenticity, Authenticity::Signed);
        assert!(
            !event.is_fit_for_fulfilment(),
            "a signed BOG Payments event is fit for fulfilment without confirmation"
        );
        let accepted = recorded.as_ref().ok();
        assert_eq!(
            Some(event.dedupe_key.as_str()),
            accepted.map(|a| a.dedupe_key.as_str())
        );
        assert_eq!(
            event.payment().map(|p| p.provider_payment_id.as_str()),
            accepted.map(|a| a.receipt.order_id.as_str())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_requests() -> Vec<(String, Vec<u8>)> {
        seeds::callbacks_with_headers("bog-payments", &["callback-signature"])
            .unwrap()
            .into_iter()
            .map(|seed| (seed.origin, seed.bytes))
            .collect()
    }

    /// The promises above hold only if their branches run: the fixtures' signed callbacks
    /// verify with the test key, and those about recorded orders pass the record check.
    #[test]
    fn fixture_callbacks_reach_the_signed_and_recorded_paths() {
        let hooks = hooks();
        let (mut signed, mut recorded) = (0, 0);
        for (origin, bytes) in fixture_requests() {
            bog_payments_callback(&bytes);
            let ([line], body) = split_lines::<1>(&bytes);
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_bytes(line) {
                headers.insert(SIGNATURE_HEADER, value);
            }
            let request = WebhookRequest::new(&headers, body);
            let header = request.header(SIGNATURE_HEADER);
            if verify_signature(body, header, std::slice::from_ref(&hooks.key)).is_ok() {
                signed += 1;
            }
            if matches!(ready(hooks.recorded.verify_callback(&request)), Some(Ok(_))) {
                recorded += 1;
                assert!(
                    !origin.contains("differs"),
                    "{origin} passed the record check"
                );
            }
        }
        assert!(signed >= 8, "only {signed} fixture callbacks verify");
        assert!(recorded >= 2, "only {recorded} pass the record check");
    }

    #[test]
    fn headers_are_percent_encoded_as_a_proxy_does() {
        assert_eq!(percent_encoded("ab+c/d=="), "ab%2Bc%2Fd%3D%3D");
    }
}
