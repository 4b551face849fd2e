//! A JSON reader that keeps every number as the literal text received.
//!
//! Callback signatures are computed over values as sent (`10.5`, `10.50` and `1.05e1` sign
//! differently), and serde_json without its global `arbitrary_precision` feature turns numbers
//! into floats. These trees keep the literal, the key order and duplicate keys.
//!
//! There is one grammar of tokens ([`Lexer`]) and one tree builder over it (`parse.rs`), which
//! builds [`JsonRef`], which borrows from the input:
//! what a signature path reads, with no copy per field. [`JsonLiteral`] is the same tree owned,
//! made from a [`JsonRef`] ([`JsonLiteral::parse`] is [`JsonRef::parse`] then
//! [`JsonRef::into_literal`]), for values kept past the body's lifetime.

mod borrowed;
mod lexer;
mod parse;

pub use borrowed::{JsonRef, Members, members_to_literal, repeated_member_key};
pub use lexer::Lexer;

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
    /// Parses a complete JSON document nested at most [`MAX_DEPTH`] levels deep, in one pass:
    /// time linear in the length of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<JsonLiteral, serde_json::Error> {
        JsonRef::parse(bytes).map(JsonRef::into_literal)
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

    #[test]
    fn the_grammar_is_json_s() {
        for good in [
            &br#"{"a":[1,-0,0.5,1e3,-2.5E-7,true,false,null,"x\n\u00e9\ud83d\ude00"]}"#[..],
            b" [ ] ",
            b"{}",
            b"\"s\"",
            b"0",
        ] {
            let ours = JsonLiteral::parse(good);
            let theirs = serde_json::from_slice::<serde_json::Value>(good);
            assert!(
                ours.is_ok() && theirs.is_ok(),
                "{:?}",
                String::from_utf8_lossy(good)
            );
        }
        for bad in [
            &b"01"[..],
            b"1.",
            b".5",
            b"-",
            b"1e",
            b"+1",
            b"[1,]",
            b"{\"a\":1,}",
            b"{a:1}",
            b"\"\\x\"",
            b"\"unterminated",
            b"[1] 2",
            b"tru",
            b"\"\xff\"",
            b"NaN",
        ] {
            assert!(
                JsonLiteral::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
            assert!(serde_json::from_slice::<serde_json::Value>(bad).is_err());
        }
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let v = JsonLiteral::parse(br#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(
            v,
            JsonLiteral::Object(vec![
                ("a".into(), JsonLiteral::Number("1".into())),
                ("a".into(), JsonLiteral::Number("2".into())),
            ])
        );
    }
}
