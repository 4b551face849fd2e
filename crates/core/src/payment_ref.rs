//! Every id paykit knows about one payment, carried by errors so a merchant can reconcile.
//!
//! When the outcome of a money-moving call is unknown, the merchant's next step is to ask the
//! provider (or their own records) what happened. That needs ids: the provider's payment id, the
//! provider's order id, iPay's payment hash, the merchant's own order reference. A
//! [`PaymentRef`] holds whichever of them are known at the point of failure.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The ids of one payment, as far as they are known. Empty fields are simply unknown.
///
/// iPay's `payment_hash` is what proves an unsigned iPay callback genuine, so it is a secret:
/// `Debug` and `Display` say only whether it is known; read it with
/// [`PaymentRef::payment_hash_secret`].
///
/// ```
/// use paykit_core::PaymentRef;
///
/// let known = PaymentRef::new()
///     .provider_payment_id("f16a9006")
///     .merchant_reference("order-17");
/// assert_eq!(known.to_string(), "payment id f16a9006, merchant reference order-17");
/// assert!(PaymentRef::new().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PaymentRef {
    /// The provider's id of the payment (maib `payId`, iPay `order_id`, Maya `paymentId`).
    pub provider_payment_id: Option<String>,
    /// A second provider-side id, where the provider assigns one beside its payment id.
    pub provider_order_id: Option<String>,
    /// iPay's `payment_hash`, which its callbacks carry.
    pub payment_hash: Option<SecretString>,
    /// The merchant's own reference (maib and miaPOS `orderId`, iPay `shop_order_id`, Maya
    /// `requestReferenceNumber`).
    pub merchant_reference: Option<String>,
    /// The `Idempotency-Key` the call was sent with, where the provider deduplicates by one
    /// (Bank of Georgia's Payments API): repeating the call with this key cannot act twice, so
    /// after an unknown outcome the merchant may retry with it instead of reconciling first.
    pub idempotency_key: Option<String>,
}

impl PaymentRef {
    /// No ids known.
    pub fn new() -> Self {
        PaymentRef::default()
    }

    /// Sets [`PaymentRef::provider_payment_id`].
    pub fn provider_payment_id(mut self, id: impl Into<String>) -> Self {
        self.provider_payment_id = Some(id.into());
        self
    }

    /// Sets [`PaymentRef::provider_order_id`].
    pub fn provider_order_id(mut self, id: impl Into<String>) -> Self {
        self.provider_order_id = Some(id.into());
        self
    }

    /// Sets [`PaymentRef::payment_hash`].
    pub fn payment_hash(mut self, hash: impl Into<String>) -> Self {
        self.payment_hash = Some(SecretString::from(hash.into()));
        self
    }

    /// The payment hash, when known.
    pub fn payment_hash_secret(&self) -> Option<&str> {
        self.payment_hash.as_ref().map(ExposeSecret::expose_secret)
    }

    /// Sets [`PaymentRef::merchant_reference`].
    pub fn merchant_reference(mut self, reference: impl Into<String>) -> Self {
        self.merchant_reference = Some(reference.into());
        self
    }

    /// Sets [`PaymentRef::merchant_reference`] when `reference` is known.
    pub fn maybe_merchant_reference(mut self, reference: Option<&str>) -> Self {
        if let Some(reference) = reference {
            self.merchant_reference = Some(reference.to_owned());
        }
        self
    }

    /// Sets [`PaymentRef::idempotency_key`].
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// True when no id is known.
    pub fn is_empty(&self) -> bool {
        self.provider_payment_id.is_none()
            && self.provider_order_id.is_none()
            && self.payment_hash.is_none()
            && self.merchant_reference.is_none()
            && self.idempotency_key.is_none()
    }

    /// Fills every id unknown here from `other`; ids already known are kept.
    pub fn merge(mut self, other: &PaymentRef) -> Self {
        fn fill<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
        fill(&mut self.provider_payment_id, &other.provider_payment_id);
        fill(&mut self.provider_order_id, &other.provider_order_id);
        fill(&mut self.payment_hash, &other.payment_hash);
        fill(&mut self.merchant_reference, &other.merchant_reference);
        fill(&mut self.idempotency_key, &other.idempotency_key);
        self
    }
}

impl PartialEq for PaymentRef {
    fn eq(&self, other: &Self) -> bool {
        self.provider_payment_id == other.provider_payment_id
            && self.provider_order_id == other.provider_order_id
            && self.payment_hash_secret() == other.payment_hash_secret()
            && self.merchant_reference == other.merchant_reference
            && self.idempotency_key == other.idempotency_key
    }
}

impl Eq for PaymentRef {}

impl fmt::Display for PaymentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hash = self.payment_hash.as_ref().map(|_| "known".to_owned());
        let parts = [
            ("payment id", &self.provider_payment_id),
            ("provider order id", &self.provider_order_id),
            ("payment hash", &hash),
            ("merchant reference", &self.merchant_reference),
            ("idempotency key", &self.idempotency_key),
        ];
        let mut first = true;
        for (label, value) in parts {
            if let Some(value) = value {
                if !first {
                    f.write_str(", ")?;
                }
                write!(f, "{label} {value}")?;
                first = false;
            }
        }
        if first {
            f.write_str("no ids known")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_what_is_known_and_fills_the_rest() {
        let merged = PaymentRef::new()
            .provider_payment_id("a")
            .merge(&PaymentRef::new().provider_payment_id("b").payment_hash("h"));
        assert_eq!(merged.provider_payment_id.as_deref(), Some("a"));
        assert_eq!(merged.payment_hash_secret(), Some("h"));
    }

    #[test]
    fn display_lists_every_known_id() {
        let all = PaymentRef::new()
            .provider_payment_id("p")
            .provider_order_id("o")
            .payment_hash("h")
            .merchant_reference("m");
        assert_eq!(
            all.to_string(),
            "payment id p, provider order id o, payment hash known, merchant reference m"
        );
        assert!(!format!("{all:?}").contains("\"h\""), "{all:?}");
        assert_eq!(PaymentRef::new().to_string(), "no ids known");
    }

    #[test]
    fn the_idempotency_key_is_an_id_like_the_others() {
        let keyed = PaymentRef::new()
            .provider_payment_id("p")
            .idempotency_key("3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f");
        assert_eq!(
            keyed.to_string(),
            "payment id p, idempotency key 3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f"
        );
        assert!(!PaymentRef::new().idempotency_key("k").is_empty());
        let merged = PaymentRef::new().merge(&keyed);
        assert_eq!(merged.idempotency_key, keyed.idempotency_key);
        assert_ne!(keyed, PaymentRef::new().provider_payment_id("p"));
    }
}
