//! Contract tests: every fixture in fixtures/maib/ against the real client on wiremock, and
//! every callback fixture through the webhook verifier.
//!
//! Operations: the conformance names for the common traits (`create_payment`, `get_payment`,
//! `capture`, `refund`, `save_card`, `recurring_charge`, `delete_saved_card`) and the
//! endpoint names for the native API (`generate_token`, `pay`, `hold`, `complete`,
//! `refund_payment`, `pay_info`, `savecard_recurring`, `execute_recurring`,
//! `savecard_oneclick`, `execute_oneclick`, `delete_card`). `input` uses snake_case names of
//! the request fields; amounts are decimal strings.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

use std::sync::Arc;
use std::time::Duration;

use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    CaptureMode, CardUsage, Currency, Customer, Decimal, Error, Flow, InMemoryPaymentRecords,
    LineItem, Money, PaymentOutcome, PaymentProvider, PaymentRecord, PaymentRecords, PaymentRef,
    PaymentRequest, SavedCardCharge, SecretString, Webhook, WebhookRequest,
};
use paykit_maib::{
    BillerExpiry, ExecuteOneClickRequest, ExecuteRecurringRequest, Item, Language, MaibClient,
    MaibWebhook, PayInfo, PayRequest, PaymentFlow, SaveCardRequest, validate,
};
use paykit_testkit::fixture::{Callback, Scenario, read_key};
use paykit_testkit::{
    Described, describe_error, describe_event, describe_outcome, run_callbacks, run_provider,
    unknown_operation,
};
use serde_json::{Value, json};

/// The Project every scenario uses (test values only).
const PROJECT_ID: &str = "8508706";
const PROJECT_SECRET: &str = "test-project-secret";

#[tokio::test]
async fn contract() {
    run_provider("maib", call).await;
}

#[tokio::test]
async fn callbacks() {
    run_callbacks("maib", verify).await;
}

fn signature_key() -> String {
    read_key("maib", "keys/signature_key.txt").expect("fixtures/maib/keys/signature_key.txt")
}

/// A client on wiremock. `input.recorded_flow` (`pay`, `hold`, `save_card`,
/// `saved_card_charge`) says the client created `input.pay_id` with that flow: its payment
/// records hold it, as they would after the create call.
async fn client(base_url: &str, s: &Scenario) -> Result<MaibClient, Value> {
    let records = Arc::new(InMemoryPaymentRecords::new());
    if let Some(name) = s.input_opt_str("recorded_flow")? {
        let flow = Flow::from_name(name)
            .ok_or_else(|| json!({"kind": "bad_fixture", "reason": format!("flow {name:?}")}))?;
        let record = PaymentRecord::new(paykit_maib::PROVIDER, s.input_str("pay_id")?)
            .with_flow(flow)
            .with_ids(&PaymentRef::new().maybe_merchant_reference(s.input_opt_str("order_id")?));
        records.put(&record).await.map_err(|e| describe_error(&e))?;
    }
    MaibClient::builder(PROJECT_ID, SecretString::from(PROJECT_SECRET))
        .base_url(base_url)
        .signature_key(SecretString::from(signature_key()))
        .payment_records(records)
        .executor_config(ExecutorConfig::default().retry(
            RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)),
        ))
        .build()
        .map_err(|e| describe_error(&e))
}

/// `input.flow` of a native `pay_info` scenario: how the payment was created.
fn flow(s: &Scenario) -> Result<PaymentFlow, Value> {
    match s.input_str("flow")? {
        "direct" => Ok(PaymentFlow::Direct),
        "hold" => Ok(PaymentFlow::Hold),
        "save_card" => Ok(PaymentFlow::SaveCard),
        other => Err(json!({"kind": "bad_fixture", "reason": format!("flow {other:?}")})),
    }
}

/// One callback through [`MaibWebhook`] as the common [`Webhook`].
async fn verify(callback: Callback) -> Described {
    let hook =
        MaibWebhook::new(SecretString::from(signature_key())).map_err(|e| describe_error(&e))?;
    let (headers, body) = (callback.header_map(), callback.body.to_bytes());
    hook.verify(&WebhookRequest::new(&headers, &body))
        .await
        .map(|event| describe_event(&event))
        .map_err(|e| describe_error(&e))
}

