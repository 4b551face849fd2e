//! The library API: announcement, faults switched at runtime, callback records, shutdown,
//! and robustness against arbitrary request bytes.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use std::time::{Duration, Instant};

use common::{Merchant, client, json, open_page, sim};
use paykit_sim::{CallbackOutcome, Faults, SimConfig};
use serde_json::json;

#[tokio::test]
async fn announcement_lists_every_provider() {
    let sim = sim().await;
    let a = sim.announcement();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&a),
        [
            "bog",
            "bog-payments",
            "maib",
            "maya",
            "maya-checkout",
            "miapos"
        ]
    );
    assert_eq!(
        keys(&a["bog-payments"]),
        [
            "api_base",
            "base_url",
            "callback_public_key_pem",
            "client_id",
            "client_secret",
            "token_url"
        ]
    );
    assert_eq!(
        keys(&a["maib"]),
        ["base_url", "project_id", "project_secret", "signature_key"]
    );
    assert_eq!(
        keys(&a["miapos"]),
        ["base_url", "merchant_id", "secret_key", "terminal_id"]
    );
    assert_eq!(keys(&a["bog"]), ["base_url", "client_id", "secret_key"]);
    assert_eq!(
        keys(&a["maya"]),
        ["base_url", "client_id", "client_secret", "p2m_id"]
    );
    assert_eq!(
        keys(&a["maya-checkout"]),
        [
            "base_url",
            "public_key",
            "secret_key",
            "webhook_public_key_pem"
        ]
    );
    assert_eq!(a["maib"]["base_url"], sim.maib().base_url.as_str());
    assert_eq!(a["maya"]["p2m_id"], sim.maya().p2m_id.as_str());
    for info in [
        &sim.maib().base_url,
        &sim.miapos().base_url,
        &sim.bog().base_url,
        &sim.maya().base_url,
        &sim.maya_checkout().base_url,
        &sim.bog_payments().base_url,
    ] {
        assert!(info.starts_with("http://127.0.0.1:"), "{info}");
    }
    assert_eq!(
        sim.maya().token_url,
        format!("{}/oauth/token", sim.maya().base_url)
    );
}

