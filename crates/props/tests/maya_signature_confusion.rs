//! The signature-confusion property for Maya's webhook signature v1 (DESIGN.md §8). Maya
//! signs a flattened string, `key=value` pairs sorted and joined with `&`, not the body: a
//! dotted key and a nested object flatten alike, and a value holding `&k=v` reads like two
//! pairs. So many bodies share one signed string. Every body rebuilt from a genuine delivery's
//! pairs (pairs merged into one value, keys split at another `=`, dotted keys nested or not,
//! empty members added, members shuffled) still verifies. Whatever it then claims, it must
//! either carry the genuine decisive fields (payment id, status, amount, reference) or not be
//! fit for fulfilment; and confirming it against Maya's answer for the genuine payment either
//! refuses or yields that answer.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "helpers of a test file: a panic is the failure report; the counts go to stderr"
)]

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use paykit_core::json_literal::JsonLiteral;
use paykit_core::{PaymentOutcome, VerifiedEvent, WebhookRequest};
use paykit_maya_checkout::{
    MayaCheckoutWebhook, NumberRendering, SIGNATURE_HEADER, SignatureHeader, TIMESTAMP_HEADER,
    WebhookConfig, WebhookKeys, flatten,
};
use paykit_props::json_text;
use paykit_props::seeds::{self, split_lines};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Rebuilt bodies per genuine delivery.
const CASES: u32 = 400;

/// The fixtures' header timestamp plus a minute.
const NOW_MS: u64 = 1_767_225_660_000;

/// Names of empty members to add: the decisive ones and one nobody reads.
const EMPTY_NAMES: &[&str] = &["id", "status", "amount", "requestReferenceNumber", "note"];

fn receiver() -> MayaCheckoutWebhook {
    let pem = std::fs::read_to_string(
        seeds::fixtures_root().join("maya-checkout/keys/local_test_public.pem"),
    )
    .unwrap();
    let keys = WebhookKeys::new().with_pem("local-test", &pem).unwrap();
    MayaCheckoutWebhook::new(WebhookConfig::new(keys))
        .clock(Arc::new(|| UNIX_EPOCH + Duration::from_millis(NOW_MS)))
}

fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A genuine delivery: its headers, body, and the signed pairs (without the nonce).
struct Genuine {
    origin: String,
    headers: HeaderMap,
    pairs: Vec<String>,
    event: VerifiedEvent,
}

fn genuine_deliveries() -> Vec<Genuine> {
    let mut out = Vec::new();
    for seed in seeds::callbacks_with_headers(
        "maya-checkout",
        &["x-maya-webhook-signature", "x-maya-webhook-timestamp"],
    )
    .unwrap()
    {
        let ([signature, timestamp], body) = split_lines::<2>(&seed.bytes);
        let mut headers = HeaderMap::new();
        for (name, line) in [(SIGNATURE_HEADER, signature), (TIMESTAMP_HEADER, timestamp)] {
            if !line.is_empty() {
                headers.insert(name, HeaderValue::from_bytes(line).unwrap());
            }
        }
        let Ok(delivery) = ready(receiver().check(&WebhookRequest::new(&headers, body))) else {
            continue;
        };
        let header = SignatureHeader::parse(
            headers
                .get(SIGNATURE_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap(),
        )
        .unwrap();
        let tree = JsonLiteral::parse(body).unwrap();
        let flat = flatten(&tree, &header.nonce, delivery.rendering);
        let signed = flat
            .strip_suffix(&format!("&nonce={}", header.nonce))
            .unwrap();
        let pairs = if signed.is_empty() {
            Vec::new()
        } else {
            signed.split('&').map(str::to_owned).collect()
        };
        out.push(Genuine {
            origin: seed.origin,
            headers,
            pairs,
            event: delivery.to_event(),
        });
    }
    out
}

/// How to rebuild a body from the signed pairs.
#[derive(Debug, Clone)]
struct Rebuild {
    /// Per boundary between sorted pairs: merge the next pair into this member's value.
    merges: Vec<bool>,
    /// Per member: which `=` of its text ends the key (modulo how many there are).
    splits: Vec<u8>,
    /// Per member: nest its dotted key into objects.
    nests: Vec<bool>,
    /// Empty members to add: (name, kind of empty value).
    empties: Vec<(usize, u8)>,
    /// Reverse the members.
    reverse: bool,
}

fn rebuild() -> impl Strategy<Value = Rebuild> {
    (
        prop::collection::vec(prop::bool::weighted(0.15), 64),
        prop::collection::vec(any::<u8>(), 64),
        prop::collection::vec(prop::bool::weighted(0.5), 64),
        prop::collection::vec((0..EMPTY_NAMES.len(), any::<u8>()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(merges, splits, nests, empties, reverse)| Rebuild {
            merges,
            splits,
            nests,
            empties,
            reverse,
        })
}

/// Inserts `value` at the dotted `path` of `members`, reusing objects already there.
fn insert(members: &mut Vec<(String, JsonLiteral)>, path: &[&str], value: JsonLiteral) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        members.push(((*first).to_owned(), value));
        return;
    }
    let existing = members
        .iter_mut()
        .rev()
        .find(|(name, node)| name == first && matches!(node, JsonLiteral::Object(_)));
    match existing {
        Some((_, JsonLiteral::Object(inner))) => insert(inner, rest, value),
        _ => {
            let mut inner = Vec::new();
            insert(&mut inner, rest, value);
            members.push(((*first).to_owned(), JsonLiteral::Object(inner)));
        }
    }
}

/// A body whose flattened string is made of the same text as `pairs`.
fn body_of(pairs: &[String], plan: &Rebuild) -> Vec<u8> {
    let mut texts: Vec<String> = Vec::new();
    for (index, pair) in pairs.iter().enumerate() {
        let merge = index > 0 && plan.merges.get(index).copied().unwrap_or(false);
        match texts.last_mut() {
            Some(last) if merge => {
                last.push('&');
                last.push_str(pair);
            }
            _ => texts.push(pair.clone()),
        }
    }
    let mut members = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        let equals: Vec<usize> = text.match_indices('=').map(|(at, _)| at).collect();
        let pick = usize::from(plan.splits.get(index).copied().unwrap_or(0));
        let Some(&at) = equals.get(pick % equals.len().max(1)) else {
            continue;
        };
        let (key, value) = (&text[..at], &text[at + 1..]);
        let value = JsonLiteral::String(value.to_owned());
        if plan.nests.get(index).copied().unwrap_or(false) && !key.split('.').any(str::is_empty) {
            insert(&mut members, &key.split('.').collect::<Vec<_>>(), value);
        } else {
            members.push((key.to_owned(), value));
        }
    }
    for &(name, kind) in &plan.empties {
        let empty = match kind % 4 {
            0 => JsonLiteral::Null,
            1 => JsonLiteral::String(String::new()),
            2 => JsonLiteral::Array(Vec::new()),
            _ => JsonLiteral::Object(Vec::new()),
        };
        members.push((EMPTY_NAMES[name].to_owned(), empty));
    }
    if plan.reverse {
        members.reverse();
    }
    json_text(&JsonLiteral::Object(members)).into_bytes()
}

