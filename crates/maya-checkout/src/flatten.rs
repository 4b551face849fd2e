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
    let mut pairs = Pairs::with_capacity(256, 16);
    let mut path = String::with_capacity(64);
    walk(body, &mut path, rendering, &mut pairs);
    pairs.finish(nonce)
}

/// The `key=value` pairs of one flattening, all in one buffer: the issue 16 profile showed a
/// `String` and a `format!` per pair, then a sort and a join of them, as a third of the
/// verification. Pairs are byte ranges of `text`, sorted by their text.
pub(crate) struct Pairs {
    text: String,
    spans: Vec<Span>,
}

/// A pair: its first 16 bytes as two big-endian numbers (zero-padded), then where it is in
/// [`Pairs::text`]. Comparing the numbers orders two pairs as their bytes do whenever they
/// differ there (the padding sorts a prefix first, as byte order does), so the sort compares
/// whole texts only on a tie: most comparisons are one integer comparison.
#[derive(Clone, Copy)]
struct Span {
    head: (u64, u64),
    start: usize,
    end: usize,
}

impl Pairs {
    /// Room for `bytes` of pair text and `pairs` pairs before anything regrows.
    pub(crate) fn with_capacity(bytes: usize, pairs: usize) -> Pairs {
        Pairs {
            text: String::with_capacity(bytes),
            spans: Vec::with_capacity(pairs),
        }
    }

    /// Starts the pair of `path` (or of its member `name`): `path=` (`path.name=`, `name=` when
    /// `path` is empty), the value to be appended.
    fn start(&mut self, path: &str, name: Option<&str>) -> usize {
        let start = self.text.len();
        // Most members are top-level (an empty path): no copy call for nothing.
        if !path.is_empty() {
            self.text.push_str(path);
            if name.is_some() {
                self.text.push('.');
            }
        }
        if let Some(name) = name {
            self.text.push_str(name);
        }
        self.text.push('=');
        start
    }

    /// Ends the pair started at `start`.
    fn end(&mut self, start: usize) {
        let end = self.text.len();
        let mut head = [0_u8; 16];
        let len = end.saturating_sub(start).min(head.len());
        if let (Some(slots), Some(text)) = (
            head.get_mut(..len),
            self.text.as_bytes().get(start..start + len),
        ) {
            slots.copy_from_slice(text);
        }
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = head;
        self.spans.push(Span {
            head: (
                u64::from_be_bytes([a, b, c, d, e, f, g, h]),
                u64::from_be_bytes([i, j, k, l, m, n, o, p]),
            ),
            start,
            end,
        });
    }

    /// One whole pair `path=value` (or `path.name=value`).
    pub(crate) fn push(&mut self, path: &str, name: Option<&str>, value: &str) {
        let start = self.start(path, name);
        self.text.push_str(value);
        self.end(start);
    }

    /// A number's pair, in `rendering`.
    pub(crate) fn number(
        &mut self,
        path: &str,
        name: Option<&str>,
        literal: &str,
        rendering: NumberRendering,
    ) {
        let start = self.start(path, name);
        match rendering {
            NumberRendering::Canonical => push_canonical_number(&mut self.text, literal),
            NumberRendering::RawToken => self.text.push_str(literal),
        }
        self.end(start);
    }

    /// The signed string: the pairs sorted as whole strings by byte order, joined with `&`,
    /// then `&nonce=<nonce>`.
    pub(crate) fn finish(mut self, nonce: &str) -> String {
        let text = self.text.as_bytes();
        let of = |span: &Span| text.get(span.start..span.end).unwrap_or_default();
        // Equal pairs are the same text, so an unstable sort gives the one order there is.
        self.spans
            .sort_unstable_by(|a, b| a.head.cmp(&b.head).then_with(|| of(a).cmp(of(b))));
        let mut out = String::with_capacity(
            self.text.len() + self.spans.len() + "&nonce=".len() + nonce.len(),
        );
        for (index, span) in self.spans.iter().enumerate() {
            if index > 0 {
                out.push('&');
            }
            out.push_str(self.text.get(span.start..span.end).unwrap_or_default());
        }
        out.push_str("&nonce=");
        out.push_str(nonce);
        out
    }
}

