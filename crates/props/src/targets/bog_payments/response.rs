//! Every answer decoder of the Payments API, and the receipt read back against its body.

use paykit_bog_payments::Receipt;
use paykit_core::Decimal;
use serde_json::Value;

use crate::targets::decoders::response_of;

/// Every answer decoder (`paykit_bog_payments::fuzzing::decode_response`, input as
/// [`response_of`]), and the receipt reader on the body: a non-2xx answer never decodes as a
/// success, and a receipt reads back what the body says (order id, status key, amounts).
pub fn bog_payments_response(data: &[u8]) {
    let response = response_of("bog-payments", data);
    let decoded = paykit_bog_payments::fuzzing::decode_response(&response);
    if !response.is_success() {
        assert_eq!(
            decoded, 0,
            "a {} answer decoded as a success",
            response.status
        );
    }
    let status = response.status.as_u16();
    paykit_bog_payments::fuzzing::decode_error(status, &response.body);
    paykit_bog_payments::fuzzing::decode_token(&response.body);
    paykit_bog_payments::fuzzing::decode_receipt(&response.body);
    let Ok(value) = serde_json::from_slice::<Value>(&response.body) else {
        return;
    };
    if let Ok(receipt) = Receipt::from_value(value.clone()) {
        receipt_reads_back(&receipt, &value);
    }
}

/// A JSON amount as the receipt's reader must take it: a numeric string or a number.
fn amount_of(value: Option<&Value>) -> Option<Decimal> {
    match value? {
        Value::String(text) => paykit_core::wire::parse_decimal_literal(text),
        Value::Number(number) => paykit_core::wire::parse_decimal_literal(&number.to_string()),
        _ => None,
    }
}

fn receipt_reads_back(receipt: &Receipt, value: &Value) {
    let order_id = match value.get("order_id") {
        Some(Value::String(id)) => Some(id.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    assert_eq!(Some(receipt.order_id.clone()), order_id, "order_id");
    assert!(
        !receipt.order_id.is_empty(),
        "an empty order_id was accepted"
    );
    let key = value
        .get("order_status")
        .and_then(|s| s.get("key"))
        .and_then(Value::as_str);
    assert_eq!(Some(receipt.status.as_str()), key, "order_status.key");
    let units = value.get("purchase_units");
    for (name, read) in [
        ("request_amount", receipt.request_amount),
        ("transfer_amount", receipt.transfer_amount),
        ("refund_amount", receipt.refund_amount),
    ] {
        assert_eq!(
            read,
            amount_of(units.and_then(|u| u.get(name))),
            "{name} read back differently"
        );
    }
    let refundable = receipt.refundable_amount();
    assert!(
        refundable.is_none() || refundable == receipt.transfer_amount,
        "refundable {refundable:?} is not the transfer amount"
    );
    let _ = paykit_bog_payments::status_of(receipt);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receipt whose amount the reader got wrong would be caught: the check compares with
    /// the body's own literal.
    #[test]
    #[should_panic(expected = "request_amount read back differently")]
    fn a_misread_amount_is_caught() {
        let body = serde_json::json!({
            "order_id": "o-1",
            "order_status": {"key": "completed"},
            "purchase_units": {"request_amount": "30.00", "currency_code": "GEL"}
        });
        let mut receipt = Receipt::from_value(body.clone()).unwrap();
        receipt.request_amount = Decimal::from_str_exact("30.01").ok();
        receipt_reads_back(&receipt, &body);
    }
}
