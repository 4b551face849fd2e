//! The truth matrix (issue 10 §4, DESIGN.md §8): every call of maib that moves money, or
//! registers a page that will, against every class of answer, with the one result each may
//! give. The same table is in the README ("Money truth").

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    CaptureMode, CardUsage, Currency, Customer, Error, Flow, InMemoryPaymentRecords, Money,
    PaymentProvider, PaymentRecord, PaymentRecords, PaymentRef, PaymentRequest, SavedCardCharge,
    SecretString,
};
use paykit_maib::{
    BillerExpiry, ExecuteOneClickRequest, ExecuteRecurringRequest, MaibClient, PayInfo, PayRequest,
    PaymentFlow, SaveCardRequest,
};
use paykit_testkit::truth::{
    Answers, CLIENT_TIMEOUT, Expect, MatrixCall, Reply, Route, assert_readme_table, moves_money,
    no_money, run_matrix,
};

const PAY_ID: &str = "f16a9006-128a-46bc-8e2a-77a6ee99df75";
const OTHER_ID: &str = "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5";
const BILLER_ID: &str = "8a90269f-cebd-4b23-1f85-08db7982298c";
const PAY_URL: &str =
    "https://maib.ecommerce.md/ecomm01/ClientHandler?trans_id=rEsfhyIk8s9ypxkcS9fj/3C8FqA=";
const ORDER_ID: &str = "123";
const CHARGE_ORDER_ID: &str = "sub-42-m2";

fn ok(result: &str) -> String {
    format!(r#"{{"result":{result},"ok":true}}"#)
}

fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        format!(r#"{{"errors":[{{"errorCode":"{code}","errorMessage":"{message}"}}],"ok":false}}"#),
    )
}

fn internal_error() -> Reply {
    error(500, "10000", "Internal error")
}

/// Answers of the calls that register a checkout page (`payId`, `orderId`, `payUrl`).
fn link_answers() -> Answers {
    Answers {
        ok: (
            200,
            ok(&format!(
                r#"{{"payId":"{PAY_ID}","orderId":"{ORDER_ID}","payUrl":"{PAY_URL}"}}"#
            )),
        ),
        mismatched: Reply::json(
            200,
            ok(&format!(
                r#"{{"payId":"{PAY_ID}","orderId":"999","payUrl":"{PAY_URL}"}}"#
            )),
        ),
        refusal: error(409, "13113", "Payment type not allowed in this currency"),
        client_error: error(400, "12001", "Parameter 'amount' is invalid"),
        server_error: internal_error(),
    }
}

fn complete_answers() -> Answers {
    let answer = |pay_id: &str| {
        ok(&format!(
            r#"{{"payId":"{pay_id}","orderId":"{ORDER_ID}","status":"OK","statusCode":"000","statusMessage":"Approved","confirmAmount":10.25}}"#
        ))
    };
    Answers {
        ok: (200, answer(PAY_ID)),
        mismatched: Reply::json(200, answer(OTHER_ID)),
        refusal: error(409, "13115", "Complete only for payments in Hold status"),
        client_error: error(404, "13002", "Payment not found"),
        server_error: internal_error(),
    }
}

fn refund_answers(refusal: Reply) -> Answers {
    let answer = |status: &str, amount: &str| {
        ok(&format!(
            r#"{{"payId":"{PAY_ID}","orderId":"{ORDER_ID}","status":"{status}","statusCode":"400","statusMessage":"Accepted","refundAmount":{amount}}}"#
        ))
    };
    Answers {
        ok: (200, answer("OK", "10.25")),
        mismatched: Reply::json(200, answer("OK", "5.00")),
        refusal,
        client_error: error(404, "13002", "Payment not found"),
        server_error: internal_error(),
    }
}

/// A repeated refund: 200 with status REVERSED.
fn reversed() -> Reply {
    Reply::json(
        200,
        ok(&format!(
            r#"{{"payId":"{PAY_ID}","orderId":"{ORDER_ID}","status":"REVERSED","statusCode":"400","statusMessage":"Accepted","refundAmount":10.25}}"#
        )),
    )
}

fn recurring_answers() -> Answers {
    let answer = |status: &str, amount: &str| {
        ok(&format!(
            r#"{{"payId":"{OTHER_ID}","billerId":"{BILLER_ID}","orderId":"{CHARGE_ORDER_ID}","status":"{status}","statusCode":"000","statusMessage":"Approved","rrn":"331711380061","approval":"327595","cardNumber":"510218******1124","amount":{amount},"currency":"EUR"}}"#
        ))
    };
    Answers {
        ok: (200, answer("OK", "6.25")),
        mismatched: Reply::json(200, answer("OK", "62.50")),
        // A decline is a documented final answer: the charge failed, nothing was taken.
        refusal: Reply::json(200, answer("FAILED", "6.25")),
        client_error: error(404, "13003", "Biller not found"),
        server_error: internal_error(),
    }
}

