//! Receiving webhooks (spec §6): signature v1 and timestamp window, a nonce replay cache,
//! routing (the body names no event), payment or legacy checkout bodies, and confirmation by
//! re-fetching before an event is fit for fulfilment.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::HeaderName;
use paykit_core::json_literal::JsonLiteral;
use paykit_core::store::{ClaimOutcome, ClaimStore, InMemoryClaimStore};
use paykit_core::{
    Authenticity, EventKind, MAX_CALLBACK_BYTES, PaymentProvider, Result, VerifiedEvent, Webhook,
    WebhookRequest,
};

use crate::calendar::unix_ms;
use crate::checkout::Checkout;
use crate::flatten::{NumberRendering, flatten};
use crate::outcome::{PaymentFacts, checkout_outcome};
use crate::registry::WebhookEvent;
use crate::scan::{Fields, scan};
use crate::signature::{
    SIGNATURE_HEADER, TIMESTAMP_HEADER, VerifyError, WebhookKeys, check_timestamp, parse_header,
};
use crate::status::MayaStatus;
use crate::wire::Payment;
use crate::{Clock, MayaCheckoutClient, PROVIDER};

/// The default timestamp window (spec §6.4.2: ±5 minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// How a delivery's event is known, since the body does not name it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Routing {
    /// By the body: a checkout object (`paymentStatus`/`paymentDetails`) is a legacy
    /// `CHECKOUT_*` event, a payment object is the event named like its `status`.
    #[default]
    ByStatus,
    /// This URL was registered for one event (e.g. `/maya/webhook/payment-success`).
    Url(WebhookEvent),
}

/// The receiver's configuration.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebhookConfig {
    /// The keys deliveries may be signed with.
    pub keys: WebhookKeys,
    /// The timestamp window, both ways.
    pub tolerance: Duration,
    /// How events are told apart.
    pub routing: Routing,
    /// Largest body accepted.
    pub max_body_bytes: usize,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("keys", &self.keys)
            .field("tolerance", &self.tolerance)
            .field("routing", &self.routing)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl WebhookConfig {
    /// `keys`, ±5 minutes, routing by status, 64 KiB bodies.
    pub fn new(keys: WebhookKeys) -> WebhookConfig {
        WebhookConfig {
            keys,
            tolerance: DEFAULT_TOLERANCE,
            routing: Routing::ByStatus,
            max_body_bytes: MAX_CALLBACK_BYTES,
        }
    }

    /// Sets the routing ([`Routing::Url`] when this URL was registered for one event).
    pub fn routing(mut self, routing: Routing) -> WebhookConfig {
        self.routing = routing;
        self
    }

    /// Sets the timestamp window (default ±5 minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> WebhookConfig {
        self.tolerance = tolerance;
        self
    }

    /// Sets the largest body accepted (default 64 KiB).
    pub fn max_body_bytes(mut self, limit: usize) -> WebhookConfig {
        self.max_body_bytes = limit;
        self
    }
}

/// What a delivery carried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryBody {
    /// A payment object (`PAYMENT_*`, `AUTHORIZED`, …).
    Payment(Box<Payment>),
    /// A checkout object (legacy `CHECKOUT_*`).
    Checkout(Box<Checkout>),
}

/// An authentic, fresh delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The event, from the URL or the body.
    pub event: WebhookEvent,
    /// The signature nonce (recorded by the replay cache).
    pub nonce: String,
    /// The label of the key that verified it.
    pub key: String,
    /// Which number rendering verified it.
    pub rendering: NumberRendering,
    /// The decoded body.
    pub body: DeliveryBody,
}

impl Delivery {
    /// The id the event is about: the payment id, or the checkout id for legacy bodies.
    pub fn id(&self) -> &str {
        match &self.body {
            DeliveryBody::Payment(payment) => &payment.id,
            DeliveryBody::Checkout(checkout) => &checkout.id,
        }
    }

    /// As a common event, [`Authenticity::Signed`]: confirm it
    /// ([`MayaCheckoutClient::confirm_delivery`]) before fulfilling. The dedupe key is
    /// `maya-checkout:<id>:<status>`, so retries of one status change collapse.
    pub fn to_event(&self) -> VerifiedEvent {
        event_of(&self.event, &self.body)
    }
}

