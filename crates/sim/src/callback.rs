//! Delivering callbacks to merchants: in a spawned task, with the dropped-callback fault
//! applied, and recorded so tests and tools can see what was sent. Most providers send once
//! ([`Dispatcher::send`]); Maya's gateway signs every attempt and retries on a schedule
//! driven by the simulator clock ([`Dispatcher::deliver`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::SimClock;
use crate::faults::{FaultState, Injected};
use crate::lock::lock;
use crate::random;

/// How many callback records are kept (the oldest are forgotten first).
const LOG_CAPACITY: usize = 1000;

/// How long the simulator waits for a merchant to answer a callback.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// A callback the simulator sent, or tried or declined to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackRecord {
    /// `"maib"`, `"miapos"`, `"bog"` or `"maya-checkout"`.
    pub provider: &'static str,
    /// Where it was (or would have been) delivered.
    pub url: String,
    /// The `Content-Type` it was sent with.
    pub content_type: &'static str,
    /// The exact body bytes, as text.
    pub body: String,
    /// Extra headers sent with it (Maya's signature and timestamp), lowercase names.
    pub headers: Vec<(String, String)>,
    /// Which attempt this was (1 for the first; retries and injected duplicates count up).
    pub attempt: u32,
    /// What happened to it.
    pub outcome: CallbackOutcome,
}

/// How long a retry waits between looks at the simulator clock (real time).
const RETRY_POLL: Duration = Duration::from_millis(20);

/// Builds the extra headers of one attempt, as of the simulator clock in milliseconds.
pub(crate) type HeaderFn = dyn Fn(u64) -> Vec<(&'static str, String)> + Send + Sync;

/// A JSON callback delivered with retries ([`Dispatcher::deliver`]).
pub(crate) struct Delivery {
    pub(crate) provider: &'static str,
    pub(crate) url: String,
    pub(crate) body: String,
    /// Called for every attempt, so each carries a fresh signature and timestamp.
    pub(crate) headers: Arc<HeaderFn>,
    /// How long after each failed attempt the next one goes (simulator clock); the
    /// delivery gives up when the list is exhausted.
    pub(crate) retry_after_ms: Vec<u64>,
    pub(crate) clock: Arc<SimClock>,
    /// Real time to wait before the first attempt (the reorder fault).
    pub(crate) delay: Duration,
    /// Whether the first delivered attempt is sent a second time, headers and all.
    pub(crate) duplicate: bool,
}

/// What happened to a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// Handed to the delivery task; no answer yet.
    Pending,
    /// The merchant answered with this HTTP status.
    Delivered {
        /// The merchant's HTTP status.
        status: u16,
    },
    /// Delivery failed (connection refused, timeout, ...).
    Failed {
        /// The transport error, as text.
        error: String,
    },
    /// Dropped by the dropped-callback fault; never sent.
    Dropped,
}

/// A callback body and its media type.
#[derive(Debug, Clone)]
pub(crate) enum CallbackBody {
    /// `application/json`.
    Json(String),
    /// `application/x-www-form-urlencoded`.
    Form(String),
}

impl CallbackBody {
    fn content_type(&self) -> &'static str {
        match self {
            Self::Json(_) => "application/json",
            Self::Form(_) => "application/x-www-form-urlencoded",
        }
    }

    fn text(&self) -> &str {
        match self {
            Self::Json(t) | Self::Form(t) => t,
        }
    }
}

/// Sends callbacks and keeps their log.
#[derive(Debug, Clone)]
pub(crate) struct Dispatcher {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    faults: Arc<FaultState>,
    log: Arc<Mutex<VecDeque<(u64, CallbackRecord)>>>,
    next_id: Arc<Mutex<u64>>,
}

impl Dispatcher {
    /// A dispatcher spawning onto `runtime`.
    pub(crate) fn new(
        runtime: tokio::runtime::Handle,
        faults: Arc<FaultState>,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .no_proxy()
            .build()?;
        Ok(Self {
            client,
            runtime,
            faults,
            log: Arc::default(),
            next_id: Arc::default(),
        })
    }

    /// The HTTP client, for the simulator's other outbound calls (Maya session push).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The faults in force, shared with the listeners.
    pub(crate) fn faults(&self) -> &Arc<FaultState> {
        &self.faults
    }

