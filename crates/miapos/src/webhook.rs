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
//! The verification key comes from `GET /ecomm/api/v1/public-key` (Bearer token), cached per
//! base URL in a [`PublicKeyCache`] with a time to live. When a signature does not verify, the
//! key is fetched again once (a rotated key) and the check repeated; concurrent failures share
//! that one fetch, and after it no further fetch happens within a cool-down, so forged
//! callbacks cannot make the client hammer the key endpoint. A key can also be supplied
//! directly ([`MiaPosWebhook::with_public_key`]).
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

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use paykit_core::http::{ApiRequest, Credential, Effect, HttpExecutor};
use paykit_core::json_literal::JsonLiteral;
use paykit_core::webhook::{Authenticity, EventKind, RsaPublicKey, VerifiedEvent, Webhook};
use paykit_core::{Error, PaymentRef, Result, SignatureError, WebhookRequest};
use tokio::time::Instant;

use crate::error::api_error;
use crate::status::MiaPosStatus;
use crate::types::{PaymentInfo, PublicKey};
use crate::{PROVIDER, wire};

mod shape;

/// Path of the key endpoint. (The spec's `/api/v1/public-key` answers 500.)
pub(crate) const PUBLIC_KEY_PATH: &str = "ecomm/api/v1/public-key";

/// Default time to live of a cached key (the key rotates about yearly).
pub const DEFAULT_KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Default minimum time between two key fetches caused by failed verifications.
pub const DEFAULT_KEY_REFETCH_COOLDOWN: Duration = Duration::from_secs(60);

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
    parse(body).map(|parsed| parsed.canonical)
}

/// A callback body taken apart: the canonical string, the base64 signature and the fields of
/// `result` as received.
struct Parsed {
    canonical: String,
    signature: Option<String>,
    fields: Vec<(String, JsonLiteral)>,
}

fn parse(body: &[u8]) -> Result<Parsed> {
    let root = JsonLiteral::parse(body).map_err(|_| bad_body("not JSON"))?;
    let JsonLiteral::Object(members) = root else {
        return Err(bad_body("not a JSON object"));
    };
    let mut result = None;
    let mut signature = None;
    for (key, value) in members {
        let slot = match key.as_str() {
            "result" => &mut result,
            "signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(bad_body(format!("`{key}` appears twice")));
        }
    }
    let Some(JsonLiteral::Object(fields)) = result else {
        return Err(bad_body("`result` is missing or not an object"));
    };
    let signature = match signature {
        None | Some(JsonLiteral::Null) => None,
        Some(JsonLiteral::String(text)) => Some(text),
        Some(_) => return Err(Error::Signature(SignatureError::Malformed)),
    };
    Ok(Parsed {
        canonical: canonical_from_fields(&fields)?,
        signature,
        fields,
    })
}

fn canonical_from_fields(fields: &[(String, JsonLiteral)]) -> Result<String> {
    let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(bad_body(format!("`result.{}` appears twice", pair[0])));
    }
    let mut present: Vec<(&str, String)> = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        let text = match (key.as_str(), value) {
            (_, JsonLiteral::Null) => continue,
            ("amount", JsonLiteral::Number(literal) | JsonLiteral::String(literal)) => {
                two_decimals(literal)?
            }
            (_, JsonLiteral::String(text) | JsonLiteral::Number(text)) => text.clone(),
            (_, JsonLiteral::Bool(_) | JsonLiteral::Array(_) | JsonLiteral::Object(_)) => {
                return Err(bad_body(format!(
                    "`result.{key}` is not a string or number; its signed form is undefined"
                )));
            }
        };
        present.push((key.as_str(), text));
    }
    // `str` orders by bytes, which for UTF-8 is code-point order (Java TreeMap, PHP ksort).
    present.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let values: Vec<String> = present.into_iter().map(|(_, value)| value).collect();
    Ok(values.join(";"))
}

/// `amount` with exactly two decimals, from its literal (`12.5` → `12.50`, `100` → `100.00`).
fn two_decimals(literal: &str) -> Result<String> {
    let amount = paykit_core::wire::parse_decimal_literal(literal)
        .ok_or_else(|| bad_body("`result.amount` is not a decimal number"))?;
    let mut amount = amount.normalize();
    if amount.scale() > 2 {
        return Err(bad_body(
            "`result.amount` has more than two decimals; its signed form is undefined",
        ));
    }
    amount.rescale(2);
    Ok(amount.to_string())
}

/// Callback verification keys, cached per base URL (each environment and bank has its own).
///
/// One cache is created per client by default; share one between clients of the same
/// environment with [`crate::MiaPosBuilder::public_key_cache`].
#[derive(Default)]
pub struct PublicKeyCache {
    slots: Mutex<HashMap<String, Arc<KeySlot>>>,
}

impl PublicKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        PublicKeyCache::default()
    }

    /// Stores `key` for `base_url` as if just fetched (it expires with the client's TTL).
    pub fn insert(&self, base_url: &str, key: RsaPublicKey) {
        self.slot(base_url).store(key);
    }

    /// Forgets every cached key.
    pub fn clear(&self) {
        lock(&self.slots).clear();
    }

    pub(crate) fn slot(&self, base_url: &str) -> Arc<KeySlot> {
        let normalized = base_url.trim_end_matches('/').to_owned();
        Arc::clone(lock(&self.slots).entry(normalized).or_default())
    }
}

impl fmt::Debug for PublicKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = lock(&self.slots);
        let mut map = f.debug_map();
        for (base_url, slot) in slots.iter() {
            map.entry(base_url, &lock(&slot.state).key);
        }
        map.finish()
    }
}

