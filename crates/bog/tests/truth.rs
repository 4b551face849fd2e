//! The truth matrix (issue 10, DESIGN.md §8): every money-moving call of the native API and of
//! the common traits, and the two creates that move no money, against every class of answer,
//! on paykit-testkit's misbehaving server. The same table is in the README ("Money truth").
//!
//! iPay answers a refund with an empty 200 (bog-ipay.md §5.3); here its success carries a JSON
//! echo so that a truncated and a mismatched success exist at all. The empty 200 is tested in
//! `endpoints.rs` (`refunds_are_form_encoded_and_an_empty_200_is_success`).

use std::sync::Arc;
use std::time::Duration;

use paykit_bog::{BogClient, PreAuthCompletion, SubscriptionCharge};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{
    CardUsage, Currency, Error, Flow, InMemoryPaymentRecords, Money, PaymentProvider,
    PaymentRecord, PaymentRecords, PaymentRef, PaymentRequest, SavedCardCharge, SecretString,
};
use paykit_testkit::truth::{
    Answer, Answers, CLIENT_TIMEOUT, Expect, MatrixCall, Reply, Route, assert_readme_table,
    moves_money, no_money, run_matrix,
};

const API: &str = "/opay/api/v1";
/// A captured (AUTOMATIC) payment of 50.00 the client created.
const PAID: &str = "a1c3e5a7b9d0f2e4c6a8b0d2f4e6a8c0b2d4f6a8";
const PAID_HASH: &str = "e1f3a5c7b9d1e3f5a7c9b1d3e5f7a9c1b3d5e7f9";
/// A blocked (MANUAL) payment of 80.00 the client created.
const HELD: &str = "b2d4f6a8c0e2a4c6e8b0d2f4a6c8e0b2d4f6a8c0";
const HELD_HASH: &str = "f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2a4c6e8b0";
/// What iPay creates: a new order, a recurring charge.
const NEW_ORDER: &str = "9c1e7a2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a";
const CHARGE: &str = "0d2f4b6a8c1e3f5a7b9d0e2c4a6f8b0d1e3c5a7b";
const OTHER: &str = "ffffffffffffffffffffffffffffffffffffffff";

fn gel(text: &str) -> Money {
    Money::parse(text, Currency::GEL).expect("a GEL amount")
}

fn details(order_id: &str, hash: &str, pre_auth: Option<&str>) -> String {
    serde_json::json!({
        "status": "success", "order_id": order_id, "payment_hash": hash,
        "ipay_payment_id": "18625", "status_description": "PERFORMED",
        "shop_order_id": "shop", "payment_method": "GC_CARD", "card_type": "VISA",
        "pan": "411111******1111", "transaction_id": "6F1A2B3C4D5E6F70819",
        "pre_auth_status": pre_auth
    })
    .to_string()
}

/// The token endpoint, and the status query the common refund asks before releasing a block.
fn support() -> Vec<Route> {
    let token = r#"{"access_token":"test-access-token","token_type":"Bearer","app_id":"1A2019","expires_in":4102444800000}"#;
    vec![
        Route::new(
            "POST",
            &format!("{API}/oauth2/token"),
            Reply::json(200, token),
        ),
        Route::new(
            "GET",
            &format!("{API}/checkout/payment/{HELD}"),
            Reply::json(200, details(HELD, HELD_HASH, Some("in_progress"))),
        ),
        Route::new(
            "GET",
            &format!("{API}/checkout/payment/{PAID}"),
            Reply::json(200, details(PAID, PAID_HASH, None)),
        ),
    ]
}

