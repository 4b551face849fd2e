//! Runner tests: a tiny client speaking raw HTTP over loopback against recorded scenarios.

use std::path::PathBuf;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::scenarios::run_scenarios;
use super::*;
use crate::fixture::{ProviderFixtures, ProviderMeta, Scenario};

fn scenario(name: &str, status: u16, expect: Value) -> Scenario {
    serde_json::from_value(json!({
        "name": name,
        "source": {"kind": "derived", "ref": "test"},
        "operation": "get_payment",
        "input": {"id": "p1"},
        "interactions": [{
            "request": {"method": "GET", "path": "/pay/p1", "body": {"kind": "empty"}},
            "response": {"status": status, "body": {"kind": "json", "value": {"status": "OK"}}}
        }],
        "expect": expect,
    }))
    .unwrap()
}

fn fixtures(scenarios: Vec<Scenario>) -> ProviderFixtures {
    ProviderFixtures {
        dir: PathBuf::new(),
        meta: ProviderMeta {
            provider: "demo".into(),
            digest: None,
            simulator: Default::default(),
            unsupported: Default::default(),
        },
        scenarios,
        callbacks: Vec::new(),
    }
}

/// The "client": GET /pay/{input.id}; 200 is ok with the status, anything else an api error.
async fn client(scenario: Scenario, base: String) -> Described {
    let id = scenario.input["id"].as_str().unwrap_or_default().to_owned();
    let address = base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!("GET /pay/{id} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status: u16 = response[9..12].parse().unwrap();
    if status == 200 {
        Ok(json!({"status": "captured", "raw_status": "OK"}))
    } else {
        Err(json!({"kind": "api", "http_status": status}))
    }
}

#[tokio::test]
async fn passing_and_failing_scenarios_are_all_reported() {
    let fixtures = fixtures(vec![
        scenario("ok_status", 200, json!({"ok": {"status": "captured"}})),
        scenario(
            "api_error",
            400,
            json!({"error": {"kind": "api", "http_status": 400}}),
        ),
        scenario("wrong_expect", 200, json!({"ok": {"status": "pending"}})),
    ]);
    let summary = run_scenarios(
        &fixtures,
        &Filter::parse(Some("ok_status,api_error,wrong_expect")),
        client,
    )
    .await;
    assert_eq!(summary.passed.len(), 2, "{summary}");
    let report = summary.to_string();
    assert!(
        report.contains("FAILED demo/wrong_expect (get_payment)"),
        "{report}"
    );
    assert!(
        report.contains(r#"expect.ok: $.status: expected "pending", got "captured""#),
        "{report}"
    );
}

#[tokio::test]
async fn http_mismatches_and_panics_are_reported() {
    let mut wrong_path = scenario("wrong_path", 200, json!({"ok": {}}));
    wrong_path.input = json!({"id": "p2"});
    let fixtures = fixtures(vec![wrong_path, scenario("panics", 200, json!({"ok": {}}))]);
    let summary = run_scenarios(
        &fixtures,
        &Filter::parse(None),
        |scenario, base| async move {
            if scenario.name == "panics" {
                panic!("client bug");
            }
            client(scenario, base).await
        },
    )
    .await;
    let report = summary.to_string();
    assert!(report.contains("FAILED conformance coverage"), "{report}");
    assert!(
        report.contains("path: expected /pay/p1, got /pay/p2"),
        "{report}"
    );
    assert!(
        report.contains("expected an error, got ok") || report.contains("expected ok"),
        "{report}"
    );
    assert!(report.contains("panicked: client bug"), "{report}");
    assert!(
        report.contains("interactions[0] GET /pay/p1: expected 1 call(s), received 0"),
        "{report}"
    );
}

#[tokio::test]
async fn the_filter_leaves_scenarios_out() {
    let fixtures = fixtures(vec![
        scenario("ok_status", 200, json!({"ok": {"status": "captured"}})),
        scenario("other", 200, json!({"ok": {}})),
    ]);
    let summary = run_scenarios(&fixtures, &Filter::parse(Some("ok_status")), client).await;
    assert_eq!(summary.passed, ["demo/ok_status (get_payment)"]);
    assert_eq!(summary.skipped, 1);
    assert!(summary.is_success());
}

#[test]
fn unknown_operations_fail_clearly() {
    let scenario = scenario("x", 200, json!({"ok": {}}));
    let result = unknown_operation(&scenario);
    assert_eq!(result.unwrap_err()["kind"], "unknown_operation");
}

fn maib_callback(body: &str, expect: Value) -> crate::fixture::Callback {
    serde_json::from_value(json!({
        "name": "c",
        "source": {"kind": "derived", "ref": "test"},
        "body": {"kind": "text", "value": body},
        "signed_with": "keys/signature_key.txt",
        "expect": expect,
    }))
    .unwrap()
}

#[test]
fn drift_is_detected_both_ways() {
    let mut fixtures = fixtures(Vec::new());
    fixtures.meta.provider = "maib".into();
    fixtures.dir = crate::fixture::fixtures_root().unwrap().join("maib");
    let key = fixtures.read_key("keys/signature_key.txt").unwrap();
    let body = crate::signers::maib::signed_body(r#"{"payId":"p1","amount":10.25}"#, &key).unwrap();
    let tampered = body.replace("10.25", "10.26");
    let ok = json!({"ok": {}});
    let rejected = json!({"error": {"kind": "signature"}});
    assert!(super::callbacks::drift(&fixtures, &maib_callback(&body, ok.clone())).is_empty());
    assert!(
        super::callbacks::drift(&fixtures, &maib_callback(&tampered, rejected.clone())).is_empty()
    );
    let stale = super::callbacks::drift(&fixtures, &maib_callback(&tampered, ok));
    assert!(
        stale[0].contains("not the one keys/signature_key.txt gives"),
        "{stale:?}"
    );
    let pointless = super::callbacks::drift(&fixtures, &maib_callback(&body, rejected));
    assert!(
        pointless[0].contains("expects a signature error"),
        "{pointless:?}"
    );
}

/// A callback confirmed by re-querying `GET /pay/p1`, which answers `status`.
fn confirmed_callback(name: &str, times: u32) -> crate::fixture::Callback {
    serde_json::from_value(json!({
        "name": name,
        "source": {"kind": "derived", "ref": "test"},
        "body": {"kind": "json", "value": {"id": "p1"}},
        "interactions": [{
            "request": {"method": "GET", "path": "/pay/p1", "body": {"kind": "empty"}},
            "response": {"status": 200, "body": {"kind": "json", "value": {"status": "OK"}}},
            "times": times
        }],
        "expect": {"ok": {"status": "captured"}},
    }))
    .unwrap()
}

/// The "verifier": confirms the callback by asking the server once per `asks`.
async fn confirm(asks: usize, base: String) -> Described {
    let scenario = scenario("confirm", 200, json!({"ok": {}}));
    let mut last = Err(json!({"kind": "never asked"}));
    for _ in 0..asks {
        last = client(scenario.clone(), base.clone()).await;
    }
    last
}

#[tokio::test]
async fn a_callback_s_confirming_requery_is_served_and_counted() {
    let mut fixtures = fixtures(Vec::new());
    fixtures.callbacks = vec![
        confirmed_callback("once", 1),
        confirmed_callback("twice", 1),
    ];
    let summary = super::callbacks::check_all(&fixtures, &Filter::parse(None), true, |c, s| {
        let base = s.map(crate::mock::ScenarioServer::uri).unwrap_or_default();
        Ok(confirm(if c.name == "once" { 1 } else { 2 }, base))
    })
    .await;
    assert_eq!(summary.passed, ["demo/callbacks/once"], "{summary}");
    let report = summary.to_string();
    assert!(report.contains("FAILED demo/callbacks/twice"), "{report}");
}

#[tokio::test]
async fn a_callback_with_interactions_needs_the_confirming_runner() {
    let mut fixtures = fixtures(Vec::new());
    fixtures.callbacks = vec![confirmed_callback("needs_server", 1)];
    let summary = super::callbacks::check_all(
        &fixtures,
        &Filter::parse(None),
        false,
        |_, server| match server {
            None => Ok(confirm(0, String::new())),
            Some(_) => Err("run_confirmed_callbacks".to_owned()),
        },
    )
    .await;
    assert!(summary.passed.is_empty(), "{summary}");
    assert!(
        summary.to_string().contains("run_confirmed_callbacks"),
        "{summary}"
    );
}

#[tokio::test]
async fn skeletons_fail_naming_what_is_left_without_running() {
    let mut todo = scenario("capture", 200, json!({"ok": {}}));
    todo.description = "TODO: what happens, in one sentence".into();
    todo.covers = vec!["capture".into()];
    let fixtures = fixtures(vec![todo]);
    let summary = run_scenarios(&fixtures, &Filter::parse(Some("capture")), |_, _| async {
        panic!("a skeleton must not run")
    })
    .await;
    let report = summary.to_string();
    assert!(
        report.contains("record an exchange where an authorized (held) payment is captured"),
        "{report}"
    );
    assert!(!report.contains("panicked"), "{report}");
}

#[tokio::test]
async fn a_built_scenario_runs_like_a_file_and_fails_like_one() {
    use crate::fixture::{Body, RequestSpec, ResponseSpec, SourceKind};
    let built = |status: u16| {
        Scenario::builder("get_payment_ok", "get_payment")
            .source(SourceKind::Derived, "test")
            .input(json!({"id": "p1"}))
            .exchange(
                RequestSpec::new("GET", "/pay/p1").body(Body::Empty),
                ResponseSpec::new(status).body(Body::json(r#"{"status":"OK"}"#).unwrap()),
            )
            .expect_ok(json!({"status": "captured"}))
            .build()
            .unwrap()
    };
    assert_eq!(
        check_scenario(&built(200), client).await,
        Vec::<String>::new()
    );
    let problems = check_scenario(&built(500), client).await;
    assert!(
        problems.iter().any(|p| p.contains("expected ok")),
        "{problems:?}"
    );
    // A request the scenario does not record is reported, not ignored.
    let unrecorded = Scenario::builder("get_payment_other", "get_payment")
        .source(SourceKind::Derived, "test")
        .input(json!({"id": "p2"}))
        .exchange(RequestSpec::new("GET", "/pay/p1"), ResponseSpec::new(200))
        .expect_ok(json!({}))
        .build()
        .unwrap();
    let problems = check_scenario(&unrecorded, client).await;
    assert!(
        problems.iter().any(|p| p.starts_with("http:")),
        "{problems:?}"
    );
}
