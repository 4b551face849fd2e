//! [`Lexer`]: the tokens of JSON as paykit's readers read them (issue 16), one grammar for the
//! tree ([`super::JsonRef`]) and for every provider's fast path over a callback body.
//!
//! The whole text is checked as UTF-8 once (JSON text is UTF-8, and outside strings only ASCII
//! is grammar, so this is the same check as string by string); then each token is read once.
//! Strings without escapes and number literals come out as slices of the input; only escaped
//! strings are unescaped, by serde_json on exactly that token (escapes and surrogate pairs as
//! serde_json reads them). A fast path that wants no owned text takes
//! [`Lexer::plain_string`], which refuses an escape and leaves the body to the tree.

use std::borrow::Cow;

use serde::de::Error as _;

use super::JsonRef;

type Result<T> = std::result::Result<T, serde_json::Error>;

/// A cursor over the tokens of one JSON text.
///
/// ```
/// use paykit_core::json_literal::Lexer;
///
/// let mut lexer = Lexer::new(br#" {"amount": 10.50} "#)?;
/// lexer.skip_whitespace();
/// lexer.expect(b'{')?;
/// lexer.skip_whitespace();
/// assert_eq!(lexer.plain_string(), Some("amount"));
/// lexer.skip_whitespace();
/// lexer.expect(b':')?;
/// lexer.skip_whitespace();
/// assert_eq!(lexer.number()?, "10.50");
/// lexer.expect(b'}')?;
/// lexer.finish()?;
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    /// A cursor at the start of `bytes`, which must be UTF-8.
    pub fn new(bytes: &'a [u8]) -> Result<Lexer<'a>> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            serde_json::Error::custom(format!("invalid UTF-8 at byte {}", e.valid_up_to()))
        })?;
        Ok(Lexer { text, bytes, at: 0 })
    }

    /// A cursor at the start of `text`, already known to be UTF-8 (no second check).
    pub fn from_text(text: &'a str) -> Lexer<'a> {
        Lexer {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    /// An error at the cursor. Out of line: errors are rare, and keeping their formatting out
    /// of the hot paths keeps those small.
    #[cold]
    #[inline(never)]
    pub fn error(&self, what: &str) -> serde_json::Error {
        serde_json::Error::custom(format!("{what} at byte {}", self.at))
    }

    /// How many bytes were read.
    #[inline]
    pub fn position(&self) -> usize {
        self.at
    }

    /// The next byte, not consumed.
    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Consumes the next byte, if there is one (the caller has peeked it).
    #[inline]
    pub fn bump(&mut self) {
        if self.at < self.bytes.len() {
            self.at += 1;
        }
    }

    /// Consumes the next byte and gives it, if there is one.
    #[inline]
    pub fn next_byte(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    /// Consumes `byte` if it is next: `None` otherwise (nothing consumed). The fast paths'
    /// [`Lexer::expect`], which has no error to build.
    #[inline]
    pub fn eat(&mut self, byte: u8) -> Option<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Some(())
        } else {
            None
        }
    }

    /// Skips JSON's four whitespace bytes.
    #[inline]
    pub fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `byte`, or says what was expected.
    #[inline]
    pub fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", char::from(byte))))
        }
    }

    /// Only whitespace is left.
    pub fn finish(&mut self) -> Result<()> {
        self.skip_whitespace();
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(self.error("trailing characters after the JSON value"))
        }
    }

    /// `true`, `false` or `null`, whichever starts here.
    pub fn keyword(&mut self) -> Result<JsonRef<'a>> {
        let (word, value): (&[u8], _) = match self.peek() {
            Some(b't') => (b"true", JsonRef::Bool(true)),
            Some(b'f') => (b"false", JsonRef::Bool(false)),
            _ => (b"null", JsonRef::Null),
        };
        if self.bytes.get(self.at..self.at.saturating_add(word.len())) == Some(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    /// A value that is not a container, starting here: a string, number or keyword.
    #[inline]
    pub fn scalar(&mut self) -> Result<JsonRef<'a>> {
        match self.peek() {
            Some(b'"') => self.string().map(JsonRef::String),
            Some(b't' | b'f' | b'n') => self.keyword(),
            Some(b'-' | b'0'..=b'9') => self.number().map(JsonRef::Number),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    /// The string token starting here (at its opening quote), unescaped: borrowed when it
    /// holds no escape, owned otherwise.
    #[inline]
    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.string_at_quote()
    }

    /// [`Lexer::string`] where the caller has seen the opening quote: the tree builder's
    /// hot path, one check fewer per string.
    #[inline]
    pub(super) fn string_at_quote(&mut self) -> Result<Cow<'a, str>> {
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

    /// The string token starting here when it holds no escape: its text, borrowed. `None`
    /// (the cursor then wherever it stopped) for an escape, a control character, an
    /// unterminated string or no string at all: a fast path gives the body to the tree then.
    #[inline]
    pub fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let content = self.at + 1;
        let (len, byte) = first_special(self.bytes.get(content..)?)?;
        if byte != b'"' {
            return None;
        }
        let end = content + len;
        self.at = end + 1;
        self.text.get(content..end)
    }

    /// An object member's key and its `:`, whitespace around both skipped, leaving the cursor
    /// at the value: the key borrowed when it holds no escape, `None` otherwise (or when no
    /// key and `:` follow), for fast paths that leave such bodies to the tree.
    #[inline]
    pub fn plain_member_key(&mut self) -> Option<&'a str> {
        self.skip_whitespace();
        let key = self.plain_string()?;
        self.skip_whitespace();
        self.eat(b':')?;
        self.skip_whitespace();
        Some(key)
    }

    /// The rest of a string token holding an escape (at `self.at`), unescaped by serde_json.
    fn escaped(&mut self, start: usize) -> Result<Cow<'a, str>> {
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(b'\\') => self.at = self.at.saturating_add(2).min(self.bytes.len()),
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

    /// The number starting here, checked against JSON's grammar and kept as written.
    pub fn number(&mut self) -> Result<&'a str> {
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
#[inline]
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
    use super::*;

    /// `plain_string` is `string` for every token without an escape, and refuses the rest.
    #[test]
    fn a_plain_string_is_the_string_or_nothing() {
        let tokens: [&[u8]; 9] = [
            b"\"\"",
            b"\"abc\"",
            "\"café\"".as_bytes(),
            b"\"a\\\"b\"",
            b"\"a\\u00e9\"",
            b"\"a\x01b\"",
            b"\"unterminated",
            b"abc",
            b"",
        ];
        let mut plain_ones = 0;
        for token in tokens {
            let (mut plain, mut full) = (Lexer::new(token).unwrap(), Lexer::new(token).unwrap());
            let whole = full.string();
            match plain.plain_string() {
                Some(text) => {
                    plain_ones += 1;
                    assert!(
                        matches!(&whole, Ok(Cow::Borrowed(t)) if *t == text),
                        "{token:?}"
                    );
                    assert_eq!(plain.position(), full.position());
                }
                None => assert!(!matches!(whole, Ok(Cow::Borrowed(_))), "{token:?}"),
            }
        }
        assert_eq!(plain_ones, 3);
        let mut member = Lexer::new(b" \"id\" : 1").unwrap();
        assert_eq!(member.plain_member_key(), Some("id"));
        assert_eq!(member.number().unwrap(), "1");
        for no_key in [&b"\"a\\nb\": 1"[..], b"\"id\" 1", b"1"] {
            assert_eq!(Lexer::new(no_key).unwrap().plain_member_key(), None);
        }
    }

    #[test]
    fn numbers_and_keywords_follow_json() {
        for (text, number) in [
            ("0", true),
            ("-1.5e+3", true),
            ("1.", false),
            ("-", false),
            (".5", false),
        ] {
            let read = Lexer::new(text.as_bytes()).unwrap().number();
            assert_eq!(read.is_ok(), number, "{text}");
        }
        // `01` reads as `0`, and what follows is not JSON.
        let mut lexer = Lexer::new(b"01").unwrap();
        assert_eq!(lexer.number().unwrap(), "0");
        assert!(lexer.finish().is_err());
        for (text, value) in [
            ("true", Some(JsonRef::Bool(true))),
            ("null", Some(JsonRef::Null)),
            ("nul", None),
            ("fals", None),
        ] {
            assert_eq!(Lexer::new(text.as_bytes()).unwrap().keyword().ok(), value);
        }
        assert!(Lexer::new(b"\xff").is_err());
    }

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