/// A client on `base_url` whose records know the two payments it created.
async fn client(base_url: &str) -> Result<BogClient, Error> {
    let records = Arc::new(InMemoryPaymentRecords::new());
    for (order_id, hash, flow, amount, shop) in [
        (PAID, PAID_HASH, Flow::Pay, "50.00", "shop-paid"),
        (HELD, HELD_HASH, Flow::Hold, "80.00", "shop-held"),
    ] {
        let ids = PaymentRef::new()
            .provider_payment_id(order_id)
            .payment_hash(hash)
            .merchant_reference(shop);
        let record = PaymentRecord::new(paykit_bog::PROVIDER, order_id)
            .with_ids(&ids)
            .with_flow(flow)
            .with_amount(Some(gel(amount)));
        records.put(&record).await?;
    }
    BogClient::builder("1006", SecretString::from("test-secret-key"))
        .base_url(format!("{base_url}{API}"))
        .payment_records(records)
        .executor_config(ExecutorConfig::default().timeout(CLIENT_TIMEOUT).retry(
            RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)),
        ))
        .build()
}

/// Performs `call` and describes its result: the status word it reports.
async fn run(call: &'static str, base_url: String) -> Result<String, Error> {
    let client = client(&base_url).await?;
    let name = |outcome: paykit_core::PaymentOutcome| outcome.status.name().to_owned();
    match call {
        "refund_order (full)" => client
            .refund_order(PAID, None)
            .await
            .map(|()| "accepted".into()),
        "refund_order (partial)" => client
            .refund_order(PAID, Some(gel("5.00")))
            .await
            .map(|()| "accepted".into()),
        "complete_pre_auth (FULL_COMPLETE)" => completion(&client, PreAuthCompletion::Full).await,
        "complete_pre_auth (PARTIAL_COMPLETE)" => {
            completion(&client, PreAuthCompletion::Partial(gel("30.00"))).await
        }
        "complete_pre_auth (CANCEL)" => completion(&client, PreAuthCompletion::Cancel).await,
        "charge_subscription" => client
            .charge_subscription(
                &SubscriptionCharge::new(PAID, gel("19.99")).shop_order_id("SUB-1"),
            )
            .await
            .map(|payment| payment.status.as_str().to_owned()),
        "Capture::capture" => client
            .capture()
            .expect("iPay offers it")
            .capture(HELD, None)
            .await
            .map(name),
        "Refund::refund" => client
            .refund()
            .expect("iPay offers it")
            .refund(PAID, None)
            .await
            .map(name),
        "Refund::refund (blocked)" => client
            .refund()
            .expect("iPay offers it")
            .refund(HELD, None)
            .await
            .map(name),
        "Void::void" => client
            .void()
            .expect("iPay offers it")
            .void(HELD)
            .await
            .map(name),
        "Recurring::charge_saved_card" => {
            let charge = SavedCardCharge::new(
                PAID,
                CardUsage::Recurring,
                PaymentRequest::new(gel("19.99")).order_id("SUB-1"),
            );
            client
                .recurring()
                .expect("iPay offers it")
                .charge_saved_card(&charge)
                .await
                .map(name)
        }
        "create_order" => {
            let order = paykit_bog::CreateOrder::new(
                paykit_bog::Intent::Capture,
                gel("10.00"),
                "https://shop.example.ge/r",
            )
            .item(paykit_bog::OrderItem::new("1", "Mug", gel("10.00"), 1))
            .shop_order_id("A-1");
            client.create_order(&order).await.map(|order| order.status)
        }
        "PaymentProvider::create_payment" => {
            let request = PaymentRequest::new(gel("10.00"))
                .order_id("A-1")
                .return_url("https://shop.example.ge/r");
            client.create_payment(&request).await.map(name)
        }
        other => panic!("no such call {other}"),
    }
}

async fn completion(client: &BogClient, how: PreAuthCompletion) -> Result<String, Error> {
    client
        .complete_pre_auth(HELD, &how)
        .await
        .map(|result| result.status.as_str().to_owned())
}

fn spring(status: u16, error: &str, message: &str, path: &str) -> Reply {
    Reply::json(
        status,
        serde_json::json!({
            "timestamp": "2025-03-14T09:26:53.589+0000", "status": status,
            "error": error, "message": message, "path": format!("{API}{path}")
        })
        .to_string(),
    )
}

fn business(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        serde_json::json!({"error_code": code, "error_message": message}).to_string(),
    )
}

