//! The truth matrix (DESIGN.md §8): every Maya call that can move money, and create (which
//! moves none), against every class of answer, with the one result each class may give. The
//! same table is in the README ("Money truth").
//!
//! Rows:
//!
//! - `create`: the native `create_payment`. Moves no money (spec §5): nothing is ever unknown.
//! - `execute`: the native `execute_payment`. Moves money, documented retry-safe (spec §6.3), so
//!   the executor may send it up to its attempt limit.
//! - `create_payment (execute answers)`: the trait; create succeeds (support route) and execute
//!   gets the class. An unknown outcome carries the payment id and the order id.
//! - `create_payment (create answers)`: the trait; create gets the class, execute (support
//!   route) would approve.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{CLIENT_TOKEN, FUTURE, P2M_ID, PAYMENT_ID, REFERENCE, TOKEN_PATH, tokens};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{Currency, Error, Money, PaymentProvider, PaymentRequest, SecretString};
use paykit_maya::{
    CreatePayment, ExecuteOutcome, ExecutePayment, ExecuteRetry, MayaClient, RequestReference,
};
use paykit_testkit::truth::{
    Answers, CLIENT_TIMEOUT, Expect, MatrixCall, Reply, Route, assert_readme_table, moves_money,
    no_money, run_matrix,
};

const ORDER: &str = "order-10042";
const CREATE: &str = "create";
const EXECUTE: &str = "execute";
const TRAIT_EXECUTE: &str = "create_payment (execute answers)";
const TRAIT_CREATE: &str = "create_payment (create answers)";

/// Executor attempts per call (execute is repeated up to this often; create never).
const ATTEMPTS: u32 = 3;

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

fn execute_path() -> String {
    format!("/merchant/payments/{PAYMENT_ID}/execute")
}

fn created_body() -> String {
    format!(
        r#"{{"id":"{PAYMENT_ID}","p2mId":"{P2M_ID}","requestReferenceNumber":"{REFERENCE}","amount":{{"currency":"PHP","value":249.50}}}}"#
    )
}

fn executed_body(id: &str, status: &str) -> String {
    format!(
        r#"{{"id":"{id}","p2mId":"{P2M_ID}","requestReferenceNumber":"{REFERENCE}","amount":{{"currency":"PHP","value":249.50}},"status":"{status}"}}"#
    )
}

/// The token endpoint, and create and execute answering well, beside the call under test
/// (whose route comes first and wins).
fn support() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            TOKEN_PATH,
            Reply::json(
                200,
                format!(
                    r#"{{"access_token":"{CLIENT_TOKEN}","token_type":"Bearer","expires_in":3600}}"#
                ),
            ),
        ),
        Route::new(
            "POST",
            "/merchant/payments",
            Reply::json(200, created_body()),
        ),
        Route::new(
            "POST",
            &execute_path(),
            Reply::json(200, executed_body(PAYMENT_ID, "APPROVED")),
        ),
    ]
}

