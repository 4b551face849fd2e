//! Contract tests: every fixture in fixtures/maya/ against the real client on wiremock.
//!
//! Operations: the trait's `create_payment` and `get_payment`, and the native `client_token`,
//! `refresh_session`, `create`, `execute`, `profile` and `session_push` (no HTTP).

use std::time::Duration;

use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    Money, PaymentOutcome, PaymentProvider, PaymentRequest, SecretString, WebhookRequest,
};
use paykit_maya::{
    CreatePayment, CustomerSession, ExecuteOutcome, ExecutePayment, ExecuteRetry, MayaClient,
    MayaWebhook, RequestReference, SessionPush, SessionReply, SessionTokens,
};
use paykit_testkit::fixture::{Callback, Scenario};
use paykit_testkit::{
    Described, describe_error, describe_event, describe_outcome, run_callbacks, run_provider,
    unknown_operation,
};
use serde_json::{Value, json};

const CLIENT_ID: &str = "miniapp-client-id";
const CLIENT_SECRET: &str = "test-client-secret";
const P2M_ID: &str = "P2M-000123456";

#[tokio::test]
async fn contract() {
    run_provider("maya", call).await;
}

#[tokio::test]
async fn callbacks() {
    run_callbacks("maya", verify).await;
}

/// The whole-tree audit behind `cargo xtask fixtures check`, restricted to fixtures/maya.
#[test]
fn fixtures_pass_the_audit() {
    let root = paykit_testkit::fixture::fixtures_root().expect("fixtures folder");
    let audit = paykit_testkit::fixture::audit(&root);
    let ours: Vec<&String> = audit
        .problems
        .iter()
        .filter(|p| p.contains("maya"))
        .collect();
    assert!(ours.is_empty(), "{ours:#?}");
    let files = std::fs::read_dir(root.join("maya/scenarios"))
        .expect("scenarios")
        .count();
    assert!(files >= 10, "{files} scenario files");
}

/// One operation of the scenario against a client pointed at wiremock.
async fn call(scenario: Scenario, base_url: String) -> Described {
    let client = client(&base_url).map_err(|e| describe_error(&e))?;
    match scenario.operation.as_str() {
        "create_payment" => {
            let session = session(&client, &scenario)?;
            let mut request = PaymentRequest::new(scenario.input_money("amount")?);
            if let Some(order_id) = scenario.input_opt_str("order_id")? {
                request = request.order_id(order_id);
            }
            outcome(client.payments(session).create_payment(&request).await)
        }
        "get_payment" => {
            let session = session(&client, &scenario)?;
            let id = scenario.input_str("payment_id")?;
            outcome(client.payments(session).get_payment(id).await)
        }
        "client_token" => client
            .client_token()
            .await
            .map(|_| json!({ "fetched": true }))
            .map_err(|e| describe_error(&e)),
        "refresh_session" => {
            let session = session(&client, &scenario)?;
            let tokens = session.refresh().await.map_err(|e| describe_error(&e))?;
            Ok(json!({
                "revision": session.revision(),
                "expires_at": tokens.expires_at(),
            }))
        }
        "create" => {
            let session = session(&client, &scenario)?;
            let mut request = CreatePayment::new(scenario.input_money("amount")?);
            if let Some(reference) = scenario.input_opt_str("request_reference")? {
                request = request.request_reference(
                    RequestReference::parse(reference).map_err(|e| describe_error(&e))?,
                );
            }
            let created = client
                .create_payment(&session, &request)
                .await
                .map_err(|e| describe_error(&e))?;
            Ok(json!({
                "id": created.id,
                "amount": money(&created.amount),
                "p2m_id": created.p2m_id,
                "request_reference": created.request_reference.as_str(),
            }))
        }
        "execute" => {
            let session = session(&client, &scenario)?;
            let request = ExecutePayment::new(scenario.input_str("payment_id")?);
            let executed = client
                .execute_payment(&session, &request)
                .await
                .map_err(|e| describe_error(&e))?;
            Ok(describe_execute(&executed))
        }
        "profile" => {
            let session = session(&client, &scenario)?;
            client
                .profile(&session)
                .await
                .map(|_| json!({ "encrypted": true }))
                .map_err(|e| describe_error(&e))
        }
        "session_push" => session_push(&scenario),
        _ => unknown_operation(&scenario),
    }
}

