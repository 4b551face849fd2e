//! Replay support for the Bank of Georgia Payments API: an order id the recording takes for
//! granted is swapped for an order the simulator prepared in the state the recorded answer
//! implies (created, paid, declined, expired, blocked, confirmed, refunded, saved card). The
//! preparation rebuilds the create body from the recorded receipt when there is one, so
//! the fields the recording shows (buyer, items, links, tags) come back in the same shape.

use std::time::Duration;

use paykit_sim::Simulator;
use paykit_testkit::fixture::Interaction;
use serde_json::{Value, json};

use super::{Swaps, client};

/// A simulator-issued Payments API token.
async fn token(sim: &Simulator) -> String {
    let info = sim.bog_payments();
    let res = client()
        .post(&info.token_url)
        .basic_auth(&info.client_id, Some(&info.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Order ids (UUIDs) the request path mentions that no earlier answer produced.
pub(super) fn foreign_ids(interaction: &Interaction, known: &Swaps) -> Vec<String> {
    interaction
        .request
        .path
        .split('/')
        .filter(|s| s.len() == 36 && s.matches('-').count() == 4 && !known.contains_key(*s))
        .map(str::to_owned)
        .collect()
}

/// The recorded answer's JSON (`Null` when none).
fn recorded(interaction: &Interaction) -> Value {
    interaction
        .response
        .body
        .exact()
        .and_then(|e| serde_json::from_str(&e.to_string()).ok())
        .unwrap_or(Value::Null)
}

fn amount(v: &Value) -> Option<serde_json::Number> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_number().cloned())
}

/// A create-order body that gives back `receipt`'s shape (or a plain one without it).
fn create_body(receipt: &Value, manual: bool) -> Value {
    let callback = "https://shop.example.ge/bog/callback";
    if receipt.is_null() {
        return json!({
            "callback_url": callback,
            "capture": if manual { "manual" } else { "automatic" },
            "purchase_units": {"currency": "GEL", "total_amount": 100,
                "basket": [{"product_id": "R", "quantity": 1, "unit_price": 100}]}
        });
    }
    let units = &receipt["purchase_units"];
    let basket: Vec<Value> = units["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|item| {
            let mut line = json!({
                "product_id": item["external_item_id"],
                "quantity": amount(&item["quantity"]),
                "unit_price": amount(&item["unit_price"]),
            });
            for key in [
                "description",
                "package_code",
                "tin",
                "pinfl",
                "product_discount_id",
            ] {
                if item[key].is_string() {
                    line[key] = item[key].clone();
                }
            }
            line
        })
        .collect();
    let mut body = json!({
        "callback_url": callback,
        "capture": receipt["capture"],
        "purchase_units": {
            "currency": units["currency_code"],
            "total_amount": amount(&units["request_amount"]),
            "basket": basket,
        },
    });
    if receipt["external_order_id"].is_string() {
        body["external_order_id"] = receipt["external_order_id"].clone();
    }
    let links = &receipt["redirect_links"];
    body["redirect_urls"] = json!({"success": links["success"], "fail": links["fail"]});
    let buyer = &receipt["buyer"];
    if buyer.is_object() {
        body["buyer"] = json!({
            "full_name": buyer["full_name"],
            "masked_email": buyer["email"],
            "masked_phone": buyer["phone_number"],
        });
    }
    if let Some(tag) = receipt["payment_detail"]["request_account_tag"].as_str() {
        body["config"] = json!({"account": {"tag": tag}});
    }
    let method = receipt["payment_detail"]["transfer_method"]["key"]
        .as_str()
        .unwrap_or_default();
    if matches!(method, "bnpl" | "bog_loan") {
        body["payment_method"] = json!([method]);
        body["config"] = json!({"loan": {"type": "zero", "month": 12}});
    } else if !method.is_empty() {
        body["payment_method"] = json!([method]);
    }
    body
}

