//! Contract tests: every fixture in fixtures/miapos/ against the real client on wiremock, and
//! every callback fixture through the webhook verifier with the test key in
//! fixtures/miapos/keys/.

use std::time::Duration;

use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    Customer, Money, PaymentProvider, PaymentRequest, SecretString, TokenCacheConfig, Webhook,
    WebhookRequest,
};
use paykit_miapos::{DirectRtpRequest, Language, MiaPos, MiaPosWebhook, PayRequest, PaymentType};
use paykit_testkit::fixture::{Callback, Scenario, audit, fixtures_root, read_key};
use paykit_testkit::{
    Described, describe_error, describe_event, describe_outcome, run_callbacks, run_provider,
    unknown_operation,
};
use serde_json::{Value, json};

/// The fixtures folder of this provider.
const PROVIDER: &str = "miapos";
/// The merchant the fixtures' token requests carry.
const MERCHANT_ID: &str = "128";
const SECRET_KEY: &str = "test-secret-key";

#[tokio::test]
async fn contract() {
    run_provider(PROVIDER, call).await;
}

#[tokio::test]
async fn callbacks() {
    run_callbacks(PROVIDER, verify).await;
}

/// The checks of `cargo xtask fixtures check`, limited to this provider's folder.
#[test]
fn fixtures_pass_the_audit() {
    let root = fixtures_root().expect("fixtures folder");
    let audit = audit(&root);
    let ours: Vec<&String> = audit
        .problems
        .iter()
        .filter(|p| p.contains(&format!("fixtures/{PROVIDER}/")) || p.starts_with(PROVIDER))
        .collect();
    assert!(ours.is_empty(), "{ours:#?}");
    let dir = root.join(PROVIDER);
    let count = ["scenarios", "callbacks"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .flatten()
        .count();
    assert!(count >= 12, "only {count} fixture files");
}

/// One operation of the scenario against a client pointed at wiremock.
async fn call(scenario: Scenario, base_url: String) -> Described {
    let client = client(&scenario, &base_url, TokenCacheConfig::default())?;
    let err = |e: paykit_core::Error| describe_error(&e);
    match scenario.operation.as_str() {
        "create_payment" => {
            let request = payment_request(&scenario)?;
            let outcome = client.create_payment(&request).await.map_err(err)?;
            Ok(describe_outcome(&outcome))
        }
        "get_payment" => {
            let outcome = client
                .get_payment(scenario.input_str("payment_id")?)
                .await
                .map_err(err)?;
            Ok(describe_outcome(&outcome))
        }
        "get_payment_after_token_expiry" => {
            // Tokens trusted for 1 s (renewed from 0.5 s on): after 0.7 s the second call
            // must renew the access token, with the refresh token that is still valid.
            let client = self::client(
                &scenario,
                &base_url,
                TokenCacheConfig::default().max_lifetime(Duration::from_secs(1)),
            )?;
            let id = scenario.input_str("payment_id")?;
            client.get_payment(id).await.map_err(err)?;
            tokio::time::sleep(Duration::from_millis(700)).await;
            let outcome = client.get_payment(id).await.map_err(err)?;
            Ok(describe_outcome(&outcome))
        }
        "pay" => {
            let created = client.pay(&pay_request(&scenario)?).await.map_err(err)?;
            Ok(json!({
                "order_id": created.order_id,
                "payment_id": created.payment_id,
                "checkout_page": created.checkout_page,
            }))
        }
        "request_to_pay_direct" => {
            let mut request = DirectRtpRequest::new(
                scenario.input_str("order_id")?,
                scenario.input_money("amount")?,
                scenario.input_str("description")?,
                scenario.input_str("client_name")?,
                scenario.input_str("client_phone")?,
            );
            request.client_email = owned(scenario.input_opt_str("client_email")?);
            request.callback_url = owned(scenario.input_opt_str("callback_url")?);
            let created = client.request_to_pay_direct(&request).await.map_err(err)?;
            Ok(json!({"order_id": created.order_id, "payment_id": created.payment_id}))
        }
        "public_key" => {
            let key = client.public_key().await.map_err(err)?;
            Ok(json!({"spki_base64": key.spki_base64}))
        }
        _ => unknown_operation(&scenario),
    }
}

/// One callback through the webhook verifier holding the fixtures' test public key.
async fn verify(callback: Callback) -> Described {
    let key = read_key(PROVIDER, "keys/public_key.b64")
        .map_err(|e| json!({"kind": "fixture", "reason": e.to_string()}))?;
    let hook = MiaPosWebhook::from_spki_base64(&key).map_err(|e| describe_error(&e))?;
    let (headers, body) = (callback.header_map(), callback.body.to_bytes());
    hook.verify(&WebhookRequest::new(&headers, &body))
        .await
        .map(|event| describe_event(&event))
        .map_err(|e| describe_error(&e))
}

/// A client for `base_url`, with the scenario's terminal, payment type and redirect defaults.
fn client(scenario: &Scenario, base_url: &str, tokens: TokenCacheConfig) -> Result<MiaPos, Value> {
    let fast = RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5));
    let mut builder = MiaPos::builder(base_url, MERCHANT_ID, SecretString::from(SECRET_KEY))
        .terminal_id(scenario.input_opt_str("terminal_id")?.unwrap_or("TE0001"))
        .executor_config(ExecutorConfig::default().retry(fast))
        .token_cache(tokens);
    if scenario
        .input
        .get("direct_redirect")
        .and_then(Value::as_bool)
        == Some(true)
    {
        builder = builder.direct_redirect(true);
    }
    if let Some(kind) = scenario.input_opt_str("client_payment_type")? {
        builder = builder.payment_type(parse(kind)?);
    }
    builder.build().map_err(|e| describe_error(&e))
}

