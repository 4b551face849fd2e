//! The hand reader against `serde_json` deserializing the same [`Envelope`]: where it answers,
//! the same structs; on the fixtures it answers; on altered bodies it never panics and never
//! disagrees.

use super::*;

/// When the hand reader answers, the deserializer accepts the text with the same envelope.
/// Returns whether it answered.
fn agrees_with_the_deserializer(text: &str) -> bool {
    let Some(ours) = envelope(text) else {
        return false;
    };
    let theirs: Envelope<'_> =
        serde_json::from_str(text).expect("the deserializer takes what this reader does");
    assert_eq!(ours, theirs, "{text}");
    true
}

/// Every callback fixture's body, as text.
fn fixture_bodies() -> Vec<(String, String)> {
    crate::webhook::lean::tests::fixture_bodies()
        .into_iter()
        .map(|(name, body)| (name, String::from_utf8(body).unwrap()))
        .collect()
}

#[test]
fn every_fixture_without_escapes_takes_this_reader_and_agrees() {
    let mut escaped = 0;
    for (name, body) in fixture_bodies() {
        let answered = agrees_with_the_deserializer(&body);
        if body.contains('\\') {
            assert!(!answered, "{name}: an escape goes to the deserializer");
            escaped += 1;
        } else {
            assert!(answered, "{name}");
        }
    }
    assert!((1..=2).contains(&escaped), "{escaped}");
}

const RECEIPT: &str = r#"{"order_id":"o-1","order_status":{"key":"refunded_partially","value":"x"},"external_order_id":"A-1","client":{"id":"1","n":[1,-2.5,0,true,false,null,{"a":[]}]},"purchase_units":{"request_amount":"30.0","transfer_amount":20,"refund_amount":null,"currency_code":"GEL","items":[{"quantity":"1","unit_price":"30","vat":"0"},{}]},"payment_detail":{"code":"100","saved_card_type":null,"transfer_method":{"key":"card"}},"actions":[{"action_id":"a-1","action":"partial_refund","status":"completed","amount":"10","extra":[]}],"reject_reason":null}"#;

fn envelope_of(receipt: &str) -> String {
    format!(
        r#"{{"event":"order_payment","zoned_request_time":"2025-03-14T09:26:53Z","body":{receipt}}}"#
    )
}

