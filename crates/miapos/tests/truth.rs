//! The truth matrix (DESIGN.md §8): every miaPOS call that changes state, against every class
//! of answer, with the one result each class may give. The same table is in the README
//! ("Money truth").
//!
//! Rows:
//!
//! - `pay (qr)`: the native `/pay` for a QR payment. Moves no money: the payer can reach the
//!   payment only through the checkout page of its answer (spec §3.3), so a lost answer leaves
//!   a payment nobody can pay, which expires. Every fault is retryable; nothing is unknown.
//! - `pay (rtp)`: the native `/pay` for a request to pay, pushed to the payer's phone at once
//!   (§3.3): it may be paid without the answer, so every fault after sending is unknown and
//!   carries the order id.
//! - `request_to_pay_direct`: `/request-to-pay/direct` (§3.4), as `pay (rtp)`.
//! - `create_payment (qr)` / `create_payment (rtp)`: the trait, on a client configured for QR
//!   (the default) or for request-to-pay.
//!
//! miaPOS deduplicates nothing (every `/pay` creates a payment, §3.3): no row may be sent twice.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

use std::path::Path;
use std::time::Duration;

use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{Currency, Customer, Money, PaymentProvider, PaymentRequest, SecretString};
use paykit_miapos::{DirectRtpRequest, MiaPos, PayRequest, PaymentType};
use paykit_testkit::truth::{
    Answer, Answers, CLIENT_TIMEOUT, Expect, MatrixCall, Reply, Route, assert_readme_table,
    moves_money, no_money, run_matrix,
};

const ORDER: &str = "WEB-2026-000451";
const PAYMENT_ID: &str = "5e0c4f1a-8b7d-4c2e-9f3a-1d6b2a7c8e90";
const TOKEN_PATH: &str = "/ecomm/api/v1/token";
const PAY_PATH: &str = "/ecomm/api/v1/pay";
const DIRECT_PATH: &str = "/ecomm/api/v1/request-to-pay/direct";

const PAY_QR: &str = "pay (qr)";
const PAY_RTP: &str = "pay (rtp)";
const DIRECT: &str = "request_to_pay_direct";
const CREATE_QR: &str = "create_payment (qr)";
const CREATE_RTP: &str = "create_payment (rtp)";

const RECONCILE_QR: &str = "nothing to reconcile: the lost payment can only be paid through the checkout page of its answer and expires unpaid (about 5 min); create a new one";
const RECONCILE_RTP: &str = "the payer may approve the lost request: no `paymentId` is known, so wait for a callback for the order id (look it up by `orderId`) or until the request has expired (about 5 min, per terminal) before sending a new one";

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

/// The token endpoint beside the call under test.
fn support() -> Vec<Route> {
    vec![Route::new(
        "POST",
        TOKEN_PATH,
        Reply::json(
            200,
            r#"{"accessToken":"test-access-token","accessTokenExpiresIn":300,"refreshToken":"test-refresh-token","refreshTokenExpiresIn":432000,"tokenType":"Bearer"}"#,
        ),
    )]
}

fn pay_answer(order_id: &str) -> String {
    format!(
        r#"{{"orderId":"{order_id}","paymentId":"{PAYMENT_ID}","checkoutPage":"https://ecomm-test.miapos.md/checkout?paymentId={PAYMENT_ID}"}}"#
    )
}