/// Maya's push to the Session URL, parsed, and the reply.
fn session_push(scenario: &Scenario) -> Described {
    let mut headers = http::HeaderMap::new();
    if let Some(Value::Object(given)) = scenario.input.get("headers") {
        for (name, value) in given {
            if let (Ok(name), Some(Ok(value))) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                value.as_str().map(http::HeaderValue::from_str),
            ) {
                headers.insert(name, value);
            }
        }
    }
    let body = match scenario.input.get("body") {
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(other) => serde_json::to_vec(other).unwrap_or_default(),
        None => Vec::new(),
    };
    let push = SessionPush::parse(&headers, &body).map_err(|e| describe_error(&e))?;
    let reply = SessionReply::generate().map_err(|e| describe_error(&e))?;
    let reply_body: Value = serde_json::from_slice(&reply.body()).unwrap_or(Value::Null);
    Ok(json!({
        "expires_at": push.tokens().expires_at(),
        "request_reference": push.request_reference(),
        "reply_has_session_id": reply_body["sessionId"].as_str() == Some(reply.session_id()),
    }))
}

/// Every Maya callback is unsupported: no fixture may be accepted.
async fn verify(callback: Callback) -> Described {
    let (headers, body) = (callback.header_map(), callback.body.to_bytes());
    paykit_core::Webhook::verify(&MayaWebhook, &WebhookRequest::new(&headers, &body))
        .await
        .map(|event| describe_event(&event))
        .map_err(|e| describe_error(&e))
}

fn client(base_url: &str) -> paykit_core::Result<MayaClient> {
    MayaClient::builder(CLIENT_ID, SecretString::from(CLIENT_SECRET))
        .api_base_url(base_url)
        .token_url(format!("{base_url}/oauth/token"))
        .p2m_id(P2M_ID)
        .executor_config(
            ExecutorConfig::default()
                .timeout(Duration::from_secs(5))
                .retry(
                    RetryPolicy::default()
                        .delays(Duration::from_millis(1), Duration::from_millis(5)),
                ),
        )
        .execute_retry(ExecuteRetry::new(3, Duration::from_millis(1)))
        .build()
}

/// `input.session`: `{access_token, refresh_token, expires_at}`.
fn session(client: &MayaClient, scenario: &Scenario) -> Result<CustomerSession, Value> {
    let given = &scenario.input["session"];
    let text = |key: &str| {
        given[key].as_str().map(str::to_owned).ok_or_else(
            || json!({ "kind": "fixture_input", "reason": format!("input.session.{key} missing") }),
        )
    };
    let expires_at = given["expires_at"].as_i64().ok_or_else(
        || json!({ "kind": "fixture_input", "reason": "input.session.expires_at missing" }),
    )?;
    let tokens = SessionTokens::new(
        SecretString::from(text("access_token")?),
        SecretString::from(text("refresh_token")?),
        expires_at,
    )
    .map_err(|e| describe_error(&e))?;
    client.session(tokens).map_err(|e| describe_error(&e))
}

fn outcome(result: paykit_core::Result<PaymentOutcome>) -> Described {
    result
        .map(|o| describe_outcome(&o))
        .map_err(|e| describe_error(&e))
}

fn money(money: &Money) -> Value {
    json!({ "value": money.to_fixed_string(), "currency": money.currency().code() })
}

fn describe_execute(outcome: &ExecuteOutcome) -> Value {
    let common = outcome.to_payment_outcome().map(|o| describe_outcome(&o));
    let (kind, code) = match outcome {
        ExecuteOutcome::Executed(_) => ("executed", None),
        ExecuteOutcome::Declined { code, .. } => ("declined", Some(code.clone())),
        ExecuteOutcome::AlreadyProcessed { .. } => ("already_processed", None),
        _ => ("other", None),
    };
    json!({
        "outcome": kind,
        "payment_id": outcome.payment_id(),
        "code": code,
        "approved": outcome.is_approved(),
        "payment": common,
    })
}
