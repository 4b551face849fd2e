//! Delivering callbacks to merchants: in a spawned task, with the callback faults applied,
//! and recorded so tests and tools can see what was sent.
//!
//! Body-signed callbacks (maib, miaPOS) and unsigned ones (iPay) go out once ([`Dispatcher::send`]).
//! Header-signed callbacks (the Bank of Georgia Payments API, [`Dispatcher::send_signed`]) are
//! resent on a schedule while the merchant does not answer 2xx, and are subject to the
//! bad-signature, duplicate and reorder faults as well.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::faults::{FaultState, Injected, REORDER_HOLD};
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
    /// Headers sent besides `Content-Type` (the Payments API's `Callback-Signature`), as
    /// sent: a bad-signature fault shows here.
    pub headers: Vec<(String, String)>,
    /// How many times it was posted (resends included; 0 when dropped or not yet sent).
    pub attempts: u32,
    /// What happened to it (its last attempt).
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

/// A JSON callback whose signature travels in a header.
#[derive(Debug, Clone)]
pub(crate) struct SignedCallback {
    /// The provider's short name.
    pub(crate) provider: &'static str,
    /// Where to post it.
    pub(crate) url: String,
    /// The exact JSON body the signature covers.
    pub(crate) body: String,
    /// The signature header's name.
    pub(crate) signature_header: &'static str,
    /// The signature header's value.
    pub(crate) signature: String,
    /// The pauses before each resend while the merchant does not answer 2xx (one resend per
    /// entry; empty: sent once).
    pub(crate) resend_delays: Vec<Duration>,
}

/// A signed callback held back by the reorder fault.
#[derive(Debug)]
struct Parked {
    /// Its record (which also tells this hold apart from a later one, for the timer).
    record_id: u64,
    callback: SignedCallback,
    duplicate: bool,
}

/// Sends callbacks and keeps their log.
#[derive(Debug, Clone)]
pub(crate) struct Dispatcher {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    faults: Arc<FaultState>,
    log: Arc<Mutex<VecDeque<(u64, CallbackRecord)>>>,
    next_id: Arc<Mutex<u64>>,
    /// At most one held-back signed callback per provider.
    parked: Arc<Mutex<HashMap<&'static str, Parked>>>,
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
            attempts: 0,
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
            this.finish(id, outcome, 1);
        });
    }

    /// Delivers a header-signed JSON callback in the background: resent after each pause
    /// of its schedule while the merchant answers non-2xx or cannot be reached, and subject
    /// to the dropped, bad-signature, duplicate and reorder faults.
    pub(crate) fn send_signed(&self, mut callback: SignedCallback) {
        let faults = self.faults.get();
        let provider = callback.provider;
        if random::hit(faults.drop_callbacks_percent) {
            self.faults.count(provider, Injected::DroppedCallback);
            self.push(signed_record(&callback, CallbackOutcome::Dropped));
            tracing::info!(provider, url = %callback.url, "paykit-sim: callback dropped by fault");
            return;
        }
        if random::hit(faults.bad_signature_callbacks_percent) {
            self.faults.count(provider, Injected::BadSignature);
            callback.signature = corrupt(&callback.signature);
        }
        let duplicate = random::hit(faults.duplicate_callbacks_percent);
        if duplicate {
            self.faults.count(provider, Injected::DuplicatedCallback);
        }
        let record_id = self.push(signed_record(&callback, CallbackOutcome::Pending));
        let mut parked = lock(&self.parked);
        let earlier = parked.remove(provider);
        if earlier.is_none() && random::hit(faults.reorder_callbacks_percent) {
            self.faults.count(provider, Injected::ReorderedCallback);
            let hold = record_id;
            parked.insert(
                provider,
                Parked {
                    record_id,
                    callback,
                    duplicate,
                },
            );
            drop(parked);
            let this = self.clone();
            self.runtime.spawn(async move {
                tokio::time::sleep(REORDER_HOLD).await;
                let due = {
                    let mut parked = lock(&this.parked);
                    match parked.get(provider) {
                        Some(p) if p.record_id == hold => parked.remove(provider),
                        _ => None,
                    }
                };
                if let Some(p) = due {
                    this.deliver(p.record_id, p.callback, p.duplicate).await;
                }
            });
            return;
        }
        drop(parked);
        let this = self.clone();
        self.runtime.spawn(async move {
            this.deliver(record_id, callback, duplicate).await;
            // The held-back callback goes after the one that overtook it.
            if let Some(p) = earlier {
                this.deliver(p.record_id, p.callback, p.duplicate).await;
            }
        });
    }

    /// Posts a signed callback until the merchant answers 2xx or its schedule runs out;
    /// once more (as a second record) when `duplicate`.
    async fn deliver(&self, record_id: u64, callback: SignedCallback, duplicate: bool) {
        self.attempt_all(record_id, &callback).await;
        if duplicate {
            let again = self.push(signed_record(&callback, CallbackOutcome::Pending));
            self.attempt_all(again, &callback).await;
        }
    }

    async fn attempt_all(&self, record_id: u64, callback: &SignedCallback) {
        let mut pauses = callback.resend_delays.iter();
        let mut attempts: u32 = 0;
        loop {
            attempts = attempts.saturating_add(1);
            let outcome = match self
                .client
                .post(&callback.url)
                .header("content-type", "application/json")
                .header(callback.signature_header, &callback.signature)
                .body(callback.body.clone())
                .send()
                .await
            {
                Ok(res) => CallbackOutcome::Delivered {
                    status: res.status().as_u16(),
                },
                Err(err) => CallbackOutcome::Failed {
                    error: err.to_string(),
                },
            };
            let accepted = matches!(outcome, CallbackOutcome::Delivered { status } if (200..300).contains(&status));
            self.finish(record_id, outcome, attempts);
            if accepted {
                return;
            }
            let Some(pause) = pauses.next() else {
                tracing::warn!(
                    provider = callback.provider,
                    url = %callback.url,
                    attempts,
                    "paykit-sim: callback not accepted, giving up"
                );
                return;
            };
            tokio::time::sleep(*pause).await;
        }
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

    fn finish(&self, id: u64, outcome: CallbackOutcome, attempts: u32) {
        if let Some((_, record)) = lock(&self.log).iter_mut().find(|(i, _)| *i == id) {
            record.outcome = outcome;
            record.attempts = attempts;
        }
    }
}

fn signed_record(callback: &SignedCallback, outcome: CallbackOutcome) -> CallbackRecord {
    CallbackRecord {
        provider: callback.provider,
        url: callback.url.clone(),
        content_type: "application/json",
        body: callback.body.clone(),
        headers: vec![(
            callback.signature_header.to_owned(),
            callback.signature.clone(),
        )],
        attempts: 0,
        outcome,
    }
}

/// A signature of the same length and alphabet that does not verify: one bit of the
/// signature flipped (or, for text that is not base64, a base64 block of zeros).
fn corrupt(signature: &str) -> String {
    match STANDARD.decode(signature) {
        Ok(mut bytes) if !bytes.is_empty() => {
            let middle = bytes.len() / 2;
            if let Some(b) = bytes.get_mut(middle) {
                *b ^= 0x01;
            }
            STANDARD.encode(bytes)
        }
        _ => STANDARD.encode([0_u8; 256]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupted_signature_differs_but_keeps_its_shape() {
        let good = STANDARD.encode([7_u8; 256]);
        let bad = corrupt(&good);
        assert_ne!(bad, good);
        assert_eq!(STANDARD.decode(&bad).unwrap().len(), 256);
        assert_eq!(STANDARD.decode(corrupt("not base64!")).unwrap().len(), 256);
    }
}
