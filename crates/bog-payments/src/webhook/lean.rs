//! The common shape of a verified callback, read in one borrowed pass for
//! [`paykit_core::Webhook::verify`] (issue 16: verification close to the cost of its RSA
//! verify).
//!
//! [`parse_callback`](super::parse_callback) builds a `serde_json` tree of the whole body and
//! keeps it as [`Receipt::raw`](crate::receipt::Receipt::raw); the common event needs a dozen of its fields, and building
//! that tree (and a copy of its receipt) took longer than the signature check. This reader runs the same `serde_json`
//! deserializer over the body, visiting every value as the tree does (so it accepts and refuses
//! the same text: UTF-8, escapes, numbers in `f64`'s range, nesting depth), but keeps only those
//! fields, strings borrowed from the body, and builds nothing else. It refuses ([`Unusual`])
//! what it could read differently from the general reader: a number where text or an amount is
//! expected (the general reader renders it through `f64`), a field it reads given twice (the
//! tree keeps the last one), a field of an unexpected kind, and every body the general reader
//! refuses. Refused bodies go to the general reader, which decides; so this reader answers what
//! the general one would. It builds no receipt: [`read`] gives the [`ReceiptFacts`] the event
//! and the record check read, borrowed from the body, the same view a parsed receipt gives.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use paykit_core::Decimal;
use paykit_core::wire::parse_decimal_literal;
use serde::Deserialize;
use serde::de::{Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

use crate::facts::ReceiptFacts;
use crate::receipt::{ActionKind, ActionStatus};
use crate::status::OrderStatus;

/// This body is not in the common shape: the general reader decides.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unusual;

type Read<T> = Result<T, Unusual>;

/// One field's value, as far as the receipt's rules tell kinds apart.
#[derive(Debug, Default, PartialEq)]
enum Field<'a> {
    /// A string, borrowed from the body unless it had escapes.
    Text(Cow<'a, str>),
    /// A number (its text is not kept: the general reader's is `f64`'s).
    Number,
    /// `null`, or absent.
    #[default]
    Null,
    /// `true`, `false`, an object or an array (visited, not built).
    Other,
}

/// A value visited as `serde_json`'s tree visits it, so that it fails where the tree does,
/// and built nowhere.
struct Skipped;

/// Visits any value; `T` is what a scalar becomes.
struct AnyVisitor<'a, T>(PhantomData<(&'a str, T)>);

/// What [`AnyVisitor`] makes of each kind of value.
trait Kinds<'a>: Sized {
    fn text(text: Cow<'a, str>) -> Self;
    fn number() -> Self;
    fn null() -> Self;
    fn other() -> Self;
}

impl<'a> Kinds<'a> for Field<'a> {
    fn text(text: Cow<'a, str>) -> Self {
        Field::Text(text)
    }
    fn number() -> Self {
        Field::Number
    }
    fn null() -> Self {
        Field::Null
    }
    fn other() -> Self {
        Field::Other
    }
}

impl Kinds<'_> for Skipped {
    fn text(_: Cow<'_, str>) -> Self {
        Skipped
    }
    fn number() -> Self {
        Skipped
    }
    fn null() -> Self {
        Skipped
    }
    fn other() -> Self {
        Skipped
    }
}

impl<'de: 'a, 'a, T: Kinds<'a>> Visitor<'de> for AnyVisitor<'a, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<T, E> {
        Ok(T::text(Cow::Borrowed(text)))
    }

    fn visit_str<E>(self, text: &str) -> Result<T, E> {
        Ok(T::text(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E>(self, text: String) -> Result<T, E> {
        Ok(T::text(Cow::Owned(text)))
    }

    fn visit_u64<E>(self, _: u64) -> Result<T, E> {
        Ok(T::number())
    }

    fn visit_i64<E>(self, _: i64) -> Result<T, E> {
        Ok(T::number())
    }

    fn visit_f64<E>(self, _: f64) -> Result<T, E> {
        Ok(T::number())
    }

    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::null())
    }

    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok(T::other())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        while map.next_entry::<Skipped, Skipped>()?.is_some() {}
        Ok(T::other())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        while seq.next_element::<Skipped>()?.is_some() {}
        Ok(T::other())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor(PhantomData))
    }
}

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor::<'de, Skipped>(PhantomData))
    }
}

