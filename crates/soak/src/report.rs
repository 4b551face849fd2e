//! The per-provider numbers, computed from the soak's checks and the simulator's ledger.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use paykit_sim::{FaultCounts, Ledger, LedgerProvider, OpKind};

use crate::check::{Belief, Check};

/// One misreport or double operation, precisely enough to reproduce it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of finding.
    pub kind: FindingKind,
    /// Provider, call, target, what paykit reported and what the ledger says.
    pub detail: String,
}

/// The kinds of finding that fail a soak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// The provider performed the operation; paykit said it did not.
    MovedReportedNotMoved,
    /// The provider performed one operation more than once.
    PerformedTwice,
    /// paykit said the operation happened; the provider did not perform it.
    ReportedMovedNotMoved,
    /// A payment record claims a state or a refund the provider's ledger does not show.
    RecordContradictsLedger,
}

/// What the reconciler made of one provider's payment records once the faults stopped, and how
/// every record compares with the ledger. Only clients that write records have one (maib and
/// iPay; miaPOS and Maya write none yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordsReport {
    /// Records in the store: one per payment whose id the client learned (a registration
    /// repeated after a lost answer has two; a saved-card charge whose answer was lost has
    /// none).
    pub records: u64,
    /// Distinct records the reconciler examined (those unsettled when a sweep began).
    pub examined: u64,
    /// Distinct records whose state a sweep changed.
    pub changed: u64,
    /// Of those examined, settled after the final sweep.
    pub settled: u64,
    /// Of those examined, still open after the final sweep.
    pub still_open: u64,
    /// Records the provider could not be asked about in the final sweep.
    pub failed: u64,
    /// Still open, and rightly: the ledger shows nothing final either (never paid, a hold left
    /// standing).
    pub awaiting_provider: u64,
    /// Still open because a refund's answer was lost: only the refund callback settles it.
    pub refund_unanswered: u64,
    /// Must be zero: still open though the ledger shows the payment final, so a status query
    /// could have settled it.
    pub settleable_left_open: u64,
    /// Settled records the ledger shows went further (a refund the record does not show):
    /// incomplete, not false.
    pub behind: u64,
    /// Must be zero: records whose state or refunds contradict the ledger.
    pub contradictions: u64,
}

/// The numbers for one provider.
#[derive(Debug, Clone, Default)]
pub struct ProviderReport {
    /// Operations attempted (registrations, charges, captures, refunds, executes; customer
    /// payments checked by status).
    pub operations: u64,
    /// Attempts per operation, by the ledger's name for it.
    pub by_operation: BTreeMap<&'static str, u64>,
    /// Faults the simulator injected for this provider.
    pub faults: FaultCounts,
    /// Attempts whose outcome paykit reported as known.
    pub known: u64,
    /// Attempts whose outcome paykit reported as unknown.
    pub unknown: u64,
    /// Unknowns resolved by the provider's status query.
    pub resolved_by_query: u64,
    /// Unknowns resolved against the ledger (no query could answer).
    pub resolved_by_ledger: u64,
    /// Operations still unknown at the end.
    pub unresolved: u64,
    /// Must be zero: money moved that paykit reported as not moved.
    pub moved_reported_not_moved: u64,
    /// Must be zero: operations the provider performed twice.
    pub performed_twice: u64,
    /// Should be zero too: paykit said money moved and it did not.
    pub reported_moved_not_moved: u64,
    /// Merchant orders registered more than once (a create repeated after a lost answer; no
    /// money moves until a customer pays, and the soak's customers pay only the one answered).
    pub duplicate_registrations: u64,
    /// Attempts repeated under the same idempotency key after an unknown outcome (only
    /// providers that take one: the Payments API). Each is checked to have happened once.
    pub replayed_with_key: u64,
    /// Operations the soak gave up on (a query kept failing, a flow could not go on).
    pub abandoned: u64,
    /// Every finding, for the printout.
    pub findings: Vec<Finding>,
    /// The payment records after reconciling, for clients that write them.
    pub records: Option<RecordsReport>,
}

