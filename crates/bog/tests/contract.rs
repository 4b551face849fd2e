//! Contract tests: every fixture in fixtures/bog/ against the real client on wiremock.

use std::sync::Arc;

use paykit_bog::{
    BogClient, CaptureMethod, CreateOrder, InMemoryOrderStore, Intent, Locale, OrderItem,
    PaymentHash, PreAuthCompletion, StoredOrder,
};
use paykit_core::{
    CaptureMode, CardUsage, Currency, Flow, InMemoryPaymentRecords, LineItem, Money,
    PaymentProvider, PaymentRecord, PaymentRecords, PaymentRequest, SavedCardCharge, SecretString,
    Webhook, WebhookRequest,
};
use paykit_testkit::fixture::{Callback, Scenario, audit, fixtures_root};
use paykit_testkit::{
    Described, describe_error, describe_event, describe_outcome, run_callbacks, run_provider,
    unknown_operation,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Test credentials: `Basic MTAwNjp0ZXN0LXNlY3JldC1rZXk=` in the fixtures.
const CLIENT_ID: &str = "1006";
const SECRET: &str = "test-secret-key";
const API: &str = "/opay/api/v1";

/// The order the callback fixtures are about (the spec's TV-3).
const TV3_ORDER: &str = "899318b1ce0d5885cb7405fe86e3930178ff90be";
const TV3_HASH: &str = "d7936f718c2b0ec2517a28c9de76966bcbecfe29";

#[tokio::test]
async fn contract() {
    run_provider("bog", call).await;
}

#[tokio::test]
async fn callbacks() {
    run_callbacks("bog", verify).await;
}

/// The whole-tree rules (`cargo xtask fixtures check`) hold for fixtures/bog: layout,
/// provenance, no secret-looking values.
#[test]
fn fixtures_pass_the_audit() {
    let root = fixtures_root().expect("fixtures folder");
    let audit = audit(&root);
    let ours: Vec<&String> = audit
        .problems
        .iter()
        .filter(|p| p.contains("/bog/") || p.starts_with("bog"))
        .collect();
    assert!(ours.is_empty(), "{ours:#?}");
    let files = ["scenarios", "callbacks"]
        .iter()
        .map(|dir| std::fs::read_dir(root.join("bog").join(dir)).map_or(0, Iterator::count))
        .sum::<usize>();
    assert!(files >= 12, "only {files} fixture files");
}

fn client(server_uri: &str) -> Result<BogClient, Value> {
    BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
        .base_url(format!("{server_uri}{API}"))
        .build()
        .map_err(|e| describe_error(&e))
}

/// A client whose payment records hold `payment_id` as a payment of `amount` it created
/// (fixture input `recorded_amount`): what a client that created the payment knows.
async fn recorded_client(
    server_uri: &str,
    payment_id: &str,
    amount: Money,
) -> Result<BogClient, Value> {
    let records = Arc::new(InMemoryPaymentRecords::new());
    let record = PaymentRecord::new(paykit_bog::PROVIDER, payment_id)
        .with_flow(Flow::Pay)
        .with_amount(Some(amount));
    records.put(&record).await.map_err(|e| describe_error(&e))?;
    BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
        .base_url(format!("{server_uri}{API}"))
        .payment_records(records)
        .build()
        .map_err(|e| describe_error(&e))
}

/// A fixture input the test cannot read.
fn bad_input(reason: &str) -> Value {
    json!({"kind": "fixture_input", "reason": reason})
}

fn money(text: &str, currency: Currency) -> Result<Money, Value> {
    Money::parse(text, currency).map_err(|e| describe_error(&e))
}

fn currency(scenario: &Scenario) -> Result<Currency, Value> {
    scenario
        .input_str("currency")?
        .parse()
        .map_err(|e| describe_error(&e))
}

fn opt_money(scenario: &Scenario, key: &str) -> Result<Option<Money>, Value> {
    match scenario.input_opt_str(key)? {
        Some(_) => scenario.input_money(key).map(Some),
        None => Ok(None),
    }
}

fn items(scenario: &Scenario) -> Result<Vec<&Value>, Value> {
    Ok(match scenario.input.get("items") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(_) => return Err(bad_input("`input.items` must be an array")),
    })
}

fn field<'a>(item: &'a Value, key: &str) -> Result<&'a str, Value> {
    item.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_input(&format!("item `{key}` must be a string")))
}

