//! The fleet's shared token store against the in-process token cache, as ratios measured in
//! one run (`cargo bench -p paykit-redis`, or `cargo xtask bench`).
//!
//! One real `redis-server`, the simulator, and maib clients in this process that differ only
//! in where their state lives: A keeps its token in the default in-process cache, B shares it
//! through [`paykit_redis::RedisStores::tokens`], C also keeps its payment records in Redis.
//! Each asks about a payment of its own with `get_payment`.
//!
//! - Steady state (a fresh token): status calls, sequential (latency per call) and 16 in
//!   flight (throughput). The store is read only when the in-process copy is due for refresh,
//!   so B should cost what A costs, and ask for as many tokens. Target: B's median status call
//!   within 10% of A's; the bench exits non-zero when it misses, or when the sides' token
//!   requests differ.
//! - Refresh path: tokens capped at [`REFRESH_LIFETIME`], and each burst waits until the token
//!   has expired, so every measured burst refreshes exactly once: the cost of the store's
//!   read, lock, re-read, save and unlock shows as a second ratio (reported, not a target).
//!
//! Rounds interleave the sides (alternating their order) so machine noise hits each alike;
//! ratios are medians of per-round ratios. A hand-written loop rather than criterion: the
//! result is a ratio of two live systems measured side by side in the same rounds, which
//! criterion's one-function-at-a-time runs and absolute estimates do not give, and its warm-up
//! and sampling would multiply the run time of calls that each cross three processes.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::float_arithmetic,
    reason = "a bench: it reports on stdout, stops on any failure, and computes ratios in f64"
)]

mod measure;
mod report;
mod setup;
mod stats;

use std::process::ExitCode;
use std::time::Duration;

use paykit_core::TokenCacheConfig;

use crate::measure::{Plan, Tally};
use crate::report::Comparison;
use crate::setup::{Kind, Side, World};

/// The most B's steady-state median status call may cost relative to A's.
const TARGET: f64 = 1.10;

/// Token lifetime on the refresh path: short, so the bench can wait for every token to expire.
const REFRESH_LIFETIME: Duration = Duration::from_millis(50);

/// Refresh margin on the refresh path (core caps it at half the lifetime anyway).
const REFRESH_MARGIN: Duration = Duration::from_millis(10);

/// Callers at once in the throughput modes.
const IN_FLIGHT: usize = 16;

const STEADY_SEQUENTIAL: Plan = Plan {
    title: "steady state, sequential",
    rounds: 12,
    bursts: 1,
    callers: 1,
    calls_per_caller: 400,
    pause: Duration::ZERO,
};

const STEADY_IN_FLIGHT: Plan = Plan {
    title: "steady state, 16 in flight",
    rounds: 12,
    bursts: 1,
    callers: IN_FLIGHT,
    calls_per_caller: 40,
    pause: Duration::ZERO,
};

/// Waited before each refresh burst: past the token's expiry, whatever the timer's slack.
const EXPIRED: Duration = REFRESH_LIFETIME.saturating_add(Duration::from_millis(5));

const REFRESH_SEQUENTIAL: Plan = Plan {
    title: "refresh path, sequential (every call refreshes an expired token)",
    rounds: 8,
    bursts: 10,
    callers: 1,
    calls_per_caller: 1,
    pause: EXPIRED,
};

