//! The signature-confusion property (DESIGN.md §8): maib and miaPOS sign the values of
//! `result`, not the names. Any body derived from a genuine signed one (keys relabelled,
//! members reordered, duplicated, dropped or added, literals rewritten) that still verifies
//! must either carry the genuine decisive fields (payment id, amount, currency, status, and
//! maib's refund amount, which turns a payment notice into a refund) or not be fit for
//! fulfilment; and confirming it against the provider's answer for the genuine payment either
//! refuses or yields that answer.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "helpers of a test file: a panic is the failure report; the counts go to stderr"
)]

use paykit_core::json_literal::JsonLiteral;
use paykit_core::{
    Decimal, EventKind, PaymentOutcome, PaymentStatus, SecretString, VerifiedEvent, Webhook,
    WebhookRequest,
};
use paykit_maib::MaibWebhook;
use paykit_miapos::MiaPosWebhook;
use paykit_props::{json_text, seeds};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Derived bodies per genuine callback.
const CASES: u32 = 600;

/// Field names to relabel to: each provider's decisive names, names that sort next to them
/// (so the signed value order survives) and names nobody reads.
const NAMES: &[&str] = &[
    "payId",
    "paymentId",
    "orderId",
    "amount",
    "currency",
    "status",
    "statusCode",
    "refundAmount",
    "confirmAmount",
    "a",
    "amountX",
    "b",
    "cx",
    "currencyX",
    "payIdX",
    "statusX",
    "z",
    "terminalId",
    "paymentType",
    "result",
    "signature",
];

