//! Typed reads from a JSON object whose values stay raw until asked for.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::money::parse_number;

/// The JSON type of a raw value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonKind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// The JSON type of `raw`, from its first byte (a `RawValue` is always valid JSON).
pub(crate) fn kind_of(raw: &RawValue) -> JsonKind {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'n') => JsonKind::Null,
        Some(b't' | b'f') => JsonKind::Bool,
        Some(b'"') => JsonKind::String,
        Some(b'[') => JsonKind::Array,
        Some(b'{') => JsonKind::Object,
        _ => JsonKind::Number,
    }
}

/// Why a field could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    /// Present with another JSON type than the one asked for.
    WrongType,
    /// A number too large or too precise to hold exactly.
    OutOfRange,
}

/// A JSON object with raw, lazily typed values. Duplicate keys keep the last value; `null`
/// reads as absent.
#[derive(Debug, Default)]
pub(crate) struct Object<'a> {
    fields: HashMap<String, &'a RawValue>,
}

impl<'a> Object<'a> {
    /// Parses `bytes` as a JSON object. `None` if it is not valid JSON or not an object.
    pub(crate) fn parse(bytes: &'a [u8]) -> Option<Self> {
        serde_json::from_slice::<HashMap<String, &'a RawValue>>(bytes)
            .ok()
            .map(|fields| Self { fields })
    }

    /// Parses a raw value that should be an object.
    pub(crate) fn from_raw(raw: &'a RawValue) -> Option<Self> {
        Self::parse(raw.get().as_bytes())
    }

    /// The raw value of `key`, if present and not `null`.
    pub(crate) fn raw(&self, key: &str) -> Option<&'a RawValue> {
        self.fields
            .get(key)
            .copied()
            .filter(|r| kind_of(r) != JsonKind::Null)
    }

    /// Whether `key` is present with a non-null value.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    /// A string field.
    pub(crate) fn str(&self, key: &str) -> Result<Option<String>, Field> {
        self.raw(key).map(as_string).transpose()
    }

    /// A number field, exactly.
    pub(crate) fn decimal(&self, key: &str) -> Result<Option<Decimal>, Field> {
        self.raw(key).map(as_decimal).transpose()
    }

    /// A boolean field.
    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, Field> {
        self.raw(key)
            .map(|r| match r.get().trim() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Field::WrongType),
            })
            .transpose()
    }

    /// A nested object field.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Object<'a>>, Field> {
        self.raw(key)
            .map(|r| Object::from_raw(r).ok_or(Field::WrongType))
            .transpose()
    }

    /// An array field, as its raw elements.
    pub(crate) fn array(&self, key: &str) -> Result<Option<Vec<&'a RawValue>>, Field> {
        self.raw(key)
            .map(|r| {
                serde_json::from_str::<Vec<&'a RawValue>>(r.get()).map_err(|_| Field::WrongType)
            })
            .transpose()
    }
}

/// A raw value as a string.
pub(crate) fn as_string(raw: &RawValue) -> Result<String, Field> {
    if kind_of(raw) != JsonKind::String {
        return Err(Field::WrongType);
    }
    serde_json::from_str::<String>(raw.get()).map_err(|_| Field::WrongType)
}

/// A raw value as an exact decimal number.
pub(crate) fn as_decimal(raw: &RawValue) -> Result<Decimal, Field> {
    if kind_of(raw) != JsonKind::Number {
        return Err(Field::WrongType);
    }
    parse_number(raw.get().trim()).ok_or(Field::OutOfRange)
}

/// A raw value as an integer.
pub(crate) fn as_int(raw: &RawValue) -> Result<i64, Field> {
    if kind_of(raw) != JsonKind::Number {
        return Err(Field::WrongType);
    }
    let text = raw.get().trim();
    if text.contains(['.', 'e', 'E']) {
        return Err(Field::WrongType);
    }
    text.parse::<i64>().map_err(|_| Field::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_typed_fields() {
        let body = br#"{"a":"x","n":10.50,"i":3,"b":true,"z":null,"o":{"k":1},"l":[1,"2"]}"#;
        let o = Object::parse(body).unwrap();
        assert_eq!(o.str("a"), Ok(Some("x".into())));
        assert_eq!(o.decimal("n"), Ok(Some(Decimal::new(1050, 2))));
        assert_eq!(o.raw("i").map(as_int), Some(Ok(3)));
        assert_eq!(o.bool("b"), Ok(Some(true)));
        assert_eq!(o.str("z"), Ok(None));
        assert!(!o.has("z"));
        assert_eq!(o.str("missing"), Ok(None));
        assert_eq!(
            o.object("o").unwrap().unwrap().decimal("k"),
            Ok(Some(Decimal::ONE))
        );
        assert_eq!(o.array("l").unwrap().unwrap().len(), 2);
    }

    #[test]
    fn type_mismatches_are_errors() {
        let o = Object::parse(br#"{"a":1,"n":"10.5","i":1.5,"big":1e999}"#).unwrap();
        assert_eq!(o.str("a"), Err(Field::WrongType));
        assert_eq!(o.decimal("n"), Err(Field::WrongType));
        assert_eq!(o.raw("i").map(as_int), Some(Err(Field::WrongType)));
        assert_eq!(o.decimal("big"), Err(Field::OutOfRange));
        assert_eq!(o.object("a").err(), Some(Field::WrongType));
    }

    #[test]
    fn non_objects_are_rejected() {
        for body in [&b"[]"[..], b"1", b"\"x\"", b"", b"{", b"\xff\xfe"] {
            assert!(Object::parse(body).is_none());
        }
    }
}
