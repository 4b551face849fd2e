//! [`JsonRef`]: the tree the grammar builds, borrowing from the text it was read from.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{JsonLiteral, MAX_DEPTH, parse};

/// An object's members, keys in received order (duplicates kept).
pub type Members<'a> = Vec<(Cow<'a, str>, JsonRef<'a>)>;

/// A JSON value borrowing from the bytes it was read from: number literals exactly as written,
/// strings without escapes as slices of the input ([`Cow::Borrowed`]), only escaped strings
/// unescaped into owned text, object keys in received order with duplicates kept.
///
/// ```
/// use std::borrow::Cow;
/// use paykit_core::json_literal::JsonRef;
///
/// let body = br#"{"amount": 10.50, "id": "abc", "note": "say \"hi\""}"#;
/// let value = JsonRef::parse(body)?;
/// assert_eq!(value.get("amount"), Some(&JsonRef::Number("10.50")));
/// assert!(matches!(value.get("id"), Some(JsonRef::String(Cow::Borrowed("abc")))));
/// assert_eq!(value.get("note").and_then(JsonRef::as_str), Some("say \"hi\""));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
// A whole-word tag puts every variant's payload at offset 8. With the default layout the
// `bool` sits at offset 1 and every move of a value is a copy at odd offsets, which the issue 16
// profile showed stalling store-to-load forwarding on every value the reader handles.
#[repr(u64)]
pub enum JsonRef<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, exactly as written.
    Number(&'a str),
    /// A string, unescaped (borrowed when it had no escape).
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<JsonRef<'a>>),
    /// An object, keys in received order (duplicates kept).
    Object(Members<'a>),
}

/// Objects up to this many keys are checked for repeats pairwise, without allocating; larger
/// ones (only hostile senders write them) take a hash set, so the check stays linear.
const PAIRWISE_KEYS: usize = 32;

impl<'a> JsonRef<'a> {
    /// Parses a complete JSON document nested at most [`MAX_DEPTH`] levels deep, in one pass:
    /// time linear in the length of `bytes`, never a panic.
    pub fn parse(bytes: &'a [u8]) -> Result<JsonRef<'a>, serde_json::Error> {
        parse::document(bytes, MAX_DEPTH)
    }

    /// [`JsonRef::parse`] with a tighter depth bound (`max_depth` levels, at most
    /// [`MAX_DEPTH`]): deeper input is refused as soon as the reader reaches it.
    pub fn parse_nested_at_most(
        bytes: &'a [u8],
        max_depth: usize,
    ) -> Result<JsonRef<'a>, serde_json::Error> {
        parse::document(bytes, max_depth.min(MAX_DEPTH))
    }

    /// The value under `key` (the first, if duplicated), for objects.
    pub fn get(&self, key: &str) -> Option<&JsonRef<'a>> {
        match self {
            JsonRef::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string content, for strings.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsonRef::String(text) => Some(text),
            _ => None,
        }
    }

    /// The members, for objects.
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, JsonRef<'a>)]> {
        match self {
            JsonRef::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The first key that appears twice within one object, anywhere in this value (depth
    /// first). Signed callbacks refuse such bodies: one reader may take the first value and
    /// another the last, and a signature then covers something other than what is believed.
    pub fn first_repeated_key(&self) -> Option<&str> {
        match self {
            JsonRef::Object(members) => repeated_member_key(members)
                .or_else(|| members.iter().find_map(|(_, v)| v.first_repeated_key())),
            JsonRef::Array(items) => items.iter().find_map(JsonRef::first_repeated_key),
            _ => None,
        }
    }

    /// The same value as the owned tree, consuming this one (borrowed text is copied once).
    pub fn into_literal(self) -> JsonLiteral {
        match self {
            JsonRef::Null => JsonLiteral::Null,
            JsonRef::Bool(flag) => JsonLiteral::Bool(flag),
            JsonRef::Number(literal) => JsonLiteral::Number(literal.to_owned()),
            JsonRef::String(text) => JsonLiteral::String(text.into_owned()),
            JsonRef::Array(items) => {
                JsonLiteral::Array(items.into_iter().map(JsonRef::into_literal).collect())
            }
            JsonRef::Object(members) => JsonLiteral::Object(
                members
                    .into_iter()
                    .map(|(key, value)| (key.into_owned(), value.into_literal()))
                    .collect(),
            ),
        }
    }

    /// The same value as the owned tree, copying text straight from this one.
    pub fn to_literal(&self) -> JsonLiteral {
        match self {
            JsonRef::Null => JsonLiteral::Null,
            JsonRef::Bool(flag) => JsonLiteral::Bool(*flag),
            JsonRef::Number(literal) => JsonLiteral::Number((*literal).to_owned()),
            JsonRef::String(text) => JsonLiteral::String(text.as_ref().to_owned()),
            JsonRef::Array(items) => {
                JsonLiteral::Array(items.iter().map(JsonRef::to_literal).collect())
            }
            JsonRef::Object(members) => JsonLiteral::Object(members_to_literal(members)),
        }
    }
}

/// An object's members as the owned tree's, copying text straight from the borrowed ones.
pub fn members_to_literal(members: &[(Cow<'_, str>, JsonRef<'_>)]) -> Vec<(String, JsonLiteral)> {
    members
        .iter()
        .map(|(key, value)| (key.as_ref().to_owned(), value.to_literal()))
        .collect()
}

/// The first key of `members` that an earlier member already has (pairwise for small
/// objects, a hash set for large ones: linear either way).
pub fn repeated_member_key<'m>(members: &'m [(Cow<'_, str>, JsonRef<'_>)]) -> Option<&'m str> {
    if members.len() <= PAIRWISE_KEYS {
        members.iter().enumerate().find_map(|(at, (key, _))| {
            let earlier = members.get(..at).unwrap_or_default();
            earlier
                .iter()
                .any(|(k, _)| k == key)
                .then_some(key.as_ref())
        })
    } else {
        let mut seen = HashSet::with_capacity(members.len());
        members
            .iter()
            .map(|(key, _)| key.as_ref())
            .find(|key| !seen.insert(*key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLBACK: &[u8] = br#"{"result":{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","amount":10.50,"items":[{"id":"1","price":1.5e1}],"note":"caf\u00e9 \"x\"","ok":true,"none":null},"signature":"c2ln"}"#;

    #[test]
    fn plain_strings_keys_and_numbers_are_borrowed() {
        let value = JsonRef::parse(CALLBACK).unwrap();
        let result = value.get("result").and_then(JsonRef::as_object).unwrap();
        assert!(matches!(result[0].0, Cow::Borrowed("payId")));
        assert!(matches!(
            result[0].1,
            JsonRef::String(Cow::Borrowed("f16a9006-128a-46bc-8e2a-77a6ee99df75"))
        ));
        assert_eq!(result[1].1, JsonRef::Number("10.50"));
        assert!(matches!(&result[3].1, JsonRef::String(Cow::Owned(s)) if s == "café \"x\""));
        assert_eq!(
            value.get("result").and_then(|r| r.get("items")),
            Some(&JsonRef::Array(vec![JsonRef::Object(vec![
                (Cow::Borrowed("id"), JsonRef::String(Cow::Borrowed("1"))),
                (Cow::Borrowed("price"), JsonRef::Number("1.5e1")),
            ])]))
        );
    }

    #[test]
    fn the_owned_tree_is_the_borrowed_one_copied() {
        let borrowed = JsonRef::parse(CALLBACK).unwrap();
        let owned = JsonLiteral::parse(CALLBACK).unwrap();
        assert_eq!(borrowed.to_literal(), owned);
        assert_eq!(borrowed.into_literal(), owned);
    }

    #[test]
    fn agrees_with_serde_json_on_what_is_json() {
        for text in [
            &br#"{"a":[1,-0,0.5,1e3,-2.5E-7,true,false,null,"x\n\u00e9\ud83d\ude00"]}"#[..],
            b"\"caf\xc3\xa9\"",
            b"\"\\u0000\"",
            b"\"\\/\"",
            b"01",
            b"\"tab\there\"",
            b"\"nl\nhere\"",
            b"\"esc \\\" then tab\t\"",
            b"\"bad \\ud800 surrogate\"",
            b"\"\\uZZZZ\"",
            b"\"\xc3\"",
            b"\"\xed\xa0\x80\"",
            b"\xef\xbb\xbf{}",
            b"{\"\\u0061\":1}",
            b"[1,2",
            b"{\"a\" 1}",
            b"\"a\\",
            b"\"a\\\"",
        ] {
            let ours = JsonRef::parse(text).is_ok();
            let theirs = serde_json::from_slice::<serde_json::Value>(text).is_ok();
            assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn strings_end_where_they_end_at_every_offset() {
        // The word-at-a-time scan must find a quote, backslash or control byte at any position
        // within or across its eight-byte words.
        for len in 0..40 {
            let plain = "é".repeat(len / 2) + &"a".repeat(len % 2);
            let text = format!("\"{plain}\"");
            assert_eq!(
                JsonRef::parse(text.as_bytes()).unwrap(),
                JsonRef::String(Cow::Borrowed(plain.as_str()))
            );
            let escaped = format!("\"{plain}\\n{plain}\"");
            assert_eq!(
                JsonRef::parse(escaped.as_bytes()).unwrap().as_str(),
                Some(format!("{plain}\n{plain}").as_str())
            );
            let control = format!("\"{plain}\u{1f}{plain}\"");
            assert!(JsonRef::parse(control.as_bytes()).is_err(), "{len}");
            for special in ["\u{7f}", "~", "\u{20}", "!", "#", "[", "]"] {
                let text = format!("\"{plain}{special}{plain}\"");
                assert!(JsonRef::parse(text.as_bytes()).is_ok(), "{len} {special:?}");
            }
        }
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        for end in 0..CALLBACK.len() {
            let prefix = CALLBACK.get(..end).unwrap();
            assert!(JsonRef::parse(prefix).is_err(), "{end}");
        }
    }

    #[test]
    fn garbage_never_panics_and_what_passes_is_json() {
        const ALPHABET: &[u8] = b"{}[]\":,0123456789.eE-+ \\u\x00\x1f\xc3\xa9\xfftrufalsn";
        let mut seed: u32 = 16;
        for len in 0..400 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ALPHABET[(seed >> 16) as usize % ALPHABET.len()]
                })
                .collect();
            if let Ok(value) = JsonRef::parse(&bytes) {
                assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
                let _ = value.first_repeated_key();
            }
        }
    }

    #[test]
    fn depth_bounds_are_exact_and_cheap() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(JsonRef::parse_nested_at_most(nested(32).as_bytes(), 32).is_ok());
        assert!(JsonRef::parse_nested_at_most(nested(33).as_bytes(), 32).is_err());
        assert!(JsonRef::parse(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert!(JsonRef::parse(nested(MAX_DEPTH + 1).as_bytes()).is_err());
        // A looser bound than the crate's is not granted.
        assert!(JsonRef::parse_nested_at_most(nested(MAX_DEPTH + 1).as_bytes(), 1_000).is_err());
        assert!(JsonRef::parse("[".repeat(200_000).as_bytes()).is_err());
        let objects = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
        assert!(JsonRef::parse(objects.as_bytes()).is_err());
    }

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        let find = |text: &str| {
            JsonRef::parse(text.as_bytes())
                .unwrap()
                .first_repeated_key()
                .map(str::to_owned)
        };
        assert_eq!(find(r#"{"a":1,"b":2}"#), None);
        assert_eq!(find(r#"{"a":1,"b":2,"a":3}"#).as_deref(), Some("a"));
        assert_eq!(
            find(r#"{"x":[{"i":1},{"i":1,"i":2}]}"#).as_deref(),
            Some("i")
        );
        // An escaped spelling is the same key.
        assert_eq!(find(r#"{"a":1,"\u0061":2}"#).as_deref(), Some("a"));
        let wide: Vec<String> = (0..100).map(|i| format!(r#""k{i}":{i}"#)).collect();
        assert_eq!(find(&format!("{{{}}}", wide.join(","))), None);
        assert_eq!(
            find(&format!("{{{},\"k7\":0}}", wide.join(","))).as_deref(),
            Some("k7")
        );
    }

    #[test]
    fn one_allocation_per_container_holds_exact_sizes() {
        let value = JsonRef::parse(br#"{"a":[1,2,3],"b":{"c":[]},"d":4}"#).unwrap();
        let JsonRef::Object(members) = &value else {
            panic!("not an object")
        };
        assert_eq!(members.capacity(), 3);
        let Some(JsonRef::Array(items)) = value.get("a") else {
            panic!("no array")
        };
        assert_eq!(items.capacity(), 3);
    }
}