/// Prepares an order in the state `interaction`'s recorded answer implies; returns its id.
pub(super) async fn prepare(sim: &Simulator, interaction: &Interaction) -> String {
    let api = sim.bog_payments().api_base.clone();
    let token = token(sim).await;
    let path = interaction.request.path.as_str();
    let answer = recorded(interaction);
    let ok = (200..300).contains(&interaction.response.status);
    let receipt = if path.contains("/receipt/") && ok {
        answer
    } else {
        Value::Null
    };
    let status = receipt["order_status"]["key"].as_str().unwrap_or_default();
    let actions: Vec<&str> = receipt["actions"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["action"].as_str()).collect())
        .unwrap_or_default();
    let preauth_op = path.contains("/authorization/");
    let manual = receipt["capture"] == "manual" || (preauth_op && ok);
    let expired = receipt["reject_reason"] == "expiration";
    let save = if path.contains("/charges/card/") || path.ends_with("/subscribe") {
        Some("subscriptions")
    } else if path.contains("/ecommerce/orders/") && !path.ends_with("/payment") {
        Some("cards")
    } else {
        None
    };
    // What the customer does: pay (with which card), or nothing.
    let pays = if receipt.is_null() {
        ok && !path.contains("/orders/") || save.is_some()
    } else {
        status != "created" && !expired
    };
    let mut body = create_body(&receipt, manual);
    if expired {
        body["ttl"] = 2.into();
    }
    let send = |method: reqwest::Method, url: String, body: Option<Value>| {
        let mut req = client().request(method, url).bearer_auth(&token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
    };
    let created: Value = send(
        reqwest::Method::POST,
        format!("{api}/ecommerce/orders"),
        Some(body),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    if let Some(kind) = save {
        send(
            reqwest::Method::PUT,
            format!("{api}/orders/{id}/{kind}"),
            None,
        )
        .await
        .unwrap();
    }
    if pays {
        let declined = status == "rejected" && !actions.contains(&"cancel_authorize");
        let card = match receipt["payment_detail"]["card_type"].as_str() {
            Some("mc") => "530000000000000",
            Some("amex") => "37000000000000",
            _ => "400000000000000",
        };
        let page = created["_links"]["redirect"]["href"].as_str().unwrap();
        let last = if declined { '2' } else { '1' };
        let method = receipt["payment_detail"]["transfer_method"]["key"]
            .as_str()
            .filter(|m| !m.is_empty())
            .unwrap_or("card");
        client()
            .get(format!("{page}&card={card}{last}&method={method}"))
            .send()
            .await
            .unwrap();
    }
    if expired {
        sim.advance(Duration::from_secs(121));
    }
    // Operations the recorded receipt shows were done.
    let refund = amount(&receipt["purchase_units"]["refund_amount"]);
    let approved = amount(&receipt["purchase_units"]["transfer_amount"]);
    let op =
        |path: String, body: Value| send(reqwest::Method::POST, format!("{api}{path}"), Some(body));
    if actions.contains(&"cancel_authorize") {
        op(format!("/payment/authorization/cancel/{id}"), json!({}))
            .await
            .unwrap();
    }
    if actions.contains(&"authorize")
        || actions.contains(&"partial_authorize")
        || status == "partial_completed"
    {
        let body = match (status, &approved) {
            ("partial_completed", Some(a)) => json!({"amount": a}),
            _ => json!({}),
        };
        op(format!("/payment/authorization/approve/{id}"), body)
            .await
            .unwrap();
    }
    if matches!(status, "refunded" | "refunded_partially") {
        let body = match (status, &refund) {
            ("refunded_partially", Some(r)) => json!({"amount": r}),
            _ => json!({}),
        };
        op(format!("/payment/refund/{id}"), body).await.unwrap();
    }
    id
}

/// Swaps learnt from an answer: the order ids a recorded create answer names.
pub(super) fn learn_ids(recorded: &Value, actual: &Value, swaps: &mut Swaps) {
    if let (Some(from), Some(to)) = (recorded["id"].as_str(), actual["id"].as_str()) {
        swaps.insert(from.to_owned(), to.to_owned());
    }
}
