//! Bank of Georgia iPay end to end over real HTTP: Basic-auth tokens with epoch-ms
//! `expires_in`, orders, the approve link, form callbacks to the configured URLs, captures,
//! pre-auth completion, refunds with balance checks, recurring charges, expiry.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use std::time::Duration;

use common::{Merchant, Received, client, json, open_page, trigger};
use paykit_sim::{SimConfig, Simulator};
use serde_json::{Value, json};

async fn sim_with(merchant: &Merchant) -> Simulator {
    let sim =
        paykit_sim::start(SimConfig::default().with_bog_callback_url(merchant.url("/bog/status")))
            .await
            .unwrap();
    sim.set_bog_callback_urls(
        Some(merchant.url("/bog/status")),
        Some(merchant.url("/bog/refund")),
    );
    sim
}

fn api(sim: &Simulator, path: &str) -> String {
    format!("{}/opay/api/v1/{path}", sim.bog().base_url)
}

async fn token(sim: &Simulator) -> String {
    let info = sim.bog();
    let before = sim.now_unix_ms();
    let res = client()
        .post(api(sim, "oauth2/token"))
        .basic_auth(&info.client_id, Some(&info.secret_key))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_u64().unwrap();
    assert!(
        expires_in >= before && expires_in <= sim.now_unix_ms(),
        "epoch milliseconds"
    );
    body["access_token"].as_str().unwrap().to_owned()
}

fn form_of(callback: &Received) -> Vec<(String, String)> {
    assert_eq!(
        callback.header("content-type"),
        "application/x-www-form-urlencoded"
    );
    url_decode(&callback.body)
}

/// A tiny independent form decoder (`+` is a space, `%XX` an escape).
fn url_decode(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(
                    u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16)
                        .unwrap(),
                );
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    body.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

struct Order {
    id: String,
    hash: String,
    approve: String,
}

