//! A small JSON tree for the gateway's answers and webhook bodies. Numbers keep their
//! decimal text (never `f64`), the same tree is serialized for the wire and flattened for
//! the v1 webhook signature, so what is signed is exactly what is sent.

use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::json::{JsonKind, kind_of};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum J {
    Null,
    Bool(bool),
    /// A number, as its JSON literal text.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    /// Members in insertion order.
    Obj(Vec<(String, J)>),
}

impl J {
    /// An empty object.
    pub(crate) fn obj() -> Self {
        Self::Obj(Vec::new())
    }

    /// Adds (or replaces) member `key` of an object; a no-op on other values.
    #[must_use]
    pub(crate) fn with(mut self, key: &str, value: impl Into<J>) -> Self {
        self.set(key, value.into());
        self
    }

    /// Sets member `key` of an object.
    pub(crate) fn set(&mut self, key: &str, value: J) {
        if let Self::Obj(members) = self {
            if let Some(slot) = members.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                members.push((key.to_owned(), value));
            }
        }
    }

    /// A number written with exactly the digits of `d`.
    pub(crate) fn num(d: Decimal) -> Self {
        Self::Num(d.to_string())
    }

    /// A decimal with exactly two fraction digits, as a string (`"249.50"`).
    pub(crate) fn money_str(d: Decimal) -> Self {
        let mut v = d;
        v.rescale(2);
        Self::Str(v.to_string())
    }

    /// `Some` as the value, `None` as `null`.
    pub(crate) fn opt(value: Option<impl Into<J>>) -> Self {
        value.map_or(Self::Null, Into::into)
    }

    /// Reads a received raw JSON value (metadata the merchant sent) into a tree. `None` if
    /// it is not valid JSON (a `RawValue` always is) or nests deeper than `depth`.
    pub(crate) fn from_raw(raw: &RawValue, depth: usize) -> Option<Self> {
        let depth = depth.checked_sub(1)?;
        Some(match kind_of(raw) {
            JsonKind::Null => Self::Null,
            JsonKind::Bool => Self::Bool(raw.get().trim() == "true"),
            JsonKind::Number => Self::Num(raw.get().trim().to_owned()),
            JsonKind::String => Self::Str(serde_json::from_str(raw.get()).ok()?),
            JsonKind::Array => {
                let items: Vec<&RawValue> = serde_json::from_str(raw.get()).ok()?;
                Self::Arr(
                    items
                        .into_iter()
                        .map(|item| Self::from_raw(item, depth))
                        .collect::<Option<_>>()?,
                )
            }
            JsonKind::Object => {
                let members: Vec<(String, &RawValue)> = serde_json::from_str::<
                    std::collections::BTreeMap<String, &RawValue>,
                >(raw.get())
                .ok()?
                .into_iter()
                .collect();
                Self::Obj(
                    members
                        .into_iter()
                        .map(|(k, v)| Self::from_raw(v, depth).map(|v| (k, v)))
                        .collect::<Option<_>>()?,
                )
            }
        })
    }

    /// The compact JSON text.
    pub(crate) fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".to_owned())
    }
}

impl From<&str> for J {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}

impl From<String> for J {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}

impl From<&String> for J {
    fn from(s: &String) -> Self {
        Self::Str(s.clone())
    }
}

impl From<bool> for J {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<Decimal> for J {
    fn from(d: Decimal) -> Self {
        Self::num(d)
    }
}

impl From<u64> for J {
    fn from(n: u64) -> Self {
        Self::Num(n.to_string())
    }
}

impl From<Vec<J>> for J {
    fn from(items: Vec<J>) -> Self {
        Self::Arr(items)
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Num(text) => RawValue::from_string(text.clone())
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
            Self::Str(s) => serializer.serialize_str(s),
            Self::Arr(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Obj(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits() {
        let tree = J::obj()
            .with("a", J::num(Decimal::new(24950, 2)))
            .with("b", J::money_str(Decimal::new(7, 0)))
            .with("c", J::Null)
            .with("d", vec![J::Bool(true)]);
        assert_eq!(
            tree.to_text(),
            r#"{"a":249.50,"b":"7.00","c":null,"d":[true]}"#
        );
    }

    #[test]
    fn reads_raw_values_and_bounds_depth() {
        let raw: Box<RawValue> =
            serde_json::from_str(r#"{"pf":{"smi":"x","n":1.50},"t":[null,"y"]}"#).unwrap();
        let tree = J::from_raw(&raw, 8).unwrap();
        assert_eq!(
            tree.to_text(),
            r#"{"pf":{"n":1.50,"smi":"x"},"t":[null,"y"]}"#
        );
        let deep: Box<RawValue> = serde_json::from_str("[[[[1]]]]").unwrap();
        assert!(J::from_raw(&deep, 3).is_none());
        assert!(J::from_raw(&deep, 5).is_some());
    }
}
