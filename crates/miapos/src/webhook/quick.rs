//! The usual callback body taken apart without building a tree (issue 16).
//!
//! miaPOS sends `{"result":{…},"signature":"…"}` with `result` flat: strings without escapes,
//! number literals, perhaps a `null`. For that shape the general reader (`envelope.rs` over
//! core's [`JsonRef`](paykit_core::json_literal::JsonRef)) builds a tree of two vectors, then a
//! third vector of fields, and drops it all again; on a 750-byte body that cost more than a
//! fifth of an RSA verify. [`read`] walks the same bytes once and writes the fields into a
//! fixed array on the stack.
//!
//! It answers only where it gives what the general reader gives: the same grammar (UTF-8
//! checked once for the whole text, JSON whitespace, strings without escapes or control
//! characters as slices of the body, numbers checked against JSON's grammar and kept as
//! written), fields in received order, duplicates kept for the canonical string to refuse.
//! Anything else is `None` and goes to the general reader, which decides: an escape, a
//! boolean, array or object value, a top-level member other than `result` and `signature`,
//! either of those given twice, `signature` not a string or `null`, no `result`, more than
//! [`CAPACITY`] fields, and every body that is not JSON.

use paykit_core::json_literal::{JsonRef, Lexer};

use super::envelope::Value;

/// Fields of `result` held without allocating; a callback has at most a dozen.
pub(super) const CAPACITY: usize = 16;

/// `result`'s fields in received order, in place.
pub(super) struct Fields<'a> {
    items: [(&'a str, Value<'a>); CAPACITY],
    len: usize,
}

impl<'a> Fields<'a> {
    /// No fields yet.
    pub(super) fn new() -> Self {
        Fields {
            items: [("", Value::Null); CAPACITY],
            len: 0,
        }
    }

    /// `None` when full: the general reader takes the body.
    fn push(&mut self, key: &'a str, value: Value<'a>) -> Option<()> {
        let slot = self.items.get_mut(self.len)?;
        *slot = (key, value);
        self.len += 1;
        Some(())
    }

    /// The fields read, for sorting in place.
    pub(super) fn as_mut_slice(&mut self) -> &mut [(&'a str, Value<'a>)] {
        let len = self.len;
        self.items.get_mut(..len).unwrap_or_default()
    }
}

/// `body` read in one pass when it has the usual shape: `result`'s fields written into
/// `fields` (left empty first), and the signature (inner `None` when absent or `null`). `None`
/// hands the body to the general reader; `fields` then holds nothing of use.
///
/// The fields are written in place, not returned: the array is 640 bytes, and moving it out
/// through each level was a copy per level.
pub(super) fn read<'a>(body: &'a [u8], fields: &mut Fields<'a>) -> Option<Option<&'a str>> {
    fields.len = 0;
    // Core's tokens, the general reader's own: the text checked as UTF-8 once, the same
    // whitespace, strings and numbers.
    let mut scan = Scanner {
        lexer: Lexer::new(body).ok()?,
    };
    scan.lexer.skip_whitespace();
    scan.lexer.eat(b'{')?;
    let mut result = false;
    let mut signature = None;
    loop {
        let key = scan.lexer.plain_member_key()?;
        match key {
            "result" if !result => {
                scan.result(fields)?;
                result = true;
            }
            "signature" if signature.is_none() => {
                signature = Some(match scan.lexer.peek()? {
                    b'"' => Some(scan.string()?),
                    b'n' => {
                        scan.null()?;
                        None
                    }
                    _ => return None,
                });
            }
            _ => return None,
        }
        scan.lexer.skip_whitespace();
        match scan.lexer.next_byte()? {
            b',' => {}
            b'}' => break,
            _ => return None,
        }
    }
    if !result {
        return None;
    }
    scan.lexer.finish().ok()?;
    Some(signature.flatten())
}

struct Scanner<'a> {
    lexer: Lexer<'a>,
}

impl<'a> Scanner<'a> {
    fn null(&mut self) -> Option<()> {
        match self.lexer.keyword().ok()? {
            JsonRef::Null => Some(()),
            _ => None,
        }
    }

    /// A string without escapes whose opening quote is next, as a slice of the body; an
    /// escape or a control character leaves the body to the general reader.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.lexer.plain_string()
    }

    /// A number, checked against JSON's grammar, kept as written.
    fn number(&mut self) -> Option<&'a str> {
        self.lexer.number().ok()
    }

    /// `result`: an object of strings, numbers and `null`s.
    fn result(&mut self, fields: &mut Fields<'a>) -> Option<()> {
        self.lexer.eat(b'{')?;
        self.lexer.skip_whitespace();
        if self.lexer.peek()? == b'}' {
            self.lexer.bump();
            return Some(());
        }
        loop {
            let key = self.lexer.plain_member_key()?;
            let value = match self.lexer.peek()? {
                b'"' => Value::Text(self.string()?),
                b'-' | b'0'..=b'9' => Value::Number(self.number()?),
                b'n' => {
                    self.null()?;
                    Value::Null
                }
                _ => return None,
            };
            fields.push(key, value)?;
            self.lexer.skip_whitespace();
            match self.lexer.next_byte()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests;
