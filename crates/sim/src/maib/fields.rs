//! Reading maib request fields one by one, collecting every error with its code.

use rust_decimal::Decimal;

use super::errors::MaibError;
use super::state::Item;
use super::validate::MAX_AMOUNT;
use crate::json::{Field, Object, as_decimal, as_int, as_string};
use crate::urls::is_url;

/// Collected validation errors.
#[derive(Default)]
pub(super) struct Errors(pub(super) Vec<MaibError>);

impl Errors {
    pub(super) fn push(&mut self, e: MaibError) {
        self.0.push(e);
    }

    pub(super) fn finish<T>(self, value: T) -> Result<T, Vec<MaibError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    pub(super) fn text(&mut self, body: &Object<'_>, name: &str) -> Option<String> {
        match body.str(name) {
            Ok(v) => v,
            Err(_) => {
                self.push(MaibError::invalid(name));
                None
            }
        }
    }

    pub(super) fn limited(
        &mut self,
        body: &Object<'_>,
        name: &str,
        max: usize,
        code: &'static str,
    ) -> Option<String> {
        let value = self.text(body, name)?;
        if value.chars().count() > max {
            self.push(MaibError::too_long(code, name, max));
        }
        Some(value)
    }

    pub(super) fn url(
        &mut self,
        body: &Object<'_>,
        name: &str,
        code: &'static str,
    ) -> Option<String> {
        let value = self.text(body, name)?;
        if value.len() > 2048 || !is_url(&value) {
            self.push(MaibError::format(code, name));
        }
        Some(value)
    }

    pub(super) fn money(
        &mut self,
        body: &Object<'_>,
        name: &str,
        min: Decimal,
        (range, scale): (&'static str, &'static str),
    ) -> Option<Decimal> {
        match body.decimal(name) {
            Ok(value) => {
                let value = value?;
                self.check_money(value, name, min, range, scale);
                Some(value)
            }
            Err(Field::OutOfRange) => {
                self.push(MaibError::range(
                    range,
                    name,
                    &min.to_string(),
                    &MAX_AMOUNT.to_string(),
                ));
                None
            }
            Err(Field::WrongType) => {
                self.push(MaibError::invalid(name));
                None
            }
        }
    }

    pub(super) fn check_money(
        &mut self,
        value: Decimal,
        name: &str,
        min: Decimal,
        range: &'static str,
        scale: &'static str,
    ) {
        if value < min || value > MAX_AMOUNT {
            self.push(MaibError::range(
                range,
                name,
                &min.to_string(),
                &MAX_AMOUNT.to_string(),
            ));
        } else if value.normalize().scale() > 2 {
            self.push(MaibError::scale(scale, name));
        }
    }

    pub(super) fn items(&mut self, body: &Object<'_>) -> Vec<Item> {
        let Ok(raw_items) = body.array("items") else {
            self.push(MaibError::invalid("items"));
            return Vec::new();
        };
        let raw_items = raw_items.unwrap_or_default();
        if raw_items.len() > 50 {
            self.push(MaibError::too_many_items());
            return Vec::new();
        }
        let mut items = Vec::with_capacity(raw_items.len());
        for (i, raw) in raw_items.into_iter().enumerate() {
            let Some(obj) = Object::from_raw(raw) else {
                self.push(MaibError::invalid(&format!("items[{i}]")));
                continue;
            };
            let mut item = Item {
                id: None,
                name: None,
                price: None,
                quantity: None,
            };
            for (key, max, code) in [("id", 36, "12036"), ("name", 128, "12037")] {
                let value = match obj.raw(key).map(as_string).transpose() {
                    Ok(v) => v,
                    Err(_) => {
                        self.push(MaibError::invalid(&format!("items[{i}].{key}")));
                        None
                    }
                };
                if value.as_ref().is_some_and(|v| v.chars().count() > max) {
                    self.push(MaibError::too_long(code, &format!("items[{i}].{key}"), max).item(i));
                }
                if key == "id" {
                    item.id = value;
                } else {
                    item.name = value;
                }
            }
            match obj.raw("price").map(as_decimal).transpose() {
                Ok(price) => {
                    if let Some(p) = price {
                        let name = format!("items[{i}].price");
                        if p < Decimal::ZERO || p > MAX_AMOUNT {
                            self.push(
                                MaibError::range("12038", &name, "0", &MAX_AMOUNT.to_string())
                                    .item(i),
                            );
                        } else if p.normalize().scale() > 2 {
                            self.push(MaibError::scale("12039", &name).item(i));
                        }
                    }
                    item.price = price;
                }
                Err(_) => self.push(MaibError::invalid(&format!("items[{i}].price"))),
            }
            match obj.raw("quantity").map(as_int).transpose() {
                Ok(Some(q)) if q <= 0 || q > i64::from(i32::MAX) => {
                    self.push(MaibError::quantity(i));
                }
                Ok(q) => item.quantity = q,
                Err(_) => self.push(MaibError::invalid(&format!("items[{i}].quantity"))),
            }
            items.push(item);
        }
        items
    }
}
