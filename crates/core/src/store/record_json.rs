//! The one stored form of a [`PaymentRecord`]: a versioned JSON document every shared store
//! (Redis, PostgreSQL, a merchant's own) keeps as it is, so all read back the same record.
//!
//! Amounts are decimal strings with their currency, never numbers; times are Unix
//! milliseconds. The payment hash is included (it is what a store is for): the document is
//! stored, never logged.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::error::{Error, ProviderId, Result};
use crate::money::{Currency, Money};
use crate::outcome::PaymentStatus;
use crate::payment_ref::PaymentRef;

use super::records::{Flow, PaymentRecord, RefundRecord, RefundState};

/// The document's format version.
const VERSION: u64 = 1;

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn money(value: &Money) -> Value {
    json!({"value": value.to_fixed_string(), "currency": value.currency().code()})
}

fn status(value: &PaymentStatus) -> Value {
    match value {
        PaymentStatus::Failed { reason } => json!({"name": "failed", "reason": reason}),
        other => json!({"name": other.name()}),
    }
}

impl PaymentRecord {
    /// The record as its stored JSON document.
    pub fn to_json(&self) -> String {
        let ids = &self.ids;
        let refunds: Vec<Value> = self
            .refunds
            .iter()
            .map(|refund| {
                json!({
                    "id": refund.id,
                    "amount": money(&refund.amount),
                    "state": refund.state.name(),
                    "requested_at_ms": millis(refund.requested_at),
                })
            })
            .collect();
        json!({
            "v": VERSION,
            "provider": self.provider.as_str(),
            "ids": {
                "provider_payment_id": ids.provider_payment_id,
                "provider_order_id": ids.provider_order_id,
                "payment_hash": ids.payment_hash_secret(),
                "merchant_reference": ids.merchant_reference,
            },
            "flow": self.flow.map(Flow::name),
            "amount": self.amount.as_ref().map(money),
            "refunds": refunds,
            "last_status": self.last_status.as_ref().map(status),
            "updated_at_ms": millis(self.updated_at),
        })
        .to_string()
    }

    /// A record from its stored JSON document. A document this version cannot read is an
    /// [`Error::Store`] naming the field, never a silently partial record.
    pub fn from_json(text: &str) -> Result<PaymentRecord> {
        let value: Value = serde_json::from_str(text).map_err(|e| bad("document", e))?;
        let doc = value
            .as_object()
            .ok_or_else(|| bad("document", "not an object"))?;
        match doc.get("v").and_then(Value::as_u64) {
            Some(VERSION) => {}
            other => return Err(bad("v", format!("unsupported version {other:?}"))),
        }
        let provider = doc
            .get("provider")
            .and_then(Value::as_str)
            .and_then(ProviderId::intern)
            .ok_or_else(|| bad("provider", "missing or invalid"))?;
        let ids = doc
            .get("ids")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("ids", "missing"))?;
        let text_of = |map: &Map<String, Value>, field: &'static str| -> Result<Option<String>> {
            match map.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(field, "not a string")),
            }
        };
        let payment_id = text_of(ids, "provider_payment_id")?
            .ok_or_else(|| bad("provider_payment_id", "missing"))?;
        let mut payment_ref = PaymentRef::new().provider_payment_id(payment_id.clone());
        if let Some(order) = text_of(ids, "provider_order_id")? {
            payment_ref = payment_ref.provider_order_id(order);
        }
        if let Some(hash) = text_of(ids, "payment_hash")? {
            payment_ref = payment_ref.payment_hash(hash);
        }
        if let Some(reference) = text_of(ids, "merchant_reference")? {
            payment_ref = payment_ref.merchant_reference(reference);
        }
        let mut record = PaymentRecord::new(provider, payment_id).with_ids(&payment_ref);
        record.flow = match text_of(doc, "flow")? {
            Some(name) => Some(Flow::from_name(&name).ok_or_else(|| bad("flow", name))?),
            None => None,
        };
        record.amount = match doc.get("amount") {
            None | Some(Value::Null) => None,
            Some(value) => Some(money_from(value, "amount")?),
        };
        if let Some(refunds) = doc.get("refunds") {
            let refunds = refunds
                .as_array()
                .ok_or_else(|| bad("refunds", "not a list"))?;
            for refund in refunds {
                record.refunds.push(refund_from(refund)?);
            }
        }
        record.last_status = match doc.get("last_status") {
            None | Some(Value::Null) => None,
            Some(value) => Some(status_from(value)?),
        };
        record.updated_at = time_from(doc.get("updated_at_ms"), "updated_at_ms")?;
        Ok(record)
    }
}

