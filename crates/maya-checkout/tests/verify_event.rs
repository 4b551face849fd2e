//! `Webhook::verify` makes a payment's event from the members the body scan read, where
//! `MayaCheckoutWebhook::check` decodes the payment with serde and converts it (issue 16). Both
//! must give one verdict on every delivery: the same event, or the same error. Each body here is
//! signed for real (the local test key, the third of the configured keys), so the comparison
//! reaches past the signature into the decoding, under every routing and both renderings.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{NOW_MS, fixed_clock, sign, webhook_keys};
use http::{HeaderMap, HeaderValue};
use paykit_core::json_literal::JsonLiteral;
use paykit_core::{Error, Webhook, WebhookRequest};
use paykit_maya_checkout::{
    MayaCheckoutWebhook, NumberRendering, Routing, WebhookConfig, WebhookEvent, flatten,
};

fn receiver(routing: &Routing) -> MayaCheckoutWebhook {
    MayaCheckoutWebhook::new(WebhookConfig::new(webhook_keys()).routing(routing.clone()))
        .clock(fixed_clock(NOW_MS))
}

/// Headers of `body` signed under `rendering` with a nonce of its own.
fn signed(body: &str, rendering: NumberRendering) -> HeaderMap {
    static NONCES: AtomicUsize = AtomicUsize::new(0);
    let nonce = format!("nonce-{}", NONCES.fetch_add(1, Ordering::Relaxed));
    let message = match JsonLiteral::parse(body.as_bytes()) {
        Ok(tree) => flatten(&tree, &nonce, rendering),
        // Not JSON: a signature over something, so that the body is what is refused.
        Err(_) => format!("&nonce={nonce}"),
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        "X-Maya-Webhook-Signature",
        HeaderValue::from_str(&format!("nonce={nonce},v1={}", sign(&message))).unwrap(),
    );
    headers.insert(
        "X-Maya-Webhook-Timestamp",
        HeaderValue::from_str(&NOW_MS.to_string()).unwrap(),
    );
    headers
}

/// `verify` and `check` on fresh receivers agree on `body`; returns whether it was accepted.
async fn one_verdict(body: &str, rendering: NumberRendering, routing: &Routing) -> bool {
    let headers = signed(body, rendering);
    let request = WebhookRequest::new(&headers, body.as_bytes());
    let checked = receiver(routing).check(&request).await;
    let hook = receiver(routing);
    let verified = hook.verify(&request).await;
    match checked {
        Ok(delivery) => {
            assert_eq!(
                verified.as_ref().ok(),
                Some(&delivery.to_event()),
                "{routing:?} {body}"
            );
            assert_eq!(delivery.rendering, rendering, "{body}");
            // The event path spends the nonce as `check` does.
            let again = hook.verify(&request).await.unwrap_err();
            assert!(
                format!("{again:?}").contains("already accepted"),
                "{again:?}"
            );
            true
        }
        Err(refused) => {
            assert_eq!(
                verified.map_err(|e| format!("{e:?}")).err(),
                Some(format!("{:?}", Error::from(refused))),
                "{routing:?} {body}"
            );
            false
        }
    }
}

fn fixture_bodies() -> Vec<String> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/maya-checkout/callbacks"
    );
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            doc["body"]["value"].as_str().map(str::to_owned)
        })
        .collect()
}

const BASE: &str = r#"{"id":"p-1","status":"PAYMENT_SUCCESS","isPaid":true,"amount":"249.50","currency":"PHP","requestReferenceNumber":"order-1","fundSource":{"type":"card","details":{"last4":"1522"}},"metadata":{"tags":["a","b"]}}"#;

