//! Callback verification (protocol notes maib.md §6): the body is `{"result": {...},
//! "signature": "<base64>"}`, where the signature is `base64(sha256(sign string))` over every
//! key of `result`, known or not, and the Project's Signature Key (see [`crate::signature`]
//! for the sign string).
//!
//! The signature is checked over the bytes received, read once into a borrowed tree
//! (core's [`JsonRef`], the [`JsonLiteral`] grammar borrowed) so number literals and unknown
//! fields are kept, and compared in constant time; a body that repeats a key anywhere is
//! refused first. Then every decisive field must have the shape maib gives it
//! ([`crate::shape`]), and only then is `result` read into a [`Notification`], from the same
//! tree (issue 16: one pass over the bytes, no second decode).
//!
//! A signed event is [`Authenticity::Signed`], never fit for fulfilment by itself: maib signs
//! values in key order, not names, so the signature cannot say which value is the amount.
//! [`crate::MaibClient::confirm`] asks `pay-info` and marks the event confirmed.

use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use paykit_core::json_literal::{JsonLiteral, JsonRef, Members, members_to_literal};
use paykit_core::webhook::{constant_time_eq, sha256};
use paykit_core::{
    Authenticity, Error, EventKind, ExposeSecret, MAX_CALLBACK_BYTES, PaymentRecords, Result,
    SecretString, SignatureError, VerifiedEvent, Webhook, WebhookRequest,
};

use crate::callback_notification::Detail;
use crate::records::{self, Known};
use crate::shape::Fields;
use crate::signature::{self, Lists, Numbers};
use crate::status::PaymentFlow;
use crate::types::Notification;
use crate::{PROVIDER, callback_notification, shape};

/// Which rendering of `result` the signature matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureVariant {
    /// maib's reference PHP rendering (`10.00` signed as `10`).
    Php,
    /// Number literals as received (`10.00` signed as `10.00`).
    RawNumbers,
    /// PHP numbers, lists longer than 10 in index order.
    IndexOrderedLists,
    /// Number literals as received, lists longer than 10 in index order.
    RawNumbersIndexOrderedLists,
}

/// A callback whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedNotification {
    /// The typed `result`.
    pub notification: Notification,
    /// `result` exactly as received, unknown fields included.
    pub raw_result: JsonLiteral,
    /// Which rendering the signature matched.
    pub variant: SignatureVariant,
}

/// Verifies maib callbacks with the Project's Signature Key.
///
/// ```
/// use paykit_maib::MaibWebhook;
/// use paykit_core::SecretString;
///
/// let webhook = MaibWebhook::new(SecretString::from("8508706b-3454-4733-8295-56e617c4abcf"))?;
/// let body = br#"{"result":{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"},"signature":"5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="}"#;
/// let verified = webhook.verify_notification(body)?;
/// assert_eq!(verified.notification.pay_id, "f16a9006-128a-46bc-8e2a-77a6ee99df75");
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Clone)]
pub struct MaibWebhook {
    key: SecretString,
    records: Option<Arc<dyn PaymentRecords>>,
    assumed_flow: Option<PaymentFlow>,
    body_limit: usize,
}

impl MaibWebhook {
    /// A verifier for `signature_key` (surrounding whitespace is ignored). An empty key is
    /// [`SignatureError::BadKey`].
    pub fn new(signature_key: SecretString) -> Result<Self> {
        let trimmed = signature_key.expose_secret().trim();
        if trimmed.is_empty() {
            return Err(Error::Signature(SignatureError::BadKey));
        }
        Ok(MaibWebhook {
            key: SecretString::from(trimmed.to_owned()),
            records: None,
            assumed_flow: None,
            body_limit: MAX_CALLBACK_BYTES,
        })
    }

    /// Refuses callback bodies longer than `limit` bytes before parsing or hashing them, on
    /// every verification path (default [`MAX_CALLBACK_BYTES`]; maib's callbacks are well
    /// under 2 KiB).
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// Reads each payment's flow from `records` when verifying through the [`Webhook`] trait,
    /// so an `OK` callback reads as captured or authorized. [`crate::MaibClient::webhook`]
    /// shares the client's records this way.
    pub fn with_records(mut self, records: Arc<dyn PaymentRecords>) -> Self {
        self.records = Some(records);
        self
    }

