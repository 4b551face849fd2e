//! Orders, kept in memory: what was bought, through whom, where the payment stands, and how
//! often it was fulfilled.
//!
//! Every change goes through `OrderBook::update`, which never moves an order backwards (a
//! late "pending" cannot undo a payment, a late "captured" cannot undo a refund; the rank is
//! core's [`status_rank`]) and fulfils an order when, and only when, it becomes paid.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use paykit_core::store::status_rank;
use paykit_core::{CaptureMode, Money, PaymentStatus};

use crate::catalog::Product;
use crate::provider::Provider;

/// The first order number: shop-looking numbers, and ids that sort.
const FIRST_ORDER: u64 = 1001;

/// One order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Order {
    /// `order-1001`, ...: the shop's id, also sent to the provider.
    pub id: String,
    /// What was bought.
    pub product: &'static Product,
    /// Who the buyer pays through.
    pub provider: Provider,
    /// The price charged.
    pub amount: Money,
    /// Charge at once, or hold for the admin to capture.
    pub capture: CaptureMode,
    /// The provider's payment id, once the payment exists.
    pub payment_id: Option<String>,
    /// Where the payment stands, as the provider last said (callback, query or call answer).
    pub status: PaymentStatus,
    /// How many times the order was fulfilled (packed and shipped). One for a paid order.
    pub fulfilments: u32,
    /// The callbacks the shop's handler processed for this order, by dedupe key, in order.
    pub callbacks: Vec<String>,
    /// What happened, oldest first, for the order and admin pages.
    pub history: Vec<String>,
    /// The last thing that went wrong with a call about this order (shown, not hidden).
    pub problem: Option<String>,
    /// The Maya customer session the buyer opened for this order (Maya only).
    pub(crate) maya_session: Option<MayaSessionId>,
    /// The Maya payment was started: a second "Pay" must not create a second payment.
    pub(crate) maya_paying: bool,
}

/// A Maya `sessionId`: the key to the buyer's tokens in the session store, so kept out of
/// Debug output and logs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct MayaSessionId(pub(crate) String);

impl std::fmt::Debug for MayaSessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MayaSessionId(..)")
    }
}

impl Order {
    /// What the buyer sees: `paid`, `declined`, `pending`, `refunded`, ...
    pub fn state(&self) -> OrderState {
        OrderState::of(&self.status)
    }
}

/// The order's state in the shop's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// Not decided yet (the buyer has not paid, or the provider has not told the shop).
    Pending,
    /// Paid; `held` when the amount is only reserved until the shop captures it.
    Paid {
        /// Reserved, not yet captured.
        held: bool,
    },
    /// The provider declined or the payment failed.
    Declined,
    /// Part of the amount was returned.
    PartiallyRefunded,
    /// The whole amount was returned.
    Refunded,
    /// Cancelled before capture, or not completed in time.
    Cancelled,
}

impl OrderState {
    /// The state of a payment in `status`.
    pub fn of(status: &PaymentStatus) -> OrderState {
        match status {
            PaymentStatus::Pending | PaymentStatus::RequiresAction => OrderState::Pending,
            PaymentStatus::Authorized => OrderState::Paid { held: true },
            PaymentStatus::Captured => OrderState::Paid { held: false },
            PaymentStatus::PartiallyRefunded => OrderState::PartiallyRefunded,
            PaymentStatus::Refunded => OrderState::Refunded,
            PaymentStatus::Failed { .. } => OrderState::Declined,
            PaymentStatus::Cancelled | PaymentStatus::Expired => OrderState::Cancelled,
            // PaymentStatus is non-exhaustive: a state this shop does not know is not "paid".
            _ => OrderState::Pending,
        }
    }

    /// Not decided yet: worth asking the provider again.
    pub fn is_undecided(self) -> bool {
        self == OrderState::Pending
    }

    /// The word on the order page.
    pub fn word(self) -> &'static str {
        match self {
            OrderState::Pending => "pending",
            OrderState::Paid { .. } => "paid",
            OrderState::Declined => "declined",
            OrderState::PartiallyRefunded => "partially refunded",
            OrderState::Refunded => "refunded",
            OrderState::Cancelled => "cancelled",
        }
    }
}

/// What `OrderBook::update` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Updated {
    /// The order's status changed.
    pub(crate) changed: bool,
    /// The order became paid with this update, and was fulfilled.
    pub(crate) fulfilled: bool,
}

/// All orders, behind one lock.
#[derive(Debug)]
pub struct OrderBook {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    next: u64,
    orders: HashMap<String, Order>,
}

