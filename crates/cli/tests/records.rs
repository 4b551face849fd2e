//! `--records`: `pay`, `status` and `refund` in separate processes share payment records on a
//! real Redis, so what one invocation did is known to the next; a URL paykit cannot use is a
//! usage error; and the URL's password is never printed, whatever fails.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers outside #[test] functions.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::paykit::{Run, borrowed, maib_env, page_url, paykit, prefix};
use common::{Merchant, Proxy, open_page};
use paykit_sim::SimConfig;
use paykit_testkit::servers::{PostgresServer, RedisServer};

/// A password no output may contain.
const PASSWORD: &str = "hunter2-do-not-print";

fn pay_args<'a>(base_url: &'a str, amount: &'a str) -> Vec<&'a str> {
    vec![
        "pay",
        "--provider",
        "maib",
        "--base-url",
        base_url,
        "--amount",
        amount,
        "--client-ip",
        "127.0.0.1",
    ]
}

fn assert_never_printed(run: &Run, secret: &str) {
    assert!(
        !run.everything().contains(secret),
        "{secret} printed:\n{run}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maib_hold_paid_between_two_invocations_is_authorized_with_shared_records() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let base = sim.maib().base_url.clone();
    let credentials = maib_env(&sim);
    let env = borrowed(&credentials);
    let records = RedisServer::shared().url();
    let prefix = prefix("hold");

    let mut args = pay_args(&base, "25.00");
    args.extend([
        "--manual-capture",
        "--records",
        &records,
        "--records-prefix",
        &prefix,
    ]);
    let created = paykit(&args, &env).await;
    created.expect_code(0);
    let outcome = created.json();
    assert_eq!(outcome["status"], "requires_action", "{created}");
    let id = outcome["provider_payment_id"].as_str().unwrap().to_owned();
    // The customer pays: the hold is approved.
    let (page, html) = open_page(&page_url(&outcome)).await;
    assert_eq!(page, 200, "{html}");

    // A second process, given the records through the environment this time.
    let mut shared_env = env.clone();
    shared_env.extend([
        ("PAYKIT_RECORDS_URL", records.as_str()),
        ("PAYKIT_RECORDS_PREFIX", prefix.as_str()),
    ]);
    let status = [
        "status",
        "--provider",
        "maib",
        "--base-url",
        &base,
        "--id",
        &id,
    ];
    let shared = paykit(&status, &shared_env).await;
    shared.expect_code(0);
    assert_eq!(shared.json()["status"], "authorized", "{shared}");
    assert_eq!(shared.json()["provider_payment_id"], id.as_str());

    // Without the records, maib's `OK` could be a capture or a hold: not guessed.
    let alone = paykit(&status, &env).await;
    alone.expect_code(1);
    assert!(
        alone
            .stderr
            .contains("without knowing whether it was a hold"),
        "{alone}"
    );
    // Another prefix is another shop's records on the same server: nothing known there either.
    let mut elsewhere_env = shared_env.clone();
    elsewhere_env.retain(|(name, _)| *name != "PAYKIT_RECORDS_PREFIX");
    let elsewhere = paykit(&status, &elsewhere_env).await;
    elsewhere.expect_code(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_records_url_is_a_usage_error_naming_the_option_and_nothing_is_sent() {
    // Stands in for the provider: it must hear nothing.
    let mut provider = Merchant::start().await;
    let env = [
        ("PAYKIT_MAIB_PROJECT_ID", "project"),
        ("PAYKIT_MAIB_PROJECT_SECRET", "secret"),
    ];
    let urls = [
        format!("mysql://shop:{PASSWORD}@db.internal/shop"),
        format!("shop:{PASSWORD}@db.internal/shop"),
        String::new(),
    ];
    for url in &urls {
        let commands: [Vec<&str>; 3] = [
            {
                let mut args = pay_args(&provider.base, "1.00");
                args.extend(["--records", url]);
                args
            },
            vec![
                "status",
                "--provider",
                "maib",
                "--base-url",
                &provider.base,
                "--id",
                "pay-1",
                "--records",
                url,
            ],
            vec![
                "reconcile",
                "--provider",
                "maib",
                "--base-url",
                &provider.base,
                "--records",
                url,
            ],
        ];
        for args in commands {
            let run = paykit(&args, &env).await;
            run.expect_code(2);
            assert!(run.stderr.contains("--records"), "{run}");
            assert!(run.stdout.is_empty(), "{run}");
            assert_never_printed(&run, PASSWORD);
        }
    }
    let named = paykit(
        &[
            "status",
            "--provider",
            "maib",
            "--id",
            "x",
            "--records",
            &urls[0],
        ],
        &env,
    )
    .await;
    assert!(named.stderr.contains("mysql://"), "{named}");
    assert!(provider.quiet_for(Duration::from_millis(200)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_records_password_is_never_printed_by_a_failure_or_the_help() {
    let redis_port = RedisServer::shared().port();
    let env = [
        ("PAYKIT_MAIB_PROJECT_ID", "project"),
        ("PAYKIT_MAIB_PROJECT_SECRET", "secret"),
    ];
    // Each fails before anything is sent: exit 1 (the store), the password nowhere.
    let unusable = [
        // A password the (passwordless) server refuses.
        format!("redis://:{PASSWORD}@127.0.0.1:{redis_port}/"),
        format!("redis://shop:{PASSWORD}@127.0.0.1:1/"),
        // TLS to a server that speaks none.
        format!("rediss://:{PASSWORD}@127.0.0.1:{redis_port}/"),
        format!("postgres://shop:{PASSWORD}@127.0.0.1:1/shop"),
        // A URL the engine cannot parse.
        format!("redis://:{PASSWORD}@[::1/"),
        format!("postgresql://shop:{PASSWORD}@127.0.0.1:notaport/shop"),
    ];
    for url in &unusable {
        for verbose in [false, true] {
            let mut args = vec!["status", "--provider", "maib", "--id", "pay-1"];
            args.extend(["--records", url]);
            if verbose {
                args.push("--verbose");
            }
            let run = paykit(&args, &env).await;
            run.expect_code(1);
            assert!(run.stderr.contains("cannot use --records"), "{run}");
            assert_never_printed(&run, PASSWORD);
        }
        let run = paykit(&["reconcile", "--provider", "maib", "--records", url], &env).await;
        run.expect_code(1);
        assert_never_printed(&run, PASSWORD);
    }

    // The environment's value is not shown as a default, in any help.
    let url = format!("redis://:{PASSWORD}@127.0.0.1:{redis_port}/");
    let with_url = [("PAYKIT_RECORDS_URL", url.as_str())];
    for command in [
        &["--help"][..],
        &["pay", "--help"],
        &["status", "--help"],
        &["refund", "--help"],
        &["reconcile", "--help"],
    ] {
        let help = paykit(command, &with_url).await;
        help.expect_code(0);
        assert!(help.stdout.contains("--records"), "{command:?}: {help}");
        assert_never_printed(&help, PASSWORD);
    }
    // Nor by clap's own usage errors, with the URL on the command line.
    for args in [
        &["status", "--provider", "maib", "--records", &url][..],
        &["reconcile", "--records", &url, "--batch", "0"],
        &["reconcile", "--records", &url, "--provider", "nope"],
    ] {
        let run = paykit(args, &env).await;
        run.expect_code(2);
        assert_never_printed(&run, PASSWORD);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_password_is_not_printed_when_the_store_works() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let base = sim.maib().base_url.clone();
    let credentials = maib_env(&sim);
    let env = borrowed(&credentials);
    // The test server trusts loopback: the password is accepted, and never used.
    let plain = PostgresServer::shared().create_database("cli_records_password");
    let url = plain.replacen(
        "postgres://paykit@",
        &format!("postgres://paykit:{PASSWORD}@"),
        1,
    );
    assert_ne!(url, plain);
    let mut args = pay_args(&base, "3.00");
    args.extend(["--records", &url, "-v"]);
    let created = paykit(&args, &env).await;
    created.expect_code(0);
    assert_never_printed(&created, PASSWORD);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_whose_record_cannot_be_written_exits_3_with_the_outcome() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let redis = Arc::new(Mutex::new(RedisServer::start().unwrap()));
    let url = redis.lock().unwrap().url();
    // Redis goes down after maib registered the payment and before the client records it.
    let down = Arc::clone(&redis);
    let proxy = Proxy::with_hook(&sim.maib().base_url, move |exchange| {
        if exchange.path == "/v1/pay" {
            down.lock().unwrap().stop();
        }
    })
    .await;
    let credentials = maib_env(&sim);
    let env = borrowed(&credentials);
    let mut args = pay_args(&proxy.base, "7.00");
    args.extend(["--records", &url]);
    let run = paykit(&args, &env).await;
    run.expect_code(3);
    // What maib answered is printed like any outcome: the script has the payment id.
    let outcome = run.json();
    assert_eq!(outcome["status"], "requires_action", "{run}");
    let id = outcome["provider_payment_id"].as_str().unwrap();
    assert!(!id.is_empty());
    assert!(run.stderr.contains("do not repeat it"), "{run}");
    assert!(run.stderr.contains(id), "{run}");
    assert_eq!(proxy.calls("POST", "/v1/pay").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_maib_refund_in_a_later_invocation_uses_the_shared_records() {
    let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
    let base = sim.maib().base_url.clone();
    let credentials = maib_env(&sim);
    let env = borrowed(&credentials);
    let records = RedisServer::shared().url();
    let prefix = prefix("refund");
    let shared = ["--records", records.as_str(), "--records-prefix", &prefix];

    let mut args = pay_args(&base, "9.00");
    args.extend(shared);
    let created = paykit(&args, &env).await;
    created.expect_code(0);
    let outcome = created.json();
    let id = outcome["provider_payment_id"].as_str().unwrap().to_owned();
    let (page, html) = open_page(&page_url(&outcome)).await;
    assert_eq!(page, 200, "{html}");

    let refund = [
        "refund",
        "--provider",
        "maib",
        "--base-url",
        &base,
        "--id",
        &id,
    ];
    // Alone, a whole refund of an `OK` payment could be a capture's or a hold's release: refused
    // before anything is sent.
    let alone = paykit(&refund, &env).await;
    alone.expect_code(1);
    assert!(
        alone
            .stderr
            .contains("without knowing whether it was a hold"),
        "{alone}"
    );
    let mut with_records = refund.to_vec();
    with_records.extend(shared);
    let refunded = paykit(&with_records, &env).await;
    refunded.expect_code(0);
    assert_eq!(refunded.json()["status"], "refunded", "{refunded}");
}
