//! The matrix runner against a minimal adapter on core's executor: proves both the runner and
//! core's classification.

use paykit_core::http::{
    ApiRequest, Effect, ExecutorConfig, HttpExecutor, RawResponse, RetryPolicy,
};
use paykit_core::{Error, PaymentRef, ProviderId, Result};
use serde::Deserialize;

use super::*;

const P: ProviderId = ProviderId("toy");

#[derive(Deserialize)]
struct Answered {
    id: String,
    status: String,
}

/// A toy provider: `{"id","status"}` on success, `{"error": code}` on failure.
fn parse(response: &RawResponse) -> Result<String> {
    if !response.is_success() {
        #[derive(Deserialize)]
        struct Failure {
            error: String,
        }
        return match serde_json::from_slice::<Failure>(&response.body) {
            Ok(failure) => Err(Error::Api {
                provider: P,
                http_status: Some(response.status.as_u16()),
                code: failure.error,
                message: String::new(),
                retryable: false,
            }),
            Err(_) => Err(response.unrecognized_error()),
        };
    }
    let answered: Answered = response.json()?;
    if answered.id != "pay-1" {
        return Err(Error::Integrity {
            provider: P,
            field: "id".into(),
            expected: "pay-1".into(),
            actual: answered.id,
        });
    }
    Ok(answered.status)
}

async fn toy(call: &'static str, base_url: String) -> Result<String> {
    let config = ExecutorConfig::default()
        .timeout(CLIENT_TIMEOUT)
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)));
    let executor = HttpExecutor::new(P, &base_url, config)?;
    let request = match call {
        "refund" => ApiRequest::post("refund", "/refund"),
        _ => ApiRequest::post("pay", "/pay").effect(Effect::NoMoney),
    };
    executor
        .call(
            &request,
            &PaymentRef::new().provider_payment_id("pay-1"),
            parse,
        )
        .await
}

fn answers() -> Answers {
    Answers {
        ok: (200, r#"{"id":"pay-1","status":"refunded"}"#.to_owned()),
        mismatched: Reply::json(200, r#"{"id":"pay-2","status":"refunded"}"#),
        refusal: Reply::json(409, r#"{"error":"already_refunded"}"#),
        client_error: Reply::json(400, r#"{"error":"bad_amount"}"#),
        server_error: Reply::json(502, "<html>bad gateway</html>"),
    }
}

fn calls() -> Vec<MatrixCall> {
    let refund = moves_money(Expect::State("refunded"), Expect::Refused);
    let pay = no_money(Expect::State("refunded"), Expect::Refused);
    vec![
        MatrixCall {
            call: "refund",
            method: "POST",
            path: "/refund".into(),
            answers: answers(),
            expect: refund,
            ids: vec!["pay-1"],
            max_sends: 1,
            reconcile: "query the payment",
        },
        MatrixCall {
            call: "pay",
            method: "POST",
            path: "/pay".into(),
            answers: answers(),
            expect: pay,
            ids: vec![],
            max_sends: 1,
            reconcile: "nothing moved; create again",
        },
    ]
}

#[tokio::test]
async fn core_classifies_every_answer_class() {
    run_matrix(&calls(), &[], toy).await;
}

#[tokio::test]
#[should_panic(expected = "rows wrong")]
async fn a_wrong_expectation_fails_the_matrix() {
    let mut calls = calls();
    calls.truncate(1);
    calls[0].expect[0] = (Answer::Ok, Expect::State("captured"));
    run_matrix(&calls, &[], toy).await;
}

#[test]
fn the_table_has_a_column_per_class_and_a_row_per_call() {
    let table = render_table(&calls());
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0].matches('|').count(), Answer::ALL.len() + 3);
    assert!(
        lines[2].starts_with("| `refund` | `refunded` | **unknown** |"),
        "{}",
        lines[2]
    );
}
