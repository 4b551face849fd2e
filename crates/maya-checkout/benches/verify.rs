//! Issue 16 target: Maya's Webhook Signature Version 1 (maya-checkout.md §6.4) verified through
//! `Webhook::verify`, against the floor of the primitive it costs, as a ratio measured within
//! one run (`cargo bench -p paykit-maya-checkout --bench verify`).
//!
//! - verify: `Webhook::verify` through the trait object with the delivery's headers
//!   (`X-Maya-Webhook-Signature: nonce=…,v1=<hex>`, `X-Maya-Webhook-Timestamp`): size cap,
//!   timestamp window (a fixed clock at the delivery's time), signature header and hex, the
//!   body's JSON flattened to its sorted canonical string, one RSA verify, the body decoded as a
//!   payment, the nonce claimed in the in-memory replay cache, and the common event. The body is
//!   the `v2_realistic_payment_success` fixture, signed by testkit's independent signer with the
//!   fixtures' local test key, the only key configured. Every call has a nonce of its own (a
//!   repeated one is a replay and is refused), and each timed batch gets a fresh receiver, so
//!   the cache holds at most one batch;
//! - floor: v1 is RSASSA-PKCS1-v1_5 with SHA-256, not an HMAC (§6.4.2 step 7), so the floor is
//!   the hex decode of `v1` and one RSA verify, with an already-parsed aws-lc-rs
//!   `ParsedPublicKey`, of the exact string the algorithm builds (`key=value` pairs sorted, `&`,
//!   `&nonce=<nonce>`), that string built once outside the loop.
//!
//! With N keys the verifier tries each in order, and a key that does not match costs a whole
//! RSA verify; if the canonical string verifies under none, the raw-number-token string
//! (§6.4.3, when it differs) is tried under every key again: at most 2N verifies. Maya keeps two
//! keys per environment, so a delivery signed by the second one costs two.
//!
//! Rounds alternate the sides so drift on a busy machine hits them alike; the median of the
//! per-round ratios is reported. Exits non-zero when the target is missed.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue};
use paykit_core::json_literal::JsonLiteral;
use paykit_core::{Webhook, WebhookRequest};
use paykit_maya_checkout::{
    MayaCheckoutWebhook, NumberRendering, WebhookConfig, WebhookKeys, flatten,
};
use paykit_testkit::bench::{median, ready, timed, verdict};
use paykit_testkit::signers::maya_checkout::{Signer, signed_string};

/// The RSA-signed callbacks' target (miaPOS's, the Payments API's): one RSA verify plus at
/// most a tenth for everything else.
const TARGET: f64 = 1.10;
const CALLS_PER_ROUND: usize = 300;
const ROUNDS: usize = 31;
/// Rounds of one side under a profiler: enough samples for `perf`, short under callgrind.
const PROFILE_ROUNDS: usize = 40;

fn fixture(path: &str) -> String {
    paykit_testkit::bench::fixture(env!("CARGO_MANIFEST_DIR"), &format!("maya-checkout/{path}"))
}

/// The DER of a PEM key.
fn der_of(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64.trim()).unwrap()
}

/// Lowercase hex to bytes, the plain way (the bench's own, not the crate's).
fn unhex(text: &str) -> Vec<u8> {
    let nibble = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => panic!("not lowercase hex: {b}"),
    };
    let mut out = Vec::with_capacity(text.len() / 2);
    for pair in text.as_bytes().chunks_exact(2) {
        out.push((nibble(pair[0]) << 4) | nibble(pair[1]));
    }
    out
}

/// One signed delivery of the body: its nonce and headers.
struct Delivery {
    nonce: String,
    headers: HeaderMap,
}

