//! JSON without floats: request bodies are read as raw value slices and numbers are parsed
//! from their literal text into [`Decimal`](rust_decimal::Decimal); response numbers are
//! written from decimals verbatim.

mod money;
mod object;

pub(crate) use money::{Money, parse_number, parse_plain_decimal};
pub(crate) use object::{Field, JsonKind, Object, as_decimal, as_int, as_string, kind_of};
