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
    /// The whole text. Its bytes are read through [`Lexer::bytes`], not a second field: with
    /// one source the compiler sees that a byte just read as `"` sits on a character boundary,
    /// and drops the slice's boundary check (issue 16 profile: two checks per string).
    text: &'a str,
    at: usize,
}

impl<'a> Lexer<'a> {
    /// A cursor at the start of `bytes`, which must be UTF-8.
    pub fn new(bytes: &'a [u8]) -> Result<Lexer<'a>> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            serde_json::Error::custom(format!("invalid UTF-8 at byte {}", e.valid_up_to()))
        })?;
        Ok(Lexer { text, at: 0 })
    }

    /// A cursor at the start of `text`, already known to be UTF-8 (no second check).
    pub fn from_text(text: &'a str) -> Lexer<'a> {
        Lexer { text, at: 0 }
    }

    /// The text's bytes.
    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
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
        self.bytes().get(self.at).copied()
    }

    /// Consumes the next byte, if there is one (the caller has peeked it).
    #[inline]
    pub fn bump(&mut self) {
        if self.at < self.bytes().len() {
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
        if self.at == self.bytes().len() {
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
        if self
            .bytes()
            .get(self.at..self.at.saturating_add(word.len()))
            == Some(word)
        {
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
    /// hot path, one check fewer per string. A string without escapes is read inline, as
    /// [`Lexer::plain_string`] reads it; every other string out of line, so that the hot part
    /// stays small and needs few registers (issue 16 profile: the fixed cost per string, not
    /// the scan, dominated).
    #[inline]
    pub(super) fn string_at_quote(&mut self) -> Result<Cow<'a, str>> {
        match self.plain_string() {
            Some(text) => Ok(Cow::Borrowed(text)),
            None => self.string_not_plain(),
        }
    }

    /// [`Lexer::string_at_quote`] for a string [`Lexer::plain_string`] refused (the cursor
    /// still at its opening quote): unescaped if it holds an escape, an error if it is
    /// unterminated or holds a control character.
    #[cold]
    #[inline(never)]
    fn string_not_plain(&mut self) -> Result<Cow<'a, str>> {
        let start = self.at;
        let content = start + 1;
        let Some(end) = first_special(self.bytes(), content) else {
            self.at = self.bytes().len();
            return Err(self.error("unterminated string"));
        };
        match self.bytes().get(end) {
            Some(b'"') => {
                self.at = end + 1;
                // The text is UTF-8 and both quotes are ASCII: both ends are boundaries.
                self.text
                    .get(content..end)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| self.error("a string splits a character"))
            }
            Some(b'\\') => {
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
    /// (the cursor then unmoved) for an escape, a control character, an unterminated string
    /// or no string at all: a fast path gives the body to the tree then.
    #[inline]
    pub fn plain_string(&mut self) -> Option<&'a str> {
        let bytes = self.bytes();
        let start = self.at;
        if bytes.get(start) != Some(&b'"') {
            return None;
        }
        match special_in_words(bytes, start + 1) {
            Ok(end) => self.plain_between(start, end),
            Err(tail) => self.plain_string_in_tail(start, tail),
        }
    }

    /// [`Lexer::plain_string`] whose string runs into the text's last partial word (from
    /// `tail` on): at most once per text, so out of line, and the inline part makes no call
    /// before it slices (a call in between would make it read its bytes again).
    #[cold]
    #[inline(never)]
    fn plain_string_in_tail(&mut self, start: usize, tail: usize) -> Option<&'a str> {
        let end = last_special(self.bytes(), tail)?;
        self.plain_between(start, end)
    }

    /// The plain string between the quote at `start` and the first special byte at `end`, if
    /// that byte is its closing quote: the cursor then past it.
    #[inline]
    fn plain_between(&mut self, start: usize, end: usize) -> Option<&'a str> {
        if self.bytes().get(end) != Some(&b'"') {
            return None;
        }
        // Both ends are ASCII quotes of a UTF-8 text, so this cannot fail. Slicing from the
        // opening quote and stripping it, both bytes just read, lets the compiler drop both
        // boundary checks; slicing from `start + 1` would check a byte it has not read.
        let text = self.text.get(start..end)?.strip_prefix('"')?;
        self.at = end + 1;
        Some(text)
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
                Some(b'\\') => self.at = self.at.saturating_add(2).min(self.bytes().len()),
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

/// Where the first byte at or after `from` that ends a plain string run is (`"`, `\\` or a
/// control character), looked for eight bytes at a time: the bulk of a callback
/// body is string content, and this scan was most of the reader's time on it (issue 16
/// profile). Most strings of a callback are shorter than a word, so the byte is found from the
/// word's mask, not by a byte loop.
///
/// The "has a zero byte" test has no false negatives, and its lowest flagged byte is always a
/// true one (a false flag needs a borrow from a lower, truly zero, byte), so the lowest flag,
/// read in memory order, is the first special byte. Only the last partial word of the text is
/// read differently, out of line: it comes once per text at most.
#[inline]
fn first_special(bytes: &[u8], from: usize) -> Option<usize> {
    match special_in_words(bytes, from) {
        Ok(at) => Some(at),
        Err(tail) => last_special(bytes, tail),
    }
}

/// [`first_special`] over the whole words from `from` on: `Err` with where the last partial
/// word starts when none of them holds a special byte.
#[inline]
fn special_in_words(bytes: &[u8], from: usize) -> std::result::Result<usize, usize> {
    let mut rest = bytes.get(from..).unwrap_or_default();
    let mut at = from;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        // Little-endian on every target: byte 0 of memory is the lowest byte of the word.
        let mask = special(u64::from_le_bytes(*word));
        if mask != 0 {
            return Ok(at + first_flagged(mask));
        }
        at += 8;
        rest = tail;
    }
    Err(at)
}

/// [`first_special`] in the last partial word of `bytes`, from `from` on.
///
/// When the text has eight bytes, the word read is the text's last eight, shifted so that
/// `bytes[from..]` comes first, and the bytes before it (read already, or before the string)
/// are replaced by padding that is never special: a special byte among them could otherwise
/// flag a later byte by its borrow. Only a text shorter than a word is copied byte by byte.
#[cold]
#[inline(never)]
fn last_special(bytes: &[u8], from: usize) -> Option<usize> {
    const PADDING: u64 = u64::from_le_bytes([b'a'; 8]);
    let rest = bytes.get(from..)?;
    if rest.is_empty() {
        return None;
    }
    // 1 to 7 bytes are left (the loop took every whole word): 8 to 56 bits to drop.
    let dropped = u32::try_from(8_usize.checked_sub(rest.len())?.checked_mul(8)?).ok()?;
    let word = match bytes.last_chunk::<8>() {
        Some(last) => {
            let kept = u64::from_le_bytes(*last).checked_shr(dropped)?;
            kept | PADDING.checked_shl(64_u32.checked_sub(dropped)?)?
        }
        None => {
            let mut word = [b'a'; 8];
            for (slot, byte) in word.iter_mut().zip(rest) {
                *slot = *byte;
            }
            u64::from_le_bytes(word)
        }
    };
    let mask = special(word);
    if mask == 0 {
        None
    } else {
        Some(from + first_flagged(mask))
    }
}

/// The special bytes of a little-endian word, flagged in their high bits (the lowest flag is
/// always a true one; later flags may be false, see [`first_special`]). One `!word` serves
/// all three tests: `"`, `\\` and 0x20 have their high bit clear, so `!(word ^ c)` and
/// `!word` agree on every high bit.
#[inline]
fn special(word: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let below = |word: u64, bound: u8| word.wrapping_sub(ONES * u64::from(bound));
    let quote = below(word ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    let control = below(word, 0x20);
    (quote | backslash | control) & !word & HIGHS
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

    fn naive(bytes: &[u8]) -> Option<usize> {
        bytes
            .iter()
            .position(|b| matches!(b, b'"' | b'\\') || *b < 0x20)
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
                assert_eq!(first_special(&plain, 0), naive(&plain), "{plain:?}");
                for at in 0..len {
                    for special in specials {
                        let mut bytes = plain.clone();
                        bytes[at] = special;
                        // A second special byte later must not hide the first.
                        if at + 3 < len {
                            bytes[at + 3] = b'"';
                        }
                        assert_eq!(first_special(&bytes, 0), naive(&bytes), "{bytes:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    /// How a string token starting at `at` ends, read by a plain byte loop.
    #[derive(Debug, Clone, Copy)]
    enum Ends {
        /// At its closing quote (index), no escape before it.
        Plain(usize),
        /// A backslash comes first; the whole token ends before this index, if it ends.
        Escape(Option<usize>),
        /// A control character (index) comes first.
        Control(usize),
        /// Nothing ends it.
        Unterminated,
    }

    fn reference(bytes: &[u8], at: usize) -> Ends {
        let mut i = at + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => return Ends::Plain(i),
                b'\\' => {
                    // The token runs to the first quote not taken by an escape.
                    let mut j = i;
                    while j < bytes.len() {
                        match bytes[j] {
                            b'"' => return Ends::Escape(Some(j + 1)),
                            b'\\' => j += 2,
                            _ => j += 1,
                        }
                    }
                    return Ends::Escape(None);
                }
                byte if byte < 0x20 => return Ends::Control(i),
                _ => i += 1,
            }
        }
        Ends::Unterminated
    }

    /// `plain_string` and `string` read the string token at `at` (an opening quote) of `text`
    /// as the byte loop says: the same text, borrowed, and cursor for a plain string; the
    /// same error and position otherwise; an escaped one unescaped as serde_json reads it.
    fn agrees_with_the_byte_loop(text: &str, at: usize) {
        let bytes = text.as_bytes();
        let ends = reference(bytes, at);
        let (mut plain, mut full) = (Lexer::from_text(text), Lexer::from_text(text));
        plain.at = at;
        full.at = at;
        let context = || format!("{ends:?} at {at} in {:?}", String::from_utf8_lossy(bytes));
        let read = plain.plain_string();
        let whole = full.string();
        match ends {
            Ends::Plain(end) => {
                let expected = &text[at + 1..end];
                assert_eq!(read, Some(expected), "{}", context());
                assert_eq!(plain.position(), end + 1, "{}", context());
                assert!(
                    matches!(&whole, Ok(Cow::Borrowed(t)) if *t == expected),
                    "{whole:?} {}",
                    context()
                );
                assert_eq!(full.position(), end + 1, "{}", context());
            }
            other => {
                assert_eq!(read, None, "{}", context());
                assert_eq!(plain.position(), at, "{}", context());
                let (message, position) = match other {
                    Ends::Escape(Some(end)) => {
                        let theirs = serde_json::from_str::<String>(&text[at..end]);
                        match (&whole, theirs) {
                            (Ok(Cow::Owned(ours)), Ok(theirs)) => assert_eq!(*ours, theirs),
                            (Err(_), Err(_)) => {}
                            (ours, theirs) => panic!("{ours:?} {theirs:?} {}", context()),
                        }
                        assert_eq!(full.position(), end, "{}", context());
                        return;
                    }
                    Ends::Escape(None) | Ends::Unterminated => ("unterminated string", bytes.len()),
                    Ends::Control(i) => ("control character in a string", i),
                    Ends::Plain(_) => panic!("plain strings are checked above"),
                };
                let error = whole.expect_err(&context()).to_string();
                assert_eq!(
                    error,
                    format!("{message} at byte {position}"),
                    "{}",
                    context()
                );
                assert_eq!(full.position(), position, "{}", context());
            }
        }
    }

    /// Every string token of every fixture callback (the fixture files, and the bodies they
    /// hold), from each of its quotes: the scan agrees with the byte loop on real bodies.
    #[test]
    fn every_fixture_string_reads_as_the_byte_loop_reads_it() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        let mut texts = Vec::new();
        for provider in std::fs::read_dir(root).unwrap() {
            let callbacks = provider.unwrap().path().join("callbacks");
            let Ok(files) = std::fs::read_dir(&callbacks) else {
                continue;
            };
            for file in files {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
                let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                if let Some(body) = doc["body"]["value"].as_str() {
                    texts.push(body.to_owned());
                }
                texts.push(text);
            }
        }
        assert!(texts.len() >= 80, "{} texts", texts.len());
        let mut strings = 0;
        for text in &texts {
            for (at, _) in text.match_indices('"') {
                agrees_with_the_byte_loop(text, at);
                strings += 1;
            }
        }
        assert!(strings > 5_000, "{strings}");
    }

    /// Generated strings of 0 to 40 characters, plain or with a `"`, `\\`, 0x00 or 0x1f at
    /// every character position, among ASCII and two-, three- and four-byte characters, after
    /// text that holds quotes and backslashes, ending 0 to 9 bytes before the end of the
    /// buffer (or not at all): every word alignment and every end of the last partial word.
    #[test]
    fn generated_strings_read_as_the_byte_loop_reads_them() {
        let alphabet = ['a', 'é', '#', '€', ']', '😀', '!', ' '];
        let specials = [None, Some('"'), Some('\\'), Some('\0'), Some('\x1f')];
        let prefixes = ["", "\"\\", "{\"k\\\"\":"];
        let suffixes = [
            "",
            "}",
            "}}",
            "\"}",
            " ,\"x\" ",
            "1234567",
            "\\\"\\\"\\\"\\\"\\",
        ];
        let mut checked = 0;
        for len in 0..=40 {
            for rotation in [0, 1, 5] {
                let background: Vec<char> = (0..len)
                    .map(|i| alphabet[(i + rotation) % alphabet.len()])
                    .collect();
                for special in specials {
                    let positions = if special.is_some() { 0..len } else { 0..1 };
                    for position in positions {
                        let mut content = background.clone();
                        if let Some(byte) = special {
                            content[position] = byte;
                        }
                        let content: String = content.into_iter().collect();
                        for prefix in prefixes {
                            for closing in [true, false] {
                                for suffix in suffixes {
                                    let text = if closing {
                                        format!("{prefix}\"{content}\"{suffix}")
                                    } else {
                                        format!("{prefix}\"{content}")
                                    };
                                    agrees_with_the_byte_loop(&text, prefix.len());
                                    checked += 1;
                                    if !closing {
                                        break;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }
}
