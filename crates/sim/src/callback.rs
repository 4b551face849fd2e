//! Delivering callbacks to merchants: in a spawned task, once, with the dropped-callback
//! fault applied, and recorded so tests and tools can see what was sent.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    /// `"maib"`, `"miapos"` or `"bog"`.
    pub provider: &'static str,
    /// Where it was (or would have been) delivered.
    pub url: String,
    /// The `Content-Type` it was sent with.
    pub content_type: &'static str,
    /// The exact body bytes, as text.
    pub body: String,
    /// What happened to it.
    pub outcome: CallbackOutcome,
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
