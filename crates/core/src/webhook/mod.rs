//! Callbacks from providers: verified over the raw bytes before anything is believed.

mod confirm;
mod crypto;

use async_trait::async_trait;
use http::HeaderMap;

use crate::error::{Error, ProviderId, Result, SignatureError};
use crate::outcome::PaymentOutcome;

pub use crypto::{RsaPublicKey, constant_time_eq, sha256};

/// The largest callback body an adapter accepts by default. Real callbacks are well under 4 KiB;
/// the bound keeps a flood of huge forged bodies from costing parse and hash time.
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

/// A callback exactly as received: headers and the raw body bytes.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    /// The request headers (may be empty when only the body was kept).
    pub headers: Option<&'a HeaderMap>,
    /// The body, byte for byte.
    pub body: &'a [u8],
}

impl<'a> WebhookRequest<'a> {
    /// A callback with headers.
    pub fn new(headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        WebhookRequest {
            headers: Some(headers),
            body,
        }
    }

    /// A callback of which only the body is known.
    pub fn body_only(body: &'a [u8]) -> Self {
        WebhookRequest {
            headers: None,
            body,
        }
    }

    /// The body, if it is at most `limit` bytes; otherwise a [`SignatureError::BadBody`] error
    /// before any parsing or hashing. Adapters call this first with [`MAX_CALLBACK_BYTES`] (or
    /// their configured limit).
    pub fn bounded_body(&self, limit: usize) -> Result<&'a [u8]> {
        if self.body.len() > limit {
            return Err(Error::Signature(SignatureError::BadBody(format!(
                "body of {} bytes is over the {limit}-byte limit",
                self.body.len()
            ))));
        }
        Ok(self.body)
    }

    /// A header's value as text, if present and printable.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers?.get(name)?.to_str().ok()
    }
}

/// How an event was proven authentic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authenticity {
    /// The provider's signature over the body checked out. Where the signature covers values
    /// only (maib, miaPOS), the field *names* are not bound: confirm before fulfilment
    /// ([`VerifiedEvent::confirm_with`], [`VerifiedEvent::is_fit_for_fulfilment`]).
    Signed,
    /// The provider, queried directly, confirmed the decisive fields (id, amount, currency,
    /// state): after a signature check, or for unsigned callbacks after matching what the
    /// merchant stored.
    Confirmed,
}

/// What a callback announces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A payment changed state.
    Payment(PaymentOutcome),
    /// A refund happened; the outcome is the payment after it.
    Refund(PaymentOutcome),
    /// An event this version does not model, kept as received.
    Unknown {
        /// The provider's event name, if any.
        name: Option<String>,
        /// The body, lossily decoded.
        raw: String,
    },
}

/// An authentic callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedEvent {
    /// Who sent it.
    pub provider: ProviderId,
    /// How it was proven authentic.
    pub authenticity: Authenticity,
    /// Providers retry callbacks: process each `dedupe_key` once.
    pub dedupe_key: String,
    /// What happened.
    pub kind: EventKind,
}

impl VerifiedEvent {
    /// An event.
    pub fn new(
        provider: ProviderId,
        authenticity: Authenticity,
        dedupe_key: impl Into<String>,
        kind: EventKind,
    ) -> Self {
        VerifiedEvent {
            provider,
            authenticity,
            dedupe_key: dedupe_key.into(),
            kind,
        }
    }

    /// The payment the event is about, if it is a payment or refund event.
    pub fn payment(&self) -> Option<&PaymentOutcome> {
        match &self.kind {
            EventKind::Payment(outcome) | EventKind::Refund(outcome) => Some(outcome),
            EventKind::Unknown { .. } => None,
        }
    }
}

/// Verifies a provider's callbacks. An event is returned only when it is authentic.
///
/// ```no_run
/// use paykit_core::{Webhook, WebhookRequest};
///
/// async fn on_callback(hook: &dyn Webhook, body: &[u8]) -> u16 {
///     match hook.verify(&WebhookRequest::body_only(body)).await {
///         Ok(event) => {
///             // Record event.dedupe_key first: providers deliver the same callback more than once.
///             println!("{:?}", event.kind);
///             200
///         }
///         Err(_) => 400,
///     }
/// }
/// ```
#[async_trait]
pub trait Webhook: Send + Sync {
    /// Checks the callback and parses it.
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_bodies_are_refused_before_parsing() {
        let body = vec![b' '; MAX_CALLBACK_BYTES + 1];
        let request = WebhookRequest::body_only(&body);
        assert!(matches!(
            request.bounded_body(MAX_CALLBACK_BYTES),
            Err(Error::Signature(SignatureError::BadBody(_)))
        ));
        let fits = &body[..MAX_CALLBACK_BYTES];
        assert_eq!(
            WebhookRequest::body_only(fits)
                .bounded_body(MAX_CALLBACK_BYTES)
                .ok()
                .map(<[u8]>::len),
            Some(MAX_CALLBACK_BYTES)
        );
    }
}
