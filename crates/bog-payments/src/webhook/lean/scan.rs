//! The lean reader's [`Envelope`] read by hand, without serde's visitors (issue 16).
//!
//! Deserializing [`Envelope`] through `serde_json` visits every value of the body through
//! trait calls; on the 1.8 kB fixture that was 85% of what verification spends beside its RSA
//! verify. [`envelope`] walks the same text once and fills the same structs. It answers only
//! where it gives what the deserializer gives, and `None` (the deserializer decides) for
//! anything it might read differently:
//!
//! - any string holding an escape (the deserializer unescapes it and checks surrogates) or a
//!   control character (refused), anywhere in the body, skipped members included;
//! - any number with an exponent or longer than 20 bytes (the deserializer reads numbers
//!   through `f64` and refuses those out of its range; shorter plain numbers are always in it);
//! - nesting deeper than [`MAX_DEPTH`] (the deserializer's bound is 128);
//! - a member the lean reader reads given twice (it refuses that), a read member of a kind
//!   the deserializer would refuse (a body, status, units, detail or action that is not an
//!   object or `null`, actions or items that are not an array or `null`);
//! - anything that is not JSON.
//!
//! The grammar is otherwise JSON's as `serde_json` reads it: the text already checked as
//! UTF-8, the four whitespace bytes, `true`, `false`, `null`, no trailing commas, nothing
//! after the value but whitespace.

use std::borrow::Cow;

use paykit_core::json_literal::{JsonRef, Lexer};

use super::{ActionEntry, Body, Detail, Envelope, Field, Item, StatusKey, Units};

/// Containers nested deeper than this go to the deserializer.
const MAX_DEPTH: usize = 32;

/// Which read members of one object were seen, to refuse one given twice as the lean reader
/// does.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// `None` when member `bit` was seen before.
    fn first(&mut self, bit: u32) -> Option<()> {
        let mask = 1_u32.checked_shl(bit)?;
        if self.0 & mask != 0 {
            return None;
        }
        self.0 |= mask;
        Some(())
    }
}

/// The envelope of `text` (already checked as UTF-8), or `None`.
pub(super) fn envelope(text: &str) -> Option<Envelope<'_>> {
    let mut scan = Scanner {
        lexer: Lexer::from_text(text),
    };
    scan.lexer.skip_whitespace();
    let mut envelope = Envelope::default();
    let mut seen = Seen::default();
    scan.object(0, |scan, key, depth| {
        match key {
            "event" => {
                seen.first(0)?;
                envelope.event = scan.field(depth)?;
            }
            "zoned_request_time" => {
                seen.first(1)?;
                envelope.zoned_request_time = scan.field(depth)?;
            }
            "body" => {
                seen.first(2)?;
                scan.option(depth, &mut envelope.body, Scanner::body)?;
            }
            _ => scan.skip(depth)?,
        }
        Some(())
    })?;
    scan.lexer.finish().ok()?;
    Some(envelope)
}

/// The structure walk over core's tokens ([`Lexer`], the grammar of every paykit reader).
struct Scanner<'a> {
    lexer: Lexer<'a>,
}