    /// Declares that every payment whose flow no record names was created by `flow`: for a
    /// merchant who, say, never holds (`PaymentFlow::Direct`), so an `OK` reads as captured
    /// without payment records. It is the merchant's statement, not paykit's guess; a hold
    /// verified under `Direct` would read as captured, so declare it only if it is true.
    pub fn assume_flow(mut self, flow: PaymentFlow) -> Self {
        self.assumed_flow = Some(flow);
        self
    }

    /// What is known of `pay_id` without records: the declared flow, if any.
    fn assumed(&self) -> Known {
        Known {
            flow: self.assumed_flow,
            ..Known::default()
        }
    }

    /// Checks a callback body and reads its `result`.
    ///
    /// Errors, all [`Error::Signature`]: [`SignatureError::BadBody`] when the body is over the
    /// limit ([`MaibWebhook::with_body_limit`]), is not a JSON object with a `result` object, repeats a key anywhere, or (after the signature
    /// checked out) has a decisive field not shaped as maib sends it (see below);
    /// [`SignatureError::Missing`] without a `signature`; [`SignatureError::Malformed`] when
    /// it is not base64 of 32 bytes; [`SignatureError::Mismatch`] when it does not match
    /// (tampered body, wrong key).
    ///
    /// maib signs values in key order, not names: the signature proves maib sent these values,
    /// not which field each belongs to. The shape checks refuse relabellings that give a field
    /// a value of the wrong kind (a string amount, an approval code as a refund); the rest is
    /// closed only by asking maib ([`crate::MaibClient::confirm`]).
    pub fn verify_notification(&self, body: &[u8]) -> Result<VerifiedNotification> {
        let body = WebhookRequest::body_only(body).bounded_body(self.body_limit)?;
        let document = parse(body)?;
        let (result, variant) = self.authenticate(&document)?;
        let notification = read(result, Detail::Full, body)?;
        Ok(VerifiedNotification {
            notification,
            raw_result: JsonLiteral::Object(members_to_literal(result)),
            variant,
        })
    }

    /// [`MaibWebhook::verify_notification`] without copying `result` as received: what the
    /// event paths need.
    fn verified(&self, body: &[u8]) -> Result<Notification> {
        let body = WebhookRequest::body_only(body).bounded_body(self.body_limit)?;
        let document = parse(body)?;
        let (result, _) = self.authenticate(&document)?;
        read(result, Detail::Event, body)
    }