/// One operation of the scenario against a client pointed at wiremock.
async fn call(scenario: Scenario, base_url: String) -> Described {
    let s = &scenario;
    let client = client(&base_url, s).await?;
    let outcome: Result<Value, Error> = match s.operation.as_str() {
        // The common traits.
        "create_payment" => {
            let request = payment_request(s)?;
            client.create_payment(&request).await.map(|o| describe_outcome(&o))
        }
        "get_payment" => {
            let repeat = s.input.get("repeat").and_then(Value::as_u64).unwrap_or(1);
            // A token that claims no lifetime is still reused for core's floor (1 s): a
            // scenario about renewal waits past it between calls.
            let pause = s.input.get("pause_ms").and_then(Value::as_u64).unwrap_or(0);
            let mut last = Err(Error::invalid_input("repeat", "must be at least 1"));
            for round in 0..repeat {
                if round > 0 && pause > 0 {
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                last = client.get_payment(s.input_str("pay_id")?).await;
                if last.is_err() {
                    break;
                }
            }
            last.map(|o| describe_outcome(&o))
        }
        "capture" => {
            let amount = opt_money(s, "amount")?;
            match client.capture() {
                Some(capture) => capture.capture(s.input_str("pay_id")?, amount).await,
                None => unreachable_capability("capture"),
            }
            .map(|o| describe_outcome(&o))
        }
        "refund" => {
            let amount = opt_money(s, "amount")?;
            match client.refund() {
                Some(refund) => refund.refund(s.input_str("pay_id")?, amount).await,
                None => unreachable_capability("refund"),
            }
            .map(|o| describe_outcome(&o))
        }
        "save_card" => {
            let request = payment_request(s)?;
            let usage = usage(s)?;
            recurring(&client)?
                .save_card(&request, usage)
                .await
                .map(|o| describe_outcome(&o))
        }
        "recurring_charge" => {
            let charge = SavedCardCharge::new(s.input_str("card_id")?, usage(s)?, payment_request(s)?);
            recurring(&client)?
                .charge_saved_card(&charge)
                .await
                .map(|o| describe_outcome(&o))
        }
        "delete_saved_card" => recurring(&client)?
            .delete_saved_card(s.input_str("card_id")?)
            .await
            .map(|()| json!({"deleted": true})),
        // The native API.
        "generate_token" => match s.input_opt_str("refresh_token")? {
            None => client.generate_token().await,
            Some(refresh) => {
                client
                    .generate_token_with_refresh(&SecretString::from(refresh.to_owned()))
                    .await
            }
        }
        .map(|pair| {
            json!({
                "token_type": pair.token_type,
                "expires_in": pair.expires_in,
                "refresh_expires_in": pair.refresh_expires_in,
                "has_refresh_token": pair.refresh_token.is_some(),
            })
        }),
        "pay" | "hold" => {
            let request = pay_request(s)?;
            let link = if s.operation == "pay" {
                client.pay(&request).await
            } else {
                client.hold(&request).await
            };
            link.map(|l| describe_outcome(&l.outcome(Some(request.amount))))
        }
        "complete" => {
            let currency = opt_currency(s)?;
            client
                .complete(s.input_str("pay_id")?, opt_decimal(s, "confirm_amount")?)
                .await
                .map(|r| describe_outcome(&r.outcome(currency)))
        }
        "refund_payment" => {
            let amount = opt_decimal(s, "refund_amount")?;
            // The payment as it was before: `input.payment_amount` in `input.currency`.
            let mut before = PayInfo::default();
            before.pay_id = s.input_str("pay_id")?.to_owned();
            before.amount = opt_decimal(s, "payment_amount")?;
            before.currency = s.input_opt_str("currency")?.map(str::to_owned);
            client
                .refund_payment(s.input_str("pay_id")?, amount)
                .await
                .map(|r| describe_outcome(&r.outcome(&before, PaymentFlow::Direct)))
        }
        "pay_info" => {
            let flow = flow(s)?;
            client
                .pay_info(s.input_str("pay_id")?)
                .await
                .map(|info| describe_outcome(&info.outcome(flow)))
        }
        "savecard_recurring" | "savecard_oneclick" => {
            let request = save_card_request(s)?;
            let link = if s.operation == "savecard_recurring" {
                client.savecard_recurring(&request).await
            } else {
                client.savecard_oneclick(&request).await
            };
            link.map(|l| describe_outcome(&l.outcome(None)))
        }
        "execute_recurring" => {
            let mut request = ExecuteRecurringRequest::new(s.input_str("biller_id")?, s.input_money("amount")?);
            if let Some(order_id) = s.input_opt_str("order_id")? {
                request = request.order_id(order_id);
            }
            if let Some(description) = s.input_opt_str("description")? {
                request = request.description(description);
            }
            client
                .execute_recurring(&request)
                .await
                .map(|r| describe_outcome(&r.outcome()))
        }
        "execute_oneclick" => {
            let mut request = ExecuteOneClickRequest::new(
                s.input_str("biller_id")?,
                s.input_money("amount")?,
                client_ip(s)?,
            );
            if let Some(language) = language(s)? {
                request = request.language(language);
            }
            if let Some(order_id) = s.input_opt_str("order_id")? {
                request = request.order_id(order_id);
            }
            let amount = request.amount;
            client
                .execute_oneclick(&request)
                .await
                .map(|l| describe_outcome(&l.outcome(Some(amount))))
        }
        "delete_card" => client.delete_card(s.input_str("biller_id")?).await.map(|d| {
            json!({"biller_id": d.biller_id, "status": d.status.map(|s| s.as_str().to_owned())})
        }),
        _ => return unknown_operation(s),
    };
    outcome.map_err(|e| describe_error(&e))
}

fn unreachable_capability(what: &'static str) -> paykit_core::Result<PaymentOutcome> {
    Err(Error::unsupported(paykit_maib::PROVIDER, what))
}

fn recurring(client: &MaibClient) -> Result<&dyn paykit_core::Recurring, Value> {
    client
        .recurring()
        .ok_or_else(|| json!({"kind": "unsupported", "operation": "recurring"}))
}

fn usage(s: &Scenario) -> Result<CardUsage, Value> {
    match s.input_str("usage")? {
        "recurring" => Ok(CardUsage::Recurring),
        "oneclick" => Ok(CardUsage::OneClick),
        other => Err(json!({"kind": "bad_fixture", "reason": format!("usage {other:?}")})),
    }
}

fn opt_currency(s: &Scenario) -> Result<Option<Currency>, Value> {
    s.input_opt_str("currency")?
        .map(|c| c.parse::<Currency>().map_err(|e| describe_error(&e)))
        .transpose()
}

fn opt_money(s: &Scenario, key: &str) -> Result<Option<Money>, Value> {
    match s.input_opt_str(key)? {
        None => Ok(None),
        Some(_) => s.input_money(key).map(Some),
    }
}

fn decimal(text: &str) -> Result<Decimal, Value> {
    Decimal::from_str_exact(text)
        .map_err(|_| json!({"kind": "bad_fixture", "reason": format!("not a decimal: {text}")}))
}

fn opt_decimal(s: &Scenario, key: &str) -> Result<Option<Decimal>, Value> {
    s.input_opt_str(key)?.map(decimal).transpose()
}

fn client_ip(s: &Scenario) -> Result<std::net::Ipv4Addr, Value> {
    validate::parse_client_ip(s.input_str("client_ip")?).map_err(|e| describe_error(&e))
}

fn language(s: &Scenario) -> Result<Option<Language>, Value> {
    s.input_opt_str("language")?
        .map(|l| l.parse::<Language>().map_err(|e| describe_error(&e)))
        .transpose()
}

fn items(s: &Scenario) -> Result<Vec<Item>, Value> {
    let Some(list) = s.input.get("items").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|item| {
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
            let mut line = Item::default();
            line.id = text("id");
            line.name = text("name");
            line.price = text("price").as_deref().map(decimal).transpose()?;
            line.quantity = item
                .get("quantity")
                .and_then(Value::as_u64)
                .and_then(|q| u32::try_from(q).ok());
            Ok(line)
        })
        .collect()
}

