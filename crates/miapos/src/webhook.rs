//! Callback verification (miapos.md §3.7, §4).
//!
//! miaPOS POSTs `{"result": {...}, "signature": "<base64>"}` to the merchant's `callbackUrl`.
//! The signature is RSASSA-PKCS1-v1_5 with SHA-256 over a *canonical string* built from the
//! `result` object as received:
//!
//! 1. every key present, including keys this crate does not model (`checkoutPage`, future
//!    fields); keys whose value is `null` are dropped;
//! 2. keys sorted byte-wise (Java `TreeMap`, PHP `ksort`);
//! 3. `amount` written with exactly two decimals from its decimal literal (`1775` / `1775.0` /
//!    `1775.00` → `1775.00`); strings verbatim; other numbers as their literal; booleans,
//!    arrays and objects have no defined form and are refused;
//! 4. values joined with `;`, encoded as UTF-8.
//!
//! The verification key comes from `GET /public-key` (Bearer token), cached per base URL in a
//! [`PublicKeyCache`] (`keys.rs`: TTL, single flight, a back-off after failed fetches, an
//! expired key used when no new one can be had, one refetch per cool-down on a mismatch). A
//! key can also be supplied directly ([`MiaPosWebhook::with_public_key`]). Every path caps the
//! body first ([`MiaPosWebhook::with_body_limit`], default [`MAX_CALLBACK_BYTES`]).
//!
//! The signature covers the values of `result`, not their names, so after it checks out every
//! documented field must have its documented type and shape (`shape.rs`); a body that breaks
//! any rule is refused. Even then a signed event is [`Authenticity::Signed`], not fit for
//! fulfilment: `MiaPos::verify_confirmed` asks miaPOS (`GET /payment/{id}`) and returns it
//! [`Authenticity::Confirmed`] (`confirm.rs`).
//!
//! Callbacks are sent **once, with no retries**: answer 2xx quickly, process idempotently on
//! [`VerifiedEvent::dedupe_key`] (the payment id and its status: one key per state a payment
//! reaches, so a later state of the same payment is never dropped as a duplicate), and
//! reconcile with polling (see the crate docs).

use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use paykit_core::webhook::{Authenticity, EventKind, RsaPublicKey, VerifiedEvent, Webhook};
use paykit_core::{Error, MAX_CALLBACK_BYTES, Result, SignatureError, WebhookRequest};

use crate::PROVIDER;
use crate::status::MiaPosStatus;
use crate::types::PaymentInfo;

mod checkout_page;
mod envelope;
mod keys;
mod shape;

use envelope::Value;

pub(crate) use keys::{Backoff, RemoteKeys, fetch_public_key, public_key_of, public_key_response};
pub use keys::{
    DEFAULT_KEY_FETCH_BACKOFF, DEFAULT_KEY_FETCH_MAX_BACKOFF, DEFAULT_KEY_REFETCH_COOLDOWN,
    DEFAULT_KEY_TTL, PublicKeyCache,
};

fn bad_body(why: impl Into<String>) -> Error {
    Error::Signature(SignatureError::BadBody(why.into()))
}

/// The canonical string miaPOS signs, built from a callback body's `result` (§4).
///
/// ```
/// let body = br#"{"result":{"terminalId":"TE0001","orderId":"A-78","paymentId":"11111111-2222-3333-4444-555555555555","status":"PENDING","amount":100,"currency":"MDL","paymentType":"qr"},"signature":"..."}"#;
/// assert_eq!(
///     paykit_miapos::canonical_string(body)?,
///     "100.00;MDL;A-78;11111111-2222-3333-4444-555555555555;qr;PENDING;TE0001"
/// );
/// # Ok::<(), paykit_core::Error>(())
/// ```
pub fn canonical_string(body: &[u8]) -> Result<String> {
    let document = envelope::parse(body)?;
    canonical(&mut envelope::envelope(&document)?.fields)
}

