//! One callback sent on demand and awaited ([`Dispatcher::send_now`], for
//! [`crate::Simulator::trigger_callback`] and `POST /_sim/trigger`): built by the same
//! provider code as every other delivery, posted once, and recorded like any other attempt.
//!
//! The faults that change what one post carries apply as for normal delivery: the
//! dropped-callback fault (the record says `Dropped`), and for header-signed callbacks a bad
//! signature, and for Maya's webhooks a stale timestamp or missing signature headers. The
//! faults about a delivery's sequence do not: a trigger is never duplicated, held back for
//! reordering, resent or retried, because the caller asked for exactly one post now and
//! waits for its outcome (trigger again to send a duplicate).

use super::signed::corrupt;
use super::{CallbackBody, CallbackOutcome, CallbackRecord, Delivery, Dispatcher, SignedCallback};
use crate::faults::Injected;

/// A callback built from a payment's current state, ready to go.
pub(crate) enum Prepared {
    /// Posted as built: body-signed (maib, miaPOS) or unsigned (iPay).
    Plain {
        /// The provider's short name.
        provider: &'static str,
        /// Where it goes.
        url: String,
        /// The exact body.
        body: CallbackBody,
    },
    /// Signed in a header over the exact bytes (the Payments API).
    Signed(SignedCallback),
    /// Signed afresh when posted (Maya's gateway).
    Scheduled(Delivery),
}

impl Prepared {
    /// Where it goes.
    pub(crate) fn url(&self) -> &str {
        match self {
            Self::Plain { url, .. } => url,
            Self::Signed(c) => &c.url,
            Self::Scheduled(d) => &d.url,
        }
    }

    fn provider(&self) -> &'static str {
        match self {
            Self::Plain { provider, .. } => provider,
            Self::Signed(c) => c.provider,
            Self::Scheduled(d) => d.provider,
        }
    }
}

impl Dispatcher {
    /// Posts `prepared` once and waits for the merchant's answer (or the delivery timeout);
    /// the attempt's record, with its outcome. Also kept in the callback log.
    pub(crate) async fn send_now(&self, prepared: Prepared) -> CallbackRecord {
        let provider = prepared.provider();
        let dropped = self.faults.roll(provider, Injected::DroppedCallback);
        let url = prepared.url().to_owned();
        let (content_type, body, headers) = match prepared {
            Prepared::Plain { body, .. } => (body.content_type(), body.text().to_owned(), vec![]),
            Prepared::Signed(c) if dropped => ("application/json", c.body, vec![]),
            Prepared::Signed(c) => {
                let signature = if self.faults.roll(provider, Injected::BadSignature) {
                    corrupt(&c.signature)
                } else {
                    c.signature
                };
                let headers = vec![(c.signature_header.to_owned(), signature)];
                ("application/json", c.body, headers)
            }
            Prepared::Scheduled(d) if dropped => ("application/json", d.body, vec![]),
            Prepared::Scheduled(d) => {
                // The header function rolls Maya's per-attempt signature faults.
                let headers = (d.headers)(d.clock.now_ms())
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value))
                    .collect();
                ("application/json", d.body, headers)
            }
        };
        let mut record = CallbackRecord {
            provider,
            url,
            content_type,
            body,
            headers,
            attempt: 1,
            outcome: if dropped {
                CallbackOutcome::Dropped
            } else {
                CallbackOutcome::Pending
            },
        };
        let id = self.push(record.clone());
        if dropped {
            tracing::info!(provider, url = %record.url, "paykit-sim: triggered callback dropped by fault");
            return record;
        }
        record.outcome = self
            .post(
                id,
                provider,
                &record.url,
                content_type,
                &record.body,
                &record.headers,
            )
            .await;
        record
    }
}