/// Every update under these locks is a single assignment, so a poisoned lock is safe to reuse.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One base URL's key.
#[derive(Default)]
pub(crate) struct KeySlot {
    state: Mutex<SlotState>,
    fetch_lock: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct SlotState {
    key: Option<RsaPublicKey>,
    fetched_at: Option<Instant>,
    generation: u64,
}

impl KeySlot {
    fn store(&self, key: RsaPublicKey) -> (RsaPublicKey, u64) {
        let mut state = lock(&self.state);
        state.generation += 1;
        state.key = Some(key.clone());
        state.fetched_at = Some(Instant::now());
        (key, state.generation)
    }

    fn fresh(&self, ttl: Duration) -> Option<(RsaPublicKey, u64)> {
        let state = lock(&self.state);
        let fetched_at = state.fetched_at?;
        if fetched_at.elapsed() >= ttl {
            return None;
        }
        state.key.clone().map(|key| (key, state.generation))
    }
}

/// Fetches keys from the API for one base URL and caches them.
pub(crate) struct RemoteKeys {
    pub(crate) executor: HttpExecutor,
    pub(crate) credential: Credential,
    pub(crate) slot: Arc<KeySlot>,
    pub(crate) ttl: Duration,
    pub(crate) refetch_cooldown: Duration,
}

impl RemoteKeys {
    async fn fetch(&self) -> Result<RsaPublicKey> {
        fetch_public_key(&self.executor, &self.credential)
            .await
            .map(|k| k.key)
    }

    /// The cached key while fresh, else one fetch shared by every concurrent caller.
    async fn current(&self) -> Result<(RsaPublicKey, u64)> {
        if let Some(fresh) = self.slot.fresh(self.ttl) {
            return Ok(fresh);
        }
        let _guard = self.slot.fetch_lock.lock().await;
        if let Some(fresh) = self.slot.fresh(self.ttl) {
            return Ok(fresh);
        }
        let key = self.fetch().await?;
        Ok(self.slot.store(key))
    }

    /// After a failed verification with key `generation`: the newer key another caller already
    /// fetched, or a fresh fetch unless one happened within the cool-down (`None`).
    async fn after_failure(&self, generation: u64) -> Result<Option<RsaPublicKey>> {
        let _guard = self.slot.fetch_lock.lock().await;
        {
            let state = lock(&self.slot.state);
            if state.generation != generation {
                return Ok(state.key.clone());
            }
            let recent = state
                .fetched_at
                .is_some_and(|at| at.elapsed() < self.refetch_cooldown);
            if recent {
                return Ok(None);
            }
        }
        tracing::debug!("callback signature mismatch: fetching the miaPOS public key again");
        let key = self.fetch().await?;
        Ok(Some(self.slot.store(key).0))
    }

    async fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let (key, generation) = self.current().await?;
        let Err(mismatch) = key.verify(message, signature) else {
            return Ok(());
        };
        match self.after_failure(generation).await? {
            Some(newer) => newer.verify(message, signature),
            None => Err(mismatch),
        }
    }
}

/// `GET /ecomm/api/v1/public-key` with a Bearer token.
pub(crate) async fn fetch_public_key(
    executor: &HttpExecutor,
    credential: &Credential,
) -> Result<PublicKey> {
    let request = ApiRequest::get("public-key", PUBLIC_KEY_PATH)
        .effect(Effect::Read)
        .auth(credential.clone());
    let answer: wire::PublicKeyResponse = executor
        .call(&request, &PaymentRef::new(), |response| {
            if !response.is_success() {
                return Err(api_error(response));
            }
            response.json()
        })
        .await?;
    let key = RsaPublicKey::from_spki_base64(&answer.public_key)?;
    Ok(PublicKey {
        spki_base64: answer.public_key,
        key,
    })
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
}

impl MiaPosWebhook {
    /// Verifies with `key` only; never fetches.
    pub fn with_public_key(key: RsaPublicKey) -> Self {
        MiaPosWebhook {
            source: KeySource::Fixed(key),
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
        }
    }

    /// Checks a callback body byte for byte and returns its `result`, typed.
    ///
    /// The signature binds values, not names: the fields of the answer are what miaPOS sent,
    /// but which name each value arrived under is only checked for shape. Confirm with
    /// `MiaPos::verify_confirmed` before fulfilling.
    ///
    /// Errors: [`Error::Signature`] for a missing, malformed or wrong signature, a body that
    /// is not a callback, or an authentic `result` whose fields break their documented shape
    /// (a missing or relabelled field, an unknown status, a string amount); the key fetch's own
    /// error when the key could not be obtained (answer 5xx and reconcile by polling).
    pub async fn verify_callback(&self, body: &[u8]) -> Result<PaymentInfo> {
        let parsed = parse(body)?;
        let encoded = parsed
            .signature
            .ok_or(Error::Signature(SignatureError::Missing))?;
        let signature = STANDARD
            .decode(encoded.trim().as_bytes())
            .map_err(|_| Error::Signature(SignatureError::Malformed))?;
        if signature.is_empty() {
            return Err(Error::Signature(SignatureError::Malformed));
        }
        let message = parsed.canonical.as_bytes();
        match &self.source {
            KeySource::Fixed(key) => key.verify(message, &signature)?,
            KeySource::Remote(remote) => remote.verify(message, &signature).await?,
        }
        shape::checked(&parsed.fields)
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
        self.verify_callback(request.body).await.map(|i| event(&i))
    }
}

impl fmt::Debug for MiaPosWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            KeySource::Fixed(key) => f.debug_struct("MiaPosWebhook").field("key", key).finish(),
            KeySource::Remote(remote) => f
                .debug_struct("MiaPosWebhook")
                .field("key_from", &remote.executor.base_url().as_str())
                .field("ttl", &remote.ttl)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests;