/// Variants of [`BASE`] that the scan vouches for, that it leaves to serde (which may read or
/// refuse them), and that it leaves to the tree reader.
fn variants() -> Vec<String> {
    let edit = |from: &str, to: &str| {
        assert!(BASE.contains(from), "{from}");
        BASE.replacen(from, to, 1)
    };
    vec![
        BASE.to_owned(),
        edit(r#""249.50""#, "249.50"),
        edit(r#""249.50""#, "100.0"),
        edit(r#""249.50""#, "null"),
        edit(r#""249.50""#, r#""2.4950e2""#),
        edit(r#""249.50""#, r#""abc""#),
        edit(r#""PHP""#, r#""XYZ""#),
        edit(r#""PHP""#, "null"),
        edit(r#""PHP""#, "5"),
        edit(
            r#""PAYMENT_SUCCESS""#,
            r#""FOR_AUTHENTICATION","verificationUrl":"https://3ds.example/v""#,
        ),
        edit(
            r#""PAYMENT_SUCCESS""#,
            r#""CAPTURED","capturedAmount":100,"authorizationType":"NORMAL""#,
        ),
        edit(r#""PAYMENT_SUCCESS""#, r#""CAPTURED","capturedAmount":"x""#),
        edit(
            r#""PAYMENT_SUCCESS""#,
            r#""PAYMENT_FAILED","errorCode":"PY0009","errorMessage":"Declined""#,
        ),
        edit(r#""PAYMENT_SUCCESS""#, r#""SOMETHING_NEW""#),
        edit(r#""PAYMENT_SUCCESS""#, "null"),
        edit(r#""status":"PAYMENT_SUCCESS","#, ""),
        edit(r#""id":"p-1""#, r#""id":"p-1","id":"p-2""#),
        edit(r#""id":"p-1""#, r#""id":7"#),
        edit(r#""isPaid":true"#, r#""isPaid":"yes""#),
        edit(r#""isPaid":true"#, r#""isPaid":null,"canVoid":false"#),
        edit(r#""isPaid":true"#, r#""extra":1e400,"extra":{"n":[1,2]}"#),
        edit(r#""last4":"1522""#, r#""last4":1e400"#),
        edit(r#""last4":"1522""#, r#""last4":15.22,"last4":1"#),
        edit(r#""order-1""#, r#""order-\u0031""#),
        edit(r#""p-1""#, r#""p-\u00e9""#),
        edit(r#""p-1""#, r#""p-é""#),
        edit(
            r#""isPaid""#,
            r#""paymentStatus":"PAYMENT_SUCCESS","isPaid""#,
        ),
        edit(r#""isPaid""#, r#""paymentDetails":null,"isPaid""#),
        edit(
            r#""tags""#,
            &format!(r#""deep":{}1{},"tags""#, "[".repeat(20), "]".repeat(20)),
        ),
        format!(" \n{BASE}\t"),
        format!("[{BASE}]"),
        "{}".to_owned(),
        "not json".to_owned(),
    ]
}

#[tokio::test]
async fn verify_and_check_give_one_verdict_on_every_signed_body() {
    let routings = [
        Routing::ByStatus,
        Routing::Url(WebhookEvent::PaymentSuccess),
        Routing::Url(WebhookEvent::CheckoutSuccess),
    ];
    let mut accepted = 0;
    let mut total = 0;
    let mut bodies = fixture_bodies();
    bodies.extend(variants());
    for body in &bodies {
        for routing in &routings {
            for rendering in [NumberRendering::Canonical, NumberRendering::RawToken] {
                // Bodies whose renderings are one string verify as canonical.
                let numbers = JsonLiteral::parse(body.as_bytes())
                    .map(|tree| {
                        flatten(&tree, "n", NumberRendering::Canonical)
                            != flatten(&tree, "n", NumberRendering::RawToken)
                    })
                    .unwrap_or(false);
                if rendering == NumberRendering::RawToken && !numbers {
                    continue;
                }
                total += 1;
                if one_verdict(body, rendering, routing).await {
                    accepted += 1;
                }
            }
        }
    }
    // Both verdicts are reached: the comparison is not only of refusals.
    assert!(accepted > 40 && accepted < total, "{accepted} of {total}");
}
