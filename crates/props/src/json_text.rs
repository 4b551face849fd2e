//! A [`JsonLiteral`] written back as JSON text, number literals exactly as they were read: the
//! signature-confusion tests rebuild bodies from a genuine callback's values, and a rebuilt
//! amount must keep the text that was signed.

use paykit_core::json_literal::JsonLiteral;

/// `value` as compact JSON text; strings and keys escaped as serde_json escapes them, numbers
/// written as their literal.
pub fn json_text(value: &JsonLiteral) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &JsonLiteral, out: &mut String) {
    match value {
        JsonLiteral::Null => out.push_str("null"),
        JsonLiteral::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsonLiteral::Number(n) => out.push_str(n),
        JsonLiteral::String(s) => quoted(s, out),
        JsonLiteral::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        JsonLiteral::Object(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quoted(k, out);
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
    }
}

fn quoted(text: &str, out: &mut String) {
    // Serialising a `&str` cannot fail.
    match serde_json::to_string(text) {
        Ok(quoted) => out.push_str(&quoted),
        Err(error) => panic!("a string did not serialise: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_escapes_survive() {
        let text = r#"{"a":10.00,"b":[1e2,true,null],"c":"say \"hi\"","d":{}}"#;
        assert_eq!(
            json_text(&JsonLiteral::parse(text.as_bytes()).unwrap()),
            text
        );
    }
}
