//! Bank of Georgia Payments API end to end over real HTTP: Keycloak tokens with `expires_in`
//! in seconds, orders paid on the hosted page, callbacks signed in `Callback-Signature`
//! (checked here with the announced key, independently of the simulator's signer), the
//! state machine (refunds, pre-auth, expiry, saved cards), idempotent replay, resends and
//! faults.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use common::{Merchant, Received, client, json, open_page, trigger};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use paykit_sim::{
    BogPaymentsConfig, CallbackOutcome, Faults, LedgerProvider, OpKind, SimConfig, Simulator,
    TokenIssue,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const PROVIDER: LedgerProvider = LedgerProvider::BogPayments;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../testdata/bog-payments-vectors.json")).unwrap()
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    STANDARD.decode(body).unwrap()
}

/// The notes' TV-P3 throwaway key (not BOG's), so no key is generated per test.
fn tv_p3_key() -> Vec<u8> {
    pem_to_der(
        vectors()["tv_p3_callbacks"]["private_key_pem_TEST_ONLY"]
            .as_str()
            .unwrap(),
    )
}

/// The miaPOS test key too: generating an RSA key per simulator costs more than a test.
fn miapos_key() -> Vec<u8> {
    let v: Value = serde_json::from_str(include_str!("../testdata/miapos-vectors.json")).unwrap();
    pem_to_der(v["privateKey_pkcs8_pem_TEST_ONLY"].as_str().unwrap())
}

fn config() -> SimConfig {
    let mut config = SimConfig::default();
    config.miapos.private_key_pkcs8 = Some(miapos_key());
    config.bog_payments = BogPaymentsConfig::default()
        .with_private_key_pkcs8(tv_p3_key())
        .with_callback_resend_delays(vec![Duration::from_millis(50), Duration::from_millis(50)]);
    config
}

async fn start(config: SimConfig) -> Simulator {
    paykit_sim::start(config).await.unwrap()
}

/// Verifies `Callback-Signature` over the exact bytes with a SubjectPublicKeyInfo PEM.
fn signature_ok(body: &str, signature: &str, public_key_pem: &str) -> bool {
    let Ok(sig) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pem_to_der(public_key_pem))
        .verify(body.as_bytes(), &sig)
        .is_ok()
}

/// A callback checked: JSON, signed with the announced key, the `order_payment` envelope.
fn signed(sim: &Simulator, callback: &Received) -> Value {
    assert_eq!(callback.method, "POST");
    assert_eq!(callback.header("content-type"), "application/json");
    assert!(
        signature_ok(
            &callback.body,
            callback.header("callback-signature"),
            &sim.bog_payments().callback_public_key_pem
        ),
        "Callback-Signature verifies with the announced key"
    );
    let event = callback.json();
    assert_eq!(event["event"], "order_payment");
    assert!(event["zoned_request_time"].as_str().unwrap().ends_with('Z'));
    event["body"].clone()
}

/// A merchant-side client of the simulated API.
struct Api {
    api_base: String,
    token: String,
}