fn create_answers() -> Answers {
    Answers {
        ok: (200, created_body()),
        // Another amount than the 249.50 asked for.
        mismatched: Reply::json(
            200,
            format!(
                r#"{{"id":"{PAYMENT_ID}","p2mId":"{P2M_ID}","amount":{{"currency":"PHP","value":24.95}}}}"#
            ),
        ),
        // Spec §7.2: one currency per account.
        refusal: Reply::json(
            400,
            r#"{"code":"PY0037","message":"Currency is not supported."}"#,
        ),
        client_error: Reply::json(
            400,
            r#"{"code":"2553","message":"Missing/invalid parameters.","parameters":[{"field":"amount.value","description":"value must be a number"}]}"#,
        ),
        server_error: Reply::json(500, r#"{"code":"PY9999","message":"Request timed out"}"#),
    }
}

fn execute_answers() -> Answers {
    Answers {
        ok: (200, executed_body(PAYMENT_ID, "APPROVED")),
        mismatched: Reply::json(
            200,
            executed_body("0d7e6f5a-4b3c-4a2d-9e1f-8c7b6a5d4e3f", "APPROVED"),
        ),
        // Spec §7.2: a wallet decline answered with an error code is an outcome.
        refusal: Reply::json(400, r#"{"code":"PY0105","message":"Insufficient balance"}"#),
        client_error: Reply::json(400, r#"{"code":"PY0044","message":"Payment is invalid"}"#),
        server_error: Reply::json(500, r#"{"code":"PY9999","message":"Request timed out"}"#),
    }
}

fn calls() -> Vec<MatrixCall> {
    let reconcile_create = "nothing moved: create again (an unused payment expires unexecuted)";
    let reconcile_execute = "Maya Manager, by the payment id (no status query; a repeated \
                             execute only answers PY0010)";
    vec![
        MatrixCall {
            call: CREATE,
            method: "POST",
            path: "/merchant/payments".into(),
            answers: create_answers(),
            expect: no_money(Expect::State("created"), Expect::Refused),
            ids: vec![],
            // Every create makes a new payment: never repeated once it may have arrived.
            max_sends: 1,
            reconcile: reconcile_create,
        },
        MatrixCall {
            call: EXECUTE,
            method: "POST",
            path: execute_path(),
            answers: execute_answers(),
            expect: moves_money(Expect::State("captured"), Expect::State("failed")),
            ids: vec![PAYMENT_ID],
            // Documented retry-safe: repeated by the executor on timeouts, resets and 5xx.
            max_sends: ATTEMPTS as usize,
            reconcile: reconcile_execute,
        },
        MatrixCall {
            call: TRAIT_EXECUTE,
            method: "POST",
            path: execute_path(),
            answers: execute_answers(),
            expect: moves_money(Expect::State("captured"), Expect::State("failed")),
            ids: vec![PAYMENT_ID, ORDER],
            max_sends: ATTEMPTS as usize,
            reconcile: reconcile_execute,
        },
        MatrixCall {
            call: TRAIT_CREATE,
            method: "POST",
            path: "/merchant/payments".into(),
            answers: create_answers(),
            expect: no_money(Expect::State("captured"), Expect::Refused),
            ids: vec![],
            max_sends: 1,
            reconcile: reconcile_create,
        },
    ]
}

fn client(base_url: &str) -> Result<MayaClient, Error> {
    let mut retry = RetryPolicy::default()
        .max_attempts(ATTEMPTS)
        .delays(Duration::from_millis(1), Duration::from_millis(2));
    // The matrix's 429 asks for 7 s; waiting that out only slows the test (the answer is the
    // same RateLimited either way).
    retry.max_retry_after = Duration::from_millis(1);
    MayaClient::builder(
        "miniapp-client-id",
        SecretString::from("test-client-secret"),
    )
    .api_base_url(base_url)
    .token_url(format!("{base_url}{TOKEN_PATH}"))
    .p2m_id(P2M_ID)
    .executor_config(
        ExecutorConfig::default()
            .timeout(CLIENT_TIMEOUT)
            .retry(retry),
    )
    .execute_retry(ExecuteRetry::new(2, Duration::from_millis(1)))
    .build()
}

/// The execute outcome as the table names it: the common status, or `already_processed`.
fn execute_state(outcome: &ExecuteOutcome) -> String {
    outcome
        .payment_status()
        .map_or_else(|| "already_processed".to_owned(), |s| s.name().to_owned())
}

async fn run(call: &'static str, base_url: String) -> Result<String, Error> {
    let client = client(&base_url)?;
    let session = client.session(tokens(common::ACCESS, common::REFRESH, FUTURE))?;
    match call {
        CREATE => {
            let request = CreatePayment::new(php("249.50"))
                .request_reference(RequestReference::parse(REFERENCE)?);
            client
                .create_payment(&session, &request)
                .await
                .map(|_| "created".to_owned())
        }
        EXECUTE => client
            .execute_payment(&session, &ExecutePayment::new(PAYMENT_ID))
            .await
            .map(|outcome| execute_state(&outcome)),
        _ => client
            .payments(session)
            .create_payment(&PaymentRequest::new(php("249.50")).order_id(ORDER))
            .await
            .map(|outcome| outcome.status.name().to_owned()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_tells_the_truth_for_every_answer_class() {
    run_matrix(&calls(), &support(), run).await;
}

#[test]
fn the_readme_carries_the_matrix() {
    assert_readme_table(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        &calls(),
    );
}
