//! End to end: `paykit pay | status | refund | webhook verify --provider bog-payments`, each a
//! process of its own, against the Bank of Georgia Payments API in the simulator. The
//! customer step is a plain GET of the redirect page; the signed callback is the one the
//! simulator sent (its record: the exact bytes and `Callback-Signature`), checked by the
//! binary against the announced key. An unknown outcome is made by a proxy that lets the
//! refund through and answers 503 instead of the simulator's acknowledgement.

// The setup helpers below are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::paykit::{Run, borrowed, page_url, paykit, paykit_with_stdin};
use common::{Proxy, open_page};
use paykit_sim::{LedgerProvider, OpKind, SimConfig, Simulator};

const REFUND_PATH: &str = "/payments/v1/payment/refund/";

async fn sim() -> Simulator {
    let mut config = SimConfig::default();
    config.bog_payments = config.bog_payments.with_callback_resend_delays(Vec::new());
    paykit_sim::start(config).await.unwrap()
}

/// The credentials `paykit` reads for the simulator's Payments API.
fn credentials(sim: &Simulator) -> Vec<(&'static str, String)> {
    let info = sim.bog_payments();
    vec![
        ("PAYKIT_BOG_PAYMENTS_CLIENT_ID", info.client_id.clone()),
        (
            "PAYKIT_BOG_PAYMENTS_CLIENT_SECRET",
            info.client_secret.clone(),
        ),
    ]
}

/// `paykit args… --base-url base` with the simulator's credentials.
async fn run(sim: &Simulator, base: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--provider", "bog-payments", "--base-url", base]);
    let envs = credentials(sim);
    let run = paykit(&all, &borrowed(&envs)).await;
    let secret = &sim.bog_payments().client_secret;
    assert!(!run.everything().contains(secret.as_str()), "{run}");
    run
}

/// Pays `amount` and opens the page: the order's id and the `pay` output.
async fn paid_order(sim: &Simulator, amount: &str, order_id: &str) -> (String, serde_json::Value) {
    let base = sim.bog_payments().base_url.clone();
    let pay = run(
        sim,
        &base,
        &[
            "pay",
            "--amount",
            amount,
            "--order-id",
            order_id,
            "--callback-url",
            "https://shop.example.ge/bog/callback",
            "--return-url",
            "https://shop.example.ge/paid",
        ],
    )
    .await;
    pay.expect_code(0);
    let outcome = pay.json();
    let (status, html) = open_page(&page_url(&outcome)).await;
    assert_eq!(status, 200, "{html}");
    let id = outcome["provider_payment_id"].as_str().unwrap().to_owned();
    (id, outcome)
}

/// The callback the simulator signed for order `id` in `state`: its signature header and body.
async fn signed_callback(sim: &Simulator, id: &str, state: &str) -> (String, String) {
    let order = format!("\"order_id\":\"{id}\"");
    let key = format!("\"key\":\"{state}\"");
    for _ in 0..500 {
        let found = sim.callbacks().into_iter().find(|record| {
            record.provider == "bog-payments"
                && record.body.contains(&order)
                && record.body.contains(&key)
        });
        if let Some(record) = found {
            let signature = record
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("callback-signature"))
                .map(|(_, value)| value.clone())
                .expect("a Callback-Signature header");
            return (signature, record.body);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no {state} callback for {id}: {:?}", sim.callbacks());
}

/// The simulator's announced callback key, in a file as `--public-key-file` reads it.
fn announced_key_file(sim: &Simulator, test: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("paykit-cli-bogp-{test}-{}.pem", std::process::id()));
    std::fs::write(&path, &sim.bog_payments().callback_public_key_pem).unwrap();
    path
}

/// `paykit webhook verify --provider bog-payments …` with `body` on stdin.
async fn verify(args: Vec<String>, body: String) -> Run {
    let mut all: Vec<String> = ["webhook", "verify", "--provider", "bog-payments"]
        .map(str::to_owned)
        .to_vec();
    all.extend(args);
    paykit_with_stdin(all, body).await
}

fn refunds(sim: &Simulator, id: &str) -> usize {
    sim.ledger()
        .payment(LedgerProvider::BogPayments, id)
        .map_or(0, |payment| payment.count(OpKind::Refund))
}

