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
    // The whole text at once, as the general reader checks it: outside strings only ASCII is
    // grammar, so this is the same verdict as string by string.
    let text = std::str::from_utf8(body).ok()?;
    let mut scan = Scanner {
        text,
        bytes: body,
        at: 0,
    };
    scan.whitespace();
    scan.expect(b'{')?;
    let mut result = false;
    let mut signature = None;
    loop {
        scan.whitespace();
        let key = scan.string()?;
        scan.whitespace();
        scan.expect(b':')?;
        scan.whitespace();
        match key {
            "result" if !result => {
                scan.result(fields)?;
                result = true;
            }
            "signature" if signature.is_none() => {
                signature = Some(match scan.peek()? {
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
        scan.whitespace();
        match scan.next()? {
            b',' => {}
            b'}' => break,
            _ => return None,
        }
    }
    scan.whitespace();
    if !result || scan.at != body.len() {
        return None;
    }
    Some(signature.flatten())
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline]
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// JSON's four whitespace bytes, as the general reader skips them.
    #[inline]
    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn null(&mut self) -> Option<()> {
        let end = self.at.checked_add(4)?;
        (self.bytes.get(self.at..end)? == b"null").then(|| self.at = end)
    }

    /// A string without escapes whose opening quote is next, as a slice of the body.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.at;
        let (len, byte) = string_end(self.bytes.get(start..)?)?;
        // An escape or a control character: the general reader decides.
        if byte != b'"' {
            return None;
        }
        let end = start.checked_add(len)?;
        self.at = end.checked_add(1)?;
        // Both ends are ASCII quotes of a UTF-8 text: character boundaries.
        self.text.get(start..end)
    }

    /// A number, checked against JSON's grammar (the general reader's), kept as written.
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
            self.digit()?;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digit()?;
            self.digits();
        }
        self.text.get(start..self.at)
    }

    fn digit(&mut self) -> Option<()> {
        self.next()?.is_ascii_digit().then_some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// `result`: an object of strings, numbers and `null`s.
    fn result(&mut self, fields: &mut Fields<'a>) -> Option<()> {
        self.expect(b'{')?;
        self.whitespace();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.whitespace();
            let key = self.string()?;
            self.whitespace();
            self.expect(b':')?;
            self.whitespace();
            let value = match self.peek()? {
                b'"' => Value::Text(self.string()?),
                b'-' | b'0'..=b'9' => Value::Number(self.number()?),
                b'n' => {
                    self.null()?;
                    Value::Null
                }
                _ => return None,
            };
            fields.push(key, value)?;
            self.whitespace();
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }
}

/// Where the first byte that ends a plain string run is (`"`, `\` or a control character) and
/// which it is, eight bytes at a time: most of a body is string content, and most of its
/// strings are shorter than a word, so the byte is read off the word's flags rather than
/// found by a byte loop.
fn string_end(bytes: &[u8]) -> Option<(usize, u8)> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // Flags (in its high bit) every byte of `word` below `n` (n <= 0x80), and possibly bytes
    // above a flagged one (a borrow runs upward from a byte that is truly below): so the
    // lowest flag is always a true one.
    let below = |word: u64, n: u64| word.wrapping_sub(ONES * n) & !word & HIGHS;
    let special = |word: u64| {
        below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20)
    };
    // Little-endian on every target: the lowest flag is the first special byte in memory.
    let found = |offset: usize, mask: u64| {
        let at = offset + (mask.trailing_zeros() / 8) as usize;
        bytes.get(at).map(|byte| (at, *byte))
    };
    let mut offset = 0;
    // Words run past the string into what follows it: the closing quote is found in the word
    // that holds it, without a byte loop.
    while let Some(chunk) = bytes.get(offset..offset + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let mask = special(u64::from_le_bytes(word));
        if mask != 0 {
            return found(offset, mask);
        }
        offset += 8;
    }
    // The last few bytes of the text, padded with a byte that is never special.
    let mut word = [b'a'; 8];
    for (slot, byte) in word.iter_mut().zip(bytes.get(offset..)?) {
        *slot = *byte;
    }
    let mask = special(u64::from_le_bytes(word));
    if mask == 0 { None } else { found(offset, mask) }
}

#[cfg(test)]
mod tests;
