//! A JSON reader that keeps every number as the literal text received.
//!
//! Callback signatures are computed over values as sent (`10.5`, `10.50` and `1.05e1` sign
//! differently), and serde_json without its global `arbitrary_precision` feature turns numbers
//! into floats. This tree keeps the literal, the key order and duplicate keys.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON value with number literals and object key order preserved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonLiteral {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, exactly as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<JsonLiteral>),
    /// An object, keys in received order (duplicates kept).
    Object(Vec<(String, JsonLiteral)>),
}

/// Deepest nesting accepted. Callbacks nest two or three levels; the bound keeps hostile input
/// (thousands of balanced brackets) from exhausting the stack.
pub const MAX_DEPTH: usize = 64;

impl JsonLiteral {
    /// Parses a complete JSON document nested at most [`MAX_DEPTH`] levels deep.
    pub fn parse(bytes: &[u8]) -> Result<JsonLiteral, serde_json::Error> {
        let raw: Box<RawValue> = serde_json::from_slice(bytes)?;
        JsonLiteral::from_raw(&raw, 0)
    }

    fn from_raw(raw: &RawValue, depth: usize) -> Result<JsonLiteral, serde_json::Error> {
        let text = raw.get().trim();
        let first = text.as_bytes().first().copied();
        if matches!(first, Some(b'{' | b'[')) && depth >= MAX_DEPTH {
            return Err(de::Error::custom(format!(
                "nested deeper than {MAX_DEPTH} levels"
            )));
        }
        match first {
            Some(b'{') => {
                let entries: Entries = serde_json::from_str(text)?;
                let mut out = Vec::with_capacity(entries.0.len());
                for (key, value) in entries.0 {
                    out.push((key, JsonLiteral::from_raw(&value, depth + 1)?));
                }
                Ok(JsonLiteral::Object(out))
            }
            Some(b'[') => {
                let items: Vec<Box<RawValue>> = serde_json::from_str(text)?;
                items
                    .iter()
                    .map(|item| JsonLiteral::from_raw(item, depth + 1))
                    .collect::<Result<_, _>>()
                    .map(JsonLiteral::Array)
            }
            Some(b'"') => serde_json::from_str(text).map(JsonLiteral::String),
            Some(b't') => Ok(JsonLiteral::Bool(true)),
            Some(b'f') => Ok(JsonLiteral::Bool(false)),
            Some(b'n') => Ok(JsonLiteral::Null),
            _ => Ok(JsonLiteral::Number(text.to_owned())),
        }
    }

    /// The value under `key` (the first, if duplicated), for objects.
    pub fn get(&self, key: &str) -> Option<&JsonLiteral> {
        match self {
            JsonLiteral::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string content, for strings.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsonLiteral::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Object entries in order, duplicates kept.
struct Entries(Vec<(String, Box<RawValue>)>);

impl<'de> de::Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    entries.push((key, map.next_value::<Box<RawValue>>()?));
                }
                Ok(Entries(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Entries, A::Error> {
                Err(de::Error::custom("expected an object"))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_literal_text() {
        let v = JsonLiteral::parse(br#"{"amount": 10.50, "big": 90071992547409.93, "e": 1.05e1}"#)
            .unwrap();
        assert_eq!(v.get("amount"), Some(&JsonLiteral::Number("10.50".into())));
        assert_eq!(
            v.get("big"),
            Some(&JsonLiteral::Number("90071992547409.93".into()))
        );
        assert_eq!(v.get("e"), Some(&JsonLiteral::Number("1.05e1".into())));
    }

    #[test]
    fn key_order_nesting_and_escapes_survive() {
        let v = JsonLiteral::parse(br#"{"b":[1,{"x":null}],"a":"\u00e9\"","c":true}"#).unwrap();
        let JsonLiteral::Object(entries) = &v else {
            panic!("not an object")
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert_eq!(v.get("a").and_then(JsonLiteral::as_str), Some("é\""));
        assert_eq!(
            v.get("b"),
            Some(&JsonLiteral::Array(vec![
                JsonLiteral::Number("1".into()),
                JsonLiteral::Object(vec![("x".into(), JsonLiteral::Null)])
            ]))
        );
    }

    #[test]
    fn garbage_and_deep_nesting_are_errors_not_panics() {
        for bad in [&b"{"[..], b"", b"nul", b"{\"a\":}", b"\xff\xfe"] {
            assert!(JsonLiteral::parse(bad).is_err());
        }
        let deep = "[".repeat(100_000);
        assert!(JsonLiteral::parse(deep.as_bytes()).is_err());
        // Balanced nesting passes serde_json's raw capture; the depth bound must stop it.
        let balanced = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
        assert!(JsonLiteral::parse(balanced.as_bytes()).is_err());
        let objects = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
        assert!(JsonLiteral::parse(objects.as_bytes()).is_err());
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(JsonLiteral::parse(ok.as_bytes()).is_ok());
    }
}