    /// The signature check alone: `result` as received and the rendering that matched.
    fn authenticate<'d, 'a>(
        &self,
        document: &'d JsonRef<'a>,
    ) -> Result<(&'d Members<'a>, SignatureVariant)> {
        let JsonRef::Object(members) = document else {
            return Err(bad_body("not a JSON object"));
        };
        // A repeated key lets a reader pick a value the signature did not cover as it assumed
        // (the sign string sees one, a lookup may see another): refused anywhere in the body,
        // before anything else. Inside `result` the reference sign string finds repeats as it
        // sorts; the rest of the envelope is walked here.
        if let Some(key) = envelope_repeated_key(members) {
            return Err(repeated(key));
        }
        // No key repeats in the envelope: the first of each name is the only one.
        let member = |name: &str| {
            members
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value)
        };
        let result = member("result");
        let key = self.key.expose_secret();
        let reference = match result {
            Some(JsonRef::Object(result)) => Some(
                signature::sign_string(result, key, Numbers::Php, Lists::Php)
                    .map_err(|signature::Repeated(key)| repeated(key))?,
            ),
            _ => None,
        };
        let expected = decode_signature(member("signature"))?;
        let (result, reference) = match (result, reference) {
            (Some(JsonRef::Object(result)), Some(reference)) => (result, reference),
            (Some(_), _) => return Err(bad_body("`result` is not an object")),
            (None, _) => return Err(bad_body("no `result`")),
        };
        let variant = self.matching_variant(result, &reference, &expected)?;
        match variant {
            SignatureVariant::Php => tracing::debug!("maib callback signature verified"),
            other => tracing::info!(
                variant = ?other,
                "maib callback signature matched a non-reference rendering"
            ),
        }
        Ok((result, variant))
    }

    /// The signature maib's reference code computes for `result_json` (a JSON object), under
    /// this key: for building test callbacks.
    pub fn sign_result(&self, result_json: &str) -> Result<String> {
        match JsonRef::parse_nested_at_most(result_json.as_bytes(), MAX_DEPTH) {
            Ok(JsonRef::Object(members)) => {
                let text = signature::sign_string(
                    &members,
                    self.key.expose_secret(),
                    Numbers::Php,
                    Lists::Php,
                )
                .map_err(|signature::Repeated(key)| repeated(key))?;
                Ok(STANDARD.encode(sha256(text.as_bytes())))
            }
            Ok(_) => Err(bad_body("`result` is not an object")),
            Err(_) => Err(bad_body("not JSON")),
        }
    }

    /// The first rendering whose digest equals `expected`, the reference one (`reference`,
    /// its sign string) tried first; the others are built only if it fails.
    fn matching_variant(
        &self,
        result: &[(std::borrow::Cow<'_, str>, JsonRef<'_>)],
        reference: &str,
        expected: &[u8; 32],
    ) -> Result<SignatureVariant> {
        let digest_matches = |text: &str| constant_time_eq(&sha256(text.as_bytes()), expected);
        if digest_matches(reference) {
            return Ok(SignatureVariant::Php);
        }
        let key = self.key.expose_secret();
        let matches = |numbers, lists| {
            // The reference rendering found no repeated key; the others walk the same keys.
            signature::sign_string(result, key, numbers, lists)
                .is_ok_and(|text| digest_matches(&text))
        };
        let raw_numbers = signature::has_raw_number_variant(result);
        let long_lists = signature::has_long_list(result);
        let candidates = [
            (
                raw_numbers,
                Numbers::Literal,
                Lists::Php,
                SignatureVariant::RawNumbers,
            ),
            (
                long_lists,
                Numbers::Php,
                Lists::Index,
                SignatureVariant::IndexOrderedLists,
            ),
            (
                long_lists && raw_numbers,
                Numbers::Literal,
                Lists::Index,
                SignatureVariant::RawNumbersIndexOrderedLists,
            ),
        ];
        candidates
            .into_iter()
            .filter(|(applies, ..)| *applies)
            .find(|(_, numbers, lists, _)| matches(*numbers, *lists))
            .map(|(.., variant)| variant)
            .ok_or(Error::Signature(SignatureError::Mismatch))
    }

    /// Verifies a callback and turns it into a [`VerifiedEvent`] (authenticity
    /// [`Authenticity::Signed`], keyed by [`dedupe_key`]) without reading any payment record.
    ///
    /// A callback does not say whether its payment was a hold, so, unless a flow was declared
    /// ([`MaibWebhook::assume_flow`]), an `OK` (or a refund) comes back as
    /// [`EventKind::Unknown`] named after maib's status: use
    /// [`MaibWebhook::verify_notification`] and [`Notification::outcome`] with the flow you
    /// know, or verify through the [`Webhook`] trait with records
    /// ([`MaibWebhook::with_records`]). States every flow shares (failed, pending, expired)
    /// are payment events either way.
    pub fn verify_body(&self, body: &[u8]) -> Result<VerifiedEvent> {
        let notification = self.verified(body)?;
        Ok(event(notification, &self.assumed(), body))
    }

    /// [`MaibWebhook::verify_body`], with the payment's flow read from the records when this
    /// verifier has them.
    pub async fn verify_event(&self, body: &[u8]) -> Result<VerifiedEvent> {
        let notification = self.verified(body)?;
        let mut known = match &self.records {
            Some(records) => records::known(records.as_ref(), &notification.pay_id).await?,
            None => Known::default(),
        };
        // No record names the flow: the merchant's declaration, if any, applies.
        if known.flow.is_none() {
            known.flow = self.assumed_flow;
        }
        Ok(event(notification, &known, body))
    }
}

