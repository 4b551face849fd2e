//! Timed status calls, in rounds that interleave the sides.

use std::sync::Arc;
use std::time::{Duration, Instant};

use paykit_core::PaymentProvider;
use paykit_maib::MaibClient;

use crate::setup::{Side, World};
use crate::stats;

/// One measured mode: how the calls are shaped, and how often.
pub(crate) struct Plan {
    /// What the table's heading says.
    pub(crate) title: &'static str,
    /// Rounds; in each, every side runs its bursts once, in an order that alternates.
    pub(crate) rounds: usize,
    /// Bursts per side per round.
    pub(crate) bursts: usize,
    /// Callers at once in a burst (1: sequential, timed inline with no task in between).
    pub(crate) callers: usize,
    /// Status calls each caller makes, one after the other, per burst.
    pub(crate) calls_per_caller: usize,
    /// Untimed wait before each burst (for the refresh path: until the token has expired).
    pub(crate) pause: Duration,
}

/// What one side measured under one plan.
#[derive(Default)]
pub(crate) struct Tally {
    /// Every call's latency.
    pub(crate) latencies: Vec<Duration>,
    /// The median latency of each round, in order: the ratios pair them round by round.
    pub(crate) round_medians: Vec<Duration>,
    /// Wall time of the bursts, pauses excluded.
    pub(crate) busy: Duration,
    /// Token requests the simulator answered during this side's bursts.
    pub(crate) tokens: usize,
}

/// Runs `plan` for every side, interleaved: round `r` takes the sides in order when `r` is
/// even and backwards when odd, so drift of a busy machine (another build, a timer storm)
/// lands on each side alike. Sides never run at the same time, so the simulator's token
/// count before and after a side's bursts is that side's alone.
pub(crate) async fn run(plan: &Plan, sides: &[Side], world: &World) -> Vec<Tally> {
    let mut tallies: Vec<Tally> = sides.iter().map(|_| Tally::default()).collect();
    for round in 0..plan.rounds {
        let mut order: Vec<usize> = (0..sides.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for index in order {
            let (Some(side), Some(tally)) = (sides.get(index), tallies.get_mut(index)) else {
                continue;
            };
            let before = world.merchant_tokens();
            let mut this_round = Vec::new();
            for _ in 0..plan.bursts {
                if !plan.pause.is_zero() {
                    tokio::time::sleep(plan.pause).await;
                }
                let (latencies, wall) = burst(side, plan.callers, plan.calls_per_caller).await;
                tally.busy += wall;
                this_round.extend(latencies);
            }
            tally.tokens += world.merchant_tokens() - before;
            tally.round_medians.push(stats::median(&this_round));
            tally.latencies.extend(this_round);
        }
    }
    tallies
}

/// `callers` callers making `calls_each` status calls each: every call's latency, and the
/// burst's wall time.
pub(crate) async fn burst(
    side: &Side,
    callers: usize,
    calls_each: usize,
) -> (Vec<Duration>, Duration) {
    let started = Instant::now();
    if callers <= 1 {
        let latencies = calls(&side.client, &side.pay_id, calls_each).await;
        return (latencies, started.elapsed());
    }
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let client = side.client.clone();
            let pay_id = side.pay_id.clone();
            tokio::spawn(async move { calls(&client, &pay_id, calls_each).await })
        })
        .collect();
    let mut latencies = Vec::with_capacity(callers * calls_each);
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    (latencies, started.elapsed())
}

/// `count` status calls one after the other, each timed; any failure ends the bench (a
/// ratio of a failing system means nothing).
async fn calls(client: &Arc<MaibClient>, pay_id: &str, count: usize) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let outcome = client.get_payment(pay_id).await;
        latencies.push(started.elapsed());
        if let Err(error) = outcome {
            panic!("status call of {pay_id} failed: {error}");
        }
    }
    latencies
}
