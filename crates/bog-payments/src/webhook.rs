//! Callbacks (§7): `Callback-Signature` is RSA PKCS#1 v1.5 SHA-256 over the exact raw body,
//! standard base64. It is verified **before** the body is parsed, against the environment's
//! published key and any configured one; a header a proxy percent-encoded is decoded once and
//! tried again (§7.2 step 3). Only then is the envelope `{event, zoned_request_time, body}`
//! read; `body` is the receipt. The order must be one this client created: its recorded amount
//! and currency must match the callback's `request_amount` and `currency_code`.

mod lean;

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use paykit_core::webhook::{RsaPublicKey, sha256};
use paykit_core::{
    Authenticity, Error, EventKind, MAX_CALLBACK_BYTES, PaymentRecords, PaymentStatus, Result,
    SignatureError, VerifiedEvent, Webhook, WebhookRequest, async_trait,
};
use serde_json::Value;

use crate::facts::ReceiptFacts;
use crate::receipt::Receipt;
use crate::translate::{outcome_for, outcome_for_receipt};
use crate::{BogPaymentsClient, PROVIDER};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "Callback-Signature";

/// Signature lengths of 2048-, 3072- and 4096-bit keys.
const SIGNATURE_LENGTHS: [usize; 3] = [256, 384, 512];

/// A callback that passed the signature check, parsed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallbackEvent {
    /// `event`; `order_payment` is the only value seen.
    pub event: String,
    /// `zoned_request_time`: when BOG sent it (UTC), for ordering.
    pub request_time: Option<String>,
    /// The payment details, as `GET /receipt` would answer.
    pub receipt: Receipt,
    /// A key that is the same for resends of this event and differs between events.
    pub dedupe_key: String,
}

/// Verifies `signature` (the header value) over `body` with any of `keys`.
pub fn verify_signature(body: &[u8], signature: Option<&str>, keys: &[RsaPublicKey]) -> Result<()> {
    verify_signature_from(body, signature, keys, 0).map(drop)
}

/// [`verify_signature`], trying `keys[first]` before the others (which follow in order), and
/// answering which key verified. The verdict is the same whatever `first` is: one key of
/// `keys` verifies or none does.
fn verify_signature_from(
    body: &[u8],
    signature: Option<&str>,
    keys: &[RsaPublicKey],
    first: usize,
) -> Result<usize> {
    let header = signature
        .map(|s| s.trim_matches(|c: char| c.is_ascii_whitespace()))
        .filter(|s| !s.is_empty())
        .ok_or(Error::Signature(SignatureError::Missing))?;
    let mut room = [0_u8; SIGNATURE_ROOM];
    let mut spill = Vec::new();
    let decoded = match decode_standard(header.as_bytes(), &mut room, &mut spill) {
        Some(bytes) => bytes,
        None => {
            let unescaped =
                percent_decode(header).ok_or(Error::Signature(SignatureError::Malformed))?;
            spill = STANDARD
                .decode(unescaped.as_bytes())
                .map_err(|_| Error::Signature(SignatureError::Malformed))?;
            &spill
        }
    };
    if !SIGNATURE_LENGTHS.contains(&decoded.len()) {
        return Err(Error::Signature(SignatureError::Malformed));
    }
    // A refusal costs up to a whole RSA verify: the key that verified last goes first.
    let first = first.min(keys.len().saturating_sub(1));
    let order = std::iter::once(first).chain((0..keys.len()).filter(|i| *i != first));
    for index in order {
        if keys
            .get(index)
            .is_some_and(|key| key.verify(body, decoded).is_ok())
        {
            return Ok(index);
        }
    }
    Err(Error::Signature(SignatureError::Mismatch))
}

/// Room for the largest signature accepted ([`SIGNATURE_LENGTHS`]), decoded without
/// allocating.
const SIGNATURE_ROOM: usize = 512;

/// Standard base64 decoded into `room` when its length estimate fits (always, for a signature
/// of an accepted length), else into `spill`: the same verdict and bytes as decoding into a
/// fresh vector, which is sized by the same estimate. `None` when it does not decode.
fn decode_standard<'b>(
    input: &[u8],
    room: &'b mut [u8; SIGNATURE_ROOM],
    spill: &'b mut Vec<u8>,
) -> Option<&'b [u8]> {
    let estimate = base64::decoded_len_estimate(input.len());
    match room.get_mut(..estimate) {
        Some(out) => {
            let len = STANDARD.decode_slice(input, &mut *out).ok()?;
            let out: &'b [u8] = out;
            out.get(..len)
        }
        None => {
            *spill = STANDARD.decode(input).ok()?;
            Some(spill)
        }
    }
}

