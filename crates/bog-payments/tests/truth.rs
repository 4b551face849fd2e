//! The truth matrix (DESIGN.md §8): every money-moving call of the native API and of the common
//! traits, and the two creates that move no money, against every class of answer, on
//! paykit-testkit's misbehaving server. The same table is in the README ("Money truth").
//!
//! Every mutating call carries an `Idempotency-Key`, so core retries it like a read (5xx,
//! timeouts, resets: up to 3 sends, all with the one key) before the answer is final; a fault
//! that outlives the retries is an unknown outcome carrying the order id and the key. The
//! idempotent-retry row (a 5xx, then the replayed success) is
//! `a_server_error_then_success_is_one_operation_with_one_key`.

use std::sync::Arc;
use std::time::Duration;

use paykit_bog_payments::{
    BasketItem, BogPaymentsClient, ChargeSaved, CreateOrder, IdempotencyKey,
};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    CardUsage, Currency, Decimal, Error, Flow, InMemoryPaymentRecords, Money, PaymentProvider,
    PaymentRecord, PaymentRecords, PaymentRequest, SavedCardCharge, SecretString,
};
use paykit_testkit::truth::{
    Answer, Answers, CLIENT_TIMEOUT, Expect, MatrixCall, Reply, Route, assert_readme_table,
    moves_money, no_money, run_matrix,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API: &str = "/payments/v1";
const TOKEN: &str = "/auth/realms/bog/protocol/openid-connect/token";
/// A completed card payment of 30.00 the client created.
const PAID: &str = "0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b";
/// A blocked (manual) payment of 75.00.
const HELD: &str = "9d3c1b7e-2f4a-4b6c-8d0e-1a2b3c4d5e6f";
const NEW_ORDER: &str = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8";
const OTHER: &str = "ffffffff-ffff-4fff-8fff-ffffffffffff";
const KEY: &str = "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f";

fn gel(text: &str) -> Money {
    Money::parse(text, Currency::GEL).expect("a GEL amount")
}

fn receipt(order_id: &str, key: &str, capture: &str, amount: &str) -> String {
    json!({
        "order_id": order_id, "capture": capture, "external_order_id": "shop",
        "order_status": {"key": key, "value": key},
        "purchase_units": {"request_amount": amount, "transfer_amount": amount,
                           "refund_amount": "0.0", "currency_code": "GEL", "items": []},
        "payment_detail": {"transfer_method": {"key": "card", "value": "card"}, "code": "100"},
        "actions": null, "reject_reason": null
    })
    .to_string()
}

fn support() -> Vec<Route> {
    let token = r#"{"access_token":"test-access-token","expires_in":300,"token_type":"Bearer"}"#;
    vec![
        Route::new("POST", TOKEN, Reply::json(200, token)),
        Route::new(
            "GET",
            &format!("{API}/receipt/{PAID}"),
            Reply::json(200, receipt(PAID, "completed", "automatic", "30.0")),
        ),
        Route::new(
            "GET",
            &format!("{API}/receipt/{HELD}"),
            Reply::json(200, receipt(HELD, "blocked", "manual", "75.0")),
        ),
    ]
}

async fn client(base_url: &str) -> Result<BogPaymentsClient, Error> {
    let records = Arc::new(InMemoryPaymentRecords::new());
    for (order_id, flow, amount) in [(PAID, Flow::Pay, "30.00"), (HELD, Flow::Hold, "75.00")] {
        let record = PaymentRecord::new(paykit_bog_payments::PROVIDER, order_id)
            .with_flow(flow)
            .with_amount(Some(gel(amount)));
        records.put(&record).await?;
    }
    BogPaymentsClient::builder("10000999", SecretString::from("Ab3dEf6hIj9K"))
        .api_base(format!("{base_url}{API}"))
        .token_url(format!("{base_url}{TOKEN}"))
        .payment_records(records)
        .executor_config(ExecutorConfig::default().timeout(CLIENT_TIMEOUT).retry(
            RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)),
        ))
        .build()
}

