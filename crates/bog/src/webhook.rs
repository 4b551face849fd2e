//! iPay callbacks: **unsigned**, so nothing in one is believed until iPay itself confirms it.
//!
//! [`BogWebhook`] accepts a callback only when:
//!
//! 1. its `order_id` **and** `payment_hash` both equal what paykit stored at creation (the
//!    [`OrderStore`], else the payment records, which carry the hash; compared in constant
//!    time), and
//! 2. `GET /checkout/payment/{order_id}` answers, with the same `payment_hash`.
//!
//! The event is then built from iPay's answer and paykit's payment records, never from the
//! callback's fields, and carries [`Authenticity::Confirmed`] (fit for fulfilment):
//!
//! - a status change reports the payment as `get_payment` does;
//! - a refund notice ("Payment Amount Return") marks the oldest refund paykit sent and iPay
//!   has not yet confirmed as `Confirmed`. It is an [`EventKind::Refund`] only when the
//!   records hold a refund of the payment; otherwise (a block still held, a released block, a
//!   refund paykit did not send) it is the [`EventKind::Payment`] iPay's answer describes;
//! - dedupe keys are made of iPay's answer and paykit's records only, never of callback fields
//!   an attacker could set: `bog:{order_id}:payment:{status}:{pre_auth_status}` and
//!   `bog:{order_id}:refund:{n}` with `n` the number of refunds iPay has confirmed (so a
//!   redelivered notice dedupes and the notice of a later refund does not).
//!
//! A callback for an `order_id` paykit does not know (the answer of a recurring charge was
//! lost, say) is refused unless [`BogWebhook::confirm_unknown_orders`] is on: then iPay is asked
//! about it, its `payment_hash` must equal the callback's, and the order is adopted into the
//! store and the records.
//!
//! | what went wrong | error |
//! |---|---|
//! | body over the limit ([`BogWebhook::max_body_bytes`], 64 KiB by default; nothing is parsed, looked up or queried) | `Error::Signature(SignatureError::BadBody)` |
//! | body unreadable, `order_id`/`payment_hash` missing or repeated | `Error::Signature(SignatureError::BadBody)` |
//! | `order_id` unknown (and unknown orders not confirmed) | `Error::InvalidInput { field: "order_id" }` (nothing is queried) |
//! | `order_id` or `payment_hash` differ from the stored ones | `Error::Signature(SignatureError::Mismatch)` (nothing is queried) |
//! | an unknown order whose `payment_hash` differs from iPay's | `Error::Signature(SignatureError::Mismatch)` |
//! | the re-query or a records read failed | its own error: answer non-200 so BOG retries |
//! | iPay's `payment_hash` differs from the stored one | `Error::Integrity { field: "payment_hash" }` |

use std::fmt;
use std::sync::Arc;

use paykit_core::webhook::constant_time_eq;
use paykit_core::{
    Authenticity, Error, EventKind, PaymentRecord, PaymentRef, PaymentStatus, Result,
    SignatureError, VerifiedEvent, Webhook, WebhookRequest, async_trait,
};

use crate::model::PaymentDetails;
use crate::notification::{MAX_CALLBACK_BYTES, Notification, NotificationKind};
use crate::store::{OrderStore, StoredOrder};
use crate::{BogClient, PROVIDER, records, translate};

/// Verifies iPay callbacks against the merchant's [`OrderStore`] (or the client's payment
/// records) and iPay itself.
///
/// ```no_run
/// use std::sync::Arc;
/// use paykit_bog::{BogClient, BogWebhook, InMemoryOrderStore};
/// use paykit_core::{Webhook, WebhookRequest};
///
/// # async fn handle(client: BogClient, store: Arc<InMemoryOrderStore>, body: &[u8]) -> u16 {
/// let webhook = BogWebhook::new(client, store);
/// match webhook.verify(&WebhookRequest::body_only(body)).await {
///     Ok(event) => {
///         assert!(event.is_fit_for_fulfilment()); // confirmed by iPay
///         // Persist the event under event.dedupe_key first, then answer 200.
///         200
///     }
///     // Unknown order or forged hash: refuse. A failed re-query: non-200, BOG retries.
///     Err(error) if error.is_retryable() => 503,
///     Err(_) => 400,
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct BogWebhook {
    client: BogClient,
    store: Option<Arc<dyn OrderStore>>,
    confirm_unknown: bool,
    max_body: usize,
}