impl Default for OrderBook {
    fn default() -> Self {
        OrderBook {
            inner: Mutex::new(Inner {
                next: FIRST_ORDER,
                orders: HashMap::new(),
            }),
        }
    }
}

impl OrderBook {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change is made whole under the lock, so a poisoned book is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new pending order.
    pub(crate) fn create(
        &self,
        product: &'static Product,
        provider: Provider,
        amount: Money,
        capture: CaptureMode,
    ) -> Order {
        let mut inner = self.lock();
        let id = format!("order-{}", inner.next);
        inner.next = inner.next.saturating_add(1);
        let order = Order {
            id: id.clone(),
            product,
            provider,
            amount,
            capture,
            payment_id: None,
            status: PaymentStatus::Pending,
            fulfilments: 0,
            callbacks: Vec::new(),
            history: vec![format!("ordered, paying {amount} through {provider}")],
            problem: None,
            maya_session: None,
            maya_paying: false,
        };
        inner.orders.insert(id, order.clone());
        order
    }

    /// The order `id`.
    pub fn get(&self, id: &str) -> Option<Order> {
        self.lock().orders.get(id).cloned()
    }

    /// Every order, newest first.
    pub fn all(&self) -> Vec<Order> {
        let mut orders: Vec<Order> = self.lock().orders.values().cloned().collect();
        orders.sort_by(|a, b| b.id.len().cmp(&a.id.len()).then(b.id.cmp(&a.id)));
        orders
    }

    /// The order whose payment at `provider` is `payment_id`.
    pub(crate) fn find_payment(&self, provider: Provider, payment_id: &str) -> Option<Order> {
        self.lock()
            .orders
            .values()
            .find(|o| o.provider == provider && o.payment_id.as_deref() == Some(payment_id))
            .cloned()
    }

    /// Records the provider's payment id of order `id`.
    pub(crate) fn attach_payment(&self, id: &str, payment_id: &str) {
        if let Some(order) = self.lock().orders.get_mut(id) {
            order.payment_id = Some(payment_id.to_owned());
            order.history.push(format!("payment {payment_id} created"));
        }
    }

    /// Binds the Maya customer session `session_id` to order `id`, once: `false` when the
    /// order already has one or does not exist.
    pub(crate) fn bind_maya_session(&self, id: &str, session_id: &str) -> bool {
        let mut inner = self.lock();
        let taken = inner
            .orders
            .values()
            .any(|o| o.maya_session.as_ref().is_some_and(|s| s.0 == session_id));
        match inner.orders.get_mut(id) {
            Some(order) if order.maya_session.is_none() && !taken => {
                order.maya_session = Some(MayaSessionId(session_id.to_owned()));
                order.history.push("Maya session opened".to_owned());
                true
            }
            _ => false,
        }
    }

    /// Starts order `id`'s Maya payment, once: its session id, or `None` when the order has no
    /// session, or its payment was already started.
    pub(crate) fn begin_maya_payment(&self, id: &str) -> Option<String> {
        let mut inner = self.lock();
        let order = inner.orders.get_mut(id)?;
        if order.maya_paying || order.payment_id.is_some() {
            return None;
        }
        let session = order.maya_session.clone()?;
        order.maya_paying = true;
        Some(session.0)
    }

    /// Notes a failed call about order `id`.
    pub(crate) fn problem(&self, id: &str, problem: String) {
        if let Some(order) = self.lock().orders.get_mut(id) {
            order.history.push(format!("problem: {problem}"));
            order.problem = Some(problem);
        }
    }

    /// Records that the callback `dedupe_key` was processed for order `id`.
    pub(crate) fn callback_handled(&self, id: &str, dedupe_key: &str) {
        if let Some(order) = self.lock().orders.get_mut(id) {
            order.callbacks.push(dedupe_key.to_owned());
        }
    }

    /// Moves order `id` to `status`, learned from `source` (a callback, a status query, an
    /// admin action), unless that would move it backwards. Fulfils the order when it becomes
    /// paid.
    pub(crate) fn update(&self, id: &str, status: &PaymentStatus, source: &str) -> Updated {
        let mut inner = self.lock();
        let Some(order) = inner.orders.get_mut(id) else {
            return Updated {
                changed: false,
                fulfilled: false,
            };
        };
        let (old, new) = (status_rank(&order.status), status_rank(status));
        // Within one rank only the same state is replaced (a second partial refund, a later
        // reason): two different final states never overwrite each other.
        let moves = new > old || (new == old && order.status.name() == status.name());
        if !moves || order.status == *status {
            return Updated {
                changed: false,
                fulfilled: false,
            };
        }
        let fulfilled = !order.status.is_paid() && status.is_paid();
        order.status = status.clone();
        order.history.push(format!("{status} ({source})"));
        if fulfilled {
            fulfil(order);
        }
        Updated {
            changed: true,
            fulfilled,
        }
    }
}

