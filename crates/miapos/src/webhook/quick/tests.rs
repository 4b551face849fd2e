//! The quick reader against the general one: where it answers, the general reader answers the
//! same fields and signature; on every fixture callback it answers; on truncated and altered
//! bodies it never panics and never disagrees.

use super::*;
use crate::webhook::envelope::{envelope, parse};
use paykit_testkit::fixture::{fixtures_root, load_provider};

/// Owned copies of what a reader found, for comparing.
type Read = (Vec<(String, Value<'static>)>, Option<String>);

fn owned(fields: &[(&str, Value<'_>)], signature: Option<&str>) -> Read {
    // Leaked for the test's convenience: values with a 'static borrow.
    let leak = |text: &str| -> &'static str { Box::leak(text.to_owned().into_boxed_str()) };
    let fields = fields
        .iter()
        .map(|(key, value)| {
            let value = match value {
                Value::Text(text) => Value::Text(leak(text)),
                Value::Number(literal) => Value::Number(leak(literal)),
                Value::Null => Value::Null,
                Value::Other => Value::Other,
            };
            ((*key).to_owned(), value)
        })
        .collect();
    (fields, signature.map(str::to_owned))
}

fn general(body: &[u8]) -> paykit_core::Result<Read> {
    let document = parse(body)?;
    let read = envelope(&document)?;
    Ok(owned(&read.fields, read.signature))
}

/// When the quick reader answers, the general one accepts the body with the same fields (in
/// order, duplicates kept) and signature, and the canonical strings (or their refusals) agree.
/// Returns whether it answered.
fn agrees_with_the_general_reader(body: &[u8]) -> bool {
    let mut fields = Fields::new();
    let Some(signature) = read(body, &mut fields) else {
        return false;
    };
    let expected = general(body).expect("the general reader takes what this one does");
    assert_eq!(owned(fields.as_mut_slice(), signature), expected);
    let canonical = crate::webhook::canonical(fields.as_mut_slice());
    let document = parse(body).unwrap();
    let mut general_read = envelope(&document).unwrap();
    let general_canonical = crate::webhook::canonical(&mut general_read.fields);
    match (canonical, general_canonical) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("canonical strings disagree: {a:?} / {b:?}"),
    }
    true
}

/// Every callback fixture's body.
fn fixture_bodies() -> Vec<(String, Vec<u8>)> {
    let fixtures = load_provider(&fixtures_root().unwrap(), "miapos").unwrap();
    assert!(
        fixtures.callbacks.len() >= 10,
        "{} fixtures",
        fixtures.callbacks.len()
    );
    fixtures
        .callbacks
        .iter()
        .map(|callback| {
            assert_eq!(callback.body.kind(), "text", "{}", callback.name);
            (callback.name.clone(), callback.body.to_bytes())
        })
        .collect()
}

#[test]
fn every_callback_fixture_takes_this_reader_and_agrees_with_the_general_one() {
    for (name, body) in fixture_bodies() {
        let has_result = general(&body).is_ok();
        // Only the web-page event (no `result`) is not a callback envelope at all.
        assert_eq!(has_result, name != "web_page_event_shape", "{name}");
        assert_eq!(agrees_with_the_general_reader(&body), has_result, "{name}");
    }
}

const RESULT: &str = r#"{"terminalId":"TE0001","orderId":"A-1","paymentId":"11111111-2222-3333-4444-555555555555","status":"SUCCESS","amount":10.50,"currency":"MDL","swiftMessageId":null}"#;

fn body(result: &str, rest: &str) -> Vec<u8> {
    format!(r#"{{"result":{result}{rest}}}"#).into_bytes()
}

#[test]
fn the_usual_shape_reads_in_any_layout_the_grammar_allows() {
    for body in [
        body(RESULT, r#","signature":"c2ln""#),
        body(RESULT, r#","signature":null"#),
        body(RESULT, ""),
        body("{}", r#","signature":"c2ln""#),
        " \r\n\t{ \"signature\" : \"c2ln\" ,\n\"result\" :\t{ \"a\" : -0 , \"b\":1.5E+3,\"c\":0e-0 , \"d\" : \"\" } } \n".to_owned()
            .into_bytes(),
        body(r#"{"orderId":"comandă-ţ-1","x":"😀"}"#, ""),
        // Duplicates are kept for the canonical string to refuse, as the general reader does.
        body(r#"{"a":"x","a":"y"}"#, r#","signature":"c2ln""#),
    ] {
        assert!(
            agrees_with_the_general_reader(&body),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
    let signed = body(RESULT, r#","signature":"c2ln""#);
    let mut fields = Fields::new();
    assert_eq!(read(&signed, &mut fields), Some(Some("c2ln")));
    assert_eq!(fields.as_mut_slice().len(), 7);
    assert_eq!(
        fields.as_mut_slice().get(4),
        Some(&("amount", Value::Number("10.50")))
    );
    assert_eq!(
        fields.as_mut_slice().last(),
        Some(&("swiftMessageId", Value::Null))
    );
}

#[test]
fn what_this_reader_could_read_differently_goes_to_the_general_one() {
    let many: String = (0..=CAPACITY)
        .map(|i| format!(r#""k{i}":"{i}""#))
        .collect::<Vec<_>>()
        .join(",");
    let cases = [
        // What the general reader accepts (or refuses only later, by its own rules).
        (body(r#"{"orderId":"A\u002d1"}"#, ""), true),
        (body(r#"{"orderId":"say \"hi\""}"#, ""), true),
        (body(r#"{"flag":true}"#, ""), true),
        (body(r#"{"list":[1]}"#, ""), true),
        (body(r#"{"inner":{}}"#, ""), true),
        (body(RESULT, r#","extra":1"#), true),
        (body(RESULT, r#","signature":"c2\u006cn""#), true),
        (format!("{{{many}}}").into_bytes(), false),
        (body(&format!("{{{many}}}"), ""), true),
        // What the general reader refuses.
        (body(RESULT, r#","result":{}"#), false),
        (body(RESULT, r#","signature":"a","signature":"b""#), false),
        (body(RESULT, r#","signature":5"#), false),
        (br#"{"signature":"c2ln"}"#.to_vec(), false),
        (br#"{"result":"x"}"#.to_vec(), false),
        (b"{}".to_vec(), false),
        (body(r#"{"a":01}"#, ""), false),
        (body(r#"{"a":1.}"#, ""), false),
        (body(r#"{"a":-}"#, ""), false),
        (body(r#"{"a":1e}"#, ""), false),
        (body(r#"{"a":.5}"#, ""), false),
        (body(r#"{"a":1,}"#, ""), false),
        (body(r#"{"a":nul}"#, ""), false),
        (body(RESULT, " x"), false),
        (
            format!("{}x", String::from_utf8(body(RESULT, "")).unwrap()).into_bytes(),
            false,
        ),
        (b"{\"result\":{\"a\":\"tab\there\"}}".to_vec(), false),
        (b"{\"result\":{\"a\":\"\xff\"}}".to_vec(), false),
        (b"[]".to_vec(), false),
        (Vec::new(), false),
    ];
    for (body, general_accepts) in cases {
        let text = String::from_utf8_lossy(&body).into_owned();
        assert!(read(&body, &mut Fields::new()).is_none(), "{text}");
        assert_eq!(general(&body).is_ok(), general_accepts, "{text}");
    }
}

/// Fragments a mutation splices in: structure, escapes, numbers, whitespace, bad UTF-8 and the
/// envelope's names.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"-",
    b".",
    b"e",
    b"0",
    b" ",
    b"\t",
    b"\x01",
    b"\xff",
    b"\xc3",
    b"\\u0041",
    b"\"result\"",
    b"\"signature\"",
    b"\"amount\":",
    b"{\"a\":",
];

#[test]
fn truncated_and_altered_bodies_never_panic_and_never_disagree() {
    let mut answered = 0;
    for (_, body) in fixture_bodies() {
        for end in 0..=body.len() {
            agrees_with_the_general_reader(&body[..end]);
        }
        for at in 0..body.len() {
            for token in TOKENS {
                let mut replaced = body.clone();
                let end = (at + token.len()).min(body.len());
                replaced.splice(at..end, token.iter().copied());
                answered += usize::from(agrees_with_the_general_reader(&replaced));
                let mut inserted = body.clone();
                inserted.splice(at..at, token.iter().copied());
                answered += usize::from(agrees_with_the_general_reader(&inserted));
            }
            let mut dropped = body.clone();
            dropped.remove(at);
            answered += usize::from(agrees_with_the_general_reader(&dropped));
        }
    }
    // Most single edits inside a string keep the usual shape: the comparison ran on them.
    assert!(answered > 10_000, "{answered}");
}
