//! What Maya's gateway remembers: payments (with an RRN index), checkouts, payment tokens,
//! customers and their cards, wallet links, webhook registrations.

use std::collections::HashMap;

pub(crate) use super::payment::*;
pub(crate) use super::records::*;
use crate::retention::Retained;

/// Everything the gateway remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) payments: Retained<Payment>,
    /// RRN to payment ids, oldest first (Maya does not enforce unique RRNs).
    pub(crate) by_rrn: HashMap<String, Vec<String>>,
    pub(crate) checkouts: HashMap<String, Checkout>,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) customers: HashMap<String, Customer>,
    pub(crate) links: HashMap<String, Link>,
    pub(crate) webhooks: Vec<Webhook>,
    /// The Checkout page customization (logo, colours, ...), as the merchant sent it.
    pub(crate) customization: Option<super::J>,
}

impl State {
    /// Empty, forgetting settled payments `horizon_ms` after their last change.
    pub(crate) fn with_horizon(horizon_ms: Option<u64>) -> Self {
        Self {
            payments: Retained::with_horizon(horizon_ms),
            ..Self::default()
        }
    }

    /// Stores a new payment and indexes its RRN.
    pub(crate) fn insert(&mut self, payment: Payment, now: u64) {
        self.by_rrn
            .entry(payment.rrn.clone())
            .or_default()
            .push(payment.id.clone());
        self.payments.insert(payment.id.clone(), payment, now);
    }

    /// The payments filed under `rrn`, oldest first.
    pub(crate) fn ids_by_rrn(&self, rrn: &str) -> Vec<String> {
        self.by_rrn
            .get(rrn)
            .map(|ids| {
                ids.iter()
                    .filter(|id| self.payments.get(id).is_some())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Expires what time has caught up with, looking at up to `budget` due payments;
    /// returns the payments whose status time changed (for their webhooks) and the ids of
    /// those forgotten.
    pub(crate) fn sweep(&mut self, now: u64, budget: usize) -> (Vec<Payment>, Vec<String>) {
        let mut changed = Vec::new();
        let evicted = self.payments.sweep(now, budget, |p| {
            match p.status {
                s if s.is_pending() => {
                    p.status = Status::PaymentExpired;
                    p.verification_url = None;
                }
                Status::Authorized => p.status = Status::AuthorizationHoldExpired,
                Status::Captured => p.status = Status::Done,
                _ => {
                    p.window_closed = true;
                    return;
                }
            }
            p.updated_ms = now;
            changed.push(p.clone());
        });
        let mut ids = Vec::with_capacity(evicted.len());
        for p in evicted {
            if let Some(list) = self.by_rrn.get_mut(&p.rrn) {
                list.retain(|id| id != &p.id);
                if list.is_empty() {
                    self.by_rrn.remove(&p.rrn);
                }
            }
            if let Some(checkout) = p.checkout_id() {
                self.checkouts.remove(checkout);
            }
            ids.push(p.id);
        }
        (changed, ids)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::maya_checkout::rules::refund_window_end_ms;

    const HOUR: u64 = 3600 * 1000;

    fn payment(id: &str, status: Status, now: u64) -> Payment {
        let mut p = Payment::new(
            id.into(),
            "rrn-1".into(),
            Decimal::new(10000, 2),
            Source::Vault,
            now,
        );
        p.status = status;
        if status.is_paid() {
            p.paid_ms = Some(now);
            p.hold_until_ms = Some(now + 6 * 24 * HOUR);
        }
        p
    }

    #[test]
    fn time_expires_pending_payments_and_lapses_holds() {
        let mut state = State::with_horizon(None);
        state.insert(payment("pending", Status::PendingToken, 0), 0);
        state.insert(payment("held", Status::Authorized, 0), 0);
        state.insert(payment("partly", Status::Captured, 0), 0);
        let (changed, _) = state.sweep(HOUR - 1, usize::MAX);
        assert!(changed.is_empty());
        let (changed, _) = state.sweep(HOUR, usize::MAX);
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].status, Status::PaymentExpired);
        let (changed, evicted) = state.sweep(6 * 24 * HOUR, usize::MAX);
        let mut statuses: Vec<_> = changed.iter().map(|p| p.status.as_str()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, ["AUTHORIZATION_HOLD_EXPIRED", "DONE"]);
        assert!(evicted.is_empty());
    }

    #[test]
    fn a_paid_sale_is_kept_through_its_refund_window_then_forgotten() {
        let mut state = State::with_horizon(Some(HOUR));
        state.insert(payment("sale", Status::PaymentSuccess, 0), 0);
        assert_eq!(state.ids_by_rrn("rrn-1"), ["sale"]);
        let end = refund_window_end_ms(0);
        let (_, evicted) = state.sweep(end - 1, usize::MAX);
        assert!(evicted.is_empty());
        assert!(state.payments.get("sale").is_some());
        let (changed, evicted) = state.sweep(end, usize::MAX);
        assert!(changed.is_empty() && evicted.is_empty());
        assert!(state.payments.get("sale").is_some_and(|p| p.window_closed));
        let (_, evicted) = state.sweep(end + HOUR, usize::MAX);
        assert_eq!(evicted, ["sale"]);
        assert!(state.ids_by_rrn("rrn-1").is_empty());
        assert!(state.by_rrn.is_empty());
    }
}
