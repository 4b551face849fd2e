//! Reading each call's answer (§4.8, §5): plain functions of the response and of what the
//! call asked, so that fuzzers reach every check they make (`crate::fuzzing`), not only the
//! parsers they are built from.

use paykit_core::http::RawResponse;
use paykit_core::{Error, Result};
use serde_json::Value;

use crate::PROVIDER;
use crate::error;
use crate::idempotency::IdempotencyKey;
use crate::receipt::Receipt;
use crate::status::OrderStatus;
use crate::types::{Accepted, ApplePayResult, ChargeAccepted, CreatedOrder, RequestReceived};
use crate::wire;

fn decode_error(reason: &str) -> Error {
    Error::Decode {
        provider: PROVIDER,
        reason: reason.to_owned(),
        snippet: String::new(),
    }
}

/// An answer naming another order than the one asked about: not the answer to this call.
fn other_order(field: &'static str, expected: &str, actual: String) -> Error {
    Error::Integrity {
        provider: PROVIDER,
        field: field.into(),
        expected: expected.to_owned(),
        actual,
    }
}

fn new_id(value: &Value) -> Result<String> {
    match value.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.clone()),
        _ => Err(decode_error("the answer has no order `id`")),
    }
}

fn order_details(value: &Value) -> Result<Option<Receipt>> {
    match value.get("order_details") {
        Some(details @ Value::Object(_)) => Receipt::from_value(details.clone()).map(Some),
        _ => Ok(None),
    }
}

fn immediate_status(value: &Value) -> Option<OrderStatus> {
    value
        .get("status")
        .and_then(Value::as_str)
        .map(OrderStatus::from_wire)
}

/// A create-order answer (any 2xx; §4.8 and its Google Pay / Apple Pay variants).
pub(crate) fn created_order(response: &RawResponse, key: &IdempotencyKey) -> Result<CreatedOrder> {
    let value = error::json_value(response)?;
    let id = new_id(&value)?;
    let redirect_url = wire::link(&value, "redirect");
    let accept_url = wire::link(&value, "accept");
    if redirect_url.is_none() && accept_url.is_none() {
        return Err(decode_error(
            "the created order has neither _links.redirect nor _links.accept",
        ));
    }
    Ok(CreatedOrder {
        details_url: wire::link(&value, "details"),
        immediate_status: immediate_status(&value),
        order_details: order_details(&value)?,
        redirect_url,
        accept_url,
        id,
        idempotency_key: key.clone(),
    })
}

/// A receipt (§5.1), which must be of `order_id`.
pub(crate) fn receipt(response: &RawResponse, order_id: &str) -> Result<Receipt> {
    let receipt = Receipt::from_value(error::json_value(response)?)?;
    if receipt.order_id != order_id {
        return Err(other_order("order_id", order_id, receipt.order_id));
    }
    Ok(receipt)
}

/// The `request_received` acknowledgement of a refund, approval or cancellation (§5.2, §5.3).
pub(crate) fn acknowledgement(
    response: &RawResponse,
    key: &IdempotencyKey,
) -> Result<RequestReceived> {
    let value = error::json_value(response)?;
    let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let ack_key = text("key").ok_or_else(|| decode_error("acknowledgement without `key`"))?;
    if ack_key != "request_received" {
        return Err(other_order("key", "request_received", ack_key));
    }
    Ok(RequestReceived {
        key: ack_key,
        message: text("message"),
        action_id: text("action_id"),
        idempotency_key: key.clone(),
    })
}

/// The bodiless 2xx of saving or deleting a card (§5.4).
pub(crate) fn accepted(response: &RawResponse, key: &IdempotencyKey) -> Result<Accepted> {
    if !response.is_success() {
        return Err(error::from_response(response));
    }
    Ok(Accepted {
        http_status: response.status.as_u16(),
        idempotency_key: key.clone(),
    })
}

