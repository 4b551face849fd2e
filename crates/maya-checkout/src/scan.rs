//! A second, faster reader of webhook bodies (issue 16): one pass over the bytes that writes the
//! v1 pairs straight into one buffer and notes the payment object's top-level members, with no
//! tree, no copy per field and no second decode.
//!
//! It reads only a plain subset of JSON: an object at the top, strings without escapes, nesting
//! at most [`MAX_DEPTH`] deep. For anything else (an escape, a grammar error, a deeper body) it
//! answers `None` and the caller reads the body the established way (the `JsonLiteral` tree,
//! then `serde_json` for the typed object), so a body is refused, or read differently, only by
//! that reader. Whatever it accepts is JSON the tree reads the same: the subset's strings are
//! their own unescaped text and its numbers are literals checked against JSON's grammar.
//!
//! Of the payment object it keeps only the members the common event is made of, and it only
//! vouches for them when `serde_json` would decode every member of [`crate::wire::Payment`] from
//! the body without an error; when unsure (a repeated member, a type serde would refuse, a number
//! a `serde_json::Value` might refuse) it says so and the caller decodes with serde.

use paykit_core::json_literal::{JsonRef, Lexer};
use paykit_core::wire::parse_decimal_literal;
use rust_decimal::Decimal;

use crate::flatten::{NumberRendering, Pairs, index_text, with_segment};
use crate::outcome::PaymentFacts;
use crate::status::MayaStatus;

/// Deepest nesting the scan reads (the tree reads 64): Maya's bodies nest three levels.
pub(crate) const MAX_DEPTH: usize = 16;

/// Longest number literal inside a `serde_json::Value` member the scan vouches for: without an
/// exponent, fewer than 309 digits are always a finite `f64`, which serde_json then accepts.
const SURE_NUMBER_CHARS: usize = 300;

/// What the scan read of a body.
pub(crate) struct Scanned<'b> {
    /// The signed string, `&nonce=…` included.
    pub(crate) message: String,
    /// The top-level members a payment object is read from.
    pub(crate) fields: Fields<'b>,
}

/// Flattens `body` for `nonce` in `rendering`, when the body is in the scan's subset.
pub(crate) fn scan<'b>(
    body: &'b [u8],
    nonce: &str,
    rendering: NumberRendering,
) -> Option<Scanned<'b>> {
    // The text is checked as UTF-8 once, here, and handed to the lexer (core's, the tree's
    // tokens) as text, so every slice below is a `&str` for free and nothing checks it twice.
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = Reader {
        text,
        lexer: Lexer::from_text(text),
        rendering,
        // The pairs are about as long as the body; dotted paths add a little. (Both buffers
        // stay within the allocator's small sizes for a body like Maya's: a larger block
        // costs several times as much to take and to give back.)
        pairs: Pairs::with_capacity(body.len() + 64, 32),
        unsure_numbers: 0,
    };
    let mut path = String::with_capacity(64);
    let mut fields = Fields::default();
    reader.lexer.skip_whitespace();
    reader.lexer.expect(b'{').ok()?;
    reader.members(&mut path, 1, Some(&mut fields))?;
    reader.lexer.finish().ok()?;
    Some(Scanned {
        message: reader.pairs.finish(nonce),
        fields,
    })
}

/// What a member's value was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'b> {
    Null,
    Bool,
    Str(&'b str),
    Number,
    Container,
}

struct Reader<'b> {
    /// The body's text (the lexer checked it), for a member's raw value.
    text: &'b str,
    /// Core's JSON tokens: the same grammar as the tree that reads whatever this does not.
    lexer: Lexer<'b>,
    rendering: NumberRendering,
    pairs: Pairs,
    /// Numbers seen so far that a `serde_json::Value` might refuse.
    unsure_numbers: usize,
}