impl ProviderReport {
    /// Whether the two numbers that must be zero (and the reverse misreport) are zero, and no
    /// payment record contradicts the ledger.
    pub fn passed(&self) -> bool {
        self.moved_reported_not_moved == 0
            && self.performed_twice == 0
            && self.reported_moved_not_moved == 0
            && self.records.as_ref().is_none_or(|r| r.contradictions == 0)
    }

    /// Compares `checks` of `provider` with the ledger.
    pub(crate) fn build(
        provider: LedgerProvider,
        checks: &[Check],
        abandoned: u64,
        ledger: &Ledger,
        faults: FaultCounts,
    ) -> Self {
        let mut r = ProviderReport {
            faults,
            abandoned,
            ..Self::default()
        };
        for check in checks {
            let attempts = u64::from(check.attempts);
            let unknown = u64::from(check.unknown);
            r.operations = r.operations.saturating_add(attempts);
            let per_op = r.by_operation.entry(op_name(check.op)).or_default();
            *per_op = per_op.saturating_add(attempts);
            r.unknown = r.unknown.saturating_add(unknown);
            r.known = r.known.saturating_add(attempts.saturating_sub(unknown));
            r.resolved_by_query = r
                .resolved_by_query
                .saturating_add(u64::from(check.resolved_by_query));
            r.resolved_by_ledger = r
                .resolved_by_ledger
                .saturating_add(u64::from(check.resolved_by_ledger));
            r.replayed_with_key = r
                .replayed_with_key
                .saturating_add(u64::from(check.replayed));
            let performed = check.performed(ledger, provider);
            if check.op == OpKind::Register && !check.keyed {
                // A registration moves no money, and paykit says so: it treats a lost create
                // answer as safe to repeat. A repeat leaves an unpaid duplicate, counted for
                // information only.
                if performed > 1 {
                    r.duplicate_registrations = r.duplicate_registrations.saturating_add(1);
                }
                if check.belief == Belief::Unknown {
                    r.unresolved = r.unresolved.saturating_add(1);
                }
                continue;
            }
            let describe = |what: &str| {
                format!(
                    "{provider} {} ({:?} {:?}): {what}; paykit's last answer: {}; ledger: {} \
                     performed {performed} time(s), {} attempt(s), {} unknown",
                    check.call,
                    check.op,
                    check.target,
                    check.last_answer,
                    op_name(check.op),
                    check.attempts,
                    check.unknown
                )
            };
            if check.op == OpKind::Register {
                // Under an idempotency key a repeated registration must be answered with the
                // first order, never a second one.
                if check.belief == Belief::Unknown {
                    r.unresolved = r.unresolved.saturating_add(1);
                }
                if performed > 1 {
                    r.performed_twice = r.performed_twice.saturating_add(1);
                    r.findings.push(Finding {
                        kind: FindingKind::PerformedTwice,
                        detail: describe("registered more than once under one idempotency key"),
                    });
                }
                continue;
            }
            match check.belief {
                Belief::Unknown => r.unresolved = r.unresolved.saturating_add(1),
                Belief::NotMoved if performed > 0 => {
                    r.moved_reported_not_moved = r.moved_reported_not_moved.saturating_add(1);
                    r.findings.push(Finding {
                        kind: FindingKind::MovedReportedNotMoved,
                        detail: describe("reported as not performed"),
                    });
                }
                Belief::Moved if performed == 0 => {
                    r.reported_moved_not_moved = r.reported_moved_not_moved.saturating_add(1);
                    r.findings.push(Finding {
                        kind: FindingKind::ReportedMovedNotMoved,
                        detail: describe("reported as performed"),
                    });
                }
                Belief::Moved | Belief::NotMoved => {}
            }
            if performed > 1 {
                r.performed_twice = r.performed_twice.saturating_add(1);
                r.findings.push(Finding {
                    kind: FindingKind::PerformedTwice,
                    detail: describe("meant once"),
                });
            }
        }
        r.count_doubles_per_order(provider, ledger);
        r
    }