impl BogWebhook {
    /// A verifier that looks orders up in `store` (then in the client's payment records) and
    /// re-queries them with `client`.
    pub fn new(client: BogClient, store: Arc<dyn OrderStore>) -> Self {
        BogWebhook::over(client, Some(store))
    }

    pub(crate) fn over(client: BogClient, store: Option<Arc<dyn OrderStore>>) -> Self {
        BogWebhook {
            client,
            store,
            confirm_unknown: false,
            max_body: MAX_CALLBACK_BYTES,
        }
    }

    /// The largest callback body accepted (default [`MAX_CALLBACK_BYTES`], 64 KiB; iPay's are
    /// a few hundred bytes). A larger one is refused before it is parsed, before the order
    /// store or the records are read and before iPay is queried: callbacks are unsigned and
    /// anyone can post them.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body = limit;
        self
    }

    /// Opt-in: a callback for an `order_id` neither the store nor the records know is
    /// confirmed by asking iPay (its `payment_hash` must equal the callback's) instead of
    /// refused, and the order is added to the store and the records. This is how a payment
    /// whose creating answer was lost (a recurring charge that timed out) is found: its
    /// status-change callback carries its `order_id` and your `shop_order_id`.
    ///
    /// Off by default: with it on, anyone can make the client send iPay one status query per
    /// forged callback (the event itself is always iPay's answer, never the callback's claim).
    pub fn confirm_unknown_orders(mut self) -> Self {
        self.confirm_unknown = true;
        self
    }

    /// Checks a parsed notification (see the module docs) and builds the event from iPay's
    /// own answer and the payment records.
    pub async fn verify_notification(&self, notice: &Notification) -> Result<VerifiedEvent> {
        let details = match self.stored(notice).await? {
            Some(stored) => self.confirm_known(notice, &stored).await?,
            None if self.confirm_unknown => self.confirm_unknown(notice).await?,
            None => {
                return Err(Error::invalid_input(
                    "order_id",
                    "the callback names no order this merchant stored",
                ));
            }
        };
        let record = self.client.record_of(&details.order_id).await?;
        match notice.kind {
            NotificationKind::StatusChange => Ok(payment_event(&details, record.as_ref())),
            NotificationKind::AmountReturn => self.refund_event(&details, record).await,
        }
    }

    /// The stored pair for the callback's order: the order store's, else the records'.
    async fn stored(&self, notice: &Notification) -> Result<Option<StoredOrder>> {
        if let Some(store) = &self.store {
            let found = store
                .find(&notice.order_id, notice.shop_order_id.as_deref())
                .await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        let record = self.client.record_of(&notice.order_id).await?;
        Ok(record.as_ref().and_then(records::stored_order))
    }

    /// A known order: the callback's pair must be the stored one, then iPay must agree.
    async fn confirm_known(
        &self,
        notice: &Notification,
        stored: &StoredOrder,
    ) -> Result<PaymentDetails> {
        // Both comparisons always run: neither result short-circuits the other.
        let id_matches = constant_time_eq(stored.order_id.as_bytes(), notice.order_id.as_bytes());
        let hash_matches = constant_time_eq(
            stored.payment_hash.expose_secret().as_bytes(),
            notice.payment_hash.expose_secret().as_bytes(),
        );
        if !(id_matches & hash_matches) {
            return Err(Error::Signature(SignatureError::Mismatch));
        }
        let details = self.client.payment_details(&stored.order_id).await?;
        if !constant_time_eq(
            details.payment_hash.expose_secret().as_bytes(),
            stored.payment_hash.expose_secret().as_bytes(),
        ) {
            return Err(Error::Integrity {
                provider: PROVIDER,
                field: "payment_hash".into(),
                expected: "the stored payment_hash".into(),
                actual: "another value".into(),
            });
        }
        Ok(details)
    }

    /// An order paykit does not know: iPay's answer must carry the callback's hash. Adopted
    /// into the store and the records, so the next callback of it is a known one.
    async fn confirm_unknown(&self, notice: &Notification) -> Result<PaymentDetails> {
        let details = self.client.payment_details(&notice.order_id).await?;
        if !constant_time_eq(
            details.payment_hash.expose_secret().as_bytes(),
            notice.payment_hash.expose_secret().as_bytes(),
        ) {
            return Err(Error::Signature(SignatureError::Mismatch));
        }
        let stored = StoredOrder::new(
            details.order_id.clone(),
            details.payment_hash.clone(),
            details.shop_order_id.clone(),
        );
        // The event stands on iPay's answer alone; failing to adopt the order only means the
        // next callback takes this path again.
        if let Some(store) = &self.store {
            if let Err(error) = store.save(&stored).await {
                tracing::warn!(%error, "unknown order confirmed but not stored");
            }
        }
        let ids = PaymentRef::new()
            .provider_payment_id(&details.order_id)
            .payment_hash(details.payment_hash.expose_secret())
            .maybe_merchant_reference(details.shop_order_id.as_deref());
        // Merged into what the records may already hold (a refund sent before the hash was
        // known), never replacing it.
        let record = match self.client.record_of(&details.order_id).await {
            Ok(Some(existing)) => Some(existing.with_ids(&ids)),
            Ok(None) => Some(PaymentRecord::new(PROVIDER, &details.order_id).with_ids(&ids)),
            Err(error) => {
                tracing::warn!(%error, "unknown order confirmed but not recorded");
                None
            }
        };
        if let Some(record) = record {
            if let Err(error) = self.client.put_record(&record).await {
                tracing::warn!(%error, "unknown order confirmed but not recorded");
            }
        }
        Ok(details)
    }

    /// A refund notice: confirms the oldest refund paykit sent, and reports the payment as the
    /// records and iPay describe it.
    async fn refund_event(
        &self,
        details: &PaymentDetails,
        record: Option<PaymentRecord>,
    ) -> Result<VerifiedEvent> {
        let captured = details.payment_status() == PaymentStatus::Captured;
        let mut record = match record {
            Some(record) if captured && records::has_refunds(&record) => record,
            // A held or released block, or a refund paykit did not send: nothing confirms a
            // refund, so the event is the payment as iPay reports it.
            other => return Ok(payment_event(details, other.as_ref())),
        };
        if records::confirm_oldest(&mut record) {
            // Persisted before the event is handed out: an error makes BOG deliver it again.
            self.client.put_record(&record).await?;
        }
        let key = format!(
            "bog:{}:refund:{}",
            details.order_id,
            records::confirmed(&record)
        );
        let outcome = translate::outcome_for_details(details, Some(&record));
        Ok(VerifiedEvent::new(
            PROVIDER,
            Authenticity::Confirmed,
            key,
            EventKind::Refund(outcome),
        ))
    }
}

/// The event for a payment's state, from iPay's answer and the records.
fn payment_event(details: &PaymentDetails, record: Option<&PaymentRecord>) -> VerifiedEvent {
    let key = format!(
        "bog:{}:payment:{}:{}",
        details.order_id,
        details.status.as_str(),
        details.pre_auth_status.as_ref().map_or("-", |s| s.as_str())
    );
    VerifiedEvent::new(
        PROVIDER,
        Authenticity::Confirmed,
        key,
        EventKind::Payment(translate::outcome_for_details(details, record)),
    )
}

#[async_trait]
impl Webhook for BogWebhook {
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        let body = request.bounded_body(self.max_body)?;
        let notice = Notification::parse_within_limit(request.header("content-type"), body)?;
        self.verify_notification(&notice).await
    }
}

impl fmt::Debug for BogWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BogWebhook")
            .field("client", &self.client)
            .field("order_store", &self.store.is_some())
            .field("confirm_unknown_orders", &self.confirm_unknown)
            .field("max_body_bytes", &self.max_body)
            .finish_non_exhaustive()
    }
}