fn quantity(item: &Value) -> Result<u32, Value> {
    item.get("quantity")
        .and_then(Value::as_u64)
        .and_then(|q| u32::try_from(q).ok())
        .ok_or_else(|| bad_input("item `quantity` must be a number"))
}

/// The common payment request of a `create_payment` scenario.
fn payment_request(scenario: &Scenario) -> Result<PaymentRequest, Value> {
    let currency = currency(scenario)?;
    let mut request = PaymentRequest::new(scenario.input_money("amount")?);
    if let Some(id) = scenario.input_opt_str("order_id")? {
        request = request.order_id(id);
    }
    if let Some(text) = scenario.input_opt_str("description")? {
        request = request.description(text);
    }
    if let Some(url) = scenario.input_opt_str("return_url")? {
        request = request.return_url(url);
    }
    if let Some(language) = scenario.input_opt_str("language")? {
        request = request.language(language);
    }
    if scenario.input_opt_str("capture")? == Some("manual") {
        request = request.capture(CaptureMode::Manual);
    }
    for item in items(scenario)? {
        let mut line = LineItem::new(
            field(item, "name")?,
            money(field(item, "unit_price")?, currency)?,
            quantity(item)?,
        );
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            line = line.id(id);
        }
        request = request.item(line);
    }
    Ok(request)
}

/// The native order of a `create_order` scenario.
fn native_order(scenario: &Scenario) -> Result<CreateOrder, Value> {
    let currency = currency(scenario)?;
    let intent = match scenario.input_str("intent")? {
        "CAPTURE" => Intent::Capture,
        "AUTHORIZE" => Intent::Authorize,
        _ => return Err(bad_input("`input.intent` must be CAPTURE or AUTHORIZE")),
    };
    let mut order = CreateOrder::new(
        intent,
        scenario.input_money("total")?,
        scenario.input_str("redirect_url")?,
    );
    for item in items(scenario)? {
        order = order.item(OrderItem::new(
            field(item, "product_id")?,
            field(item, "description")?,
            money(field(item, "amount")?, currency)?,
            quantity(item)?,
        ));
    }
    if let Some(id) = scenario.input_opt_str("shop_order_id")? {
        order = order.shop_order_id(id);
    }
    if let Some(locale) = scenario.input_opt_str("locale")? {
        order = order.locale(locale.parse::<Locale>().map_err(|e| describe_error(&e))?);
    }
    match scenario.input_opt_str("capture_method")? {
        Some("AUTOMATIC") => order = order.capture_method(CaptureMethod::Automatic),
        Some("MANUAL") => order = order.capture_method(CaptureMethod::Manual),
        Some(_) => {
            return Err(bad_input(
                "`input.capture_method` must be AUTOMATIC or MANUAL",
            ));
        }
        None => {}
    }
    if let Some(show) = scenario
        .input
        .get("show_shop_order_id_on_extract")
        .and_then(Value::as_bool)
    {
        order = order.show_shop_order_id_on_extract(show);
    }
    Ok(order)
}

