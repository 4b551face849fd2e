//! `paykit reconcile`: payments created by `paykit pay` in other processes, swept from real
//! Redis and PostgreSQL records against the simulator; the JSON report, the exit codes and
//! `--watch`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers outside #[test] functions.

mod common;

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::Duration;

use common::open_page;
use common::paykit::{Run, bog_env, borrowed, maib_env, page_url, paykit, prefix, spawn};
use paykit_core::{PaymentRecords, ProviderId};
use paykit_redis::{RedisConfig, RedisStores};
use paykit_sim::{SimConfig, Simulator};
use paykit_testkit::servers::{PostgresServer, RedisServer};
use serde_json::Value;

/// A base URL where nothing listens.
const NOBODY: &str = "http://127.0.0.1:1";

/// Where the records are, as the options of every command.
struct Records {
    options: Vec<String>,
}

impl Records {
    fn redis(prefix: &str) -> Records {
        Records {
            options: vec![
                "--records".into(),
                RedisServer::shared().url(),
                "--records-prefix".into(),
                prefix.into(),
            ],
        }
    }

    fn url(url: String) -> Records {
        Records {
            options: vec!["--records".into(), url],
        }
    }

    fn with<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = args.to_vec();
        all.extend(self.options.iter().map(String::as_str));
        all
    }
}

/// `paykit pay` of maib `amount` with `records`; with `customer_pays`, the customer then
/// opens the page (and pays). Returns the payment id.
async fn maib_payment(
    sim: &Simulator,
    records: &Records,
    amount: &str,
    hold: bool,
    customer_pays: bool,
) -> String {
    let base = sim.maib().base_url.clone();
    let credentials = maib_env(sim);
    let mut args = vec![
        "pay",
        "--provider",
        "maib",
        "--base-url",
        &base,
        "--amount",
        amount,
        "--client-ip",
        "127.0.0.1",
    ];
    if hold {
        args.push("--manual-capture");
    }
    let created = paykit(&records.with(&args), &borrowed(&credentials)).await;
    created.expect_code(0);
    let outcome = created.json();
    if customer_pays {
        let (status, html) = open_page(&page_url(&outcome)).await;
        assert_eq!(status, 200, "{html}");
    }
    outcome["provider_payment_id"].as_str().unwrap().to_owned()
}

/// `paykit reconcile` with `records`, `args` and the environment `env`; exit 0 and its report.
async fn reconcile(records: &Records, args: &[&str], env: &[(&str, &str)]) -> (Value, Run) {
    let mut all = vec!["reconcile"];
    all.extend_from_slice(args);
    let run = paykit(&records.with(&all), env).await;
    run.expect_code(0);
    (run.json(), run)
}

