//! `POST /_sim/trigger` on every listener: what it refuses and how (the per-provider
//! deliveries are tested next to each provider's own flows), that the listener's request
//! faults never reach it, and that no bytes make it fail.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use common::{client, json, sim, trigger};
use paykit_sim::{Faults, LedgerProvider, Simulator, TriggerError};
use serde_json::json;

/// Every listener's base URL, with the provider's name.
fn listeners(sim: &Simulator) -> [(&'static str, String); 6] {
    [
        ("maib", sim.maib().base_url.clone()),
        ("miapos", sim.miapos().base_url.clone()),
        ("bog", sim.bog().base_url.clone()),
        ("maya", sim.maya().base_url.clone()),
        ("bog-payments", sim.bog_payments().base_url.clone()),
        ("maya-checkout", sim.maya_checkout().base_url.clone()),
    ]
}

#[tokio::test]
async fn every_listener_names_the_problem_with_a_4xx() {
    let sim = sim().await;
    for (name, base) in listeners(&sim) {
        let (status, body) = trigger(&base, json!({ "payment": "nope" })).await;
        if name == "maya" {
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["error"], "no_callbacks");
            assert_eq!(body["message"], "maya sends no callbacks");
        } else {
            assert_eq!(status, 404, "{name}: {body}");
            assert_eq!(body["error"], "unknown_payment", "{name}");
            let message = body["message"].as_str().unwrap();
            assert!(
                message.contains(name) && message.contains("nope"),
                "{message}"
            );
        }
        let (status, body) = trigger(&base, json!({ "url": "http://127.0.0.1:9/" })).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("bad_request")),
            "{name}"
        );
        let (status, body) = trigger(&base, json!({ "payment": 7 })).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["message"], "payment must be a string");
        let (status, body) = trigger(&base, json!({ "payment": "x", "url": ["a"] })).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["message"], "url must be a string");
        let (status, body) = json(
            client()
                .get(format!("{base}/_sim/trigger"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, &body["error"]),
            (405, &json!("method_not_allowed"))
        );
    }
}

#[tokio::test]
async fn the_library_call_has_typed_errors() {
    let sim = sim().await;
    let err = sim
        .trigger_callback(LedgerProvider::Maya, "x", None)
        .await
        .unwrap_err();
    assert_eq!(err, TriggerError::NoCallbacks { provider: "maya" });
    assert_eq!(err.code(), "no_callbacks");
    let err = sim
        .trigger_callback(LedgerProvider::BogPayments, "missing", None)
        .await
        .unwrap_err();
    assert!(matches!(
        &err,
        TriggerError::UnknownPayment { provider: "bog-payments", payment } if payment == "missing"
    ));
    let err = sim
        .trigger_callback(LedgerProvider::Maib, "missing", Some("ftp://elsewhere"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "bad_url");
    assert!(sim.callbacks().is_empty(), "nothing was sent or recorded");
}

#[tokio::test]
async fn the_listeners_request_faults_never_reach_the_route() {
    let sim = sim().await;
    sim.set_faults(
        Faults::none()
            .with_error_rate(100)
            .with_error_after_processing_rate(100)
            .with_rate_limited(100),
    );
    for (name, base) in listeners(&sim) {
        let (status, body) = trigger(&base, json!({ "payment": "nope" })).await;
        assert!(status == 404 || status == 400, "{name}: {status} {body}");
        assert!(body["error"].is_string(), "{name}: {body}");
    }
    for provider in [
        LedgerProvider::Maib,
        LedgerProvider::Miapos,
        LedgerProvider::Bog,
        LedgerProvider::Maya,
        LedgerProvider::BogPayments,
        LedgerProvider::MayaCheckout,
    ] {
        assert_eq!(sim.fault_counts(provider).total(), 0, "{provider}");
    }
}

#[tokio::test]
async fn no_bytes_make_the_route_fail() {
    let sim = sim().await;
    let base = sim.maib().base_url.clone();
    let valid = br#"{"payment":"p-1","url":"http://127.0.0.1:9/cb"}"#;
    let mut bodies: Vec<Vec<u8>> = (0..valid.len()).map(|n| valid[..n].to_vec()).collect();
    bodies.push(vec![0xff; 64]);
    bodies.push(b"[1,2,3]".to_vec());
    bodies.push(b"null".to_vec());
    bodies.push(format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes());
    bodies.push(format!(r#"{{"payment":"{}"}}"#, "x".repeat(500_000)).into_bytes());
    bodies.push(r#"{"payment":"\ud800"}"#.as_bytes().to_vec());
    for body in bodies {
        let res = client()
            .post(format!("{base}/_sim/trigger"))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{status} for {:?}",
            String::from_utf8_lossy(&body[..body.len().min(80)])
        );
        // An error names the id, but never echoes a huge one back.
        let answer = res.bytes().await.unwrap();
        assert!(answer.len() < 2_000, "{} bytes answered", answer.len());
    }
    // Still serving.
    let (status, _) = trigger(&base, json!({ "payment": "nope" })).await;
    assert_eq!(status, 404);
}
