//! Mutex locking that survives poisoning: a panic in one request never wedges the simulator.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`, recovering the data if a previous holder panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
