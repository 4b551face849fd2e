//! Replaying Maya's gateway fixtures: the recordings name payments, checkouts, customers,
//! cards, links, tokens and webhooks the simulator never issued, so each one is prepared
//! first in the state the recording implies (paid, authorized, pending, refunded, voided,
//! verified...) and the recorded id is swapped for the simulator's.
//!
//! Maya's objects are unions of optional fields (maya-checkout.md §3.3: decode with defaults,
//! keep unknown fields) and amounts come as numbers or strings (§3.1.1), so an answer matches
//! a recording when it has every recorded field with a compatible type: extra fields are
//! allowed, a recorded `null` accepts anything, and a number and a numeric string are
//! compatible.

use std::collections::BTreeMap;
use std::time::Duration;

use paykit_sim::Simulator;
use paykit_testkit::fixture::{Body, Scenario};
use serde_json::{Value, json};

use super::common::client;

type Swaps = BTreeMap<String, String>;

/// Where an answer lacks the shape of the recording (see the module docs).
pub(crate) fn subset_diff(want: &Value, got: &Value, path: &str, out: &mut Vec<String>) {
    let numeric = |s: &str| s.parse::<rust_decimal::Decimal>().is_ok();
    match (want, got) {
        (Value::Null, _) => {}
        (Value::Object(w), Value::Object(g)) => {
            for (key, wv) in w {
                match g.get(key) {
                    Some(gv) => subset_diff(wv, gv, &format!("{path}.{key}"), out),
                    None if wv.is_null() => {}
                    None => out.push(format!("{path}.{key}: missing")),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            for (i, gv) in g.iter().enumerate() {
                let wv = if w.len() == g.len() {
                    w.get(i)
                } else {
                    w.first()
                };
                if let Some(wv) = wv {
                    subset_diff(wv, gv, &format!("{path}[{i}]"), out);
                }
            }
        }
        (Value::Number(_), Value::String(s)) | (Value::String(s), Value::Number(_))
            if numeric(s) => {}
        (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_)) => {}
        _ => out.push(format!("{path}: recorded {want}, got {got}")),
    }
}

fn json_of(body: &Option<Body>) -> Value {
    match body {
        Some(Body::Json(raw)) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

fn recorded(body: &Body) -> Value {
    body.exact()
        .and_then(|e| serde_json::from_str(&e.to_string()).ok())
        .unwrap_or(Value::Null)
}

/// One recorded step, decoded.
struct Step {
    method: String,
    segments: Vec<String>,
    status: u16,
    answer: Value,
    sent: Value,
}

/// A step's path segments.
fn seg(step: &Step) -> Vec<&str> {
    step.segments.iter().map(String::as_str).collect()
}

/// The simulator's gateway, called with its own keys.
struct Api<'a> {
    sim: &'a Simulator,
}

impl Api<'_> {
    async fn call(&self, method: &str, path: &str, public: bool, body: Option<Value>) -> Value {
        let info = self.sim.maya_checkout();
        let key = if public {
            &info.public_key
        } else {
            &info.secret_key
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = client()
            .request(method, format!("{}{path}", info.base_url))
            .basic_auth(key, Some(""));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "preparing {path}: {status} {value}");
        value
    }

    async fn page(&self, url: &str) {
        client().get(url).send().await.unwrap();
    }

    async fn token(&self) -> String {
        let card = json!({"card": {"number": "4123450131001522", "expMonth": "12",
                                   "expYear": "2035", "cvc": "123"}});
        let res = self
            .call("POST", "/payments/v1/payment-tokens", true, Some(card))
            .await;
        res["paymentTokenId"].as_str().unwrap().to_owned()
    }

    /// A Vault payment of `amount` under `rrn`, through 3-D Secure unless `pending`.
    async fn payment(&self, amount: &str, rrn: &str, hold: bool, pending: bool) -> String {
        let token = self.token().await;
        let mut body = format!(
            r#"{{"paymentTokenId":"{token}","totalAmount":{{"amount":{amount},"currency":"PHP"}},"requestReferenceNumber":"{rrn}""#
        );
        if hold {
            body.push_str(r#","authorizationType":"NORMAL""#);
        }
        body.push('}');
        let res = self
            .call(
                "POST",
                "/payments/v1/payments",
                false,
                Some(serde_json::from_str(&body).unwrap()),
            )
            .await;
        if !pending {
            self.page(res["verificationUrl"].as_str().unwrap()).await;
        }
        res["id"].as_str().unwrap().to_owned()
    }

    /// An unpaid Checkout payment; its payment id.
    async fn pending(&self, amount: &str, rrn: &str) -> String {
        let body = format!(
            r#"{{"totalAmount":{{"value":{amount},"currency":"PHP"}},"requestReferenceNumber":"{rrn}"}}"#
        );
        self.call(
            "POST",
            "/checkout/v1/checkouts",
            true,
            Some(serde_json::from_str(&body).unwrap()),
        )
        .await;
        let list = self
            .call(
                "GET",
                &format!("/payments/v1/payment-rrns/{rrn}"),
                false,
                None,
            )
            .await;
        let last = list.as_array().and_then(|l| l.last()).unwrap();
        last["id"].as_str().unwrap().to_owned()
    }
}

/// An amount as exact text, from a recorded number or string.
fn amount_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What the recording says about one payment id.
#[derive(Default)]
struct Wanted {
    status: Option<String>,
    amount: Option<String>,
    rrn: Option<String>,
    /// Refund amounts, with the recorded refund id when a step names it.
    refunds: Vec<(String, Option<String>)>,
    voided: bool,
    void_id: Option<String>,
    refund_later: bool,
}

/// Moves the clock to 01:00 Manila time of the next day.
fn next_manila_day(sim: &Simulator) {
    let day = 24 * 3600 * 1000;
    let eight = 8 * 3600 * 1000;
    let now = sim.now_unix_ms();
    let next_midnight = ((now + eight) / day + 1) * day - eight;
    sim.advance(Duration::from_millis(next_midnight - now + 3600 * 1000));
}

/// Prepares what `scenario` takes for granted; returns the id swaps.
pub(crate) async fn prepare(sim: &Simulator, scenario: &Scenario) -> Swaps {
    // Start early on a Manila day, so "the same day" cannot end while a scenario replays.
    next_manila_day(sim);
    let api = Api { sim };
    let steps: Vec<Step> = scenario
        .interactions
        .iter()
        .map(|i| Step {
            method: i.request.method.clone(),
            segments: i
                .request
                .path
                .trim_matches('/')
                .split('/')
                .map(str::to_owned)
                .collect(),
            status: i.response.status,
            answer: recorded(&i.response.body),
            sent: json_of(&i.request.body),
        })
        .collect();
    let mut swaps = Swaps::new();
    // Tokens named in request bodies.
    for step in &steps {
        if let Some(token) = step.sent["paymentTokenId"].as_str() {
            if !swaps.contains_key(token) {
                let fresh = api.token().await;
                swaps.insert(token.to_owned(), fresh);
            }
        }
    }
    let found = |step: &Step| step.status != 404;

    // Webhooks.
    for step in steps.iter().filter(|s| found(s)) {
        match seg(step).as_slice() {
            ["checkout", "v1", "webhooks", id] if !swaps.contains_key(*id) => {
                let name = step.answer["name"].as_str().unwrap_or("PAYMENT_SUCCESS");
                let hook = api
                    .call(
                        "POST",
                        "/checkout/v1/webhooks",
                        false,
                        Some(json!({"name": name, "callbackUrl": "https://shop.example.ph/hook"})),
                    )
                    .await;
                swaps.insert((*id).to_owned(), hook["id"].as_str().unwrap().to_owned());
            }
            ["checkout", "v1", "webhooks"] if step.method == "GET" => {
                for hook in step.answer.as_array().into_iter().flatten() {
                    let body = json!({"name": hook["name"], "callbackUrl": hook["callbackUrl"]});
                    api.call("POST", "/checkout/v1/webhooks", false, Some(body))
                        .await;
                }
            }
            _ => {}
        }
    }
    // Customers and their cards.
    for step in steps.iter().filter(|s| found(s)) {
        let path = seg(step);
        let (Some(&"customers"), Some(customer)) = (path.get(2), path.get(3)) else {
            continue;
        };
        if !swaps.contains_key(*customer) {
            // The customer as recorded (on a customer path), or a stand-in.
            let mut details = match (&step.answer, path.len()) {
                (Value::Object(fields), 4) => Value::Object(fields.clone()),
                _ => json!({"firstName": "Juan", "lastName": "Dela Cruz"}),
            };
            if let Some(fields) = details.as_object_mut() {
                for key in ["id", "createdAt", "updatedAt"] {
                    fields.remove(key);
                }
            }
            let created = api
                .call("POST", "/payments/v1/customers", false, Some(details))
                .await;
            swaps.insert(
                (*customer).to_owned(),
                created["id"].as_str().unwrap().to_owned(),
            );
        }
        let real_customer = swaps[*customer].clone();
        let card = path.get(5).copied();
        let list_needs_one = path.len() == 5 && step.method == "GET";
        let needs_card = match card {
            Some(card) => !swaps.contains_key(card),
            None => list_needs_one,
        };
        if needs_card {
            let token = api.token().await;
            let added = api
                .call(
                    "POST",
                    &format!("/payments/v1/customers/{real_customer}/cards"),
                    false,
                    Some(json!({"paymentTokenId": token, "isDefault": true})),
                )
                .await;
            if step.answer["state"] != "PREVERIFICATION" {
                api.page(added["verificationUrl"].as_str().unwrap()).await;
            }
            if let Some(card) = card {
                swaps.insert(
                    card.to_owned(),
                    added["cardTokenId"].as_str().unwrap().to_owned(),
                );
            }
        }
    }
    // Wallet links.
    for step in steps.iter().filter(|s| found(s)) {
        if let ["payby", "v2", "paymaya", "link", id, ..] = seg(step).as_slice() {
            if !swaps.contains_key(*id) {
                let link = api
                    .call(
                        "POST",
                        "/payby/v2/paymaya/link",
                        true,
                        Some(json!({"redirectUrl": {"success": "https://shop.example.ph/ok"}})),
                    )
                    .await;
                api.page(link["redirectUrl"].as_str().unwrap()).await;
                swaps.insert(
                    (*id).to_owned(),
                    link["linkId"].as_str().unwrap().to_owned(),
                );
            }
        }
    }
    // Checkouts.
    for step in steps.iter().filter(|s| found(s)) {
        if let ["checkout", "v1", "checkouts", id] = seg(step).as_slice() {
            if swaps.contains_key(*id) {
                continue;
            }
            let value = amount_text(&step.answer["totalAmount"]["value"]).unwrap_or("100".into());
            let rrn = step.answer["requestReferenceNumber"]
                .as_str()
                .unwrap_or("replay-checkout");
            let body = format!(
                r#"{{"totalAmount":{{"value":{value},"currency":"PHP"}},"requestReferenceNumber":"{rrn}","items":[{{"name":"Tumbler","quantity":1}}]}}"#
            );
            let created = api
                .call(
                    "POST",
                    "/checkout/v1/checkouts",
                    true,
                    Some(serde_json::from_str(&body).unwrap()),
                )
                .await;
            if step.answer["status"] == "COMPLETED" {
                api.page(created["redirectUrl"].as_str().unwrap()).await;
            }
            swaps.insert(
                (*id).to_owned(),
                created["checkoutId"].as_str().unwrap().to_owned(),
            );
        }
    }
    // Payments by id.
    let mut wanted: BTreeMap<String, Wanted> = BTreeMap::new();
    let mut ids_404 = Vec::new();
    for step in &steps {
        let path = seg(step);
        let ["payments", "v1", "payments", id, rest @ ..] = path.as_slice() else {
            continue;
        };
        if !found(step) {
            ids_404.push((*id).to_owned());
            continue;
        }
        let w = wanted.entry((*id).to_owned()).or_default();
        match (step.method.as_str(), rest) {
            ("GET", [] | ["status"]) => {
                w.status = step.answer["status"].as_str().map(str::to_owned);
                w.amount = w
                    .amount
                    .take()
                    .or_else(|| amount_text(&step.answer["amount"]));
                w.rrn = w.rrn.take().or_else(|| {
                    step.answer["requestReferenceNumber"]
                        .as_str()
                        .map(str::to_owned)
                });
            }
            ("POST", ["cancel"]) => w.status = w.status.take().or(Some("PENDING_TOKEN".into())),
            ("POST", ["capture" | "captures"]) => {
                w.status = w.status.take().or(Some("AUTHORIZED".into()));
            }
            ("POST", ["refunds"]) => w.refund_later = true,
            ("GET", ["refunds"]) => {
                w.refunds = step
                    .answer
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| amount_text(&r["amount"]))
                    .map(|amount| (amount, None))
                    .collect();
            }
            ("GET", ["refunds", refund]) => {
                let amount = amount_text(&step.answer["amount"]).unwrap_or("1.00".into());
                w.refunds.push((amount, Some((*refund).to_owned())));
            }
            ("GET", ["voids"]) => w.voided = true,
            ("GET", ["voids", void]) => {
                w.voided = true;
                w.void_id = Some((*void).to_owned());
            }
            _ => {}
        }
    }
    let mut next_day = false;
    let mut refunds = Vec::new();
    let mut prepared_rrns = Vec::new();
    for (recorded_id, w) in &wanted {
        if ids_404.contains(recorded_id) || swaps.contains_key(recorded_id) {
            continue;
        }
        // Without a recorded amount, enough for every recorded refund and then some.
        let refunded: rust_decimal::Decimal = w
            .refunds
            .iter()
            .filter_map(|(r, _)| r.parse::<rust_decimal::Decimal>().ok())
            .sum();
        let amount = w
            .amount
            .clone()
            .unwrap_or_else(|| (refunded + rust_decimal::Decimal::ONE_HUNDRED).to_string());
        let rrn = w
            .rrn
            .clone()
            .unwrap_or_else(|| format!("replay-{}", recorded_id.len()));
        let id = match w.status.as_deref() {
            Some("PENDING_TOKEN") => api.pending(&amount, &rrn).await,
            Some("FOR_AUTHENTICATION") => api.payment(&amount, &rrn, false, true).await,
            Some("AUTHORIZED") => api.payment(&amount, &rrn, true, false).await,
            _ => api.payment(&amount, &rrn, false, false).await,
        };
        if w.voided {
            let void = api
                .call(
                    "POST",
                    &format!("/payments/v1/payments/{id}/voids"),
                    false,
                    Some(json!({"reason": "replay"})),
                )
                .await;
            if let (Some(recorded), Some(actual)) = (&w.void_id, void["id"].as_str()) {
                swaps.insert(recorded.clone(), actual.to_owned());
            }
        }
        next_day |=
            w.refund_later || !w.refunds.is_empty() || w.status.as_deref() == Some("REFUNDED");
        for r in &w.refunds {
            refunds.push((id.clone(), r.clone()));
        }
        prepared_rrns.push(rrn);
        swaps.insert(recorded_id.clone(), id);
    }
    // Payments by RRN.
    for step in steps.iter().filter(|s| found(s)) {
        let path = seg(step);
        let ["payments", "v1", "payment-rrns", rrn, rest @ ..] = path.as_slice() else {
            continue;
        };
        if prepared_rrns.iter().any(|r| r == rrn) {
            continue;
        }
        prepared_rrns.push((*rrn).to_owned());
        match rest {
            [] => {
                let mut last_hold = None;
                for element in step.answer.as_array().into_iter().flatten() {
                    let amount = amount_text(&element["amount"]).unwrap_or("100.00".into());
                    if element
                        .get("authorizationPayment")
                        .is_some_and(|v| !v.is_null())
                    {
                        if let Some(hold) = &last_hold {
                            let body = format!(
                                r#"{{"requestReferenceNumber":"{rrn}","captureAmount":{{"amount":{amount},"currency":"PHP"}}}}"#
                            );
                            api.call(
                                "POST",
                                &format!("/payments/v1/payments/{hold}/capture"),
                                false,
                                Some(serde_json::from_str(&body).unwrap()),
                            )
                            .await;
                        }
                    } else if element["status"] == "AUTHORIZED" {
                        last_hold = Some(api.payment(&amount, rrn, true, false).await);
                    } else if element["status"] == "PAYMENT_FAILED" {
                        api.payment("10.01", rrn, false, false).await;
                    } else {
                        api.payment(&amount, rrn, false, false).await;
                    }
                }
            }
            ["refunds"] => {
                api.payment("100.00", rrn, false, false).await;
                next_day = true;
            }
            _ => {
                api.payment("100.00", rrn, false, false).await;
            }
        }
    }
    if next_day {
        next_manila_day(sim);
        for (id, (amount, recorded)) in refunds {
            let body = format!(
                r#"{{"totalAmount":{{"amount":{amount},"currency":"PHP"}},"reason":"replay"}}"#
            );
            let refund = api
                .call(
                    "POST",
                    &format!("/payments/v1/payments/{id}/refunds"),
                    false,
                    Some(serde_json::from_str(&body).unwrap()),
                )
                .await;
            if let (Some(recorded), Some(actual)) = (recorded, refund["id"].as_str()) {
                swaps.insert(recorded, actual.to_owned());
            }
        }
    }
    swaps
}