/// [`Delivery::to_event`] of a decoded body.
fn event_of(event: &WebhookEvent, body: &DeliveryBody) -> VerifiedEvent {
    match body {
        DeliveryBody::Payment(payment) => payment_event(&PaymentFacts::of(payment)),
        DeliveryBody::Checkout(checkout) => {
            let outcome = checkout_outcome(checkout);
            let status = checkout
                .payment_status
                .as_ref()
                .map_or_else(|| event.as_str(), |s| s.as_str());
            let key = dedupe_key(&outcome.provider_payment_id, status);
            VerifiedEvent::new(
                PROVIDER,
                Authenticity::Signed,
                key,
                EventKind::Payment(outcome),
            )
        }
    }
}

/// The common event of a payment object, whether decoded or read from the body's text.
fn payment_event(payment: &PaymentFacts<'_>) -> VerifiedEvent {
    let outcome = payment.outcome(None, false);
    let key = dedupe_key(&outcome.provider_payment_id, payment.status.as_str());
    VerifiedEvent::new(
        PROVIDER,
        Authenticity::Signed,
        key,
        EventKind::Payment(outcome),
    )
}

/// `maya-checkout:<id>:<status>`.
fn dedupe_key(id: &str, status: &str) -> String {
    let provider = PROVIDER.as_str();
    let mut key = String::with_capacity(provider.len() + id.len() + status.len() + 2);
    key.push_str(provider);
    key.push(':');
    key.push_str(id);
    key.push(':');
    key.push_str(status);
    key
}

/// The webhook receiver: verifies, de-duplicates nonces and decodes deliveries.
///
/// The nonce cache is the configured [`ClaimStore`] (shared by a fleet), or an in-memory one.
/// A replayed nonce is [`VerifyError::Replay`]: answer 2xx and do nothing.
#[derive(Clone)]
pub struct MayaCheckoutWebhook {
    config: WebhookConfig,
    nonces: Arc<dyn ClaimStore>,
    clock: Clock,
}

impl fmt::Debug for MayaCheckoutWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MayaCheckoutWebhook")
            .field("config", &self.config)
            .field("nonces", &self.nonces)
            .finish_non_exhaustive()
    }
}

/// The two headers, as names already parsed: looking one up by `&str` parses and lowercases the
/// name on every delivery.
static SIGNATURE_NAME: HeaderName = HeaderName::from_static(SIGNATURE_HEADER);
static TIMESTAMP_NAME: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);

/// [`WebhookRequest::header`] by a parsed name: the value, if present and printable.
fn header_text<'a>(request: &WebhookRequest<'a>, name: &HeaderName) -> Option<&'a str> {
    request.headers?.get(name)?.to_str().ok()
}

/// A delivery whose signature verified, before its body is decoded.
struct Signed<'b> {
    nonce: &'b str,
    key: usize,
    rendering: NumberRendering,
    /// The body as the scan read it, or as the tree reader did.
    read: Read<'b>,
}

enum Read<'b> {
    Scanned(Fields<'b>),
    Tree(JsonLiteral),
}

impl MayaCheckoutWebhook {
    /// A receiver with `config`, an in-memory nonce cache and the system clock.
    pub fn new(config: WebhookConfig) -> MayaCheckoutWebhook {
        MayaCheckoutWebhook {
            config,
            nonces: Arc::new(InMemoryClaimStore::new()),
            clock: Arc::new(std::time::SystemTime::now),
        }
    }

    /// Shares the nonce cache through a claim store (Redis, PostgreSQL) across a fleet.
    pub fn nonce_store(mut self, store: Arc<dyn ClaimStore>) -> MayaCheckoutWebhook {
        self.nonces = store;
        self
    }

    /// The clock the timestamp window is checked against.
    pub fn clock(mut self, clock: Clock) -> MayaCheckoutWebhook {
        self.clock = clock;
        self
    }

    /// The configuration deliveries are checked with (a route refuses a receiver without
    /// keys before it is mounted).
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// Verifies and decodes a delivery: body size, signature header, timestamp window,
    /// signature (any key, either rendering), the body, then the nonce cache. Nothing about a
    /// delivery is believed, or cached, before its signature verifies.
    pub async fn check(
        &self,
        request: &WebhookRequest<'_>,
    ) -> std::result::Result<Delivery, VerifyError> {
        let body = request
            .bounded_body(self.config.max_body_bytes)
            .map_err(|e| VerifyError::BadBody(e.to_string()))?;
        let signed = self.signed(request, body)?;
        let (event, decoded) = match &signed.read {
            Read::Scanned(fields) => {
                decode_typed(fields.checkout_shaped, body, &self.config.routing)
            }
            Read::Tree(tree) => decode_tree(tree, body, &self.config.routing),
        }?;
        self.remember(signed.nonce).await?;
        Ok(Delivery {
            event,
            nonce: signed.nonce.to_owned(),
            key: self.config.keys.label(signed.key).to_owned(),
            rendering: signed.rendering,
            body: decoded,
        })
    }

