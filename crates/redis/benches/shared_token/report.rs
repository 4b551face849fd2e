//! What the bench prints: a table per plan, and the ratios.

use crate::measure::{Plan, Tally};
use crate::setup::Side;
use crate::stats;

/// Prints `plan`'s heading and one row per side: median and p90 latency, calls per second of
/// busy time, token requests.
pub(crate) fn table(plan: &Plan, sides: &[Side], tallies: &[Tally]) {
    let per_side = plan.rounds * plan.bursts * plan.callers * plan.calls_per_caller;
    println!();
    println!(
        "{}: {} rounds, {per_side} calls per client",
        plan.title, plan.rounds
    );
    println!(
        "  {:<28} {:>10} {:>10} {:>10} {:>15}",
        "client", "median", "p90", "calls/s", "token requests"
    );
    for (side, tally) in sides.iter().zip(tallies) {
        println!(
            "  {:<28} {:>10} {:>10} {:>10.0} {:>15}",
            side.kind.label(),
            micros(stats::median(&tally.latencies)),
            micros(stats::percentile(&tally.latencies, 90.0)),
            stats::per_second(tally.latencies.len(), tally.busy),
            tally.tokens
        );
    }
}

fn micros(duration: std::time::Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

/// Side `of` against side `to` under one plan.
pub(crate) struct Comparison {
    /// The median over rounds of (`of`'s median latency / `to`'s) in the same round: a round
    /// disturbed for one side only moves one ratio, not the result.
    pub(crate) median: f64,
    /// `of`'s calls per second over `to`'s, over the whole plan.
    pub(crate) throughput: f64,
}

impl Comparison {
    /// `of` against `to`.
    pub(crate) fn new(of: &Tally, to: &Tally) -> Comparison {
        let per_round = of
            .round_medians
            .iter()
            .zip(&to.round_medians)
            .map(|(of, to)| stats::ratio(*of, *to))
            .collect();
        let rate = |t: &Tally| stats::per_second(t.latencies.len(), t.busy);
        Comparison {
            median: stats::median_of(per_round),
            throughput: rate(of) / rate(to),
        }
    }
}

/// `"A 0, B 0, C 0"`.
pub(crate) fn token_counts(sides: &[Side], tallies: &[Tally]) -> String {
    sides
        .iter()
        .zip(tallies)
        .map(|(side, tally)| format!("{} {}", side.kind.letter(), tally.tokens))
        .collect::<Vec<_>>()
        .join(", ")
}
