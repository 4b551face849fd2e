//! miaPOS end to end over real HTTP: tokens, QR and RTP payments, the checkout page,
//! RSA-signed callbacks checked against the served public key, expiry, errors.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Merchant, Received, client, json, open_page, reply, sim, trigger};
use paykit_sim::Simulator;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// An independent miaPOS check: sorted values of `result` (nulls skipped, `amount` with two
/// decimals) joined with `;`, verified RSA PKCS#1 v1.5 / SHA-256 with the served key.
fn miapos_signature_ok(body: &str, public_key_b64: &str) -> bool {
    let outer: BTreeMap<String, &RawValue> = serde_json::from_str(body).unwrap();
    let result: BTreeMap<String, &RawValue> = serde_json::from_str(outer["result"].get()).unwrap();
    let parts: Vec<String> = result
        .iter()
        .filter(|(_, v)| v.get() != "null")
        .map(|(k, v)| {
            if k == "amount" {
                let (int, frac) = v.get().split_once('.').unwrap_or((v.get(), ""));
                format!("{int}.{:0<2}", frac)
            } else {
                serde_json::from_str::<String>(v.get()).unwrap()
            }
        })
        .collect();
    let signature: String = serde_json::from_str(outer["signature"].get()).unwrap();
    let key = STANDARD.decode(public_key_b64).unwrap();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key)
        .verify(
            parts.join(";").as_bytes(),
            &STANDARD.decode(signature).unwrap(),
        )
        .is_ok()
}

struct Miapos {
    base: String,
    token: String,
    refresh: String,
}