impl Field<'_> {
    /// The receipt's text rule: a non-empty string, else nothing; a number is [`Unusual`].
    fn text(&self) -> Read<Option<&str>> {
        match self {
            Field::Text(text) if !text.is_empty() => Ok(Some(text)),
            Field::Number => Err(Unusual),
            _ => Ok(None),
        }
    }

    /// The receipt's amount rule for strings (`null` and blank are nothing); a number, or text
    /// that is not an amount (the general reader's error), is [`Unusual`].
    fn amount(&self) -> Read<Option<Decimal>> {
        match self {
            Field::Null => Ok(None),
            // Parsed first: a blank text never parses, so blankness is only looked for in
            // what did not (one trim per amount fewer, in the common case).
            Field::Text(text) => match parse_decimal_literal(text) {
                Some(amount) => Ok(Some(amount)),
                None if text.trim().is_empty() => Ok(None),
                None => Err(Unusual),
            },
            Field::Number | Field::Other => Err(Unusual),
        }
    }
}

/// An object of which some members are read: each a [`Field`] or a nested object (absent:
/// the default), any other member [`Skipped`], a read member given twice an error.
macro_rules! members {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $kind:ty,)* }) => {
        $(#[$doc])*
        #[derive(Default)]
        #[cfg_attr(test, derive(Debug, PartialEq))]
        pub(super) struct $name<'a> {
            $($field: $kind,)*
            text: PhantomData<&'a str>,
        }

        impl<'de: 'a, 'a> Deserialize<'de> for $name<'a> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Members<'a>(PhantomData<&'a str>);

                impl<'de: 'a, 'a> Visitor<'de> for Members<'a> {
                    type Value = $name<'a>;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("the object ", stringify!($name)))
                    }

                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name<'a>, A::Error> {
                        let mut read = $name::default();
                        // Whether each read member was seen, named after it.
                        $(let mut $field = false;)*
                        while let Some(key) = map.next_key::<Field<'a>>()? {
                            let Field::Text(key) = key else {
                                return Err(A::Error::custom("a key that is not a string"));
                            };
                            match key.as_ref() {
                                $(stringify!($field) => {
                                    if std::mem::replace(&mut $field, true) {
                                        return Err(A::Error::custom("a read member given twice"));
                                    }
                                    read.$field = map.next_value()?;
                                })*
                                _ => {
                                    map.next_value::<Skipped>()?;
                                }
                            }
                        }
                        Ok(read)
                    }
                }

                deserializer.deserialize_map(Members(PhantomData))
            }
        }
    };
}

members!(
    /// The envelope (§7.1).
    Envelope {
        event: Field<'a>,
        zoned_request_time: Field<'a>,
        body: Option<Body<'a>>,
    }
);

members!(
    /// The receipt's members the event and the record check read.
    Body {
        order_id: Field<'a>,
        order_status: Option<StatusKey<'a>>,
        external_order_id: Field<'a>,
        purchase_units: Option<Units<'a>>,
        payment_detail: Option<Detail<'a>>,
        actions: Option<Vec<ActionEntry<'a>>>,
        reject_reason: Field<'a>,
    }
);

members!(
    /// `order_status`.
    StatusKey { key: Field<'a>, }
);

members!(
    /// `purchase_units`.
    Units {
        request_amount: Field<'a>,
        transfer_amount: Field<'a>,
        refund_amount: Field<'a>,
        currency_code: Field<'a>,
        items: Option<Vec<Item<'a>>>,
    }
);

members!(
    /// A basket line: checked, not kept (the general reader refuses one whose amounts do not
    /// read).
    Item {
        quantity: Field<'a>,
        unit_price: Field<'a>,
    }
);

members!(
    /// `payment_detail`.
    Detail {
        code: Field<'a>,
        payer_identifier: Field<'a>,
        saved_card_type: Field<'a>,
    }
);

members!(
    /// An `actions[]` entry.
    ActionEntry {
        action_id: Field<'a>,
        request_channel: Field<'a>,
        action: Field<'a>,
        status: Field<'a>,
        zoned_action_date: Field<'a>,
        amount: Field<'a>,
        code: Field<'a>,
        code_description: Field<'a>,
    }
);

/// A callback in the common shape, borrowed from its [`Envelope`]: what the common event and
/// the record check read, and nothing else.
#[derive(Debug, PartialEq)]
pub(super) struct Lean<'a> {
    /// `event`.
    pub(super) event: &'a str,
    /// What is read of `body`, the receipt.
    pub(super) facts: ReceiptFacts<'a>,
}

