//! Decoder hooks for the fuzz targets and property tests: every parser a provider or a
//! callback sender can reach. Not part of the public API.

use paykit_core::http::RawResponse;
use paykit_core::json_literal::JsonLiteral;
use paykit_core::{Currency, Decimal, Money, Result};

use crate::checkout::{Checkout, CheckoutCreated};
use crate::error;
use crate::flatten::{NumberRendering, flatten};
use crate::operations::{self, PaymentStatusAnswer, RefundReceipt, RefundRecord, VoidRecord};
use crate::outcome::{PaymentFacts, checkout_outcome, payment_outcome};
use crate::registry::{WebhookEvent, WebhookRegistration};
use crate::scan::scan;
use crate::signature::SignatureHeader;
use crate::status::MayaStatus;
use crate::vault::{PaymentToken, VaultCustomer, VaultedCard};
use crate::wallet::{WalletLink, WalletLinkCreated, WalletPaymentCreated};
use crate::webhook::{Routing, decode};
use crate::wire::Payment;

/// The payment (and reference) a call would have asked about, for the echo checks.
const ASKED: &str = "fuzz-payment-id";

/// Maya's error body parser.
pub fn error_body(bytes: &[u8]) {
    let _ = crate::error::ErrorBody::parse(bytes).map(|body| body.describe());
}

/// The payment object decoder.
pub fn payment(bytes: &[u8]) {
    let _ = serde_json::from_slice::<crate::wire::Payment>(bytes);
}

/// The signature header parser.
pub fn signature_header(text: &str) {
    let _ = SignatureHeader::parse(text);
}

/// The flattener under both renderings, and the webhook body decoder under every routing:
/// by status, and by a URL registered for a payment event and for a legacy checkout event.
pub fn webhook_body(bytes: &[u8]) {
    if let Ok(tree) = JsonLiteral::parse(bytes) {
        let _ = flatten(&tree, "n", NumberRendering::Canonical);
        let _ = flatten(&tree, "n", NumberRendering::RawToken);
    }
    for routing in [
        Routing::ByStatus,
        Routing::Url(WebhookEvent::PaymentSuccess),
        Routing::Url(WebhookEvent::CheckoutSuccess),
    ] {
        let _ = decode(bytes, &routing);
    }
}

/// Whether the body scan behind `Webhook::verify` reads `bytes` as the established readers do:
/// true when it leaves them to the tree reader, or when the tree reader accepts them and
/// flattens them to the same strings (both renderings) and, for a payment the scan vouches for,
/// serde decodes it with the same members. A property for the fuzz targets to assert.
pub fn webhook_scan(bytes: &[u8]) -> bool {
    for rendering in [NumberRendering::Canonical, NumberRendering::RawToken] {
        let Some(scanned) = scan(bytes, "n", rendering) else {
            continue;
        };
        let Ok(tree) = JsonLiteral::parse(bytes) else {
            return false;
        };
        let fields = &scanned.fields;
        let checkout_shaped =
            tree.get("paymentStatus").is_some() || tree.get("paymentDetails").is_some();
        if scanned.message != flatten(&tree, "n", rendering)
            || fields.checkout_shaped != checkout_shaped
        {
            return false;
        }
        let Some(status) = fields.status().map(MayaStatus::parse) else {
            continue;
        };
        if let Some(facts) = fields.payment(&status) {
            let Ok(decoded) = serde_json::from_slice::<Payment>(bytes) else {
                return false;
            };
            // Debug shows a decimal's scale, which equality of values does not.
            if format!("{facts:?}") != format!("{:?}", PaymentFacts::of(&decoded)) {
                return false;
            }
        }
    }
    true
}

/// The `X-Maya-Webhook-Timestamp` check: the header's milliseconds when they are within
/// `tolerance_ms` of `now_ms`.
pub fn timestamp_header(header: Option<&str>, now_ms: i64, tolerance_ms: i64) -> Option<i64> {
    crate::signature::check_timestamp(header, now_ms, tolerance_ms).ok()
}

/// The timestamp parser of the Manila calendar.
pub fn timestamp(text: &str) {
    let _ = crate::calendar::ManilaDay::of_timestamp(text);
}

/// 1 for an `Ok`, 0 for an `Err`.
fn ok<T>(result: Result<T>) -> usize {
    usize::from(result.is_ok())
}

