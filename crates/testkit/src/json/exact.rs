//! A JSON tree whose numbers keep their literal text.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::value::RawValue;

/// A parsed JSON value whose numbers keep the exact text they were written with.
///
/// `serde_json::Value` (without `arbitrary_precision`) turns `10.00` into the float `10.0`;
/// signers and matchers need the literal, so this tree keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exact {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its literal text (for example `1775.00`).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array, in order.
    Array(Vec<Exact>),
    /// An object, keys sorted byte-wise (a repeated key keeps its last value).
    Object(BTreeMap<String, Exact>),
}

impl Exact {
    /// Parses JSON text.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let raw: Box<RawValue> = serde_json::from_str(text)?;
        Self::from_raw(&raw)
    }

    /// Parses JSON bytes, which must be UTF-8.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let raw: Box<RawValue> = serde_json::from_slice(bytes)?;
        Self::from_raw(&raw)
    }

    /// Converts an already validated raw JSON value.
    pub fn from_raw(raw: &RawValue) -> Result<Self, serde_json::Error> {
        let text = raw.get().trim();
        match text.as_bytes().first() {
            Some(b'{') => {
                let members: BTreeMap<String, Box<RawValue>> = serde_json::from_str(text)?;
                members
                    .into_iter()
                    .map(|(key, value)| Ok((key, Self::from_raw(&value)?)))
                    .collect::<Result<_, _>>()
                    .map(Self::Object)
            }
            Some(b'[') => {
                let items: Vec<Box<RawValue>> = serde_json::from_str(text)?;
                items
                    .iter()
                    .map(|item| Self::from_raw(item))
                    .collect::<Result<_, _>>()
                    .map(Self::Array)
            }
            Some(b'"') => serde_json::from_str(text).map(Self::String),
            Some(b't' | b'f') => serde_json::from_str(text).map(Self::Bool),
            Some(b'n') => Ok(Self::Null),
            _ => Ok(Self::Number(text.to_owned())),
        }
    }

    /// The JSON type name: `null`, `boolean`, `number`, `string`, `array` or `object`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "boolean",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::Array(_) => "array",
            Self::Object(_) => "object",
        }
    }

    /// Compact JSON text, cut to about `limit` characters for messages.
    pub fn snippet(&self, limit: usize) -> String {
        cut(&self.to_string(), limit)
    }
}

/// Cuts `text` to at most `limit` characters, marking the cut with `…`.
pub(crate) fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

impl fmt::Display for Exact {
    /// Writes compact JSON, numbers as their literal text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(value) => write!(f, "{value}"),
            Self::Number(literal) => f.write_str(literal),
            Self::String(text) => {
                let quoted = serde_json::to_string(text).map_err(|_| fmt::Error)?;
                f.write_str(&quoted)
            }
            Self::Array(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Self::Object(members) => {
                f.write_str("{")?;
                for (index, (key, value)) in members.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    let quoted = serde_json::to_string(key).map_err(|_| fmt::Error)?;
                    write!(f, "{quoted}:{value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_number_literals() {
        let tree = Exact::parse(r#"{"b":1775.00,"a":[1e2,-0.50],"c":null,"d":true}"#).unwrap();
        assert_eq!(
            tree.to_string(),
            r#"{"a":[1e2,-0.50],"b":1775.00,"c":null,"d":true}"#
        );
    }

    #[test]
    fn unescapes_strings() {
        let tree = Exact::parse(r#"{"k":"comand\u0103 \"q\""}"#).unwrap();
        let Exact::Object(members) = tree else {
            panic!("not an object")
        };
        assert_eq!(members["k"], Exact::String("comandă \"q\"".into()));
    }

    #[test]
    fn rejects_invalid_json() {
        assert!(Exact::parse("{\"a\":}").is_err());
        assert!(Exact::parse_bytes(b"{\"a\":1").is_err());
    }

    #[test]
    fn snippets_are_cut() {
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(cut("abc", 3), "abc");
    }
}