/// A common payment request from `input`.
fn payment_request(s: &Scenario) -> Result<PaymentRequest, Value> {
    let mut request = PaymentRequest::new(s.input_money("amount")?);
    if s.input_opt_str("capture")? == Some("manual") {
        request = request.capture(CaptureMode::Manual);
    }
    let mut customer = Customer::default();
    if let Some(ip) = s.input_opt_str("client_ip")? {
        customer = customer.ip(validate::parse_client_ip(ip).map_err(|e| describe_error(&e))?);
    }
    if let Some(email) = s.input_opt_str("email")? {
        customer = customer.email(email);
    }
    if let Some(name) = s.input_opt_str("client_name")? {
        customer = customer.name(name);
    }
    request = request.customer(customer);
    for (key, set) in [
        (
            "order_id",
            PaymentRequest::order_id as fn(PaymentRequest, String) -> PaymentRequest,
        ),
        ("description", PaymentRequest::description),
        ("language", PaymentRequest::language),
        ("ok_url", PaymentRequest::return_url),
        ("fail_url", PaymentRequest::fail_url),
        ("callback_url", PaymentRequest::callback_url),
    ] {
        if let Some(value) = s.input_opt_str(key)? {
            request = set(request, value.to_owned());
        }
    }
    for item in items(s)? {
        let price = Money::new(item.price.unwrap_or_default(), request.amount.currency())
            .map_err(|e| describe_error(&e))?;
        let mut line = LineItem::new(
            item.name.unwrap_or_default(),
            price,
            item.quantity.unwrap_or(1),
        );
        if let Some(id) = item.id {
            line = line.id(id);
        }
        request = request.item(line);
    }
    Ok(request)
}