fn delete_answers() -> Answers {
    let answer = |id: &str| ok(&format!(r#"{{"billerId":"{id}","status":"OK"}}"#));
    Answers {
        ok: (200, answer(BILLER_ID)),
        mismatched: Reply::json(200, answer(OTHER_ID)),
        refusal: error(404, "13003", "Biller not found"),
        client_error: error(400, "12032", "Parameter 'billerId' is required"),
        server_error: internal_error(),
    }
}

const CREATE_AGAIN: &str = "nothing moved: create again (an unopened page lapses after 10 minutes)";
const RECONCILE_COMPLETE: &str =
    "`pay_info`: a `confirmAmount` shows the capture; complete again only without one";
const RECONCILE_REFUND: &str =
    "`pay_info`: a `refundAmount` shows the refund; maib refunds once, never repeat blindly";
const RECONCILE_CHARGE: &str = "find the order id's charge in maibmerchants (pay-info needs the `payId`, carried when an answer named one) before charging again";

fn link_call(call: &'static str, path: &str) -> MatrixCall {
    MatrixCall {
        call,
        method: "POST",
        path: path.to_owned(),
        answers: link_answers(),
        expect: no_money(Expect::State("requires_action"), Expect::Refused),
        ids: vec![],
        max_sends: 1,
        reconcile: CREATE_AGAIN,
    }
}

fn calls() -> Vec<MatrixCall> {
    let complete = |call| MatrixCall {
        call,
        method: "POST",
        path: "/v1/complete".to_owned(),
        answers: complete_answers(),
        expect: moves_money(Expect::State("captured"), Expect::Refused),
        ids: vec![PAY_ID, ORDER_ID],
        max_sends: 1,
        reconcile: RECONCILE_COMPLETE,
    };
    let refund = |call, refusal| MatrixCall {
        call,
        method: "POST",
        path: "/v1/refund".to_owned(),
        answers: refund_answers(refusal),
        expect: moves_money(Expect::State("refunded"), Expect::Refused),
        ids: vec![PAY_ID, ORDER_ID],
        max_sends: 1,
        reconcile: RECONCILE_REFUND,
    };
    let recurring = |call| MatrixCall {
        call,
        method: "POST",
        path: "/v1/execute-recurring".to_owned(),
        answers: recurring_answers(),
        expect: moves_money(Expect::State("captured"), Expect::State("failed")),
        ids: vec![CHARGE_ORDER_ID],
        max_sends: 1,
        reconcile: RECONCILE_CHARGE,
    };
    vec![
        link_call("pay", "/v1/pay"),
        link_call("hold", "/v1/hold"),
        link_call("savecard-recurring", "/v1/savecard-recurring"),
        link_call("savecard-oneclick", "/v1/savecard-oneclick"),
        link_call("execute-oneclick", "/v1/execute-oneclick"),
        complete("complete"),
        refund("refund", reversed()),
        recurring("execute-recurring"),
        MatrixCall {
            call: "delete-card",
            method: "DELETE",
            path: format!("/v1/delete-card/{BILLER_ID}"),
            answers: delete_answers(),
            expect: no_money(Expect::State("deleted"), Expect::Refused),
            ids: vec![],
            max_sends: 1,
            reconcile: "nothing moved: delete again",
        },
        link_call("create_payment (automatic)", "/v1/pay"),
        link_call("create_payment (manual)", "/v1/hold"),
        complete("Capture::capture"),
        refund(
            "Refund::refund",
            error(409, "13116", "Payment is already refunded"),
        ),
        link_call("Recurring::save_card", "/v1/savecard-recurring"),
        recurring("charge_saved_card (recurring)"),
        link_call("charge_saved_card (one-click)", "/v1/execute-oneclick"),
    ]
}

/// The token endpoint, and pay-info for the trait refund's read.
fn support() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/v1/generate-token",
            Reply::json(
                200,
                ok(
                    r#"{"accessToken":"test-access-token","expiresIn":300,"refreshToken":"test-refresh-token","refreshExpiresIn":1800,"tokenType":"Bearer"}"#,
                ),
            ),
        ),
        Route::new(
            "GET",
            &format!("/v1/pay-info/{PAY_ID}"),
            Reply::json(
                200,
                ok(&format!(
                    r#"{{"payId":"{PAY_ID}","orderId":"{ORDER_ID}","status":"OK","statusCode":"000","statusMessage":"Approved","amount":10.25,"currency":"MDL"}}"#
                )),
            ),
        ),
    ]
}

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

fn eur(amount: &str) -> Money {
    Money::parse(amount, Currency::EUR).unwrap()
}

fn ip() -> Ipv4Addr {
    Ipv4Addr::new(135, 250, 245, 121)
}

