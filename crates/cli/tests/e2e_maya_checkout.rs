//! End to end: `paykit pay | status | refund | webhook verify --provider maya-checkout`, each a
//! process of its own, against Maya's payment gateway in the simulator. The customer step is a
//! plain GET of the hosted Checkout page; the v1-signed webhook is the one the simulator sent
//! (its record: the exact bytes and both headers), checked by the binary against the announced
//! key. An unknown outcome is made by a proxy that lets the void through and answers 503
//! instead of the simulator's answer.
//!
//! The binary reads the system clock; the simulator's moves forward with `advance`. After
//! advancing a day the simulator refunds (and refuses voids) while the binary's calendar still
//! says "the payment's day", so the refund after the advance is chosen explicitly
//! (`--reversal refund`), as a merchant whose clock disagrees with Maya's would.

// The setup helpers below are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::paykit::{Run, borrowed, page_url, paykit, paykit_with_stdin};
use common::{Merchant, Proxy, http_client, open_page};
use paykit_sim::{LedgerProvider, OpKind, Simulator};

const DAY_MS: u64 = 24 * 3600 * 1000;
const MANILA_OFFSET_MS: u64 = 8 * 3600 * 1000;

/// A simulator whose PAYMENT_SUCCESS webhooks go to `merchant`.
async fn sim(merchant: &Merchant) -> Simulator {
    let sim = paykit_sim::start(paykit_sim::SimConfig::default())
        .await
        .unwrap();
    let info = sim.maya_checkout();
    let registered = http_client()
        .post(format!("{}/checkout/v1/webhooks", info.base_url))
        .basic_auth(&info.secret_key, Some(""))
        .json(&serde_json::json!({
            "name": "PAYMENT_SUCCESS",
            "callbackUrl": format!("{}/maya/webhook", merchant.base),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status().as_u16(), 200);
    sim
}

/// The keys `paykit` reads for the simulator's gateway.
fn credentials(sim: &Simulator) -> Vec<(&'static str, String)> {
    let info = sim.maya_checkout();
    vec![
        ("PAYKIT_MAYA_CHECKOUT_PUBLIC_KEY", info.public_key.clone()),
        ("PAYKIT_MAYA_CHECKOUT_SECRET_KEY", info.secret_key.clone()),
    ]
}

/// `paykit args… --provider maya-checkout --base-url base` with the simulator's keys; neither
/// key is ever printed.
async fn run(sim: &Simulator, base: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--provider", "maya-checkout", "--base-url", base]);
    let envs = credentials(sim);
    let run = paykit(&all, &borrowed(&envs)).await;
    let info = sim.maya_checkout();
    for key in [&info.secret_key, &info.public_key] {
        assert!(!run.everything().contains(key.as_str()), "{run}");
    }
    run
}

/// Pays `amount` on the hosted page: the `pay` output.
async fn paid_checkout(sim: &Simulator, amount: &str, reference: &str) -> serde_json::Value {
    let base = sim.maya_checkout().base_url.clone();
    let pay = run(
        sim,
        &base,
        &[
            "pay",
            "--amount",
            amount,
            "--order-id",
            reference,
            "--return-url",
            "https://shop.example.ph/return",
        ],
    )
    .await;
    pay.expect_code(0);
    let outcome = pay.json();
    let (status, html) = open_page(&page_url(&outcome)).await;
    assert_eq!(status, 200, "{html}");
    outcome
}

/// The webhook the simulator signed about `reference`: its headers and body.
async fn signed_webhook(sim: &Simulator, reference: &str) -> (Vec<(String, String)>, String) {
    let needle = format!("\"requestReferenceNumber\":\"{reference}\"");
    for _ in 0..500 {
        let found = sim
            .callbacks()
            .into_iter()
            .find(|record| record.provider == "maya-checkout" && record.body.contains(&needle));
        if let Some(record) = found {
            return (record.headers, record.body);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no webhook for {reference}: {:?}", sim.callbacks());
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

/// The simulator's announced webhook key, in a file as `--public-key-file` reads it.
fn announced_key_file(sim: &Simulator, test: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "paykit-cli-mayac-{test}-{}.pem",
        std::process::id()
    ));
    std::fs::write(&path, &sim.maya_checkout().webhook_public_key_pem).unwrap();
    path
}

/// `paykit webhook verify --provider maya-checkout …` with `body` on stdin.
async fn verify(args: Vec<String>, body: String) -> Run {
    let mut all: Vec<String> = ["webhook", "verify", "--provider", "maya-checkout"]
        .map(str::to_owned)
        .to_vec();
    all.extend(args);
    paykit_with_stdin(all, body).await
}

fn ops(sim: &Simulator, id: &str, kind: OpKind) -> usize {
    sim.ledger()
        .payment(LedgerProvider::MayaCheckout, id)
        .map_or(0, |payment| payment.count(kind))
}

/// Moves the simulator to 01:00 Manila of the next day.
fn next_manila_day(sim: &Simulator) {
    let now = sim.now_unix_ms();
    let next_midnight = ((now + MANILA_OFFSET_MS) / DAY_MS + 1) * DAY_MS - MANILA_OFFSET_MS;
    sim.advance(Duration::from_millis(next_midnight - now + 3600 * 1000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_webhook_status_and_a_refund_the_next_day_through_the_binary() {
    let merchant = Merchant::start().await;
    let sim = sim(&merchant).await;
    let base = sim.maya_checkout().base_url.clone();
    let created = paid_checkout(&sim, "1500.00", "MC-3001").await;
    assert_eq!(created["status"], "requires_action", "{created}");
    assert_eq!(created["amount"]["value"], "1500.00");
    assert_eq!(created["amount"]["currency"], "PHP");
    assert_eq!(created["order_id"], "MC-3001");
    let checkout_id = created["provider_payment_id"].as_str().unwrap().to_owned();

    // The webhook, checked by the binary against the announced key.
    let (headers, body) = signed_webhook(&sim, "MC-3001").await;
    let signature = format!(
        "X-Maya-Webhook-Signature: {}",
        header(&headers, "X-Maya-Webhook-Signature")
    );
    let timestamp_text = header(&headers, "X-Maya-Webhook-Timestamp").to_owned();
    let timestamp = format!("X-Maya-Webhook-Timestamp: {timestamp_text}");
    let key_file = announced_key_file(&sim, "verify");
    let key_arg = key_file.to_string_lossy().into_owned();
    let args = |extra: &[&str]| {
        let mut args = vec![
            "--public-key-file".to_owned(),
            key_arg.clone(),
            "--header".to_owned(),
            signature.clone(),
            "--header".to_owned(),
            timestamp.clone(),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    };
    let verified = verify(args(&[]), body.clone()).await;
    verified.expect_code(0);
    let event = verified.json();
    assert_eq!(event["provider"], "maya-checkout");
    assert_eq!(event["authenticity"], "signed");
    assert_eq!(event["payment"]["status"], "captured", "{event}");
    assert_eq!(event["payment"]["amount"]["value"], "1500.00", "{event}");
    let payment_id = event["payment"]["provider_payment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // One changed byte, a missing timestamp, Maya's own sandbox keys, or a clock 6 minutes
    // later: refused. A minute later is inside the window.
    verify(args(&[]), body.replacen("1500", "1501", 1))
        .await
        .expect_code(1);
    verify(
        vec![
            "--public-key-file".into(),
            key_arg.clone(),
            "--header".into(),
            signature.clone(),
        ],
        body.clone(),
    )
    .await
    .expect_code(1);
    verify(
        vec![
            "--sandbox".into(),
            "--header".into(),
            signature.clone(),
            "--header".into(),
            timestamp.clone(),
        ],
        body.clone(),
    )
    .await
    .expect_code(1);
    let sent_ms: u64 = timestamp_text.parse().unwrap();
    let later = |ms: u64| (sent_ms + ms).to_string();
    verify(args(&["--now-ms", &later(6 * 60_000)]), body.clone())
        .await
        .expect_code(1);
    verify(args(&["--now-ms", &later(60_000)]), body.clone())
        .await
        .expect_code(0);
    std::fs::remove_file(&key_file).unwrap();

    // The status by the checkout id and by the payment id.
    let by_checkout = run(&sim, &base, &["status", "--id", &checkout_id]).await;
    by_checkout.expect_code(0);
    assert_eq!(by_checkout.json()["status"], "captured", "{by_checkout}");
    let by_payment = run(&sim, &base, &["status", "--id", &payment_id]).await;
    by_payment.expect_code(0);
    assert_eq!(by_payment.json()["status"], "captured", "{by_payment}");

    // Part of it on the payment's day: by the calendar only a whole void exists, so the
    // binary refuses before sending anything.
    let same_day = run(
        &sim,
        &base,
        &["refund", "--id", &payment_id, "--amount", "500.00"],
    )
    .await;
    same_day.expect_code(1);
    assert!(same_day.stderr.contains("payment's day"), "{same_day}");
    assert_eq!(ops(&sim, &payment_id, OpKind::Refund), 0);
    assert_eq!(ops(&sim, &payment_id, OpKind::Void), 0);

    // The next Manila day (by the simulator): a partial refund.
    next_manila_day(&sim);
    let refund = run(
        &sim,
        &base,
        &[
            "refund",
            "--id",
            &payment_id,
            "--amount",
            "500.00",
            "--reversal",
            "refund",
        ],
    )
    .await;
    refund.expect_code(0);
    let refunded = refund.json();
    assert_eq!(refunded["status"], "partially_refunded", "{refunded}");
    assert_eq!(ops(&sim, &payment_id, OpKind::Refund), 1);
    // More than is left: refused from the refunds already made, nothing sent.
    let too_much = run(
        &sim,
        &base,
        &[
            "refund",
            "--id",
            &payment_id,
            "--amount",
            "1000.01",
            "--reversal",
            "refund",
        ],
    )
    .await;
    too_much.expect_code(1);
    assert!(too_much.stderr.contains("only 1000"), "{too_much}");
    assert_eq!(ops(&sim, &payment_id, OpKind::Refund), 1);
    let after = run(&sim, &base, &["status", "--id", &payment_id]).await;
    after.expect_code(0);
    let after = after.json();
    assert_eq!(after["status"], "partially_refunded", "{after}");
    assert_eq!(after["refunded"]["value"], "500.00", "{after}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_void_answer_exits_3_with_the_ids_and_is_never_resent() {
    let merchant = Merchant::start().await;
    let sim = sim(&merchant).await;
    let base = sim.maya_checkout().base_url.clone();
    paid_checkout(&sim, "320.00", "MC-3002").await;
    let (_, body) = signed_webhook(&sim, "MC-3002").await;
    let payment: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = payment["id"].as_str().unwrap().to_owned();
    let voids = format!("/payments/v1/payments/{id}/voids");
    let rewritten = voids.clone();
    let proxy = Proxy::with_rewrite(&base, move |exchange| {
        (exchange.method == "POST" && exchange.path == rewritten).then_some(503)
    })
    .await;

    // The whole amount on the payment's day: a void, by the calendar.
    let lost = run(&sim, &proxy.base, &["refund", "--id", &id]).await;
    lost.expect_code(3);
    assert!(
        lost.stderr.contains(&id),
        "the payment id to reconcile: {lost}"
    );
    assert!(lost.stderr.contains("check the payment"), "{lost}");
    assert_eq!(
        proxy.calls("POST", &voids).len(),
        1,
        "a void is never sent twice"
    );
    assert_eq!(ops(&sim, &id, OpKind::Void), 1, "the simulator did void");
    let status = run(&sim, &base, &["status", "--id", &id]).await;
    status.expect_code(0);
    assert_eq!(status.json()["status"], "cancelled", "{status}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2_and_refusals_before_io_send_nothing() {
    let merchant = Merchant::start().await;
    let sim = sim(&merchant).await;
    let proxy = Proxy::start(&sim.maya_checkout().base_url).await;
    // No keys at all.
    let no_keys = paykit(
        &[
            "status",
            "--provider",
            "maya-checkout",
            "--base-url",
            &proxy.base,
            "--id",
            "x",
        ],
        &[],
    )
    .await;
    no_keys.expect_code(2);
    assert!(
        no_keys.stderr.contains("PAYKIT_MAYA_CHECKOUT_PUBLIC_KEY"),
        "{no_keys}"
    );
    // A key of the wrong kind is a configuration error, not Maya's K004.
    let swapped = paykit(
        &[
            "status",
            "--provider",
            "maya-checkout",
            "--base-url",
            &proxy.base,
            "--id",
            "x",
        ],
        &[("PAYKIT_MAYA_CHECKOUT_SECRET_KEY", "pk-not-a-secret-key")],
    )
    .await;
    swapped.expect_code(2);
    // The reference is required (Maya's requestReferenceNumber), and so is the return URL.
    let no_reference = run(
        &sim,
        &proxy.base,
        &[
            "pay",
            "--amount",
            "10.00",
            "--return-url",
            "https://shop.example.ph/r",
        ],
    )
    .await;
    no_reference.expect_code(1);
    assert!(no_reference.stderr.contains("order_id"), "{no_reference}");
    let no_return = run(
        &sim,
        &proxy.base,
        &["pay", "--amount", "10.00", "--order-id", "MC-1"],
    )
    .await;
    no_return.expect_code(1);
    assert!(no_return.stderr.contains("return_url"), "{no_return}");
    let usd = run(
        &sim,
        &proxy.base,
        &[
            "pay",
            "--amount",
            "10.00",
            "--currency",
            "USD",
            "--order-id",
            "MC-1",
            "--return-url",
            "https://shop.example.ph/r",
        ],
    )
    .await;
    usd.expect_code(1);
    let key = run(
        &sim,
        &proxy.base,
        &[
            "refund",
            "--id",
            "x",
            "--idempotency-key",
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f",
        ],
    )
    .await;
    key.expect_code(2);
    assert!(
        key.stderr.contains("--idempotency-key is for bog-payments"),
        "{key}"
    );
    assert!(proxy.exchanges().is_empty(), "{:?}", proxy.exchanges());
    // --reversal is Maya's gateway's alone.
    let maib = paykit(
        &[
            "refund",
            "--provider",
            "maib",
            "--id",
            "x",
            "--reversal",
            "void",
        ],
        &[],
    )
    .await;
    maib.expect_code(2);
    assert!(
        maib.stderr.contains("--reversal is for maya-checkout"),
        "{maib}"
    );
    sim.shutdown().await;
}