/// The `changed` entry of payment `id`.
fn change_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["ids"]["provider_payment_id"] == id)
        .unwrap_or_else(|| panic!("{id} not changed in {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_on_redis_settles_paid_payments_and_sweeps_fewer_next_time() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let base = sim.maib().base_url.clone();
    let records = Records::redis(&prefix("lifecycle"));
    let direct = maib_payment(&sim, &records, "10.00", false, true).await;
    let hold = maib_payment(&sim, &records, "25.00", true, true).await;
    let abandoned = maib_payment(&sim, &records, "5.00", false, false).await;
    let maib = maib_env(&sim);
    let maib = borrowed(&maib);

    // Fresh records are left alone by default: a customer may still be on the page.
    let (fresh, _) = reconcile(
        &records,
        &["--provider", "maib", "--base-url", &base],
        &maib,
    )
    .await;
    assert_eq!(fresh["examined"], 0, "{fresh}");

    // Records of a provider not configured here are counted and left as they are.
    let bog = bog_env(&sim);
    let (other, _) = reconcile(
        &records,
        &[
            "--provider",
            "bog",
            "--base-url",
            NOBODY,
            "--older-than",
            "0",
        ],
        &borrowed(&bog),
    )
    .await;
    assert_eq!(other["examined"], 3, "{other}");
    assert_eq!(other["no_provider"], 3, "{other}");
    assert_eq!(other["changed"], Value::Array(vec![]), "{other}");

    // maib unreachable: every payment is listed as failed, with why, and the sweep still ran.
    let (down, _) = reconcile(
        &records,
        &[
            "--provider",
            "maib",
            "--base-url",
            NOBODY,
            "--older-than",
            "0",
        ],
        &maib,
    )
    .await;
    let failed = down["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 3, "{down}");
    for failure in failed {
        let id = failure["ids"]["provider_payment_id"].as_str().unwrap();
        assert!(
            [&direct, &hold, &abandoned].contains(&&id.to_owned()),
            "{down}"
        );
        assert!(failure["error"]["kind"].is_string(), "{down}");
        assert_eq!(failure["ids"]["payment_hash"], false, "{down}");
    }
    assert_eq!(down["changed"], Value::Array(vec![]), "{down}");

    // --batch bounds one sweep.
    let (one, _) = reconcile(
        &records,
        &[
            "--provider",
            "maib",
            "--base-url",
            NOBODY,
            "--older-than",
            "0",
            "--batch",
            "1",
        ],
        &maib,
    )
    .await;
    assert_eq!(one["examined"], 1, "{one}");

    // The sweep: no --provider (only maib's credentials are set) and the base URL from the
    // environment.
    let mut env = maib.clone();
    env.push(("PAYKIT_MAIB_BASE_URL", &base));
    let (first, run) = reconcile(&records, &["--older-than", "0"], &env).await;
    assert!(run.stderr.contains("not asking bog"), "{run}");
    assert_eq!(first["examined"], 3, "{first}");
    assert_eq!(first["failed"], Value::Array(vec![]), "{first}");
    let captured = change_of(&first, &direct);
    assert_eq!(captured["provider"], "maib");
    assert_eq!(captured["from"], "requires_action");
    assert_eq!(captured["to"], "captured");
    let held = change_of(&first, &hold);
    assert_eq!(held["to"], "authorized", "{first}");
    assert_eq!(first["changed"].as_array().unwrap().len(), 2, "{first}");
    // The captured payment is settled; the hold (to be captured) and the abandoned page stay
    // open.
    assert_eq!(first["settled"], 1, "{first}");
    assert_eq!(first["still_open"], 2, "{first}");
    assert_eq!(first["no_provider"], 0, "{first}");

    // The settled payment is gone from the next sweep; nothing new is learned.
    let (second, _) = reconcile(
        &records,
        &[
            "--provider",
            "maib",
            "--base-url",
            &base,
            "--older-than",
            "0",
        ],
        &maib,
    )
    .await;
    assert_eq!(second["examined"], 2, "{second}");
    assert_eq!(second["changed"], Value::Array(vec![]), "{second}");
    assert_eq!(second["still_open"], 2, "{second}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_on_postgres_captures_a_paid_payment_then_has_nothing_to_do() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let base = sim.maib().base_url.clone();
    let url = PostgresServer::shared().create_database("cli_reconcile");
    let records = Records::url(url);
    let paid = maib_payment(&sim, &records, "12.50", false, true).await;
    let maib = maib_env(&sim);
    let args = [
        "--provider",
        "maib",
        "--base-url",
        &base,
        "--older-than",
        "0",
    ];

    let (first, _) = reconcile(&records, &args, &borrowed(&maib)).await;
    assert_eq!(first["examined"], 1, "{first}");
    let change = change_of(&first, &paid);
    assert_eq!(change["from"], "requires_action");
    assert_eq!(change["to"], "captured");
    assert_eq!(first["settled"], 1, "{first}");

    let (second, _) = reconcile(&records, &args, &borrowed(&maib)).await;
    assert_eq!(second["examined"], 0, "{second}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ipay_payment_hash_is_never_printed() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let prefix = prefix("hash");
    let records = Records::redis(&prefix);
    let base = sim.bog().base_url.clone();
    let bog = bog_env(&sim);
    let bog = borrowed(&bog);
    let created = paykit(
        &records.with(&[
            "pay",
            "--provider",
            "bog",
            "--base-url",
            &base,
            "--amount",
            "4.00",
            "--return-url",
            "https://shop.example/back",
        ]),
        &bog,
    )
    .await;
    created.expect_code(0);
    let id = created.json()["provider_payment_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The hash the record holds (iPay's proof of a genuine callback).
    let stores = RedisStores::connect(
        &RedisServer::shared().url(),
        RedisConfig::default().key_prefix(prefix.clone()),
    )
    .await
    .unwrap();
    let record = stores
        .records()
        .get(ProviderId("bog"), &id)
        .await
        .unwrap()
        .expect("pay recorded the order");
    let hash = record
        .ids
        .payment_hash_secret()
        .expect("a payment hash")
        .to_owned();
    assert!(!hash.is_empty());

    // A failure lists the payment's ids: the hash only as known.
    let (down, run) = reconcile(
        &records,
        &[
            "--provider",
            "bog",
            "--base-url",
            NOBODY,
            "--older-than",
            "0",
        ],
        &bog,
    )
    .await;
    assert_eq!(
        down["failed"][0]["ids"]["provider_payment_id"],
        id.as_str(),
        "{down}"
    );
    assert_eq!(down["failed"][0]["ids"]["payment_hash"], true, "{down}");
    assert!(!run.everything().contains(&hash), "{run}");
    assert!(!created.everything().contains(&hash), "{created}");
}

/// One invocation of `reconcile` and what it must answer.
struct Case<'a> {
    records: &'a Records,
    args: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
    code: i32,
    says: &'a str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_exits_1_when_the_records_cannot_be_read_and_2_on_usage_errors() {
    let maib = [
        ("PAYKIT_MAIB_PROJECT_ID", "project"),
        ("PAYKIT_MAIB_PROJECT_SECRET", "secret"),
    ];
    let reachable = Records::redis(&prefix("usage"));
    let unreachable = Records::url("redis://127.0.0.1:1/".into());
    let case = |records, args, env, code, says| Case {
        records,
        args,
        env,
        code,
        says,
    };
    let cases = [
        case(
            &unreachable,
            &["--provider", "maib"],
            &maib,
            1,
            "cannot use --records",
        ),
        case(
            &reachable,
            &[
                "--provider",
                "maib",
                "--provider",
                "bog",
                "--base-url",
                NOBODY,
            ],
            &maib,
            2,
            "exactly one --provider",
        ),
        case(
            &reachable,
            &["--base-url", NOBODY],
            &maib,
            2,
            "exactly one --provider",
        ),
        // A named provider must be configured, as for `status`.
        case(
            &reachable,
            &["--provider", "bog"],
            &maib,
            2,
            "PAYKIT_BOG_CLIENT_ID",
        ),
        case(&reachable, &[], &[], 2, "no provider is configured"),
        case(&reachable, &["--watch", "0"], &maib, 2, "--watch"),
    ];
    for Case {
        records,
        args,
        env,
        code,
        says,
    } in cases
    {
        let mut all = vec!["reconcile"];
        all.extend_from_slice(args);
        let run = paykit(&records.with(&all), env).await;
        run.expect_code(code);
        assert!(run.stderr.contains(says), "{args:?}: {run}");
    }
    // --records is required (clap's usage error names it).
    let missing = paykit(&["reconcile", "--provider", "maib"], &maib).await;
    missing.expect_code(2);
    assert!(missing.stderr.contains("--records"), "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_one_json_line_per_sweep() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let base = sim.maib().base_url.clone();
    let records = Records::redis(&prefix("watch"));
    let paid = maib_payment(&sim, &records, "2.00", false, true).await;
    let maib = maib_env(&sim);
    let args = records.with(&[
        "reconcile",
        "--provider",
        "maib",
        "--base-url",
        &base,
        "--older-than",
        "0",
        "--watch",
        "1",
    ]);
    let mut child = spawn(&args, &borrowed(&maib));
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let next = || {
        let line = received
            .recv_timeout(Duration::from_secs(15))
            .expect("a sweep within the wait")
            .unwrap();
        serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let first = next();
    let second = next();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(first["examined"], 1, "{first}");
    assert_eq!(change_of(&first, &paid)["to"], "captured");
    assert_eq!(second["examined"], 0, "{second}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_settles_a_bog_payments_order_paid_after_pay_exited() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let base = sim.bog_payments().base_url.clone();
    let records = Records::redis(&prefix("bogp"));
    let info = sim.bog_payments();
    let env = [
        ("PAYKIT_BOG_PAYMENTS_CLIENT_ID", info.client_id.as_str()),
        (
            "PAYKIT_BOG_PAYMENTS_CLIENT_SECRET",
            info.client_secret.as_str(),
        ),
    ];
    let pay = paykit(
        &records.with(&[
            "pay",
            "--provider",
            "bog-payments",
            "--base-url",
            &base,
            "--amount",
            "18.40",
            "--callback-url",
            "https://shop.example.ge/bog/callback",
        ]),
        &env,
    )
    .await;
    pay.expect_code(0);
    let outcome = pay.json();
    let id = outcome["provider_payment_id"].as_str().unwrap().to_owned();
    let (status, _) = open_page(&page_url(&outcome)).await;
    assert_eq!(status, 200);

    let args = [
        "--provider",
        "bog-payments",
        "--base-url",
        &base,
        "--older-than",
        "0",
    ];
    let (first, run) = reconcile(&records, &args, &env).await;
    assert_eq!(first["examined"], 1, "{first}");
    let change = change_of(&first, &id);
    assert_eq!(change["provider"], "bog-payments", "{first}");
    assert_eq!(change["to"], "captured", "{first}");
    assert_eq!(first["settled"], 1, "{first}");
    assert!(!run.everything().contains(&info.client_secret), "{run}");
    let (second, _) = reconcile(&records, &args, &env).await;
    assert_eq!(second["examined"], 0, "{second}");
}
