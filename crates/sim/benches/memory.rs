//! Issue 16 target: the simulator's memory is bounded by its retention horizon
//! (`cargo bench -p paykit-sim --bench memory`).
//!
//! How it measures, and why this way: the workspace forbids `unsafe_code`, so a counting
//! `#[global_allocator]` (which needs `unsafe impl GlobalAlloc`) is out; the bench reads the
//! process's resident set (`VmRSS` in `/proc/self/status`) instead. That is the whole process
//! (the simulator, its HTTP client and runtime), so it is an upper bound on what the
//! simulator keeps, and it is measured over thousands of payments so page granularity and
//! allocator slack average out. Freed memory is mostly not returned to the system, which is
//! what makes the eviction ratio honest: a simulator that kept its payments would have to
//! take new pages for every batch, one that forgets them reuses the same ones.
//!
//! - `sim_bytes_per_live_payment`: RSS growth while `BATCH` settled maib payments
//!   (`/v1/pay` and the payment page, so a signed callback goes out too) are live, per
//!   payment, ledger record included.
//! - `sim_memory_after_eviction_ratio`: RSS after `BATCHES` more batches, each pushed past
//!   the horizon (`Simulator::advance`) and evicted, over the RSS right after the first
//!   batch was evicted. Kept payments would make it about `1 + BATCHES * growth / base`;
//!   bounded memory keeps it near 1. Exits non-zero above the target.
//!
//! `PAYKIT_SIM_BENCH_KEEP_ALL=1` runs the same load with `SimConfig::keep_everything` (the
//! simulator as it was before the horizon), to see the ratio the bench guards against.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::float_arithmetic,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use paykit_sim::{SimConfig, Simulator};
use serde_json::{Value, json};
use tokio::task::JoinSet;

const TARGET: f64 = 1.2;
const HORIZON: Duration = Duration::from_secs(3600);
const BATCH: usize = 4000;
const BATCHES: usize = 4;
const CONCURRENCY: usize = 8;
const WARM_UP: usize = 300;

/// Resident set size of this process, in bytes.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("a VmRSS line")
        * 1024
}

struct Merchant {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Merchant {
    async fn new(sim: &Simulator) -> Self {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let info = sim.maib();
        let body: Value = client
            .post(format!("{}/v1/generate-token", info.base_url))
            .json(&json!({"projectId": info.project_id, "projectSecret": info.project_secret}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Self {
            client,
            base: info.base_url.clone(),
            token: body["result"]["accessToken"].as_str().unwrap().to_owned(),
        }
    }

    /// One payment, registered and paid by the customer: settled, with a callback sent.
    async fn pay(&self, n: usize) {
        let body = json!({
            "amount": 10.50, "currency": "MDL", "clientIp": "127.0.0.1", "language": "en",
            "description": "Order from the memory bench", "orderId": format!("bench-{n}"),
            "clientName": "Ion Popescu", "email": "ion@example.md",
        });
        let res: Value = self
            .client
            .post(format!("{}/v1/pay", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = res["result"]["payUrl"].as_str().expect("a payUrl");
        let page = self.client.get(url).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let _ = page.bytes().await.unwrap();
    }
}

/// `count` payments, `CONCURRENCY` at a time; a fresh token each call (they live 300 s).
async fn run(sim: &Simulator, first: usize, count: usize) {
    let merchant = Arc::new(Merchant::new(sim).await);
    let mut tasks = JoinSet::new();
    for worker in 0..CONCURRENCY {
        let merchant = Arc::clone(&merchant);
        tasks.spawn(async move {
            let mut n = first + worker;
            while n < first + count {
                merchant.pay(n).await;
                n += CONCURRENCY;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    // Let the last callbacks reach the sink before measuring.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let started = Instant::now();
    let keep_all = std::env::var_os("PAYKIT_SIM_BENCH_KEEP_ALL").is_some_and(|v| v == "1");
    let config = if keep_all {
        SimConfig::default().keep_everything()
    } else {
        SimConfig::default()
            .with_retention(HORIZON)
            .with_ledger_following_eviction()
    };
    let sim = paykit_sim::start(config).await.unwrap();
    // Warm up the runtime, the connection pool and the callback log's steady size.
    run(&sim, 0, WARM_UP).await;
    sim.advance(HORIZON + Duration::from_secs(60));
    let idle = rss_bytes();

    run(&sim, WARM_UP, BATCH).await;
    let live_payments = sim.live_payments();
    let with_live = rss_bytes();
    let per_payment = with_live.saturating_sub(idle) as f64 / live_payments.max(1) as f64;
    sim.advance(HORIZON + Duration::from_secs(60));
    if !keep_all {
        assert_eq!(sim.live_payments(), 0, "every settled payment is evicted");
    }
    let baseline = rss_bytes();
    println!(
        "sim memory: idle {:.1} MiB, {live_payments} live payments {:.1} MiB, evicted {:.1} MiB",
        mib(idle),
        mib(with_live),
        mib(baseline)
    );
    println!("sim_bytes_per_live_payment = {per_payment:.0}");
    // What the ratio would be if those payments were kept instead (the pre-horizon
    // simulator): the baseline plus every batch's growth.
    let kept = (baseline as f64 + (BATCHES * BATCH) as f64 * per_payment) / baseline as f64;
    println!("  (keeping them all would put the ratio near {kept:.2})");

    let mut first = WARM_UP + BATCH;
    for batch in 1..=BATCHES {
        run(&sim, first, BATCH).await;
        first += BATCH;
        sim.advance(HORIZON + Duration::from_secs(60));
        println!(
            "  after batch {batch}: {:.1} MiB, live {}, ledger {}",
            mib(rss_bytes()),
            sim.live_payments(),
            sim.ledger_len()
        );
    }
    let after = rss_bytes();
    let ratio = after as f64 / baseline as f64;
    let pass = ratio <= TARGET;
    println!(
        "sim_memory_after_eviction_ratio = {ratio:.3} (target <= {TARGET}) {} \
         [{} payments run, {:.1} s]",
        if pass { "PASS" } else { "FAIL" },
        first,
        started.elapsed().as_secs_f64()
    );
    sim.shutdown().await;
    if !pass {
        std::process::exit(1);
    }
}
