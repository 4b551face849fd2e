//! Issue 16 target: maib callback verification against its hashing floor, as a ratio measured
//! within one run (`cargo bench -p paykit-maib --bench verify`).
//!
//! - verify: `Webhook::verify` of a raw callback body, no records (signature, duplicate keys,
//!   decisive-field shapes, typed notification, event), body signed by testkit's independent
//!   signer;
//! - floor: sha256 + base64 of the same body's canonical sign string, computed once outside
//!   the loop;
//! - reported, no target: `MaibWebhook::sign_result` of the same `result` text, the crate's
//!   own read + sign string + sha256 + base64 with no envelope, signature check, shapes,
//!   notification or event: how much of the budget reading and signing alone take.
//!
//! Rounds alternate the two sides so drift on a busy machine hits both alike; the median of
//! the per-round ratios is reported. Exits non-zero when the target is missed.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::float_arithmetic,
    missing_docs
)]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use paykit_core::webhook::sha256;
use paykit_core::{SecretString, Webhook, WebhookRequest};
use paykit_maib::MaibWebhook;
use paykit_testkit::bench::{median, ready, timed, verdict};
use paykit_testkit::json::Exact;
use paykit_testkit::signers::maib::{NumberStyle, sign_string, signed_body};

const KEY: &str = "8508706b-3454-4733-8295-56e617c4abcf";
const RESULT: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#;
const TARGET: f64 = 5.0;
const CALLS_PER_ROUND: usize = 20_000;
const ROUNDS: usize = 31;

/// Seconds one round of `call` takes.
fn time(call: impl FnMut()) -> f64 {
    timed(CALLS_PER_ROUND, call).as_secs_f64()
}

fn main() {
    let body = signed_body(RESULT, KEY).unwrap().into_bytes();
    let canonical = sign_string(&Exact::parse(RESULT).unwrap(), KEY, NumberStyle::Php).unwrap();
    let hook = MaibWebhook::new(SecretString::from(KEY)).unwrap();

    // Both sides compute what they claim before anything is timed.
    let event = ready(hook.verify(&WebhookRequest::body_only(&body))).unwrap();
    assert_eq!(event.dedupe_key, "f16a9006-128a-46bc-8e2a-77a6ee99df75:OK");
    let stored = String::from_utf8_lossy(&body).into_owned();
    assert!(stored.contains(&STANDARD.encode(sha256(canonical.as_bytes()))));
    assert!(stored.contains(&hook.sign_result(RESULT).unwrap()));

    let verify = || {
        let request = WebhookRequest::body_only(black_box(&body));
        black_box(ready(hook.verify(&request)).unwrap());
    };
    let floor = || {
        black_box(STANDARD.encode(sha256(black_box(canonical.as_bytes()))));
    };
    let notification = || {
        black_box(hook.verify_notification(black_box(&body)).unwrap());
    };
    let sign_alone = || {
        black_box(hook.sign_result(black_box(RESULT)).unwrap());
    };

    // For a profiler (`perf record -g`): the `Webhook::verify` path alone.
    if std::env::var_os("MAIB_VERIFY_PROFILE").is_some() {
        for _ in 0..200 {
            time(verify);
        }
        return;
    }
    // Warm-up.
    time(verify);
    time(floor);

    let (mut ratios, mut notification_ratios, mut sign_ratios) =
        (Vec::new(), Vec::new(), Vec::new());
    let (mut verify_s, mut floor_s, mut notification_s) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (v, f, n) = if round % 2 == 0 {
            let v = time(verify);
            let f = time(floor);
            (v, f, time(notification))
        } else {
            let n = time(notification);
            let f = time(floor);
            (time(verify), f, n)
        };
        ratios.push(v / f);
        notification_ratios.push(n / f);
        sign_ratios.push(time(sign_alone) / f);
        verify_s.push(v);
        floor_s.push(f);
        notification_s.push(n);
    }
    let per_call = |s: &mut Vec<f64>| median(s).unwrap() / CALLS_PER_ROUND as f64 * 1e9;
    let ratio = median(&mut ratios).unwrap();
    println!(
        "maib verify {:.0} ns, verify_notification {:.0} ns, floor (sha256 + base64) {:.0} ns per call",
        per_call(&mut verify_s),
        per_call(&mut notification_s),
        per_call(&mut floor_s)
    );
    println!(
        "maib_verify_notification_vs_floor_ratio = {:.2} (info, no target)",
        median(&mut notification_ratios).unwrap()
    );
    println!(
        "maib_sign_result_alone_vs_floor_ratio = {:.2} (info, no target: read + sign string + hash only)",
        median(&mut sign_ratios).unwrap()
    );
    if !verdict("maib_verify_vs_floor_ratio", ratio, TARGET) {
        std::process::exit(1);
    }
}
