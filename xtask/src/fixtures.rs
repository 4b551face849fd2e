//! `cargo xtask fixtures check | new`.

use std::fs;

use crate::run::{Failure, cargo, status};
use crate::workspace::{digest, root};

/// Runs paykit-testkit's `fixtures_check` test, which parses every file with the real schema.
pub(crate) fn check() -> Result<(), Failure> {
    let args = [
        "test",
        "-p",
        "paykit-testkit",
        "--test",
        "fixtures_check",
        "--",
        "--nocapture",
    ];
    status(&mut cargo(&args), "fixtures check")
}

/// Writes `fixtures/<provider>/scenarios/<name>.json`, a skeleton to fill in.
pub(crate) fn new(provider: &str, name: &str) -> Result<(), Failure> {
    if !is_snake_case(name) {
        return Err(Failure::new(format!(
            "`{name}` is not a snake_case name ([a-z][a-z0-9_]*)"
        )));
    }
    let digest = digest(provider)?;
    let folder = root().join("fixtures").join(provider).join("scenarios");
    let path = folder.join(format!("{name}.json"));
    if path.exists() {
        return Err(Failure::new(format!(
            "{} exists; not overwriting it",
            path.display()
        )));
    }
    fs::create_dir_all(&folder)
        .and_then(|()| fs::write(&path, skeleton(name, &digest)))
        .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
    println!("wrote {}", path.display());
    println!(
        "fill in every TODO, then: cargo xtask fixtures check && cargo xtask contract --provider {provider}"
    );
    Ok(())
}

/// A scenario skeleton: valid JSON in the fixture format, with TODO markers that make the
/// contract test fail until they are replaced.
fn skeleton(name: &str, digest: &str) -> String {
    format!(
        r#"{{
  "name": "{name}",
  "description": "TODO: what happens, in one sentence",
  "source": {{ "kind": "derived", "ref": "docs/providers/{digest} §TODO section" }},
  "covers": [],
  "operation": "TODO",
  "input": {{}},
  "interactions": [
    {{
      "request": {{
        "method": "POST",
        "path": "/TODO",
        "query": {{}},
        "headers": {{ "content-type": "application/json" }},
        "headers_present": [],
        "headers_absent": [],
        "body": {{ "kind": "json", "value": {{}} }}
      }},
      "response": {{
        "status": 200,
        "headers": {{ "content-type": "application/json" }},
        "body": {{ "kind": "json", "value": {{}} }}
      }},
      "times": 1
    }}
  ],
  "expect": {{ "ok": {{}} }},
  "sim": "replay"
}}
"#
    )
}

/// `[a-z][a-z0-9_]*`.
fn is_snake_case(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_is_valid_json_with_derived_source() {
        let text = skeleton("order_create_ok", "bog-ipay.md");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["name"], "order_create_ok");
        assert_eq!(value["source"]["kind"], "derived");
        assert_eq!(
            value["source"]["ref"],
            "docs/providers/bog-ipay.md §TODO section"
        );
        assert_eq!(value["interactions"][0]["times"], 1);
        assert_eq!(value["sim"], "replay");
    }

    #[test]
    fn names_must_be_snake_case() {
        assert!(is_snake_case("pay_ok_2"));
        assert!(!is_snake_case("PayOk"));
        assert!(!is_snake_case("../x"));
        assert!(new("maib", "../escape").is_err());
    }
}
