//! End to end: `paykit sim` in its own process, a payment made with `paykit pay` and paid on
//! the page, then `paykit sim trigger` makes the simulator send its callback again. The
//! merchant's copy is checked with the provider crate's own verifier, and the printed record
//! against what arrived.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use common::paykit::{Run, borrowed, command, page_url, paykit};
use common::{Merchant, open_page};
use paykit_core::webhook::RsaPublicKey;
use secrecy::SecretString;
use serde_json::{Value, json};

/// A `paykit sim` process and its announcement; killed when dropped.
struct Served {
    child: Child,
    announcement: Value,
}

impl Served {
    fn start() -> Self {
        let mut child = command(&["sim"], &[])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("paykit sim starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let announcement = serde_json::from_str(&first).expect("the announcement is JSON");
        Self {
            child,
            announcement,
        }
    }

    fn get(&self, provider: &str, field: &str) -> String {
        self.announcement[provider][field]
            .as_str()
            .unwrap_or_else(|| panic!("no {provider}.{field} in {}", self.announcement))
            .to_owned()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `paykit sim trigger` of a Payments API order through `base`, delivered to `url`.
async fn trigger_payments_api(id: &str, base: &str, url: &str) -> Run {
    let args = [
        "sim",
        "trigger",
        "--provider",
        "bog-payments",
        "--payment",
        id,
        "--base-url",
        base,
        "--url",
        url,
    ];
    paykit(&args, &[]).await
}

/// The one JSON line `sim trigger` printed.
fn record(run: &Run) -> Value {
    assert_eq!(run.stdout.lines().count(), 1, "{run}");
    run.json()
}

#[tokio::test]
async fn trigger_resends_a_maib_callback_that_the_maib_crate_verifies() {
    let sim = Served::start();
    let mut merchant = Merchant::start().await;
    let base = sim.get("maib", "base_url");
    let env = [
        ("PAYKIT_MAIB_PROJECT_ID", sim.get("maib", "project_id")),
        (
            "PAYKIT_MAIB_PROJECT_SECRET",
            sim.get("maib", "project_secret"),
        ),
        ("PAYKIT_MAIB_BASE_URL", base.clone()),
    ];
    let callback_url = merchant.url("/maib/cb");
    let pay = paykit(
        &[
            "pay",
            "--provider",
            "maib",
            "--amount",
            "10.25",
            "--client-ip",
            "135.250.245.121",
            "--callback-url",
            &callback_url,
        ],
        &borrowed(&env),
    )
    .await;
    pay.expect_code(0);
    let outcome = pay.json();
    let pay_id = outcome["provider_payment_id"].as_str().unwrap().to_owned();

    // Not paid yet: the simulator says so, and nothing is printed on stdout.
    let early = paykit(
        &["sim", "trigger", "--provider", "maib", "--payment", &pay_id],
        &borrowed(&env),
    )
    .await;
    early.expect_code(1);
    assert!(early.stdout.is_empty(), "{early}");
    assert!(early.stderr.contains("CREATED"), "{early}");

    open_page(&page_url(&outcome)).await;
    let first = merchant.next().await;

    // The base URL from the environment, as the other commands take it.
    let run = paykit(
        &["sim", "trigger", "--provider", "maib", "--payment", &pay_id],
        &borrowed(&env),
    )
    .await;
    run.expect_code(0);
    let printed = record(&run);
    let again = merchant.next().await;
    assert_eq!(again.path, "/maib/cb");
    assert_eq!(
        again.body, first.body,
        "the same state, the same signed body"
    );
    assert_eq!(printed["provider"], "maib");
    assert_eq!(printed["url"], callback_url.as_str());
    assert_eq!(printed["content_type"], "application/json");
    assert_eq!(printed["body"], again.text().as_str());
    assert_eq!(printed["headers"], json!([]));
    assert_eq!(printed["attempt"], 1);
    assert_eq!(
        printed["outcome"],
        json!({ "state": "delivered", "status": 200 })
    );

    let verifier =
        paykit_maib::MaibWebhook::new(SecretString::from(sim.get("maib", "signature_key")))
            .unwrap()
            .assume_flow(paykit_maib::PaymentFlow::Direct);
    let event = verifier.verify_body(&again.body).unwrap();
    let paykit_core::webhook::EventKind::Payment(payment) = &event.kind else {
        panic!("a payment event: {event:?}");
    };
    assert_eq!(payment.provider_payment_id, pay_id);
    assert_eq!(payment.status, paykit_core::PaymentStatus::Captured);

    // --url and --base-url given explicitly (no environment at all).
    let other = merchant.url("/other");
    let run = paykit(
        &[
            "sim",
            "trigger",
            "--provider",
            "maib",
            "--payment",
            &pay_id,
            "--url",
            &other,
            "--base-url",
            &base,
        ],
        &[],
    )
    .await;
    run.expect_code(0);
    assert_eq!(record(&run)["url"], other.as_str());
    assert_eq!(merchant.next().await.path, "/other");

    let unknown = paykit(
        &[
            "sim",
            "trigger",
            "--provider",
            "maib",
            "--payment",
            "no-such-pay",
        ],
        &borrowed(&env),
    )
    .await;
    unknown.expect_code(1);
    assert!(unknown.stderr.contains("has no payment"), "{unknown}");
    let mini_app = paykit(
        &[
            "sim",
            "trigger",
            "--provider",
            "maya",
            "--payment",
            "x",
            "--base-url",
            &sim.get("maya", "base_url"),
        ],
        &[],
    )
    .await;
    mini_app.expect_code(1);
    assert!(
        mini_app.stderr.contains("maya sends no callbacks"),
        "{mini_app}"
    );
    let nowhere = paykit(
        &["sim", "trigger", "--provider", "maib", "--payment", &pay_id],
        &[],
    )
    .await;
    nowhere.expect_code(2);
    assert!(nowhere.stderr.contains("PAYKIT_MAIB_BASE_URL"), "{nowhere}");
}

#[tokio::test]
async fn trigger_resends_a_payments_api_callback_with_a_verifiable_signature() {
    let sim = Served::start();
    let mut merchant = Merchant::start().await;
    let env = [
        (
            "PAYKIT_BOG_PAYMENTS_CLIENT_ID",
            sim.get("bog-payments", "client_id"),
        ),
        (
            "PAYKIT_BOG_PAYMENTS_CLIENT_SECRET",
            sim.get("bog-payments", "client_secret"),
        ),
    ];
    let base = sim.get("bog-payments", "base_url");
    let pay = paykit(
        &[
            "pay",
            "--provider",
            "bog-payments",
            "--base-url",
            &base,
            "--amount",
            "30.00",
            // The client takes https only; the trigger's --url brings it to this merchant.
            "--callback-url",
            "https://shop.example.ge/bog/callback",
        ],
        &borrowed(&env),
    )
    .await;
    pay.expect_code(0);
    let outcome = pay.json();
    let id = outcome["provider_payment_id"].as_str().unwrap().to_owned();
    open_page(&page_url(&outcome)).await;

    // The API base (…/payments/v1) works as well as the bare listener.
    let api_base = sim.get("bog-payments", "api_base");
    let run = trigger_payments_api(&id, &api_base, &merchant.url("/bog/cb")).await;
    run.expect_code(0);
    let printed = record(&run);
    let again = merchant.next().await;
    assert_eq!(again.path, "/bog/cb");
    let signature = again.header("callback-signature").unwrap().to_owned();
    assert_eq!(
        printed["headers"],
        json!([{ "name": "Callback-Signature", "value": signature }])
    );
    assert_eq!(printed["body"], again.text().as_str());
    let pem = sim.get("bog-payments", "callback_public_key_pem");
    let spki: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let keys = [RsaPublicKey::from_spki_base64(&spki).unwrap()];
    paykit_bog_payments::verify_signature(&again.body, Some(&signature), &keys).unwrap();
    let mut tampered = again.body.to_vec();
    tampered.push(b' ');
    assert!(paykit_bog_payments::verify_signature(&tampered, Some(&signature), &keys).is_err());
    let event = paykit_bog_payments::parse_callback(&again.body).unwrap();
    assert_eq!(event.event, "order_payment");
    let body: Value = serde_json::from_slice(&again.body).unwrap();
    assert_eq!(body["body"]["order_id"], id.as_str());
    assert_eq!(body["body"]["order_status"]["key"], "completed");

    // A merchant that refuses: the record is printed, the exit code says it.
    let refusing = Merchant::start_with(|_| (503, "text/plain", b"down".to_vec())).await;
    let run = trigger_payments_api(&id, &base, &refusing.url("/bog/cb")).await;
    run.expect_code(1);
    assert_eq!(
        record(&run)["outcome"],
        json!({ "state": "delivered", "status": 503 })
    );
    assert!(run.stderr.contains("answered HTTP 503"), "{run}");
}