async fn maib_token(base: &str, id: &str, secret: &str) -> reqwest::Response {
    client()
        .post(format!("{base}/v1/generate-token"))
        .json(&json!({"projectId": id, "projectSecret": secret}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn faults_switch_at_runtime() {
    let sim = sim().await;
    let info = sim.maib().clone();

    sim.set_faults(Faults::none().with_error_rate(100));
    let (status, res) =
        json(maib_token(&info.base_url, &info.project_id, &info.project_secret).await).await;
    assert_eq!(status, 500);
    assert_eq!(res["errors"][0]["errorCode"], "10000");
    // Customer pages are never faulted.
    let (status, _) = open_page(&format!(
        "{}/ecomm01/ClientHandler?trans_id=x",
        info.base_url
    ))
    .await;
    assert_eq!(status, 404);

    sim.set_faults(Faults::none().with_latency(Duration::from_millis(300)));
    assert_eq!(sim.faults().latency, Duration::from_millis(300));
    let started = Instant::now();
    let res = maib_token(&info.base_url, &info.project_id, &info.project_secret).await;
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    sim.set_faults(Faults::none());
    assert_eq!(
        maib_token(&info.base_url, &info.project_id, &info.project_secret)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_fault_after_processing_leaves_the_outcome_unknown() {
    let sim = sim().await;
    let session = sim.open_maya_session(None).await.unwrap();
    let info = sim.maya().clone();
    let (_, token) = json(
        client()
            .post(&info.token_url)
            .basic_auth(&info.client_id, Some(&info.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = token["access_token"].as_str().unwrap().to_owned();
    let call = |path: String, body: String| {
        client()
            .post(format!("{}{path}", info.base_url))
            .bearer_auth(&token)
            .header("x-authorization", &session.access_token)
            .header(
                "request-reference-no",
                "0d7e6f5a-4b3c-4a2d-9e1f-8c7b6a5d4e3f",
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let (_, created) = json(
        call(
            "/merchant/payments".into(),
            format!(
                r#"{{"p2mId":"{}","amount":{{"currency":"PHP","value":5}}}}"#,
                info.p2m_id
            ),
        )
        .await
        .unwrap(),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    sim.set_faults(Faults::none().with_error_after_processing_rate(100));
    let (status, res) = json(
        call(format!("/merchant/payments/{id}/execute"), "{}".into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["code"].as_str()), (500, Some("PY9999")));
    sim.set_faults(Faults::none());
    let (status, res) = json(
        call(format!("/merchant/payments/{id}/execute"), "{}".into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, res["code"].as_str()),
        (400, Some("PY0010")),
        "it was processed"
    );
}

#[tokio::test]
async fn dropped_callbacks_are_recorded_not_sent() {
    let mut merchant = Merchant::start().await;
    let sim = paykit_sim::start(
        SimConfig::default()
            .with_bog_callback_url(merchant.url("/bog"))
            .with_faults(Faults::none().with_dropped_callbacks(100)),
    )
    .await
    .unwrap();
    let info = sim.bog().clone();
    let (_, token) = json(
        client()
            .post(format!("{}/opay/api/v1/oauth2/token", info.base_url))
            .basic_auth(&info.client_id, Some(&info.secret_key))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let order = json!({"intent":"CAPTURE","items":[{"amount":"2.00","description":"x","quantity":1,"product_id":"p"}],
        "redirect_url":"https://shop.example.ge/r","purchase_units":[{"amount":{"currency_code":"GEL","value":"2.00"}}]});
    let create = || {
        client()
            .post(format!("{}/opay/api/v1/checkout/orders", info.base_url))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .json(&order)
            .send()
    };
    let (_, created) = json(create().await.unwrap()).await;
    open_page(created["links"][1]["href"].as_str().unwrap()).await;
    assert!(merchant.quiet_for(Duration::from_millis(300)).await);
    let records = sim.callbacks();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].provider, "bog");
    assert_eq!(records[0].outcome, CallbackOutcome::Dropped);
    assert!(records[0].body.contains("status=success"));

    sim.set_faults(Faults::none());
    let (_, created) = json(create().await.unwrap()).await;
    open_page(created["links"][1]["href"].as_str().unwrap()).await;
    assert_eq!(merchant.next().await.path, "/bog");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        sim.callbacks()[1].outcome,
        CallbackOutcome::Delivered { status: 200 }
    );
}

#[tokio::test]
async fn shutdown_and_drop_close_the_listeners() {
    let sim = sim().await;
    let url = format!("{}/v1/pay-info/x", sim.maib().base_url);
    assert_eq!(client().get(&url).send().await.unwrap().status(), 401);
    sim.shutdown().await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());

    let sim = common::sim().await;
    let url = format!("{}/profile", sim.maya().base_url);
    drop(sim);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[tokio::test]
async fn arbitrary_bytes_get_answers_not_panics() {
    let sim = sim().await;
    let targets = [
        (
            sim.maib().base_url.clone(),
            vec![
                "/v1/generate-token",
                "/v1/pay",
                "/v1/refund",
                "/v1/complete",
            ],
        ),
        (
            sim.miapos().base_url.clone(),
            vec!["/ecomm/api/v1/token", "/ecomm/api/v1/token/refresh"],
        ),
        (
            sim.bog().base_url.clone(),
            vec!["/opay/api/v1/oauth2/token"],
        ),
        (
            sim.maya().base_url.clone(),
            vec!["/oauth/token", "/_sim/sessions"],
        ),
    ];
    let samples: Vec<Vec<u8>> = (0..12_u64)
        .map(|i| noise(i + 1, (i as usize) * 37))
        .chain([
            b"{}".to_vec(),
            b"[]".to_vec(),
            b"null".to_vec(),
            br#"{"amount":1e999999,"currency":null,"items":[[[[[]]]]]}"#.to_vec(),
            br#"{"projectId":{"a":1},"refreshToken":[1]}"#.to_vec(),
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        ])
        .collect();
    for (base, paths) in &targets {
        for path in paths {
            for (i, body) in samples.iter().enumerate() {
                for content_type in ["application/json", "application/x-www-form-urlencoded"] {
                    let res = client()
                        .post(format!("{base}{path}"))
                        .header("content-type", content_type)
                        .header(
                            "authorization",
                            if i % 2 == 0 { "Basic !!" } else { "Bearer x y" },
                        )
                        .body(body.clone())
                        .send()
                        .await
                        .expect("the simulator answers");
                    assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
                }
            }
        }
    }
    // Odd paths and queries.
    for path in [
        "/%ff%fe",
        "/v1/pay-info/%",
        "/checkout?paymentId=%zz",
        "/?order_id=&&&",
        "/ecomm01/ClientHandler?trans_id",
    ] {
        for base in [
            &sim.maib().base_url,
            &sim.miapos().base_url,
            &sim.bog().base_url,
        ] {
            let res = client().get(format!("{base}{path}")).send().await.unwrap();
            assert!(res.status().as_u16() < 500);
        }
    }
}
