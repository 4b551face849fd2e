//! Driving a future that never waits.
//!
//! The verifiers under test are `async` because the real ones may fetch a key or read the
//! merchant's store; with a fixed key and in-memory stores they finish on the first poll. A
//! runtime per fuzz case would cost more than the parse, so they are polled by hand with a
//! waker that does nothing.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Polls `future` a few times; `None` if it is still waiting, which for these targets means
/// it tried to do I/O.
pub(crate) fn ready<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..16 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return Some(output);
        }
    }
    None
}
