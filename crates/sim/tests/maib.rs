//! maib end to end over real HTTP: tokens, payments through the payment page, signed
//! callbacks, captures, refunds with balance checks, stored cards, expiry.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Merchant, client, json, open_page, reply, sim, trigger};
use paykit_sim::Simulator;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// An independent maib signature check for flat results: values sorted by key, PHP-style
/// numbers (`10.50` -> `10.5`, `10.00` -> `10`), nulls empty, joined with `:` plus the key.
fn maib_signature_ok(body: &str, key: &str) -> bool {
    let outer: BTreeMap<String, &RawValue> = serde_json::from_str(body).unwrap();
    let result: BTreeMap<String, &RawValue> = serde_json::from_str(outer["result"].get()).unwrap();
    let mut parts: Vec<String> = result
        .values()
        .map(|raw| {
            let text = raw.get();
            match text.as_bytes()[0] {
                b'"' => serde_json::from_str::<String>(text).unwrap(),
                b'n' => String::new(),
                b't' => "1".into(),
                b'f' => String::new(),
                _ if text.contains('.') => {
                    text.trim_end_matches('0').trim_end_matches('.').to_owned()
                }
                _ => text.to_owned(),
            }
        })
        .collect();
    parts.push(key.to_owned());
    let expected =
        STANDARD.encode(digest::digest(&digest::SHA256, parts.join(":").as_bytes()).as_ref());
    let signature: String = serde_json::from_str(outer["signature"].get()).unwrap();
    signature == expected
}

struct Maib {
    base: String,
    token: String,
    refresh: String,
}