fn main() {
    let doc: serde_json::Value =
        serde_json::from_str(&fixture("callbacks/v2_realistic_payment_success.json")).unwrap();
    let body = doc["body"]["value"].as_str().unwrap().as_bytes().to_vec();
    let timestamp_ms: u64 = doc["headers"]["x-maya-webhook-timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let signer = Signer::from_pkcs8_pem(&fixture("keys/local_test_private.pem")).unwrap();
    let public_pem = fixture("keys/local_test_public.pem");

    // PKCS#1 v1.5 is deterministic: testkit's signer reproduces the fixture's header.
    let stored = doc["headers"]["x-maya-webhook-signature"].as_str().unwrap();
    let fixture_nonce = "ebda1e3fb8813e9c491775f0d25365bc";
    assert_eq!(
        stored,
        format!(
            "nonce={fixture_nonce},v1={}",
            signer.v1(&body, fixture_nonce).unwrap()
        )
    );

    let deliveries: Vec<Delivery> = (0..CALLS_PER_ROUND)
        .map(|i| {
            let nonce = format!("{i:032x}");
            let mut headers = HeaderMap::new();
            for (name, value) in signer.headers(&body, &nonce, timestamp_ms).unwrap() {
                headers.insert(
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_str(&value).unwrap(),
                );
            }
            Delivery { nonce, headers }
        })
        .collect();

    // The floor's inputs: the exact string v1 signs (testkit's flattening and the crate's
    // agree), and the first delivery's v1.
    let first = &deliveries[0];
    let message = signed_string(&body, &first.nonce).unwrap();
    assert_eq!(
        message,
        flatten(
            &JsonLiteral::parse(&body).unwrap(),
            &first.nonce,
            NumberRendering::Canonical
        )
    );
    let v1_hex = signer.v1(&body, &first.nonce).unwrap();
    let floor_key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der_of(&public_pem)).unwrap();
    let floor = || {
        let signature = unhex(black_box(&v1_hex));
        floor_key
            .verify_sig(black_box(message.as_bytes()), &signature)
            .unwrap();
    };

    let keys = WebhookKeys::new()
        .with_pem("local-test", &public_pem)
        .unwrap();
    let now = SystemTime::UNIX_EPOCH + Duration::from_millis(timestamp_ms);
    let receiver = || -> Arc<dyn Webhook> {
        Arc::new(
            MayaCheckoutWebhook::new(WebhookConfig::new(keys.clone())).clock(Arc::new(move || now)),
        )
    };

    // Both sides compute what they claim before anything is timed; a replay is refused.
    floor();
    let hook = receiver();
    let event = ready(hook.verify(&WebhookRequest::new(&first.headers, &body))).unwrap();
    assert_eq!(
        event.dedupe_key,
        "maya-checkout:7ea1f6ef-035c-4fcd-85e0-037c8d9d4a2c:PAYMENT_SUCCESS"
    );
    assert!(ready(hook.verify(&WebhookRequest::new(&first.headers, &body))).is_err());
    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("249.50", "249.51");
    let fresh = receiver();
    assert!(
        ready(fresh.verify(&WebhookRequest::new(&first.headers, tampered.as_bytes()))).is_err()
    );

    // One batch of verifies, each delivery once, on a fresh receiver (built outside the clock).
    let time_verify = || {
        let hook = receiver();
        let mut next = deliveries.iter();
        timed(deliveries.len(), || {
            let delivery = next.next().unwrap();
            let request = WebhookRequest::new(&delivery.headers, black_box(&body));
            black_box(ready(hook.verify(&request)).unwrap());
        })
        .as_secs_f64()
    };
    let time_floor = || timed(CALLS_PER_ROUND, floor).as_secs_f64();

    // For a profiler (`perf record -g`, `valgrind --tool=callgrind`): one side alone.
    match std::env::var("MAYA_VERIFY_PROFILE").as_deref() {
        Ok("floor") => {
            for _ in 0..PROFILE_ROUNDS {
                time_floor();
            }
            return;
        }
        Ok(_) => {
            for _ in 0..PROFILE_ROUNDS {
                time_verify();
            }
            return;
        }
        Err(_) => {}
    }
    // Warm-up.
    for _ in 0..3 {
        time_verify();
        time_floor();
    }

    let (mut ratios, mut verify_s, mut floor_s) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (v, f) = if round % 2 == 0 {
            let v = time_verify();
            (v, time_floor())
        } else {
            let f = time_floor();
            (time_verify(), f)
        };
        ratios.push(v / f);
        verify_s.push(v);
        floor_s.push(f);
    }
    let per_call = |s: &mut Vec<f64>| median(s).unwrap() / CALLS_PER_ROUND as f64 * 1e9;
    println!(
        "maya-checkout verify {:.0} ns, floor (hex decode + one RSA verify of the signed string) {:.0} ns per call ({} bytes of body, {} bytes signed)",
        per_call(&mut verify_s),
        per_call(&mut floor_s),
        body.len(),
        message.len()
    );
    let ratio = median(&mut ratios).unwrap();
    if !verdict("maya_checkout_verify_vs_rsa_floor_ratio", ratio, TARGET) {
        std::process::exit(1);
    }
}
