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
use crate::types::{PaymentFacts, PaymentInfo};

mod checkout_page;
mod envelope;
mod keys;
mod quick;
mod shape;

use envelope::Value;
use shape::Checked;

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
    let mut fields = quick::Fields::new();
    if quick::read(body, &mut fields).is_some() {
        return canonical(fields.as_mut_slice());
    }
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
    if push_plain_two_decimals(canonical, literal) {
        return Ok(());
    }
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

/// [`push_two_decimals`] for a plain literal, without a `Decimal`: parsing, normalizing,
/// rescaling and formatting one cost more than building the rest of the canonical string
/// (issue 16 profile). Plain is `0` or a digit string without a leading zero, optionally
/// followed by `.` and digits, 24 bytes at most (well inside `Decimal`'s 28 exact digits),
/// with at most two significant decimals; for those the answer is the digits before the point,
/// a point and the significant decimals padded to two, which is what the `Decimal` path
/// writes. Anything else (a sign, an exponent, spaces or quotes in a string amount, leading
/// zeros, more decimals) is `false` and left to that path.
fn push_plain_two_decimals(canonical: &mut String, literal: &str) -> bool {
    let (whole, decimals) = match literal.split_once('.') {
        Some((whole, decimals)) if !decimals.is_empty() => (whole, decimals),
        Some(_) => return false,
        None => (literal, ""),
    };
    let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    let plain_whole = match whole.as_bytes() {
        [b'0'] => true,
        [b'1'..=b'9', ..] => digits(whole),
        _ => false,
    };
    let significant = decimals.trim_end_matches('0');
    if !plain_whole || !digits(decimals) || literal.len() > 24 || significant.len() > 2 {
        return false;
    }
    canonical.push_str(whole);
    canonical.push('.');
    canonical.push_str(significant);
    for _ in significant.len()..2 {
        canonical.push('0');
    }
    true
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

    /// Every path in, as the typed result.
    pub(crate) async fn verify_bounded(&self, request: &WebhookRequest<'_>) -> Result<PaymentInfo> {
        self.verify_as(request, |checked| checked.to_info()).await
    }

    /// Every path in, as the common event: made from the checked fields in the body, with no
    /// typed copy first.
    pub(crate) async fn verify_event(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        self.verify_as(request, |checked| event_of(&checked.facts()))
            .await
    }

    /// Every path in: the body cap first, before any parsing, hashing or key fetch; `make` is
    /// what a verified callback's checked `result` becomes.
    ///
    /// With a key given, or a cached key still fresh, nothing is awaited: the body is read and
    /// checked by [`check_with`] on the stack. Only a key fetch (no fresh key) or a mismatch
    /// (which may refetch) awaits, each in a boxed future of its own: they are rare, and
    /// their state held inline made every call's future kilobytes to move.
    async fn verify_as<T>(
        &self,
        request: &WebhookRequest<'_>,
        make: impl Fn(&Checked<'_>) -> T + Copy,
    ) -> Result<T> {
        let body = request.bounded_body(self.body_limit)?;
        let remote = match &self.source {
            KeySource::Fixed(key) => return check_with(body, |m, s| key.verify(m, s), make),
            KeySource::Remote(remote) => remote,
        };
        // The key cache's steps: a fresh key (or one fetched, a failure's back-off, an expired
        // key), a verify, and on a mismatch one refetch when allowed. Taking a fresh key before
        // reading the body is not observable: looking at the cache changes nothing.
        let arrived = tokio::time::Instant::now();
        let used = match remote.fresh(arrived) {
            Some(used) => used,
            None => {
                // A body refused is refused before any key is fetched: read up to the
                // signature first (the same reading `check_with` repeats with the key).
                read_then(body, |_, _, _| Ok(()))?;
                Box::pin(remote.current()).await?
            }
        };
        match check_with(body, |m, s| used.key().verify(m, s), make) {
            Err(Error::Signature(SignatureError::Mismatch)) => {}
            checked => return checked,
        }
        // Only the key's verify answers `Mismatch`: the body read and decoded, and the same
        // reading gives the same message and signature to the newer key.
        match Box::pin(remote.after_mismatch(&used, arrived)).await {
            Some(newer) => check_with(body, |m, s| newer.verify(m, s), make),
            None => Err(Error::Signature(SignatureError::Mismatch)),
        }
    }
}

/// A callback body read, its canonical string built and its signature decoded, all borrowed
/// from the body, and handed to `then` with `result`'s fields (sorted by key). One pass over
/// the bytes: the usual shape is read straight into an array (`quick.rs`), any other body by
/// the general reader.
fn read_then<T>(
    body: &[u8],
    then: impl FnOnce(&[u8], &[u8], &[(&str, Value<'_>)]) -> Result<T>,
) -> Result<T> {
    let mut usual = quick::Fields::new();
    let document;
    let mut general;
    let (fields, encoded) = match quick::read(body, &mut usual) {
        Some(signature) => (usual.as_mut_slice(), signature),
        None => {
            document = envelope::parse(body)?;
            general = envelope::envelope(&document)?;
            (general.fields.as_mut_slice(), general.signature)
        }
    };
    let canonical = canonical(fields)?;
    let encoded = encoded.ok_or(Error::Signature(SignatureError::Missing))?;
    let mut room = [0_u8; SIGNATURE_ROOM];
    let mut spill = Vec::new();
    let signature = decode_signature(encoded, &mut room, &mut spill)?;
    then(canonical.as_bytes(), signature, fields)
}

/// A callback body read ([`read_then`]), its canonical string and signature handed to `verify`,
/// and, when that passes, its `result` checked and made into what `make` makes of it.
fn check_with<T>(
    body: &[u8],
    verify: impl FnOnce(&[u8], &[u8]) -> Result<()>,
    make: impl Fn(&Checked<'_>) -> T,
) -> Result<T> {
    read_then(body, |message, signature, fields| {
        verify(message, signature)?;
        shape::checked(fields).map(|checked| make(&checked))
    })
}

/// Room for the signature of a key of up to 4096 bits, decoded without allocating.
const SIGNATURE_ROOM: usize = 512;

/// The signature's bytes, decoded into `room` when they fit (always, for a real key) and into
/// `spill` otherwise: the same verdict as decoding into a fresh vector, which sizes it by the
/// same estimate. Undecodable or empty is [`SignatureError::Malformed`].
fn decode_signature<'b>(
    encoded: &str,
    room: &'b mut [u8; SIGNATURE_ROOM],
    spill: &'b mut Vec<u8>,
) -> Result<&'b [u8]> {
    let malformed = || Error::Signature(SignatureError::Malformed);
    let input = encoded.trim().as_bytes();
    let estimate = base64::decoded_len_estimate(input.len());
    let decoded: &'b [u8] = match room.get_mut(..estimate) {
        Some(out) => {
            let len = STANDARD
                .decode_slice(input, &mut *out)
                .map_err(|_| malformed())?;
            let out: &'b [u8] = out;
            out.get(..len).unwrap_or_default()
        }
        None => {
            *spill = STANDARD.decode(input).map_err(|_| malformed())?;
            spill
        }
    };
    if decoded.is_empty() {
        return Err(malformed());
    }
    Ok(decoded)
}

/// The dedupe key of a payment's state: `paymentId:STATUS`. A payment reaches each state once,
/// so the key names one event; a later state of the same payment has another key.
pub(crate) fn dedupe_key(payment_id: &str, status: &MiaPosStatus) -> String {
    format!("{payment_id}:{status}")
}

/// The event for a verified callback: signed, not yet confirmed.
#[cfg(test)]
pub(crate) fn event(info: &PaymentInfo) -> VerifiedEvent {
    event_of(&PaymentFacts::of(info))
}

/// The event of a verified callback's payment, whether typed or read from the body: the one
/// place its dedupe key and outcome are made.
fn event_of(facts: &PaymentFacts<'_>) -> VerifiedEvent {
    VerifiedEvent::new(
        PROVIDER,
        Authenticity::Signed,
        dedupe_key(facts.payment_id, facts.status),
        EventKind::Payment(facts.outcome()),
    )
}

#[async_trait]
impl Webhook for MiaPosWebhook {
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        self.verify_event(request).await
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
