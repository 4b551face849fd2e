//! The common-shape reader against the general one: same answers where it answers, the
//! general reader's verdict everywhere else, no panic on truncated or altered bodies.

use super::*;
use crate::translate::{outcome_for, outcome_for_receipt};
use crate::webhook::{common_event, dedupe_key, parse_callback};
use paykit_testkit::fixture::{fixtures_root, load_provider};

/// When this reader answers, the general one answers the same: the same facts (every field
/// the event and the record check read), the same common event and dedupe key, and the same
/// outcome as the receipt's own mapping. Returns whether it answered.
fn agrees_with_the_general_reader(body: &[u8]) -> bool {
    let Ok(envelope) = envelope(body) else {
        return false;
    };
    let Ok(lean) = read(&envelope) else {
        return false;
    };
    let general = parse_callback(body).expect("the general reader takes what this one does");
    assert_eq!(lean.event, general.event);
    let facts: ReceiptFacts<'_> = general.receipt.facts();
    assert_eq!(lean.facts, facts);
    assert_eq!(dedupe_key(lean.event, &lean.facts), general.dedupe_key);
    let event = common_event(lean.event, &lean.facts);
    assert_eq!(event, common_event(&general.event, &facts));
    assert_eq!(
        event.payment(),
        Some(&outcome_for_receipt(&general.receipt))
    );
    true
}

/// This reader's answer, when it gives one.
fn lean_read(body: &[u8]) -> Option<(String, String)> {
    let envelope = envelope(body).ok()?;
    let lean = read(&envelope).ok()?;
    Some((lean.event.to_owned(), dedupe_key(lean.event, &lean.facts)))
}

/// Every callback fixture's body.
pub(super) fn fixture_bodies() -> Vec<(String, Vec<u8>)> {
    let fixtures = load_provider(&fixtures_root().unwrap(), "bog-payments").unwrap();
    assert!(
        fixtures.callbacks.len() >= 10,
        "{} fixtures",
        fixtures.callbacks.len()
    );
    fixtures
        .callbacks
        .iter()
        .map(|callback| (callback.name.clone(), callback.body.to_bytes()))
        .collect()
}

/// Every fixture (strings for amounts, as BOG sends them) takes this reader, not the fallback.
#[test]
fn the_fixtures_take_this_reader_and_agree_with_the_general_one() {
    for (name, body) in fixture_bodies() {
        assert!(
            agrees_with_the_general_reader(&body),
            "{name}: general reader"
        );
    }
}

const RECEIPT: &str = r#"{"order_id":"o-1","order_status":{"key":"refunded_partially"},"external_order_id":"A-1","purchase_units":{"request_amount":"30.0","transfer_amount":"20.0","refund_amount":"10","currency_code":"GEL","items":[{"quantity":"1","unit_price":"30"}]},"payment_detail":{"code":"100","saved_card_type":null},"actions":[{"action_id":"a-1","action":"partial_refund","status":"completed","amount":"10"}],"reject_reason":null}"#;