fn direct_answer(order_id: &str) -> String {
    format!(r#"{{"orderId":"{order_id}","paymentId":"{PAYMENT_ID}"}}"#)
}

/// The answers of a create: `ok` built by `answer` for the request's order id.
fn answers(answer: fn(&str) -> String) -> Answers {
    Answers {
        ok: (200, answer(ORDER)),
        mismatched: Reply::json(200, answer("WEB-2026-000999")),
        // The refusals the protocol notes record (§6.1): a 400 with errorCode "1".
        refusal: Reply::json(
            400,
            r#"{"errorCode":"1","errorMessage":"The terminal type must be [rtp] when the payment type is [RTP]. Current terminal type: [ecomm]."}"#,
        ),
        // Another 4xx, in the web page's envelope (§6.2).
        client_error: Reply::json(
            403,
            r#"{"error":{"code":"TERMINAL_INACTIVE","message":"Terminal not activated","requestId":"req_1"}}"#,
        ),
        server_error: Reply::json(
            500,
            r#"{"errorCode":"1","errorMessage":"Internal server error"}"#,
        ),
    }
}

fn row(
    call: &'static str,
    path: &str,
    answer: fn(&str) -> String,
    expect: Vec<(Answer, Expect)>,
    reconcile: &'static str,
) -> MatrixCall {
    let unknown_possible = expect.iter().any(|(_, e)| *e == Expect::Unknown);
    MatrixCall {
        call,
        method: "POST",
        path: path.to_owned(),
        answers: answers(answer),
        expect,
        ids: if unknown_possible {
            vec![ORDER]
        } else {
            vec![]
        },
        max_sends: 1,
        reconcile,
    }
}

fn calls() -> Vec<MatrixCall> {
    vec![
        row(
            PAY_QR,
            PAY_PATH,
            pay_answer,
            no_money(Expect::State("requires_action"), Expect::Refused),
            RECONCILE_QR,
        ),
        row(
            PAY_RTP,
            PAY_PATH,
            pay_answer,
            moves_money(Expect::State("requires_action"), Expect::Refused),
            RECONCILE_RTP,
        ),
        row(
            DIRECT,
            DIRECT_PATH,
            direct_answer,
            moves_money(Expect::State("requires_action"), Expect::Refused),
            RECONCILE_RTP,
        ),
        row(
            CREATE_QR,
            PAY_PATH,
            pay_answer,
            no_money(Expect::State("requires_action"), Expect::Refused),
            RECONCILE_QR,
        ),
        row(
            CREATE_RTP,
            PAY_PATH,
            pay_answer,
            moves_money(Expect::State("requires_action"), Expect::Refused),
            RECONCILE_RTP,
        ),
    ]
}

fn client(base_url: &str, payment_type: PaymentType) -> MiaPos {
    let retry = RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2));
    MiaPos::builder(base_url, "128", SecretString::from("test-secret-key"))
        .terminal_id("TE0001")
        .payment_type(payment_type)
        .executor_config(
            ExecutorConfig::default()
                .timeout(CLIENT_TIMEOUT)
                .retry(retry),
        )
        .build()
        .unwrap()
}

async fn run(call: &'static str, base_url: String) -> paykit_core::Result<String> {
    // Native calls report `requires_action` on success, as the trait does: the payer has to act.
    let created = |_| "requires_action".to_owned();
    match call {
        PAY_QR => {
            let request = PayRequest::new(ORDER, mdl("249.90"), "Order #451");
            client(&base_url, PaymentType::Qr)
                .pay(&request)
                .await
                .map(created)
        }
        PAY_RTP => {
            let request = PayRequest::new(ORDER, mdl("249.90"), "Order #451")
                .payment_type(PaymentType::Rtp)
                .client_phone("+37369123456");
            client(&base_url, PaymentType::Qr)
                .pay(&request)
                .await
                .map(created)
        }
        DIRECT => {
            let request =
                DirectRtpRequest::new(ORDER, mdl("249.90"), "Order #451", "Maria", "069123456");
            client(&base_url, PaymentType::Qr)
                .request_to_pay_direct(&request)
                .await
                .map(|_| "requires_action".to_owned())
        }
        CREATE_QR | CREATE_RTP => {
            let payment_type = if call == CREATE_QR {
                PaymentType::Qr
            } else {
                PaymentType::Rtp
            };
            let request = PaymentRequest::new(mdl("249.90"))
                .order_id(ORDER)
                .description("Order #451")
                .customer(Customer::default().phone("069123456"));
            client(&base_url, payment_type)
                .create_payment(&request)
                .await
                .map(|outcome| outcome.status.name().to_owned())
        }
        other => panic!("no such call: {other}"),
    }
}

#[tokio::test]
async fn every_call_that_changes_state_tells_the_truth_for_every_answer() {
    run_matrix(&calls(), &support(), run).await;
}

#[test]
fn the_readme_carries_the_matrix() {
    assert_readme_table(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        &calls(),
    );
}
