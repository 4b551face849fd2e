//! The string Maya's webhook signature v1 covers (spec §6.4.2 steps 3–6): the **decoded**
//! JSON body flattened depth-first into `key=value` pairs (`a.b`, `items.0.name`), skipping
//! `null`, `""`, `[]` and `{}`, booleans lowercase, strings verbatim, the pairs sorted as whole
//! strings by byte order, joined with `&`, and `&nonce=<nonce>` appended after sorting.

use paykit_core::json_literal::JsonLiteral;

/// How JSON numbers are written into the flattened string (spec §6.4.3). Maya's signer
/// language is unknown; its reference verifiers are PHP and JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberRendering {
    /// JavaScript `String(n)` / PHP `(string)$float`: `100.0` → `100`, `249.50` → `249.5`.
    Canonical,
    /// The number exactly as it appeared in the body (`100.0`, `249.50`): what a signer
    /// keeping decimals (Java `BigDecimal`) would write.
    RawToken,
}

/// The signed string of `body` with `nonce`.
///
/// ```
/// use paykit_core::json_literal::JsonLiteral;
/// use paykit_maya_checkout::{NumberRendering, flatten};
///
/// let body = JsonLiteral::parse(br#"{"id":"pay_123","amount":{"value":100.0,"currency":"PHP"},"note":null}"#).unwrap();
/// assert_eq!(
///     flatten(&body, "NONCE", NumberRendering::Canonical),
///     "amount.currency=PHP&amount.value=100&id=pay_123&nonce=NONCE"
/// );
/// ```
pub fn flatten(body: &JsonLiteral, nonce: &str, rendering: NumberRendering) -> String {
    let mut pairs = Vec::new();
    walk(body, "", rendering, &mut pairs);
    pairs.sort_unstable();
    let mut out = pairs.join("&");
    out.push_str("&nonce=");
    out.push_str(nonce);
    out
}

fn walk(node: &JsonLiteral, prefix: &str, rendering: NumberRendering, pairs: &mut Vec<String>) {
    let key = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    match node {
        JsonLiteral::Object(entries) => {
            for (name, value) in entries {
                visit(value, &key(name), rendering, pairs);
            }
        }
        JsonLiteral::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                visit(value, &key(&index.to_string()), rendering, pairs);
            }
        }
        // A scalar document has no members: nothing is signed but the nonce.
        _ => {}
    }
}

fn visit(value: &JsonLiteral, key: &str, rendering: NumberRendering, pairs: &mut Vec<String>) {
    match value {
        JsonLiteral::Null => {}
        JsonLiteral::String(text) if text.is_empty() => {}
        JsonLiteral::Array(items) if items.is_empty() => {}
        JsonLiteral::Object(entries) if entries.is_empty() => {}
        JsonLiteral::Object(_) | JsonLiteral::Array(_) => walk(value, key, rendering, pairs),
        JsonLiteral::Bool(flag) => pairs.push(format!("{key}={flag}")),
        JsonLiteral::String(text) => pairs.push(format!("{key}={text}")),
        JsonLiteral::Number(literal) => {
            let text = match rendering {
                NumberRendering::Canonical => canonical_number(literal),
                NumberRendering::RawToken => literal.clone(),
            };
            pairs.push(format!("{key}={text}"));
        }
    }
}

/// JavaScript's `String(n)` for the numbers an amount can take. Integers that fit 64 bits stay
/// as written; anything else goes through `f64` and Rust's `{}`, which prints the shortest
/// round-trip form without exponent (`100.0` → `100`, `199.50` → `199.5`). This is the
/// signature's text, never money: amounts themselves are read as `Decimal`.
pub(crate) fn canonical_number(literal: &str) -> String {
    let integral = literal
        .strip_prefix('-')
        .unwrap_or(literal)
        .bytes()
        .all(|b| b.is_ascii_digit());
    if integral && (literal.parse::<i64>().is_ok() || literal.parse::<u64>().is_ok()) {
        return if literal == "-0" {
            "0".to_owned()
        } else {
            literal.to_owned()
        };
    }
    match literal.parse::<f64>() {
        Ok(number) if number.is_finite() => {
            let text = format!("{number}");
            if text == "-0" { "0".to_owned() } else { text }
        }
        _ => literal.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(body: &str, nonce: &str) -> String {
        flatten(
            &JsonLiteral::parse(body.as_bytes()).unwrap(),
            nonce,
            NumberRendering::Canonical,
        )
    }

    #[test]
    fn the_digests_flattening_cases() {
        assert_eq!(
            flat(
                r#"{"id":"pay_123","amount":{"value":100,"currency":"PHP"}}"#,
                "NONCE"
            ),
            "amount.currency=PHP&amount.value=100&id=pay_123&nonce=NONCE"
        );
        assert_eq!(
            flat(r#"{"canVoid":true,"canRefund":false}"#, "n"),
            "canRefund=false&canVoid=true&nonce=n"
        );
        assert_eq!(
            flat(
                r#"{"present":"yes","nope":null,"blank":"","empty":[],"nested":{"inner":""}}"#,
                "X"
            ),
            "present=yes&nonce=X"
        );
        assert_eq!(
            flat(r#"{"zeta":"1","alpha":"2","mu":"3"}"#, "NN"),
            "alpha=2&mu=3&zeta=1&nonce=NN"
        );
        assert_eq!(flat(r#"{"a":[null,"x"]}"#, "k"), "a.1=x&nonce=k");
    }

    #[test]
    fn eleven_items_sort_as_strings() {
        let items: Vec<String> = (0..11).map(|i| format!(r#"{{"n":"{i}"}}"#)).collect();
        let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
        let flat = flat(&body, "k");
        assert!(
            flat.starts_with("items.0.n=0&items.1.n=1&items.10.n=10&items.2.n=2"),
            "{flat}"
        );
    }

    #[test]
    fn numbers_render_both_ways() {
        let body = JsonLiteral::parse(br#"{"a":249.50,"b":0.0,"c":100.0,"d":7,"e":1e2}"#).unwrap();
        assert_eq!(
            flatten(&body, "n", NumberRendering::Canonical),
            "a=249.5&b=0&c=100&d=7&e=100&nonce=n"
        );
        assert_eq!(
            flatten(&body, "n", NumberRendering::RawToken),
            "a=249.50&b=0.0&c=100.0&d=7&e=1e2&nonce=n"
        );
        assert_eq!(
            canonical_number("0.30000000000000004"),
            "0.30000000000000004"
        );
        assert_eq!(canonical_number("-0"), "0");
    }

    #[test]
    fn an_empty_body_signs_only_the_nonce() {
        assert_eq!(flat("{}", "n"), "&nonce=n");
        assert_eq!(flat("5", "n"), "&nonce=n");
    }
}