const REFRESH_IN_FLIGHT: Plan = Plan {
    title: "refresh path, 16 callers at once on an expired token",
    rounds: 8,
    bursts: 4,
    callers: IN_FLIGHT,
    calls_per_caller: 1,
    pause: EXPIRED,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench -- --list` lists benchmarks; this binary has none to list.
    if args.iter().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    // `cargo test --benches` (or `--all-targets`) runs bench binaries without `--bench`:
    // building is the test there, half a minute of live measurement is not.
    if !args.iter().any(|a| a == "--bench") {
        println!("shared_token: measures only under `cargo bench -p paykit-redis`");
        return ExitCode::SUCCESS;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    match runtime.block_on(bench()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("shared_token: FAILED (see the PASS/FAIL lines above)");
            ExitCode::FAILURE
        }
        Err(why) => {
            eprintln!("shared_token: could not start: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Measures every plan and prints the tables, then the ratios; true when the targets hold.
async fn bench() -> Result<bool, String> {
    let world = World::start().await?;
    let steady = sides(&world, TokenCacheConfig::default(), "steady").await;
    warm_up(&steady).await;
    let sequential = measured(&STEADY_SEQUENTIAL, &steady, &world).await;
    let in_flight = measured(&STEADY_IN_FLIGHT, &steady, &world).await;

    let short_lived = TokenCacheConfig::default()
        .max_lifetime(REFRESH_LIFETIME)
        .refresh_margin(REFRESH_MARGIN);
    let refreshing = sides(&world, short_lived, "refresh").await;
    warm_up(&refreshing).await;
    let refresh_sequential = measured(&REFRESH_SEQUENTIAL, &refreshing, &world).await;
    let refresh_in_flight = measured(&REFRESH_IN_FLIGHT, &refreshing, &world).await;

    println!();
    // Positions in every side list, as `sides` builds them (`Kind::ALL`).
    let (a, b, c) = (0, 1, 2);
    let status = Comparison::new(&sequential[b], &sequential[a]);
    let status_passed = status.median < TARGET;
    println!(
        "shared-token status call: median ratio B/A = {:.3} (target < {TARGET:.2}) {}",
        status.median,
        verdict(status_passed)
    );
    let busy = Comparison::new(&in_flight[b], &in_flight[a]);
    println!(
        "shared-token status call, {IN_FLIGHT} in flight: median ratio B/A = {:.3}, throughput ratio B/A = {:.3} (reported)",
        busy.median, busy.throughput
    );
    let refresh = Comparison::new(&refresh_sequential[b], &refresh_sequential[a]);
    println!(
        "shared-token refresh call: median ratio B/A = {:.3} (reported: the store's read, lock, re-read, save and unlock on top of the token request)",
        refresh.median
    );
    let crowd = Comparison::new(&refresh_in_flight[b], &refresh_in_flight[a]);
    println!(
        "shared-token refresh, {IN_FLIGHT} callers on an expired token: median ratio B/A = {:.3}, throughput ratio B/A = {:.3} (reported)",
        crowd.median, crowd.throughput
    );
    let records = Comparison::new(&sequential[c], &sequential[a]);
    let records_refresh = Comparison::new(&refresh_sequential[c], &refresh_sequential[a]);
    println!(
        "shared tokens and records: median ratio C/A = {:.3} status call, {:.3} refresh call (reported: C also reads its payment record from Redis on each call)",
        records.median, records_refresh.median
    );

    let steady_tokens: Vec<usize> = sequential
        .iter()
        .chain(&in_flight)
        .map(|t| t.tokens)
        .collect();
    let tokens_passed = steady_tokens.windows(2).all(|w| w[0] == w[1]);
    println!(
        "steady-state token requests: sequential {}; {IN_FLIGHT} in flight {} (target: equal, the store is not read while the token is fresh) {}",
        report::token_counts(&steady, &sequential),
        report::token_counts(&steady, &in_flight),
        verdict(tokens_passed)
    );
    println!(
        "refresh-path token requests: sequential {} (one per refresh: {} each); {IN_FLIGHT} at once {} (one per burst: {} each)",
        report::token_counts(&refreshing, &refresh_sequential),
        REFRESH_SEQUENTIAL.rounds * REFRESH_SEQUENTIAL.bursts,
        report::token_counts(&refreshing, &refresh_in_flight),
        REFRESH_IN_FLIGHT.rounds * REFRESH_IN_FLIGHT.bursts,
    );
    Ok(status_passed && tokens_passed)
}

/// A, B and C with `cache`, each with a payment of its own.
async fn sides(world: &World, cache: TokenCacheConfig, phase: &str) -> Vec<Side> {
    let mut sides = Vec::new();
    for kind in Kind::ALL {
        let name = format!("{phase}-{}", kind.letter());
        sides.push(world.side(kind, cache.clone(), &name).await);
    }
    sides
}

/// Untimed calls first: every side opens its pool of connections (one per caller in flight),
/// and the simulator, Redis and the allocator settle before anything is measured.
async fn warm_up(sides: &[Side]) {
    for side in sides {
        measure::burst(side, 1, 100).await;
        measure::burst(side, IN_FLIGHT, 10).await;
    }
}

/// Runs `plan` and prints its table.
async fn measured(plan: &Plan, sides: &[Side], world: &World) -> Vec<Tally> {
    let tallies = measure::run(plan, sides, world).await;
    report::table(plan, sides, &tallies);
    tallies
}

fn verdict(passed: bool) -> &'static str {
    if passed { "PASS" } else { "FAIL" }
}
