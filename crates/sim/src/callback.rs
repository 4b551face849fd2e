//! Delivering callbacks to merchants: in a spawned task, with the callback faults applied,
//! and recorded, one record per attempt, so tests and tools can see what was sent.
//!
//! Body-signed callbacks (maib, miaPOS) and unsigned ones (iPay) go out once
//! ([`Dispatcher::send`]). Header-signed callbacks are retried while the merchant does not
//! answer 2xx: the Bank of Georgia Payments API resends the same signed bytes after real-time
//! pauses ([`Dispatcher::send_signed`], in `signed`); Maya's gateway signs every attempt
//! afresh and retries on the simulator clock ([`Dispatcher::deliver`], in `scheduled`).
//! A callback triggered on demand is posted once and awaited ([`Dispatcher::send_now`], in
//! `now`). All share the record log, the posting of one attempt and the fault rolls.

mod now;
mod scheduled;
mod signed;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::faults::{FaultState, Injected};
use crate::lock::lock;

pub(crate) use now::Prepared;
pub(crate) use scheduled::Delivery;
pub(crate) use signed::SignedCallback;

/// How many callback records are kept (the oldest are forgotten first).
const LOG_CAPACITY: usize = 1000;

/// How long the simulator waits for a merchant to answer a callback.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// One attempt at a callback the simulator sent, or tried or declined to send. A callback
/// retried or duplicated by a fault shows as one record per post, each with the headers it
/// carried (Maya signs every attempt afresh, so they can differ).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackRecord {
    /// `"maib"`, `"miapos"`, `"bog"`, `"bog-payments"` or `"maya-checkout"`.
    pub provider: &'static str,
    /// Where it was (or would have been) delivered.
    pub url: String,
    /// The `Content-Type` it was sent with.
    pub content_type: &'static str,
    /// The exact body bytes, as text.
    pub body: String,
    /// Headers sent besides `Content-Type` (the Payments API's `Callback-Signature`, Maya's
    /// signature and timestamp), as sent: a bad-signature fault shows here.
    pub headers: Vec<(String, String)>,
    /// Which post of this callback this was: 1 for the first (and for a dropped callback,
    /// which was never posted); retries and an injected duplicate count up.
    pub attempt: u32,
    /// What happened to this attempt.
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

impl CallbackOutcome {
    /// Whether the merchant accepted it (answered 2xx).
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Delivered { status } if (200..300).contains(status))
    }
}

impl CallbackRecord {
    /// The record as JSON: `{"provider", "url", "content_type", "body", "headers":
    /// [{"name", "value"}], "attempt", "outcome": {"state": "pending" | "delivered" |
    /// "failed" | "dropped", "status" (delivered), "error" (failed)}}`; what
    /// `POST /_sim/trigger` answers and `paykit sim trigger` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let headers: Vec<serde_json::Value> = self
            .headers
            .iter()
            .map(|(name, value)| serde_json::json!({ "name": name, "value": value }))
            .collect();
        let outcome = match &self.outcome {
            CallbackOutcome::Pending => serde_json::json!({ "state": "pending" }),
            CallbackOutcome::Delivered { status } => {
                serde_json::json!({ "state": "delivered", "status": status })
            }
            CallbackOutcome::Failed { error } => {
                serde_json::json!({ "state": "failed", "error": error })
            }
            CallbackOutcome::Dropped => serde_json::json!({ "state": "dropped" }),
        };
        serde_json::json!({
            "provider": self.provider,
            "url": self.url,
            "content_type": self.content_type,
            "body": self.body,
            "headers": headers,
            "attempt": self.attempt,
            "outcome": outcome,
        })
    }
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
    /// At most one held-back signed callback per provider (the Payments API's reorder).
    parked: Arc<Mutex<HashMap<&'static str, signed::Parked>>>,
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
            parked: Arc::default(),
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

    /// Every recorded callback attempt, oldest first.
    pub(crate) fn records(&self) -> Vec<CallbackRecord> {
        lock(&self.log).iter().map(|(_, r)| r.clone()).collect()
    }

    /// Delivers `body` to `url` once, in the background (or drops it, per the current
    /// faults).
    pub(crate) fn send(&self, provider: &'static str, url: &str, body: CallbackBody) {
        let dropped = self.faults.roll(provider, Injected::DroppedCallback);
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
            this.post(id, provider, &url, body.content_type(), body.text(), &[])
                .await;
        });
    }

    /// Posts one attempt whose record `id` was already pushed, and finishes that record
    /// with the outcome, which it returns.
    async fn post(
        &self,
        id: u64,
        provider: &'static str,
        url: &str,
        content_type: &'static str,
        body: &str,
        headers: &[(String, String)],
    ) -> CallbackOutcome {
        let mut request = self
            .client
            .post(url)
            .header("content-type", content_type)
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let outcome = match request.send().await {
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
        self.finish(id, outcome.clone());
        outcome
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