    /// [`MayaCheckoutWebhook::check`] as the common event: the same checks in the same order,
    /// with the same verdicts, but a payment object's event is made from the members the scan
    /// read (when `serde_json` is sure to decode the object alike), not from a decoded copy.
    async fn check_event(
        &self,
        request: &WebhookRequest<'_>,
    ) -> std::result::Result<VerifiedEvent, VerifyError> {
        let body = request
            .bounded_body(self.config.max_body_bytes)
            .map_err(|e| VerifyError::BadBody(e.to_string()))?;
        let signed = self.signed(request, body)?;
        let event = match &signed.read {
            Read::Scanned(fields) => {
                let checkout = match &self.config.routing {
                    Routing::Url(event) => event.is_legacy_checkout(),
                    Routing::ByStatus => fields.checkout_shaped,
                };
                let status = fields.status().filter(|_| !checkout).map(MayaStatus::parse);
                match status.as_ref().and_then(|status| fields.payment(status)) {
                    Some(facts) => payment_event(&facts),
                    None => {
                        let (event, decoded) =
                            decode_typed(fields.checkout_shaped, body, &self.config.routing)?;
                        event_of(&event, &decoded)
                    }
                }
            }
            Read::Tree(tree) => {
                let (event, decoded) = decode_tree(tree, body, &self.config.routing)?;
                event_of(&event, &decoded)
            }
        };
        self.remember(signed.nonce).await?;
        Ok(event)
    }

    /// The checks up to and including the signature: headers, timestamp window, the body read
    /// (by the scan, or by the tree reader for what the scan leaves to it), any key under
    /// either rendering.
    fn signed<'b>(
        &self,
        request: &WebhookRequest<'b>,
        body: &'b [u8],
    ) -> std::result::Result<Signed<'b>, VerifyError> {
        let header = header_text(request, &SIGNATURE_NAME).ok_or(VerifyError::MissingSignature)?;
        let tolerance_ms = i64::try_from(self.config.tolerance.as_millis()).unwrap_or(i64::MAX);
        check_timestamp(
            header_text(request, &TIMESTAMP_NAME),
            unix_ms((self.clock)()),
            tolerance_ms,
        )?;
        let (nonce, signature) = parse_header(header)?;
        let keys = &self.config.keys;
        if let Some(scanned) = scan(body, nonce, NumberRendering::Canonical) {
            let (key, rendering) =
                keys.verify_message(&scanned.message, signature.as_bytes(), || {
                    match scan(body, nonce, NumberRendering::RawToken) {
                        Some(raw) => raw.message,
                        // The scan read the body once; it reads it again. Should it not, the
                        // tree reader's string is the same one.
                        None => JsonLiteral::parse(body)
                            .map(|tree| flatten(&tree, nonce, NumberRendering::RawToken))
                            .unwrap_or_default(),
                    }
                })?;
            return Ok(Signed {
                nonce,
                key,
                rendering,
                read: Read::Scanned(scanned.fields),
            });
        }
        let tree =
            JsonLiteral::parse(body).map_err(|e| VerifyError::BadBody(format!("not JSON: {e}")))?;
        let canonical = flatten(&tree, nonce, NumberRendering::Canonical);
        let (key, rendering) = keys.verify_message(&canonical, signature.as_bytes(), || {
            flatten(&tree, nonce, NumberRendering::RawToken)
        })?;
        Ok(Signed {
            nonce,
            key,
            rendering,
            read: Read::Tree(tree),
        })
    }

    async fn remember(&self, nonce: &str) -> std::result::Result<(), VerifyError> {
        // Kept a minute longer than the window: a replay inside the window is always caught,
        // and one after it fails the timestamp check.
        let keep = self
            .config
            .tolerance
            .saturating_add(Duration::from_secs(60));
        let store = &self.nonces;
        let key = nonce_key(nonce);
        match store.claim(&key, keep).await {
            Ok(ClaimOutcome::Claimed(claim)) => {
                if let Err(error) = store.complete(&claim, keep).await {
                    tracing::warn!(%error, "webhook nonce claimed but not marked done");
                }
                Ok(())
            }
            Ok(ClaimOutcome::AlreadyDone | ClaimOutcome::InProgress) => Err(VerifyError::Replay {
                nonce: nonce.to_owned(),
            }),
            Err(error) => Err(VerifyError::Store(error.to_string())),
        }
    }
}

