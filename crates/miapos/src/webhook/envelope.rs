//! A callback body taken apart without copying: `result`'s fields and the signature, borrowed.
//!
//! Real callbacks are one flat object of strings and numbers with no escapes, so they are read
//! here in one pass over the bytes, every value a slice of the body ([`plain`]). Anything else
//! (an escape, a nested value, a duplicate key, broken JSON) is left to the general reader
//! ([`Owned`], core's [`JsonLiteral`]), which has the final word on errors: [`plain`] never
//! refuses a body, it only declines to read it, and what it does read it reads exactly as the
//! general reader would (same strings, same number literals, same key order).

use paykit_core::json_literal::JsonLiteral;
use paykit_core::{Error, Result, SignatureError};

use super::bad_body;

/// A value of `result`, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value<'a> {
    /// `null`: absent, and not signed.
    Null,
    /// A JSON string, unescaped.
    Text(&'a str),
    /// A JSON number, as written.
    Number(&'a str),
    /// A boolean, array or object: no signed form.
    Other,
}

/// `result`'s fields (in received order) and the base64 signature.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Envelope<'a> {
    pub(super) fields: Vec<(&'a str, Value<'a>)>,
    pub(super) signature: Option<&'a str>,
}

/// A body the fast reader declined, read by the general one; [`Owned::view`] borrows it.
pub(super) struct Owned {
    fields: Vec<(String, JsonLiteral)>,
    signature: Option<String>,
}

impl Owned {
    /// Reads `body` with core's literal-preserving reader, refusing what is not a callback.
    pub(super) fn parse(body: &[u8]) -> Result<Owned> {
        let root = JsonLiteral::parse(body).map_err(|_| bad_body("not JSON"))?;
        let JsonLiteral::Object(members) = root else {
            return Err(bad_body("not a JSON object"));
        };
        let mut result = None;
        let mut signature = None;
        for (key, value) in members {
            let slot = match key.as_str() {
                "result" => &mut result,
                "signature" => &mut signature,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(bad_body(format!("`{key}` appears twice")));
            }
        }
        let Some(JsonLiteral::Object(fields)) = result else {
            return Err(bad_body("`result` is missing or not an object"));
        };
        let signature = match signature {
            None | Some(JsonLiteral::Null) => None,
            Some(JsonLiteral::String(text)) => Some(text),
            Some(_) => return Err(Error::Signature(SignatureError::Malformed)),
        };
        Ok(Owned { fields, signature })
    }

    pub(super) fn view(&self) -> Envelope<'_> {
        let fields = self
            .fields
            .iter()
            .map(|(key, value)| {
                let value = match value {
                    JsonLiteral::Null => Value::Null,
                    JsonLiteral::String(text) => Value::Text(text),
                    JsonLiteral::Number(literal) => Value::Number(literal),
                    JsonLiteral::Bool(_) | JsonLiteral::Array(_) | JsonLiteral::Object(_) => {
                        Value::Other
                    }
                };
                (key.as_str(), value)
            })
            .collect();
        Envelope {
            fields,
            signature: self.signature.as_deref(),
        }
    }
}