    /// A merchant order id charged (or registered) on more than one provider payment: a
    /// create or charge repeated behind the merchant's back.
    fn count_doubles_per_order(&mut self, provider: LedgerProvider, ledger: &Ledger) {
        let mut per_order: HashMap<&str, (usize, usize)> = HashMap::new();
        for p in ledger.payments().filter(|p| p.provider == provider) {
            let Some(order) = p.order_id.as_deref() else {
                continue;
            };
            let entry = per_order.entry(order).or_default();
            entry.0 = entry.0.saturating_add(1);
            if p.moved_money() {
                entry.1 = entry.1.saturating_add(1);
            }
        }
        let mut doubled: Vec<(&str, (usize, usize))> = per_order
            .into_iter()
            .filter(|(_, (_, moved))| *moved > 1)
            .collect();
        doubled.sort_unstable();
        for (order, (registered, moved)) in doubled {
            self.performed_twice = self.performed_twice.saturating_add(1);
            self.findings.push(Finding {
                kind: FindingKind::PerformedTwice,
                detail: format!(
                    "{provider} order {order:?}: {registered} payments registered, {moved} moved \
                     money (one was meant)"
                ),
            });
        }
    }
}

fn op_name(op: OpKind) -> &'static str {
    match op {
        OpKind::Register => "register",
        OpKind::Charge => "charge",
        OpKind::Hold => "hold",
        OpKind::Capture => "capture",
        OpKind::Refund => "refund",
        OpKind::Void => "void",
        OpKind::Execute => "execute",
        OpKind::Decline => "decline",
        _ => "operation",
    }
}

/// The whole soak's result.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Per provider, in a fixed order.
    pub providers: Vec<(LedgerProvider, ProviderReport)>,
    /// The seed the plan came from.
    pub seed: u64,
    /// Wall time, in milliseconds.
    pub wall_ms: u128,
    /// Reconciler sweeps after the faults stopped (the last one changed nothing, unless the
    /// bound was reached).
    pub sweeps: u32,
    /// Wall time of the sweeps, in milliseconds.
    pub reconcile_ms: u128,
}

impl Report {
    /// Whether every provider passed.
    pub fn passed(&self) -> bool {
        self.providers.iter().all(|(_, r)| r.passed())
    }