/// One operation of the scenario against a client pointed at wiremock.
async fn call(scenario: Scenario, base_url: String) -> Described {
    let client = client(&base_url)?;
    let outcome = match scenario.operation.as_str() {
        "create_payment" => client.create_payment(&payment_request(&scenario)?).await,
        "get_payment" => client.get_payment(scenario.input_str("payment_id")?).await,
        "get_payment_twice" => {
            let id = scenario.input_str("payment_id")?;
            match client.get_payment(id).await {
                Ok(_) => client.get_payment(id).await,
                Err(error) => Err(error),
            }
        }
        "capture" => {
            let amount = opt_money(&scenario, "amount")?;
            let capture = client.capture().ok_or_else(|| bad_input("no capture"))?;
            capture
                .capture(scenario.input_str("payment_id")?, amount)
                .await
        }
        "void" => {
            let void = client.void().ok_or_else(|| bad_input("no void"))?;
            void.void(scenario.input_str("payment_id")?).await
        }
        "refund" => {
            let amount = opt_money(&scenario, "amount")?;
            let payment_id = scenario.input_str("payment_id")?;
            let client = match opt_money(&scenario, "recorded_amount")? {
                Some(recorded) => recorded_client(&base_url, payment_id, recorded).await?,
                None => client,
            };
            let refund = client.refund().ok_or_else(|| bad_input("no refund"))?;
            refund.refund(payment_id, amount).await
        }
        "recurring_charge" => {
            let mut payment = PaymentRequest::new(scenario.input_money("amount")?);
            if let Some(id) = scenario.input_opt_str("order_id")? {
                payment = payment.order_id(id);
            }
            if let Some(text) = scenario.input_opt_str("description")? {
                payment = payment.description(text);
            }
            let charge = SavedCardCharge::new(
                scenario.input_str("card_id")?,
                CardUsage::Recurring,
                payment,
            );
            let recurring = client
                .recurring()
                .ok_or_else(|| bad_input("no recurring"))?;
            recurring.charge_saved_card(&charge).await
        }
        "create_order" => {
            let order = native_order(&scenario)?;
            return client
                .create_order(&order)
                .await
                .map(|o| {
                    json!({
                        "order_id": o.order_id,
                        "status": o.status,
                        "approve_url": o.approve_url,
                        "self_url": o.self_url,
                    })
                })
                .map_err(|e| describe_error(&e));
        }
        "pre_auth_completion" => {
            let completion = match scenario.input_str("auth_type")? {
                "FULL_COMPLETE" => PreAuthCompletion::Full,
                "CANCEL" => PreAuthCompletion::Cancel,
                "PARTIAL_COMPLETE" => PreAuthCompletion::Partial(scenario.input_money("amount")?),
                _ => return Err(bad_input("unknown `input.auth_type`")),
            };
            return client
                .complete_pre_auth(scenario.input_str("payment_id")?, &completion)
                .await
                .map(|r| json!({"status": r.status.as_str(), "description": r.description}))
                .map_err(|e| describe_error(&e));
        }
        "legacy_order_status" => {
            return client
                .legacy_order_status(scenario.input_str("payment_id")?)
                .await
                .map(|s| json!({"status": s.status, "payment_status": s.payment_status().name()}))
                .map_err(|e| describe_error(&e));
        }
        "legacy_order" => {
            return client
                .legacy_order(scenario.input_str("payment_id")?)
                .await
                .map(|o| {
                    json!({
                        "id": o.id,
                        "status": o.status,
                        "amount": o.amount.map(|a| a.value.to_string()),
                        "captures": o.captures.len(),
                        "final_capture": o.captures.first().and_then(|c| c.final_capture),
                    })
                })
                .map_err(|e| describe_error(&e));
        }
        _ => return unknown_operation(&scenario),
    };
    outcome
        .map(|o| describe_outcome(&o))
        .map_err(|e| describe_error(&e))
}

/// One callback through `BogWebhook`, with iPay (token + payment details) on wiremock. The
/// merchant's store holds TV-3's pair; iPay reports TV-3's order as a paid card payment.
async fn verify(callback: Callback) -> Described {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/oauth2/token")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "test-access-token", "token_type": "Bearer",
            "app_id": "1A2019", "expires_in": 4_102_444_800_000_i64
        })))
        .mount(&server)
        .await;
    let details_path = format!("{API}/checkout/payment/{TV3_ORDER}");
    Mock::given(method("GET"))
        .and(path(details_path.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "success", "order_id": TV3_ORDER, "payment_hash": TV3_HASH,
            "ipay_payment_id": "18625", "status_description": "PERFORMED",
            "shop_order_id": "shop-10042", "payment_method": "GC_CARD", "card_type": "VISA",
            "pan": "411111******1111", "transaction_id": "6F1A2B3C4D5E6F70819",
            "pre_auth_status": null
        })))
        .mount(&server)
        .await;
    let store = Arc::new(InMemoryOrderStore::new());
    store.insert(StoredOrder::new(
        TV3_ORDER,
        PaymentHash::new(TV3_HASH),
        Some("shop-10042".into()),
    ));
    let hook = paykit_bog::BogWebhook::new(client(&server.uri())?, store);
    let (headers, body) = (callback.header_map(), callback.body.to_bytes());
    let result = hook.verify(&WebhookRequest::new(&headers, &body)).await;
    // An accepted callback was confirmed by exactly one query; a refused one by none.
    let queries = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == details_path)
        .count();
    let expected = usize::from(result.is_ok());
    if queries != expected {
        return Err(json!({
            "kind": "unexpected_requests",
            "details_queries": queries,
            "expected": expected,
        }));
    }
    result
        .map(|event| describe_event(&event))
        .map_err(|e| describe_error(&e))
}
