//! [`Retained`]: a payment map with a deadline heap, so expiry and eviction are heap pops.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

/// What the map needs to know about a payment to expire and evict it.
pub(crate) trait Lifecycle {
    /// When time alone next changes this value (an unpaid payment's expiry), if it still
    /// can. Only a value's state at [`Retained::insert`] schedules this first deadline.
    fn expires_at_ms(&self) -> Option<u64>;

    /// Whether the value is settled (see [`super::Retention`]): only settled values are
    /// ever evicted.
    fn is_settled(&self) -> bool;
}

#[derive(Debug)]
struct Slot<V> {
    value: V,
    /// When the value last changed (insert, a write through `get_mut`, an expiry).
    touched_ms: u64,
    /// Whether the heap holds an entry for this key (exactly one when it does).
    scheduled: bool,
}

/// What to do with a value after looking at it.
enum Next {
    Evict,
    At(u64),
    Never,
}

/// Payments by id, forgetting settled ones a horizon after their last change.
#[derive(Debug)]
pub(crate) struct Retained<V> {
    slots: HashMap<Arc<str>, Slot<V>>,
    /// `(when to look again, key)`, earliest first; at most one entry per key.
    due: BinaryHeap<Reverse<(u64, Arc<str>)>>,
    horizon_ms: Option<u64>,
}

impl<V> Default for Retained<V> {
    fn default() -> Self {
        Self::with_horizon(None)
    }
}

impl<V> Retained<V> {
    /// An empty map that evicts settled values `horizon_ms` after their last change
    /// (`None`: never).
    pub(crate) fn with_horizon(horizon_ms: Option<u64>) -> Self {
        Self {
            slots: HashMap::new(),
            due: BinaryHeap::new(),
            horizon_ms,
        }
    }
}

impl<V: Lifecycle> Retained<V> {
    /// Stores `value` under `key` as of `now_ms`, replacing any previous value.
    pub(crate) fn insert(&mut self, key: String, value: V, now_ms: u64) {
        let key: Arc<str> = key.into();
        let was_scheduled = self.slots.get(&key).is_some_and(|s| s.scheduled);
        let mut slot = Slot {
            value,
            touched_ms: now_ms,
            scheduled: was_scheduled,
        };
        if !was_scheduled {
            if let Next::At(at) = next(self.horizon_ms, &slot, now_ms) {
                self.due.push(Reverse((at, Arc::clone(&key))));
                slot.scheduled = true;
            }
        }
        self.slots.insert(key, slot);
    }

    /// The value under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.slots.get(key).map(|s| &s.value)
    }

    /// The value under `key`, for a write at `now_ms` (which restarts its horizon).
    pub(crate) fn get_mut(&mut self, key: &str, now_ms: u64) -> Option<&mut V> {
        self.slots.get_mut(key).map(|s| {
            s.touched_ms = s.touched_ms.max(now_ms);
            &mut s.value
        })
    }

    /// How many values are held.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Looks at up to `budget` values whose deadline has come by `now_ms`: runs `expire`
    /// on those whose [`Lifecycle::expires_at_ms`] passed, evicts settled ones past the
    /// horizon, and returns what it evicted. Each value is looked at once per call, so a
    /// call ends even when the clock is saturated.
    pub(crate) fn sweep(
        &mut self,
        now_ms: u64,
        budget: usize,
        mut expire: impl FnMut(&mut V),
    ) -> Vec<V> {
        let mut evicted = Vec::new();
        let mut later = Vec::new();
        for _ in 0..budget {
            if self.due.peek().is_none_or(|Reverse((at, _))| *at > now_ms) {
                break;
            }
            let Some(Reverse((_, key))) = self.due.pop() else {
                break;
            };
            let Some(slot) = self.slots.get_mut(&key) else {
                continue;
            };
            if slot.value.expires_at_ms().is_some_and(|at| at <= now_ms) {
                expire(&mut slot.value);
                slot.touched_ms = slot.touched_ms.max(now_ms);
            }
            match next(self.horizon_ms, slot, now_ms) {
                Next::Evict => {
                    if let Some(gone) = self.slots.remove(&key) {
                        evicted.push(gone.value);
                    }
                }
                Next::At(at) => later.push(Reverse((at, key))),
                Next::Never => slot.scheduled = false,
            }
        }
        self.due.extend(later);
        evicted
    }
}