impl Maib {
    async fn new(sim: &Simulator) -> Self {
        let info = sim.maib();
        let (status, body) = json(
            client()
                .post(format!("{}/v1/generate-token", info.base_url))
                .json(&json!({"projectId": info.project_id, "projectSecret": info.project_secret}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["ok"], true);
        assert_eq!(body["result"]["expiresIn"], 300);
        assert_eq!(body["result"]["tokenType"], "Bearer");
        Self {
            base: info.base_url.clone(),
            token: body["result"]["accessToken"].as_str().unwrap().to_owned(),
            refresh: body["result"]["refreshToken"].as_str().unwrap().to_owned(),
        }
    }

    async fn post(&self, endpoint: &str, body: &str) -> (u16, Value) {
        json(
            client()
                .post(format!("{}/v1/{endpoint}", self.base))
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn post_text(&self, endpoint: &str, body: &str) -> (u16, Value, String) {
        reply(
            client()
                .post(format!("{}/v1/{endpoint}", self.base))
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn pay_info_text(&self, pay_id: &str) -> String {
        reply(
            client()
                .get(format!("{}/v1/pay-info/{pay_id}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await
        .2
    }

    async fn pay_info(&self, pay_id: &str) -> (u16, Value) {
        json(
            client()
                .get(format!("{}/v1/pay-info/{pay_id}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["errorCode"].as_str().unwrap().to_owned())
        .collect()
}

/// Registers a payment at `endpoint` for `amount` and returns (payId, payUrl).
async fn register(m: &Maib, endpoint: &str, amount: &str, merchant: &Merchant) -> (String, String) {
    let body = format!(
        r#"{{"amount":{amount},"currency":"MDL","clientIp":"135.250.245.121","language":"ro",
            "orderId":"order-1","description":"Order #1",
            "callbackUrl":"{}","okUrl":"https://shop.example.md/ok"}}"#,
        merchant.url("/maib/callback")
    );
    let (status, res) = m.post(endpoint, &body).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["ok"], true);
    assert_eq!(res["result"]["orderId"], "order-1");
    (
        res["result"]["payId"].as_str().unwrap().to_owned(),
        res["result"]["payUrl"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn direct_payment_callback_status_and_refunds() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let (pay_id, pay_url) = register(&m, "pay", "10.25", &merchant).await;
    assert!(pay_url.starts_with(&format!("{}/ecomm01/ClientHandler?trans_id=", m.base)));
    assert_eq!(m.pay_info(&pay_id).await.1["result"]["status"], "CREATED");

    let (status, html) = open_page(&pay_url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment approved"));
    assert!(html.contains("https://shop.example.md/ok?payId="));

    let callback = merchant.next().await;
    assert_eq!(callback.method, "POST");
    assert_eq!(callback.path, "/maib/callback");
    assert!(
        callback
            .header("content-type")
            .starts_with("application/json")
    );
    assert!(maib_signature_ok(&callback.body, &sim.maib().signature_key));
    assert!(!maib_signature_ok(&callback.body, "another-key"));
    let result = &callback.json()["result"];
    assert_eq!(result["payId"], pay_id.as_str());
    assert_eq!(result["status"], "OK");
    assert_eq!(result["statusCode"], "000");
    assert_eq!(result["currency"], "MDL");
    assert!(
        callback.body.contains(r#""amount":10.25"#),
        "amount is a JSON number"
    );

    let (status, info) = m.pay_info(&pay_id).await;
    assert_eq!(status, 200);
    assert_eq!(info["result"]["status"], "OK");
    assert_eq!(info["result"]["clientIp"], "135.250.245.121");

    // Opening the page again changes nothing and sends no second callback.
    open_page(&pay_url).await;
    assert!(merchant.quiet_for(Duration::from_millis(200)).await);

    let body = format!(r#"{{"payId":"{pay_id}","refundAmount":10.26}}"#);
    let (status, res) = m.post("refund", &body).await;
    assert_eq!((status, codes(&res)), (409, vec!["13102".to_owned()]));

    let body = format!(r#"{{"payId":"{pay_id}","refundAmount":5.00}}"#);
    let (status, res, text) = m.post_text("refund", &body).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["result"]["status"], "OK");
    assert_eq!(res["result"]["statusCode"], "400");
    assert!(text.contains(r#""refundAmount":5.00"#), "{text}");
    assert!(
        m.pay_info_text(&pay_id)
            .await
            .contains(r#""refundAmount":5.00"#)
    );

    let (status, res) = m
        .post("refund", &format!(r#"{{"payId":"{pay_id}"}}"#))
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13116".to_owned()]));
}

#[tokio::test]
async fn decline_at_one_cent() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let (pay_id, pay_url) = register(&m, "pay", "10.01", &merchant).await;
    let (_, html) = open_page(&pay_url).await;
    assert!(html.contains("Payment declined"));
    let callback = merchant.next().await;
    assert!(maib_signature_ok(&callback.body, &sim.maib().signature_key));
    let result = &callback.json()["result"];
    assert_eq!(result["status"], "FAILED");
    assert_eq!(result["statusCode"], "116");
    assert_eq!(result["rrn"], Value::Null);
    assert_eq!(m.pay_info(&pay_id).await.1["result"]["status"], "FAILED");
    let (status, res) = m
        .post("refund", &format!(r#"{{"payId":"{pay_id}"}}"#))
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13117".to_owned()]));
    assert_eq!(res["errors"][0]["errorArgs"]["statusPay"], "FAILED");
}

#[tokio::test]
async fn hold_partial_capture_then_refund_within_capture() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let (pay_id, pay_url) = register(&m, "hold", "20.00", &merchant).await;

    // Completing before the customer paid is refused.
    let (status, res) = m
        .post("complete", &format!(r#"{{"payId":"{pay_id}"}}"#))
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13115".to_owned()]));

    open_page(&pay_url).await;
    let callback = merchant.next().await;
    assert!(maib_signature_ok(&callback.body, &sim.maib().signature_key));
    assert_eq!(callback.json()["result"]["status"], "OK");

    let (status, res) = m
        .post(
            "complete",
            &format!(r#"{{"payId":"{pay_id}","confirmAmount":25}}"#),
        )
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13004".to_owned()]));
    let (status, res) = m
        .post(
            "refund",
            &format!(r#"{{"payId":"{pay_id}","refundAmount":5}}"#),
        )
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13110".to_owned()]));

    let (status, res, text) = m
        .post_text(
            "complete",
            &format!(r#"{{"payId":"{pay_id}","confirmAmount":15.50}}"#),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["result"]["status"], "OK");
    assert!(text.contains(r#""confirmAmount":15.50"#), "{text}");
    let (status, res) = m
        .post("complete", &format!(r#"{{"payId":"{pay_id}"}}"#))
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13115".to_owned()]));
    assert!(
        m.pay_info_text(&pay_id)
            .await
            .contains(r#""confirmAmount":15.50"#)
    );

    let (status, res) = m
        .post(
            "refund",
            &format!(r#"{{"payId":"{pay_id}","refundAmount":16}}"#),
        )
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13103".to_owned()]));
    let (status, _, text) = m
        .post_text("refund", &format!(r#"{{"payId":"{pay_id}"}}"#))
        .await;
    assert_eq!(status, 200);
    assert!(text.contains(r#""refundAmount":15.50"#), "{text}");
}

#[tokio::test]
async fn complete_of_a_direct_payment_is_not_needed() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let (pay_id, pay_url) = register(&m, "pay", "3", &merchant).await;
    open_page(&pay_url).await;
    merchant.next().await;
    let (status, res) = m
        .post("complete", &format!(r#"{{"payId":"{pay_id}"}}"#))
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13106".to_owned()]));
    let (status, res) = m
        .post(
            "refund",
            r#"{"payId":"00000000-0000-4000-8000-000000000000"}"#,
        )
        .await;
    assert_eq!((status, codes(&res)), (404, vec!["13002".to_owned()]));
}

#[tokio::test]
async fn tokens_expire_and_refresh() {
    let sim = sim().await;
    let mut m = Maib::new(&sim).await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_eq!(m.pay_info(unknown).await.0, 404);
    sim.advance(Duration::from_secs(301));
    let (status, res) = m.pay_info(unknown).await;
    assert_eq!((status, codes(&res)), (401, vec!["11003".to_owned()]));

    let url = format!("{}/v1/generate-token", m.base);
    let (status, res) = json(
        client()
            .post(&url)
            .json(&json!({"refreshToken": m.refresh}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    m.token = res["result"]["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(m.pay_info(unknown).await.0, 404);

    sim.advance(Duration::from_secs(1801));
    let (status, res) = json(
        client()
            .post(&url)
            .json(&json!({"refreshToken": m.refresh}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, codes(&res)), (401, vec!["11002".to_owned()]));

    let (status, res) = json(
        client()
            .post(&url)
            .json(&json!({"projectId": sim.maib().project_id, "projectSecret": "wrong"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, codes(&res)), (401, vec!["11001".to_owned()]));
    let (status, res) = json(client().post(&url).json(&json!({})).send().await.unwrap()).await;
    assert_eq!((status, codes(&res)), (400, vec!["12041".to_owned()]));
}

#[tokio::test]
async fn validation_reports_every_problem() {
    let sim = sim().await;
    let m = Maib::new(&sim).await;
    let (status, res) = m
        .post(
            "pay",
            r#"{"amount":"10","currency":"GBP","clientIp":"::1","language":"ro","email":"x","callbackUrl":"https://s/cb"}"#,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(res["ok"], false);
    assert_eq!(codes(&res), ["12001", "12005", "12019", "12008"]);

    // Without callbackUrl, the Project's callback URL is used (here: the simulator's sink).
    let (status, res) = m
        .post(
            "pay",
            r#"{"amount":10,"currency":"MDL","clientIp":"1.2.3.4","language":"en"}"#,
        )
        .await;
    assert_eq!(status, 200, "{res}");
    open_page(res["result"]["payUrl"].as_str().unwrap()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = sim.callbacks();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url, format!("{}/_sim/callbacks", m.base));
    assert_eq!(
        sent[0].outcome,
        paykit_sim::CallbackOutcome::Delivered { status: 200 }
    );

    // Not JSON, and a GET carrying a body.
    let (status, res) = m.post("pay", "{").await;
    assert_eq!((status, codes(&res)), (400, vec!["12002".to_owned()]));
    let (status, _) = json(
        client()
            .get(format!("{}/v1/pay-info/x", m.base))
            .bearer_auth(&m.token)
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = json(
        client()
            .post(format!("{}/v1/pay", m.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn saved_cards_recurring_and_oneclick() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let cb = merchant.url("/cb");
    let (status, res) = m
        .post(
            "savecard-recurring",
            &format!(
                r#"{{"billerExpiry":"1299","clientIp":"1.2.3.4","currency":"EUR","email":"ion@example.md","callbackUrl":"{cb}"}}"#
            ),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    let pay_url = res["result"]["payUrl"].as_str().unwrap().to_owned();
    let (_, html) = open_page(&pay_url).await;
    assert!(html.contains("Card saved"));
    let callback = merchant.next().await;
    assert!(maib_signature_ok(&callback.body, &sim.maib().signature_key));
    let result = &callback.json()["result"];
    assert_eq!(result["status"], "PENDING");
    assert_eq!(result["billerExpiry"], "1299");
    assert!(result.get("amount").is_none());
    let biller = result["billerId"].as_str().unwrap().to_owned();

    let (status, res) = m
        .post(
            "execute-recurring",
            &format!(r#"{{"billerId":"{biller}","amount":6.25,"currency":"EUR"}}"#),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["result"]["status"], "OK");
    assert_eq!(res["result"]["billerId"], biller.as_str());
    let executed = res["result"]["payId"].as_str().unwrap().to_owned();
    assert_eq!(m.pay_info(&executed).await.1["result"]["status"], "OK");

    let (_, res) = m
        .post(
            "execute-recurring",
            &format!(r#"{{"billerId":"{biller}","amount":6.01,"currency":"EUR"}}"#),
        )
        .await;
    assert_eq!(res["result"]["status"], "FAILED");

    let (status, res) = m
        .post(
            "execute-oneclick",
            &format!(r#"{{"billerId":"{biller}","amount":5,"currency":"EUR","clientIp":"1.2.3.4","callbackUrl":"{cb}"}}"#),
        )
        .await;
    assert_eq!((status, codes(&res)), (409, vec!["13112".to_owned()]));

    let (status, res) = json(
        client()
            .delete(format!("{}/v1/delete-card/{biller}", m.base))
            .bearer_auth(&m.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(res["result"], json!({"billerId": biller, "status": "OK"}));
    let (status, res) = m
        .post(
            "execute-recurring",
            &format!(r#"{{"billerId":"{biller}","amount":6.25,"currency":"EUR"}}"#),
        )
        .await;
    assert_eq!((status, codes(&res)), (404, vec!["13003".to_owned()]));
}

#[tokio::test]
async fn oneclick_card_pays_through_the_page() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let cb = merchant.url("/cb");
    let (_, res) = m
        .post(
            "savecard-oneclick",
            &format!(r#"{{"billerExpiry":"1299","clientIp":"1.2.3.4","currency":"MDL","language":"ro","amount":100.00,"callbackUrl":"{cb}"}}"#),
        )
        .await;
    open_page(res["result"]["payUrl"].as_str().unwrap()).await;
    let saved = merchant.next().await.json();
    assert_eq!(saved["result"]["status"], "OK");
    let biller = saved["result"]["billerId"].as_str().unwrap().to_owned();

    let (status, res) = m
        .post(
            "execute-oneclick",
            &format!(r#"{{"billerId":"{biller}","amount":6.25,"currency":"MDL","clientIp":"1.2.3.4","callbackUrl":"{cb}"}}"#),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    open_page(res["result"]["payUrl"].as_str().unwrap()).await;
    let callback = merchant.next().await;
    assert!(maib_signature_ok(&callback.body, &sim.maib().signature_key));
    assert_eq!(callback.json()["result"]["billerId"], biller.as_str());
    assert_eq!(callback.json()["result"]["status"], "OK");
}

#[tokio::test]
async fn unpaid_payments_time_out() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let (pay_id, pay_url) = register(&m, "pay", "10", &merchant).await;
    sim.advance(Duration::from_secs(601));
    let m = Maib::new(&sim).await;
    assert_eq!(m.pay_info(&pay_id).await.1["result"]["status"], "TIMEOUT");
    let (_, html) = open_page(&pay_url).await;
    assert!(html.contains("Payment expired"));
    assert!(merchant.quiet_for(Duration::from_millis(200)).await);
}

#[tokio::test]
async fn a_triggered_callback_is_the_signed_callback_of_the_current_state() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let m = Maib::new(&sim).await;
    let (pay_id, pay_url) = register(&m, "pay", "10.25", &merchant).await;

    // Before the payment page there is nothing to say.
    let (status, refused) = trigger(&m.base, json!({ "payment": pay_id })).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"], "no_callback_yet");
    assert!(refused["message"].as_str().unwrap().contains("CREATED"));

    open_page(&pay_url).await;
    let first = merchant.next().await;

    // Refunded afterwards: the trigger builds the callback anew from the payment as it is.
    let (status, _) = m
        .post(
            "refund",
            &format!(r#"{{"payId":"{pay_id}","refundAmount":10.25}}"#),
        )
        .await;
    assert_eq!(status, 200);
    let (status, record) = trigger(&m.base, json!({ "payment": pay_id })).await;
    assert_eq!(status, 200, "{record}");
    let again = merchant.next().await;
    assert_eq!(again.path, "/maib/callback");
    assert!(maib_signature_ok(&again.body, &sim.maib().signature_key));
    assert_eq!(again.json()["result"]["payId"], pay_id.as_str());
    assert_eq!(again.json()["result"]["status"], "OK");
    assert_eq!(again.json()["result"], first.json()["result"]);
    assert_eq!(record["provider"], "maib");
    assert_eq!(record["url"], merchant.url("/maib/callback"));
    assert_eq!(record["content_type"], "application/json");
    assert_eq!(record["body"], again.body.as_str());
    assert_eq!(record["headers"], json!([]));
    assert_eq!(record["attempt"], 1);
    assert_eq!(
        record["outcome"],
        json!({ "state": "delivered", "status": 200 })
    );

    // An override URL takes it elsewhere; the log holds every attempt.
    let (status, record) = trigger(
        &m.base,
        json!({ "payment": pay_id, "url": merchant.url("/elsewhere") }),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(merchant.next().await.path, "/elsewhere");
    let log = sim.callbacks();
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].url, merchant.url("/elsewhere"));
    assert_eq!(log[2].to_json(), record);

    // The library call does the same.
    let record = sim
        .trigger_callback(paykit_sim::LedgerProvider::Maib, &pay_id, None)
        .await
        .unwrap();
    assert!(record.outcome.is_accepted());
    assert_eq!(merchant.next().await.body, record.body);

    let (status, unknown) = trigger(&m.base, json!({ "payment": "no-such-pay" })).await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["error"], "unknown_payment");
    assert!(merchant.quiet_for(Duration::from_millis(100)).await);
}