/// The claim store's key of a nonce, `maya-checkout:nonce:<nonce>`: one exact allocation and
/// three copies, as `format!`'s machinery cost a third as much again as the in-memory claim
/// (issue 16 profile).
fn nonce_key(nonce: &str) -> String {
    [PROVIDER.as_str(), ":nonce:", nonce].concat()
}

/// Decodes the body as a payment or a checkout object, by `routing`.
pub(crate) fn decode(
    body: &[u8],
    routing: &Routing,
) -> std::result::Result<(WebhookEvent, DeliveryBody), VerifyError> {
    let tree =
        JsonLiteral::parse(body).map_err(|e| VerifyError::BadBody(format!("not JSON: {e}")))?;
    decode_tree(&tree, body, routing)
}

/// [`decode`] of a body the signature check already read as `tree`: the tree tells a checkout
/// object from a payment one (issue 16: a second tree, `serde_json`'s, cost a sixth of the
/// verification), and the typed object is read from the bytes.
pub(crate) fn decode_tree(
    tree: &JsonLiteral,
    body: &[u8],
    routing: &Routing,
) -> std::result::Result<(WebhookEvent, DeliveryBody), VerifyError> {
    let checkout_shaped =
        tree.get("paymentStatus").is_some() || tree.get("paymentDetails").is_some();
    decode_typed(checkout_shaped, body, routing)
}

/// The typed object of `body`, decoded by `serde_json`: a checkout object when `routing` says
/// so or (routing by status) when the body is `checkout_shaped` (a top-level `paymentStatus`
/// or `paymentDetails`), else a payment object.
pub(crate) fn decode_typed(
    checkout_shaped: bool,
    body: &[u8],
    routing: &Routing,
) -> std::result::Result<(WebhookEvent, DeliveryBody), VerifyError> {
    let legacy = match routing {
        Routing::Url(event) => event.is_legacy_checkout(),
        Routing::ByStatus => checkout_shaped,
    };
    let bad = |e: serde_json::Error| VerifyError::BadBody(e.to_string());
    if legacy {
        let checkout: Checkout = serde_json::from_slice(body).map_err(bad)?;
        let event = match routing {
            Routing::Url(event) => event.clone(),
            Routing::ByStatus => legacy_event(checkout.payment_status.as_ref()),
        };
        return Ok((event, DeliveryBody::Checkout(Box::new(checkout))));
    }
    let payment: Payment = serde_json::from_slice(body).map_err(bad)?;
    let event = match routing {
        Routing::Url(event) => event.clone(),
        Routing::ByStatus => WebhookEvent::for_status(&payment.status),
    };
    Ok((event, DeliveryBody::Payment(Box::new(payment))))
}

fn legacy_event(status: Option<&MayaStatus>) -> WebhookEvent {
    match status {
        Some(MayaStatus::PaymentSuccess) => WebhookEvent::CheckoutSuccess,
        Some(MayaStatus::PaymentFailed | MayaStatus::AuthFailed) => WebhookEvent::CheckoutFailure,
        Some(MayaStatus::PaymentExpired) => WebhookEvent::CheckoutDropout,
        Some(MayaStatus::PaymentCancelled) => WebhookEvent::CheckoutCancelled,
        Some(other) => WebhookEvent::Other(other.as_str().to_owned()),
        None => WebhookEvent::Other("CHECKOUT".to_owned()),
    }
}

#[async_trait]
impl Webhook for MayaCheckoutWebhook {
    /// Verifies a delivery and returns it as a [`Authenticity::Signed`] event; a replayed
    /// nonce is an error ([`crate::VerifyError::is_replay`] on the native
    /// [`MayaCheckoutWebhook::check`] tells it apart).
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        Ok(self.check_event(request).await?)
    }
}

