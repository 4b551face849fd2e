//! Reading request bodies (maya-checkout.md §3): the RRN (1–36 characters), the three amount
//! shapes (`totalAmount.value`, `totalAmount.amount`, `captureAmount.amount`: a JSON number
//! above zero with at most two decimals), `redirectUrl`, `metadata`, `authorizationType`.
//! Every problem is collected, so one `2553` lists all the offending fields.

use rust_decimal::Decimal;

use super::J;
use super::errors::{self, Parameter, Product};
use super::state::{AuthType, Redirect};
use crate::json::{Field, Object};
use crate::server::{SimRequest, SimResponse};
use crate::urls::is_url;

/// Nesting accepted in echoed objects (`metadata`, `buyer`, `items`).
const MAX_DEPTH: usize = 16;

/// The request body as a JSON object (`PY0064` otherwise); an empty body reads as `{}`
/// when `allow_empty`.
pub(crate) fn body(req: &SimRequest, allow_empty: bool) -> Result<Object<'_>, SimResponse> {
    if allow_empty && req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Object::default());
    }
    Object::parse(&req.body).ok_or_else(errors::bad_json)
}

/// An amount and its currency, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Amount {
    pub(crate) value: Decimal,
    pub(crate) currency: String,
}

/// Collects field problems while reading one body.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    pub(crate) problems: Vec<Parameter>,
}

impl Reader {
    fn problem(&mut self, field: &str, description: &str) {
        self.problems.push(Parameter::new(field, description));
    }

    /// `2553` (or `PYBY0001`) if anything was wrong.
    pub(crate) fn finish(self, product: Product) -> Result<(), SimResponse> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(errors::invalid(product, &self.problems))
        }
    }

    /// A string field.
    pub(crate) fn string(
        &mut self,
        obj: &Object<'_>,
        key: &str,
        required: bool,
        max_len: usize,
    ) -> Option<String> {
        match obj.str(key) {
            Ok(Some(s)) if s.is_empty() && required => {
                self.problem(key, &format!("{key} must not be empty"));
                None
            }
            Ok(Some(s)) if s.chars().count() > max_len => {
                self.problem(key, &format!("{key}: length must be at most {max_len}"));
                None
            }
            Ok(Some(s)) => Some(s),
            Ok(None) if required => {
                self.problem(key, &format!("{key} is required"));
                None
            }
            Ok(None) => None,
            Err(_) => {
                self.problem(key, &format!("{key} must be a string"));
                None
            }
        }
    }

    /// `requestReferenceNumber`: 1–36 characters.
    pub(crate) fn rrn(&mut self, obj: &Object<'_>, required: bool) -> Option<String> {
        self.string(obj, "requestReferenceNumber", required, 36)
            .filter(|s| !s.is_empty())
    }

    /// `<object_key>.<number_key>` + `<object_key>.currency`, both required.
    pub(crate) fn amount(
        &mut self,
        obj: &Object<'_>,
        object_key: &str,
        number_key: &str,
    ) -> Option<Amount> {
        let inner = match obj.object(object_key) {
            Ok(Some(inner)) => inner,
            Ok(None) => {
                self.problem(object_key, &format!("{object_key} is required"));
                return None;
            }
            Err(_) => {
                self.problem(object_key, &format!("{object_key} must be an object"));
                return None;
            }
        };
        let field = format!("{object_key}.{number_key}");
        let value = match inner.decimal(number_key) {
            Ok(Some(v)) if v > Decimal::ZERO && v.normalize().scale() <= 2 => Some(v),
            Ok(Some(_)) => {
                self.problem(
                    &field,
                    &format!("{number_key} must be greater than 0 with at most 2 decimals"),
                );
                None
            }
            Ok(None) => {
                self.problem(&field, &format!("{number_key} is required"));
                None
            }
            Err(Field::WrongType | Field::OutOfRange) => {
                self.problem(&field, &format!("{number_key} must be a number"));
                None
            }
        };
        let currency = match inner.str("currency") {
            Ok(Some(c)) if !c.is_empty() => Some(c),
            Ok(_) => {
                self.problem(&format!("{object_key}.currency"), "currency is required");
                None
            }
            Err(_) => {
                self.problem(
                    &format!("{object_key}.currency"),
                    "currency must be a string",
                );
                None
            }
        };
        Some(Amount {
            value: value?,
            currency: currency?,
        })
    }

    /// `redirectUrl{success, failure, cancel}` (optional; each an absolute URL).
    pub(crate) fn redirect(&mut self, obj: &Object<'_>, required: bool) -> Redirect {
        let inner = match obj.object("redirectUrl") {
            Ok(Some(inner)) => inner,
            Ok(None) => {
                if required {
                    self.problem("redirectUrl", "redirectUrl is required");
                }
                return Redirect::default();
            }
            Err(_) => {
                self.problem("redirectUrl", "redirectUrl must be an object");
                return Redirect::default();
            }
        };
        let mut url = |key: &str| match inner.str(key) {
            Ok(Some(u)) if is_url(&u) => Some(u),
            Ok(None) => None,
            _ => {
                self.problem(&format!("redirectUrl.{key}"), "must be a valid URL");
                None
            }
        };
        Redirect {
            success: url("success"),
            failure: url("failure"),
            cancel: url("cancel"),
        }
    }

    /// An object (or, with `array`, an array) echoed back as sent; `Null` when absent.
    pub(crate) fn tree(&mut self, obj: &Object<'_>, key: &str, array: bool) -> J {
        let Some(raw) = obj.raw(key) else {
            return J::Null;
        };
        match J::from_raw(raw, MAX_DEPTH) {
            Some(tree @ J::Obj(_)) if !array => tree,
            Some(tree @ J::Arr(_)) if array => tree,
            _ => {
                let kind = if array { "an array" } else { "an object" };
                self.problem(key, &format!("{key} must be {kind}"));
                J::Null
            }
        }
    }

    /// `authorizationType`: `NORMAL`, `FINAL` or `PREAUTHORIZATION`.
    pub(crate) fn auth_type(&mut self, obj: &Object<'_>) -> Option<AuthType> {
        let text = self.string(obj, "authorizationType", false, 32)?;
        let parsed = AuthType::parse(&text);
        if parsed.is_none() {
            self.problem(
                "authorizationType",
                "authorizationType must be NORMAL, FINAL or PREAUTHORIZATION",
            );
        }
        parsed
    }

    /// `reason` of a void or refund: 1–512 characters.
    pub(crate) fn reason(&mut self, obj: &Object<'_>) -> Option<String> {
        self.string(obj, "reason", true, 512)
            .filter(|s| !s.is_empty())
    }
}

