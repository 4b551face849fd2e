//! What paykit said about each operation, and how that compares with what the simulator did.

use paykit_sim::{Ledger, LedgerProvider, OpKind};

/// What the merchant believes after an operation (and, for an unknown outcome, after
/// reconciling it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Belief {
    /// paykit (or the reconciliation) said the operation happened.
    Moved,
    /// paykit (or the reconciliation) said it did not.
    NotMoved,
    /// Still unknown: the reconciliation could not tell.
    Unknown,
}

/// Which payment an operation concerns, as far as the soak knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// The provider's payment id.
    Payment(String),
    /// Only the merchant's order id (the registration itself, or a charge whose answer was
    /// lost).
    Order(String),
}

/// How an unknown outcome was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// By the provider's status query (`get_payment`).
    Query,
    /// By the simulator's ledger: the provider offers no query that answers it (Maya), or
    /// the payment id is unknown (a registration whose answer was lost), where a merchant
    /// would ask the provider's back office.
    Ledger,
}

/// One operation the soak meant to perform once, with every attempt it took.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) op: OpKind,
    pub(crate) target: Target,
    /// The call, as named in a misreport (`"capture"`, `"create_payment"`).
    pub(crate) call: &'static str,
    pub(crate) attempts: u32,
    pub(crate) unknown: u32,
    pub(crate) resolved_by_query: u32,
    pub(crate) resolved_by_ledger: u32,
    pub(crate) belief: Belief,
    /// What paykit answered last, for a misreport.
    pub(crate) last_answer: String,
}

impl Check {
    pub(crate) fn new(op: OpKind, target: Target, call: &'static str) -> Self {
        Self {
            op,
            target,
            call,
            attempts: 0,
            unknown: 0,
            resolved_by_query: 0,
            resolved_by_ledger: 0,
            belief: Belief::Unknown,
            last_answer: String::new(),
        }
    }

    /// Records one attempt whose answer was definite.
    pub(crate) fn known(&mut self, belief: Belief, answer: String) {
        self.attempts = self.attempts.saturating_add(1);
        self.belief = belief;
        self.last_answer = answer;
    }

    /// Records one attempt whose outcome paykit reported as unknown.
    pub(crate) fn unknown(&mut self, answer: String) {
        self.attempts = self.attempts.saturating_add(1);
        self.unknown = self.unknown.saturating_add(1);
        self.belief = Belief::Unknown;
        self.last_answer = answer;
    }

    /// Records what reconciling the last unknown attempt found (`None`: nothing).
    pub(crate) fn resolve(&mut self, found: Option<bool>, how: Resolution) {
        let Some(moved) = found else { return };
        self.belief = if moved {
            Belief::Moved
        } else {
            Belief::NotMoved
        };
        match how {
            Resolution::Query => self.resolved_by_query = self.resolved_by_query.saturating_add(1),
            Resolution::Ledger => {
                self.resolved_by_ledger = self.resolved_by_ledger.saturating_add(1);
            }
        }
    }

    /// How many times the provider performed this operation, per the ledger.
    pub(crate) fn performed(&self, ledger: &Ledger, provider: LedgerProvider) -> usize {
        match &self.target {
            Target::Payment(id) => ledger.payment(provider, id).map_or(0, |p| p.count(self.op)),
            Target::Order(order) => ledger
                .by_order_id(provider, order)
                .map(|p| p.count(self.op))
                .sum(),
        }
    }
}