impl<'a> Scanner<'a> {
    /// `true`, `false` or `null`, whichever is next.
    fn keyword(&mut self) -> Option<JsonRef<'a>> {
        self.lexer.keyword().ok()
    }

    /// A string without escapes or control characters whose opening quote is next, as a
    /// slice of the text.
    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        self.lexer.plain_string()
    }

    /// A number in JSON's grammar, without exponent, at most 20 bytes: always one
    /// `serde_json` reads (into `u64`, `i64` or a finite `f64`).
    fn number(&mut self) -> Option<()> {
        let literal = self.lexer.number().ok()?;
        (literal.len() <= 20 && !literal.contains(['e', 'E'])).then_some(())
    }

    /// An object whose `{` is next, each member's value read by `member` (given the key and
    /// the depth inside this object), which must consume it.
    fn object(
        &mut self,
        depth: usize,
        mut member: impl FnMut(&mut Self, &'a str, usize) -> Option<()>,
    ) -> Option<()> {
        let depth = enter(depth)?;
        self.lexer.eat(b'{')?;
        self.lexer.skip_whitespace();
        if self.lexer.peek()? == b'}' {
            self.lexer.bump();
            return Some(());
        }
        loop {
            let key = self.lexer.plain_member_key()?;
            member(self, key, depth)?;
            self.lexer.skip_whitespace();
            match self.lexer.next_byte()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// An array whose `[` is next, each element read by `element`.
    fn array(
        &mut self,
        depth: usize,
        mut element: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        let depth = enter(depth)?;
        self.lexer.eat(b'[')?;
        self.lexer.skip_whitespace();
        if self.lexer.peek()? == b']' {
            self.lexer.bump();
            return Some(());
        }
        loop {
            self.lexer.skip_whitespace();
            element(self, depth)?;
            self.lexer.skip_whitespace();
            match self.lexer.next_byte()? {
                b',' => {}
                b']' => return Some(()),
                _ => return None,
            }
        }
    }

    /// Any value, checked and dropped (most of a body: nothing is built for it).
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.lexer.peek()? {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number(),
            b'n' | b't' | b'f' => self.keyword().map(drop),
            b'{' => self.object(depth, |scan, _, depth| scan.skip(depth)),
            b'[' => self.array(depth, |scan, depth| scan.skip(depth)),
            _ => None,
        }
    }

    /// Any value as a [`Field`]: text borrowed, the rest by kind.
    fn field(&mut self, depth: usize) -> Option<Field<'a>> {
        Some(match self.lexer.peek()? {
            b'"' => Field::Text(Cow::Borrowed(self.string()?)),
            b'-' | b'0'..=b'9' => {
                self.number()?;
                Field::Number
            }
            b'n' => match self.keyword()? {
                JsonRef::Null => Field::Null,
                _ => return None,
            },
            _ => {
                self.skip(depth)?;
                Field::Other
            }
        })
    }

    /// `null` as `None`, anything else read into `slot` by `read` (as `Option<T>`
    /// deserializes). Filled in place: the structs are hundreds of bytes, and returning them
    /// through each level was a copy per level.
    fn option<T: Default>(
        &mut self,
        depth: usize,
        slot: &mut Option<T>,
        read: impl FnOnce(&mut Self, usize, &mut T) -> Option<()>,
    ) -> Option<()> {
        if self.lexer.peek()? == b'n' {
            if self.keyword()? != JsonRef::Null {
                return None;
            }
            *slot = None;
            return Some(());
        }
        read(self, depth, slot.insert(T::default()))
    }

    /// An array of `read`'s values, each read in place.
    fn list<T: Default>(
        &mut self,
        depth: usize,
        list: &mut Vec<T>,
        mut read: impl FnMut(&mut Self, usize, &mut T) -> Option<()>,
    ) -> Option<()> {
        self.array(depth, |scan, depth| {
            list.push(T::default());
            read(scan, depth, list.last_mut()?)
        })
    }

    fn body(&mut self, depth: usize, body: &mut Body<'a>) -> Option<()> {
        let mut seen = Seen::default();
        self.object(depth, |scan, key, depth| {
            match key {
                "order_id" => {
                    seen.first(0)?;
                    body.order_id = scan.field(depth)?;
                }
                "order_status" => {
                    seen.first(1)?;
                    scan.option(depth, &mut body.order_status, Scanner::status_key)?;
                }
                "external_order_id" => {
                    seen.first(2)?;
                    body.external_order_id = scan.field(depth)?;
                }
                "purchase_units" => {
                    seen.first(3)?;
                    scan.option(depth, &mut body.purchase_units, Scanner::units)?;
                }
                "payment_detail" => {
                    seen.first(4)?;
                    scan.option(depth, &mut body.payment_detail, Scanner::detail)?;
                }
                "actions" => {
                    seen.first(5)?;
                    scan.option(depth, &mut body.actions, |scan, depth, list| {
                        scan.list(depth, list, Scanner::action)
                    })?;
                }
                "reject_reason" => {
                    seen.first(6)?;
                    body.reject_reason = scan.field(depth)?;
                }
                _ => scan.skip(depth)?,
            }
            Some(())
        })
    }

    fn status_key(&mut self, depth: usize, status: &mut StatusKey<'a>) -> Option<()> {
        let mut seen = Seen::default();
        self.object(depth, |scan, key, depth| {
            match key {
                "key" => {
                    seen.first(0)?;
                    status.key = scan.field(depth)?;
                }
                _ => scan.skip(depth)?,
            }
            Some(())
        })
    }

    fn units(&mut self, depth: usize, units: &mut Units<'a>) -> Option<()> {
        let mut seen = Seen::default();
        self.object(depth, |scan, key, depth| {
            match key {
                "request_amount" => {
                    seen.first(0)?;
                    units.request_amount = scan.field(depth)?;
                }
                "transfer_amount" => {
                    seen.first(1)?;
                    units.transfer_amount = scan.field(depth)?;
                }
                "refund_amount" => {
                    seen.first(2)?;
                    units.refund_amount = scan.field(depth)?;
                }
                "currency_code" => {
                    seen.first(3)?;
                    units.currency_code = scan.field(depth)?;
                }
                "items" => {
                    seen.first(4)?;
                    scan.option(depth, &mut units.items, |scan, depth, list| {
                        scan.list(depth, list, Scanner::item)
                    })?;
                }
                _ => scan.skip(depth)?,
            }
            Some(())
        })
    }

    fn item(&mut self, depth: usize, item: &mut Item<'a>) -> Option<()> {
        let mut seen = Seen::default();
        self.object(depth, |scan, key, depth| {
            match key {
                "quantity" => {
                    seen.first(0)?;
                    item.quantity = scan.field(depth)?;
                }
                "unit_price" => {
                    seen.first(1)?;
                    item.unit_price = scan.field(depth)?;
                }
                _ => scan.skip(depth)?,
            }
            Some(())
        })
    }

    fn detail(&mut self, depth: usize, detail: &mut Detail<'a>) -> Option<()> {
        let mut seen = Seen::default();
        self.object(depth, |scan, key, depth| {
            match key {
                "code" => {
                    seen.first(0)?;
                    detail.code = scan.field(depth)?;
                }
                "payer_identifier" => {
                    seen.first(1)?;
                    detail.payer_identifier = scan.field(depth)?;
                }
                "saved_card_type" => {
                    seen.first(2)?;
                    detail.saved_card_type = scan.field(depth)?;
                }
                _ => scan.skip(depth)?,
            }
            Some(())
        })
    }

    fn action(&mut self, depth: usize, action: &mut ActionEntry<'a>) -> Option<()> {
        let mut seen = Seen::default();
        self.object(depth, |scan, key, depth| {
            let slot = match key {
                "action_id" => (0, &mut action.action_id),
                "request_channel" => (1, &mut action.request_channel),
                "action" => (2, &mut action.action),
                "status" => (3, &mut action.status),
                "zoned_action_date" => (4, &mut action.zoned_action_date),
                "amount" => (5, &mut action.amount),
                "code" => (6, &mut action.code),
                "code_description" => (7, &mut action.code_description),
                _ => return scan.skip(depth),
            };
            seen.first(slot.0)?;
            *slot.1 = scan.field(depth)?;
            Some(())
        })
    }
}

/// One level deeper, or `None` past [`MAX_DEPTH`].
fn enter(depth: usize) -> Option<usize> {
    let depth = depth.checked_add(1)?;
    (depth <= MAX_DEPTH).then_some(depth)
}

#[cfg(test)]
mod tests;