/// A native `pay` / `hold` request from `input`.
fn pay_request(s: &Scenario) -> Result<PayRequest, Value> {
    let mut request = PayRequest::new(s.input_money("amount")?, client_ip(s)?);
    if let Some(language) = language(s)? {
        request = request.language(language);
    }
    for (key, set) in [
        (
            "description",
            PayRequest::description as fn(PayRequest, String) -> PayRequest,
        ),
        ("client_name", PayRequest::client_name),
        ("email", PayRequest::email),
        ("phone", PayRequest::phone),
        ("order_id", PayRequest::order_id),
        ("callback_url", PayRequest::callback_url),
        ("ok_url", PayRequest::ok_url),
        ("fail_url", PayRequest::fail_url),
    ] {
        if let Some(value) = s.input_opt_str(key)? {
            request = set(request, value.to_owned());
        }
    }
    if let Some(delivery) = opt_decimal(s, "delivery")? {
        request = request.delivery(delivery);
    }
    for item in items(s)? {
        request = request.item(item);
    }
    Ok(request)
}

/// A native `savecard-*` request from `input`.
fn save_card_request(s: &Scenario) -> Result<SaveCardRequest, Value> {
    let expiry =
        BillerExpiry::parse(s.input_str("biller_expiry")?).map_err(|e| describe_error(&e))?;
    let currency: Currency = s
        .input_str("currency")?
        .parse()
        .map_err(|e| describe_error(&e))?;
    let mut request = SaveCardRequest::new(expiry, client_ip(s)?, currency);
    if s.input_opt_str("amount")?.is_some() {
        request = request.amount(s.input_money("amount")?);
    }
    if let Some(language) = language(s)? {
        request = request.language(language);
    }
    for (key, set) in [
        (
            "description",
            SaveCardRequest::description as fn(SaveCardRequest, String) -> SaveCardRequest,
        ),
        ("client_name", SaveCardRequest::client_name),
        ("email", SaveCardRequest::email),
        ("phone", SaveCardRequest::phone),
        ("order_id", SaveCardRequest::order_id),
        ("callback_url", SaveCardRequest::callback_url),
        ("ok_url", SaveCardRequest::ok_url),
        ("fail_url", SaveCardRequest::fail_url),
    ] {
        if let Some(value) = s.input_opt_str(key)? {
            request = set(request, value.to_owned());
        }
    }
    Ok(request)
}