#[test]
fn every_kind_of_value_reads_as_the_deserializer_reads_it() {
    for text in [
        envelope_of(RECEIPT),
        envelope_of("null"),
        envelope_of("{}"),
        envelope_of(&RECEIPT.replace(r#""actions":[{"#, r#""actions":null,"x":[{"#)),
        envelope_of(&RECEIPT.replace(r#""items":[{"#, r#""items":[],"y":[{"#)),
        r#"{"event":7,"zoned_request_time":{"a":1},"body":null,"event2":"x"}"#.to_owned(),
        "{}".to_owned(),
        " \r\n\t{ \"event\" : \"e\" , \"body\" : { \"order_id\" : \"o\" } } \n".to_owned(),
        envelope_of(&RECEIPT.replace("\"A-1\"", "\"ბარათით\"")),
        // Duplicates of members nobody reads are the deserializer's business too: it skips them.
        envelope_of(&RECEIPT.replace(r#""client":"#, r#""lang":1,"lang":2,"client":"#)),
    ] {
        assert!(agrees_with_the_deserializer(&text), "{text}");
    }
}

#[test]
fn what_this_reader_could_read_differently_goes_to_the_deserializer() {
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let cases = [
        // What the deserializer accepts.
        (RECEIPT.replace("\"A-1\"", r#""A\u002d1""#), true),
        (RECEIPT.replace(r#""id":"1""#, r#""id":"\"1\"""#), true),
        (RECEIPT.replace("-2.5", "-2.5e3"), true),
        (RECEIPT.replace("-2.5", "1E2"), true),
        (RECEIPT.replace("-2.5", &"9".repeat(21)), true),
        (
            RECEIPT.replace(r#""n":["#, &format!(r#""n":[{deep},"#)),
            true,
        ),
        // What it refuses.
        (
            RECEIPT.replace(
                r#""order_id":"o-1","#,
                r#""order_id":"o-0","order_id":"o-1","#,
            ),
            false,
        ),
        (
            RECEIPT.replace(r#""code":"100","#, r#""code":"100","code":"101","#),
            false,
        ),
        (
            RECEIPT.replace(r#""actions":[{"#, r#""actions":[null,{"#),
            false,
        ),
        (
            RECEIPT.replace(
                r#""actions":[{"action_id":"a-1","#,
                r#""actions":[{"action_id":"a-1","status":"x","#,
            ),
            false,
        ),
        (
            RECEIPT.replace(r#""order_status":{"#, r#""order_status":"x","y":{"#),
            false,
        ),
        (
            RECEIPT
                .replace(r#""items":["#, r#""items":{"a":["#)
                .replace(r#"{}]},"#, r#"{}]}},"#),
            false,
        ),
        (
            RECEIPT.replace(r#""purchase_units":{"#, r#""purchase_units":[],"z":{"#),
            false,
        ),
        (RECEIPT.replace("-2.5", "-"), false),
        (RECEIPT.replace("-2.5", "01"), false),
        (RECEIPT.replace("-2.5", "1."), false),
        (RECEIPT.replace("-2.5", ".5"), false),
        (RECEIPT.replace("-2.5", "1e999"), false),
        (RECEIPT.replace("true", "tru"), false),
        (RECEIPT.replace("[]", "[1,]"), false),
        (RECEIPT.replace(r#""vat":"0""#, r#""vat":"0","#), false),
        (RECEIPT.replace("\"A-1\"", "\"A\t1\""), false),
        (RECEIPT.replace("\"A-1\"", r#""\ud800""#), false),
        (
            RECEIPT.replace(r#""n":["#, &format!(r#""n":[{deep}{deep}"#)),
            false,
        ),
    ];
    for (receipt, accepted) in cases {
        let text = envelope_of(&receipt);
        assert!(envelope(&text).is_none(), "{text}");
        assert_eq!(
            serde_json::from_str::<Envelope<'_>>(&text).is_ok(),
            accepted,
            "{text}"
        );
    }
    for text in [
        "",
        "{",
        "[]",
        "null",
        "{}x",
        r#"{"event":"e"}}"#,
        r#"{"event":"e",}"#,
    ] {
        assert!(envelope(text).is_none(), "{text}");
        assert!(
            serde_json::from_str::<Envelope<'_>>(text).is_err(),
            "{text}"
        );
    }
}

/// Fragments a mutation splices in: structure, escapes, numbers, literals, whitespace, control
/// characters and the names the reader reads.
const TOKENS: &[&str] = &[
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "-",
    ".",
    "e",
    "0",
    " ",
    "\u{1}",
    "\"body\":",
    "\"order_id\":",
    "\"actions\":[",
];

#[test]
fn altered_bodies_never_panic_and_never_disagree() {
    let mut answered = 0;
    for (_, body) in fixture_bodies().into_iter().take(6) {
        for end in (0..=body.len()).filter(|end| body.is_char_boundary(*end)) {
            answered += usize::from(agrees_with_the_deserializer(&body[..end]));
        }
        for at in (0..body.len()).step_by(3) {
            if !body.is_char_boundary(at) {
                continue;
            }
            let next = (at + 1..=body.len())
                .find(|end| body.is_char_boundary(*end))
                .unwrap_or(body.len());
            for token in TOKENS {
                let mut replaced = body.clone();
                replaced.replace_range(at..next, token);
                answered += usize::from(agrees_with_the_deserializer(&replaced));
                let mut inserted = body.clone();
                inserted.insert_str(at, token);
                answered += usize::from(agrees_with_the_deserializer(&inserted));
            }
        }
    }
    assert!(answered > 5_000, "{answered}");
}
