//! Header-signed callbacks with real-time resends (the Bank of Georgia Payments API): the
//! same signed bytes are posted again after each pause of the schedule while the merchant
//! does not answer 2xx, subject to the dropped, bad-signature, duplicate and reorder faults.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{CallbackOutcome, CallbackRecord, Dispatcher};
use crate::faults::{Injected, REORDER_HOLD};
use crate::lock::lock;

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
pub(super) struct Parked {
    /// Its first attempt's record (which also tells this hold apart from a later one, for
    /// the timer).
    record_id: u64,
    callback: SignedCallback,
    duplicate: bool,
}

impl Dispatcher {
    /// Delivers a header-signed JSON callback in the background: resent after each pause
    /// of its schedule while the merchant answers non-2xx or cannot be reached, and subject
    /// to the dropped, bad-signature, duplicate and reorder faults.
    pub(crate) fn send_signed(&self, mut callback: SignedCallback) {
        let provider = callback.provider;
        if self.faults.roll(provider, Injected::DroppedCallback) {
            self.push(record(&callback, 1, CallbackOutcome::Dropped));
            tracing::info!(provider, url = %callback.url, "paykit-sim: callback dropped by fault");
            return;
        }
        if self.faults.roll(provider, Injected::BadSignature) {
            callback.signature = corrupt(&callback.signature);
        }
        let duplicate = self.faults.roll(provider, Injected::DuplicatedCallback);
        let record_id = self.push(record(&callback, 1, CallbackOutcome::Pending));
        let mut parked = lock(&self.parked);
        let earlier = parked.remove(provider);
        // Only one callback is held back at a time: the next one releases it.
        if earlier.is_none() && self.faults.roll(provider, Injected::ReorderedCallback) {
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
                        Some(p) if p.record_id == record_id => parked.remove(provider),
                        _ => None,
                    }
                };
                if let Some(p) = due {
                    this.deliver_signed(p).await;
                }
            });
            return;
        }
        drop(parked);
        let this = self.clone();
        self.runtime.spawn(async move {
            this.deliver_signed(Parked {
                record_id,
                callback,
                duplicate,
            })
            .await;
            // The held-back callback goes after the one that overtook it.
            if let Some(p) = earlier {
                this.deliver_signed(p).await;
            }
        });
    }

    /// Posts a signed callback until the merchant answers 2xx or its schedule runs out;
    /// then once more, resends included, when `duplicate` (its attempts count on).
    async fn deliver_signed(&self, p: Parked) {
        let last = self.attempt_all(p.record_id, 1, &p.callback).await;
        if p.duplicate {
            let next = last.saturating_add(1);
            let again = self.push(record(&p.callback, next, CallbackOutcome::Pending));
            self.attempt_all(again, next, &p.callback).await;
        }
    }

    /// Posts attempt `attempt` (record `record_id`, already pushed) and the resends it
    /// needs, one record each; the number of the last attempt made.
    async fn attempt_all(&self, record_id: u64, attempt: u32, callback: &SignedCallback) -> u32 {
        let headers = [(
            callback.signature_header.to_owned(),
            callback.signature.clone(),
        )];
        let mut pauses = callback.resend_delays.iter();
        let (mut id, mut attempt) = (record_id, attempt);
        loop {
            let accepted = self
                .post(
                    id,
                    callback.provider,
                    &callback.url,
                    "application/json",
                    &callback.body,
                    &headers,
                )
                .await
                .is_accepted();
            if accepted {
                return attempt;
            }
            let Some(pause) = pauses.next() else {
                tracing::warn!(
                    provider = callback.provider,
                    url = %callback.url,
                    attempt,
                    "paykit-sim: callback not accepted, giving up"
                );
                return attempt;
            };
            tokio::time::sleep(*pause).await;
            attempt = attempt.saturating_add(1);
            id = self.push(record(callback, attempt, CallbackOutcome::Pending));
        }
    }
}

fn record(callback: &SignedCallback, attempt: u32, outcome: CallbackOutcome) -> CallbackRecord {
    CallbackRecord {
        provider: callback.provider,
        url: callback.url.clone(),
        content_type: "application/json",
        body: callback.body.clone(),
        headers: vec![(
            callback.signature_header.to_owned(),
            callback.signature.clone(),
        )],
        attempt,
        outcome,
    }
}

/// A signature of the same length and alphabet that does not verify: one bit of the
/// signature flipped (or, for text that is not base64, a base64 block of zeros).
pub(super) fn corrupt(signature: &str) -> String {
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