/// A `/subscribe` answer (§5.4): a new order, never the parent `parent_order_id`.
pub(crate) fn charge_accepted(
    response: &RawResponse,
    parent_order_id: &str,
    key: &IdempotencyKey,
) -> Result<ChargeAccepted> {
    let value = error::json_value(response)?;
    let id = new_id(&value)?;
    if id == parent_order_id {
        // The answer names the parent, not a new charge: not the answer to this call.
        return Err(other_order("id", "a new order id", id));
    }
    Ok(ChargeAccepted {
        id,
        details_url: wire::link(&value, "details"),
        idempotency_key: key.clone(),
    })
}

/// An Apple Pay accept answer (§5.6), which must be of `order_id`.
pub(crate) fn apple_pay_result(
    response: &RawResponse,
    order_id: &str,
    key: &IdempotencyKey,
) -> Result<ApplePayResult> {
    let value = error::json_value(response)?;
    let id = new_id(&value)?;
    if id != order_id {
        return Err(other_order("id", order_id, id));
    }
    Ok(ApplePayResult {
        status: immediate_status(&value),
        order_details: order_details(&value)?,
        details_url: wire::link(&value, "details"),
        id,
        idempotency_key: key.clone(),
    })
}

#[cfg(test)]
mod tests {
    use paykit_core::http::StatusCode;

    use super::*;

    fn answer(status: u16, body: &str) -> RawResponse {
        RawResponse {
            provider: PROVIDER,
            status: StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.as_bytes().to_vec().into(),
            mutating: true,
            sensitive: false,
        }
    }

    const OTHER_RECEIPT: &str = r#"{"order_id":"other","order_status":{"key":"completed"},"purchase_units":{"request_amount":"30.0","currency_code":"GEL"}}"#;

    fn integrity_field<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Err(Error::Integrity { field, .. }) => field.to_string(),
            other => panic!("expected an integrity error, got {other:?}"),
        }
    }

    #[test]
    fn an_answer_about_another_order_is_refused() {
        let key = IdempotencyKey::derive("answers");
        let order = r#"{"id":"other","_links":{"details":{"href":"https://x/receipt/other"}}}"#;
        assert_eq!(
            integrity_field(apple_pay_result(&answer(200, order), "asked", &key)),
            "id"
        );
        assert_eq!(
            integrity_field(charge_accepted(
                &answer(200, r#"{"id":"parent"}"#),
                "parent",
                &key
            )),
            "id"
        );
        let new = charge_accepted(&answer(200, r#"{"id":"child"}"#), "parent", &key).unwrap();
        assert_eq!(new.id, "child");
        assert_eq!(
            integrity_field(receipt(&answer(200, OTHER_RECEIPT), "asked")),
            "order_id"
        );
    }

    #[test]
    fn an_acknowledgement_must_say_request_received() {
        let key = IdempotencyKey::derive("answers");
        let ack = acknowledgement(
            &answer(
                200,
                r#"{"key":"request_received","message":"ok","action_id":"a-1"}"#,
            ),
            &key,
        )
        .unwrap();
        assert_eq!(ack.action_id.as_deref(), Some("a-1"));
        assert_eq!(
            integrity_field(acknowledgement(&answer(200, r#"{"key":"rejected"}"#), &key)),
            "key"
        );
        assert!(matches!(
            acknowledgement(&answer(200, r#"{"message":"ok"}"#), &key),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn a_created_order_needs_a_page_and_an_id() {
        let key = IdempotencyKey::derive("answers");
        let created = created_order(
            &answer(
                200,
                r#"{"id":"o-1","_links":{"redirect":{"href":"https://pay/o-1"}}}"#,
            ),
            &key,
        )
        .unwrap();
        assert_eq!(created.id, "o-1");
        assert_eq!(created.redirect_url.as_deref(), Some("https://pay/o-1"));
        for body in [
            r#"{"id":"o-1"}"#,
            r#"{"id":" ","_links":{"redirect":{"href":"https://p"}}}"#,
        ] {
            assert!(
                matches!(
                    created_order(&answer(200, body), &key),
                    Err(Error::Decode { .. })
                ),
                "{body}"
            );
        }
        assert_eq!(accepted(&answer(202, ""), &key).unwrap().http_status, 202);
        assert!(accepted(&answer(404, "{}"), &key).is_err());
    }
}