    /// Every recorded callback, oldest first.
    pub(crate) fn records(&self) -> Vec<CallbackRecord> {
        lock(&self.log).iter().map(|(_, r)| r.clone()).collect()
    }

    /// Delivers `body` to `url` in the background (or drops it, per the current faults).
    pub(crate) fn send(&self, provider: &'static str, url: &str, body: CallbackBody) {
        let dropped = random::hit(self.faults.get().drop_callbacks_percent);
        if dropped {
            self.faults.count(provider, Injected::DroppedCallback);
        }
        let record = CallbackRecord {
            provider,
            url: url.to_owned(),
            content_type: body.content_type(),
            body: body.text().to_owned(),
            headers: Vec::new(),
            attempt: 1,
            outcome: if dropped {
                CallbackOutcome::Dropped
            } else {
                CallbackOutcome::Pending
            },
        };
        let id = self.push(record);
        if dropped {
            tracing::info!(provider, url, "paykit-sim: callback dropped by fault");
            return;
        }
        let this = self.clone();
        let url = url.to_owned();
        self.runtime.spawn(async move {
            let outcome = match this
                .client
                .post(&url)
                .header("content-type", body.content_type())
                .body(body.text().to_owned())
                .send()
                .await
            {
                Ok(res) => {
                    let status = res.status().as_u16();
                    if !res.status().is_success() {
                        tracing::warn!(provider, url, status, "paykit-sim: callback refused");
                    }
                    CallbackOutcome::Delivered { status }
                }
                Err(err) => {
                    tracing::warn!(provider, url, %err, "paykit-sim: callback delivery failed");
                    CallbackOutcome::Failed {
                        error: err.to_string(),
                    }
                }
            };
            this.finish(id, outcome);
        });
    }

    /// Delivers a JSON callback in the background: each attempt gets fresh headers; a
    /// non-2xx answer or a transport failure is retried after the next wait of the
    /// schedule (by the simulator clock, so [`crate::Simulator::advance`] brings retries
    /// forward). The dropped-callback fault drops the whole delivery.
    pub(crate) fn deliver(&self, delivery: Delivery) {
        let provider = delivery.provider;
        if random::hit(self.faults.get().drop_callbacks_percent) {
            self.faults.count(provider, Injected::DroppedCallback);
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
        let this = self.clone();
        self.runtime.spawn(async move {
            if !delivery.delay.is_zero() {
                tokio::time::sleep(delivery.delay).await;
            }
            let mut attempt: u32 = 0;
            loop {
                attempt = attempt.saturating_add(1);
                // Retries count from when the attempt went out, so a clock moved while
                // the merchant was answering still brings the next one forward.
                let sent_at = delivery.clock.now_ms();
                let headers = (delivery.headers)(sent_at);
                let ok = this.attempt(&delivery, &headers, attempt).await;
                if ok {
                    if delivery.duplicate {
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

    /// One attempt of a delivery; whether the merchant answered 2xx.
    async fn attempt(
        &self,
        delivery: &Delivery,
        headers: &[(&'static str, String)],
        attempt: u32,
    ) -> bool {
        let id = self.push(CallbackRecord {
            provider: delivery.provider,
            url: delivery.url.clone(),
            content_type: "application/json",
            body: delivery.body.clone(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            attempt,
            outcome: CallbackOutcome::Pending,
        });
        let mut request = self
            .client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .body(delivery.body.clone());
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let (outcome, ok) = match request.send().await {
            Ok(res) => (
                CallbackOutcome::Delivered {
                    status: res.status().as_u16(),
                },
                res.status().is_success(),
            ),
            Err(err) => (
                CallbackOutcome::Failed {
                    error: err.to_string(),
                },
                false,
            ),
        };
        self.finish(id, outcome);
        ok
    }

    fn push(&self, record: CallbackRecord) -> u64 {
        let id = {
            let mut next = lock(&self.next_id);
            *next = next.wrapping_add(1);
            *next
        };
        let mut log = lock(&self.log);
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back((id, record));
        id
    }

    fn finish(&self, id: u64, outcome: CallbackOutcome) {
        if let Some((_, record)) = lock(&self.log).iter_mut().find(|(i, _)| *i == id) {
            record.outcome = outcome;
        }
    }
}