/// One round of `%XX` decoding; `None` when an escape is broken or there was none.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Parses a verified callback body.
pub fn parse_callback(body: &[u8]) -> Result<CallbackEvent> {
    let bad = |reason: &str| Error::Signature(SignatureError::BadBody(reason.to_owned()));
    let mut value: Value = serde_json::from_slice(body).map_err(|_| bad("not JSON"))?;
    let event = value
        .get("event")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no `event`"))?
        .to_owned();
    let request_time = value
        .get("zoned_request_time")
        .and_then(Value::as_str)
        .map(str::to_owned);
    // Moved out, not cloned: the receipt keeps it as `raw`, and the envelope is dropped.
    let inner = value
        .get_mut("body")
        .map(Value::take)
        .ok_or_else(|| bad("no `body`"))?;
    let receipt = Receipt::from_value(inner).map_err(|e| bad(&e.to_string()))?;
    let dedupe_key = dedupe_key(&event, &receipt.facts());
    Ok(CallbackEvent {
        event,
        request_time,
        receipt,
        dedupe_key,
    })
}

/// `event:order:status:transfer:refund:last action`: resends repeat it (their
/// `zoned_request_time` may differ), every new state or action changes it.
///
/// Written into one buffer: a `format!` of owned pieces was three allocations and most of the
/// time the event took to build (issue 16 profile).
fn dedupe_key(event: &str, facts: &ReceiptFacts<'_>) -> String {
    let push_amount = |key: &mut String, amount: Option<paykit_core::Decimal>| match amount {
        // Writing into a `String` cannot fail.
        Some(amount) => drop(write!(key, "{}", amount.normalize())),
        None => key.push('-'),
    };
    let last_action = facts.last_action();
    let status = facts.status.as_str();
    let mut key = String::with_capacity(
        event.len() + facts.order_id.len() + status.len() + last_action.len() + 32,
    );
    for part in [event, ":", facts.order_id, ":", status, ":"] {
        key.push_str(part);
    }
    push_amount(&mut key, facts.transfer_amount);
    key.push(':');
    push_amount(&mut key, facts.refund_amount);
    key.push(':');
    key.push_str(last_action);
    key
}

/// The verifier of BOG Payments callbacks. Get one from [`BogPaymentsClient::webhook`].
#[derive(Clone)]
pub struct BogPaymentsWebhook {
    keys: Vec<RsaPublicKey>,
    /// The index in `keys` of the key that verified last, tried first (shared by clones).
    last_key: Arc<AtomicUsize>,
    records: Arc<dyn PaymentRecords>,
    require_record: bool,
    max_body: usize,
}

impl std::fmt::Debug for BogPaymentsWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BogPaymentsWebhook")
            .field("keys", &self.keys)
            .field("require_record", &self.require_record)
            .finish_non_exhaustive()
    }
}

impl BogPaymentsWebhook {
    pub(crate) fn new(keys: Vec<RsaPublicKey>, records: Arc<dyn PaymentRecords>) -> Self {
        BogPaymentsWebhook {
            keys,
            last_key: Arc::new(AtomicUsize::new(0)),
            records,
            require_record: true,
            max_body: MAX_CALLBACK_BYTES,
        }
    }

    /// Accepts callbacks of orders this client has no record of (created elsewhere). Their
    /// amount cannot be checked; default off.
    pub fn accept_unrecorded_orders(mut self) -> Self {
        self.require_record = false;
        self
    }

    /// Verifies the signature, parses, and checks the order against the payment records.
    pub async fn verify_callback(&self, request: &WebhookRequest<'_>) -> Result<CallbackEvent> {
        let body = request.bounded_body(self.max_body)?;
        self.verify_header(body, request)?;
        let event = parse_callback(body)?;
        self.check_record(&event.receipt.facts()).await?;
        Ok(event)
    }