impl Api {
    async fn new(sim: &Simulator) -> Self {
        let info = sim.bog_payments();
        let (status, body) = json(
            client()
                .post(&info.token_url)
                .basic_auth(&info.client_id, Some(&info.client_secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        Self {
            api_base: info.api_base.clone(),
            token: body["access_token"].as_str().unwrap().to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (u16, Value, String) {
        let mut req = client()
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, value, text)
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let (s, v, _) = self
            .send(reqwest::Method::POST, path, Some(body), None)
            .await;
        (s, v)
    }

    async fn receipt(&self, id: &str) -> Value {
        let (status, body, _) = self
            .send(reqwest::Method::GET, &format!("/receipt/{id}"), None, None)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Creates an order; returns its id and hosted-page URL.
    async fn create(&self, body: &Value) -> (String, String) {
        let (status, res) = self.post("/ecommerce/orders", body).await;
        assert_eq!(status, 200, "{res}");
        let id = res["id"].as_str().unwrap().to_owned();
        (
            id,
            res["_links"]["redirect"]["href"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    }
}

fn order(callback: &str, total: &str) -> Value {
    json!({
        "callback_url": callback,
        "external_order_id": "A-20250314-0007",
        "purchase_units": {
            "currency": "GEL",
            "total_amount": total.parse::<serde_json::Number>().unwrap(),
            "basket": [{"product_id": "SKU-1001", "description": "Blue mug", "quantity": 1,
                        "unit_price": total.parse::<serde_json::Number>().unwrap()}]
        },
        "redirect_urls": {"success": "https://shop.example.ge/pay/ok", "fail": "https://shop.example.ge/pay/fail"},
        "buyer": {"full_name": "Test Buyer", "masked_email": "b***r@example.ge", "masked_phone": "+995 5** *** 000"}
    })
}

fn manual(callback: &str, total: &str) -> Value {
    let mut o = order(callback, total);
    o["capture"] = "manual".into();
    o
}

fn is_uuid_v4(text: &str) -> bool {
    text.len() == 36 && text.as_bytes()[14] == b'4' && text.matches('-').count() == 4
}

fn ledger_count(sim: &Simulator, id: &str, kind: OpKind) -> usize {
    sim.ledger()
        .payment(PROVIDER, id)
        .map_or(0, |p| p.count(kind))
}

#[tokio::test]
async fn tokens_basic_auth_and_bearer_expiry() {
    let sim = start(config()).await;
    let info = sim.bog_payments().clone();
    assert_eq!(
        info.token_url,
        format!(
            "{}/auth/realms/bog/protocol/openid-connect/token",
            info.base_url
        )
    );
    assert_eq!(info.api_base, format!("{}/payments/v1", info.base_url));
    assert!(!format!("{info:?}").contains(&info.client_secret));
    assert_eq!(
        info.callback_public_key_pem,
        vectors()["tv_p3_callbacks"]["public_key_pem"]
            .as_str()
            .unwrap()
    );
    let token = |id: &str, secret: &str, form: &'static [(&'static str, &'static str)]| {
        client()
            .post(&info.token_url)
            .basic_auth(id, Some(secret))
            .form(form)
            .send()
    };
    let grant = &[("grant_type", "client_credentials")];
    let (status, body) = json(token(&info.client_id, "wrong", grant).await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = json(
        token(&info.client_id, &info.client_secret, &[])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = json(
        token(
            &info.client_id,
            &info.client_secret,
            &[("grant_type", "password")],
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = json(
        token(&info.client_id, &info.client_secret, grant)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["expires_in"], 300, "seconds, not an epoch");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        sim.ledger().tokens_issued(PROVIDER, TokenIssue::Merchant),
        1
    );

    let api = Api::new(&sim).await;
    let receipt = |token: Option<&str>| {
        let mut req = client().get(api.url("/receipt/0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let (status, body) = json(receipt(None).await.unwrap()).await;
    assert_eq!((status, body["status"].as_u64()), (401, Some(401)));
    let (status, body) = json(receipt(Some(&api.token)).await.unwrap()).await;
    assert_eq!(status, 400, "a working token reaches the route");
    assert_eq!(body["message"], "Invalid order_id");
    sim.advance(Duration::from_secs(301));
    let (status, body) = json(receipt(Some(&api.token)).await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Access token expired");
    let fresh = Api::new(&sim).await;
    assert_eq!(
        json(receipt(Some(&fresh.token)).await.unwrap()).await.0,
        400
    );
}

#[tokio::test]
async fn tv_p1_basic_headers_raw_and_rfc6749() {
    let mut config = config();
    config.bog_payments.client_id = "10000999".into();
    config.bog_payments.client_secret = "p+ss/w=rd%é".into();
    let sim = start(config).await;
    let token_url = sim.bog_payments().token_url.clone();
    let cases = vectors()["tv_p1_basic_auth"][1].clone();
    for form in ["raw", "rfc6749"] {
        let header = cases[form].as_str().unwrap();
        let res = client()
            .post(&token_url)
            .header("authorization", header)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{form}");
    }
    // The docs' example header is iPay's sample, not these credentials.
    let res = client()
        .post(&token_url)
        .header(
            "authorization",
            vectors()["tv_p1_basic_auth"][2]["docs_example_header"]
                .as_str()
                .unwrap(),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

#[tokio::test]
async fn hosted_page_payment_with_a_signed_callback() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let mut body = order(&merchant.url("/bog/cb"), "30");
    body["purchase_units"]["basket"] = json!([
        {"product_id": "SKU-1001", "description": "Blue mug", "quantity": 2, "unit_price": 12.5},
        {"product_id": "SHIP", "description": "Delivery", "quantity": 1, "unit_price": 5}
    ]);
    let (status, created) = api.post("/ecommerce/orders", &body).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(is_uuid_v4(id), "{id}");
    assert_eq!(
        created["_links"]["details"]["href"],
        api.url(&format!("/receipt/{id}")).as_str()
    );
    let page = created["_links"]["redirect"]["href"].as_str().unwrap();
    assert_eq!(
        page,
        format!("{}/?order_id={id}", sim.bog_payments().base_url)
    );

    let r = api.receipt(id).await;
    assert_eq!(r["order_status"]["key"], "created");
    assert_eq!(r["purchase_units"]["request_amount"], "30.0");
    assert_eq!(r["purchase_units"]["transfer_amount"], Value::Null);
    assert_eq!(r["payment_detail"]["transfer_method"]["key"], "");
    assert_eq!(r["buyer"]["email"], "b***r@example.ge");
    assert_eq!(r["purchase_units"]["items"][0]["quantity"], "2");
    assert_eq!(r["purchase_units"]["items"][0]["total_price"], "25.0");
    assert_eq!(r["lang"], "ka");
    let (status, _, _) = api
        .send(
            reqwest::Method::GET,
            &format!("/ecommerce/orders/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 405, "GET on an order is not a details endpoint");

    let (status, html) = open_page(page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment successful"));
    assert!(html.contains("https://shop.example.ge/pay/ok"));
    let callback = merchant.next().await;
    assert_eq!(callback.path, "/bog/cb");
    let event = signed(&sim, &callback);
    assert_eq!(event["order_id"], id);
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(event["payment_detail"]["code"], "100");
    assert_eq!(
        event["payment_detail"]["payer_identifier"],
        "400000xxxxxx0001"
    );
    assert_eq!(event["payment_detail"]["card_type"], "visa");
    assert_eq!(event["purchase_units"]["transfer_amount"], "30.0");
    assert_eq!(
        api.receipt(id).await,
        event,
        "the callback carries the receipt"
    );
    // Opening the page again changes nothing and sends nothing.
    assert!(open_page(page).await.1.contains("Payment successful"));
    assert!(merchant.quiet_for(Duration::from_millis(200)).await);
    let ledger = sim.ledger();
    let p = ledger.payment(PROVIDER, id).unwrap();
    assert_eq!(p.order_id.as_deref(), Some("A-20250314-0007"));
    assert_eq!((p.count(OpKind::Register), p.count(OpKind::Charge)), (1, 1));
    assert_eq!(p.total(OpKind::Charge), rust_decimal::Decimal::new(30, 0));
    let records = sim.callbacks();
    assert_eq!(records.len(), 1, "one callback, posted once: {records:?}");
    let record = &records[0];
    assert_eq!(record.provider, "bog-payments");
    assert_eq!(record.attempt, 1);
    assert_eq!(record.outcome, CallbackOutcome::Delivered { status: 200 });
    assert_eq!(record.headers[0].0, "Callback-Signature");
}

#[tokio::test]
async fn declines_by_test_card_cents_and_3ds() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");
    for (total, query, code) in [
        ("20", "&card=4000000000000002", "107"),
        ("10.01", "", "107"),
        ("20", "&3ds=fail", "108"),
    ] {
        let (id, page) = api.create(&order(&cb, total)).await;
        let (status, html) = open_page(&format!("{page}{query}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Payment failed"), "{html}");
        assert!(html.contains("https://shop.example.ge/pay/fail"));
        let event = signed(&sim, &merchant.next().await);
        assert_eq!(event["order_status"]["key"], "rejected");
        assert_eq!(event["payment_detail"]["code"], code);
        assert_eq!(event["payment_detail"]["transfer_account_tag"], "1");
        let reason = event["reject_reason"].as_str().unwrap();
        assert_eq!(
            reason,
            event["payment_detail"]["code_description"]
                .as_str()
                .unwrap()
        );
        assert_eq!(ledger_count(&sim, &id, OpKind::Decline), 1);
        assert_eq!(ledger_count(&sim, &id, OpKind::Charge), 0);
        let (status, body) = api.post(&format!("/payment/refund/{id}"), &json!({})).await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().contains("completed"));
    }
    // A method the order does not offer is refused on the page, and nothing changes.
    let mut only_card = order(&cb, "5");
    only_card["payment_method"] = json!(["card"]);
    let (id, page) = api.create(&only_card).await;
    assert_eq!(open_page(&format!("{page}&method=bog_p2p")).await.0, 400);
    assert_eq!(api.receipt(&id).await["order_status"]["key"], "created");
}

#[tokio::test]
async fn refunds_partial_full_and_their_rules() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");
    let (id, page) = api.create(&order(&cb, "30")).await;
    open_page(&page).await;
    merchant.next().await;

    let (status, ack) = api
        .post(&format!("/payment/refund/{id}"), &json!({"amount": 10}))
        .await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack["key"], "request_received");
    let action_id = ack["action_id"].as_str().unwrap();
    assert!(is_uuid_v4(action_id));
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "refunded_partially");
    assert_eq!(event["purchase_units"]["transfer_amount"], "20.0");
    assert_eq!(event["purchase_units"]["refund_amount"], "10.0");
    let action = &event["actions"][0];
    assert_eq!(action["action_id"], action_id);
    assert_eq!(action["action"], "partial_refund");
    assert_eq!(action["status"], "completed");
    assert_eq!(action["amount"], "10.0");
    assert_eq!(action["request_channel"], "public_api");

    for (amount, rule) in [
        (json!(25), "transfer_amount"),
        (json!(0), "greater than 0"),
        (json!(-1), "negative"),
        (json!(1.234), "2 decimal places"),
        (json!("abc"), "number"),
    ] {
        let (status, body) = api
            .post(&format!("/payment/refund/{id}"), &json!({"amount": amount}))
            .await;
        assert_eq!(status, 400, "{amount}");
        assert!(body["message"].as_str().unwrap().contains(rule), "{body}");
        assert_eq!(body["path"], format!("/payments/v1/payment/refund/{id}"));
    }
    // An amount as a string (the docs' own curl does this), then the rest without one.
    let (status, _) = api
        .post(&format!("/payment/refund/{id}"), &json!({"amount": "5.5"}))
        .await;
    assert_eq!(status, 200);
    merchant.next().await;
    let (status, _, _) = api
        .send(
            reqwest::Method::POST,
            &format!("/payment/refund/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "an empty body is a full refund");
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "refunded");
    assert_eq!(event["purchase_units"]["transfer_amount"], "0.0");
    assert_eq!(event["purchase_units"]["refund_amount"], "30.0");
    assert_eq!(event["actions"][2]["action"], "refund");
    assert_eq!(event["actions"][2]["amount"], "14.5");
    let (status, _) = api.post(&format!("/payment/refund/{id}"), &json!({})).await;
    assert_eq!(status, 400, "nothing left to refund");
    let ledger = sim.ledger();
    let p = ledger.payment(PROVIDER, &id).unwrap();
    assert_eq!(p.count(OpKind::Refund), 3);
    assert_eq!(p.total(OpKind::Refund), rust_decimal::Decimal::new(30, 0));

    // bog_p2p: full refunds only.
    let mut p2p = order(&cb, "12");
    p2p["payment_method"] = json!(["bog_p2p"]);
    let (p2p_id, page) = api.create(&p2p).await;
    open_page(&page).await;
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["payment_detail"]["transfer_method"]["key"], "bog_p2p");
    let (status, body) = api
        .post(&format!("/payment/refund/{p2p_id}"), &json!({"amount": 2}))
        .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("Partial refund"));
    assert_eq!(
        api.post(&format!("/payment/refund/{p2p_id}"), &json!({}))
            .await
            .0,
        200
    );

    // Loans are not refunded; unknown orders are 404.
    let mut loan = order(&cb, "300");
    loan["payment_method"] = json!(["bog_loan"]);
    loan["config"] = json!({"loan": {"type": "zero", "month": 12}});
    let (loan_id, page) = api.create(&loan).await;
    open_page(&page).await;
    let (status, body) = api
        .post(&format!("/payment/refund/{loan_id}"), &json!({}))
        .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("bog_loan"));
    let (status, _) = api
        .post(
            "/payment/refund/0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b",
            &json!({}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn preauth_approve_partial_cancel_and_lapse() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");

    let (id, page) = api.create(&manual(&cb, "75")).await;
    assert!(open_page(&page).await.1.contains("Amount blocked"));
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "blocked");
    assert_eq!(event["capture"], "manual");
    assert_eq!(event["payment_detail"]["code"], "200");
    assert_eq!(event["purchase_units"]["transfer_amount"], "75.0");
    let (status, _) = api.post(&format!("/payment/refund/{id}"), &json!({})).await;
    assert_eq!(status, 400, "a hold is not refunded");
    let approve = format!("/payment/authorization/approve/{id}");
    let (status, body) = api.post(&approve, &json!({"amount": 100})).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("blocked amount"));
    let (status, ack) = api
        .post(&approve, &json!({"amount": 50, "description": "check-out"}))
        .await;
    assert_eq!(status, 200);
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "partial_completed");
    assert_eq!(event["purchase_units"]["transfer_amount"], "50.0");
    assert_eq!(event["actions"][0]["action"], "partial_authorize");
    assert_eq!(event["actions"][0]["action_id"], ack["action_id"]);
    assert_eq!(
        api.post(&approve, &json!({})).await.0,
        400,
        "confirmed once"
    );
    let (status, _) = api
        .post(&format!("/payment/authorization/cancel/{id}"), &json!({}))
        .await;
    assert_eq!(status, 400, "approve and cancel exclude each other");
    assert_eq!(
        api.post(&format!("/payment/refund/{id}"), &json!({}))
            .await
            .0,
        200
    );
    merchant.next().await;
    let ledger = sim.ledger();
    let p = ledger.payment(PROVIDER, &id).unwrap();
    assert_eq!(p.total(OpKind::Hold), rust_decimal::Decimal::new(75, 0));
    assert_eq!(p.total(OpKind::Capture), rust_decimal::Decimal::new(50, 0));
    assert_eq!(p.total(OpKind::Refund), rust_decimal::Decimal::new(50, 0));

    // Cancel releases the whole hold.
    let (id, page) = api.create(&manual(&cb, "40")).await;
    open_page(&page).await;
    merchant.next().await;
    let (status, _) = api
        .post(
            &format!("/payment/authorization/cancel/{id}"),
            &json!({"description": "no-show"}),
        )
        .await;
    assert_eq!(status, 200);
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "rejected");
    assert_eq!(event["actions"][0]["action"], "cancel_authorize");
    assert_eq!(event["actions"][0]["status"], "completed");
    assert_eq!(ledger_count(&sim, &id, OpKind::Void), 1);

    // A full confirmation without an amount.
    let (id, page) = api.create(&manual(&cb, "40")).await;
    open_page(&page).await;
    merchant.next().await;
    assert_eq!(
        api.post(&format!("/payment/authorization/approve/{id}"), &json!({}))
            .await
            .0,
        200
    );
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(event["actions"][0]["action"], "authorize");

    // An untouched hold lapses after 30 days.
    let (id, page) = api.create(&manual(&cb, "40")).await;
    open_page(&page).await;
    merchant.next().await;
    sim.advance(Duration::from_secs(30 * 24 * 3600 + 1));
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_id"], id.as_str());
    assert_eq!(event["order_status"]["key"], "rejected");
    assert_eq!(event["reject_reason"], "expiration");
    assert_eq!(ledger_count(&sim, &id, OpKind::Void), 1);

    // Pre-authorization is for card-based methods only.
    let api = Api::new(&sim).await;
    let mut p2p = manual(&cb, "40");
    p2p["payment_method"] = json!(["bog_p2p"]);
    let (status, body) = api.post("/ecommerce/orders", &p2p).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("capture"));
}

#[tokio::test]
async fn unpaid_orders_expire_after_their_ttl() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let mut body = order(&merchant.url("/cb"), "9");
    for bad in [1, 1441] {
        body["ttl"] = bad.into();
        let (status, res) = api.post("/ecommerce/orders", &body).await;
        assert_eq!(status, 400);
        assert!(res["message"].as_str().unwrap().contains("ttl"));
    }
    body["ttl"] = 2.into();
    let (id, page) = api.create(&body).await;
    sim.advance(Duration::from_secs(119));
    assert_eq!(api.receipt(&id).await["order_status"]["key"], "created");
    sim.advance(Duration::from_secs(2));
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "rejected");
    assert_eq!(event["reject_reason"], "expiration");
    let api = Api::new(&sim).await;
    assert_eq!(api.receipt(&id).await["order_status"]["key"], "rejected");
    assert!(open_page(&page).await.1.contains("Payment failed"));
    assert!(merchant.quiet_for(Duration::from_millis(200)).await);
}

#[tokio::test]
async fn idempotency_keys_replay_status_and_body() {
    let merchant = Merchant::start().await;
    // Kept past the retention horizon, to see the key's own TTL.
    let sim = start(config().keep_everything()).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");
    let key = "8bc10d42-4ba4-4114-bd9a-3979df02b5f1";
    let post = reqwest::Method::POST;
    let first = api
        .send(
            post.clone(),
            "/ecommerce/orders",
            Some(&order(&cb, "30")),
            Some(key),
        )
        .await;
    assert_eq!(first.0, 200);
    // Another body under the same key: the first answer, byte for byte (no new order).
    let again = api
        .send(
            post.clone(),
            "/ecommerce/orders",
            Some(&order(&cb, "31")),
            Some(key),
        )
        .await;
    assert_eq!((again.0, &again.2), (first.0, &first.2));
    let id = first.1["id"].as_str().unwrap().to_owned();
    assert_eq!(ledger_count(&sim, &id, OpKind::Register), 1);
    assert_eq!(sim.ledger().len(), 1);
    // Keys are per endpoint, and must be v4 UUIDs sent raw.
    for bad in [
        "3f0c6b1e-8a2d-1c5b-9e7f-1a0d2c4b6e8f",
        "\"3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f\"",
        "order-123",
    ] {
        let (status, body, _) = api
            .send(
                post.clone(),
                "/ecommerce/orders",
                Some(&order(&cb, "1")),
                Some(bad),
            )
            .await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key")
        );
    }

    open_page(first.1["_links"]["redirect"]["href"].as_str().unwrap()).await;
    let refund = format!("/payment/refund/{id}");
    let rkey = "31d52c5b-5273-40ce-9121-d6f235fe9e5a";
    let a = api
        .send(
            post.clone(),
            &refund,
            Some(&json!({"amount": 10})),
            Some(rkey),
        )
        .await;
    let b = api
        .send(
            post.clone(),
            &refund,
            Some(&json!({"amount": 10})),
            Some(&rkey.to_uppercase()),
        )
        .await;
    assert_eq!(a.0, 200);
    assert_eq!(a.2, b.2, "the same action_id");
    assert_eq!(ledger_count(&sim, &id, OpKind::Refund), 1);
    // A recorded 4xx replays too, even when the retry would now succeed.
    let ekey = "5b666901-eb05-4f83-abeb-8311e175f337";
    let bad = api
        .send(
            post.clone(),
            &refund,
            Some(&json!({"amount": 500})),
            Some(ekey),
        )
        .await;
    assert_eq!(bad.0, 400);
    let retry = api
        .send(
            post.clone(),
            &refund,
            Some(&json!({"amount": 5})),
            Some(ekey),
        )
        .await;
    assert_eq!((retry.0, &retry.2), (400, &bad.2));

    // The money-truth case: processed, then answered 5xx; the retry with the same key
    // gets the real answer and nothing happens twice.
    sim.set_faults(Faults::none().with_error_after_processing_rate(100));
    let lost = "9d3c1b7e-2f4a-4b6c-8d0e-1a2b3c4d5e6f";
    let (status, _, _) = api
        .send(
            post.clone(),
            &refund,
            Some(&json!({"amount": 5})),
            Some(lost),
        )
        .await;
    assert_eq!(status, 500);
    sim.set_faults(Faults::none());
    let (status, ack, _) = api
        .send(
            post.clone(),
            &refund,
            Some(&json!({"amount": 5})),
            Some(lost),
        )
        .await;
    assert_eq!(status, 200);
    assert!(is_uuid_v4(ack["action_id"].as_str().unwrap()));
    assert_eq!(ledger_count(&sim, &id, OpKind::Refund), 2);
    let actions = api.receipt(&id).await["actions"].as_array().unwrap().len();
    assert_eq!(actions, 2);

    // Without a key nothing is replayed: two refunds.
    api.post(&refund, &json!({"amount": 1})).await;
    api.post(&refund, &json!({"amount": 1})).await;
    assert_eq!(ledger_count(&sim, &id, OpKind::Refund), 4);

    // Keys are forgotten after their TTL (24 h by default).
    sim.advance(Duration::from_secs(24 * 3600 + 1));
    let api = Api::new(&sim).await;
    let c = api
        .send(
            post.clone(),
            &refund,
            Some(&json!({"amount": 1})),
            Some(rkey),
        )
        .await;
    assert_eq!(c.0, 200);
    assert_ne!(c.2, a.2);
}

#[tokio::test]
async fn idempotency_mismatch_can_be_refused() {
    let merchant = Merchant::start().await;
    let mut config = config();
    config.bog_payments.reject_idempotency_mismatch = true;
    let sim = start(config).await;
    let api = Api::new(&sim).await;
    let key = "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f";
    let post = reqwest::Method::POST;
    let body = order(&merchant.url("/cb"), "3");
    let first = api
        .send(post.clone(), "/ecommerce/orders", Some(&body), Some(key))
        .await;
    let same = api
        .send(post.clone(), "/ecommerce/orders", Some(&body), Some(key))
        .await;
    assert_eq!(first.2, same.2);
    let other = order(&merchant.url("/cb"), "4");
    let (status, res, _) = api
        .send(post, "/ecommerce/orders", Some(&other), Some(key))
        .await;
    assert_eq!(status, 422);
    assert!(
        res["message"]
            .as_str()
            .unwrap()
            .contains("different request body")
    );
}

#[tokio::test]
async fn saved_cards_recurrent_subscription_and_delete() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");
    let put = reqwest::Method::PUT;

    // Recurrent: saved before paying, then a customer-present order on the parent.
    let (parent, page) = api.create(&order(&cb, "10")).await;
    let (status, _, text) = api
        .send(put.clone(), &format!("/orders/{parent}/cards"), None, None)
        .await;
    assert_eq!((status, text.as_str()), (202, ""));
    open_page(&page).await;
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["payment_detail"]["saved_card_type"], "recurrent");
    let (status, _, _) = api
        .send(put.clone(), &format!("/orders/{parent}/cards"), None, None)
        .await;
    assert_eq!(status, 400, "only while created");
    let (status, created) = api
        .post(&format!("/ecommerce/orders/{parent}"), &order(&cb, "17.5"))
        .await;
    assert_eq!(status, 200, "{created}");
    let child = created["id"].as_str().unwrap();
    open_page(created["_links"]["redirect"]["href"].as_str().unwrap()).await;
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_id"], child);
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(event["payment_detail"]["payment_option"], "recurrent");
    assert_eq!(event["payment_detail"]["parent_order_id"], parent.as_str());
    assert_eq!(event["purchase_units"]["request_amount"], "17.5");
    let (status, body) = api
        .post(&format!("/ecommerce/orders/{parent}/subscribe"), &json!({}))
        .await;
    assert_eq!(status, 400, "a recurrent card is not for automatic charges");
    assert!(body["message"].as_str().unwrap().contains("/subscriptions"));

    // Automatic: the amount, basket and buyer come from the parent.
    let (parent, page) = api.create(&order(&cb, "9.99")).await;
    let (status, _, _) = api
        .send(
            put.clone(),
            &format!("/orders/{parent}/subscriptions"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 202);
    let (status, _) = api
        .post(&format!("/ecommerce/orders/{parent}/subscribe"), &json!({}))
        .await;
    assert_eq!(status, 400, "not paid yet");
    open_page(&page).await;
    merchant.next().await;
    let (status, created) = api
        .post(
            &format!("/ecommerce/orders/{parent}/subscribe"),
            &json!({"callback_url": merchant.url("/renewals"), "external_order_id": "SUB-2025-04"}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let charge = created["id"].as_str().unwrap();
    assert!(created["_links"].get("redirect").is_none());
    assert_eq!(
        created["_links"]["details"]["href"],
        api.url(&format!("/receipt/{charge}")).as_str()
    );
    let callback = merchant.next().await;
    assert_eq!(callback.path, "/renewals");
    let event = signed(&sim, &callback);
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(event["payment_detail"]["payment_option"], "subscription");
    assert_eq!(event["payment_detail"]["parent_order_id"], parent.as_str());
    assert_eq!(event["external_order_id"], "SUB-2025-04");
    assert_eq!(event["purchase_units"]["request_amount"], "9.99");
    assert_eq!(event["buyer"]["full_name"], "Test Buyer");
    assert_eq!(ledger_count(&sim, charge, OpKind::Charge), 1);

    // Delete: 202, then the card is gone.
    let delete = reqwest::Method::DELETE;
    let (status, _, text) = api
        .send(
            delete.clone(),
            &format!("/charges/card/{parent}"),
            None,
            None,
        )
        .await;
    assert_eq!((status, text.as_str()), (202, ""));
    let (status, _) = api
        .post(&format!("/ecommerce/orders/{parent}/subscribe"), &json!({}))
        .await;
    assert_eq!(status, 400);
    let (status, _, _) = api
        .send(delete, &format!("/charges/card/{parent}"), None, None)
        .await;
    assert_eq!(status, 404);

    // The sandbox's ...0003 card pays once, then its automatic charges are declined.
    let (parent, page) = api.create(&order(&cb, "5")).await;
    api.send(put, &format!("/orders/{parent}/subscriptions"), None, None)
        .await;
    open_page(&format!("{page}&card=4000000000000003")).await;
    merchant.next().await;
    let (status, created) = api
        .post(&format!("/ecommerce/orders/{parent}/subscribe"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_id"], created["id"]);
    assert_eq!(event["order_status"]["key"], "rejected");
    assert_eq!(event["payment_detail"]["code"], "107");
    // ...and so are its refunds: acknowledged, then a rejected action.
    let (status, _) = api
        .post(&format!("/payment/refund/{parent}"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(event["actions"][0]["status"], "rejected");
    assert_eq!(event["actions"][0]["code"], "162");
    assert_eq!(ledger_count(&sim, &parent, OpKind::Refund), 0);
}

#[tokio::test]
async fn sandbox_quirks_and_settle_delay() {
    let mut merchant = Merchant::start().await;
    let mut config = config();
    config.bog_payments.save_card_unavailable = true;
    config.bog_payments.require_explicit_amount = true;
    config.bog_payments.settle_delay = Duration::from_secs(15);
    let sim = start(config).await;
    let api = Api::new(&sim).await;
    let (id, page) = api.create(&order(&merchant.url("/cb"), "30")).await;
    let (status, _, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/orders/{id}/cards"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 501);
    open_page(&page).await;
    merchant.next().await;
    let refund = format!("/payment/refund/{id}");
    let (status, body) = api.post(&refund, &json!({})).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("amount is required")
    );
    let (status, ack) = api.post(&refund, &json!({"amount": 30})).await;
    assert_eq!(status, 200);
    let r = api.receipt(&id).await;
    assert_eq!(r["order_status"]["key"], "refund_requested");
    assert_eq!(r["actions"], Value::Null);
    assert_eq!(api.post(&refund, &json!({"amount": 1})).await.0, 400);
    assert!(merchant.quiet_for(Duration::from_millis(100)).await);
    sim.advance(Duration::from_secs(15));
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "refunded");
    assert_eq!(event["actions"][0]["action_id"], ack["action_id"]);
    assert_eq!(ledger_count(&sim, &id, OpKind::Refund), 1);

    let (id, page) = api.create(&manual(&merchant.url("/cb"), "30")).await;
    open_page(&page).await;
    merchant.next().await;
    let approve = format!("/payment/authorization/approve/{id}");
    assert_eq!(api.post(&approve, &json!({"amount": 30})).await.0, 200);
    assert_eq!(
        api.receipt(&id).await["order_status"]["key"],
        "auth_requested"
    );
    sim.advance(Duration::from_secs(15));
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(ledger_count(&sim, &id, OpKind::Capture), 1);
}

#[tokio::test]
async fn apple_pay_and_google_pay_on_the_merchant_page() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");
    let mut apple = order(&cb, "20");
    apple["payment_method"] = json!(["apple_pay"]);
    apple["application_type"] = "web".into();
    apple["config"] = json!({"apple_pay": {"external": true}});
    let (status, created) = api.post("/ecommerce/orders", &apple).await;
    assert_eq!(status, 200);
    let id = created["id"].as_str().unwrap();
    assert!(created["result"].is_object());
    assert!(created["_links"].get("redirect").is_none());
    let accept = created["_links"]["accept"]["href"].as_str().unwrap();
    assert_eq!(accept, api.url(&format!("/ecommerce/orders/{id}/payment")));
    let path = format!("/ecommerce/orders/{id}/payment");
    assert_eq!(
        api.post(&path, &json!({"apple_pay_token": ""})).await.0,
        400
    );
    let (status, paid) = api
        .post(&path, &json!({"apple_pay_token": "{\"paymentData\":{}}"}))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "completed");
    assert_eq!(
        paid["order_details"]["payment_detail"]["transfer_method"]["key"],
        "apple_pay"
    );
    assert_eq!(signed(&sim, &merchant.next().await), paid["order_details"]);
    assert_eq!(
        api.post(&path, &json!({"apple_pay_token": "x"})).await.0,
        400
    );
    let (normal, _) = api.create(&order(&cb, "1")).await;
    let (status, _) = api
        .post(
            &format!("/ecommerce/orders/{normal}/payment"),
            &json!({"apple_pay_token": "x"}),
        )
        .await;
    assert_eq!(status, 400);

    let mut google = order(&cb, "20");
    google["payment_method"] = json!(["google_pay"]);
    google["config"] =
        json!({"google_pay": {"external": true, "google_pay_token": "{\"signature\":\"x\"}"}});
    let (status, created) = api.post("/ecommerce/orders", &google).await;
    assert_eq!(status, 200);
    assert_eq!(created["status"], "completed");
    assert_eq!(
        created["order_details"]["payment_detail"]["transfer_method"]["key"],
        "google_pay"
    );
    assert_eq!(
        signed(&sim, &merchant.next().await),
        created["order_details"]
    );
}

#[tokio::test]
async fn request_errors_have_spring_bodies() {
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let (status, body, _) = api
        .send(reqwest::Method::GET, "/receipt/not-a-real-id", None, None)
        .await;
    assert_eq!(status, 400);
    for key in ["status", "error", "message", "path", "timestamp"] {
        assert!(body.get(key).is_some(), "{key} in {body}");
    }
    assert!(body["message"].as_str().unwrap().contains("order_id"));
    let (status, _, _) = api.send(reqwest::Method::GET, "/nowhere", None, None).await;
    assert_eq!(status, 404);
    let res = client()
        .post(api.url("/ecommerce/orders"))
        .bearer_auth(&api.token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
    let res = client()
        .post(api.url("/ecommerce/orders"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{\"callback_url\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let (status, body) = api
        .post(
            "/ecommerce/orders",
            &order("http://shop.example.ge/cb", "1"),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("callback_url"));
}

#[tokio::test]
async fn arbitrary_bytes_on_every_route_get_answers() {
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let id = "0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b";
    let routes = [
        (reqwest::Method::POST, "/ecommerce/orders".to_owned()),
        (reqwest::Method::POST, format!("/ecommerce/orders/{id}")),
        (
            reqwest::Method::POST,
            format!("/ecommerce/orders/{id}/subscribe"),
        ),
        (
            reqwest::Method::POST,
            format!("/ecommerce/orders/{id}/payment"),
        ),
        (reqwest::Method::POST, format!("/payment/refund/{id}")),
        (
            reqwest::Method::POST,
            format!("/payment/authorization/approve/{id}"),
        ),
        (
            reqwest::Method::POST,
            format!("/payment/authorization/cancel/{id}"),
        ),
        (reqwest::Method::PUT, format!("/orders/{id}/cards")),
        (reqwest::Method::DELETE, format!("/charges/card/{id}")),
    ];
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        br#"{"amount":1e999999,"purchase_units":{"basket":[[[]]]},"config":[]}"#.to_vec(),
        br#"{"callback_url":"https://x/","purchase_units":{"total_amount":"1","basket":[{"product_id":"a","quantity":1e30,"unit_price":1}]}}"#.to_vec(),
        format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
    ];
    for (method, path) in &routes {
        for body in &bodies {
            let res = client()
                .request(method.clone(), api.url(path))
                .bearer_auth(&api.token)
                .header("content-type", "application/json")
                .header("idempotency-key", "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f")
                .body(body.clone())
                .send()
                .await
                .expect("the simulator answers");
            assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
        }
    }
    for path in ["/?order_id=%ff", "/?order_id=&card=x", "/%zz"] {
        let res = client()
            .get(format!("{}{path}", sim.bog_payments().base_url))
            .send()
            .await
            .unwrap();
        assert!(res.status().as_u16() < 500);
    }
}

/// A merchant that answers the statuses in `script` in turn (then 200) and reports every
/// request.
async fn scripted_merchant(script: Vec<u16>) -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let script = Arc::new(Mutex::new(script.into_iter()));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            let script = Arc::clone(&script);
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let tx = tx.clone();
                    let status = script.lock().unwrap().next().unwrap_or(200);
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let _ = tx.send(Received {
                            method: parts.method.to_string(),
                            path: parts.uri.path().to_owned(),
                            headers: parts.headers,
                            body: String::from_utf8_lossy(&body).into_owned(),
                        });
                        let mut res = Response::new(Full::new(Bytes::new()));
                        *res.status_mut() = StatusCode::from_u16(status).unwrap();
                        Ok::<_, Infallible>(res)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (base, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a callback within 5 s")
        .unwrap()
}

#[tokio::test]
async fn callbacks_are_resent_until_accepted() {
    let (base, mut rx) = scripted_merchant(vec![500, 503]).await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let (_, page) = api.create(&order(&format!("{base}/cb"), "10")).await;
    open_page(&page).await;
    let first = next(&mut rx).await;
    let second = next(&mut rx).await;
    let third = next(&mut rx).await;
    assert_eq!(first.body, second.body);
    assert_eq!(second.body, third.body);
    assert_eq!(
        first.header("callback-signature"),
        third.header("callback-signature")
    );
    signed(&sim, &third);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.try_recv().is_err(), "no fourth try after a 200");
    // One record per post, each with what the merchant answered it.
    let tries: Vec<_> = sim
        .callbacks()
        .into_iter()
        .map(|r| (r.attempt, r.outcome, r.headers))
        .collect();
    let signature = vec![(
        "Callback-Signature".to_owned(),
        first.header("callback-signature").to_owned(),
    )];
    assert_eq!(
        tries,
        [
            (
                1,
                CallbackOutcome::Delivered { status: 500 },
                signature.clone()
            ),
            (
                2,
                CallbackOutcome::Delivered { status: 503 },
                signature.clone()
            ),
            (3, CallbackOutcome::Delivered { status: 200 }, signature),
        ]
    );

    // A merchant that never accepts gets the whole schedule: three tries.
    let (base, mut rx) = scripted_merchant(vec![500; 10]).await;
    let (_, page) = api.create(&order(&format!("{base}/cb"), "10")).await;
    open_page(&page).await;
    for _ in 0..3 {
        next(&mut rx).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.try_recv().is_err());
    let record = sim.callbacks().into_iter().last().unwrap();
    assert_eq!(
        (record.attempt, record.outcome),
        (3, CallbackOutcome::Delivered { status: 500 })
    );
    assert_eq!(sim.callbacks().len(), 6, "three records per callback");
}

#[tokio::test]
async fn callback_and_api_faults() {
    let mut merchant = Merchant::start().await;
    let sim = start(config()).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");
    let key = sim.bog_payments().callback_public_key_pem.clone();

    sim.set_faults(Faults::none().with_bad_callback_signatures(100));
    let (_, page) = api.create(&order(&cb, "1")).await;
    open_page(&page).await;
    let bad = merchant.next().await;
    assert!(!signature_ok(
        &bad.body,
        bad.header("callback-signature"),
        &key
    ));
    assert_eq!(
        STANDARD
            .decode(bad.header("callback-signature"))
            .unwrap()
            .len(),
        256
    );

    sim.set_faults(Faults::none().with_duplicate_callbacks(100));
    let (_, page) = api.create(&order(&cb, "2")).await;
    open_page(&page).await;
    let one = merchant.next().await;
    let two = merchant.next().await;
    assert_eq!(one.body, two.body);
    let posts: Vec<u32> = sim
        .callbacks()
        .into_iter()
        .filter(|r| r.body == one.body)
        .map(|r| r.attempt)
        .collect();
    assert_eq!(posts, [1, 2], "the duplicate is the callback's second post");
    assert!(signature_ok(
        &two.body,
        two.header("callback-signature"),
        &key
    ));

    sim.set_faults(Faults::none().with_reordered_callbacks(100));
    let (early, early_page) = api.create(&order(&cb, "3")).await;
    let (late, late_page) = api.create(&order(&cb, "4")).await;
    open_page(&early_page).await;
    assert!(
        merchant.quiet_for(Duration::from_millis(200)).await,
        "held back"
    );
    open_page(&late_page).await;
    assert_eq!(
        merchant.next().await.json()["body"]["order_id"],
        late.as_str()
    );
    assert_eq!(
        merchant.next().await.json()["body"]["order_id"],
        early.as_str()
    );

    sim.set_faults(Faults::none().with_rate_limited(100));
    let (status, body) = api.post("/ecommerce/orders", &order(&cb, "5")).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], "Too Many Requests");
    // Other providers do not take part in the 429 fault.
    let res = client()
        .post(format!("{}/opay/api/v1/oauth2/token", sim.bog().base_url))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status().as_u16(), 429);

    sim.set_faults(Faults::none().with_error_rate(100));
    let (status, body) = api.post("/ecommerce/orders", &order(&cb, "5")).await;
    assert_eq!(status, 500);
    assert_eq!(body["status"], 500);
    sim.set_faults(Faults::none());

    let counts = sim.fault_counts(PROVIDER);
    assert_eq!(counts.bad_signatures, 1);
    assert_eq!(counts.duplicated_callbacks, 1);
    assert_eq!(counts.reordered_callbacks, 1);
    assert_eq!(counts.rate_limited, 1);
    assert_eq!(counts.failed_before, 1);
    assert_eq!(sim.ledger().len(), 4, "faulted requests were not processed");
}

#[tokio::test]
async fn settled_orders_are_forgotten_but_saved_cards_stay() {
    let mut merchant = Merchant::start().await;
    let sim = start(config().with_retention(Duration::from_secs(60))).await;
    let api = Api::new(&sim).await;
    let cb = merchant.url("/cb");
    let (paid, page) = api.create(&order(&cb, "10")).await;
    open_page(&page).await;
    merchant.next().await;
    let (parent, page) = api.create(&order(&cb, "10")).await;
    api.send(
        reqwest::Method::PUT,
        &format!("/orders/{parent}/subscriptions"),
        None,
        None,
    )
    .await;
    open_page(&page).await;
    merchant.next().await;
    let (_unpaid, _) = api.create(&order(&cb, "10")).await;
    assert_eq!(sim.live_payments(), 3);
    sim.advance(Duration::from_secs(61));
    let (status, body, _) = api
        .send(
            reqwest::Method::GET,
            &format!("/receipt/{paid}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("Invalid order_id"))
    );
    // The parent of a saved card and the order still waiting for its customer stay.
    assert_eq!(sim.live_payments(), 2);
    assert_eq!(
        api.receipt(&parent).await["order_status"]["key"],
        "completed"
    );
    let (status, _) = api
        .post(&format!("/ecommerce/orders/{parent}/subscribe"), &json!({}))
        .await;
    assert_eq!(status, 200);
    merchant.next().await;
    // The ledger keeps every order by default.
    assert!(sim.ledger().payment(PROVIDER, &paid).is_some());
}

#[tokio::test]
async fn automatic_charges_stay_processing_until_the_settle_delay() {
    let mut merchant = Merchant::start().await;
    let mut config = config();
    config.bog_payments.settle_delay = Duration::from_secs(20);
    let sim = start(config).await;
    let api = Api::new(&sim).await;
    let (parent, page) = api.create(&order(&merchant.url("/cb"), "12")).await;
    api.send(
        reqwest::Method::PUT,
        &format!("/orders/{parent}/subscriptions"),
        None,
        None,
    )
    .await;
    open_page(&page).await;
    merchant.next().await;
    let (status, created) = api
        .post(&format!("/ecommerce/orders/{parent}/subscribe"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let charge = created["id"].as_str().unwrap();
    assert_eq!(
        api.receipt(charge).await["order_status"]["key"],
        "processing"
    );
    assert_eq!(ledger_count(&sim, charge, OpKind::Charge), 0);
    assert!(merchant.quiet_for(Duration::from_millis(100)).await);
    sim.advance(Duration::from_secs(20));
    let event = signed(&sim, &merchant.next().await);
    assert_eq!(event["order_id"], charge);
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(ledger_count(&sim, charge, OpKind::Charge), 1);
}

#[tokio::test]
async fn a_triggered_callback_is_signed_posted_once_and_faulted_like_any_other() {
    // The merchant refuses the trigger's post: a normal delivery would be resent, a
    // trigger is not.
    let (merchant, mut rx) = scripted_merchant(vec![200, 503]).await;
    let sim = start(config()).await;
    let base = sim.bog_payments().base_url.clone();
    let api = Api::new(&sim).await;
    let (id, page) = api.create(&order(&format!("{merchant}/cb"), "10")).await;

    let (status, refused) = trigger(&base, json!({ "payment": id })).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"], "no_callback_yet");
    assert!(refused["message"].as_str().unwrap().contains("created"));

    open_page(&page).await;
    signed(&sim, &next(&mut rx).await);
    let (status, record) = trigger(&base, json!({ "payment": id })).await;
    assert_eq!(status, 200, "{record}");
    let again = next(&mut rx).await;
    let event = signed(&sim, &again);
    assert_eq!(event["order_id"], id.as_str());
    assert_eq!(event["order_status"]["key"], "completed");
    assert_eq!(event, api.receipt(&id).await, "the receipt as it is now");
    assert_eq!(record["provider"], "bog-payments");
    assert_eq!(record["body"], again.body.as_str());
    assert_eq!(
        record["headers"],
        json!([{ "name": "Callback-Signature", "value": again.header("callback-signature") }])
    );
    assert_eq!(
        record["outcome"],
        json!({ "state": "delivered", "status": 503 })
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.try_recv().is_err(), "a refused trigger is not resent");

    // The bad-signature fault applies to a trigger; the listener's request faults do not
    // reach the route.
    sim.set_faults(
        Faults::none()
            .with_bad_callback_signatures(100)
            .with_error_rate(100)
            .with_rate_limited(100),
    );
    let (status, record) = trigger(&base, json!({ "payment": id })).await;
    assert_eq!(status, 200, "{record}");
    let bad = next(&mut rx).await;
    assert!(!signature_ok(
        &bad.body,
        bad.header("callback-signature"),
        &sim.bog_payments().callback_public_key_pem
    ));
    assert_eq!(sim.fault_counts(PROVIDER).bad_signatures, 1);

    // Dropped: recorded, never posted.
    sim.set_faults(Faults::none().with_dropped_callbacks(100));
    let (status, record) = trigger(&base, json!({ "payment": id })).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["outcome"], json!({ "state": "dropped" }));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.try_recv().is_err(), "a dropped trigger is not posted");
    let last = sim.callbacks().pop().unwrap();
    assert_eq!(last.outcome, CallbackOutcome::Dropped);

    let (status, unknown) = trigger(&base, json!({ "payment": "no-such-order" })).await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["error"], "unknown_payment");
}