impl<'b> Reader<'b> {
    /// The members of an object whose `{` was just read; those of the top-level object are
    /// noted in `top` with their value's token, raw text and whether it held a number a
    /// `serde_json::Value` might refuse.
    fn members(
        &mut self,
        path: &mut String,
        depth: usize,
        mut top: Option<&mut Fields<'b>>,
    ) -> Option<()> {
        self.lexer.skip_whitespace();
        if self.lexer.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.lexer.plain_member_key()?;
            let (start, unsure_before) = (self.lexer.position(), self.unsure_numbers);
            let token = self.value(path, key, depth)?;
            if let Some(fields) = top.as_deref_mut() {
                let raw = self.text.get(start..self.lexer.position())?;
                fields.member(key, token, raw, self.unsure_numbers != unsure_before);
            }
            self.lexer.skip_whitespace();
            match self.lexer.peek()? {
                b',' => self.lexer.bump(),
                b'}' => {
                    self.lexer.bump();
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The items of an array whose `[` was just read.
    fn items(&mut self, path: &mut String, depth: usize) -> Option<()> {
        self.lexer.skip_whitespace();
        if self.lexer.eat(b']').is_some() {
            return Some(());
        }
        let mut digits = [0_u8; 20];
        let mut index = 0_usize;
        loop {
            self.lexer.skip_whitespace();
            let segment = index_text(index, &mut digits);
            self.value(path, segment, depth)?;
            index += 1;
            self.lexer.skip_whitespace();
            match self.lexer.peek()? {
                b',' => self.lexer.bump(),
                b']' => {
                    self.lexer.bump();
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// One value, member `name` of `path` (whitespace before it already skipped): its pair,
    /// if it has one (`null`, `""`, `[]` and `{}` have none), is written. Only a container
    /// extends `path`; a scalar's pair is written from `path` and `name` directly, which saves
    /// a copy of the name per member.
    fn value(&mut self, path: &mut String, name: &str, depth: usize) -> Option<Token<'b>> {
        let member = Some(name);
        match self.lexer.peek()? {
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' => {
                self.lexer.bump();
                with_segment(path, name, |path| self.members(path, depth + 1, None))?;
                Some(Token::Container)
            }
            b'[' => {
                self.lexer.bump();
                with_segment(path, name, |path| self.items(path, depth + 1))?;
                Some(Token::Container)
            }
            b'"' => {
                let text = self.string()?;
                if !text.is_empty() {
                    self.pairs.push(path, member, text);
                }
                Some(Token::Str(text))
            }
            b't' | b'f' | b'n' => match self.lexer.keyword().ok()? {
                JsonRef::Bool(true) => {
                    self.pairs.push(path, member, "true");
                    Some(Token::Bool)
                }
                JsonRef::Bool(false) => {
                    self.pairs.push(path, member, "false");
                    Some(Token::Bool)
                }
                _ => Some(Token::Null),
            },
            b'-' | b'0'..=b'9' => {
                let literal = self.number()?;
                self.pairs.number(path, member, literal, self.rendering);
                Some(Token::Number)
            }
            _ => None,
        }
    }

    /// A string without escapes or control characters (an escape is the tree's to unescape,
    /// a control character an error the tree reports), its quote next.
    #[inline]
    fn string(&mut self) -> Option<&'b str> {
        self.lexer.plain_string()
    }

    /// A number literal, checked against JSON's grammar, kept as written.
    fn number(&mut self) -> Option<&'b str> {
        let literal = self.lexer.number().ok()?;
        if literal.contains(['e', 'E']) || literal.len() > SURE_NUMBER_CHARS {
            self.unsure_numbers += 1;
        }
        Some(literal)
    }
}

/// How serde's derived decoder of [`crate::wire::Payment`] reads a member.
#[derive(Clone, Copy)]
enum Rule {
    /// `id` (`String`): a string, never null.
    Id,
    /// `status` (read through a `String`): a string, never null.
    Status,
    /// `amount`, `capturedAmount`: null, or a number or string exact as a decimal.
    Amount,
    Captured,
    /// `Option<bool>`: null or a boolean.
    Flag,
    /// `Option<serde_json::Value>`: anything but a number `Value` may refuse.
    Value,
    /// `Option<String>`: null or a string; some are kept for the event.
    Text(Option<Kept>),
}

/// The `Option<String>` members the common event is made of.
#[derive(Clone, Copy)]
enum Kept {
    Currency,
    Reference,
    ErrorCode,
    ErrorMessage,
    VerificationUrl,
}

/// A payment object's member: its bit among the 24 (for repeats) and how it is read.
fn rule(key: &str) -> Option<(u32, Rule)> {
    Some(match key {
        "id" => (0, Rule::Id),
        "status" => (1, Rule::Status),
        "isPaid" => (2, Rule::Flag),
        "amount" => (3, Rule::Amount),
        "currency" => (4, Rule::Text(Some(Kept::Currency))),
        "canVoid" => (5, Rule::Flag),
        "canRefund" => (6, Rule::Flag),
        "canCapture" => (7, Rule::Flag),
        "createdAt" => (8, Rule::Text(None)),
        "updatedAt" => (9, Rule::Text(None)),
        "requestReferenceNumber" => (10, Rule::Text(Some(Kept::Reference))),
        "description" => (11, Rule::Text(None)),
        "paymentTokenId" => (12, Rule::Text(None)),
        "fundSource" => (13, Rule::Value),
        "receipt" => (14, Rule::Value),
        "receiptNumber" => (15, Rule::Text(None)),
        "approvalCode" => (16, Rule::Text(None)),
        "metadata" => (17, Rule::Value),
        "verificationUrl" => (18, Rule::Text(Some(Kept::VerificationUrl))),
        "authorizationType" => (19, Rule::Text(None)),
        "capturedAmount" => (20, Rule::Captured),
        "authorizationPayment" => (21, Rule::Value),
        "errorCode" => (22, Rule::Text(Some(Kept::ErrorCode))),
        "errorMessage" => (23, Rule::Text(Some(Kept::ErrorMessage))),
        _ => return None,
    })
}

/// The top-level members the common event of a payment object is made of, and whether
/// `serde_json` is sure to decode the whole payment object as they say.
#[derive(Debug, Default)]
pub(crate) struct Fields<'b> {
    seen: u32,
    unsure: bool,
    /// A top-level `paymentStatus` or `paymentDetails`: a checkout object (legacy events).
    pub(crate) checkout_shaped: bool,
    id: Option<&'b str>,
    status: Option<&'b str>,
    amount: Option<Decimal>,
    captured: Option<Decimal>,
    currency: Option<&'b str>,
    reference: Option<&'b str>,
    error_code: Option<&'b str>,
    error_message: Option<&'b str>,
    verification_url: Option<&'b str>,
}

impl<'b> Fields<'b> {
    /// Notes one top-level member, as serde's derived decoder of `Payment` would read it.
    fn member(&mut self, key: &'b str, token: Token<'b>, raw: &'b str, unsure_number: bool) {
        // Unknown members are skipped by serde whatever they hold (the text is JSON).
        let Some((bit, rule)) = rule(key) else {
            if key == "paymentStatus" || key == "paymentDetails" {
                self.checkout_shaped = true;
            }
            return;
        };
        let flag = 1_u32 << bit;
        // serde refuses a repeated member.
        let mut sure = self.seen & flag == 0;
        self.seen |= flag;
        let text = match token {
            Token::Str(text) => Some(text),
            _ => None,
        };
        match rule {
            Rule::Id => {
                self.id = text;
                sure &= text.is_some();
            }
            Rule::Status => {
                self.status = text;
                sure &= text.is_some();
            }
            Rule::Amount | Rule::Captured => {
                // Exact decimals from the raw token, by the very function serde's reader calls.
                let value = match token {
                    Token::Null => None,
                    _ => {
                        let value = parse_decimal_literal(raw);
                        sure &= value.is_some();
                        value
                    }
                };
                if let Rule::Amount = rule {
                    self.amount = value;
                } else {
                    self.captured = value;
                }
            }
            Rule::Flag => sure &= matches!(token, Token::Null | Token::Bool),
            Rule::Value => sure &= !unsure_number,
            Rule::Text(kept) => {
                sure &= matches!(token, Token::Null | Token::Str(_));
                if let Some(kept) = kept {
                    *self.slot(kept) = text;
                }
            }
        }
        self.unsure |= !sure;
    }

    fn slot(&mut self, kept: Kept) -> &mut Option<&'b str> {
        match kept {
            Kept::Currency => &mut self.currency,
            Kept::Reference => &mut self.reference,
            Kept::ErrorCode => &mut self.error_code,
            Kept::ErrorMessage => &mut self.error_message,
            Kept::VerificationUrl => &mut self.verification_url,
        }
    }

    /// The status text, when serde is sure to decode the payment object.
    pub(crate) fn status(&self) -> Option<&'b str> {
        if self.unsure {
            return None;
        }
        self.status
    }