/// The event of a verified callback, read with what the records say about its payment.
fn event(notification: Notification, known: &Known, body: &[u8]) -> VerifiedEvent {
    let dedupe_key = dedupe_key(&notification);
    let kind = match notification.status_for(known.flow, known.completed) {
        Ok(status) if notification.is_refund() => {
            EventKind::Refund(notification.into_outcome(status))
        }
        Ok(status) => EventKind::Payment(notification.into_outcome(status)),
        // `OK` of a payment whose flow is unknown: captured or only authorized. Not guessed.
        Err(_) => EventKind::Unknown {
            name: notification.status.as_ref().map(|s| s.as_str().to_owned()),
            // The reader checked the body is UTF-8: a copy, no lossy re-scan.
            raw: std::str::from_utf8(body).map_or_else(
                |_| String::from_utf8_lossy(body).into_owned(),
                str::to_owned,
            ),
        },
    };
    VerifiedEvent::new(PROVIDER, Authenticity::Signed, dedupe_key, kind)
}

/// What identifies one callback, not one payment: the `payId` with the status and the amounts
/// that tell a payment's notices apart (`f16a…df75:OK`, `f16a…df75:OK:refund=5.00`). Repeated
/// deliveries of a notice share it; a later refund notice of the same payment does not.
pub fn dedupe_key(notification: &Notification) -> String {
    let status = notification.status.as_ref().map_or("", |s| s.as_str());
    // Room for the two amounts too: one allocation, no regrowing.
    let mut key = String::with_capacity(notification.pay_id.len() + status.len() + 48);
    key.push_str(&notification.pay_id);
    key.push(':');
    key.push_str(status);
    for (label, amount) in [
        ("confirm", notification.confirm_amount),
        ("refund", notification.refund_amount),
    ] {
        if let Some(amount) = amount {
            // Written in place, no intermediate strings; writing into a `String` cannot fail.
            let _ = write!(key, ":{label}={}", two_places(amount));
        }
    }
    key
}

/// `10.5` and `10.50` are one amount.
fn two_places(amount: paykit_core::Decimal) -> paykit_core::Decimal {
    let mut amount = amount.normalize();
    amount.rescale(2);
    amount
}

/// The whole body as one borrowed tree, nested at most [`MAX_DEPTH`] levels.
fn parse(body: &[u8]) -> Result<JsonRef<'_>> {
    JsonRef::parse_nested_at_most(body, MAX_DEPTH)
        .map_err(|_| bad_body("not JSON, or nested too deeply"))
}

/// The shapes checked, then the typed notification, both from the members of `result`.
fn read(result: &Members<'_>, detail: Detail, body: &[u8]) -> Result<Notification> {
    let fields = Fields::of(result);
    let amounts = shape::check_fields(&fields)?;
    callback_notification::notification(&fields, amounts, detail, body)
}

/// The first key found twice within one object of the envelope outside `result`: between the
/// envelope's own keys, or anywhere inside its other members.
fn envelope_repeated_key<'d>(members: &'d Members<'_>) -> Option<&'d str> {
    members.iter().enumerate().find_map(|(at, (key, value))| {
        let earlier = members.get(..at).unwrap_or_default();
        if earlier.iter().any(|(k, _)| k == key) {
            return Some(key.as_ref());
        }
        match key.as_ref() {
            "result" if matches!(value, JsonRef::Object(_)) => None,
            _ => value.first_repeated_key(),
        }
    })
}

fn repeated(key: &str) -> Error {
    bad_body(&format!("the key `{key}` appears twice in one object"))
}

fn bad_body(why: &str) -> Error {
    Error::Signature(SignatureError::BadBody(why.to_owned()))
}

/// Deepest nesting accepted in a callback body. maib's bodies are 3 levels deep (envelope,
/// `result`, `items[]` entries); the bound keeps the recursive walks shallow whatever arrives.
/// The reader refuses deeper input as it reaches it, so no separate scan is needed.
const MAX_DEPTH: usize = 32;

/// The 32 signature bytes, or why there are none.
fn decode_signature(value: Option<&JsonRef<'_>>) -> Result<[u8; 32]> {
    let text = match value {
        None | Some(JsonRef::Null) => return Err(Error::Signature(SignatureError::Missing)),
        Some(JsonRef::String(text)) if text.trim().is_empty() => {
            return Err(Error::Signature(SignatureError::Missing));
        }
        Some(JsonRef::String(text)) => text.trim(),
        Some(_) => return Err(Error::Signature(SignatureError::Malformed)),
    };
    // Room for what 44 characters may decode to (33 bytes): a longer text cannot fit and is
    // refused, a shorter decoding is not a digest.
    let mut decoded = [0_u8; 33];
    match STANDARD.decode_slice(text.as_bytes(), &mut decoded) {
        Ok(32) => {
            let mut digest = [0_u8; 32];
            digest.copy_from_slice(decoded.get(..32).unwrap_or_default());
            Ok(digest)
        }
        _ => Err(Error::Signature(SignatureError::Malformed)),
    }
}

