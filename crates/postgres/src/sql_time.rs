//! Times and spans as whole milliseconds, the form queries bind them in.
//!
//! sqlx binds `SystemTime` only through the `chrono` or `time` crates; a `bigint` count of
//! milliseconds and `interval '1 millisecond'` arithmetic in SQL need neither. The products
//! stay below 2^53 microseconds (spans are capped at [`MAX_SPAN_MS`]; Unix times in
//! milliseconds reach 2^53 µs in the year 2255), so PostgreSQL computes them exactly.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// SQL for the `timestamptz` that `$N`, a bound count of Unix milliseconds, stands for. A
/// macro so that queries stay `&'static str` literals.
macro_rules! at_unix_millis {
    ($placeholder:literal) => {
        concat!(
            "(timestamptz 'epoch' + ",
            $placeholder,
            " * interval '1 millisecond')"
        )
    };
}
pub(crate) use at_unix_millis;

/// The longest time-to-live bound into a query: 100 years. Longer ones are treated as this.
pub(crate) const MAX_SPAN_MS: i64 = 100 * 366 * 24 * 3600 * 1000;

/// Milliseconds since the Unix epoch (0 for times before it).
pub(crate) fn unix_millis_of(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    })
}

/// `span` in whole milliseconds, at most [`MAX_SPAN_MS`].
pub(crate) fn span_millis(span: Duration) -> i64 {
    i64::try_from(span.as_millis()).map_or(MAX_SPAN_MS, |ms| ms.min(MAX_SPAN_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_are_whole_and_spans_capped() {
        let time = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_999);
        assert_eq!(unix_millis_of(time), 1_700_000_000_123);
        assert_eq!(unix_millis_of(UNIX_EPOCH - Duration::from_secs(1)), 0);
        assert_eq!(span_millis(Duration::from_millis(300)), 300);
        assert_eq!(span_millis(Duration::MAX), MAX_SPAN_MS);
        assert_eq!(
            at_unix_millis!("$3"),
            "(timestamptz 'epoch' + $3 * interval '1 millisecond')"
        );
    }
}