/// The common request of a `create_payment` scenario.
fn payment_request(scenario: &Scenario) -> Result<PaymentRequest, Value> {
    let mut request = PaymentRequest::new(scenario.input_money("amount")?);
    request.order_id = owned(scenario.input_opt_str("order_id")?);
    request.description = owned(scenario.input_opt_str("description")?);
    request.language = owned(scenario.input_opt_str("language")?);
    request.return_url = owned(scenario.input_opt_str("return_url")?);
    request.fail_url = owned(scenario.input_opt_str("fail_url")?);
    request.callback_url = owned(scenario.input_opt_str("callback_url")?);
    let mut customer = Customer::default();
    customer.name = owned(scenario.input_opt_str("customer_name")?);
    customer.email = owned(scenario.input_opt_str("customer_email")?);
    customer.phone = owned(scenario.input_opt_str("customer_phone")?);
    Ok(request.customer(customer))
}

/// The native request of a `pay` scenario.
fn pay_request(scenario: &Scenario) -> Result<PayRequest, Value> {
    let amount: Money = scenario.input_money("amount")?;
    let mut request = PayRequest::new(
        scenario.input_str("order_id")?,
        amount,
        scenario.input_str("description")?,
    );
    request.terminal_id = owned(scenario.input_opt_str("terminal_id")?);
    request.language = scenario
        .input_opt_str("language")?
        .map(str::parse::<Language>)
        .transpose()
        .map_err(|e| describe_error(&e))?;
    request.payment_type = scenario
        .input_opt_str("payment_type")?
        .map(parse)
        .transpose()?;
    request.client_name = owned(scenario.input_opt_str("client_name")?);
    request.client_phone = owned(scenario.input_opt_str("client_phone")?);
    request.client_email = owned(scenario.input_opt_str("client_email")?);
    request.callback_url = owned(scenario.input_opt_str("callback_url")?);
    request.success_url = owned(scenario.input_opt_str("success_url")?);
    request.fail_url = owned(scenario.input_opt_str("fail_url")?);
    Ok(request)
}

fn parse(kind: &str) -> Result<PaymentType, Value> {
    kind.parse().map_err(|e| describe_error(&e))
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}