/// Packs and ships `order`. In this example that is a count and a log line; a real shop
/// would send the goods here, which is why it must happen exactly once.
fn fulfil(order: &mut Order) {
    order.fulfilments = order.fulfilments.saturating_add(1);
    order
        .history
        .push("fulfilled: packed and shipped".to_owned());
    tracing::info!(order = %order.id, fulfilments = order.fulfilments, "order fulfilled");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CATALOG;

    fn order(book: &OrderBook) -> Order {
        let product = &CATALOG[0];
        let amount = product.price(Provider::Maib.currency()).unwrap();
        book.create(product, Provider::Maib, amount, CaptureMode::Automatic)
    }

    #[test]
    fn an_order_is_fulfilled_once_when_it_becomes_paid_however_often_it_is_told() {
        let book = OrderBook::default();
        let o = order(&book);
        assert_eq!(o.id, "order-1001");
        assert_eq!(o.state(), OrderState::Pending);
        let first = book.update(&o.id, &PaymentStatus::Captured, "callback");
        assert_eq!(
            first,
            Updated {
                changed: true,
                fulfilled: true
            }
        );
        for _ in 0..3 {
            let again = book.update(&o.id, &PaymentStatus::Captured, "callback");
            assert!(!again.changed && !again.fulfilled);
        }
        let o = book.get(&o.id).unwrap();
        assert_eq!(o.fulfilments, 1);
        assert_eq!(o.state().word(), "paid");
    }

    #[test]
    fn a_hold_is_fulfilled_once_and_its_capture_does_not_fulfil_again() {
        let book = OrderBook::default();
        let o = order(&book);
        assert!(
            book.update(&o.id, &PaymentStatus::Authorized, "callback")
                .fulfilled
        );
        assert_eq!(
            book.get(&o.id).unwrap().state(),
            OrderState::Paid { held: true }
        );
        let captured = book.update(&o.id, &PaymentStatus::Captured, "admin");
        assert!(captured.changed && !captured.fulfilled);
        assert_eq!(book.get(&o.id).unwrap().fulfilments, 1);
    }

    #[test]
    fn late_answers_never_move_an_order_backwards() {
        let book = OrderBook::default();
        let o = order(&book);
        book.update(&o.id, &PaymentStatus::Captured, "callback");
        book.update(&o.id, &PaymentStatus::Refunded, "admin");
        for late in [
            PaymentStatus::Pending,
            PaymentStatus::Captured,
            PaymentStatus::Failed { reason: None },
        ] {
            assert!(!book.update(&o.id, &late, "late").changed, "{late}");
        }
        let o = book.get(&o.id).unwrap();
        assert_eq!(o.state().word(), "refunded");
        assert_eq!(o.fulfilments, 1);
    }

    #[test]
    fn a_declined_order_is_never_fulfilled() {
        let book = OrderBook::default();
        let o = order(&book);
        let failed = PaymentStatus::Failed {
            reason: Some("Decline, not sufficient funds".into()),
        };
        assert!(book.update(&o.id, &failed, "callback").changed);
        assert!(
            !book
                .update(&o.id, &PaymentStatus::Captured, "forged")
                .changed
        );
        let o = book.get(&o.id).unwrap();
        assert_eq!(o.state().word(), "declined");
        assert_eq!(o.fulfilments, 0);
    }

    #[test]
    fn a_maya_session_binds_to_one_order_once() {
        let book = OrderBook::default();
        let (a, b) = (order(&book), order(&book));
        assert!(book.bind_maya_session(&a.id, "s-1"));
        assert!(
            !book.bind_maya_session(&a.id, "s-2"),
            "one session per order"
        );
        assert!(
            !book.bind_maya_session(&b.id, "s-1"),
            "one order per session"
        );
        assert!(!book.bind_maya_session("order-9", "s-3"));
        let bound = format!("{:?}", book.get(&a.id).unwrap());
        assert!(
            bound.contains("MayaSessionId(..)") && !bound.contains("s-1"),
            "{bound}"
        );
        assert_eq!(book.begin_maya_payment(&a.id).as_deref(), Some("s-1"));
        assert_eq!(
            book.begin_maya_payment(&a.id),
            None,
            "one payment per order"
        );
        assert_eq!(
            book.begin_maya_payment(&b.id),
            None,
            "no session, no payment"
        );
        assert_eq!(
            book.all().iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            ["order-1002", "order-1001"]
        );
    }
}