#[async_trait]
impl Webhook for MaibWebhook {
    /// [`MaibWebhook::verify_event`]: signed, shaped, flow from the records when there are any.
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        self.verify_event(request.bounded_body(self.body_limit)?)
            .await
    }
}

impl fmt::Debug for MaibWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaibWebhook")
            .field("signature_key", &"[REDACTED]")
            .field("records", &self.records.is_some())
            .field("assumed_flow", &self.assumed_flow)
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use paykit_core::PaymentStatus;

    use super::*;

    /// The Signature Key of the docs' PHP example (maib.md, Test vectors).
    const K: &str = "8508706b-3454-4733-8295-56e617c4abcf";
    const TV1: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#;
    const TV4: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":null,"status":"FAILED","statusCode":"116","statusMessage":"Decline, not sufficient funds","threeDs":"AUTHENTICATED","rrn":null,"approval":null,"cardNumber":"510218******1124","amount":10.25,"currency":"MDL","test":true}"#;
    const TV5: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","billerId":"a1b2c3d4-0000-4000-8000-000000000001","billerExpiry":"1229","orderId":"123","status":"PENDING","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","cardNumber":"510218******1124","currency":"EUR"}"#;
    const TV6: &str = r#"{"payId":"p1","items":[{"name":"B","id":"2","price":2.5,"quantity":2},{"id":"1","name":"A","price":4,"quantity":1}],"amount":9.00,"currency":"MDL"}"#;

    fn hook(key: &str) -> MaibWebhook {
        MaibWebhook::new(SecretString::from(key.to_owned())).unwrap()
    }

    fn body(result: &str, signature: &str) -> Vec<u8> {
        format!(r#"{{"result":{result},"signature":"{signature}"}}"#).into_bytes()
    }

    fn verify(key: &str, result: &str, signature: &str) -> Result<VerifiedNotification> {
        hook(key).verify_notification(&body(result, signature))
    }

    /// The signature check alone (the vectors TV2, TV6 and TV8 carry no maib-shaped payId).
    fn signed(key: &str, result: &str, signature: &str) -> Result<SignatureVariant> {
        let body = body(result, signature);
        let document = parse(&body)?;
        hook(key)
            .authenticate(&document)
            .map(|(_, variant)| variant)
    }

    fn signature_error<T: fmt::Debug>(result: Result<T>) -> SignatureError {
        match result {
            Err(Error::Signature(kind)) => kind,
            other => panic!("expected a signature error, got {other:?}"),
        }
    }

    #[test]
    fn tv1_official_docs_example() {
        let v = verify(K, TV1, "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=").unwrap();
        assert_eq!(v.variant, SignatureVariant::Php);
        assert_eq!(v.notification.amount.unwrap().to_string(), "10.25");
        assert_eq!(
            hook(K).sign_result(TV1).unwrap(),
            "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="
        );
    }

    #[test]
    fn tv1_key_order_does_not_matter() {
        let reordered = r#"{"currency":"MDL","amount":10.25,"cardNumber":"510218******1124","approval":"327593","rrn":"331711380059","threeDs":"AUTHENTICATED","statusMessage":"Approved","statusCode":"000","status":"OK","orderId":"123","payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75"}"#;
        verify(K, reordered, "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=").unwrap();
        // `signature` before `result`, whitespace around: still the same bytes of `result`.
        let body = format!(
            "{{ \"signature\" : \"5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=\",\n \"result\" : {TV1} }}"
        );
        hook(K).verify_notification(body.as_bytes()).unwrap();
    }

    #[test]
    fn tv2_minimal() {
        let v = hook("SECRET").sign_result(r#"{"a":1,"b":"2"}"#).unwrap();
        assert_eq!(v, "JHvWuPNVVIkPbFqdAxP56oKpolcxcUtPyrAYGsYMOms=");
        assert_eq!(
            signed("SECRET", r#"{"a":1,"b":"2"}"#, &v).unwrap(),
            SignatureVariant::Php
        );
        // No payId: authentic, but not shaped as a maib notification.
        let err = verify("SECRET", r#"{"a":1,"b":"2"}"#, &v).unwrap_err();
        assert!(
            matches!(err, Error::Signature(SignatureError::BadBody(ref why)) if why.contains("payId")),
            "{err:?}"
        );
    }

    #[test]
    fn tv3_round_amount_php_and_raw_variants() {
        let tv3 = TV1.replace("10.25", "10.00");
        let php = verify(K, &tv3, "r15EN5lloa7jSOB+++jdFRfu1qUCboma9Nm5VdWow+s=").unwrap();
        assert_eq!(php.variant, SignatureVariant::Php);
        let raw = verify(K, &tv3, "f0nlnmFfN8EFG0I4cb0ARndmhavNnNX58s/UZe4aqxM=").unwrap();
        assert_eq!(raw.variant, SignatureVariant::RawNumbers);
        assert_eq!(raw.notification.amount.unwrap().to_string(), "10.00");
    }

    #[test]
    fn tv4_nulls_and_booleans() {
        let v = verify(K, TV4, "sMQ8vgkf6WOawj24Ychg18+UDDE01fgzMrEVoRVsXRM=").unwrap();
        assert!(v.notification.order_id.is_none());
        // A decline needs no flow: it is failed whatever the payment was.
        let event = hook(K)
            .verify_body(&body(TV4, "sMQ8vgkf6WOawj24Ychg18+UDDE01fgzMrEVoRVsXRM="))
            .unwrap();
        assert_eq!(
            event.payment().unwrap().status,
            PaymentStatus::Failed {
                reason: Some("Decline, not sufficient funds".into())
            }
        );
        // Unknown fields (`test`) are signed and kept.
        assert_eq!(v.raw_result.get("test"), Some(&JsonLiteral::Bool(true)));
    }

    #[test]
    fn tv5_savecard_pending_means_stored_and_nothing_taken() {
        let v = verify(K, TV5, "mczN31PH24JG/Njreh/KQokPJJqXp4fA9RG+GfOdICw=").unwrap();
        let outcome = v.notification.outcome(PaymentFlow::SaveCard);
        // The card is stored; no amount was charged, so it is not captured.
        assert_eq!(outcome.status, PaymentStatus::Pending);
        assert_eq!(
            outcome.saved_card.unwrap().id,
            "a1b2c3d4-0000-4000-8000-000000000001"
        );
    }

    #[test]
    fn tv6_nested_items_both_variants() {
        assert_eq!(
            signed(K, TV6, "Np/g8WiCqdEWd/lZ72p7RQDIcln9nAEMfD1Hj5ct+E8=").unwrap(),
            SignatureVariant::Php
        );
        assert_eq!(
            signed(K, TV6, "86X39ga1jixLR5C6GiU5fzQ6nyTv0nIV/RjoUsEFQws=").unwrap(),
            SignatureVariant::RawNumbers
        );
    }

    #[test]
    fn tv7_bytewise_key_order() {
        assert_eq!(
            hook(K)
                .sign_result(r#"{"alpha":"a","Zeta":"z","beta":"b"}"#)
                .unwrap(),
            "CYnpdBs1NYX2eBtCmPBdgIytbl6faJxnaLGuUOo3ykY="
        );
    }

    #[test]
    fn tv8_empty_array_is_one_empty_element() {
        let tv8 = r#"{"payId":"p1","items":[],"orderId":"","amount":1}"#;
        assert_eq!(
            hook(K).sign_result(tv8).unwrap(),
            "aqkTiTX/cQ4duJp47Z5AkPUFNYyXzVzDT65almW1zMg="
        );
        signed(K, tv8, "aqkTiTX/cQ4duJp47Z5AkPUFNYyXzVzDT65almW1zMg=").unwrap();
    }

    #[test]
    fn the_docs_oneclick_example_is_not_reproducible() {
        // maib.md §Test vectors: the docs show r4Kww…Eec=, the algorithm gives mYA0…QUg=.
        let result = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","billerId":"8a90269f-cebd-4b23-1f85-08db7982298c","billerExpiry":"1225","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":6.25,"currency":"EUR"}"#;
        let ours = hook(K).sign_result(result).unwrap();
        assert_ne!(ours, "r4KwwIUXQGHhcEM7C4um8o9rSrGEriTRcYQuBbmjEec=");
    }

    #[test]
    fn tampering_wrong_keys_and_bad_signatures_are_told_apart() {
        let good = "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=";
        let tampered = TV1.replace("10.25", "10.26");
        assert_eq!(
            signature_error(verify(K, &tampered, good)),
            SignatureError::Mismatch
        );
        let extra = TV1.replace("\"currency\":\"MDL\"", "\"currency\":\"MDL\",\"x\":1");
        assert_eq!(
            signature_error(verify(K, &extra, good)),
            SignatureError::Mismatch
        );
        assert_eq!(
            signature_error(verify("another-key", TV1, good)),
            SignatureError::Mismatch
        );
        for bad in [
            "not base64!",
            "AAAA",
            "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s",
        ] {
            assert_eq!(
                signature_error(verify(K, TV1, bad)),
                SignatureError::Malformed,
                "{bad}"
            );
        }
        let hook = hook(K);
        let missing = format!(r#"{{"result":{TV1}}}"#);
        assert_eq!(
            signature_error(hook.verify_notification(missing.as_bytes())),
            SignatureError::Missing
        );
        let empty = format!(r#"{{"result":{TV1},"signature":""}}"#);
        assert_eq!(
            signature_error(hook.verify_notification(empty.as_bytes())),
            SignatureError::Missing
        );
        let number = format!(r#"{{"result":{TV1},"signature":12}}"#);
        assert_eq!(
            signature_error(hook.verify_notification(number.as_bytes())),
            SignatureError::Malformed
        );
        for bad_body in [
            &b"not json"[..],
            b"[]",
            br#"{"signature":"5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="}"#,
            br#"{"result":"x","signature":"5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="}"#,
            b"",
            b"\xff\xfe",
        ] {
            assert!(
                matches!(
                    signature_error(hook.verify_notification(bad_body)),
                    SignatureError::BadBody(_)
                ),
                "{bad_body:?}"
            );
        }
    }

    #[test]
    fn empty_keys_are_refused() {
        assert!(matches!(
            MaibWebhook::new(SecretString::from("  \n")),
            Err(Error::Signature(SignatureError::BadKey))
        ));
        // The key file ends with a newline: surrounding whitespace is ignored.
        let v = hook(&format!("{K}\n"))
            .verify_notification(&body(TV1, "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="));
        assert!(v.is_ok());
    }

    #[test]
    fn an_ok_of_unknown_flow_is_not_read_as_captured() {
        let event = hook(K)
            .verify_body(&body(TV1, "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="))
            .unwrap();
        assert_eq!(event.authenticity, Authenticity::Signed);
        assert!(!event.is_fit_for_fulfilment());
        assert_eq!(event.dedupe_key, "f16a9006-128a-46bc-8e2a-77a6ee99df75:OK");
        // A hold or a direct payment: this verifier has no records to tell.
        assert!(
            matches!(&event.kind, EventKind::Unknown { name, .. } if name.as_deref() == Some("OK")),
            "{event:?}"
        );
    }

    #[test]
    fn a_declared_flow_is_the_merchants_word() {
        let event = hook(K)
            .assume_flow(PaymentFlow::Direct)
            .verify_body(&body(TV1, "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="))
            .unwrap();
        assert_eq!(event.payment().unwrap().status, PaymentStatus::Captured);
        assert!(!event.is_fit_for_fulfilment());
    }

    #[tokio::test]
    async fn the_records_say_what_ok_means() {
        use paykit_core::{Flow, InMemoryPaymentRecords, PaymentRecord};
        for (flow, status) in [
            (Flow::Pay, PaymentStatus::Captured),
            (Flow::Hold, PaymentStatus::Authorized),
        ] {
            let records = Arc::new(InMemoryPaymentRecords::new());
            records
                .put(
                    &PaymentRecord::new(PROVIDER, "f16a9006-128a-46bc-8e2a-77a6ee99df75")
                        .with_flow(flow),
                )
                .await
                .unwrap();
            let event = hook(K)
                .with_records(records)
                .verify_event(&body(TV1, "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s="))
                .await
                .unwrap();
            let payment = event.payment().unwrap();
            assert_eq!(payment.status, status, "{flow:?}");
            assert_eq!(payment.amount.unwrap().to_fixed_string(), "10.25");
            assert_eq!(event.authenticity, Authenticity::Signed);
        }
    }

    #[test]
    fn dedupe_keys_tell_the_notices_of_one_payment_apart() {
        let paid = verify(K, TV1, "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=")
            .unwrap()
            .notification;
        let mut refunded = paid.clone();
        refunded.refund_amount = Some(paykit_core::Decimal::new(5, 0));
        let mut reversed = paid.clone();
        reversed.status = Some(crate::types::TransactionStatus::Reversed);
        let keys = [
            dedupe_key(&paid),
            dedupe_key(&refunded),
            dedupe_key(&reversed),
        ];
        assert_eq!(
            keys[1],
            "f16a9006-128a-46bc-8e2a-77a6ee99df75:OK:refund=5.00"
        );
        assert!(keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2]);
        // A repeated delivery is the same notice.
        assert_eq!(dedupe_key(&paid.clone()), keys[0]);
    }

    #[test]
    fn duplicate_keys_are_refused_anywhere() {
        let good = "5wHkZvm9lFeXxSeFF0ui2CnAp7pCEFSNmuHYFYJlC0s=";
        let twice = TV1.replace(r#""amount":10.25"#, r#""amount":10.25,"amount":327593"#);
        let err = signature_error(verify(K, &twice, good));
        assert!(
            matches!(err, SignatureError::BadBody(ref why) if why.contains("amount")),
            "{err:?}"
        );
        let top = format!(r#"{{"result":{TV1},"signature":"{good}","result":{{}}}}"#);
        assert!(matches!(
            signature_error(hook(K).verify_notification(top.as_bytes())),
            SignatureError::BadBody(_)
        ));
        let nested = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","status":"OK","items":[{"id":"1","id":"2"}]}"#;
        assert!(matches!(
            signature_error(verify(K, nested, good)),
            SignatureError::BadBody(_)
        ));
    }

    #[test]
    fn long_lists_accept_both_orders() {
        let items: Vec<String> = (0..12)
            .map(|i| format!(r#"{{"id":"{i}","price":1.50,"quantity":1}}"#))
            .collect();
        let result = format!(
            r#"{{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","status":"OK","items":[{}]}}"#,
            items.join(",")
        );
        let members = match JsonRef::parse_nested_at_most(result.as_bytes(), MAX_DEPTH).unwrap() {
            JsonRef::Object(m) => m,
            other => panic!("not an object: {other:?}"),
        };
        for (numbers, lists, variant) in [
            (Numbers::Php, Lists::Php, SignatureVariant::Php),
            (Numbers::Literal, Lists::Php, SignatureVariant::RawNumbers),
            (
                Numbers::Php,
                Lists::Index,
                SignatureVariant::IndexOrderedLists,
            ),
            (
                Numbers::Literal,
                Lists::Index,
                SignatureVariant::RawNumbersIndexOrderedLists,
            ),
        ] {
            let text = signature::sign_string(&members, K, numbers, lists).unwrap();
            let sig = STANDARD.encode(sha256(text.as_bytes()));
            assert_eq!(verify(K, &result, &sig).unwrap().variant, variant);
        }
    }

    #[test]
    fn debug_hides_the_key() {
        assert!(!format!("{:?}", hook(K)).contains(K));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        const ALPHABET: &[u8] = b"{}[]\":,0123456789.eE-+ resultsignaturetrufalsn\\";
        let hook = hook(K);
        let mut seed: u32 = 7;
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ALPHABET[(seed >> 16) as usize % ALPHABET.len()]
                })
                .collect();
            let _ = hook.verify_notification(&bytes);
        }
        let deep = format!(
            r#"{{"result":{{"a":{}1{}}},"signature":"x"}}"#,
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        assert!(matches!(
            hook.verify_notification(deep.as_bytes()),
            Err(Error::Signature(SignatureError::BadBody(_)))
        ));
        assert!(hook.sign_result(&deep).is_err());
        // Brackets inside strings are not nesting.
        let quoted = format!(r#"{{"a":"{}","b":[{{"c":"\"]"}}]}}"#, "[".repeat(40));
        assert!(parse(quoted.as_bytes()).is_ok());
        let at_bound = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(at_bound.as_bytes()).is_ok());
    }
}