/// When to look at `slot` again, as of `now_ms`: at its deadline, or when it could first
/// be past the horizon, whichever comes first (a payment paid before its deadline must not
/// wait for that deadline to be evicted).
fn next<V: Lifecycle>(horizon_ms: Option<u64>, slot: &Slot<V>, now_ms: u64) -> Next {
    let deadline = slot.value.expires_at_ms();
    let Some(horizon) = horizon_ms else {
        return deadline.map_or(Next::Never, Next::At);
    };
    let evict_at = slot.touched_ms.saturating_add(horizon);
    if evict_at <= now_ms && deadline.is_none() && slot.value.is_settled() {
        return Next::Evict;
    }
    // Not evictable yet. If it is past `evict_at` it is unsettled (waiting on the customer
    // or the merchant): look again a horizon from now.
    let again = if evict_at > now_ms {
        evict_at
    } else {
        now_ms.saturating_add(horizon)
    };
    Next::At(deadline.map_or(again, |at| at.min(again)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payment that expires at `deadline` unless paid; settled once paid or expired,
    /// unless `held`.
    #[derive(Debug, Clone, PartialEq)]
    struct Pay {
        deadline: u64,
        state: &'static str,
    }

    impl Lifecycle for Pay {
        fn expires_at_ms(&self) -> Option<u64> {
            (self.state == "created").then_some(self.deadline)
        }
        fn is_settled(&self) -> bool {
            matches!(self.state, "paid" | "expired")
        }
    }

    fn pay(deadline: u64) -> Pay {
        Pay {
            deadline,
            state: "created",
        }
    }

    fn expire(p: &mut Pay) {
        p.state = "expired";
    }

    #[test]
    fn expires_then_evicts_a_horizon_after_the_last_change() {
        let mut map = Retained::with_horizon(Some(1000));
        map.insert("a".into(), pay(100), 0);
        assert!(map.sweep(99, usize::MAX, expire).is_empty());
        assert_eq!(map.get("a").map(|p| p.state), Some("created"));
        assert!(map.sweep(100, usize::MAX, expire).is_empty());
        assert_eq!(map.get("a").map(|p| p.state), Some("expired"));
        assert!(map.sweep(1099, usize::MAX, expire).is_empty());
        let gone = map.sweep(1100, usize::MAX, expire);
        assert_eq!(gone.len(), 1);
        assert!(map.get("a").is_none());
        assert_eq!(map.len(), 0);
    }

    #[test]
    fn a_write_restarts_the_horizon() {
        let mut map = Retained::with_horizon(Some(1000));
        map.insert(
            "b".into(),
            Pay {
                deadline: 0,
                state: "paid",
            },
            0,
        );
        assert!(map.get_mut("b", 500).is_some());
        assert!(map.sweep(1000, usize::MAX, expire).is_empty());
        assert!(map.get("b").is_some());
        assert_eq!(map.sweep(1500, usize::MAX, expire).len(), 1);
        assert!(map.get("b").is_none());
    }

    #[test]
    fn unsettled_values_stay() {
        let mut map = Retained::with_horizon(Some(10));
        map.insert(
            "held".into(),
            Pay {
                deadline: 0,
                state: "held",
            },
            0,
        );
        for now in [10, 100, 1000, u64::MAX] {
            assert!(map.sweep(now, usize::MAX, expire).is_empty());
        }
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn keep_all_expires_but_never_evicts() {
        let mut map = Retained::with_horizon(None);
        map.insert("a".into(), pay(5), 0);
        assert!(map.sweep(u64::MAX, usize::MAX, expire).is_empty());
        assert_eq!(map.get("a").map(|p| p.state), Some("expired"));
        assert!(map.sweep(u64::MAX, usize::MAX, expire).is_empty());
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn a_sweep_does_bounded_work() {
        let mut map = Retained::with_horizon(Some(1));
        for i in 0..10 {
            map.insert(
                i.to_string(),
                Pay {
                    deadline: 0,
                    state: "paid",
                },
                0,
            );
        }
        assert_eq!(map.sweep(10, 3, expire).len(), 3);
        assert_eq!(map.len(), 7);
        assert_eq!(map.sweep(10, usize::MAX, expire).len(), 7);
    }
}