/// The envelope of a plain callback body, or `None` when the body needs the general reader.
pub(super) fn plain(body: &[u8]) -> Option<Envelope<'_>> {
    // One UTF-8 check up front makes every slice below a `str` (each starts and ends next to
    // an ASCII `"` or digit, so on a character boundary).
    let text = std::str::from_utf8(body).ok()?;
    let mut cursor = Cursor { text, at: 0 };
    cursor.skip_whitespace();
    cursor.eat(b'{')?;
    let mut fields = None;
    let mut signature = None;
    loop {
        cursor.skip_whitespace();
        let key = cursor.string()?;
        cursor.skip_whitespace();
        cursor.eat(b':')?;
        cursor.skip_whitespace();
        match key {
            "result" if fields.is_none() => fields = Some(cursor.flat_object()?),
            "signature" if signature.is_none() => {
                signature = Some(match cursor.scalar()? {
                    Value::Text(text) => Some(text),
                    Value::Null => None,
                    _ => return None,
                })
            }
            "result" | "signature" => return None,
            _ => {
                cursor.scalar()?;
            }
        }
        cursor.skip_whitespace();
        match cursor.next()? {
            b',' => {}
            b'}' => break,
            _ => return None,
        }
    }
    cursor.skip_whitespace();
    if cursor.at != body.len() {
        return None;
    }
    Some(Envelope {
        fields: fields?,
        signature: signature.flatten(),
    })
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// `{ "key": scalar, ... }`; `None` on a nested value or a repeated key.
    fn flat_object(&mut self) -> Option<Vec<(&'a str, Value<'a>)>> {
        self.eat(b'{')?;
        // Eleven documented fields; room for a few more without regrowing.
        let mut fields = Vec::with_capacity(16);
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(fields);
        }
        loop {
            self.skip_whitespace();
            let key = self.string()?;
            if fields.iter().any(|(seen, _)| *seen == key) {
                return None;
            }
            self.skip_whitespace();
            self.eat(b':')?;
            self.skip_whitespace();
            fields.push((key, self.scalar()?));
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b'}' => return Some(fields),
                _ => return None,
            }
        }
    }

    /// A string, number, `null`, `true` or `false`; booleans come back as [`Value::Other`].
    fn scalar(&mut self) -> Option<Value<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Value::Text),
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            b'n' => self.keyword("null").map(|()| Value::Null),
            b't' => self.keyword("true").map(|()| Value::Other),
            b'f' => self.keyword("false").map(|()| Value::Other),
            _ => None,
        }
    }

    fn keyword(&mut self, word: &str) -> Option<()> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| self.at += word.len())
    }

    /// A string without escapes or control characters (JSON forbids them raw), borrowed.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => {}
            }
        }
        self.text.get(start..self.at - 1)
    }

    /// A number by JSON's grammar, as written.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        self.text.get(start..self.at)
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

    /// What the general reader makes of `body`, for comparison.
    fn general(body: &str) -> Result<Owned> {
        Owned::parse(body.as_bytes())
    }

    #[test]
    fn plain_bodies_read_exactly_as_the_general_reader_reads_them() {
        for body in [
            r#"{"result":{"a":"x","amount":10.50,"n":null,"e":-1.5e+3,"z":0},"signature":"c2ln"}"#,
            " {\r\n\t\"signature\" : null , \"extra\": true, \"result\" : { } } \n",
            r#"{"result":{"k":"é ü, slash / and ; kept"},"other":false,"signature":"s"}"#,
            r#"{"result":{"b":true},"signature":"s"}"#,
        ] {
            let fast = plain(body.as_bytes()).unwrap_or_else(|| panic!("declined: {body}"));
            let owned = general(body).unwrap();
            assert_eq!(fast, owned.view(), "{body}");
        }
    }

    #[test]
    fn anything_unusual_is_left_to_the_general_reader() {
        for body in [
            r#"{"result":{"a":"\"quoted\""},"signature":"s"}"#,
            r#"{"res\u0075lt":{"a":"x"},"signature":"s"}"#,
            r#"{"result":{"a":[1]},"signature":"s"}"#,
            r#"{"result":{"a":{"b":1}},"signature":"s"}"#,
            r#"{"result":{"a":"x","a":"y"},"signature":"s"}"#,
            r#"{"result":{},"result":{},"signature":"s"}"#,
            r#"{"result":{},"signature":"s","signature":"t"}"#,
            r#"{"result":{},"signature":5}"#,
            r#"{"result":{},"extra":[1,2],"signature":"s"}"#,
            "{\"result\":{\"a\":\"tab\there\"}}",
            r#"{"signature":"s"}"#,
            r#"{"result":"x"}"#,
            r#"{}"#,
            r#"{"result":{"a":01}}"#,
            r#"{"result":{"a":1.}}"#,
            r#"{"result":{"a":-}}"#,
            r#"{"result":{"a":1e}}"#,
            r#"{"result":{"a":1,}}"#,
            r#"{"result":{}} x"#,
            r#"{"result":{"a":nul}}"#,
            r#"[{"result":{}}]"#,
            "",
        ] {
            assert!(plain(body.as_bytes()).is_none(), "read: {body}");
        }
        assert!(plain(b"{\"result\":{\"a\":\"\xff\"}}").is_none());
    }
}