/// The canonical string of `result`'s fields, sorting them by key on the way.
///
/// One buffer, written in place: values are borrowed and `amount` is formatted straight into
/// it.
fn canonical(fields: &mut [(&str, Value<'_>)]) -> Result<String> {
    // `str` orders by bytes, which for UTF-8 is code-point order (Java TreeMap, PHP ksort).
    // The first bytes decide most comparisons of callback keys: compared inline before the
    // full (memcmp) comparison.
    fields.sort_unstable_by(|a, b| {
        let (a, b) = (a.0.as_bytes(), b.0.as_bytes());
        a.first().cmp(&b.first()).then_with(|| a.cmp(b))
    });
    if let Some(twice) = fields.windows(2).find_map(|pair| match pair {
        [a, b] if a.0 == b.0 => Some(a.0),
        _ => None,
    }) {
        return Err(bad_body(format!("`result.{twice}` appears twice")));
    }
    let room = fields.iter().map(|(_, value)| value_len(*value) + 4).sum();
    let mut canonical = String::with_capacity(room);
    let mut first = true;
    for (key, value) in fields.iter() {
        let text = match (*key, *value) {
            (_, Value::Null) => continue,
            (_, Value::Other) => {
                return Err(bad_body(format!(
                    "`result.{key}` is not a string or number; its signed form is undefined"
                )));
            }
            (_, Value::Text(text) | Value::Number(text)) => text,
        };
        // A `first` flag, not the buffer's length: a value may be the empty string.
        if !first {
            canonical.push(';');
        }
        first = false;
        if *key == "amount" {
            push_two_decimals(&mut canonical, text)?;
        } else {
            canonical.push_str(text);
        }
    }
    Ok(canonical)
}

fn value_len(value: Value<'_>) -> usize {
    match value {
        Value::Text(text) | Value::Number(text) => text.len(),
        Value::Null | Value::Other => 0,
    }
}

/// `amount` with exactly two decimals, from its literal (`12.5` → `12.50`, `100` → `100.00`).
fn push_two_decimals(canonical: &mut String, literal: &str) -> Result<()> {
    let amount = paykit_core::wire::parse_decimal_literal(literal)
        .ok_or_else(|| bad_body("`result.amount` is not a decimal number"))?;
    let mut amount = amount.normalize();
    if amount.scale() > 2 {
        return Err(bad_body(
            "`result.amount` has more than two decimals; its signed form is undefined",
        ));
    }
    amount.rescale(2);
    // Writing into a `String` cannot fail.
    let _ = write!(canonical, "{amount}");
    Ok(())
}

#[derive(Clone)]
enum KeySource {
    Fixed(RsaPublicKey),
    Remote(Arc<RemoteKeys>),
}

/// Verifies miaPOS callbacks. Get one from [`crate::MiaPos::webhook`] (key fetched and cached
/// through the API) or build one with a key you hold ([`MiaPosWebhook::with_public_key`]).
///
/// ```
/// use paykit_miapos::MiaPosWebhook;
///
/// # async fn run(body: &[u8]) -> paykit_core::Result<()> {
/// let hook = MiaPosWebhook::from_spki_base64("MIIBIjANBgkqhkiG9w0BAQEFAAOC...")?;
/// let payment = hook.verify_callback(body).await?;
/// println!("{} is {}", payment.payment_id, payment.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MiaPosWebhook {
    source: KeySource,
    body_limit: usize,
}

impl MiaPosWebhook {
    /// Verifies with `key` only; never fetches.
    pub fn with_public_key(key: RsaPublicKey) -> Self {
        MiaPosWebhook {
            source: KeySource::Fixed(key),
            body_limit: MAX_CALLBACK_BYTES,
        }
    }

    /// Verifies with the key in the form `GET /public-key` returns it (base64 DER
    /// SubjectPublicKeyInfo; PEM armour tolerated).
    pub fn from_spki_base64(spki_base64: &str) -> Result<Self> {
        RsaPublicKey::from_spki_base64(spki_base64).map(MiaPosWebhook::with_public_key)
    }

    pub(crate) fn remote(remote: Arc<RemoteKeys>) -> Self {
        MiaPosWebhook {
            source: KeySource::Remote(remote),
            body_limit: MAX_CALLBACK_BYTES,
        }
    }

    /// Refuses callback bodies longer than `limit` bytes before reading them (default
    /// [`MAX_CALLBACK_BYTES`]; real callbacks are well under 1 KiB).
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// Checks a callback body byte for byte and returns its `result`, typed.
    ///
    /// The signature binds values, not names: the fields of the answer are what miaPOS sent,
    /// but which name each value arrived under is only checked for shape. Confirm with
    /// `MiaPos::verify_confirmed` before fulfilling.
    ///
    /// Errors: [`Error::Signature`] for a missing, malformed or wrong signature, a body that
    /// is not a callback or is over the body limit ([`MiaPosWebhook::with_body_limit`]), or
    /// an authentic `result` whose fields break their documented shape (a missing or
    /// relabelled field, an unknown status, a string amount); the key fetch's own error when
    /// no key, not even an expired one, could be obtained (answer 5xx and reconcile by
    /// polling).
    pub async fn verify_callback(&self, body: &[u8]) -> Result<PaymentInfo> {
        self.verify_bounded(&WebhookRequest::body_only(body)).await
    }

    /// Every path in: the body cap first, before any parsing, hashing or key fetch.
    pub(crate) async fn verify_bounded(&self, request: &WebhookRequest<'_>) -> Result<PaymentInfo> {
        let body = request.bounded_body(self.body_limit)?;
        // One pass over the bytes; every field below borrows from this tree.
        let document = envelope::parse(body)?;
        let mut envelope = envelope::envelope(&document)?;
        let canonical = canonical(&mut envelope.fields)?;
        let encoded = envelope
            .signature
            .ok_or(Error::Signature(SignatureError::Missing))?;
        let signature = STANDARD
            .decode(encoded.trim().as_bytes())
            .map_err(|_| Error::Signature(SignatureError::Malformed))?;
        if signature.is_empty() {
            return Err(Error::Signature(SignatureError::Malformed));
        }
        let message = canonical.as_bytes();
        match &self.source {
            KeySource::Fixed(key) => key.verify(message, &signature)?,
            KeySource::Remote(remote) => remote.verify(message, &signature).await?,
        }
        shape::checked(&envelope.fields)
    }
}

/// The dedupe key of a payment's state: `paymentId:STATUS`. A payment reaches each state once,
/// so the key names one event; a later state of the same payment has another key.
pub(crate) fn dedupe_key(payment_id: &str, status: &MiaPosStatus) -> String {
    format!("{payment_id}:{status}")
}

/// The event for a verified callback: signed, not yet confirmed.
pub(crate) fn event(info: &PaymentInfo) -> VerifiedEvent {
    VerifiedEvent::new(
        PROVIDER,
        Authenticity::Signed,
        dedupe_key(&info.payment_id, &info.status),
        EventKind::Payment(info.to_outcome()),
    )
}

#[async_trait]
impl Webhook for MiaPosWebhook {
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        self.verify_bounded(request).await.map(|i| event(&i))
    }
}

impl fmt::Debug for MiaPosWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            KeySource::Fixed(key) => f
                .debug_struct("MiaPosWebhook")
                .field("key", key)
                .field("body_limit", &self.body_limit)
                .finish(),
            KeySource::Remote(remote) => f
                .debug_struct("MiaPosWebhook")
                .field("keys", remote)
                .field("body_limit", &self.body_limit)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests;