    /// The facts of the payment object with `status` (parsed from [`Fields::status`]), when
    /// serde is sure to decode it: `None` sends the caller to serde.
    pub(crate) fn payment<'s>(&'s self, status: &'s MayaStatus) -> Option<PaymentFacts<'s>> {
        if self.unsure {
            return None;
        }
        Some(PaymentFacts {
            id: self.id?,
            status,
            amount: self.amount,
            captured: self.captured,
            currency: self.currency,
            reference: self.reference,
            error_code: self.error_code,
            error_message: self.error_message,
            verification_url: self.verification_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use paykit_core::json_literal::JsonLiteral;

    use super::*;
    use crate::flatten::flatten;
    use crate::wire::Payment;

    const NONCE: &str = "ebda1e3fb8813e9c491775f0d25365bc";

    /// Every callback body of the fixtures.
    fn fixture_bodies() -> Vec<(String, Vec<u8>)> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/maya-checkout/callbacks"
        );
        let mut bodies = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            if let Some(body) = doc["body"]["value"].as_str() {
                bodies.push((path.display().to_string(), body.as_bytes().to_vec()));
            }
        }
        assert!(bodies.len() >= 14, "{}", bodies.len());
        bodies
    }

    /// What the scan reads of `body` is what the established readers read: the tree accepts
    /// it and flattens it to the same string under both renderings, the checkout shape is the
    /// tree's, and a payment the scan vouches for is serde's payment, member for member.
    /// Returns whether the scan read the body, and whether it vouched for a payment.
    fn agrees(body: &[u8]) -> (bool, bool) {
        let shown = String::from_utf8_lossy(body);
        let mut read = (false, false);
        for rendering in [NumberRendering::Canonical, NumberRendering::RawToken] {
            let Some(scanned) = scan(body, NONCE, rendering) else {
                assert!(!read.0, "read under one rendering only: {shown}");
                continue;
            };
            let tree = JsonLiteral::parse(body)
                .unwrap_or_else(|e| panic!("the scan read what the tree refuses ({e}): {shown}"));
            assert_eq!(
                scanned.message,
                flatten(&tree, NONCE, rendering),
                "{rendering:?}: {shown}"
            );
            let fields = &scanned.fields;
            assert_eq!(
                fields.checkout_shaped,
                tree.get("paymentStatus").is_some() || tree.get("paymentDetails").is_some(),
                "{shown}"
            );
            read.0 = true;
            let Some(status) = fields.status().map(MayaStatus::parse) else {
                continue;
            };
            let Some(facts) = fields.payment(&status) else {
                continue;
            };
            let decoded: Payment = serde_json::from_slice(body).unwrap_or_else(|e| {
                panic!("serde refuses a payment the scan vouched for ({e}): {shown}")
            });
            // Debug shows a decimal's scale (`249.50`), which equality of values does not.
            assert_eq!(
                format!("{facts:?}"),
                format!("{:?}", PaymentFacts::of(&decoded)),
                "{shown}"
            );
            assert_eq!(
                facts.outcome(None, false),
                PaymentFacts::of(&decoded).outcome(None, false)
            );
            read.1 = true;
        }
        read
    }