#[derive(Debug, Clone)]
enum Edit {
    Rename(usize, usize),
    SwapNames(usize, usize),
    Move(usize, usize),
    Duplicate(usize),
    Drop(usize),
    Add(usize, usize),
    Literal(usize, u8),
    TopLevel(u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = 0_usize..16;
    prop_oneof![
        (i.clone(), 0..NAMES.len()).prop_map(|(a, b)| Edit::Rename(a, b)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Edit::SwapNames(a, b)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Edit::Move(a, b)),
        i.clone().prop_map(Edit::Duplicate),
        i.clone().prop_map(Edit::Drop),
        (0..NAMES.len(), i.clone()).prop_map(|(a, b)| Edit::Add(a, b)),
        (i, any::<u8>()).prop_map(|(a, b)| Edit::Literal(a, b)),
        any::<u8>().prop_map(Edit::TopLevel),
    ]
}

/// Another literal form of the same value (or a near one): numbers as strings and back,
/// trailing zeros, exponents.
fn relabel_literal(value: &JsonLiteral, form: u8) -> JsonLiteral {
    match value {
        JsonLiteral::Number(n) => match form % 5 {
            0 => JsonLiteral::String(n.clone()),
            1 if n.contains('.') => JsonLiteral::Number(format!("{n}0")),
            1 => JsonLiteral::Number(format!("{n}.0")),
            2 => JsonLiteral::Number(format!("{n}e0")),
            3 => JsonLiteral::Number(format!("{n}E+0")),
            _ => JsonLiteral::Null,
        },
        JsonLiteral::String(s) => match form % 3 {
            0 if Decimal::from_str_exact(s).is_ok() => JsonLiteral::Number(s.clone()),
            1 => JsonLiteral::String(s.to_lowercase()),
            _ => JsonLiteral::Null,
        },
        JsonLiteral::Null => JsonLiteral::String(String::new()),
        other => other.clone(),
    }
}

fn apply(members: &mut Vec<(String, JsonLiteral)>, edit: &Edit) {
    let len = members.len().max(1);
    match *edit {
        Edit::Rename(i, name) => {
            if let Some(member) = members.get_mut(i % len) {
                member.0 = NAMES[name].to_owned();
            }
        }
        Edit::SwapNames(i, j) => {
            let (i, j) = (i % len, j % len);
            if let (Some(a), Some(b)) = (
                members.get(i).map(|m| m.0.clone()),
                members.get(j).map(|m| m.0.clone()),
            ) {
                members[i].0 = b;
                members[j].0 = a;
            }
        }
        Edit::Move(i, j) => {
            if i % len < members.len() {
                let member = members.remove(i % len);
                members.insert(j % (members.len() + 1), member);
            }
        }
        Edit::Duplicate(i) => {
            if let Some(member) = members.get(i % len).cloned() {
                members.push(member);
            }
        }
        Edit::Drop(i) => {
            if i % len < members.len() {
                members.remove(i % len);
            }
        }
        Edit::Add(name, from) => {
            let value = members
                .get(from % len)
                .map_or(JsonLiteral::Null, |m| m.1.clone());
            members.push((NAMES[name].to_owned(), value));
        }
        Edit::Literal(i, form) => {
            if let Some(member) = members.get_mut(i % len) {
                member.1 = relabel_literal(&member.1, form);
            }
        }
        Edit::TopLevel(_) => {}
    }
}

/// `genuine` with `edits` applied to its `result`, and the envelope rearranged by the
/// `TopLevel` edits (order swapped, whitespace, an extra member).
fn derive(genuine: &[u8], edits: &[Edit]) -> Vec<u8> {
    let Ok(JsonLiteral::Object(mut top)) = JsonLiteral::parse(genuine) else {
        return genuine.to_vec();
    };
    for (key, value) in &mut top {
        if key == "result" {
            if let JsonLiteral::Object(members) = value {
                for edit in edits {
                    apply(members, edit);
                }
            }
        }
    }
    let mut spaced = false;
    for edit in edits {
        if let Edit::TopLevel(how) = edit {
            match how % 3 {
                0 => top.reverse(),
                1 => top.push(("note".to_owned(), JsonLiteral::String("x".to_owned()))),
                _ => spaced = true,
            }
        }
    }
    let mut out = json_text(&JsonLiteral::Object(top));
    if spaced {
        out = out.replace(',', " ,\n ");
    }
    out.into_bytes()
}

/// What a payment notice decides: id, amount (normalized), currency, status, refund amount.
type Decisive = (
    String,
    Option<Decimal>,
    Option<String>,
    Option<String>,
    Option<Decimal>,
);

/// Verifies a body: its decisive fields and its event, or `None` when it does not verify.
type Verify<'a> = &'a dyn Fn(&[u8]) -> Option<(Decisive, VerifiedEvent)>;

fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// The property for one verified derivation: `claimed` are its decisive fields, `event` its
/// event, `truth` the provider's answer about the genuine payment.
fn check(
    genuine: &Decisive,
    claimed: &Decisive,
    event: VerifiedEvent,
    truth: &PaymentOutcome,
    body: &[u8],
) -> Result<bool, TestCaseError> {
    if claimed == genuine {
        return Ok(false);
    }
    let shown = String::from_utf8_lossy(body);
    prop_assert!(
        !event.is_fit_for_fulfilment(),
        "a relabelled body is fit for fulfilment: {shown}"
    );
    if claimed.0 == genuine.0 {
        if let Ok(confirmed) = event.clone().confirm_with(truth) {
            prop_assert!(confirmed.is_fit_for_fulfilment());
            prop_assert_eq!(
                confirmed.payment(),
                Some(truth),
                "confirmed as claimed: {}",
                shown
            );
        }
    }
    Ok(true)
}

fn run(provider: &str, genuine_bodies: Vec<Vec<u8>>, verify: Verify<'_>) {
    let derived_verified = std::cell::Cell::new(0_u32);
    let relabelled = std::cell::Cell::new(0_u32);
    let mut genuine_count = 0;
    for genuine in genuine_bodies {
        let Some((decisive, event)) = verify(&genuine) else {
            continue;
        };
        genuine_count += 1;
        let truth = match event.kind {
            EventKind::Payment(ref outcome) | EventKind::Refund(ref outcome) => outcome.clone(),
            _ => PaymentOutcome::new(decisive.0.clone(), PaymentStatus::Captured),
        };
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&prop::collection::vec(edit(), 1..5), |edits| {
            let body = derive(&genuine, &edits);
            if let Some((claimed, event)) = verify(&body) {
                derived_verified.set(derived_verified.get() + 1);
                if check(&decisive, &claimed, event, &truth, &body)? {
                    relabelled.set(relabelled.get() + 1);
                }
            }
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{provider}: {failure}");
        }
    }
    assert!(
        genuine_count > 0,
        "{provider}: no genuine signed callback in the fixtures"
    );
    eprintln!(
        "{provider}: {genuine_count} genuine callbacks, {} derived bodies each; {} \
         derived bodies verified, {} of them with other decisive fields (all unfit)",
        CASES,
        derived_verified.get(),
        relabelled.get()
    );
}

#[test]
fn maib_relabellings_are_never_fit_for_fulfilment() {
    let key = seeds::key("maib", "signature_key.txt").unwrap();
    let hook = MaibWebhook::new(SecretString::from(key)).unwrap();
    let with_flow = hook.clone().assume_flow(paykit_maib::PaymentFlow::Direct);
    let verify = |body: &[u8]| {
        let verified = hook.verify_notification(body).ok()?;
        let n = &verified.notification;
        let decisive = (
            n.pay_id.clone(),
            n.amount.map(|a| a.normalize()),
            n.currency.clone(),
            n.status.as_ref().map(|s| s.as_str().to_owned()),
            n.refund_amount.map(|a| a.normalize()),
        );
        let event = ready(with_flow.verify(&WebhookRequest::body_only(body))).ok()?;
        Some((decisive, event))
    };
    let bodies = seeds::callbacks("maib")
        .unwrap()
        .into_iter()
        .map(|s| s.bytes)
        .collect();
    run("maib", bodies, &verify);
}

#[test]
fn miapos_relabellings_are_never_fit_for_fulfilment() {
    let key = seeds::key("miapos", "public_key.b64").unwrap();
    let hook = MiaPosWebhook::from_spki_base64(&key).unwrap();
    let verify = |body: &[u8]| {
        let info = ready(hook.verify_callback(body)).ok()?;
        let decisive = (
            info.payment_id.clone(),
            Some(info.amount.normalize()),
            Some(info.currency.clone()),
            Some(info.status.as_str().to_owned()),
            None,
        );
        let event = ready(hook.verify(&WebhookRequest::body_only(body))).ok()?;
        Some((decisive, event))
    };
    let bodies = seeds::callbacks("miapos")
        .unwrap()
        .into_iter()
        .map(|s| s.bytes)
        .collect();
    run("miapos", bodies, &verify);
}
