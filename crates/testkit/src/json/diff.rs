//! Semantic JSON equality with a wildcard, reported as a list of differences.

use std::collections::BTreeSet;

use super::exact::Exact;
use super::number::ExactDecimal;

/// The string that, in an expected value, matches any actual value.
pub const ANY: &str = "{{any}}";

/// Longest value printed in a difference.
const SNIPPET: usize = 80;

/// The differences between `expected` and `actual`, as `path: explanation` lines; empty when
/// they are equal. Numbers compare by exact decimal value (`10.0` equals `10`), objects by
/// key set and values, arrays element by element, and the string [`ANY`] matches anything.
pub fn diff(expected: &Exact, actual: &Exact) -> Vec<String> {
    let mut found = Vec::new();
    walk("$", expected, actual, &mut found);
    found
}

/// Compares one node and recurses.
fn walk(path: &str, expected: &Exact, actual: &Exact, found: &mut Vec<String>) {
    match (expected, actual) {
        (Exact::String(wild), _) if wild == ANY => {}
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
        (Exact::Number(want), Exact::Number(got)) if numbers_equal(want, got) => {}
        (want, got) if want == got => {}
        (want, got) => found.push(format!(
            "{path}: expected {}, got {}",
            want.snippet(SNIPPET),
            got.snippet(SNIPPET)
        )),
    }
}

/// Whether two number literals have the same exact value.
fn numbers_equal(want: &str, got: &str) -> bool {
    match (ExactDecimal::parse(want), ExactDecimal::parse(got)) {
        (Ok(w), Ok(g)) => w == g,
        _ => want == got,
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
        assert!(d(r#"{"a":10.25,"b":[1,"x"]}"#, r#"{"b":[1,"x"],"a":10.250}"#).is_empty());
        assert!(d(r#"{"a":10}"#, r#"{"a":10.00}"#).is_empty());
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
    fn array_length_counts() {
        assert_eq!(d("[1,2]", "[1]"), ["$: expected 2 elements, got 1"]);
    }
}
