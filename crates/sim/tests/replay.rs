//! Replays every recorded fixture interaction marked `"sim": "replay"` against the simulator
//! and checks that it answers with the recorded status and JSON shape (fixtures/README.md).
//!
//! The recordings carry test credentials, tokens and ids the simulator never issued, so the
//! replay adapts them the way a client would: the simulator is configured with the fixture's
//! credentials, tokens from recorded token responses are swapped for the ones the simulator
//! issued, a Maya customer session stands in for the recorded customer tokens, and an iPay
//! order id the recording takes for granted is swapped for an order prepared in the state the
//! recorded answer implies (paid, declined, blocked, completed); the Payments API likewise
//! (`replay/bog_payments.rs`).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

#[path = "replay/bog_payments.rs"]
mod bog_payments;
mod common;
#[path = "replay/maya_checkout.rs"]
mod maya_checkout_prep;

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::client;
use paykit_sim::{SimConfig, Simulator};
use paykit_testkit::fixture::{
    Body, Interaction, Scenario, Sim, SimulatorPolicy, fixtures_root, load_provider, providers,
};
use paykit_testkit::json::{Exact, shape_diff, with_values_filled};
use serde_json::{Value, json};

/// The throwaway miaPOS test key (miapos.md test vectors), so no key is generated per run.
fn test_key() -> Vec<u8> {
    let vectors: Value =
        serde_json::from_str(include_str!("../testdata/miapos-vectors.json")).unwrap();
    let pem = vectors["privateKey_pkcs8_pem_TEST_ONLY"].as_str().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

fn basic(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let text = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn json_body(body: &Option<Body>) -> Value {
    match body {
        Some(Body::Json(raw)) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// The simulator configured with the credentials the recording uses.
fn config_for(provider: &str, scenario: &Scenario) -> SimConfig {
    let mut config = SimConfig::default();
    config.miapos.private_key_pkcs8 = Some(test_key());
    // Replayed orders call back to the recording's shop URL; one try is enough.
    config.bog_payments.callback_resend_delays = Vec::new();
    // Any throwaway RSA key spares a key generation per scenario.
    config.bog_payments.private_key_pkcs8 = Some(test_key());
    // Credentials are learnt only from requests the recording shows accepted.
    // Maya's gateway keys name their kind (`pk-`/`sk-`), so any request the key layer did
    // not refuse (401) shows a key the merchant has.
    let accepted = scenario.interactions.iter().filter(|i| {
        (200..300).contains(&i.response.status)
            || (provider == "maya-checkout" && i.response.status != 401)
    });
    for Interaction { request, .. } in accepted {
        let auth = request.headers.get("authorization").map(String::as_str);
        let body = json_body(&request.body);
        let text = |key: &str| body[key].as_str().map(str::to_owned);
        if provider == "maya-checkout" {
            // The key kind is in the key itself.
            if let Some((key, _)) = auth.and_then(basic) {
                if key.starts_with("pk-") {
                    config.maya_checkout.public_key = key;
                } else if key.starts_with("sk-") {
                    config.maya_checkout.secret_key = key;
                }
            }
            continue;
        }
        match (provider, request.path.as_str()) {
            ("maib", "/v1/generate-token") => {
                if let (Some(id), Some(secret)) = (text("projectId"), text("projectSecret")) {
                    config.maib.project_id = id;
                    config.maib.project_secret = secret;
                }
            }
            ("miapos", "/ecomm/api/v1/token") => {
                if let (Some(id), Some(secret)) = (text("merchantId"), text("secretKey")) {
                    config.miapos.merchant_id = id;
                    config.miapos.secret_key = secret;
                }
            }
            ("miapos", "/ecomm/api/v1/pay" | "/ecomm/api/v1/request-to-pay/direct") => {
                if let Some(terminal) = text("terminalId") {
                    let rtp = body["paymentType"] == "rtp" || request.path.ends_with("/direct");
                    if rtp {
                        config.miapos.rtp_terminal_id = terminal;
                    } else {
                        config.miapos.terminal_id = terminal;
                    }
                }
            }
            ("bog", "/opay/api/v1/oauth2/token") => {
                if let Some((id, secret)) = auth.and_then(basic) {
                    config.bog.client_id = id;
                    config.bog.secret_key = secret;
                }
            }
            ("bog-payments", "/auth/realms/bog/protocol/openid-connect/token") => {
                if let Some((id, secret)) = auth.and_then(basic) {
                    config.bog_payments.client_id = id;
                    config.bog_payments.client_secret = secret;
                }
            }
            ("maya", "/oauth/token") => {
                if let Some((id, secret)) = auth.and_then(basic) {
                    config.maya.client_id = id;
                    config.maya.client_secret = secret;
                }
            }
            ("maya", "/merchant/payments") => {
                if let Some(p2m) = text("p2mId") {
                    config.maya.p2m_id = p2m;
                }
            }
            _ => {}
        }
    }
    config
}

/// Recorded string -> the simulator's own value.
type Swaps = BTreeMap<String, String>;

fn swap(text: &str, swaps: &Swaps) -> String {
    swaps.iter().fold(text.to_owned(), |acc, (from, to)| {
        acc.replace(from.as_str(), to)
    })
}

/// Learns token swaps from a recorded and an actual token response.
fn learn_tokens(recorded: &Value, actual: &Value, swaps: &mut Swaps) {
    // maib wraps every answer in `result`.
    for (recorded, actual) in [(recorded, actual), (&recorded["result"], &actual["result"])] {
        for key in ["access_token", "accessToken", "refreshToken"] {
            if let (Some(from), Some(to)) = (recorded[key].as_str(), actual[key].as_str()) {
                swaps.insert(from.to_owned(), to.to_owned());
            }
        }
    }
}

/// A simulator-issued iPay token.
async fn bog_token(sim: &Simulator) -> String {
    let info = sim.bog();
    let res = client()
        .post(format!("{}/opay/api/v1/oauth2/token", info.base_url))
        .basic_auth(&info.client_id, Some(&info.secret_key))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Prepares an iPay order in the state the recorded answer implies; returns its id.
async fn prepare_bog_order(sim: &Simulator, interaction: &Interaction) -> String {
    let api = |path: &str| format!("{}/opay/api/v1/{path}", sim.bog().base_url);
    let token = bog_token(sim).await;
    let recorded = interaction.response.body.exact().map(|e| e.to_string());
    let recorded: Value = recorded
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let path = &interaction.request.path;
    let manual = path.ends_with("/pre-auth/completion") || !recorded["pre_auth_status"].is_null();
    // Only a payment-details answer says which state the order is in; every other
    // operation needs a paid order.
    let details = interaction.request.method == "GET";
    let value = if details && recorded["status"] == "error" {
        "10.01"
    } else {
        "100.00"
    };
    let order = json!({
        "intent": "CAPTURE",
        "items": [{"amount": value, "description": "Replay", "quantity": 1, "product_id": "R"}],
        "shop_order_id": "replay-1",
        "redirect_url": "https://shop.example.ge/return",
        "capture_method": if manual { "MANUAL" } else { "AUTOMATIC" },
        "purchase_units": [{"amount": {"currency_code": "GEL", "value": value}}]
    });
    let created: Value = client()
        .post(api("checkout/orders"))
        .bearer_auth(&token)
        .json(&order)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["order_id"].as_str().unwrap().to_owned();
    if !(details && recorded["status"] == "in_progress") {
        client()
            .get(created["links"][1]["href"].as_str().unwrap())
            .send()
            .await
            .unwrap();
    }
    let finish = match (
        recorded["pre_auth_status"].as_str(),
        recorded["description"].as_str(),
    ) {
        (Some("success"), _) | (_, Some("Already completed successful")) => Some("FULL_COMPLETE"),
        (Some("success_unblocked"), _) => Some("CANCEL"),
        _ => None,
    };
    if let Some(auth_type) = finish {
        client()
            .post(api(&format!("checkout/payment/{id}/pre-auth/completion")))
            .bearer_auth(&token)
            .json(&json!({"auth_type": auth_type}))
            .send()
            .await
            .unwrap();
    }
    id
}

/// iPay order ids (40 hex digits) the request mentions that no earlier answer produced.
fn foreign_bog_ids(interaction: &Interaction, known: &Swaps) -> Vec<String> {
    let mut text = interaction.request.path.clone();
    text.push(' ');
    text.push_str(&String::from_utf8_lossy(
        &interaction
            .request
            .body
            .clone()
            .unwrap_or_default()
            .to_bytes(),
    ));
    text.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|t| t.len() == 40 && !known.contains_key(*t))
        .map(str::to_owned)
        .collect()
}

/// Replays one scenario; returns what did not match.
async fn replay(provider: &str, scenario: &Scenario) -> Vec<String> {
    let sim = paykit_sim::start(config_for(provider, scenario))
        .await
        .unwrap();
    let base = match provider {
        "maib" => sim.maib().base_url.clone(),
        "miapos" => sim.miapos().base_url.clone(),
        "bog" => sim.bog().base_url.clone(),
        "maya-checkout" => sim.maya_checkout().base_url.clone(),
        "bog-payments" => sim.bog_payments().base_url.clone(),
        _ => sim.maya().base_url.clone(),
    };
    let mut swaps = Swaps::new();
    if provider == "maya-checkout" {
        swaps.extend(maya_checkout_prep::prepare(&sim, scenario).await);
    }
    if provider == "maya" {
        let session = sim.open_maya_session(None).await.unwrap();
        for interaction in &scenario.interactions {
            let request = &interaction.request;
            if let Some(customer) = request.headers.get("x-authorization") {
                swaps.insert(customer.clone(), session.access_token.clone());
            }
            if let Some(refresh) = json_body(&request.body)["refreshToken"].as_str() {
                swaps.insert(refresh.to_owned(), session.refresh_token.clone());
            }
        }
    }
    let mut problems = Vec::new();
    for (step, interaction) in scenario.interactions.iter().enumerate() {
        if provider == "bog" {
            for id in foreign_bog_ids(interaction, &swaps) {
                let prepared = prepare_bog_order(&sim, interaction).await;
                swaps.insert(id, prepared);
            }
        }
        if provider == "bog-payments" {
            for id in bog_payments::foreign_ids(interaction, &swaps) {
                let prepared = bog_payments::prepare(&sim, interaction).await;
                swaps.insert(id, prepared);
            }
        }
        let request = &interaction.request;
        let mut url = format!("{base}{}", swap(&request.path, &swaps));
        if let Some(query) = &request.query {
            let pairs: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{k}={}", swap(v, &swaps)))
                .collect();
            url = format!("{url}?{}", pairs.join("&"));
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
        let mut builder = client().request(method, url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), swap(value, &swaps));
        }
        for name in &request.headers_present {
            if !request.headers.contains_key(name) {
                builder = builder.header(name.as_str(), "0d7e6f5a-4b3c-4a2d-9e1f-8c7b6a5d4e3f");
            }
        }
        // The Payments fixtures record only the headers that matter to the client test;
        // a JSON body goes with its media type, as every client sends it.
        let json_body = matches!(request.body, Some(Body::Json(_)));
        if provider == "bog-payments" && json_body && !request.headers.contains_key("content-type")
        {
            builder = builder.header("content-type", "application/json");
        }
        if let Some(body) = &request.body {
            let bytes = body.to_bytes();
            if !bytes.is_empty() {
                let sent = with_values_filled(&String::from_utf8_lossy(&bytes));
                builder = builder.body(swap(&sent, &swaps));
            }
        }
        let res = builder.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let at = format!(
            "{}#{step} {} {}",
            scenario.name, request.method, request.path
        );
        if status != interaction.response.status {
            problems.push(format!(
                "{at}: status {status}, recorded {} ({text})",
                interaction.response.status
            ));
            continue;
        }
        match &interaction.response.body {
            Body::Json(_) => {
                let (Some(want), Ok(got)) =
                    (interaction.response.body.exact(), Exact::parse(&text))
                else {
                    problems.push(format!("{at}: answer is not JSON: {text}"));
                    continue;
                };
                let recorded: Value = serde_json::from_str(&want.to_string()).unwrap_or_default();
                let actual: Value = serde_json::from_str(&text).unwrap_or_default();
                if provider == "maya-checkout" {
                    let mut diffs = Vec::new();
                    maya_checkout_prep::subset_diff(&recorded, &actual, "$", &mut diffs);
                    problems.extend(diffs.into_iter().map(|d| format!("{at}: {d}")));
                } else {
                    for diff in shape_diff(&want, &got) {
                        problems.push(format!("{at}: {diff}"));
                    }
                }
                learn_tokens(&recorded, &actual, &mut swaps);
                if provider == "bog-payments" {
                    bog_payments::learn_ids(&recorded, &actual, &mut swaps);
                }
            }
            Body::Empty if !text.is_empty() => {
                problems.push(format!("{at}: recorded an empty body, got {text}"));
            }
            _ => {}
        }
    }
    problems
}

/// The providers this file knows how to replay: each needs its credentials learnt in
/// `config_for` and its recorded ids swapped in `replay`.
const SIMULATED: [&str; 6] = [
    "maib",
    "miapos",
    "bog",
    "maya",
    "bog-payments",
    "maya-checkout",
];

/// The providers to replay: every fixture folder with a `provider.json`, or only the one
/// `PAYKIT_PROVIDER` names (`cargo xtask contract --provider P`).
fn selected_providers(root: &std::path::Path) -> Vec<String> {
    let all = providers(root).unwrap();
    match std::env::var("PAYKIT_PROVIDER") {
        Ok(only) if !only.is_empty() => {
            assert!(
                all.contains(&only),
                "PAYKIT_PROVIDER={only}: fixtures/{only}/provider.json does not exist"
            );
            vec![only]
        }
        _ => all,
    }
}

#[tokio::test]
async fn every_replayable_fixture_matches_the_simulator() {
    let root = fixtures_root().unwrap();
    let mut problems = Vec::new();
    for provider in selected_providers(&root) {
        let fixtures = load_provider(&root, &provider).unwrap();
        if fixtures.meta.simulator == SimulatorPolicy::None {
            eprintln!(
                "simulator replay ({provider}): no simulator for {provider}; nothing replayed"
            );
            continue;
        }
        if !SIMULATED.contains(&provider.as_str()) {
            problems.push(format!(
                "{provider}: provider.json declares \"simulator\": \"replay\" but the simulator \
                 replay does not know it (SIMULATED in crates/sim/tests/replay.rs); declare \
                 \"simulator\": \"none\" until it has one"
            ));
            continue;
        }
        let mut replayed = 0;
        for scenario in &fixtures.scenarios {
            if scenario.sim != Sim::Replay {
                continue;
            }
            replayed += 1;
            problems.extend(replay(&provider, scenario).await);
        }
        let skipped = fixtures.scenarios.len() - replayed;
        eprintln!(
            "simulator replay ({provider}): {replayed} scenarios replayed, {skipped} skipped"
        );
        if replayed == 0 {
            problems.push(format!(
                "{provider}: no scenario replayed; mark scenarios \"sim\": \"replay\" or declare \
                 \"simulator\": \"none\" in provider.json"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