    #[test]
    fn every_fixture_body_reads_alike_and_the_scan_reads_the_common_ones() {
        let mut vouched = Vec::new();
        for (name, body) in fixture_bodies() {
            let (read, payment) = agrees(&body);
            if payment {
                vouched.push(name.clone());
            }
            if name.contains("realistic") || name.contains("minimal") {
                assert!(read && payment, "{name}");
            }
        }
        assert!(vouched.len() >= 8, "{vouched:?}");
    }

    #[test]
    fn every_truncation_deletion_and_byte_swap_reads_alike() {
        const BYTES: &[u8] = b"\"\\{}[],: 0e-.nt\x01\xc3\xff";
        let mut read = 0;
        let mut total = 0;
        for (name, body) in fixture_bodies() {
            let realistic = name.contains("realistic");
            for at in 0..body.len() {
                let mut variants = vec![body[..at].to_vec()];
                let mut deleted = body.clone();
                deleted.remove(at);
                variants.push(deleted);
                if realistic {
                    for &byte in BYTES {
                        let mut swapped = body.clone();
                        swapped[at] = byte;
                        variants.push(swapped);
                    }
                }
                for variant in variants {
                    total += 1;
                    if agrees(&variant).0 {
                        read += 1;
                    }
                }
            }
        }
        // The mutations reach both sides: some are read, most are left to the tree.
        assert!(read > 500 && read < total, "{read} of {total}");
    }