    /// The numbers of one provider.
    pub fn provider(&self, provider: LedgerProvider) -> Option<&ProviderReport> {
        self.providers
            .iter()
            .find(|(p, _)| *p == provider)
            .map(|(_, r)| r)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<13} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8} {:>6} {:>9} {:>7} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>6}",
            "provider",
            "ops",
            "faults",
            "known",
            "unknown",
            "res:qry",
            "res:ldgr",
            "unres",
            "moved!rep",
            "twice",
            "rep!moved",
            "rec:exam",
            "rec:chg",
            "rec:set",
            "rec:open",
            "rec:fail",
            "contra"
        )?;
        for (provider, r) in &self.providers {
            let cell = |field: fn(&RecordsReport) -> u64| {
                r.records
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |records| field(records).to_string())
            };
            writeln!(
                f,
                "{:<13} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8} {:>6} {:>9} {:>7} {:>9} {:>8} {:>7} {:>7} {:>8} {:>8} {:>6}",
                provider.name(),
                r.operations,
                r.faults.total(),
                r.known,
                r.unknown,
                r.resolved_by_query,
                r.resolved_by_ledger,
                r.unresolved,
                r.moved_reported_not_moved,
                r.performed_twice,
                r.reported_moved_not_moved,
                cell(|x| x.examined),
                cell(|x| x.changed),
                cell(|x| x.settled),
                cell(|x| x.still_open),
                cell(|x| x.failed),
                cell(|x| x.contradictions)
            )?;
        }
        writeln!(f)?;
        for (provider, r) in &self.providers {
            let c = &r.faults;
            writeln!(
                f,
                "{:<13} faults: {} delayed, {} 5xx before processing, {} 5xx after processing, \
                 {} token failures, {} callbacks dropped; {} flows cut short, {} orders \
                 registered twice (no money), {} attempts repeated under their idempotency key",
                provider.name(),
                c.delayed,
                c.failed_before,
                c.failed_after,
                c.token_failed,
                c.dropped_callbacks,
                r.abandoned,
                r.duplicate_registrations,
                r.replayed_with_key
            )?;
        }
        for (provider, r) in &self.providers {
            let ops: Vec<String> = r
                .by_operation
                .iter()
                .map(|(op, n)| format!("{n} {op}"))
                .collect();
            writeln!(f, "{:<13} attempts: {}", provider.name(), ops.join(", "))?;
        }
        for (provider, r) in &self.providers {
            let Some(x) = &r.records else { continue };
            writeln!(
                f,
                "{:<13} records: {} kept; after {} sweep(s) with faults off, {} still open: {} \
                 awaiting the customer or a capture, {} with a refund whose answer was lost \
                 (only its callback settles it), {} the ledger shows final (must be 0); {} \
                 settled but behind the ledger (a refund the record does not show)",
                provider.name(),
                x.records,
                self.sweeps,
                x.still_open,
                x.awaiting_provider,
                x.refund_unanswered,
                x.settleable_left_open,
                x.behind
            )?;
        }
        for (_, r) in &self.providers {
            for finding in &r.findings {
                writeln!(f, "FINDING {:?}: {}", finding.kind, finding.detail)?;
            }
        }
        let has = |provider| self.providers.iter().any(|(p, _)| *p == provider);
        if has(LedgerProvider::BogPayments) {
            writeln!(
                f,
                "bog-payments: every money call carries an Idempotency-Key; an unknown outcome is \
                 resolved by the receipt, or repeated under the same key (a registration has no \
                 receipt to read before its id is known), and the ledger must show it once"
            )?;
        }
        if has(LedgerProvider::MayaCheckout) {
            writeln!(
                f,
                "maya-checkout: no idempotency, and API keys instead of a token endpoint, so \
                 the token fault does not reach it; unknowns are resolved by \
                 payments_by_reference, the payment and its refunds list; refunds run on the \
                 next Manila day, after the other providers are done and reconciled (the \
                 simulator clock is moved for them, the faults back on)"
            )?;
        }
        if has(LedgerProvider::Maya) {
            writeln!(
                f,
                "maya: no status query exists (Mini App); its unknowns are reconciled against \
                 the simulator's ledger only"
            )?;
        }
        write!(
            f,
            "soak {} (seed {}, {}.{} s, of which reconciling {} ms): money moved but reported \
             not moved = {}, performed twice = {}, records contradicting the ledger = {}",
            if self.passed() { "passed" } else { "FAILED" },
            self.seed,
            self.wall_ms / 1000,
            self.wall_ms % 1000 / 100,
            self.reconcile_ms,
            self.providers
                .iter()
                .map(|(_, r)| r.moved_reported_not_moved)
                .sum::<u64>(),
            self.providers
                .iter()
                .map(|(_, r)| r.performed_twice)
                .sum::<u64>(),
            self.providers
                .iter()
                .filter_map(|(_, r)| r.records.as_ref())
                .map(|x| x.contradictions)
                .sum::<u64>()
        )
    }
}

#[cfg(test)]
mod tests {
    use paykit_core::{Currency, Money, NextAction, PaymentProvider, PaymentRequest};
    use paykit_sim::SimConfig;

    use super::*;
    use crate::check::Target;

    fn known(op: OpKind, id: &str, belief: Belief) -> Check {
        let mut check = Check::new(op, Target::Payment(id.to_owned()), "test");
        check.known(belief, String::new());
        check
    }