/// What a delivery decides: payment id, status, amount (normalized) and currency, reference.
fn decisive(outcome: &PaymentOutcome) -> (String, String, Option<String>, Option<String>) {
    (
        outcome.provider_payment_id.clone(),
        outcome.status.name().to_owned(),
        outcome
            .amount
            .map(|m| format!("{} {}", m.amount().normalize(), m.currency())),
        outcome.order_id.clone(),
    )
}

#[test]
fn rebuilt_maya_bodies_are_never_fit_for_fulfilment() {
    let genuine = genuine_deliveries();
    assert!(
        genuine.len() >= 4,
        "only {} genuine signed deliveries in the fixtures",
        genuine.len()
    );
    let same_string = std::cell::Cell::new(0_u32);
    let verified = std::cell::Cell::new(0_u32);
    let relabelled = std::cell::Cell::new(0_u32);
    for delivery in &genuine {
        let truth = delivery.event.payment().unwrap().clone();
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&rebuild(), |plan| {
            let body = body_of(&delivery.pairs, &plan);
            let shown = String::from_utf8_lossy(&body).into_owned();
            // Only a body that signs the same string says anything: a merge can sort apart
            // (`a=1&b=2` after `a=10`), a split `&` inside a value can lose its `=`.
            let tree = JsonLiteral::parse(&body).unwrap();
            let flat = flatten(&tree, "n", NumberRendering::RawToken);
            if flat != format!("{}&nonce=n", delivery.pairs.join("&")) {
                return Ok(());
            }
            same_string.set(same_string.get() + 1);
            // A fresh receiver each time: the genuine nonce is not a replay of itself.
            let request = WebhookRequest::new(&delivery.headers, &body);
            let Ok(accepted) = ready(receiver().check(&request)) else {
                return Ok(());
            };
            verified.set(verified.get() + 1);
            let event = accepted.to_event();
            let claimed = event.payment().unwrap();
            if decisive(claimed) == decisive(&truth) {
                return Ok(());
            }
            relabelled.set(relabelled.get() + 1);
            prop_assert!(
                !event.is_fit_for_fulfilment(),
                "a rebuilt body is fit for fulfilment: {}",
                &shown
            );
            if let Ok(confirmed) = event.clone().confirm_with(&truth) {
                prop_assert!(confirmed.is_fit_for_fulfilment());
                prop_assert_eq!(
                    confirmed.payment(),
                    Some(&truth),
                    "confirmed as claimed: {}",
                    &shown
                );
            }
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{}: {failure}", delivery.origin);
        }
    }
    let (same_string, verified, relabelled) = (same_string.get(), verified.get(), relabelled.get());
    assert!(
        verified > 0,
        "no rebuilt body verified: the property was never exercised"
    );
    eprintln!(
        "maya-checkout: {} genuine deliveries, {CASES} rebuilt bodies each; {same_string} sign \
         the genuine string, {verified} verified, {relabelled} of them with other decisive \
         fields (all unfit)",
        genuine.len()
    );
}