fn key() -> IdempotencyKey {
    IdempotencyKey::parse(KEY).expect("a v4 key")
}

fn order() -> CreateOrder {
    CreateOrder::new(
        "https://shop.example.ge/bog/callback",
        Currency::GEL,
        Decimal::new(10, 0),
        vec![BasketItem::new("SKU-1", 1, Decimal::new(10, 0))],
    )
    .external_order_id("A-1")
}

async fn run(call: &'static str, base_url: String) -> Result<String, Error> {
    let client = client(&base_url).await?;
    let name = |outcome: paykit_core::PaymentOutcome| outcome.status.name().to_owned();
    let ack = |ack: paykit_bog_payments::RequestReceived| ack.key;
    match call {
        "refund_order (full)" => client.refund_order(PAID, None, &key()).await.map(ack),
        "refund_order (partial)" => client
            .refund_order(PAID, Some(Decimal::new(10, 0)), &key())
            .await
            .map(ack),
        "approve_preauth (full)" => client
            .approve_preauth(HELD, None, None, &key())
            .await
            .map(ack),
        "approve_preauth (partial)" => client
            .approve_preauth(HELD, Some(Decimal::new(50, 0)), Some("check-out"), &key())
            .await
            .map(ack),
        "cancel_preauth" => client.cancel_preauth(HELD, None, &key()).await.map(ack),
        "charge_subscription" => client
            .charge_subscription(PAID, &ChargeSaved::new(None, Some("SUB-1".into())), &key())
            .await
            .map(|c| c.id),
        "apple_pay_accept" => client
            .apple_pay_accept(PAID, "{\"paymentData\":{}}", &key())
            .await
            .map(|r| r.status.map_or_else(String::new, |s| s.as_str().to_owned())),
        "Refund::refund" => client
            .refund()
            .expect("offered")
            .refund(PAID, None)
            .await
            .map(name),
        "Capture::capture" => client
            .capture()
            .expect("offered")
            .capture(HELD, None)
            .await
            .map(name),
        "Void::void" => client.void().expect("offered").void(HELD).await.map(name),
        "Recurring::charge_saved_card" => {
            let charge = SavedCardCharge::new(
                PAID,
                CardUsage::Recurring,
                PaymentRequest::new(gel("30.00")).order_id("SUB-1"),
            );
            client
                .recurring()
                .expect("offered")
                .charge_saved_card(&charge)
                .await
                .map(name)
        }
        "create_order" => client.create_order(&order(), &key()).await.map(|o| o.id),
        "PaymentProvider::create_payment" => {
            let request = PaymentRequest::new(gel("10.00"))
                .order_id("A-1")
                .callback_url("https://shop.example.ge/bog/callback");
            client.create_payment(&request).await.map(name)
        }
        other => panic!("no such call {other}"),
    }
}

fn spring(status: u16, error: &str, message: &str, route: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "timestamp": "2025-03-14T09:26:53.589+0000", "status": status,
            "error": error, "message": message, "path": format!("{API}{route}")
        })
        .to_string(),
    )
}

