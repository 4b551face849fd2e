//! The truth matrix (DESIGN.md §8): every Maya call that can move money, and Checkout create
//! (which moves none), against every class of answer, with the one result each class may give.
//! The same table is in the README ("Money truth").
//!
//! Maya documents no idempotency (spec §5.6): no row may send its request more than once.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{clock_at, keys};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{Currency, Error, Money};
use paykit_maya_checkout::{
    CaptureRequest, CardPayment, CreateCheckout, Environment, MayaCheckoutClient, RedirectUrls,
    RefundAnswer, SavedCardPayment, WalletCharge, payment_outcome,
};
use paykit_testkit::truth::{
    Answers, CLIENT_TIMEOUT, Expect, MatrixCall, Reply, assert_readme_table, moves_money, no_money,
    run_matrix,
};

const PAYMENT: &str = "7ea1f6ef-035c-4fcd-85e0-037c8d9d4a2c";
const AUTHORIZATION: &str = "5b0c4e7a-0d55-4f3b-9b8e-2f1c3a4d5e6f";
const CAPTURE_RECORD: &str = "c4f7a1e2-9b3d-4c5e-8f6a-7b8c9d0e1f2a";
const CUSTOMER: &str = "cus-2f1e0d9c";
const CARD: &str = "ctk-8b7a6f5e";
const LINK: &str = "4c3b2a10-9f8e-4d7c-b6a5-0f1e2d3c4b5a";
const RRN: &str = "order-10042-a1";

const CREATE_CHECKOUT: &str = "create_checkout";
const CARD_PAYMENT: &str = "create_card_payment";
const SAVED_CARD: &str = "pay_with_saved_card";
const WALLET_LINK: &str = "execute_wallet_link";
const CAPTURE: &str = "capture";
const VOID: &str = "void";
const REFUND: &str = "refund";

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

fn urls() -> RedirectUrls {
    RedirectUrls::new(
        "https://shop.example.ph/ok",
        "https://shop.example.ph/fail",
        "https://shop.example.ph/cancel",
    )
}

fn payment_body(id: &str, status: &str, amount: &str, rrn: &str) -> String {
    format!(
        r#"{{"id":"{id}","status":"{status}","isPaid":true,"amount":{amount},"currency":"PHP","canVoid":true,"canRefund":false,"canCapture":false,"createdAt":"2026-01-06T01:00:00.000Z","requestReferenceNumber":"{rrn}","receiptNumber":"a1b2c3d4e5f6"}}"#
    )
}