/// Extends `path` by a member name (or an array index) for the duration of `then`: `a.b`, and
/// no dot after an empty path (the same rule for a top-level key `""`).
pub(crate) fn with_segment<T>(
    path: &mut String,
    segment: &str,
    then: impl FnOnce(&mut String) -> T,
) -> T {
    let base = path.len();
    if base > 0 {
        path.push('.');
    }
    path.push_str(segment);
    let result = then(path);
    path.truncate(base);
    result
}

/// Writes an array index in decimal, without the formatting machinery.
pub(crate) fn index_text(index: usize, buffer: &mut [u8; 20]) -> &str {
    let mut at = buffer.len();
    let mut rest = index;
    loop {
        at -= 1;
        // `rest % 10` is below 10: the cast cannot truncate.
        let digit = (rest % 10) as u8;
        if let Some(slot) = buffer.get_mut(at) {
            *slot = b'0' + digit;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    buffer
        .get(at..)
        .and_then(|digits| std::str::from_utf8(digits).ok())
        .unwrap_or_default()
}

fn walk(node: &JsonLiteral, path: &mut String, rendering: NumberRendering, pairs: &mut Pairs) {
    match node {
        JsonLiteral::Object(entries) => {
            for (name, value) in entries {
                with_segment(path, name, |path| visit(value, path, rendering, pairs));
            }
        }
        JsonLiteral::Array(items) => {
            let mut digits = [0_u8; 20];
            for (index, value) in items.iter().enumerate() {
                let segment = index_text(index, &mut digits);
                with_segment(path, segment, |path| visit(value, path, rendering, pairs));
            }
        }
        // A scalar document has no members: nothing is signed but the nonce.
        _ => {}
    }
}

fn visit(value: &JsonLiteral, path: &mut String, rendering: NumberRendering, pairs: &mut Pairs) {
    match value {
        JsonLiteral::Null => {}
        JsonLiteral::String(text) if text.is_empty() => {}
        JsonLiteral::Array(items) if items.is_empty() => {}
        JsonLiteral::Object(entries) if entries.is_empty() => {}
        JsonLiteral::Object(_) | JsonLiteral::Array(_) => walk(value, path, rendering, pairs),
        JsonLiteral::Bool(flag) => pairs.push(path, None, if *flag { "true" } else { "false" }),
        JsonLiteral::String(text) => pairs.push(path, None, text),
        JsonLiteral::Number(literal) => pairs.number(path, None, literal, rendering),
    }
}

/// JavaScript's `String(n)` for the numbers an amount can take. Integers that fit 64 bits stay
/// as written; anything else goes through `f64` and Rust's `{}`, which prints the shortest
/// round-trip form without exponent (`100.0` → `100`, `199.50` → `199.5`). This is the
/// signature's text, never money: amounts themselves are read as `Decimal`.
#[cfg(test)]
pub(crate) fn canonical_number(literal: &str) -> String {
    let mut out = String::new();
    push_canonical_number(&mut out, literal);
    out
}

/// [`canonical_number`] appended to `out`.
pub(crate) fn push_canonical_number(out: &mut String, literal: &str) {
    use std::fmt::Write as _;
    let integral = literal
        .strip_prefix('-')
        .unwrap_or(literal)
        .bytes()
        .all(|b| b.is_ascii_digit());
    if integral && (literal.parse::<i64>().is_ok() || literal.parse::<u64>().is_ok()) {
        out.push_str(if literal == "-0" { "0" } else { literal });
        return;
    }
    match literal.parse::<f64>() {
        Ok(number) if number.is_finite() => {
            let start = out.len();
            // Writing to a `String` cannot fail.
            let _ = write!(out, "{number}");
            if out.get(start..) == Some("-0") {
                out.truncate(start);
                out.push('0');
            }
        }
        _ => out.push_str(literal),
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

    /// The flattening as it was before it wrote one buffer (a `String` per pair, sorted and
    /// joined): the one-buffer flattening must give the very same strings.
    fn reference(body: &JsonLiteral, nonce: &str, rendering: NumberRendering) -> String {
        fn walk(
            node: &JsonLiteral,
            prefix: &str,
            rendering: NumberRendering,
            out: &mut Vec<String>,
        ) {
            let key = |name: &str| {
                if prefix.is_empty() {
                    name.to_owned()
                } else {
                    format!("{prefix}.{name}")
                }
            };
            let entries: Vec<(String, &JsonLiteral)> = match node {
                JsonLiteral::Object(entries) => entries.iter().map(|(k, v)| (key(k), v)).collect(),
                JsonLiteral::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (key(&i.to_string()), v))
                    .collect(),
                _ => Vec::new(),
            };
            for (key, value) in entries {
                match value {
                    JsonLiteral::Null => {}
                    JsonLiteral::String(text) if text.is_empty() => {}
                    JsonLiteral::Array(items) if items.is_empty() => {}
                    JsonLiteral::Object(entries) if entries.is_empty() => {}
                    JsonLiteral::Object(_) | JsonLiteral::Array(_) => {
                        walk(value, &key, rendering, out)
                    }
                    JsonLiteral::Bool(flag) => out.push(format!("{key}={flag}")),
                    JsonLiteral::String(text) => out.push(format!("{key}={text}")),
                    JsonLiteral::Number(literal) => {
                        let text = match rendering {
                            NumberRendering::Canonical => canonical_number(literal),
                            NumberRendering::RawToken => literal.clone(),
                        };
                        out.push(format!("{key}={text}"));
                    }
                }
            }
        }
        let mut pairs = Vec::new();
        walk(body, "", rendering, &mut pairs);
        pairs.sort_unstable();
        format!("{}&nonce={nonce}", pairs.join("&"))
    }

    #[test]
    fn one_buffer_gives_the_strings_a_string_per_pair_gave() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/maya-checkout/callbacks"
        );
        let mut bodies: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|entry| {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                doc["body"]["value"].as_str().map(str::to_owned)
            })
            .collect();
        let wide: Vec<String> = (0..25)
            .map(|i| format!(r#""k{}":[{i},"{i}",{{"":true}}]"#, 25 - i))
            .collect();
        bodies.extend([
            format!("{{{}}}", wide.join(",")),
            r#"{"":{"a":"x","":{"":1.50}},"a":[[],{},[null,""],["é","a&b=c"]],"a.b":-0,"a":-0.0}"#
                .to_owned(),
            r#"[1,[2,{"x":3e-2}],"s"]"#.to_owned(),
            r#"{"b":"same","b":"same","a":"1"}"#.to_owned(),
        ]);
        for body in &bodies {
            // The fixtures' bodies that are not JSON are not flattened.
            let Ok(tree) = JsonLiteral::parse(body.as_bytes()) else {
                continue;
            };
            for rendering in [NumberRendering::Canonical, NumberRendering::RawToken] {
                assert_eq!(
                    flatten(&tree, "NONCE", rendering),
                    reference(&tree, "NONCE", rendering),
                    "{body}"
                );
            }
        }
    }

    #[test]
    fn indices_are_written_in_decimal() {
        let mut digits = [0_u8; 20];
        for index in [0, 1, 9, 10, 11, 99, 100, 12_345, usize::MAX] {
            assert_eq!(index_text(index, &mut digits), index.to_string());
        }
    }

    #[test]
    fn an_empty_body_signs_only_the_nonce() {
        assert_eq!(flat("{}", "n"), "&nonce=n");
        assert_eq!(flat("5", "n"), "&nonce=n");
    }
}