fn is_uuid_v4(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && groups[2].starts_with('4')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_callback_status_and_a_partial_refund_through_the_binary() {
    let sim = sim().await;
    let base = sim.bog_payments().base_url.clone();
    let (id, created) = paid_order(&sim, "30.00", "A-2001").await;
    assert_eq!(created["status"], "requires_action", "{created}");
    assert_eq!(created["amount"]["value"], "30.00");
    assert_eq!(created["order_id"], "A-2001");
    let key = created["idempotency_key"].as_str().unwrap();
    assert!(is_uuid_v4(key), "{created}");

    // The callback, checked by the binary against the announced key.
    let (signature, body) = signed_callback(&sim, &id, "completed").await;
    let key_file = announced_key_file(&sim, "verify");
    let key_arg = key_file.to_string_lossy().into_owned();
    let header = format!("Callback-Signature: {signature}");
    let args = |header: &str| {
        vec![
            "--public-key-file".to_owned(),
            key_arg.clone(),
            "--header".to_owned(),
            header.to_owned(),
        ]
    };
    let verified = verify(args(&header), body.clone()).await;
    verified.expect_code(0);
    let event = verified.json();
    assert_eq!(event["provider"], "bog-payments");
    assert_eq!(event["authenticity"], "signed");
    assert_eq!(event["payment"]["provider_payment_id"], id.as_str());
    assert_eq!(event["payment"]["status"], "captured");
    // One changed byte, a missing header, or BOG's own key instead of the simulator's: refused.
    let tampered = body.replacen("30", "31", 1);
    verify(args(&header), tampered).await.expect_code(1);
    verify(
        vec!["--public-key-file".into(), key_arg.clone()],
        body.clone(),
    )
    .await
    .expect_code(1);
    verify(vec!["--header".into(), header.clone()], body.clone())
        .await
        .expect_code(1);
    std::fs::remove_file(&key_file).unwrap();

    let status = run(&sim, &base, &["status", "--id", &id]).await;
    status.expect_code(0);
    assert_eq!(status.json()["status"], "captured", "{status}");
    // The same from the environment alone: the API base and the token URL as announced.
    let info = sim.bog_payments();
    let mut envs = credentials(&sim);
    envs.push(("PAYKIT_BOG_PAYMENTS_BASE_URL", info.api_base.clone()));
    envs.push(("PAYKIT_BOG_PAYMENTS_TOKEN_URL", info.token_url.clone()));
    let from_env = paykit(
        &["status", "--provider", "bog-payments", "--id", &id],
        &borrowed(&envs),
    )
    .await;
    from_env.expect_code(0);
    assert_eq!(from_env.json()["status"], "captured", "{from_env}");

    let refund = run(&sim, &base, &["refund", "--id", &id, "--amount", "10.00"]).await;
    refund.expect_code(0);
    let acknowledged = refund.json();
    assert_eq!(acknowledged["state_known"], false, "{acknowledged}");
    assert_eq!(acknowledged["raw_status"], "request_received");
    let refund_key = acknowledged["idempotency_key"].as_str().unwrap().to_owned();
    assert!(is_uuid_v4(&refund_key));
    assert_eq!(refunds(&sim, &id), 1);

    // The same refund again with its key: BOG replays the first answer, no second refund.
    let again = run(
        &sim,
        &base,
        &[
            "refund",
            "--id",
            &id,
            "--amount",
            "10.00",
            "--idempotency-key",
            &refund_key,
        ],
    )
    .await;
    again.expect_code(0);
    assert_eq!(again.json()["idempotency_key"], refund_key.as_str());
    assert_eq!(refunds(&sim, &id), 1, "the repeated key refunded twice");

    // More than is left: refused from the receipt, nothing sent.
    let too_much = run(&sim, &base, &["refund", "--id", &id, "--amount", "25.00"]).await;
    too_much.expect_code(1);
    assert!(
        too_much.stderr.contains("more than the refundable 20"),
        "{too_much}"
    );
    assert!(too_much.stderr.contains("nothing was sent"), "{too_much}");
    assert_eq!(refunds(&sim, &id), 1);

    let after = run(&sim, &base, &["status", "--id", &id]).await;
    after.expect_code(0);
    let after = after.json();
    assert_eq!(after["status"], "partially_refunded", "{after}");
    assert_eq!(after["refunded"]["value"], "10.00", "{after}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_refund_prints_its_key_and_the_same_key_settles_it_once() {
    let sim = sim().await;
    let base = sim.bog_payments().base_url.clone();
    let (id, _) = paid_order(&sim, "20.00", "A-2002").await;
    let proxy = Proxy::with_rewrite(&base, |exchange| {
        (exchange.method == "POST" && exchange.path.starts_with(REFUND_PATH)).then_some(503)
    })
    .await;

    let lost = run(&sim, &proxy.base, &["refund", "--id", &id]).await;
    lost.expect_code(3);
    let key = lost
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("paykit: idempotency key: "))
        .unwrap_or_else(|| panic!("no key printed: {lost}"))
        .trim()
        .to_owned();
    assert!(is_uuid_v4(&key), "{lost}");
    assert!(
        lost.stderr.contains(&format!("--idempotency-key {key}")),
        "{lost}"
    );
    let sent = proxy.calls("POST", &format!("{REFUND_PATH}{id}")).len();
    assert!(
        sent >= 2,
        "the refund was retried with its key, sent {sent}"
    );
    // BOG did refund (the first attempt), once, however often the key was sent.
    assert_eq!(refunds(&sim, &id), 1);

    let settled = run(
        &sim,
        &base,
        &["refund", "--id", &id, "--idempotency-key", &key],
    )
    .await;
    settled.expect_code(0);
    assert_eq!(settled.json()["idempotency_key"], key.as_str());
    assert_eq!(
        refunds(&sim, &id),
        1,
        "repeating with the key refunded again"
    );
    let status = run(&sim, &base, &["status", "--id", &id]).await;
    assert_eq!(status.json()["status"], "refunded", "{status}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2_before_anything_is_sent() {
    let sim = sim().await;
    let proxy = Proxy::start(&sim.bog_payments().base_url).await;
    let no_callback = run(&sim, &proxy.base, &["pay", "--amount", "5.00"]).await;
    no_callback.expect_code(2);
    assert!(
        no_callback.stderr.contains("--callback-url"),
        "{no_callback}"
    );
    let bad_key = run(
        &sim,
        &proxy.base,
        &[
            "refund",
            "--id",
            "0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b",
            "--idempotency-key",
            "order-123",
        ],
    )
    .await;
    bad_key.expect_code(2);
    assert!(bad_key.stderr.contains("UUID v4"), "{bad_key}");
    let not_https = run(
        &sim,
        &proxy.base,
        &[
            "pay",
            "--amount",
            "5.00",
            "--callback-url",
            "http://shop.example.ge/cb",
        ],
    )
    .await;
    not_https.expect_code(1);
    assert!(not_https.stderr.contains("callback_url"), "{not_https}");
    assert!(proxy.exchanges().is_empty(), "{:?}", proxy.exchanges());
    // Only the Payments API takes a key.
    let maib = paykit(
        &[
            "refund",
            "--provider",
            "maib",
            "--id",
            "x",
            "--idempotency-key",
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f",
        ],
        &[],
    )
    .await;
    maib.expect_code(2);
    assert!(
        maib.stderr
            .contains("--idempotency-key is for bog-payments"),
        "{maib}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_order_answer_is_repeated_with_its_key_and_gives_the_same_order() {
    let sim = sim().await;
    let base = sim.bog_payments().base_url.clone();
    let proxy = Proxy::with_rewrite(&base, |exchange| {
        (exchange.method == "POST" && exchange.path == "/payments/v1/ecommerce/orders")
            .then_some(503)
    })
    .await;
    let args = |base: &str| {
        vec![
            "pay".to_owned(),
            "--amount".to_owned(),
            "7.50".to_owned(),
            "--order-id".to_owned(),
            "A-2003".to_owned(),
            "--callback-url".to_owned(),
            "https://shop.example.ge/bog/callback".to_owned(),
            "--base-url".to_owned(),
            base.to_owned(),
        ]
    };
    // Registering a page moves no money: a lost answer is a plain failure (exit 1), and the
    // key is printed so that the same order can be asked for again.
    let lost_args = args(&proxy.base);
    let envs = credentials(&sim);
    let mut lost_all: Vec<&str> = lost_args.iter().map(String::as_str).collect();
    lost_all.extend_from_slice(&["--provider", "bog-payments"]);
    let lost = paykit(&lost_all, &borrowed(&envs)).await;
    lost.expect_code(1);
    let key = lost
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("paykit: idempotency key: "))
        .unwrap_or_else(|| panic!("no key printed: {lost}"))
        .trim()
        .to_owned();
    let registered: Vec<String> = sim
        .ledger()
        .payments()
        .filter(|p| p.count(OpKind::Register) > 0)
        .map(|p| p.payment_id.clone())
        .collect();
    assert_eq!(
        registered.len(),
        1,
        "the simulator registered the order once"
    );

    let again_args = args(&base);
    let mut again_all: Vec<&str> = again_args.iter().map(String::as_str).collect();
    again_all.extend_from_slice(&["--provider", "bog-payments", "--idempotency-key", &key]);
    let again = paykit(&again_all, &borrowed(&envs)).await;
    again.expect_code(0);
    let outcome = again.json();
    assert_eq!(
        outcome["provider_payment_id"],
        registered[0].as_str(),
        "{outcome}"
    );
    assert_eq!(outcome["idempotency_key"], key.as_str());
    let still: usize = sim
        .ledger()
        .payments()
        .filter(|p| p.count(OpKind::Register) > 0)
        .count();
    assert_eq!(still, 1, "the same key registered a second order");
    sim.shutdown().await;
}