async fn create(sim: &Simulator, token: &str, value: &str, capture: &str) -> Order {
    let body = json!({
        "intent": "CAPTURE",
        "items": [{"amount": value, "description": "Blue mug", "quantity": 1, "product_id": "SKU-1"}],
        "locale": "en-US",
        "shop_order_id": "shop-10042",
        "redirect_url": "https://shop.example.ge/return?ref=10042",
        "capture_method": capture,
        "purchase_units": [{"amount": {"currency_code": "GEL", "value": value}}]
    });
    let (status, res) = json(
        client()
            .post(api(sim, "checkout/orders"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["status"], "CREATED");
    let id = res["order_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 40);
    let links = res["links"].as_array().unwrap();
    let approve = links.iter().find(|l| l["rel"] == "approve").unwrap();
    assert_eq!(approve["method"], "REDIRECT");
    let self_link = links.iter().find(|l| l["rel"] == "self").unwrap();
    assert_eq!(
        self_link["href"],
        api(sim, &format!("checkout/orders/{id}")).as_str()
    );
    Order {
        hash: res["payment_hash"].as_str().unwrap().to_owned(),
        approve: approve["href"].as_str().unwrap().to_owned(),
        id,
    }
}

async fn details(sim: &Simulator, token: &str, id: &str) -> (u16, Value) {
    json(
        client()
            .get(api(sim, &format!("checkout/payment/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn refund(sim: &Simulator, token: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = client()
        .post(api(sim, "checkout/refund"))
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn capture_callback_details_and_refunds() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let token = token(&sim).await;
    let order = create(&sim, &token, "30.00", "AUTOMATIC").await;
    assert_eq!(
        order.approve,
        format!("{}/?order_id={}&locale=en-US", sim.bog().base_url, order.id)
    );
    assert_eq!(
        details(&sim, &token, &order.id).await.1["status"],
        "in_progress"
    );

    let (status, html) = open_page(&order.approve).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment successful"));
    assert!(html.contains("https://shop.example.ge/return?ref=10042"));

    let callback = merchant.next().await;
    assert_eq!(callback.path, "/bog/status");
    let form = form_of(&callback);
    assert_eq!(field(&form, "status"), Some("success"));
    assert_eq!(field(&form, "order_id"), Some(order.id.as_str()));
    assert_eq!(field(&form, "payment_hash"), Some(order.hash.as_str()));
    assert_eq!(field(&form, "status_description"), Some("PERFORMED"));
    assert_eq!(field(&form, "shop_order_id"), Some("shop-10042"));
    assert_eq!(field(&form, "payment_method"), Some("GC_CARD"));
    assert_eq!(field(&form, "pan"), Some("411111******1111"));
    assert!(field(&form, "pre_auth_status").is_none());

    let (status, d) = details(&sim, &token, &order.id).await;
    assert_eq!(status, 200);
    assert_eq!(d["status"], "success");
    assert_eq!(d["payment_hash"], order.hash.as_str());
    assert_eq!(d["card_type"], "VISA");
    assert_eq!(d["pre_auth_status"], Value::Null);

    let (status, body) = refund(&sim, &token, &[("order_id", &order.id), ("amount", "5.25")]).await;
    assert_eq!((status, body.as_str()), (200, ""), "empty 200 body");
    let refund_cb = merchant.next().await;
    assert_eq!(refund_cb.path, "/bog/refund");
    let form = form_of(&refund_cb);
    assert!(
        field(&form, "status").is_none(),
        "no status in refund callbacks"
    );
    assert_eq!(field(&form, "payment_hash"), Some(order.hash.as_str()));
    assert_eq!(
        details(&sim, &token, &order.id).await.1["status_description"],
        "PARTIALLY_REFUNDED"
    );

    // Beyond the balance: 30.00 - 5.25 = 24.75 left.
    let (status, body) = refund(
        &sim,
        &token,
        &[("order_id", &order.id), ("amount", "24.76")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = refund(
        &sim,
        &token,
        &[("order_id", &order.id), ("amount", "30.00")],
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = refund(&sim, &token, &[("order_id", &order.id)]).await;
    assert_eq!(status, 200);
    merchant.next().await;
    assert_eq!(
        details(&sim, &token, &order.id).await.1["status_description"],
        "REFUNDED"
    );
    let (status, body) = refund(&sim, &token, &[("order_id", &order.id)]).await;
    assert_eq!(status, 400);
    assert!(body.contains("error_code"));

    // JSON to the refund endpoint is the classic mistake.
    let res = client()
        .post(api(&sim, "checkout/refund"))
        .bearer_auth(&token)
        .json(&json!({"order_id": order.id}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
}

#[tokio::test]
async fn preauth_partial_completion_and_refund_of_the_captured_part() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let token = token(&sim).await;
    let order = create(&sim, &token, "40.00", "MANUAL").await;
    let (_, html) = open_page(&order.approve).await;
    assert!(html.contains("Amount blocked"));
    let form = form_of(&merchant.next().await);
    assert_eq!(field(&form, "pre_auth_status"), Some("in_progress"));
    assert_eq!(
        details(&sim, &token, &order.id).await.1["pre_auth_status"],
        "in_progress"
    );

    let complete = |body: Value| {
        let url = api(
            &sim,
            &format!("checkout/payment/{}/pre-auth/completion", order.id),
        );
        let token = token.clone();
        async move {
            json(
                client()
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, _) = complete(json!({"auth_type": "PARTIAL_COMPLETE", "amount": "40.00"})).await;
    assert_eq!(status, 400);
    let (status, res) = complete(json!({"auth_type": "PARTIAL_COMPLETE", "amount": "25.00"})).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(
        res,
        json!({"status": "success", "description": "Pre-authorization successfully completed"})
    );
    assert_eq!(
        field(&form_of(&merchant.next().await), "pre_auth_status"),
        Some("success")
    );
    let (_, res) = complete(json!({"auth_type": "FULL_COMPLETE"})).await;
    assert_eq!(res["description"], "Already completed successful");

    let (status, _) = refund(
        &sim,
        &token,
        &[("order_id", &order.id), ("amount", "25.01")],
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = refund(&sim, &token, &[("order_id", &order.id), ("amount", "10")]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn preauth_cancel_and_refund_release() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let token = token(&sim).await;
    for release in ["cancel", "refund"] {
        let order = create(&sim, &token, "12.00", "MANUAL").await;
        open_page(&order.approve).await;
        merchant.next().await;
        if release == "cancel" {
            let (status, res) = json(
                client()
                    .post(api(
                        &sim,
                        &format!("checkout/payment/{}/pre-auth/completion", order.id),
                    ))
                    .bearer_auth(&token)
                    .json(&json!({"auth_type": "CANCEL"}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(status, 200, "{res}");
        } else {
            assert_eq!(
                refund(&sim, &token, &[("order_id", &order.id)]).await.0,
                200
            );
        }
        // Releasing by refund sends both callbacks, in no particular order.
        let mut status_cb = merchant.next().await;
        if release == "refund" {
            let other = merchant.next().await;
            if status_cb.path != "/bog/status" {
                status_cb = other;
            }
        }
        assert_eq!(status_cb.path, "/bog/status");
        let form = form_of(&status_cb);
        assert_eq!(field(&form, "pre_auth_status"), Some("success_unblocked"));
        assert_eq!(
            details(&sim, &token, &order.id).await.1["pre_auth_status"],
            "success_unblocked"
        );
    }
}

#[tokio::test]
async fn decline_at_one_cent_is_an_error_status() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let token = token(&sim).await;
    let order = create(&sim, &token, "10.01", "AUTOMATIC").await;
    let (_, html) = open_page(&order.approve).await;
    assert!(html.contains("Payment failed"));
    let form = form_of(&merchant.next().await);
    assert_eq!(field(&form, "status"), Some("error"));
    assert_eq!(field(&form, "status_description"), Some("REJECTED"));
    assert!(field(&form, "pan").is_none());
    let d = details(&sim, &token, &order.id).await.1;
    assert_eq!(d["status"], "error");
    assert_eq!(d["payment_method"], "UNKNOWN");
    assert_eq!(
        refund(&sim, &token, &[("order_id", &order.id)]).await.0,
        400
    );
}

#[tokio::test]
async fn tokens_live_a_minute_and_credentials_are_checked() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let token = token(&sim).await;
    let order = create(&sim, &token, "1.00", "AUTOMATIC").await;
    sim.advance(Duration::from_secs(61));
    let (status, res) = details(&sim, &token, &order.id).await;
    assert_eq!(status, 401);
    assert_eq!(res["error"], "invalid_token");
    let (status, _) = json(
        client()
            .get(api(&sim, "checkout/payment/x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);

    let res = client()
        .post(api(&sim, "oauth2/token"))
        .basic_auth(&sim.bog().client_id, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(json(res).await.1["error"], "invalid_client");
    let res = client()
        .post(api(&sim, "oauth2/token"))
        .basic_auth(&sim.bog().client_id, Some(&sim.bog().secret_key))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    let (status, body) = json(res).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    assert!(merchant.quiet_for(Duration::from_millis(50)).await);
}

#[tokio::test]
async fn unpaid_orders_fail_after_an_hour() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let order = create(&sim, &token(&sim).await, "9.00", "AUTOMATIC").await;
    sim.advance(Duration::from_secs(3601));
    let form = form_of(&merchant.next().await);
    assert_eq!(field(&form, "status"), Some("error"));
    assert_eq!(field(&form, "order_id"), Some(order.id.as_str()));
    let token = token(&sim).await;
    assert_eq!(details(&sim, &token, &order.id).await.1["status"], "error");
    let (_, html) = open_page(&order.approve).await;
    assert!(html.contains("Payment failed"));
}

#[tokio::test]
async fn recurring_charges_and_legacy_reads() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let token = token(&sim).await;
    let first = create(&sim, &token, "0.10", "AUTOMATIC").await;
    open_page(&first.approve).await;
    merchant.next().await;

    let (status, res) = json(
        client()
            .post(api(&sim, "checkout/payment/subscription"))
            .bearer_auth(&token)
            .json(
                &json!({"order_id": first.id, "amount": {"currency_code": "GEL", "value": "19.99"},
                          "shop_order_id": "SUB-4", "purchase_description": "Monthly plan"}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["status"], "in_progress");
    let charge = res["order_id"].as_str().unwrap().to_owned();
    assert_ne!(charge, first.id);
    let form = form_of(&merchant.next().await);
    assert_eq!(field(&form, "order_id"), Some(charge.as_str()));
    assert_eq!(field(&form, "payment_hash"), res["payment_hash"].as_str());
    assert_eq!(details(&sim, &token, &charge).await.1["status"], "success");

    let (status, legacy) = json(
        client()
            .get(api(&sim, &format!("checkout/orders/{}", first.id)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(legacy["status"], "PERFORMED");
    assert_eq!(legacy["purchaseUnit"]["amount"]["value"], "0.10");
    assert!(legacy["createTime"].as_str().unwrap().contains(" GET "));
    let (_, st) = json(
        client()
            .get(api(&sim, &format!("checkout/orders/status/{}", first.id)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(st, json!({"status": "PERFORMED"}));

    let (status, res) = details(&sim, &token, "0000000000000000000000000000000000000000").await;
    assert_eq!(status, 404);
    assert_eq!(res["error_code"], "ORDER_NOT_FOUND");
}

#[tokio::test]
async fn create_order_validation() {
    let merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let token = token(&sim).await;
    let (status, res) = json(
        client()
            .post(api(&sim, "checkout/orders"))
            .bearer_auth(&token)
            .json(
                &json!({"intent": "CAPTURE", "items": [], "redirect_url": "https://s/r",
                          "purchase_units": [{"amount": {"currency_code": "GEL", "value": "1"}}]}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(res["error_code"], "INVALID_REQUEST");
    let res = client()
        .post(api(&sim, "checkout/orders"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Failed to read HTTP message");
}

#[tokio::test]
async fn a_triggered_status_callback_shows_the_order_as_it_is() {
    let mut merchant = Merchant::start().await;
    let sim = sim_with(&merchant).await;
    let base = sim.bog().base_url.clone();
    let token = token(&sim).await;
    let order = create(&sim, &token, "30.00", "AUTOMATIC").await;

    let (status, refused) = trigger(&base, json!({ "payment": order.id })).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"], "no_callback_yet");
    assert!(refused["message"].as_str().unwrap().contains("in_progress"));

    open_page(&order.approve).await;
    merchant.next().await;
    let (status, _) = refund(&sim, &token, &[("order_id", &order.id), ("amount", "5.25")]).await;
    assert_eq!(status, 200);
    assert_eq!(merchant.next().await.path, "/bog/refund");

    let (status, record) = trigger(&base, json!({ "payment": order.id })).await;
    assert_eq!(status, 200, "{record}");
    let again = merchant.next().await;
    assert_eq!(again.path, "/bog/status");
    assert!(
        again
            .header("content-type")
            .starts_with("application/x-www-form-urlencoded")
    );
    let form = form_of(&again);
    assert_eq!(field(&form, "status"), Some("success"));
    assert_eq!(field(&form, "order_id"), Some(order.id.as_str()));
    assert_eq!(field(&form, "payment_hash"), Some(order.hash.as_str()));
    assert_eq!(
        field(&form, "status_description"),
        Some("PARTIALLY_REFUNDED")
    );
    assert_eq!(record["provider"], "bog");
    assert_eq!(record["content_type"], "application/x-www-form-urlencoded");
    assert_eq!(record["body"], again.body.as_str());
    assert_eq!(
        record["outcome"],
        json!({ "state": "delivered", "status": 200 })
    );

    // Without a status URL on record a URL must be given.
    sim.set_bog_callback_urls(None, None);
    let (status, refused) = trigger(&base, json!({ "payment": order.id })).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"], "no_url");
    let (status, refused) =
        trigger(&base, json!({ "payment": order.id, "url": "not a url" })).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"], "bad_url");
    let (status, record) = trigger(
        &base,
        json!({ "payment": order.id, "url": merchant.url("/given") }),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(merchant.next().await.path, "/given");
}