fn bad(field: &'static str, why: impl std::fmt::Display) -> Error {
    Error::store("record", "decode", format!("{field}: {why}"))
}

fn time_from(value: Option<&Value>, field: &'static str) -> Result<SystemTime> {
    let ms = value
        .and_then(Value::as_u64)
        .ok_or_else(|| bad(field, "missing or not whole milliseconds"))?;
    UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .ok_or_else(|| bad(field, "out of range"))
}

fn money_from(value: &Value, field: &'static str) -> Result<Money> {
    let currency: Currency = value
        .get("currency")
        .and_then(Value::as_str)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| bad(field, "unknown currency"))?;
    let amount = value
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(field, "value is not a decimal string"))?;
    Money::parse(amount, currency).map_err(|e| bad(field, e))
}

fn refund_from(value: &Value) -> Result<RefundRecord> {
    let state = value
        .get("state")
        .and_then(Value::as_str)
        .and_then(RefundState::from_name)
        .ok_or_else(|| bad("refunds.state", "unknown"))?;
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("refunds.id", "missing"))?;
    let amount = money_from(
        value.get("amount").unwrap_or(&Value::Null),
        "refunds.amount",
    )?;
    let mut refund = RefundRecord::requested(amount);
    refund.id = id.to_owned();
    refund.state = state;
    refund.requested_at = time_from(value.get("requested_at_ms"), "refunds.requested_at_ms")?;
    Ok(refund)
}

fn status_from(value: &Value) -> Result<PaymentStatus> {
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("last_status", "missing name"))?;
    let known = [
        PaymentStatus::Pending,
        PaymentStatus::RequiresAction,
        PaymentStatus::Authorized,
        PaymentStatus::Captured,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Cancelled,
        PaymentStatus::Expired,
    ];
    if name == "failed" {
        let reason = value
            .get("reason")
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Ok(PaymentStatus::Failed { reason });
    }
    known
        .into_iter()
        .find(|status| status.name() == name)
        .ok_or_else(|| bad("last_status", format!("unknown state {name:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> PaymentRecord {
        let ids = PaymentRef::new()
            .provider_payment_id("ord-1")
            .provider_order_id("o-1")
            .payment_hash("hash-secret")
            .merchant_reference("shop-1");
        let amount = Money::parse("12.50", Currency::GEL).unwrap();
        let mut record = PaymentRecord::new(ProviderId("bog"), "ord-1")
            .with_ids(&ids)
            .with_flow(Flow::Hold)
            .with_amount(Some(amount));
        let mut refund = RefundRecord::requested(Money::parse("2.05", Currency::GEL).unwrap());
        refund.state = RefundState::Accepted;
        record.refunds.push(refund);
        record.last_status = Some(PaymentStatus::Failed {
            reason: Some("declined \"x\"".into()),
        });
        record
    }

    #[test]
    fn a_record_reads_back_equal() {
        for record in [full(), PaymentRecord::new(ProviderId("maib"), "p")] {
            let text = record.to_json();
            assert_eq!(PaymentRecord::from_json(&text).unwrap(), record, "{text}");
        }
        assert!(full().to_json().contains(r#""value":"12.50""#));
    }

    #[test]
    fn unreadable_documents_name_the_field() {
        let text = full().to_json();
        let cases = [
            (text.replace(r#""v":1"#, r#""v":2"#), "v:"),
            (text.replace("\"GEL\"", "\"XYZ\""), "amount"),
            (text.replace("\"accepted\"", "\"lost\""), "refunds.state"),
            (text.replace("\"hold\"", "\"bogus\""), "flow"),
            ("[]".to_owned(), "document"),
            ("{".to_owned(), "document"),
        ];
        for (doc, field) in cases {
            let error = PaymentRecord::from_json(&doc).unwrap_err().to_string();
            assert!(error.contains(field), "{error} should name {field}");
            assert!(!error.contains("hash-secret"), "{error}");
        }
    }
}