    /// Bodies the scan must leave to the established readers (or read, but not vouch for).
    #[test]
    fn what_serde_might_read_differently_is_left_to_serde() {
        let base = r#"{"id":"p-1","status":"PAYMENT_SUCCESS","amount":"249.50","currency":"PHP"}"#;
        assert_eq!(agrees(base.as_bytes()), (true, true));
        let edit = |from: &str, to: &str| base.replacen(from, to, 1);
        let unsure = [
            edit(r#""id":"p-1""#, r#""id":"p-1","id":"p-2""#),
            edit(r#""id":"p-1""#, r#""id":null"#),
            edit(r#""id":"p-1","#, ""),
            edit(r#""status":"PAYMENT_SUCCESS""#, r#""status":7"#),
            edit(r#""249.50""#, r#""abc""#),
            edit(r#""249.50""#, "true"),
            edit(r#""PHP""#, "1"),
            edit(r#""currency""#, r#""isPaid":"yes","currency""#),
            edit(r#""currency""#, r#""fundSource":{"n":1e400},"currency""#),
            edit(r#""currency""#, r#""amount":"1","currency""#),
        ];
        for body in &unsure {
            assert_eq!(agrees(body.as_bytes()), (true, false), "{body}");
            assert!(
                serde_json::from_str::<Payment>(body).is_err(),
                "serde reads {body}"
            );
        }
        let sure = [
            edit(r#""249.50""#, "249.50"),
            edit(r#""249.50""#, "null"),
            edit(r#""249.50""#, r#"" 2.5e2 ""#),
            edit(r#""currency""#, r#""extra":1e400,"extra":[],"currency""#),
            edit(
                r#""currency""#,
                r#""fundSource":{"n":12.5,"n":1},"currency""#,
            ),
            edit(
                r#""currency""#,
                r#""isPaid":null,"canVoid":false,"currency""#,
            ),
        ];
        for body in &sure {
            assert_eq!(agrees(body.as_bytes()), (true, true), "{body}");
        }
        let left_to_the_tree = [
            edit("p-1", r"p\u002d1"),
            edit(r#""id""#, r#""\u0069d""#),
            format!("\u{feff}{base}"),
            format!("[{base}]"),
            format!("{base} x"),
            edit(
                r#""currency""#,
                &format!(r#""deep":{}1{},"currency""#, "[".repeat(20), "]".repeat(20)),
            ),
        ];
        for body in &left_to_the_tree {
            assert_eq!(agrees(body.as_bytes()), (false, false), "{body}");
        }
        // A checkout object is told apart, and its payment left to serde's `Checkout`.
        let checkout = edit(
            r#""currency""#,
            r#""paymentStatus":"PAYMENT_SUCCESS","currency""#,
        );
        let scanned = scan(checkout.as_bytes(), NONCE, NumberRendering::Canonical).unwrap();
        assert!(scanned.fields.checkout_shaped);
    }
}