/// The envelope of `body` (already verified), or [`Unusual`].
pub(super) fn envelope(body: &[u8]) -> Read<Envelope<'_>> {
    // UTF-8 checked once for the whole text, not string by string: the same verdict (outside
    // strings only ASCII is grammar), a fraction of the cost.
    let text = std::str::from_utf8(body).map_err(|_| Unusual)?;
    // By hand where that reads the same (`scan.rs`), else through serde's visitors.
    match scan::envelope(text) {
        Some(envelope) => Ok(envelope),
        None => serde_json::from_str(text).map_err(|_| Unusual),
    }
}

/// The callback in `envelope`, or [`Unusual`] where the general reader could answer
/// differently: every check the general reader makes of the fields it parses (amounts,
/// texts that are numbers) is made here, and the fields are read as it reads them.
pub(super) fn read<'e>(envelope: &'e Envelope<'_>) -> Read<Lean<'e>> {
    let Field::Text(event) = &envelope.event else {
        return Err(Unusual);
    };
    let body = envelope.body.as_ref().ok_or(Unusual)?;
    Ok(Lean {
        event,
        facts: facts(body)?,
    })
}

fn facts<'e>(body: &'e Body<'_>) -> Read<ReceiptFacts<'e>> {
    let order_id = body.order_id.text()?.ok_or(Unusual)?;
    let status = match body.order_status.as_ref().map(|s| &s.key) {
        Some(Field::Text(key)) => OrderStatus::from_wire(key),
        _ => return Err(Unusual),
    };
    let units = body.purchase_units.as_ref().ok_or(Unusual)?;
    for item in units.items.iter().flatten() {
        item.quantity.amount()?;
        item.unit_price.amount()?;
    }
    let mut cancelled = false;
    let mut last_action_id = None;
    for entry in body.actions.iter().flatten() {
        let action = action(entry)?;
        cancelled |= ReceiptFacts::cancels(&action.kind, &action.status);
        last_action_id = Some(action.id);
    }
    let (code, saved_card) = match &body.payment_detail {
        Some(detail) => {
            let payer = detail.payer_identifier.text()?;
            let saved = detail.saved_card_type.text()?.map(|_| payer);
            (detail.code.text()?, saved)
        }
        None => (None, None),
    };
    let currency_code = units.currency_code.text()?;
    Ok(ReceiptFacts {
        order_id,
        status: Cow::Owned(status),
        external_order_id: body.external_order_id.text()?,
        request_amount: units.request_amount.amount()?,
        transfer_amount: units.transfer_amount.amount()?,
        refund_amount: units.refund_amount.amount()?,
        currency: currency_code.and_then(|c| c.parse().ok()),
        currency_code,
        reject_reason: body.reject_reason.text()?,
        code,
        saved_card,
        cancelled,
        last_action_id,
    })
}

/// What is read of an `actions[]` entry.
struct ActionFacts<'e> {
    id: Option<&'e str>,
    kind: ActionKind,
    status: ActionStatus,
}

/// An entry's facts, its other fields held to the general reader's rules (a number as text is
/// [`Unusual`], an amount must read).
fn action<'e>(entry: &'e ActionEntry<'_>) -> Read<ActionFacts<'e>> {
    for text in [
        &entry.request_channel,
        &entry.zoned_action_date,
        &entry.code,
        &entry.code_description,
    ] {
        text.text()?;
    }
    entry.amount.amount()?;
    Ok(ActionFacts {
        id: entry.action_id.text()?,
        kind: ActionKind::from_wire(entry.action.text()?.unwrap_or_default()),
        status: ActionStatus::from_wire(entry.status.text()?.unwrap_or_default()),
    })
}

mod scan;

#[cfg(test)]
mod tests;