    /// [`Self::verify_callback`] for the common event: the same checks and answer, the body
    /// read in place by [`lean::read`] when it has the common shape (no [`Receipt`] is built:
    /// the event is made from the fields borrowed from the body), by [`parse_callback`]
    /// otherwise. Both give the same [`ReceiptFacts`], which one builder turns into the event.
    async fn verify_event(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        let body = request.bounded_body(self.max_body)?;
        self.verify_header(body, request)?;
        let envelope = lean::envelope(body);
        if let Some(lean) = envelope.as_ref().ok().and_then(|e| lean::read(e).ok()) {
            self.check_record(&lean.facts).await?;
            return Ok(common_event(lean.event, &lean.facts));
        }
        drop(envelope);
        let event = parse_callback(body)?;
        let facts = event.receipt.facts();
        self.check_record(&facts).await?;
        Ok(common_event(&event.event, &facts))
    }

    /// [`verify_signature`] of the request's header, the key that verified last tried first.
    fn verify_header(&self, body: &[u8], request: &WebhookRequest<'_>) -> Result<()> {
        // Relaxed: the index is a hint for the order of tries, never part of the verdict.
        let first = self.last_key.load(Ordering::Relaxed);
        let matched =
            verify_signature_from(body, request.header(SIGNATURE_HEADER), &self.keys, first)?;
        if matched != first {
            self.last_key.store(matched, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn check_record(&self, facts: &ReceiptFacts<'_>) -> Result<()> {
        let integrity = |field: &str, expected: String, actual: String| Error::Integrity {
            provider: PROVIDER,
            field: field.to_owned().into(),
            expected,
            actual,
        };
        let Some(record) = self.records.get(PROVIDER, facts.order_id).await? else {
            if self.require_record {
                return Err(integrity(
                    "order_id",
                    "an order this client created".into(),
                    facts.order_id.to_owned(),
                ));
            }
            return Ok(());
        };
        if let Some(expected) = record.ids.merchant_reference.as_deref() {
            if facts.external_order_id != Some(expected) {
                return Err(integrity(
                    "external_order_id",
                    expected.to_owned(),
                    facts.external_order_id.unwrap_or_default().to_owned(),
                ));
            }
        }
        if let Some(amount) = record.amount {
            let currency = facts.currency_code.unwrap_or_default();
            if currency != amount.currency().code() {
                return Err(integrity(
                    "currency_code",
                    amount.currency().code().into(),
                    currency.to_owned(),
                ));
            }
            let requested = facts.request_amount.map(|a| a.normalize());
            if requested != Some(amount.amount().normalize()) {
                return Err(integrity(
                    "request_amount",
                    amount.amount().to_string(),
                    requested.map_or_else(String::new, |a| a.to_string()),
                ));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Webhook for BogPaymentsWebhook {
    /// An authentic callback as a [`VerifiedEvent`] ([`Authenticity::Signed`]: the signature
    /// covers every byte). Refund states are [`EventKind::Refund`]. For money-moving
    /// transitions, confirm with [`BogPaymentsClient::confirm_event`] before granting value.
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        self.verify_event(request).await
    }
}

/// A verified callback as the common event, from its `event` and its receipt's facts: the one
/// builder of both readers' events.
fn common_event(event: &str, facts: &ReceiptFacts<'_>) -> VerifiedEvent {
    let outcome = outcome_for(facts);
    let kind = match outcome.status {
        PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded => EventKind::Refund(outcome),
        _ => EventKind::Payment(outcome),
    };
    VerifiedEvent::new(
        PROVIDER,
        Authenticity::Signed,
        dedupe_key(event, facts),
        kind,
    )
}

impl BogPaymentsClient {
    /// A callback verifier over this client's keys and payment records.
    pub fn webhook(&self) -> BogPaymentsWebhook {
        BogPaymentsWebhook::new(self.inner.callback_keys.clone(), self.inner.records.clone())
    }

    /// Re-reads the receipt of `event`'s payment and cross-checks it
    /// ([`VerifiedEvent::confirm_with`]): the answer is [`Authenticity::Confirmed`], fit for
    /// fulfilment.
    pub async fn confirm_event(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        let Some(payment) = event.payment() else {
            return Ok(event);
        };
        let receipt = self.receipt(&payment.provider_payment_id).await?;
        event.confirm_with(&outcome_for_receipt(&receipt))
    }
}

/// SHA-256 of a body, hex: a merchant-side dedupe key of the exact bytes, when wanted.
pub fn body_digest(body: &[u8]) -> String {
    sha256(body).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
