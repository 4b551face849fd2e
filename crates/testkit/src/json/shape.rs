//! Whether a JSON document has the shape of a recorded one: same field names, same types.

use std::collections::BTreeSet;

use super::exact::Exact;

/// The places where `actual` does not have the shape of `expected`, as `path: explanation`
/// lines; empty when it does. Objects must have the same key set; scalars the same JSON type
/// (values are free); every element of an actual array must have the shape of the first
/// expected element (an empty expected array accepts any array).
pub fn shape_diff(expected: &Exact, actual: &Exact) -> Vec<String> {
    let mut found = Vec::new();
    walk("$", expected, actual, &mut found);
    found
}

/// Compares one node and recurses.
fn walk(path: &str, expected: &Exact, actual: &Exact, found: &mut Vec<String>) {
    match (expected, actual) {
        (Exact::Object(want), Exact::Object(got)) => {
            let keys: BTreeSet<&String> = want.keys().chain(got.keys()).collect();
            for key in keys {
                let child = format!("{path}.{key}");
                match (want.get(key), got.get(key)) {
                    (Some(w), Some(g)) => walk(&child, w, g, found),
                    (Some(w), None) => {
                        found.push(format!("{child}: missing (a {})", w.type_name()));
                    }
                    (None, Some(g)) => {
                        found.push(format!("{child}: not recorded (a {})", g.type_name()));
                    }
                    (None, None) => {}
                }
            }
        }
        (Exact::Array(want), Exact::Array(got)) => {
            if let Some(template) = want.first() {
                for (index, item) in got.iter().enumerate() {
                    walk(&format!("{path}[{index}]"), template, item, found);
                }
            }
        }
        (want, got) if want.type_name() == got.type_name() => {}
        (want, got) => found.push(format!(
            "{path}: expected a {}, got a {}",
            want.type_name(),
            got.type_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(want: &str, got: &str) -> Vec<String> {
        shape_diff(&Exact::parse(want).unwrap(), &Exact::parse(got).unwrap())
    }

    #[test]
    fn same_shape_different_values() {
        assert!(
            s(
                r#"{"id":"a","n":1,"l":[{"x":true}]}"#,
                r#"{"id":"b","n":2.5,"l":[]}"#
            )
            .is_empty()
        );
    }

    #[test]
    fn reports_type_and_key_differences() {
        assert_eq!(
            s(
                r#"{"id":"a","ok":true,"l":[{"x":1}]}"#,
                r#"{"id":1,"more":null,"l":[{"x":"1"}]}"#
            ),
            [
                "$.id: expected a string, got a number",
                "$.l[0].x: expected a number, got a string",
                "$.more: not recorded (a null)",
                "$.ok: missing (a boolean)",
            ]
        );
    }
}