/// Runs every answer decoder of the client over `response` and discards what they read: the
/// error mapping, the payment (P1, captures, charges) with its common outcome, the payment
/// lists (P3), the status answer (P2), void and refund records and their lists (P4–P9), the
/// refund receipt, the checkout answers (C1, C2) with the checkout's outcome, the Vault
/// answers (token, customer, card, card list), the wallet answers, the webhook registry's,
/// and the "any 2xx" reader of deletes. Returns how many decoded.
///
/// The readers that check Maya's echo run too, against a fixed asked payment, reference and
/// amount: void (`parse_void`), refund (`parse_refund`, 202 included), capture
/// (`parse_capture`), cancel (`parse_cancel`); [`charge_answer`] is the charges' one.
pub fn decode_response(response: &RawResponse) -> usize {
    let _ = error::from_response(response).to_string();
    let mut decoded = ok(error::parse::<Payment>(response).map(|payment| {
        let _ = (
            payment_outcome(&payment, None, false),
            payment_outcome(&payment, None, true),
            payment.money(),
            payment.is_authorization(),
            payment.is_capture(),
        );
    }));
    decoded += ok(error::parse::<Vec<Payment>>(response));
    decoded += ok(error::parse::<PaymentStatusAnswer>(response));
    decoded += ok(error::parse::<VoidRecord>(response));
    decoded += ok(error::parse::<Vec<VoidRecord>>(response));
    decoded += ok(error::parse::<RefundRecord>(response));
    decoded += ok(error::parse::<Vec<RefundRecord>>(response));
    decoded += ok(error::parse::<RefundReceipt>(response));
    decoded += ok(error::parse::<CheckoutCreated>(response));
    decoded += ok(error::parse::<Checkout>(response).map(|checkout| {
        let _ = (checkout_outcome(&checkout), checkout.money());
    }));
    decoded += ok(error::parse::<PaymentToken>(response));
    decoded += ok(error::parse::<VaultCustomer>(response));
    decoded += ok(error::parse::<VaultedCard>(response));
    decoded += ok(error::parse::<Vec<VaultedCard>>(response));
    decoded += ok(error::parse::<WalletPaymentCreated>(response));
    decoded += ok(error::parse::<WalletLinkCreated>(response));
    decoded += ok(error::parse::<WalletLink>(response));
    decoded += ok(error::parse::<WebhookRegistration>(response));
    decoded += ok(error::parse::<Vec<WebhookRegistration>>(response));
    decoded += ok(crate::vault::ok_any(response));
    let asked = Money::new(Decimal::new(10_000, 2), Currency::PHP);
    for payment_id in [None, Some(ASKED)] {
        decoded += ok(operations::parse_void(response, payment_id));
        if let Ok(asked) = &asked {
            decoded += ok(operations::parse_refund(response, payment_id, asked));
        }
    }
    decoded += ok(operations::parse_capture(response, ASKED));
    decoded += ok(operations::parse_cancel(response));
    decoded
}

/// The reader of a charge's answer (Vault payment, saved card, wallet link execute): the
/// payment, refused unless it echoes `amount` and (when it names one) `reference`.
pub fn charge_answer(response: &RawResponse, amount: &Money, reference: &str) -> Result<Payment> {
    crate::vault::charged(response, amount, reference)
}

#[cfg(test)]
mod tests {
    use paykit_core::http::StatusCode;

    use super::*;

    #[test]
    fn the_scan_property_holds_and_can_fail() {
        let body = br#"{"id":"p-1","status":"PAYMENT_SUCCESS","amount":"249.50","currency":"PHP","fundSource":{"details":{"last4":"1522"}}}"#;
        assert!(webhook_scan(body));
        assert!(webhook_scan(b"not json"));
        assert!(webhook_scan(br#"{"id":"p","id":"q","status":"X"}"#));
        // What the property compares: a scan that read the body otherwise would break it.
        let scanned = scan(body, "n", NumberRendering::Canonical).unwrap();
        let tree = JsonLiteral::parse(body).unwrap();
        assert_eq!(
            scanned.message,
            flatten(&tree, "n", NumberRendering::Canonical)
        );
        assert_ne!(
            scanned.message,
            flatten(&tree, "m", NumberRendering::Canonical)
        );
    }

    fn response(status: u16, body: &[u8]) -> RawResponse {
        RawResponse {
            provider: crate::PROVIDER,
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            headers: Default::default(),
            body: body.to_vec().into(),
            mutating: true,
            sensitive: false,
        }
    }

    /// Every cut of a real payment answer, garbage and huge inputs: no hook panics, and only
    /// the whole answer decodes as a payment.
    #[test]
    fn hooks_survive_garbage() {
        let payment = br#"{"id":"7ea1f6ef","isPaid":true,"status":"PAYMENT_SUCCESS","amount":"249.50","currency":"PHP","requestReferenceNumber":"order-10042","createdAt":"2025-03-01T04:10:11.217Z","paymentStatus":"PAYMENT_SUCCESS"}"#;
        for cut in 0..payment.len() {
            let part = payment.get(..cut).unwrap_or_default();
            assert_eq!(decode_response(&response(400, part)), 0);
            let _ = decode_response(&response(200, part));
            webhook_body(part);
            error_body(part);
            signature_header(&String::from_utf8_lossy(part));
            timestamp(&String::from_utf8_lossy(part));
        }
        assert!(decode_response(&response(200, payment)) > 0);
        let huge = vec![b'['; 100_000];
        let _ = decode_response(&response(200, &huge));
        webhook_body(&huge);
        signature_header(&format!("nonce=n,v1={}", "a".repeat(100_000)));
        assert_eq!(timestamp_header(Some(&"9".repeat(40)), 0, 300_000), None);
        let money = Money::parse("249.50", paykit_core::Currency::PHP).unwrap();
        assert!(charge_answer(&response(200, payment), &money, "order-10042").is_ok());
        assert!(charge_answer(&response(200, payment), &money, "other").is_err());
    }
}
