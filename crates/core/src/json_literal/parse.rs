//! The one JSON grammar of paykit's literal-preserving readers (issue 16).
//!
//! One pass over the bytes: the whole text is checked as UTF-8 once (JSON text is UTF-8, and
//! outside strings only ASCII is grammar, so this is the same check as string by string), then
//! every byte is looked at a bounded number of times, so hostile input costs time linear in its
//! length whatever its nesting (up to the depth bound). Strings without escapes and number
//! literals come out as slices of the input; only escaped strings are unescaped, by serde_json
//! on exactly that token (escapes, surrogate pairs as serde_json reads them).
//!
//! Keys and values are gathered on two stacks shared by the whole document and moved into an
//! exactly sized vector when their container closes: one allocation per non-empty container.

use std::borrow::Cow;

use serde::de::Error as _;

use super::borrowed::{JsonRef, Members};

type Result<T> = std::result::Result<T, serde_json::Error>;

/// Parses a whole document nested at most `max_depth` levels: one value, surrounded by
/// whitespace only.
pub(super) fn document(bytes: &[u8], max_depth: usize) -> Result<JsonRef<'_>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        serde_json::Error::custom(format!("invalid UTF-8 at byte {}", e.valid_up_to()))
    })?;
    let mut parser = Parser {
        text,
        bytes,
        at: 0,
        max_depth,
        // Room for a callback's dozen fields without regrowing.
        keys: Vec::with_capacity(16),
        values: Vec::with_capacity(16),
    };
    parser.value(0)?;
    parser.skip_whitespace();
    if parser.at != bytes.len() {
        return Err(parser.error("trailing characters after the JSON value"));
    }
    parser
        .values
        .pop()
        .ok_or_else(|| parser.error("expected a JSON value"))
}

/// The reader's state. Values are not returned up the recursion but pushed on `values` where
/// they are made: returning a tree node through every level costs a copy per level, and the
/// profile of a callback showed those copies as the reader's largest cost (issue 16).
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    max_depth: usize,
    /// Keys of the objects still open, innermost last.
    keys: Vec<Cow<'a, str>>,
    /// Values of the objects and arrays still open, innermost last; a finished value is the
    /// last one.
    values: Vec<JsonRef<'a>>,
}

impl<'a> Parser<'a> {
    // Out of line: errors are rare, and keeping their formatting out of the hot paths keeps
    // those small.
    #[cold]
    #[inline(never)]
    fn error(&self, what: &str) -> serde_json::Error {
        serde_json::Error::custom(format!("{what} at byte {}", self.at))
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", char::from(byte))))
        }
    }

    fn keyword(&mut self, word: &[u8], value: JsonRef<'a>) -> Result<()> {
        if self.bytes.get(self.at..self.at.saturating_add(word.len())) == Some(word) {
            self.at += word.len();
            self.values.push(value);
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    /// Reads one value and pushes it on `values`.
    fn value(&mut self, depth: usize) -> Result<()> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let text = self.string()?;
                self.values.push(JsonRef::String(text));
                Ok(())
            }
            Some(b't') => self.keyword(b"true", JsonRef::Bool(true)),
            Some(b'f') => self.keyword(b"false", JsonRef::Bool(false)),
            Some(b'n') => self.keyword(b"null", JsonRef::Null),
            Some(b'-' | b'0'..=b'9') => {
                let literal = self.number()?;
                self.values.push(JsonRef::Number(literal));
                Ok(())
            }
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn enter(&self, depth: usize) -> Result<usize> {
        if depth >= self.max_depth {
            Err(self.error(&format!("nested deeper than {} levels", self.max_depth)))
        } else {
            Ok(depth + 1)
        }
    }

    fn object(&mut self, depth: usize) -> Result<()> {
        let depth = self.enter(depth)?;
        self.expect(b'{')?;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            self.values.push(JsonRef::Object(Vec::new()));
            return Ok(());
        }
        let (key_base, value_base) = (self.keys.len(), self.values.len());
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            self.keys.push(key);
            self.skip_whitespace();
            self.expect(b':')?;
            self.value(depth)?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    let count = self.values.len().saturating_sub(value_base);
                    let mut members: Members<'a> = Vec::with_capacity(count);
                    members.extend(
                        self.keys
                            .drain(key_base..)
                            .zip(self.values.drain(value_base..)),
                    );
                    self.values.push(JsonRef::Object(members));
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<()> {
        let depth = self.enter(depth)?;
        self.expect(b'[')?;
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            self.values.push(JsonRef::Array(Vec::new()));
            return Ok(());
        }
        let base = self.values.len();
        loop {
            self.value(depth)?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    let items = self.values.split_off(base);
                    self.values.push(JsonRef::Array(items));
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A string token whose opening quote is at `self.at` (both callers have seen it). The
    /// common case (no escape before the closing quote) is one scan and a borrowed slice; an
    /// escape sends the token to serde_json for unescaping.
    #[inline]
    fn string(&mut self) -> Result<Cow<'a, str>> {
        let start = self.at;
        let content = start + 1;
        let rest = self.bytes.get(content..).unwrap_or_default();
        let Some((len, byte)) = first_special(rest) else {
            self.at = self.bytes.len();
            return Err(self.error("unterminated string"));
        };
        let end = content + len;
        match byte {
            b'"' => {
                self.at = end + 1;
                // The text is UTF-8 and both quotes are ASCII: both ends are boundaries.
                self.text
                    .get(content..end)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| self.error("a string splits a character"))
            }
            b'\\' => {
                self.at = end;
                self.escaped(start)
            }
            _ => {
                self.at = end;
                Err(self.error("control character in a string"))
            }
        }
    }

    /// The rest of a string token holding an escape (at `self.at`), unescaped by serde_json.
    fn escaped(&mut self, start: usize) -> Result<Cow<'a, str>> {
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(b'\\') => self.at += 2,
                Some(_) => self.at += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
        let token = self
            .text
            .get(start..self.at)
            .ok_or_else(|| self.error("unterminated string"))?;
        serde_json::from_str::<String>(token).map(Cow::Owned)
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
        // Only ASCII digits, signs, `.` and `e` were consumed: always a character boundary.
        self.text
            .get(start..self.at)
            .ok_or_else(|| self.error("invalid number"))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