fn wrapped(receipt: &str) -> Vec<u8> {
    format!(r#"{{"event":"order_payment","zoned_request_time":"2025-03-14T09:26:53Z","body":{receipt}}}"#)
        .into_bytes()
}

#[test]
fn a_refund_with_its_action_reads_the_same_both_ways() {
    assert!(agrees_with_the_general_reader(&wrapped(RECEIPT)));
    let (event, key) = lean_read(&wrapped(RECEIPT)).unwrap();
    assert_eq!(event, "order_payment");
    assert_eq!(key, "order_payment:o-1:refunded_partially:20:10:a-1");
    // Escaped text is unescaped as the general reader does.
    let escaped = RECEIPT.replace(r#""A-1""#, r#""A\u002d1""#);
    assert!(agrees_with_the_general_reader(&wrapped(&escaped)));
}

#[test]
fn what_this_reader_could_read_differently_goes_to_the_general_one() {
    let cases = [
        // A number amount: the general reader renders it through f64 and accepts it.
        (RECEIPT.replace(r#""30.0""#, "30.0"), true),
        (RECEIPT.replace(r#""o-1""#, "77"), true),
        (RECEIPT.replace(r#""code":"100""#, r#""code":100"#), true),
        // A repeated key: the general reader keeps the last one.
        (
            RECEIPT.replace(
                r#""order_id":"o-1","#,
                r#""order_id":"o-0","order_id":"o-1","#,
            ),
            true,
        ),
        // What the general reader refuses.
        (RECEIPT.replace(r#""20.0""#, r#""twenty""#), false),
        (
            RECEIPT.replace(r#""unit_price":"30""#, r#""unit_price":true"#),
            false,
        ),
        (
            RECEIPT.replace(r#""key":"refunded_partially""#, r#""key":7"#),
            false,
        ),
        (RECEIPT.replace(r#""order_id":"o-1","#, ""), false),
        ("[]".to_owned(), false),
    ];
    for (receipt, general_accepts) in cases {
        let body = wrapped(&receipt);
        assert_eq!(lean_read(&body), None, "{receipt}");
        assert_eq!(parse_callback(&body).is_ok(), general_accepts, "{receipt}");
    }
    for body in [
        &b""[..],
        b"{",
        b"null",
        br#"{"event":1,"body":{}}"#,
        br#"{"body":{}}"#,
        b"{\"event\":\"e\",\"x\":\"\xff\",\"body\":{}}",
    ] {
        assert_eq!(lean_read(body), None);
        assert!(parse_callback(body).is_err());
    }
}

/// Values this reader only visits still fail where the general reader's tree fails.
#[test]
fn skipped_members_are_held_to_the_general_readers_limits() {
    for (skipped, accepted) in [
        (r#""1e400""#, true),
        ("1e400", false),
        (&"9".repeat(400), false),
        ("-0.5e-3", true),
        (r#""\ud800""#, false),
        (r#""\ud83d\ude00""#, true),
        (&format!("{}{}", "[".repeat(200), "]".repeat(200)), false),
        (r#"{"a":[1,{"b":null}],"a":true}"#, true),
    ] {
        let receipt = RECEIPT.replace(
            r#""reject_reason":null"#,
            &format!(r#""reject_reason":null,"lang":{skipped}"#),
        );
        let body = wrapped(&receipt);
        assert_eq!(parse_callback(&body).is_ok(), accepted, "{skipped}");
        assert_eq!(lean_read(&body).is_some(), accepted, "{skipped}");
        if accepted {
            assert!(agrees_with_the_general_reader(&body));
        }
    }
}

#[test]
fn truncated_and_altered_bodies_never_panic_and_never_disagree() {
    for (_, body) in fixture_bodies().into_iter().take(4) {
        for end in 0..body.len() {
            agrees_with_the_general_reader(&body[..end]);
        }
        for at in (0..body.len()).step_by(7) {
            for byte in [b'"', b'{', b']', b'0', b'\\', b',', 0xff] {
                let mut altered = body.clone();
                altered[at] = byte;
                agrees_with_the_general_reader(&altered);
            }
        }
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(envelope(deep.as_bytes()).unwrap_err(), Unusual);
}

/// The facts no fixture has (a saved card, a cancelled pre-authorization, a decline with its
/// code, a held amount, a last action without an id) read the same both ways, and reach the
/// one status mapping as the receipt's own does.
#[test]
fn every_fact_the_event_reads_is_read_the_same_both_ways() {
    use paykit_core::PaymentStatus as S;
    let rejected = RECEIPT.replace("refunded_partially", "rejected");
    let cases = [
        (
            RECEIPT.replace(
                r#""saved_card_type":null"#,
                r#""payer_identifier":"548888xxxxxx9893","saved_card_type":"recurrent""#,
            ),
            S::PartiallyRefunded,
        ),
        (
            rejected.replace(
                r#""action":"partial_refund""#,
                r#""action":"cancel_authorize""#,
            ),
            S::Cancelled,
        ),
        (
            rejected.replace(r#""reject_reason":null"#, r#""reject_reason":"declined""#),
            S::Failed {
                reason: Some("100: declined".to_owned()),
            },
        ),
        (
            RECEIPT
                .replace("refunded_partially", "blocked")
                .replace(r#""actions":[{"#, r#""actions":[{"action_id":"a-0"},{"#)
                .replace(r#""action_id":"a-1","#, ""),
            S::Authorized,
        ),
    ];
    for (receipt, status) in cases {
        let body = wrapped(&receipt);
        assert!(agrees_with_the_general_reader(&body), "{receipt}");
        let read_in = envelope(&body).unwrap();
        let lean = read(&read_in).unwrap();
        let event = common_event(lean.event, &lean.facts);
        assert_eq!(event.payment().unwrap().status, status, "{receipt}");
    }
    let saved = wrapped(&RECEIPT.replace(
        r#""saved_card_type":null"#,
        r#""payer_identifier":"548888xxxxxx9893","saved_card_type":"recurrent""#,
    ));
    let saved_in = envelope(&saved).unwrap();
    let lean = read(&saved_in).unwrap();
    assert_eq!(lean.facts.saved_card, Some(Some("548888xxxxxx9893")));
    // A held pre-authorization's amount is the held one; the last action has no id.
    let held = wrapped(
        &RECEIPT
            .replace("refunded_partially", "blocked")
            .replace(r#""actions":[{"#, r#""actions":[{"action_id":"a-0"},{"#)
            .replace(r#""action_id":"a-1","#, ""),
    );
    let held_in = envelope(&held).unwrap();
    let lean = read(&held_in).unwrap();
    assert_eq!(
        dedupe_key(lean.event, &lean.facts),
        "order_payment:o-1:blocked:20:10:-"
    );
    let outcome = outcome_for(&lean.facts);
    assert_eq!(outcome.amount.unwrap().amount(), "20".parse().unwrap());
}
