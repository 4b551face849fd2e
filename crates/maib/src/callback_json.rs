//! A borrowed JSON tree of a callback body, read in one pass (issue 16).
//!
//! The grammar is core's [`JsonLiteral`] reader's (strict JSON, numbers kept as written, key
//! order and duplicate keys kept), but nothing is copied that need not be: number literals,
//! keys and strings without escapes are slices of the body; only strings with escapes are
//! unescaped (by serde_json, as core does) into owned text. Verification hashes and checks
//! these slices and copies only the fields the typed notification keeps.

use std::borrow::Cow;

use paykit_core::json_literal::JsonLiteral;
use serde::de::Error as _;

type Result<T> = std::result::Result<T, serde_json::Error>;

/// An object's members, keys in received order (duplicates kept).
pub(crate) type Members<'a> = Vec<(Cow<'a, str>, JsonRef<'a>)>;

/// A JSON value borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonRef<'a> {
    Null,
    Bool(bool),
    /// A number, exactly as written.
    Number(&'a str),
    /// A string, unescaped.
    String(Cow<'a, str>),
    Array(Vec<JsonRef<'a>>),
    Object(Members<'a>),
}

impl<'a> JsonRef<'a> {
    /// Parses a complete JSON document nested at most `max_depth` levels deep; deeper input
    /// is refused as soon as the reader gets there, so the tree stays shallow.
    pub(crate) fn parse(bytes: &'a [u8], max_depth: usize) -> Result<JsonRef<'a>> {
        let mut parser = Parser {
            bytes,
            at: 0,
            max_depth,
        };
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.at != bytes.len() {
            return Err(parser.error("trailing characters after the JSON value"));
        }
        Ok(value)
    }

    /// The same value as core's owned tree.
    pub(crate) fn to_literal(&self) -> JsonLiteral {
        match self {
            JsonRef::Null => JsonLiteral::Null,
            JsonRef::Bool(b) => JsonLiteral::Bool(*b),
            JsonRef::Number(literal) => JsonLiteral::Number((*literal).to_owned()),
            JsonRef::String(text) => JsonLiteral::String(text.clone().into_owned()),
            JsonRef::Array(items) => {
                JsonLiteral::Array(items.iter().map(Self::to_literal).collect())
            }
            JsonRef::Object(members) => JsonLiteral::Object(
                members
                    .iter()
                    .map(|(key, value)| (key.clone().into_owned(), value.to_literal()))
                    .collect(),
            ),
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> serde_json::Error {
        serde_json::Error::custom(format!("{what} at byte {}", self.at))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", char::from(byte))))
        }
    }

    fn keyword(&mut self, word: &[u8], value: JsonRef<'a>) -> Result<JsonRef<'a>> {
        if self.bytes.get(self.at..self.at.saturating_add(word.len())) == Some(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonRef<'a>> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(JsonRef::String),
            Some(b't') => self.keyword(b"true", JsonRef::Bool(true)),
            Some(b'f') => self.keyword(b"false", JsonRef::Bool(false)),
            Some(b'n') => self.keyword(b"null", JsonRef::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(JsonRef::Number),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn enter(&self, depth: usize) -> Result<usize> {
        if depth >= self.max_depth {
            Err(self.error("nested too deeply"))
        } else {
            Ok(depth + 1)
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonRef<'a>> {
        let depth = self.enter(depth)?;
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(JsonRef::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(b':')?;
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(JsonRef::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonRef<'a>> {
        let depth = self.enter(depth)?;
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(JsonRef::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(JsonRef::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A string token, its end found in one scan. Without escapes or control characters it is
    /// the body's own (UTF-8 checked) slice; otherwise serde_json unescapes and checks exactly
    /// that token, as core's reader does.
    fn string(&mut self) -> Result<Cow<'a, str>> {
        let start = self.at;
        self.expect(b'"')?;
        let mut plain = true;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(b'\\') => {
                    plain = false;
                    self.at += 2;
                }
                Some(byte) => {
                    plain &= byte >= 0x20;
                    self.at += 1;
                }
                None => return Err(self.error("unterminated string")),
            }
        }
        let token = self
            .bytes
            .get(start..self.at)
            .ok_or_else(|| self.error("unterminated string"))?;
        if plain {
            let inner = token
                .get(1..token.len().saturating_sub(1))
                .unwrap_or_default();
            return std::str::from_utf8(inner)
                .map(Cow::Borrowed)
                .map_err(|_| self.error("invalid UTF-8 in a string"));
        }
        serde_json::from_slice(token).map(Cow::Owned)
    }

    /// A number, checked against JSON's grammar and kept as written.
    fn number(&mut self) -> Result<&'a str> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        let text = self.bytes.get(start..self.at).unwrap_or_default();
        // Only ASCII digits, signs, `.` and `e` were consumed: always valid UTF-8.
        std::str::from_utf8(text).map_err(|_| self.error("invalid number"))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same grammar, same tree as core's reader, on valid and invalid text alike.
    #[test]
    fn agrees_with_cores_reader() {
        for text in [
            &br#"{"a":[1,-0,0.5,1e3,-2.5E-7,true,false,null,"x\n\u00e9\ud83d\ude00"]}"#[..],
            br#"{"b":[1,{"x":null}],"a":"\u00e9\"","c":true,"a":"again","d":"caf\xc3\xa9"}"#,
            b" [ ] ",
            b"{}",
            b"\"s\"",
            b"0",
            b"01",
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
            b"\"tab\there\"",
            b"\"bad \\ud800 surrogate\"",
            b"[1] 2",
            b"tru",
            b"\"\xff\"",
            b"\"\xc3\"",
            b"NaN",
            b"",
        ] {
            let ours = JsonRef::parse(text, 64).map(|v| v.to_literal()).ok();
            let cores = JsonLiteral::parse(text).ok();
            assert_eq!(ours, cores, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn plain_strings_and_numbers_are_borrowed() {
        let body = br#"{"k":"plain","e":"esc\"aped","n":10.50}"#;
        let JsonRef::Object(members) = JsonRef::parse(body, 4).unwrap() else {
            panic!("not an object")
        };
        assert!(matches!(members[0].0, Cow::Borrowed("k")));
        assert!(matches!(
            members[0].1,
            JsonRef::String(Cow::Borrowed("plain"))
        ));
        assert!(matches!(&members[1].1, JsonRef::String(Cow::Owned(s)) if s == "esc\"aped"));
        assert_eq!(members[2].1, JsonRef::Number("10.50"));
    }

    #[test]
    fn the_depth_bound_is_exact() {
        let at = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(JsonRef::parse(at(32).as_bytes(), 32).is_ok());
        assert!(JsonRef::parse(at(33).as_bytes(), 32).is_err());
        assert!(JsonRef::parse("[".repeat(100_000).as_bytes(), 32).is_err());
    }
}