/// A client at `base_url` whose records know `PAY_ID` as created by `flow` for order `123`.
async fn client(base_url: &str, flow: Flow) -> paykit_core::Result<MaibClient> {
    let records = Arc::new(InMemoryPaymentRecords::new());
    let record = PaymentRecord::new(paykit_maib::PROVIDER, PAY_ID)
        .with_flow(flow)
        .with_amount(Some(mdl("10.25")))
        .with_ids(&PaymentRef::new().merchant_reference(ORDER_ID));
    records.put(&record).await?;
    let config = ExecutorConfig::default()
        .timeout(CLIENT_TIMEOUT)
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)));
    MaibClient::builder("8508706", SecretString::from("test-project-secret"))
        .base_url(base_url)
        .executor_config(config)
        .payment_records(records)
        .build()
}

fn payment_request(amount: Money) -> PaymentRequest {
    PaymentRequest::new(amount)
        .order_id(ORDER_ID)
        .customer(Customer::default().ip(ip()).email("ion@example.md"))
}

fn charge_request() -> PaymentRequest {
    PaymentRequest::new(eur("6.25")).order_id(CHARGE_ORDER_ID)
}

/// The payment as pay-info showed it before a native refund.
fn before_refund() -> PayInfo {
    let mut info = PayInfo::default();
    info.pay_id = PAY_ID.to_owned();
    info.amount = Some(mdl("10.25").amount());
    info.currency = Some("MDL".to_owned());
    info
}

async fn run(call: &'static str, base_url: String) -> Result<String, Error> {
    let flow = match call {
        "complete" | "Capture::capture" => Flow::Hold,
        _ => Flow::Pay,
    };
    let client = client(&base_url, flow).await?;
    let expiry = BillerExpiry::years_from_now(3);
    let save = SaveCardRequest::new(expiry, ip(), Currency::EUR)
        .amount(eur("6.25"))
        .email("ion@example.md")
        .order_id(ORDER_ID);
    let status = match call {
        "pay" => {
            client
                .pay(&PayRequest::new(mdl("10.25"), ip()).order_id(ORDER_ID))
                .await?
                .outcome(None)
                .status
        }
        "hold" => {
            client
                .hold(&PayRequest::new(mdl("10.25"), ip()).order_id(ORDER_ID))
                .await?
                .outcome(None)
                .status
        }
        "savecard-recurring" => client.savecard_recurring(&save).await?.outcome(None).status,
        "savecard-oneclick" => client.savecard_oneclick(&save).await?.outcome(None).status,
        "execute-oneclick" => {
            let request =
                ExecuteOneClickRequest::new(BILLER_ID, eur("6.25"), ip()).order_id(ORDER_ID);
            client
                .execute_oneclick(&request)
                .await?
                .outcome(None)
                .status
        }
        "complete" => {
            let amount = Some(mdl("10.25").amount());
            let result = client.complete(PAY_ID, amount).await?;
            result.outcome(Some(Currency::MDL)).status
        }
        "refund" => {
            let result = client
                .refund_payment(PAY_ID, Some(mdl("10.25").amount()))
                .await?;
            result.outcome(&before_refund(), PaymentFlow::Direct).status
        }
        "execute-recurring" => {
            let request =
                ExecuteRecurringRequest::new(BILLER_ID, eur("6.25")).order_id(CHARGE_ORDER_ID);
            client.execute_recurring(&request).await?.outcome().status
        }
        "delete-card" => {
            client.delete_card(BILLER_ID).await?;
            return Ok("deleted".to_owned());
        }
        "create_payment (automatic)" => {
            client
                .create_payment(&payment_request(mdl("10.25")))
                .await?
                .status
        }
        "create_payment (manual)" => {
            let request = payment_request(mdl("10.25")).capture(CaptureMode::Manual);
            client.create_payment(&request).await?.status
        }
        "Capture::capture" => {
            let capture = client.capture().unwrap();
            capture.capture(PAY_ID, Some(mdl("10.25"))).await?.status
        }
        "Refund::refund" => {
            let refund = client.refund().unwrap();
            refund.refund(PAY_ID, Some(mdl("10.25"))).await?.status
        }
        "Recurring::save_card" => {
            let recurring = client.recurring().unwrap();
            recurring
                .save_card(&payment_request(eur("6.25")), CardUsage::Recurring)
                .await?
                .status
        }
        "charge_saved_card (recurring)" => {
            let charge = SavedCardCharge::new(BILLER_ID, CardUsage::Recurring, charge_request());
            client
                .recurring()
                .unwrap()
                .charge_saved_card(&charge)
                .await?
                .status
        }
        "charge_saved_card (one-click)" => {
            let request = payment_request(eur("6.25"));
            let charge = SavedCardCharge::new(BILLER_ID, CardUsage::OneClick, request);
            client
                .recurring()
                .unwrap()
                .charge_saved_card(&charge)
                .await?
                .status
        }
        other => panic!("no such call in the matrix: {other}"),
    };
    Ok(status.name().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_against_every_answer_class() {
    run_matrix(&calls(), &support(), run).await;
}

#[test]
fn the_readme_carries_the_matrix() {
    assert_readme_table(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        &calls(),
    );
}