/// Whether `pan` looks like a card number: 12–19 digits passing the Luhn check.
pub(crate) fn is_pan(pan: &str) -> bool {
    if !(12..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = pan
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn() {
        assert!(is_pan("4123450131001522"));
        assert!(is_pan("5123456789012346"));
        assert!(!is_pan("4123450131001523"));
        assert!(!is_pan("41234501310015a2"));
        assert!(!is_pan("4111"));
    }

    #[test]
    fn amounts_are_positive_numbers_with_two_decimals() {
        let cases = [
            (r#"{"totalAmount":{"value":249.5,"currency":"PHP"}}"#, true),
            (
                r#"{"totalAmount":{"value":249.500,"currency":"PHP"}}"#,
                true,
            ),
            (r#"{"totalAmount":{"value":0,"currency":"PHP"}}"#, false),
            (r#"{"totalAmount":{"value":1.005,"currency":"PHP"}}"#, false),
            (r#"{"totalAmount":{"value":"10","currency":"PHP"}}"#, false),
            (r#"{"totalAmount":{"value":10}}"#, false),
            (r#"{"totalAmount":[]}"#, false),
            (r#"{}"#, false),
        ];
        for (body, ok) in cases {
            let obj = Object::parse(body.as_bytes()).unwrap();
            let mut r = Reader::default();
            let got = r.amount(&obj, "totalAmount", "value");
            assert_eq!(got.is_some(), ok, "{body}");
            assert_eq!(r.problems.is_empty(), ok, "{body}");
        }
    }

    #[test]
    fn rrn_length_is_bounded() {
        let long = format!(r#"{{"requestReferenceNumber":"{}"}}"#, "x".repeat(37));
        let obj = Object::parse(long.as_bytes()).unwrap();
        let mut r = Reader::default();
        assert_eq!(r.rrn(&obj, true), None);
        assert_eq!(
            r.problems[0].description,
            "requestReferenceNumber: length must be at most 36"
        );
        let obj = Object::parse(br#"{"requestReferenceNumber":"order-1"}"#).unwrap();
        assert_eq!(
            Reader::default().rrn(&obj, true).as_deref(),
            Some("order-1")
        );
    }
}
