//! Confirming a callback by asking the provider (DESIGN.md §8).
//!
//! A signature proves who sent the bytes. Where it covers only the values (maib and miaPOS sign
//! the values of `result` in key order, not the names), a holder of one genuine callback can
//! relabel its fields and keep the signature valid. An event is fit for fulfilment only once its
//! decisive fields (payment id, amount, currency, state) agree with what the provider answers
//! when asked directly. [`VerifiedEvent::confirm_with`] is that cross-check, written once for
//! every adapter.

use crate::error::{Error, Result};
use crate::outcome::{PaymentOutcome, PaymentStatus};

use super::{Authenticity, EventKind, VerifiedEvent};

impl VerifiedEvent {
    /// True when the event may drive fulfilment (shipping goods, crediting an account): its
    /// decisive fields were confirmed with the provider.
    pub fn is_fit_for_fulfilment(&self) -> bool {
        self.authenticity == Authenticity::Confirmed
    }

    /// Cross-checks the event against `queried`, the provider's own answer about the same
    /// payment, and returns it as [`Authenticity::Confirmed`] with the provider's answer as its
    /// payment. Refused with [`Error::Integrity`] when the payment id, amount or currency
    /// differ (or the provider's answer lacks the amount the event claims), or when the states cannot be the same payment's (the event claims a state the
    /// provider has not reached and cannot have passed). Unknown events are returned unchanged.
    ///
    /// ```
    /// use paykit_core::{Authenticity, Currency, EventKind, Money, PaymentOutcome, PaymentStatus, ProviderId, VerifiedEvent};
    ///
    /// let paid = PaymentOutcome::new("pay-1", PaymentStatus::Captured)
    ///     .with_amount(Some(Money::parse("10.25", Currency::MDL)?));
    /// let event = VerifiedEvent::new(ProviderId("maib"), Authenticity::Signed, "pay-1:OK", EventKind::Payment(paid.clone()));
    /// assert!(!event.is_fit_for_fulfilment());
    /// let confirmed = event.confirm_with(&paid)?;
    /// assert!(confirmed.is_fit_for_fulfilment());
    ///
    /// let forged = PaymentOutcome::new("pay-1", PaymentStatus::Captured)
    ///     .with_amount(Some(Money::parse("327593", Currency::MDL)?));
    /// let event = VerifiedEvent::new(ProviderId("maib"), Authenticity::Signed, "pay-1:OK", EventKind::Payment(forged));
    /// assert!(event.confirm_with(&paid).is_err());
    /// # Ok::<(), paykit_core::Error>(())
    /// ```
    pub fn confirm_with(self, queried: &PaymentOutcome) -> Result<VerifiedEvent> {
        let provider = self.provider;
        let mismatch = |field: &'static str, claimed: String, answered: String| Error::Integrity {
            provider,
            field: field.into(),
            expected: answered,
            actual: claimed,
        };
        let claimed = match &self.kind {
            EventKind::Payment(outcome) | EventKind::Refund(outcome) => outcome,
            EventKind::Unknown { .. } => return Ok(self),
        };
        if claimed.provider_payment_id != queried.provider_payment_id {
            return Err(mismatch(
                "provider_payment_id",
                claimed.provider_payment_id.clone(),
                queried.provider_payment_id.clone(),
            ));
        }
        if claimed.amount.is_some() && queried.amount.is_none() {
            // An answer without the amount confirms nothing about the claimed one.
            return Err(mismatch(
                "amount",
                claimed.amount.map_or_else(String::new, |m| m.to_string()),
                "no amount in the provider's answer".to_owned(),
            ));
        }
        if let (Some(claimed), Some(answered)) = (&claimed.amount, &queried.amount) {
            if claimed.currency() != answered.currency() {
                return Err(mismatch(
                    "currency",
                    claimed.currency().to_string(),
                    answered.currency().to_string(),
                ));
            }
            if claimed.amount().normalize() != answered.amount().normalize() {
                return Err(mismatch(
                    "amount",
                    claimed.amount().to_string(),
                    answered.amount().to_string(),
                ));
            }
        }
        if !reachable(&claimed.status, &queried.status) {
            return Err(mismatch(
                "status",
                claimed.status.name().to_owned(),
                queried.status.name().to_owned(),
            ));
        }
        if matches!(self.kind, EventKind::Refund(_))
            && !matches!(
                queried.status,
                PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
            )
        {
            return Err(mismatch(
                "status",
                "refund".to_owned(),
                queried.status.name().to_owned(),
            ));
        }
        let kind = match self.kind {
            EventKind::Refund(_) => EventKind::Refund(queried.clone()),
            _ => EventKind::Payment(queried.clone()),
        };
        Ok(VerifiedEvent {
            provider: self.provider,
            authenticity: Authenticity::Confirmed,
            dedupe_key: self.dedupe_key,
            kind,
        })
    }
}

