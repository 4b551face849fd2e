//! The simulator's clock: wall-clock time plus an offset that [`crate::Simulator::advance`]
//! moves forward, so token and payment expiry can be tested without sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock time shifted by an adjustable, only-growing offset.
#[derive(Debug, Default)]
pub(crate) struct SimClock {
    offset_ms: AtomicU64,
}

impl SimClock {
    /// Milliseconds since the Unix epoch, as the simulated providers see it.
    pub(crate) fn now_ms(&self) -> u64 {
        real_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `by`.
    pub(crate) fn advance(&self, by: Duration) {
        let add = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let mut current = self.offset_ms.load(Ordering::Relaxed);
        loop {
            let next = current.saturating_add(add);
            match self.offset_ms.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(seen) => current = seen,
            }
        }
    }
}

/// Real wall-clock milliseconds since the Unix epoch (0 if the system clock is before 1970).
fn real_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_time_forward() {
        let clock = SimClock::default();
        let before = clock.now_ms();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now_ms() >= before + 3_600_000);
    }

    #[test]
    fn advance_saturates() {
        let clock = SimClock::default();
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);
        assert_eq!(clock.now_ms(), u64::MAX);
    }
}
