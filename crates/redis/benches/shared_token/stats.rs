//! Medians, percentiles and ratios of measured calls.

use std::time::Duration;

/// The `p`-th percentile (0 < p <= 100) of `samples`, by nearest rank; zero when empty.
pub(crate) fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    // Nearest rank: the smallest sample with at least p% of the samples at or below it.
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

/// The median of `samples`, as [`percentile`] 50.
pub(crate) fn median(samples: &[Duration]) -> Duration {
    percentile(samples, 50.0)
}

/// `numerator / denominator` in seconds; infinite when the denominator is zero, so a broken
/// measurement never passes a "below" target.
pub(crate) fn ratio(numerator: Duration, denominator: Duration) -> f64 {
    if denominator.is_zero() {
        return f64::INFINITY;
    }
    numerator.as_secs_f64() / denominator.as_secs_f64()
}

/// The median of `values` (the mean of the middle two for an even count); NaN when empty.
pub(crate) fn median_of(mut values: Vec<f64>) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let middle = values.len() / 2;
    match (values.get(middle.wrapping_sub(1)), values.get(middle)) {
        (Some(low), Some(high)) if values.len() % 2 == 0 => (low + high) / 2.0,
        (_, Some(value)) => *value,
        _ => f64::NAN,
    }
}

/// Calls per second: `calls` over the `busy` time they took.
pub(crate) fn per_second(calls: usize, busy: Duration) -> f64 {
    if busy.is_zero() {
        return 0.0;
    }
    calls as f64 / busy.as_secs_f64()
}