/// Where the first byte that ends a plain string run is (`"`, `\\` or a control character),
/// looked for eight bytes at a time: the bulk of a callback body is string content, and this
/// scan was most of the reader's time on it (issue 16 profile). Most strings of a callback are
/// shorter than a word, so the byte is found from the word's mask, not by a byte loop.
///
/// The "has a zero byte" test has no false negatives, and its lowest flagged byte is always a
/// true one (a false flag needs a borrow from a lower, truly zero, byte), so the lowest flag,
/// read in memory order, is the first special byte. The last partial word is padded with a
/// byte that is never special.
fn first_special(bytes: &[u8]) -> Option<(usize, u8)> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let any_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let special = |word: u64| {
        let quote = any_zero(word ^ (ONES * u64::from(b'"')));
        let backslash = any_zero(word ^ (ONES * u64::from(b'\\')));
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        quote | backslash | control
    };
    let found = |offset: usize, mask: u64| {
        let at = offset + first_flagged(mask);
        bytes.get(at).map(|byte| (at, *byte))
    };
    let mut offset = 0;
    while let Some(chunk) = bytes.get(offset..offset + 8) {
        let mut word = [0_u8; 8];
        word.copy_from_slice(chunk);
        // Little-endian on every target: byte 0 of memory is the lowest byte of the word.
        let mask = special(u64::from_le_bytes(word));
        if mask != 0 {
            return found(offset, mask);
        }
        offset += 8;
    }
    let tail = bytes.get(offset..).unwrap_or_default();
    let mut word = [b'a'; 8];
    for (slot, byte) in word.iter_mut().zip(tail) {
        *slot = *byte;
    }
    let mask = special(u64::from_le_bytes(word));
    if mask == 0 { None } else { found(offset, mask) }
}

/// The index, in memory order, of the lowest flagged byte of a little-endian word's mask.
#[inline]
fn first_flagged(mask: u64) -> usize {
    // At most 63 / 8 = 7: always fits.
    (mask.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::first_special;

    fn naive(bytes: &[u8]) -> Option<(usize, u8)> {
        let at = bytes
            .iter()
            .position(|b| matches!(b, b'"' | b'\\') || *b < 0x20)?;
        Some((at, bytes[at]))
    }

    #[test]
    fn the_word_scan_finds_the_first_special_byte_wherever_it_is() {
        // Every length up to three words, one special byte (or none) at every position, over
        // backgrounds that sit next to the special values (0x1f/0x20, '!' and '#' around '"',
        // '[' and ']' around '\\', bytes with the high bit set).
        let backgrounds = [b'a', 0x20, b'!', b'#', b'[', b']', 0x7f, 0x80, 0xe2, 0xff];
        let specials = [b'"', b'\\', 0x00, 0x01, 0x1f, b'\n'];
        let mut checked = 0;
        for len in 0..=24 {
            for background in backgrounds {
                let plain = vec![background; len];
                assert_eq!(first_special(&plain), naive(&plain), "{plain:?}");
                for at in 0..len {
                    for special in specials {
                        let mut bytes = plain.clone();
                        bytes[at] = special;
                        // A second special byte later must not hide the first.
                        if at + 3 < len {
                            bytes[at + 3] = b'"';
                        }
                        assert_eq!(first_special(&bytes), naive(&bytes), "{bytes:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