const RECONCILE_REFUND: &str = "wait for the Amount Return callback, which confirms the refund in the records; until then `get_payment` reads `pending` and another partial refund is refused";
const RECONCILE_COMPLETION: &str = "`get_payment`: iPay's `pre_auth_status` shows whether the block was completed (`captured`), released (`cancelled`) or still held (`authorized`)";
const RECONCILE_CHARGE: &str = "the new payment's ids are unknown: its status-change callback carries them and your `shop_order_id` (`BogWebhook::confirm_unknown_orders`); never charge again before";
const RECONCILE_CREATE: &str = "nothing was charged: create the order again";

fn refund_answers(order_id: &str) -> Answers {
    Answers {
        ok: (
            200,
            format!(r#"{{"status":"success","order_id":"{order_id}"}}"#),
        ),
        mismatched: Reply::json(
            200,
            format!(r#"{{"status":"success","order_id":"{OTHER}"}}"#),
        ),
        refusal: business(
            400,
            "INVALID_ORDER_STATE",
            "The payment is already fully refunded",
        ),
        client_error: spring(
            415,
            "Unsupported Media Type",
            "Content type 'application/json' not supported",
            "/checkout/refund",
        ),
        server_error: spring(500, "Internal Server Error", "", "/checkout/refund"),
    }
}

fn completion_answers(description: &str, refusal: Reply) -> Answers {
    Answers {
        ok: (
            200,
            format!(r#"{{"status":"success","description":"{description}"}}"#),
        ),
        mismatched: Reply::json(
            200,
            format!(r#"{{"status":"success","description":"{description}","order_id":"{OTHER}"}}"#),
        ),
        refusal,
        client_error: business(
            400,
            "INVALID_REQUEST",
            "amount must be less than the blocked amount",
        ),
        server_error: Reply::json(502, "<html><body>Bad Gateway</body></html>"),
    }
}

fn declined_completion() -> Reply {
    Reply::json(
        200,
        r#"{"status":"error","description":"Pre-authorization not found"}"#,
    )
}

fn charge_answers() -> Answers {
    let hash = "b2d4f6a8c0e1f3a5b7d9e0c2a4f6b8d0e1c3a5b7";
    Answers {
        ok: (
            200,
            format!(r#"{{"status":"in_progress","payment_hash":"{hash}","order_id":"{CHARGE}"}}"#),
        ),
        // The answer names the card's own order, not a new charge.
        mismatched: Reply::json(
            200,
            format!(r#"{{"status":"in_progress","payment_hash":"{hash}","order_id":"{PAID}"}}"#),
        ),
        refusal: Reply::json(
            200,
            format!(r#"{{"status":"error","payment_hash":"{hash}","order_id":"{CHARGE}"}}"#),
        ),
        client_error: business(
            400,
            "INVALID_ORDER_STATE",
            "Recurring payments need a successful original order",
        ),
        server_error: spring(
            503,
            "Service Unavailable",
            "",
            "/checkout/payment/subscription",
        ),
    }
}

fn create_answers() -> Answers {
    let created = |linked: &str| {
        format!(
            r#"{{"status":"CREATED","payment_hash":"3f0c6b1e8a2d4c5b9e7f1a0d2c4b6e8f0a1b3c5d","order_id":"{NEW_ORDER}","links":[{{"href":"https://ipay.ge/?order_id={linked}&locale=ka","rel":"approve","method":"REDIRECT"}}]}}"#
        )
    };
    Answers {
        ok: (200, created(NEW_ORDER)),
        // The approve link would send the customer to another order.
        mismatched: Reply::json(200, created(OTHER)),
        refusal: business(400, "INVALID_REQUEST", "redirect_url is required"),
        client_error: spring(
            415,
            "Unsupported Media Type",
            "Content type 'text/plain' not supported",
            "/checkout/orders",
        ),
        server_error: spring(500, "Internal Server Error", "", "/checkout/orders"),
    }
}

fn calls() -> Vec<MatrixCall> {
    use Expect as E;
    let refund_path = format!("{API}/checkout/refund");
    let completion_path = format!("{API}/checkout/payment/{HELD}/pre-auth/completion");
    let charge_path = format!("{API}/checkout/payment/subscription");
    let create_path = format!("{API}/checkout/orders");
    let paid_ids = vec![PAID, PAID_HASH, "shop-paid"];
    let held_ids = vec![HELD, HELD_HASH, "shop-held"];
    let completed = "Pre-authorization successfully completed";
    let cancelled = "Pre-authorization successfully canceled";
    let call = |call: &'static str,
                path: &str,
                answers: Answers,
                expect: Vec<(Answer, Expect)>,
                ids: &[&'static str],
                reconcile: &'static str| MatrixCall {
        call,
        method: "POST",
        path: path.to_owned(),
        answers,
        expect,
        ids: ids.to_vec(),
        max_sends: 1,
        reconcile,
    };
    vec![
        call(
            "refund_order (full)",
            &refund_path,
            refund_answers(PAID),
            moves_money(E::State("accepted"), E::Refused),
            &paid_ids,
            RECONCILE_REFUND,
        ),
        call(
            "refund_order (partial)",
            &refund_path,
            refund_answers(PAID),
            moves_money(E::State("accepted"), E::Refused),
            &paid_ids,
            RECONCILE_REFUND,
        ),
        call(
            "complete_pre_auth (FULL_COMPLETE)",
            &completion_path,
            completion_answers(completed, declined_completion()),
            moves_money(E::State("success"), E::State("error")),
            &held_ids,
            RECONCILE_COMPLETION,
        ),
        call(
            "complete_pre_auth (PARTIAL_COMPLETE)",
            &completion_path,
            completion_answers(completed, declined_completion()),
            moves_money(E::State("success"), E::State("error")),
            &held_ids,
            RECONCILE_COMPLETION,
        ),
        call(
            "complete_pre_auth (CANCEL)",
            &completion_path,
            completion_answers(cancelled, declined_completion()),
            moves_money(E::State("success"), E::State("error")),
            &held_ids,
            RECONCILE_COMPLETION,
        ),
        call(
            "charge_subscription",
            &charge_path,
            charge_answers(),
            moves_money(E::State("in_progress"), E::State("error")),
            &["SUB-1"],
            RECONCILE_CHARGE,
        ),
        call(
            "Capture::capture",
            &completion_path,
            completion_answers(completed, declined_completion()),
            moves_money(E::State("captured"), E::Refused),
            &held_ids,
            RECONCILE_COMPLETION,
        ),
        call(
            "Refund::refund",
            &refund_path,
            refund_answers(PAID),
            moves_money(E::State("refunded"), E::Refused),
            &paid_ids,
            RECONCILE_REFUND,
        ),
        call(
            "Refund::refund (blocked)",
            &refund_path,
            refund_answers(HELD),
            moves_money(E::State("cancelled"), E::Refused),
            &held_ids,
            RECONCILE_COMPLETION,
        ),
        call(
            "Void::void",
            &completion_path,
            // iPay's answer to a cancel of a completed pre-authorization: nothing released.
            completion_answers(
                cancelled,
                Reply::json(
                    200,
                    r#"{"status":"success","description":"Already completed successful"}"#,
                ),
            ),
            moves_money(E::State("cancelled"), E::Refused),
            &held_ids,
            RECONCILE_COMPLETION,
        ),
        call(
            "Recurring::charge_saved_card",
            &charge_path,
            charge_answers(),
            moves_money(E::State("pending"), E::State("failed")),
            &["SUB-1"],
            RECONCILE_CHARGE,
        ),
        call(
            "create_order",
            &create_path,
            create_answers(),
            no_money(E::State("CREATED"), E::Refused),
            &[],
            RECONCILE_CREATE,
        ),
        call(
            "PaymentProvider::create_payment",
            &create_path,
            create_answers(),
            no_money(E::State("requires_action"), E::Refused),
            &[],
            RECONCILE_CREATE,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_against_every_answer() {
    run_matrix(&calls(), &support(), run).await;
}

#[test]
fn the_readme_carries_the_matrix() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    assert_readme_table(&readme, &calls());
}