    /// The checker itself: a refund performed twice, a charge reported as not taken and a
    /// capture reported but never performed are each found.
    #[tokio::test]
    async fn a_double_a_missed_and_a_phantom_operation_are_found() {
        let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
        let records = std::sync::Arc::new(paykit_core::InMemoryPaymentRecords::new());
        let bog = crate::run::clients(&sim, records.clone(), records)
            .unwrap()
            .bog;
        let request = PaymentRequest::new(Money::parse("50.00", Currency::GEL).unwrap())
            .order_id("checker-1")
            .return_url("https://shop.example/paid");
        let created = bog.create_payment(&request).await.unwrap();
        let NextAction::Redirect { url } = &created.next_action else {
            panic!("{:?}", created.next_action);
        };
        reqwest::get(url.as_str()).await.unwrap();
        let id = created.provider_payment_id;
        let five = Money::parse("5.00", Currency::GEL).unwrap();
        let refunds = bog.refund().unwrap();
        refunds.refund(&id, Some(five)).await.unwrap();
        refunds.refund(&id, Some(five)).await.unwrap();

        let checks = [
            known(OpKind::Refund, &id, Belief::Moved),
            known(OpKind::Charge, &id, Belief::NotMoved),
            known(OpKind::Capture, &id, Belief::Moved),
        ];
        let r = ProviderReport::build(
            LedgerProvider::Bog,
            &checks,
            0,
            &sim.ledger(),
            FaultCounts::default(),
        );
        assert_eq!(
            (
                r.performed_twice,
                r.moved_reported_not_moved,
                r.reported_moved_not_moved
            ),
            (1, 1, 1),
            "{:?}",
            r.findings
        );
        assert!(!r.passed());
    }

    /// Two partial refunds of one payment are told apart by amount (neither is "performed
    /// twice", a third amount never refunded is a phantom), and a registration sent under one
    /// idempotency key must exist once, while an unkeyed repeat is only counted.
    #[tokio::test]
    async fn refunds_are_matched_by_amount_and_keyed_registrations_must_be_unique() {
        let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
        let records = std::sync::Arc::new(paykit_core::InMemoryPaymentRecords::new());
        let bog = crate::run::clients(&sim, records.clone(), records)
            .unwrap()
            .bog;
        let gel = |text| Money::parse(text, Currency::GEL).unwrap();
        let request = PaymentRequest::new(gel("50.00"))
            .order_id("checker-2")
            .return_url("https://shop.example/paid");
        let created = bog.create_payment(&request).await.unwrap();
        bog.create_payment(&request).await.unwrap();
        let NextAction::Redirect { url } = &created.next_action else {
            panic!("{:?}", created.next_action);
        };
        reqwest::get(url.as_str()).await.unwrap();
        let id = created.provider_payment_id;
        let refunds = bog.refund().unwrap();
        refunds.refund(&id, Some(gel("5.00"))).await.unwrap();
        refunds.refund(&id, Some(gel("7.00"))).await.unwrap();

        let refund = |amount| known(OpKind::Refund, &id, Belief::Moved).of_amount(&gel(amount));
        let register = || {
            let mut check = Check::new(
                OpKind::Register,
                Target::Order("checker-2".to_owned()),
                "test",
            );
            check.known(Belief::Moved, String::new());
            check
        };
        let build = |checks: &[Check]| {
            ProviderReport::build(
                LedgerProvider::Bog,
                checks,
                0,
                &sim.ledger(),
                FaultCounts::default(),
            )
        };
        let r = build(&[refund("5"), refund("7.00"), register()]);
        assert_eq!(
            (
                r.performed_twice,
                r.reported_moved_not_moved,
                r.duplicate_registrations
            ),
            (0, 0, 1),
            "{:?}",
            r.findings
        );
        let r = build(&[refund("9.00"), register().keyed()]);
        assert_eq!(
            (r.performed_twice, r.reported_moved_not_moved),
            (1, 1),
            "{:?}",
            r.findings
        );
        // Without amounts the two refunds look like one refund done twice.
        let r = build(&[known(OpKind::Refund, &id, Belief::Moved)]);
        assert_eq!(r.performed_twice, 1, "{:?}", r.findings);
    }
}
