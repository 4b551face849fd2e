//! Semantic JSON equality with a wildcard, reported as a list of differences.

use std::collections::BTreeSet;

use super::exact::Exact;
use super::number::ExactDecimal;

/// The string that, in an expected value, matches any actual value.
pub const ANY: &str = "{{any}}";

/// The opening of the opt-out from exact number literals: in an expected value,
/// `"{{value:49.90}}"` matches any number literal of that exact decimal value (`49.9`,
/// `49.900`), for a field whose rendering is known to vary. Everywhere else a number matches
/// only the same literal text, because an amount's text is part of the wire format.
pub const BY_VALUE: &str = "{{value:";

/// Longest value printed in a difference.
const SNIPPET: usize = 80;

/// The differences between `expected` and `actual`, as `path: explanation` lines; empty when
/// they are equal. Numbers compare by their literal text (`49.90` does not match `49.9`)
/// unless the expected value opts out with [`BY_VALUE`]; objects compare by key set and
/// values, arrays element by element, and the string [`ANY`] matches anything.
pub fn diff(expected: &Exact, actual: &Exact) -> Vec<String> {
    let mut found = Vec::new();
    walk("$", expected, actual, &mut found);
    found
}

/// Compares one node and recurses.
fn walk(path: &str, expected: &Exact, actual: &Exact, found: &mut Vec<String>) {
    match (expected, actual) {
        (Exact::String(wild), _) if wild == ANY => {}
        (Exact::String(marker), got) if marker.starts_with(BY_VALUE) => {
            by_value(path, marker, got, found);
        }
        (Exact::Object(want), Exact::Object(got)) => {
            let keys: BTreeSet<&String> = want.keys().chain(got.keys()).collect();
            for key in keys {
                let child = format!("{path}.{key}");
                match (want.get(key), got.get(key)) {
                    (Some(w), Some(g)) => walk(&child, w, g, found),
                    (Some(_), None) => found.push(format!("{child}: missing")),
                    (None, Some(g)) => {
                        found.push(format!("{child}: not expected, got {}", g.snippet(SNIPPET)));
                    }
                    (None, None) => {}
                }
            }
        }
        (Exact::Array(want), Exact::Array(got)) => {
            if want.len() != got.len() {
                found.push(format!(
                    "{path}: expected {} elements, got {}",
                    want.len(),
                    got.len()
                ));
            }
            for (index, (w, g)) in want.iter().zip(got).enumerate() {
                walk(&format!("{path}[{index}]"), w, g, found);
            }
        }
        (want, got) if want == got => {}
        (want, got) => found.push(format!(
            "{path}: expected {}, got {}",
            want.snippet(SNIPPET),
            got.snippet(SNIPPET)
        )),
    }
}

/// `text` (a recorded JSON body) with every `"{{value:<literal>}}"` marker replaced by its bare
/// number literal: the body as a client would send it, for replaying a recording.
pub fn with_values_filled(text: &str) -> String {
    let opening = format!("\"{BY_VALUE}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(&opening) {
        let after = &rest[start + opening.len()..];
        let Some(end) = after.find("}}\"") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&after[..end]);
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

/// Compares a number by value against a `{{value:<literal>}}` marker.
fn by_value(path: &str, marker: &str, actual: &Exact, found: &mut Vec<String>) {
    let literal = marker
        .strip_prefix(BY_VALUE)
        .and_then(|rest| rest.strip_suffix("}}"))
        .unwrap_or_default();
    let Ok(want) = ExactDecimal::parse(literal) else {
        found.push(format!("{path}: the fixture's {marker:?} holds no number"));
        return;
    };
    let equal = match actual {
        Exact::Number(got) => ExactDecimal::parse(got).is_ok_and(|got| got == want),
        _ => false,
    };
    if !equal {
        found.push(format!(
            "{path}: expected a number equal to {literal}, got {}",
            actual.snippet(SNIPPET)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(want: &str, got: &str) -> Vec<String> {
        diff(&Exact::parse(want).unwrap(), &Exact::parse(got).unwrap())
    }

    #[test]
    fn equal_documents_have_no_difference() {
        assert!(d(r#"{"a":10.25,"b":[1,"x"]}"#, r#"{"b":[1,"x"],"a":10.25}"#).is_empty());
    }

    #[test]
    fn a_number_matches_only_its_own_literal() {
        assert_eq!(
            d(r#"{"a":49.90}"#, r#"{"a":49.9}"#),
            ["$.a: expected 49.90, got 49.9"]
        );
        assert_eq!(
            d(r#"{"a":10}"#, r#"{"a":10.00}"#),
            ["$.a: expected 10, got 10.00"]
        );
    }

    #[test]
    fn a_field_may_opt_out_to_compare_by_value() {
        assert!(d(r#"{"a":"{{value:49.90}}"}"#, r#"{"a":49.9}"#).is_empty());
        assert!(d(r#"{"a":"{{value:10}}"}"#, r#"{"a":1.0e1}"#).is_empty());
        assert_eq!(
            d(r#"{"a":"{{value:49.90}}"}"#, r#"{"a":"49.90"}"#),
            [r#"$.a: expected a number equal to 49.90, got "49.90""#]
        );
        assert_eq!(
            d(r#"{"a":"{{value:49.90}}"}"#, r#"{"a":49.91}"#),
            ["$.a: expected a number equal to 49.90, got 49.91"]
        );
        assert_eq!(
            d(r#"{"a":"{{value:x}}"}"#, r#"{"a":1}"#),
            [r#"$.a: the fixture's "{{value:x}}" holds no number"#]
        );
    }

    #[test]
    fn wildcard_matches_any_present_value() {
        assert!(d(r#"{"id":"{{any}}"}"#, r#"{"id":{"deep":[1]}}"#).is_empty());
        assert_eq!(d(r#"{"id":"{{any}}"}"#, r#"{}"#), ["$.id: missing"]);
    }

    #[test]
    fn reports_each_difference_with_its_path() {
        let found = d(
            r#"{"amount":10.25,"items":[{"q":1}],"gone":1}"#,
            r#"{"amount":"10.25","items":[{"q":2}],"extra":true}"#,
        );
        assert_eq!(
            found,
            [
                r#"$.amount: expected 10.25, got "10.25""#,
                "$.extra: not expected, got true",
                "$.gone: missing",
                "$.items[0].q: expected 1, got 2",
            ]
        );
    }

    #[test]
    fn markers_are_filled_with_their_literal_for_replay() {
        let text = r#"{"a":"{{value:2.50}}","b":[ "{{value:4}}" ],"c":"{{any}}"}"#;
        assert_eq!(
            with_values_filled(text),
            r#"{"a":2.50,"b":[ 4 ],"c":"{{any}}"}"#
        );
        assert_eq!(
            with_values_filled(r#"{"a":"{{value:1"#),
            r#"{"a":"{{value:1"#
        );
    }

    #[test]
    fn array_length_counts() {
        assert_eq!(d("[1,2]", "[1]"), ["$: expected 2 elements, got 1"]);
    }
}