fn ack_answers(route: &str, refusal: &str) -> Answers {
    let ok = r#"{"key":"request_received","message":"Request received","action_id":"5b666901-eb05-4f83-abeb-8311e175f337"}"#;
    Answers {
        ok: (200, ok.to_owned()),
        mismatched: Reply::json(200, r#"{"key":"request_rejected","message":"?"}"#),
        refusal: spring(400, "Bad Request", refusal, route),
        client_error: spring(
            415,
            "Unsupported Media Type",
            "Content type not supported",
            route,
        ),
        server_error: spring(500, "Internal Server Error", "", route),
    }
}

fn created_answers(route: &str) -> Answers {
    let ok = json!({"id": NEW_ORDER, "_links": {
        "details": {"href": format!("https://api.bog.ge/payments/v1/receipt/{NEW_ORDER}")},
        "redirect": {"href": format!("https://payment.bog.ge/?order_id={NEW_ORDER}")}}});
    Answers {
        ok: (200, ok.to_string()),
        mismatched: Reply::json(200, format!(r#"{{"id":"{NEW_ORDER}","_links":{{}}}}"#)),
        refusal: spring(
            400,
            "Bad Request",
            "payment_method bog_loan is not active",
            route,
        ),
        client_error: spring(422, "Unprocessable Entity", "invalid body", route),
        server_error: Reply::json(502, "<html><body>Bad Gateway</body></html>"),
    }
}

const RECONCILE_KEYED: &str = "repeat the call with the `Idempotency-Key` in `payment_ref()`: BOG answers what it did the first time; or read `get_payment`";
const RECONCILE_CHARGE: &str = "repeat `/subscribe` with the same key (BOG replays the first answer, with the new order's id); never with a new key before that";
const RECONCILE_CREATE: &str =
    "nothing was charged: create again (the same key returns the same order)";

fn keyed(
    call: &'static str,
    method: &'static str,
    route: String,
    answers: Answers,
    ok: &'static str,
    ids: Vec<&'static str>,
    reconcile: &'static str,
) -> MatrixCall {
    MatrixCall {
        call,
        method,
        path: format!("{API}{route}"),
        answers,
        expect: moves_money(Expect::State(ok), Expect::Refused),
        ids,
        max_sends: 3,
        reconcile,
    }
}

fn calls() -> Vec<MatrixCall> {
    let refund = format!("/payment/refund/{PAID}");
    let approve = format!("/payment/authorization/approve/{HELD}");
    let cancel = format!("/payment/authorization/cancel/{HELD}");
    let subscribe = format!("/ecommerce/orders/{PAID}/subscribe");
    let apple = format!("/ecommerce/orders/{PAID}/payment");
    let ack = "request_received";
    let mut charge = created_answers(&subscribe);
    charge.ok = (
        200,
        json!({"id": NEW_ORDER, "_links": {"details": {"href": "x"}}}).to_string(),
    );
    charge.mismatched = Reply::json(200, json!({"id": PAID}).to_string());
    let apple_answers = Answers {
        ok: (200, json!({"id": PAID, "status": "completed"}).to_string()),
        mismatched: Reply::json(200, json!({"id": OTHER, "status": "completed"}).to_string()),
        refusal: spring(400, "Bad Request", "apple_pay_token is invalid", &apple),
        client_error: spring(415, "Unsupported Media Type", "", &apple),
        server_error: spring(503, "Service Unavailable", "", &apple),
    };
    let create = "/ecommerce/orders".to_owned();
    vec![
        keyed(
            "refund_order (full)",
            "POST",
            refund.clone(),
            ack_answers(&refund, "Order is not in a refundable state"),
            ack,
            vec![PAID],
            RECONCILE_KEYED,
        ),
        keyed(
            "refund_order (partial)",
            "POST",
            refund.clone(),
            ack_answers(&refund, "amount exceeds transfer_amount"),
            ack,
            vec![PAID],
            RECONCILE_KEYED,
        ),
        keyed(
            "approve_preauth (full)",
            "POST",
            approve.clone(),
            ack_answers(&approve, "Order is not blocked"),
            ack,
            vec![HELD],
            RECONCILE_KEYED,
        ),
        keyed(
            "approve_preauth (partial)",
            "POST",
            approve.clone(),
            ack_answers(&approve, "amount exceeds the blocked amount"),
            ack,
            vec![HELD],
            RECONCILE_KEYED,
        ),
        keyed(
            "cancel_preauth",
            "POST",
            cancel.clone(),
            ack_answers(&cancel, "Order is not blocked"),
            ack,
            vec![HELD],
            RECONCILE_KEYED,
        ),
        keyed(
            "charge_subscription",
            "POST",
            subscribe,
            charge,
            NEW_ORDER,
            vec![PAID, "SUB-1"],
            RECONCILE_CHARGE,
        ),
        keyed(
            "apple_pay_accept",
            "POST",
            apple,
            apple_answers,
            "completed",
            vec![PAID],
            RECONCILE_KEYED,
        ),
        MatrixCall {
            ids: vec![PAID],
            ..keyed(
                "Refund::refund",
                "POST",
                refund.clone(),
                ack_answers(&refund, "Order is not in a refundable state"),
                "pending",
                vec![],
                RECONCILE_KEYED,
            )
        },
        MatrixCall {
            ids: vec![HELD],
            ..keyed(
                "Capture::capture",
                "POST",
                approve.clone(),
                ack_answers(&approve, "Order is not blocked"),
                "pending",
                vec![],
                RECONCILE_KEYED,
            )
        },
        MatrixCall {
            ids: vec![HELD],
            ..keyed(
                "Void::void",
                "POST",
                cancel.clone(),
                ack_answers(&cancel, "Order is not blocked"),
                "pending",
                vec![],
                RECONCILE_KEYED,
            )
        },
        MatrixCall {
            call: "Recurring::charge_saved_card",
            method: "POST",
            path: format!("{API}/ecommerce/orders/{PAID}/subscribe"),
            answers: {
                let mut a = created_answers("/subscribe");
                a.ok = (200, json!({"id": NEW_ORDER, "_links": {}}).to_string());
                a.mismatched = Reply::json(200, json!({"id": PAID}).to_string());
                a
            },
            expect: moves_money(Expect::State("pending"), Expect::Refused),
            ids: vec![PAID, "SUB-1"],
            max_sends: 3,
            reconcile: RECONCILE_CHARGE,
        },
        MatrixCall {
            call: "create_order",
            method: "POST",
            path: format!("{API}{create}"),
            answers: created_answers(&create),
            expect: no_money(Expect::State(NEW_ORDER), Expect::Refused),
            ids: vec![],
            max_sends: 3,
            reconcile: RECONCILE_CREATE,
        },
        MatrixCall {
            call: "PaymentProvider::create_payment",
            method: "POST",
            path: format!("{API}{create}"),
            answers: created_answers(&create),
            expect: no_money(Expect::State("requires_action"), Expect::Refused),
            ids: vec![],
            max_sends: 3,
            reconcile: RECONCILE_CREATE,
        },
    ]
}

#[tokio::test]
async fn every_money_moving_call_against_every_answer() {
    run_matrix(&calls(), &support(), run).await;
}

#[test]
fn the_readme_shows_the_same_table() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    assert_readme_table(&readme, &calls());
}

/// The idempotent-retry row: a refund answered 500, then (BOG replaying by key) 200. The client
/// retries by itself, with the same `Idempotency-Key` both times, and the result is the one
/// acknowledgement: one operation, never two refunds.
#[tokio::test]
async fn a_server_error_then_success_is_one_operation_with_one_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"access_token":"t","expires_in":300,"token_type":"Bearer"}"#),
        )
        .mount(&server)
        .await;
    let route = format!("{API}/payment/refund/{PAID}");
    Mock::given(method("POST"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"key":"request_received","message":"ok","action_id":"5b666901-eb05-4f83-abeb-8311e175f337"}"#,
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server.uri()).await.unwrap();
    let generated = IdempotencyKey::generate().unwrap();
    let ack = client
        .refund_order(PAID, Some(Decimal::new(10, 0)), &generated)
        .await
        .unwrap();
    assert_eq!(
        ack.action_id.as_deref(),
        Some("5b666901-eb05-4f83-abeb-8311e175f337")
    );
    assert_eq!(ack.idempotency_key, generated);
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == route)
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(sent, vec![generated.to_string(), generated.to_string()]);
}

/// Each answer class is listed; the matrix has no gap.
#[test]
fn every_call_lists_every_answer() {
    for call in calls() {
        for answer in Answer::ALL {
            assert!(
                call.expectation(answer).is_some(),
                "{} × {}",
                call.call,
                answer.label()
            );
        }
    }
}
