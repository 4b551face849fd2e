//! Where the merchant keeps each order's `order_id` and `payment_hash`.
//!
//! iPay callbacks are unsigned: the only proof that a callback concerns one of the merchant's
//! orders is that its `order_id` **and** `payment_hash` both equal what iPay returned when the
//! order was created. The merchant persists that pair (normally beside its own order row) and
//! gives [`crate::BogWebhook`] a way to look it up.
//!
//! ## Migration to the payment records
//!
//! The client now also writes every payment to core's [`paykit_core::PaymentRecords`]
//! ([`crate::BogClientBuilder::payment_records`]), and those records carry the `payment_hash`
//! (in [`paykit_core::PaymentRef`], kept secret). The webhook looks an order up in the
//! `OrderStore` first and in the records second, so:
//!
//! 1. today both are written; an existing `OrderStore` keeps working unchanged, and payments
//!    created before the records existed are still found through it;
//! 2. a merchant who configures persistent payment records may drop the `OrderStore`:
//!    [`crate::BogClient::webhook`] then matches callbacks against the records alone;
//! 3. the `OrderStore` stays for stores keyed by the merchant's own id (`shop_order_id`), which
//!    the records (keyed by iPay's `order_id`) cannot serve.
//!
//! The records were made to carry the hash, rather than the `OrderStore` to carry refunds,
//! because refunds belong to the one record every provider shares (the reconciler reads it),
//! and one write per payment is less to keep consistent than two.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use paykit_core::{Result, async_trait};

use crate::model::PaymentHash;

/// What the merchant stored when iPay created an order.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StoredOrder {
    /// iPay's `order_id`.
    pub order_id: String,
    /// iPay's `payment_hash` for it.
    pub payment_hash: PaymentHash,
    /// The merchant's `shop_order_id`, if the order had one.
    pub shop_order_id: Option<String>,
}

impl StoredOrder {
    /// A stored pair.
    pub fn new(
        order_id: impl Into<String>,
        payment_hash: PaymentHash,
        shop_order_id: Option<String>,
    ) -> Self {
        StoredOrder {
            order_id: order_id.into(),
            payment_hash,
            shop_order_id,
        }
    }
}

/// The merchant's record of created orders.
///
/// Implement it over your database. The client calls [`OrderStore::save`] after every order it
/// creates (create order, card-saving payment, recurring charge) when configured with
/// [`crate::BogClientBuilder::order_store`]; [`crate::BogWebhook`] calls [`OrderStore::find`]
/// for every callback.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Persists a newly created order. What an error here means depends on the creating call:
    ///
    /// - **create order** (a payment page nobody has paid yet): the error is returned as it
    ///   is. The customer is never sent to the order, so nothing can be paid on it; iPay turns
    ///   an unpaid order to `error` after an hour. Creating it again is safe.
    /// - **recurring charge**: the card *was* charged (or is being charged: such a payment does
    ///   not expire). The error is [`paykit_core::Error::NotRecorded`], carrying the charge's
    ///   outcome and its new `order_id` and `payment_hash` ([`paykit_core::Error::payment_ref`]).
    ///   Record them once the store is back; never repeat the charge.
    async fn save(&self, order: &StoredOrder) -> Result<()>;

    /// The order a callback names: look it up by `order_id` (or, if you key your records by
    /// your own id, by `shop_order_id`). `Ok(None)` when it is not one of yours. The webhook
    /// then checks that **both** `order_id` and `payment_hash` equal the callback's.
    async fn find(
        &self,
        order_id: &str,
        shop_order_id: Option<&str>,
    ) -> Result<Option<StoredOrder>>;
}

/// An [`OrderStore`] in memory, for tests, demos and single-process tools. Orders are lost on
/// restart: production code stores them with its own order records.
#[derive(Default)]
pub struct InMemoryOrderStore {
    orders: Mutex<HashMap<String, StoredOrder>>,
}

impl InMemoryOrderStore {
    /// An empty store.
    pub fn new() -> Self {
        InMemoryOrderStore::default()
    }

    /// Records an order directly (e.g. one created elsewhere).
    pub fn insert(&self, order: StoredOrder) {
        self.lock().insert(order.order_id.clone(), order);
    }

    /// How many orders are stored.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no order is stored.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, StoredOrder>> {
        // Every update is a single insert, so a poisoned map is still consistent.
        self.orders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for InMemoryOrderStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryOrderStore")
            .field("orders", &self.len())
            .finish()
    }
}

#[async_trait]
impl OrderStore for InMemoryOrderStore {
    async fn save(&self, order: &StoredOrder) -> Result<()> {
        self.insert(order.clone());
        Ok(())
    }

    async fn find(
        &self,
        order_id: &str,
        _shop_order_id: Option<&str>,
    ) -> Result<Option<StoredOrder>> {
        Ok(self.lock().get(order_id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn saves_and_finds_by_order_id() {
        let store = InMemoryOrderStore::new();
        assert!(store.is_empty());
        store
            .save(&StoredOrder::new("o1", PaymentHash::new("h1"), None))
            .await
            .unwrap();
        let found = store.find("o1", None).await.unwrap().unwrap();
        assert_eq!(found.payment_hash.expose_secret(), "h1");
        assert!(store.find("o2", Some("o1")).await.unwrap().is_none());
        assert!(!format!("{store:?}").contains("h1"));
    }
}
