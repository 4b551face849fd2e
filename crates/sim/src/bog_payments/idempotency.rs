//! The `Idempotency-Key` store (bog-payments.md §8): per client, method, path and key, the
//! first answer's status and body, replayed for every repeat within the TTL. 5xx answers are
//! never stored, so a retry after a server failure is processed again.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::server::SimResponse;

/// What is remembered under one key.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// The first request is still being processed.
    InFlight,
    /// The first request's answer, and the SHA-256 of its body.
    Done {
        body_digest: [u8; 32],
        response: SimResponse,
    },
}

/// Answers by idempotency scope, forgotten a TTL after they were stored.
#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    entries: HashMap<String, (Entry, u64)>,
    /// `(when to forget, scope)`, earliest first.
    forget_at: BinaryHeap<Reverse<(u64, String)>>,
}

/// The scope a key is unique in: the client, the method and the exact path (the docs make
/// keys per endpoint), and the key itself without regard to case (it is a UUID).
pub(crate) fn scope(client: &str, method: &str, path: &str, key: &str) -> String {
    format!("{client}\n{method}\n{path}\n{}", key.to_ascii_lowercase())
}

impl IdempotencyStore {
    /// What is stored under `scope` and not yet expired at `now_ms`.
    pub(crate) fn get(&self, scope: &str, now_ms: u64) -> Option<&Entry> {
        self.entries
            .get(scope)
            .filter(|(_, until)| now_ms < *until)
            .map(|(entry, _)| entry)
    }

    /// Stores `entry` under `scope` until `now_ms + ttl_ms`.
    pub(crate) fn put(&mut self, scope: &str, entry: Entry, now_ms: u64, ttl_ms: u64) {
        let until = now_ms.saturating_add(ttl_ms);
        let fresh = !self.entries.contains_key(scope);
        self.entries.insert(scope.to_owned(), (entry, until));
        if fresh {
            self.forget_at.push(Reverse((until, scope.to_owned())));
        }
    }

    /// Forgets `scope` (its first request failed with a 5xx, or answered nothing to keep).
    pub(crate) fn remove(&mut self, scope: &str) {
        self.entries.remove(scope);
    }

    /// Forgets up to `budget` expired entries.
    pub(crate) fn prune(&mut self, now_ms: u64, budget: usize) {
        for _ in 0..budget {
            if self
                .forget_at
                .peek()
                .is_none_or(|Reverse((at, _))| *at > now_ms)
            {
                break;
            }
            let Some(Reverse((_, scope))) = self.forget_at.pop() else {
                break;
            };
            // An entry stored again under the same scope (after a 5xx removed it) may live
            // longer than this heap entry says: keep it, and look again at its own time.
            match self.entries.get(&scope) {
                Some((_, until)) if *until > now_ms => {
                    self.forget_at.push(Reverse((*until, scope)));
                }
                _ => {
                    self.entries.remove(&scope);
                }
            }
        }
    }

    /// How many keys are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Whether `key` is an RFC 4122 version-4 UUID in its canonical 36-character form (either
/// case): what the docs require. Braces, quotes and other versions are refused.
pub(crate) fn is_uuid_v4(key: &str) -> bool {
    let bytes = key.as_bytes();
    if bytes.len() != 36 {
        return false;
    }
    bytes.iter().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => *b == b'-',
        14 => *b == b'4',
        19 => matches!(b, b'8' | b'9' | b'a' | b'b' | b'A' | b'B'),
        _ => b.is_ascii_hexdigit(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tv_p6_keys() {
        for good in [
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f",
            "3F0C6B1E-8A2D-4C5B-9E7F-1A0D2C4B6E8F",
            "8bc10d42-4ba4-4114-bd9a-3979df02b5f1",
        ] {
            assert!(is_uuid_v4(good), "{good}");
        }
        for bad in [
            "3f0c6b1e-8a2d-1c5b-9e7f-1a0d2c4b6e8f",
            "3f0c6b1e-8a2d-4c5b-7e7f-1a0d2c4b6e8f",
            "3f0c6b1e8a2d4c5b9e7f1a0d2c4b6e8f",
            "{3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f}",
            "\"3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f\"",
            "order-123",
            "",
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8g",
            "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f0",
        ] {
            assert!(!is_uuid_v4(bad), "{bad}");
        }
    }

    #[test]
    fn entries_expire_and_are_pruned() {
        let mut store = IdempotencyStore::default();
        let s = scope("c", "POST", "/p", "AB");
        assert_eq!(s, scope("c", "POST", "/p", "ab"));
        store.put(&s, Entry::InFlight, 0, 100);
        assert!(store.get(&s, 99).is_some());
        assert!(store.get(&s, 100).is_none());
        store.prune(99, usize::MAX);
        assert_eq!(store.len(), 1);
        store.prune(100, usize::MAX);
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn a_key_stored_again_outlives_its_first_heap_entry() {
        let mut store = IdempotencyStore::default();
        store.put("k", Entry::InFlight, 0, 100);
        store.remove("k");
        store.put("k", Entry::InFlight, 50, 100);
        store.prune(120, usize::MAX);
        assert!(store.get("k", 120).is_some());
        store.prune(150, usize::MAX);
        assert!(store.get("k", 120).is_none());
    }
}