fn fault() -> Reply {
    Reply::json(500, r#"{"code":"PY9999","message":"Request timed out."}"#)
}

/// The answers of a call that returns a payment object.
fn charge_answers(id: &str, amount: &str, decline: &'static str) -> Answers {
    Answers {
        ok: (200, payment_body(id, "PAYMENT_SUCCESS", amount, RRN)),
        // Another amount than asked for.
        mismatched: Reply::json(200, payment_body(id, "PAYMENT_SUCCESS", "24.95", RRN)),
        refusal: Reply::json(400, decline),
        client_error: Reply::json(
            400,
            r#"{"code":"2553","message":"Missing/invalid parameters.","parameters":[{"field":"totalAmount.amount","description":"value must be a number"}]}"#,
        ),
        server_error: fault(),
    }
}

fn calls() -> Vec<MatrixCall> {
    let by_reference = "P3 `GET /payments/v1/payment-rrns/{rrn}` with the reference the error \
                        carries; charge again only if no attempt was paid";
    let by_id = "P1 and P6/P9 of the payment id the error carries; never repeat blindly";
    vec![
        MatrixCall {
            call: CREATE_CHECKOUT,
            method: "POST",
            path: "/checkout/v1/checkouts".into(),
            answers: Answers {
                ok: (
                    200,
                    r#"{"checkoutId":"fa4da2ff-dcda-4367-a97d-0c9445147b73","redirectUrl":"https://payments-web-sandbox.paymaya.com/v2/checkout?id=fa4da2ff-dcda-4367-a97d-0c9445147b73"}"#.into(),
                ),
                mismatched: Reply::json(200, r#"{"checkoutId":"","redirectUrl":""}"#),
                refusal: Reply::json(400, r#"{"code":"PY0037","message":"Currency is not supported."}"#),
                client_error: Reply::json(400, r#"{"code":"2553","message":"Missing/invalid parameters."}"#),
                server_error: fault(),
            },
            expect: no_money(Expect::State("created"), Expect::Refused),
            ids: vec![],
            max_sends: 1,
            reconcile: "nothing moved: create another checkout (an orphan expires after 1 h)",
        },
        MatrixCall {
            call: CARD_PAYMENT,
            method: "POST",
            path: "/payments/v1/payments".into(),
            answers: charge_answers(
                PAYMENT,
                "249.50",
                r#"{"code":"PY0007","message":"Payment token has already been used."}"#,
            ),
            expect: moves_money(Expect::State("captured"), Expect::Refused),
            ids: vec![RRN],
            max_sends: 1,
            reconcile: by_reference,
        },
        MatrixCall {
            call: SAVED_CARD,
            method: "POST",
            path: format!("/payments/v1/customers/{CUSTOMER}/cards/{CARD}/payments"),
            answers: charge_answers(
                PAYMENT,
                "99.00",
                r#"{"code":"PY0119","message":"Issuer declined."}"#,
            ),
            expect: moves_money(Expect::State("captured"), Expect::Refused),
            ids: vec![RRN],
            max_sends: 1,
            reconcile: by_reference,
        },
        MatrixCall {
            call: WALLET_LINK,
            method: "POST",
            path: format!("/payby/v2/paymaya/link/{LINK}/execute"),
            answers: charge_answers(
                PAYMENT,
                "150.00",
                r#"{"code":"PY0105","message":"Insufficient balance."}"#,
            ),
            expect: moves_money(Expect::State("captured"), Expect::Refused),
            ids: vec![RRN],
            max_sends: 1,
            reconcile: by_reference,
        },
        MatrixCall {
            call: CAPTURE,
            method: "POST",
            path: format!("/payments/v1/payments/{AUTHORIZATION}/capture"),
            answers: Answers {
                ok: (200, payment_body(CAPTURE_RECORD, "PAYMENT_SUCCESS", "100.00", RRN)),
                // Another reference than the authorization's.
                mismatched: Reply::json(
                    200,
                    payment_body(CAPTURE_RECORD, "PAYMENT_SUCCESS", "100.00", "order-99999"),
                ),
                refusal: Reply::json(400, r#"{"code":"PY0094","message":"Payment is not available for capture."}"#),
                client_error: Reply::json(400, r#"{"code":"PY0095","message":"Capture amount exceeds the authorized amount."}"#),
                server_error: fault(),
            },
            expect: moves_money(Expect::State("captured"), Expect::Refused),
            ids: vec![AUTHORIZATION, RRN],
            max_sends: 1,
            reconcile: "P1 of the authorization (its capturedAmount) and P3 by the reference",
        },
        MatrixCall {
            call: VOID,
            method: "POST",
            path: format!("/payments/v1/payments/{PAYMENT}/voids"),
            answers: Answers {
                ok: (
                    200,
                    format!(r#"{{"id":"vd-1","payment":"{PAYMENT}","status":"SUCCESS","reason":"r"}}"#),
                ),
                mismatched: Reply::json(200, r#"{"id":"vd-1","payment":"another-payment","status":"SUCCESS"}"#),
                refusal: Reply::json(400, r#"{"code":"PY0045","message":"Payment is not available for void."}"#),
                client_error: Reply::json(400, r#"{"code":"PY0044","message":"Payment is invalid."}"#),
                server_error: fault(),
            },
            expect: moves_money(Expect::State("voided"), Expect::Refused),
            ids: vec![PAYMENT],
            max_sends: 1,
            reconcile: by_id,
        },
        MatrixCall {
            call: REFUND,
            method: "POST",
            path: format!("/payments/v1/payments/{PAYMENT}/refunds"),
            answers: Answers {
                ok: (
                    200,
                    format!(r#"{{"id":"rf-1","payment":"{PAYMENT}","amount":100.00,"currency":"PHP","status":"SUCCESS","reason":"r"}}"#),
                ),
                mismatched: Reply::json(
                    200,
                    format!(r#"{{"id":"rf-1","payment":"{PAYMENT}","amount":1000.00,"currency":"PHP","status":"SUCCESS"}}"#),
                ),
                // HTTP 401, but a business refusal (spec §5.2).
                refusal: Reply::json(401, r#"{"code":"PY0047","message":"Payment is ineligible for refund."}"#),
                client_error: Reply::json(400, r#"{"code":"PY0048","message":"Refund amount is greater than the original amount."}"#),
                server_error: fault(),
            },
            expect: moves_money(Expect::State("refunded"), Expect::Refused),
            ids: vec![PAYMENT],
            max_sends: 1,
            reconcile: by_id,
        },
    ]
}

fn client(base_url: &str) -> Result<MayaCheckoutClient, Error> {
    let mut retry = RetryPolicy::default()
        .max_attempts(3)
        .delays(Duration::from_millis(1), Duration::from_millis(2));
    // The matrix's 429 asks for 7 s; waiting it out only slows the test.
    retry.max_retry_after = Duration::from_millis(1);
    MayaCheckoutClient::builder(Environment::Sandbox, keys())
        .api_base_url(base_url)
        .executor_config(
            ExecutorConfig::default()
                .timeout(CLIENT_TIMEOUT)
                .retry(retry),
        )
        .clock(clock_at("2026-01-06T04:00:00Z"))
        .build()
}

fn charged(result: Result<paykit_maya_checkout::Payment, Error>) -> Result<String, Error> {
    result.map(|p| payment_outcome(&p, None, false).status.name().to_owned())
}

async fn run(call: &'static str, base_url: String) -> Result<String, Error> {
    let client = client(&base_url)?;
    match call {
        CREATE_CHECKOUT => client
            .create_checkout(&CreateCheckout::new(&php("249.50"), RRN, urls()))
            .await
            .map(|_| "created".to_owned()),
        CARD_PAYMENT => charged(
            client
                .create_card_payment(&CardPayment::new("ptk-1", &php("249.50"), RRN, urls()))
                .await,
        ),
        SAVED_CARD => charged(
            client
                .pay_with_saved_card(CUSTOMER, CARD, &SavedCardPayment::new(&php("99.00"), RRN))
                .await,
        ),
        WALLET_LINK => charged(
            client
                .execute_wallet_link(LINK, &WalletCharge::new(&php("150.00"), RRN))
                .await,
        ),
        CAPTURE => charged(
            client
                .capture_payment(AUTHORIZATION, &CaptureRequest::new(&php("100.00"), RRN))
                .await,
        ),
        VOID => client
            .void_payment(PAYMENT, "customer changed their mind")
            .await
            .map(|_| "voided".to_owned()),
        _ => client
            .refund_payment(PAYMENT, &php("100.00"), "customer changed their mind")
            .await
            .map(|answer| match answer {
                RefundAnswer::Ongoing { .. } => "ongoing".to_owned(),
                _ => "refunded".to_owned(),
            }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_tells_the_truth_for_every_answer_class() {
    run_matrix(&calls(), &[], run).await;
}

#[test]
fn the_readme_carries_the_matrix() {
    assert_readme_table(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        &calls(),
    );
}
