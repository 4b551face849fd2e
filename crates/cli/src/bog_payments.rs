//! `paykit pay | refund --provider bog-payments`: the Payments API's native calls, so that the
//! operation's `Idempotency-Key` is the merchant's to keep. The common traits make a fresh key
//! per call; a command line must be able to repeat an operation with the same key after an
//! unknown outcome (exit 3), and BOG then answers what it did the first time instead of doing
//! it again.

use std::process::ExitCode;

use paykit_bog_payments::{
    BasketItem, BogPaymentsClient, CaptureMethod, CreateOrder, CreatedOrder, IdempotencyKey,
    PaymentMethod, Receipt,
};
use paykit_core::describe::describe_outcome;
use paykit_core::{
    CaptureMode, Error, Money, NextAction, PaymentOutcome, PaymentRequest, PaymentStatus,
};
use serde_json::Value;

use crate::args::IdempotencyArgs;
use crate::output;

/// The operation's key: `--idempotency-key`, checked, or a fresh one.
pub(crate) fn key(args: &IdempotencyArgs) -> Result<IdempotencyKey, String> {
    match &args.idempotency_key {
        Some(text) => IdempotencyKey::parse(text.trim()).map_err(|e| e.to_string()),
        None => IdempotencyKey::generate().map_err(|e| e.to_string()),
    }
}

/// The order `request` describes: one basket line of the whole amount, as the client's own
/// `create_payment` builds it.
pub(crate) fn order_of(request: &PaymentRequest) -> Result<CreateOrder, String> {
    let callback_url = request.callback_url.clone().ok_or(
        "bog-payments needs --callback-url: BOG posts every order's result to an https URL",
    )?;
    let amount = request.amount;
    let product = request
        .order_id
        .clone()
        .unwrap_or_else(|| "order".to_owned());
    let line = BasketItem::new(product, 1, amount.amount())
        .description(request.description.clone().unwrap_or_default());
    let mut order = CreateOrder::new(callback_url, amount.currency(), amount.amount(), vec![line])
        .capture(match request.capture {
            CaptureMode::Automatic => CaptureMethod::Automatic,
            CaptureMode::Manual => CaptureMethod::Manual,
        });
    if let Some(id) = &request.order_id {
        order = order.external_order_id(id.clone());
    }
    if let Some(url) = &request.return_url {
        order = order.redirect_urls(url.clone(), url.clone());
    }
    Ok(order)
}

/// `POST /ecommerce/orders` with `key`.
pub(crate) async fn pay(
    client: &BogPaymentsClient,
    request: &PaymentRequest,
    order: &CreateOrder,
    key: &IdempotencyKey,
) -> ExitCode {
    match client.create_order(order, key).await {
        Ok(created) => {
            let outcome = created_outcome(&created, request);
            print_with_key(&outcome, key, None);
            ExitCode::SUCCESS
        }
        Err(error) => crate::live::report_error(&error, Some(key)),
    }
}

/// `POST /payment/refund/{id}` with `key`; everything refundable without an amount.
///
/// A new operation reads the receipt first and refuses what BOG documents it refuses (a
/// state that cannot be refunded, more than is refundable, another currency, a partial refund
/// of a payment that is not card-like), as the client's `Refund` does. A `repeat` (the
/// merchant passed the key of an earlier attempt) skips those checks: the refund may already
/// have happened, and only BOG, answering for that key, can say so.
pub(crate) async fn refund(
    client: &BogPaymentsClient,
    id: &str,
    amount: Option<Money>,
    key: &IdempotencyKey,
    repeat: bool,
) -> ExitCode {
    if !repeat {
        let receipt = match client.receipt(id).await {
            Ok(receipt) => receipt,
            Err(error) => return crate::live::report_error(&error, None),
        };
        if let Err(refused) = refundable(&receipt, amount.as_ref()) {
            output::error("nothing was sent to BOG");
            return crate::live::report_error(&refused, None);
        }
    }
    match client
        .refund_order(id, amount.map(|a| a.amount()), key)
        .await
    {
        Ok(received) => {
            // An acknowledgement: the receipt (`paykit status`) or the callback says when the
            // money moved.
            let outcome = PaymentOutcome::accepted(id)
                .with_amount(amount)
                .with_raw_status(Some(received.key.clone()));
            print_with_key(&outcome, key, received.action_id.as_deref());
            ExitCode::SUCCESS
        }
        Err(error) => crate::live::report_error(&error, Some(key)),
    }
}

/// Whether `receipt` allows refunding `amount` (everything when `None`), per §5.2.
fn refundable(receipt: &Receipt, amount: Option<&Money>) -> paykit_core::Result<()> {
    let refundable = receipt.refundable_amount().ok_or_else(|| {
        Error::invalid_input(
            "id",
            format!(
                "a payment in state {} cannot be refunded",
                receipt.status.as_str()
            ),
        )
    })?;
    let Some(amount) = amount else {
        return Ok(());
    };
    if receipt.currency.is_some_and(|c| c != amount.currency()) {
        return Err(Error::invalid_input(
            "currency",
            format!(
                "the payment is in {}, not {}",
                receipt.currency.map_or("?", |c| c.code()),
                amount.currency().code()
            ),
        ));
    }
    if amount.amount() > refundable {
        return Err(Error::invalid_input(
            "amount",
            format!("is more than the refundable {refundable}"),
        ));
    }
    let card_like = receipt
        .transfer_method()
        .is_some_and(PaymentMethod::is_card_like);
    if amount.amount() < refundable && !card_like {
        return Err(Error::invalid_input(
            "amount",
            "partial refunds exist only for card, Apple Pay and Google Pay payments",
        ));
    }
    Ok(())
}

