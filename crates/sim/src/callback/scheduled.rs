//! JSON callbacks signed per attempt and retried on the simulator clock (Maya's gateway):
//! every attempt gets fresh headers; a non-2xx answer or a transport failure is retried
//! after the next wait of the schedule, so [`crate::Simulator::advance`] brings retries
//! forward.

use std::sync::Arc;
use std::time::Duration;

use super::{CallbackOutcome, CallbackRecord, Dispatcher};
use crate::clock::SimClock;
use crate::faults::Injected;

/// How long a retry waits between looks at the simulator clock (real time).
const RETRY_POLL: Duration = Duration::from_millis(20);

/// Builds the extra headers of one attempt, as of the simulator clock in milliseconds.
pub(crate) type HeaderFn = dyn Fn(u64) -> Vec<(&'static str, String)> + Send + Sync;

/// A JSON callback delivered with retries ([`Dispatcher::deliver`]).
pub(crate) struct Delivery {
    pub(crate) provider: &'static str,
    pub(crate) url: String,
    pub(crate) body: String,
    /// Called for every attempt, so each carries a fresh signature and timestamp (and the
    /// per-attempt signature faults).
    pub(crate) headers: Arc<HeaderFn>,
    /// How long after each failed attempt the next one goes (simulator clock); the
    /// delivery gives up when the list is exhausted.
    pub(crate) retry_after_ms: Vec<u64>,
    pub(crate) clock: Arc<SimClock>,
    /// Real time the reorder fault holds the first attempt back, so later events overtake.
    pub(crate) reorder_delay: Duration,
}

impl Dispatcher {
    /// Delivers a JSON callback in the background, retried on the simulator clock. The
    /// dropped-callback fault drops the whole delivery; the duplicate fault sends the first
    /// accepted attempt again, headers and all; the reorder fault delays the first attempt.
    pub(crate) fn deliver(&self, delivery: Delivery) {
        let provider = delivery.provider;
        if self.faults.roll(provider, Injected::DroppedCallback) {
            self.push(CallbackRecord {
                provider,
                url: delivery.url.clone(),
                content_type: "application/json",
                body: delivery.body,
                headers: Vec::new(),
                attempt: 1,
                outcome: CallbackOutcome::Dropped,
            });
            tracing::info!(provider, "paykit-sim: webhook dropped by fault");
            return;
        }
        let duplicate = self.faults.roll(provider, Injected::DuplicatedCallback);
        let delay = if self.faults.roll(provider, Injected::ReorderedCallback) {
            delivery.reorder_delay
        } else {
            Duration::ZERO
        };
        let this = self.clone();
        self.runtime.spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let mut attempt: u32 = 0;
            loop {
                attempt = attempt.saturating_add(1);
                // Retries count from when the attempt went out, so a clock moved while
                // the merchant was answering still brings the next one forward.
                let sent_at = delivery.clock.now_ms();
                let headers: Vec<(String, String)> = (delivery.headers)(sent_at)
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                if this.attempt(&delivery, &headers, attempt).await {
                    if duplicate {
                        this.attempt(&delivery, &headers, attempt.saturating_add(1))
                            .await;
                    }
                    return;
                }
                let index = usize::try_from(attempt.saturating_sub(1)).unwrap_or(usize::MAX);
                let Some(wait) = delivery.retry_after_ms.get(index) else {
                    tracing::warn!(provider, url = %delivery.url, "paykit-sim: webhook given up");
                    return;
                };
                let due = sent_at.saturating_add(*wait);
                while delivery.clock.now_ms() < due {
                    let left = due.saturating_sub(delivery.clock.now_ms());
                    tokio::time::sleep(RETRY_POLL.min(Duration::from_millis(left))).await;
                }
            }
        });
    }

    /// One attempt of a delivery, recorded; whether the merchant answered 2xx.
    async fn attempt(
        &self,
        delivery: &Delivery,
        headers: &[(String, String)],
        attempt: u32,
    ) -> bool {
        let id = self.push(CallbackRecord {
            provider: delivery.provider,
            url: delivery.url.clone(),
            content_type: "application/json",
            body: delivery.body.clone(),
            headers: headers.to_vec(),
            attempt,
            outcome: CallbackOutcome::Pending,
        });
        self.post(
            id,
            delivery.provider,
            &delivery.url,
            "application/json",
            &delivery.body,
            headers,
        )
        .await
        .is_accepted()
    }
}