/// True when a payment the callback says is `claimed` can now be `answered`: the same state, or
/// one the payment moves to afterwards (captured, then refunded; authorized, then captured).
fn reachable(claimed: &PaymentStatus, answered: &PaymentStatus) -> bool {
    use PaymentStatus as S;
    if claimed.name() == answered.name() {
        return true;
    }
    match claimed {
        S::Pending | S::RequiresAction => true,
        S::Authorized => matches!(
            answered,
            S::Captured | S::PartiallyRefunded | S::Refunded | S::Cancelled | S::Expired
        ),
        S::Captured => matches!(answered, S::PartiallyRefunded | S::Refunded),
        S::PartiallyRefunded => matches!(answered, S::Refunded),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProviderId;
    use crate::money::{Currency, Money};

    fn outcome(status: PaymentStatus, amount: &str) -> PaymentOutcome {
        PaymentOutcome::new("pay-1", status).with_amount(Money::parse(amount, Currency::MDL).ok())
    }

    fn event(kind: EventKind) -> VerifiedEvent {
        VerifiedEvent::new(ProviderId("t"), Authenticity::Signed, "k", kind)
    }

    #[test]
    fn the_provider_answer_replaces_the_claim() {
        let claimed = event(EventKind::Payment(outcome(PaymentStatus::Captured, "10")));
        let now = outcome(PaymentStatus::PartiallyRefunded, "10.00");
        let confirmed = claimed.confirm_with(&now).unwrap();
        assert_eq!(confirmed.authenticity, Authenticity::Confirmed);
        assert_eq!(confirmed.payment(), Some(&now));
    }

    #[test]
    fn contradictions_are_refused() {
        let paid = outcome(PaymentStatus::Captured, "10");
        for (claimed, why) in [
            (
                EventKind::Payment(outcome(PaymentStatus::Captured, "11")),
                "amount",
            ),
            (
                EventKind::Payment(
                    PaymentOutcome::new("pay-2", PaymentStatus::Captured)
                        .with_amount(Money::parse("10", Currency::MDL).ok()),
                ),
                "provider_payment_id",
            ),
            (
                EventKind::Payment(
                    PaymentOutcome::new("pay-1", PaymentStatus::Captured)
                        .with_amount(Money::parse("10", Currency::EUR).ok()),
                ),
                "currency",
            ),
            (
                EventKind::Payment(outcome(PaymentStatus::Refunded, "10")),
                "status",
            ),
            (
                EventKind::Refund(outcome(PaymentStatus::Captured, "10")),
                "status",
            ),
        ] {
            let error = event(claimed).confirm_with(&paid).unwrap_err();
            assert!(
                matches!(&error, Error::Integrity { field, .. } if field == why),
                "{why}: {error:?}"
            );
        }
        let no_amount = PaymentOutcome::new("pay-1", PaymentStatus::Captured);
        let claimed = event(EventKind::Payment(outcome(PaymentStatus::Captured, "10")));
        assert!(claimed.confirm_with(&no_amount).is_err());
        let declined = outcome(PaymentStatus::Failed { reason: None }, "10");
        let claimed = event(EventKind::Payment(outcome(PaymentStatus::Captured, "10")));
        assert!(claimed.confirm_with(&declined).is_err());
    }
}