impl Miapos {
    async fn new(sim: &Simulator) -> Self {
        let info = sim.miapos();
        let (status, body) = json(
            client()
                .post(format!("{}/ecomm/api/v1/token", info.base_url))
                .json(&json!({"merchantId": info.merchant_id, "secretKey": info.secret_key}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["accessTokenExpiresIn"], 300);
        assert_eq!(body["refreshTokenExpiresIn"], 432_000);
        assert_eq!(body["tokenType"], "Bearer");
        Self {
            base: info.base_url.clone(),
            token: body["accessToken"].as_str().unwrap().to_owned(),
            refresh: body["refreshToken"].as_str().unwrap().to_owned(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        json(
            client()
                .post(format!("{}/ecomm/api/v1/{path}", self.base))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn pay(&self, amount: &str, currency: &str, callback: &str) -> (String, String) {
        let body = format!(
            r#"{{"terminalId":"TE0001","orderId":"WEB-451","amount":{amount},"currency":"{currency}",
                "payDescription":"Comanda #451","language":"ro","paymentType":"qr",
                "callbackUrl":"{callback}","successUrl":"https://shop.example.md/ok?order=451",
                "directRedirect":true}}"#
        );
        let (status, res) = json(
            client()
                .post(format!("{}/ecomm/api/v1/pay", self.base))
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{res}");
        assert_eq!(res["orderId"], "WEB-451");
        (
            res["paymentId"].as_str().unwrap().to_owned(),
            res["checkoutPage"].as_str().unwrap().to_owned(),
        )
    }

    async fn status(&self, id: &str) -> (u16, Value, String) {
        reply(
            client()
                .get(format!("{}/ecomm/api/v1/payment/{id}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn public_key(&self) -> String {
        let (status, res) = json(
            client()
                .get(format!("{}/ecomm/api/v1/public-key", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        res["publicKey"].as_str().unwrap().to_owned()
    }
}

fn message(body: &Value) -> &str {
    body["errorMessage"].as_str().unwrap_or_default()
}

fn signed(callback: &Received, key: &str) -> Value {
    assert!(
        callback
            .header("content-type")
            .starts_with("application/json")
    );
    assert!(
        miapos_signature_ok(&callback.body, key),
        "{}",
        callback.body
    );
    callback.json()
}

#[tokio::test]
async fn qr_payment_checkout_signed_callback_and_status() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Miapos::new(&sim).await;
    let key = m.public_key().await;
    assert_eq!(key, sim.miapos().public_key);

    let (id, page) = m.pay("249.90", "MDL", &merchant.url("/miapos/cb")).await;
    assert_eq!(page, format!("{}/checkout?paymentId={id}", m.base));
    let (_, created, _) = m.status(&id).await;
    assert_eq!(created["status"], "CREATED");
    assert_eq!(created["checkoutPage"], page.as_str());

    let (status, html) = open_page(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment successful"));
    assert!(html.contains("https://shop.example.md/ok?order=451"));

    let callback = merchant.next().await;
    assert_eq!(callback.path, "/miapos/cb");
    assert!(
        callback.body.contains(r#""amount":249.90"#),
        "{}",
        callback.body
    );
    let body = signed(&callback, &key);
    let result = &body["result"];
    assert_eq!(result["paymentId"], id.as_str());
    assert_eq!(result["status"], "SUCCESS");
    assert_eq!(result["terminalId"], "TE0001");
    assert_eq!(result["paymentType"], "qr");
    assert_eq!(result["paymentDate"].as_str().unwrap().len(), 19);
    assert!(result["swiftMessageId"].is_string());
    assert!(result["swiftPayerBank"].is_string());

    // Tampering breaks the signature.
    let tampered = callback.body.replace("249.90", "249.91");
    assert!(!miapos_signature_ok(&tampered, &key));

    let (status, paid, text) = m.status(&id).await;
    assert_eq!(status, 200);
    assert_eq!(paid["status"], "SUCCESS");
    assert!(text.contains(r#""amount":249.9,"#), "{text}");
    assert!(merchant.quiet_for(Duration::from_millis(100)).await);
}

#[tokio::test]
async fn decline_at_one_cent_and_non_mdl_fails() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Miapos::new(&sim).await;
    let key = m.public_key().await;
    let (_, page) = m.pay("10.01", "MDL", &merchant.url("/cb")).await;
    let (_, html) = open_page(&page).await;
    assert!(html.contains("Payment declined"));
    assert_eq!(
        signed(&merchant.next().await, &key)["result"]["status"],
        "DECLINED"
    );

    let (id, page) = m.pay("10", "EUR", &merchant.url("/cb")).await;
    open_page(&page).await;
    let body = signed(&merchant.next().await, &key);
    assert_eq!(body["result"]["status"], "FAILED");
    assert_eq!(m.status(&id).await.1["status"], "FAILED");
}

#[tokio::test]
async fn unpaid_payments_expire_with_a_callback() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Miapos::new(&sim).await;
    let key = m.public_key().await;
    let (id, page) = m.pay("1775.00", "MDL", &merchant.url("/cb")).await;
    sim.advance(Duration::from_secs(301));
    let callback = merchant.next().await;
    assert!(callback.body.contains(r#""amount":1775.00"#));
    let body = signed(&callback, &key);
    assert_eq!(body["result"]["status"], "EXPIRED");
    let (_, html) = open_page(&page).await;
    assert!(html.contains("Payment expired"));
    let m = Miapos::new(&sim).await;
    assert_eq!(m.status(&id).await.1["status"], "EXPIRED");
}

#[tokio::test]
async fn tokens_expire_refresh_and_guard_the_public_key() {
    let sim = sim().await;
    let mut m = Miapos::new(&sim).await;
    let url = format!("{}/ecomm/api/v1/public-key", m.base);
    let res = client().get(&url).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(
        res.text().await.unwrap().is_empty(),
        "401 has an empty body"
    );

    sim.advance(Duration::from_secs(301));
    let res = client()
        .get(&url)
        .bearer_auth(&m.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let (status, res) = json(
        client()
            .post(format!("{}/ecomm/api/v1/token/refresh", m.base))
            .json(&json!({"refreshToken": m.refresh}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    m.token = res["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(m.public_key().await, sim.miapos().public_key);

    let (status, res) = json(
        client()
            .post(format!("{}/ecomm/api/v1/token", m.base))
            .json(&json!({"merchantId": sim.miapos().merchant_id, "secretKey": "nope"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(res["errorCode"], "1");
    let (status, res) = json(
        client()
            .post(format!("{}/ecomm/api/v1/token", m.base))
            .json(&json!({"secretKey": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(message(&res).contains("merchantId is required"));
}

#[tokio::test]
async fn validation_terminals_rtp_and_unknown_payments() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Miapos::new(&sim).await;
    let base = json!({"terminalId":"TE0001","orderId":"1","amount":5,"currency":"MDL","payDescription":"x"});

    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("terminalId");
    let (status, res) = m.post("pay", missing).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&res),
        "Field 'terminalId' with value 'null' failed validation, reason - terminalId is required."
    );

    let mut zero = base.clone();
    zero["amount"] = json!(0);
    let (status, res) = m.post("pay", zero).await;
    assert_eq!(status, 400);
    assert!(message(&res).contains("must be greater than 0"));

    let mut unknown = base.clone();
    unknown["terminalId"] = json!("XX9");
    assert_eq!(
        message(&m.post("pay", unknown).await.1),
        "Pos terminal with id: [XX9] not found"
    );

    let mut rtp = base.clone();
    rtp["paymentType"] = json!("rtp");
    rtp["clientPhone"] = json!("69123456");
    let (status, res) = m.post("pay", rtp.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&res),
        "The terminal type must be [rtp] when the payment type is [RTP]. Current terminal type: [ecomm]."
    );
    rtp["terminalId"] = json!("RTP0001");
    let (status, res) = m.post("pay", rtp).await;
    assert_eq!(status, 200, "{res}");
    assert!(res["checkoutPage"].is_string());

    let direct = json!({"terminalId":"RTP0001","orderId":"INV-77","amount":75.00,"currency":"MDL",
        "payDescription":"Abonament","clientName":"Maria Rusu","clientPhone":"69123456",
        "callbackUrl": merchant.url("/cb")});
    let (status, res) = m.post("request-to-pay/direct", direct).await;
    assert_eq!(status, 200, "{res}");
    assert!(res.get("checkoutPage").is_none());
    let id = res["paymentId"].as_str().unwrap().to_owned();
    let (_, rtp_status, _) = m.status(&id).await;
    assert_eq!(rtp_status["paymentType"], "rtp");
    assert!(rtp_status.get("checkoutPage").is_none());
    // The payer approves in the banking app; the checkout URL stands in for it.
    open_page(&format!("{}/checkout?paymentId={id}", m.base)).await;
    let key = m.public_key().await;
    assert_eq!(
        signed(&merchant.next().await, &key)["result"]["paymentType"],
        "rtp"
    );

    let (status, res, _) = m.status("00000000-0000-4000-8000-000000000000").await;
    assert_eq!(status, 400);
    assert!(message(&res).starts_with("Ecomm payment info not found with payment id ["));
}

#[tokio::test]
async fn a_triggered_callback_is_rsa_signed_with_the_current_status() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Miapos::new(&sim).await;
    let key = m.public_key().await;
    let (id, page) = m.pay("249.90", "MDL", &merchant.url("/miapos/cb")).await;

    let (status, refused) = trigger(&m.base, json!({ "payment": id })).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"], "no_callback_yet");

    open_page(&page).await;
    let first = merchant.next().await;
    let (status, record) = trigger(&m.base, json!({ "payment": id })).await;
    assert_eq!(status, 200, "{record}");
    let again = merchant.next().await;
    assert_eq!(again.path, "/miapos/cb");
    let body = signed(&again, &key);
    assert_eq!(body["result"]["paymentId"], id.as_str());
    assert_eq!(body["result"]["status"], "SUCCESS");
    assert_eq!(
        again.body, first.body,
        "the same state, the same signed bytes"
    );
    assert_eq!(record["provider"], "miapos");
    assert_eq!(record["body"], again.body.as_str());
    assert_eq!(record["outcome"]["state"], "delivered");

    // An unpaid payment that expired has its EXPIRED callback.
    let (expiring, _) = m.pay("5.00", "MDL", &merchant.url("/miapos/cb")).await;
    sim.advance(Duration::from_secs(6 * 60));
    let expired = merchant.next().await;
    assert_eq!(signed(&expired, &key)["result"]["status"], "EXPIRED");
    let (status, record) = trigger(&m.base, json!({ "payment": expiring })).await;
    assert_eq!(status, 200, "{record}");
    let again = merchant.next().await;
    assert_eq!(signed(&again, &key)["result"]["status"], "EXPIRED");

    let (status, unknown) = trigger(&m.base, json!({ "payment": "00000000" })).await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["error"], "unknown_payment");
}