impl MayaCheckoutClient {
    /// Confirms a delivery by asking Maya (P1 for a payment, C2 for a legacy checkout body):
    /// the event comes back [`Authenticity::Confirmed`] with Maya's answer as its payment, or
    /// an integrity error when id, amount, currency or state disagree. Maya's records can lag
    /// a webhook: on an error, answer 5xx so Maya retries.
    pub async fn confirm_delivery(&self, delivery: &Delivery) -> Result<VerifiedEvent> {
        let queried = match &delivery.body {
            DeliveryBody::Payment(payment) => {
                let answer = self.payment(&payment.id).await?;
                self.outcome_with_refunds(&answer).await?
            }
            DeliveryBody::Checkout(checkout) => {
                checkout_outcome(&self.get_checkout(&checkout.id).await?)
            }
        };
        delivery.to_event().confirm_with(&queried)
    }

    /// Confirms any event of this provider by re-reading its payment ([`PaymentProvider::get_payment`]).
    pub async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        let Some(claimed) = event.payment() else {
            return Ok(event);
        };
        let queried = self.get_payment(&claimed.provider_payment_id).await?;
        event.confirm_with(&queried)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(body: &str) -> std::result::Result<(WebhookEvent, DeliveryBody), VerifyError> {
        let tree = JsonLiteral::parse(body.as_bytes()).unwrap();
        let from_tree = decode_tree(&tree, body.as_bytes(), &Routing::ByStatus);
        assert_eq!(from_tree, decode(body.as_bytes(), &Routing::ByStatus));
        from_tree
    }

    #[test]
    fn the_signature_checks_tree_tells_a_checkout_from_a_payment() {
        for body in [
            r#"{"id":"c-1","paymentStatus":"PAYMENT_SUCCESS"}"#,
            r#"{"id":"c-1","paymentDetails":{"last4":"1522"}}"#,
            r#"{"id":"c-1","paymentDetails":null}"#,
        ] {
            let (_, decoded) = routed(body).unwrap();
            assert!(matches!(decoded, DeliveryBody::Checkout(_)), "{body}");
        }
        for body in [
            r#"{"id":"p-1","status":"PAYMENT_SUCCESS"}"#,
            // Only a top-level member makes a checkout object.
            r#"{"id":"p-1","status":"PAYMENT_SUCCESS","receipt":{"paymentStatus":"x"}}"#,
        ] {
            let (event, decoded) = routed(body).unwrap();
            assert!(matches!(decoded, DeliveryBody::Payment(_)), "{body}");
            assert_eq!(event, WebhookEvent::for_status(&MayaStatus::PaymentSuccess));
        }
        for body in [
            "[]",
            r#""PAYMENT_SUCCESS""#,
            r#"{"status":"PAYMENT_SUCCESS"}"#,
        ] {
            assert!(
                matches!(routed(body), Err(VerifyError::BadBody(_))),
                "{body}"
            );
        }
        assert!(matches!(
            decode(b"{\"id\":", &Routing::ByStatus),
            Err(VerifyError::BadBody(_))
        ));
    }

    /// Valid JSON (RFC 8259 §6) that only `serde_json`'s own tree refused, in a member no
    /// reader uses: the signature check's tree reads it, and so does the typed object.
    #[test]
    fn a_number_beyond_f64_in_an_unread_member_is_read() {
        let body = r#"{"id":"p-1","status":"PAYMENT_SUCCESS","extra":1e400}"#;
        assert!(serde_json::from_str::<serde_json::Value>(body).is_err());
        let (_, decoded) = routed(body).unwrap();
        assert!(matches!(decoded, DeliveryBody::Payment(p) if p.id == "p-1"));
    }

    #[test]
    fn the_nonce_key_is_the_one_stores_already_hold() {
        for nonce in ["ebda1e3fb8813e9c491775f0d25365bc", "", "n:1"] {
            assert_eq!(nonce_key(nonce), format!("maya-checkout:nonce:{nonce}"));
        }
    }

    #[test]
    fn url_routing_ignores_the_body_shape() {
        let body = br#"{"id":"p-1","status":"PAYMENT_SUCCESS","paymentStatus":"PAYMENT_SUCCESS"}"#;
        let tree = JsonLiteral::parse(body).unwrap();
        let routing = Routing::Url(WebhookEvent::for_status(&MayaStatus::PaymentSuccess));
        let (event, decoded) = decode_tree(&tree, body, &routing).unwrap();
        assert_eq!(event, WebhookEvent::for_status(&MayaStatus::PaymentSuccess));
        assert!(matches!(decoded, DeliveryBody::Payment(_)));
    }
}
