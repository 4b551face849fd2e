//! The tree builder over [`Lexer`]'s tokens (issue 16).
//!
//! One pass over the bytes: every byte is looked at a bounded number of times, so hostile input
//! costs time linear in its length whatever its nesting (up to the depth bound).
//!
//! Keys and values are gathered on two stacks shared by the whole document and moved into an
//! exactly sized vector when their container closes: one allocation per non-empty container.

use std::borrow::Cow;

use super::borrowed::{JsonRef, Members};
use super::lexer::Lexer;

type Result<T> = std::result::Result<T, serde_json::Error>;

/// Parses a whole document nested at most `max_depth` levels: one value, surrounded by
/// whitespace only.
pub(super) fn document(bytes: &[u8], max_depth: usize) -> Result<JsonRef<'_>> {
    let mut parser = Parser {
        lexer: Lexer::new(bytes)?,
        max_depth,
        // Room for a callback's dozen fields without regrowing.
        keys: Vec::with_capacity(16),
        values: Vec::with_capacity(16),
    };
    parser.value(0)?;
    parser.lexer.finish()?;
    parser
        .values
        .pop()
        .ok_or_else(|| parser.lexer.error("expected a JSON value"))
}

/// The tree builder. Values are not returned up the recursion but pushed on `values` where
/// they are made: returning a tree node through every level costs a copy per level, and the
/// profile of a callback showed those copies as the reader's largest cost (issue 16).
struct Parser<'a> {
    lexer: Lexer<'a>,
    max_depth: usize,
    /// Keys of the objects still open, innermost last.
    keys: Vec<Cow<'a, str>>,
    /// Values of the objects and arrays still open, innermost last; a finished value is the
    /// last one.
    values: Vec<JsonRef<'a>>,
}

impl<'a> Parser<'a> {
    /// Reads one value and pushes it on `values`.
    fn value(&mut self, depth: usize) -> Result<()> {
        self.lexer.skip_whitespace();
        match self.lexer.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            // Dispatched here rather than through `Lexer::scalar`: one match per value on
            // the hot path, not two.
            Some(b'"') => {
                let text = self.lexer.string_at_quote()?;
                self.values.push(JsonRef::String(text));
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let literal = self.lexer.number()?;
                self.values.push(JsonRef::Number(literal));
                Ok(())
            }
            _ => {
                let value = self.lexer.scalar()?;
                self.values.push(value);
                Ok(())
            }
        }
    }

    fn enter(&self, depth: usize) -> Result<usize> {
        if depth >= self.max_depth {
            Err(self
                .lexer
                .error(&format!("nested deeper than {} levels", self.max_depth)))
        } else {
            Ok(depth + 1)
        }
    }

    fn object(&mut self, depth: usize) -> Result<()> {
        let depth = self.enter(depth)?;
        self.lexer.expect(b'{')?;
        self.lexer.skip_whitespace();
        if self.lexer.peek() == Some(b'}') {
            self.lexer.bump();
            self.values.push(JsonRef::Object(Vec::new()));
            return Ok(());
        }
        let (key_base, value_base) = (self.keys.len(), self.values.len());
        loop {
            self.lexer.skip_whitespace();
            if self.lexer.peek() != Some(b'"') {
                return Err(self.lexer.error("expected a key"));
            }
            let key = self.lexer.string_at_quote()?;
            self.keys.push(key);
            self.lexer.skip_whitespace();
            self.lexer.expect(b':')?;
            self.value(depth)?;
            self.lexer.skip_whitespace();
            match self.lexer.peek() {
                Some(b',') => self.lexer.bump(),
                Some(b'}') => {
                    self.lexer.bump();
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
                _ => return Err(self.lexer.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<()> {
        let depth = self.enter(depth)?;
        self.lexer.expect(b'[')?;
        self.lexer.skip_whitespace();
        if self.lexer.peek() == Some(b']') {
            self.lexer.bump();
            self.values.push(JsonRef::Array(Vec::new()));
            return Ok(());
        }
        let base = self.values.len();
        loop {
            self.value(depth)?;
            self.lexer.skip_whitespace();
            match self.lexer.peek() {
                Some(b',') => self.lexer.bump(),
                Some(b']') => {
                    self.lexer.bump();
                    let items = self.values.split_off(base);
                    self.values.push(JsonRef::Array(items));
                    return Ok(());
                }
                _ => return Err(self.lexer.error("expected `,` or `]`")),
            }
        }
    }
}