/// The outcome of a just-created order: the customer must open BOG's page.
fn created_outcome(created: &CreatedOrder, request: &PaymentRequest) -> PaymentOutcome {
    let next = match (&created.redirect_url, &created.accept_url) {
        (Some(url), _) => NextAction::Redirect { url: url.clone() },
        (None, Some(url)) => NextAction::Checkout {
            url: Some(url.clone()),
            qr_payload: None,
        },
        (None, None) => NextAction::None,
    };
    PaymentOutcome::new(&created.id, PaymentStatus::RequiresAction)
        .with_next_action(next)
        .with_amount(Some(request.amount))
        .with_order_id(request.order_id.clone())
        .with_raw_status(Some("created".to_owned()))
}

/// The outcome as JSON on stdout, with the key it was reached with (and BOG's action id).
fn print_with_key(outcome: &PaymentOutcome, key: &IdempotencyKey, action_id: Option<&str>) {
    let mut shown = describe_outcome(outcome);
    if let Value::Object(fields) = &mut shown {
        fields.insert("idempotency_key".into(), Value::from(key.as_str()));
        if let Some(action_id) = action_id {
            fields.insert("action_id".into(), Value::from(action_id));
        }
    }
    output::json(&shown);
}

#[cfg(test)]
mod tests {
    use paykit_core::{Currency, Decimal};

    use super::*;

    fn request() -> PaymentRequest {
        PaymentRequest::new(Money::parse("49.90", Currency::GEL).unwrap())
            .order_id("A-9")
            .description("two nights")
            .capture(CaptureMode::Manual)
            .callback_url("https://shop.example.ge/cb")
            .return_url("https://shop.example.ge/back")
    }

    #[test]
    fn an_order_is_one_line_of_the_whole_amount_with_the_request_s_settings() {
        let order = order_of(&request()).unwrap();
        assert_eq!(order.total_amount, Decimal::new(4990, 2));
        assert_eq!(order.currency, Currency::GEL);
        assert_eq!(order.capture, CaptureMethod::Manual);
        assert_eq!(order.external_order_id.as_deref(), Some("A-9"));
        assert_eq!(order.callback_url, "https://shop.example.ge/cb");
        assert_eq!(
            order.success_url.as_deref(),
            Some("https://shop.example.ge/back")
        );
        let [line] = order.basket.as_slice() else {
            panic!("{:?}", order.basket);
        };
        assert_eq!(line.unit_price, Decimal::new(4990, 2));
        assert_eq!(line.quantity, 1);
    }

    #[test]
    fn an_order_needs_a_callback_url() {
        let mut request = request();
        request.callback_url = None;
        let message = order_of(&request).unwrap_err();
        assert!(message.contains("--callback-url"), "{message}");
    }

    fn receipt(status: &str, method: &str, refunded: &str) -> Receipt {
        Receipt::from_value(serde_json::json!({
            "order_id": "0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b",
            "order_status": {"key": status},
            "purchase_units": {
                "request_amount": "30.0",
                "transfer_amount": "30.0",
                "refund_amount": refunded,
                "currency_code": "GEL"
            },
            "payment_detail": {"transfer_method": {"key": method}}
        }))
        .unwrap()
    }

    fn gel(amount: &str) -> Money {
        Money::parse(amount, Currency::GEL).unwrap()
    }

    #[test]
    fn a_new_refund_is_checked_against_the_receipt() {
        let card = receipt("completed", "card", "0.0");
        assert!(refundable(&card, None).is_ok());
        assert!(refundable(&card, Some(&gel("10.00"))).is_ok());
        assert!(refundable(&card, Some(&gel("30.00"))).is_ok());
        let refused = |receipt: &Receipt, amount: Option<&Money>| {
            refundable(receipt, amount).unwrap_err().to_string()
        };
        assert!(refused(&card, Some(&gel("30.01"))).contains("more than the refundable"));
        let usd = Money::parse("5.00", Currency::USD).unwrap();
        assert!(refused(&card, Some(&usd)).contains("not USD"));
        let bank = receipt("completed", "bog_p2p", "0.0");
        assert!(
            refundable(&bank, None).is_ok(),
            "a full refund of any method"
        );
        assert!(refused(&bank, Some(&gel("10.00"))).contains("partial refunds exist only"));
        let open = receipt("created", "card", "0.0");
        assert!(refused(&open, None).contains("cannot be refunded"));
    }

    #[test]
    fn keys_are_the_merchant_s_uuid_or_fresh_ones() {
        let given = IdempotencyArgs {
            idempotency_key: Some(" 3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f ".into()),
        };
        assert_eq!(
            key(&given).unwrap().as_str(),
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f"
        );
        let bad = IdempotencyArgs {
            idempotency_key: Some("order-17".into()),
        };
        assert!(key(&bad).unwrap_err().contains("UUID v4"));
        let none = IdempotencyArgs {
            idempotency_key: None,
        };
        assert_ne!(key(&none).unwrap(), key(&none).unwrap(), "fresh every time");
    }
}
