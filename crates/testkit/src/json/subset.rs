//! "Expected is a subset of actual" over `serde_json::Value`, for scenario results.

use serde_json::Value;

use super::diff::ANY;
use super::exact::cut;

/// Longest value printed in a difference.
const SNIPPET: usize = 120;

/// The places where `expected` is not a subset of `actual`, as `path: explanation` lines;
/// empty when it is. Every expected object key must be present with a matching value
/// (extra actual keys are fine), arrays must have the same length and match element by
/// element, other values must be equal, and the string `"{{any}}"` matches any present value.
pub fn subset_diff(expected: &Value, actual: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk("$", expected, actual, &mut found);
    found
}

/// Compares one node and recurses.
fn walk(path: &str, expected: &Value, actual: &Value, found: &mut Vec<String>) {
    match (expected, actual) {
        (Value::String(wild), _) if wild == ANY => {}
        (Value::Object(want), Value::Object(got)) => {
            for (key, w) in want {
                let child = format!("{path}.{key}");
                match got.get(key) {
                    Some(g) => walk(&child, w, g, found),
                    None => found.push(format!("{child}: missing (expected {})", show(w))),
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
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
            show(want),
            show(got)
        )),
    }
}

/// Compact JSON of a value, cut for messages.
fn show(value: &Value) -> String {
    cut(&value.to_string(), SNIPPET)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn subset_passes_with_extra_keys() {
        let actual = json!({"status": "pending", "id": "p1", "amount": {"value": "1.00"}});
        assert!(subset_diff(&json!({"status": "pending"}), &actual).is_empty());
        assert!(subset_diff(&json!({"amount": {"value": "1.00"}}), &actual).is_empty());
        assert!(subset_diff(&json!({"id": "{{any}}"}), &actual).is_empty());
    }

    #[test]
    fn subset_reports_missing_and_unequal() {
        let actual = json!({"kind": "api", "http_status": 400});
        let found = subset_diff(
            &json!({"kind": "auth", "code": "E1", "http_status": 400}),
            &actual,
        );
        assert_eq!(
            found,
            [
                r#"$.code: missing (expected "E1")"#,
                r#"$.kind: expected "auth", got "api""#,
            ]
        );
    }

    #[test]
    fn arrays_compare_elementwise() {
        let actual = json!({"list": [{"a": 1, "b": 2}, {"a": 3}]});
        assert!(subset_diff(&json!({"list": [{"a": 1}, {}]}), &actual).is_empty());
        assert_eq!(
            subset_diff(&json!({"list": [{"a": 1}]}), &actual),
            ["$.list: expected 1 elements, got 2"]
        );
        assert_eq!(
            subset_diff(&json!({"list": [{"a": 1}, {"a": 4}]}), &actual),
            ["$.list[1].a: expected 4, got 3"]
        );
    }

    #[test]
    fn type_mismatch_is_reported() {
        assert_eq!(
            subset_diff(&json!({"a": {"b": 1}}), &json!({"a": null})),
            [r#"$.a: expected {"b":1}, got null"#]
        );
    }
}
