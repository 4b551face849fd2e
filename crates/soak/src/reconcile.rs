//! After the fault phase: the faults stop, core's [`Reconciler`] sweeps the payment records the
//! clients wrote until a sweep changes nothing, and every record is then compared with the
//! simulator's ledger. It runs twice: for the store maib, iPay and the Payments API share, and
//! for Maya's gateway's, after its next-day refunds.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use paykit_core::reconcile::{Reconciler, ReconcilerConfig};
use paykit_core::{
    InMemoryPaymentRecords, PaymentProvider, PaymentRecord, PaymentRecords, ProviderId,
};
use paykit_sim::{Faults, Ledger, LedgerProvider, PaymentLedger, Simulator};

use crate::check::{Openness, contradictions, openness};
use crate::report::{Finding, FindingKind, RecordsReport};

/// Sweeps at most this many times. A sweep asks about every open record, so the second one
/// normally changes nothing; the bound only stops a provider whose answers keep flipping.
const MAX_SWEEPS: u32 = 6;

/// What the reconciliation phase found, per provider that writes records.
#[derive(Debug, Default)]
pub(crate) struct Reconciled {
    /// Sweeps run.
    pub(crate) sweeps: u32,
    /// Wall time of the sweeps.
    pub(crate) took: Duration,
    /// Per provider: the counts and the contradictions found.
    pub(crate) providers: Vec<(LedgerProvider, RecordsReport, Vec<Finding>)>,
}

/// One record: its provider and payment id.
type Key = (ProviderId, String);

/// Switches the simulator's faults off, sweeps `records` with a reconciler over `clients`
/// until a sweep changes nothing, then checks every record against the ledger.
pub(crate) async fn reconcile(
    sim: &Simulator,
    records: &Arc<InMemoryPaymentRecords>,
    clients: &[(LedgerProvider, Arc<dyn PaymentProvider>)],
) -> Reconciled {
    let started = Instant::now();
    sim.set_faults(Faults::none());
    let store: Arc<dyn PaymentRecords> = records.clone();
    // One sweep covers every record (the default batch of 500 would leave the rest of a full
    // soak's records to later sweeps, and "a sweep changed nothing" would not mean "done").
    let config = ReconcilerConfig::default()
        .older_than(Duration::ZERO)
        .batch(records.len().max(1));
    let reconciler = Reconciler::new(
        Arc::clone(&store),
        clients.iter().map(|(_, client)| Arc::clone(client)),
        config,
    );
    let mut examined: HashSet<Key> = HashSet::new();
    let mut changed: HashSet<Key> = HashSet::new();
    let mut last_failed = Vec::new();
    let mut sweeps = 0;
    while sweeps < MAX_SWEEPS {
        // A record written in the millisecond a sweep starts is not yet older than zero.
        tokio::time::sleep(Duration::from_millis(2)).await;
        // What this sweep will examine: nothing else writes records now.
        let open = store
            .unsettled(SystemTime::now(), usize::MAX)
            .await
            .unwrap_or_default();
        examined.extend(
            open.iter()
                .map(|r| (r.provider, r.provider_payment_id().to_owned())),
        );
        let report = reconciler.sweep().await;
        sweeps += 1;
        changed.extend(report.changed.iter().map(|change| {
            let id = change.ids.provider_payment_id.clone().unwrap_or_default();
            (change.provider, id)
        }));
        last_failed = report
            .failed
            .into_iter()
            .map(|(ids, _)| ids.provider_payment_id.unwrap_or_default())
            .collect();
        if report.changed.is_empty() {
            break;
        }
    }
    let took = started.elapsed();
    let ledger = sim.ledger();
    let mut matched = 0_usize;
    let mut providers = Vec::new();
    for (ledger_provider, client) in clients {
        let provider = client.id();
        let mut tally = RecordsReport::default();
        let mut findings = Vec::new();
        for (record, payment) in pairs(
            store.as_ref(),
            &ledger,
            *ledger_provider,
            provider,
            &examined,
        )
        .await
        {
            matched += 1;
            tally.records += 1;
            let key = (provider, record.provider_payment_id().to_owned());
            if examined.contains(&key) {
                if record.is_settled() {
                    tally.settled += 1;
                } else {
                    tally.still_open += 1;
                }
            }
            match openness(&record, Some(payment)) {
                Openness::Settled => {}
                Openness::SettledBehind => tally.behind += 1,
                Openness::AwaitingProvider => tally.awaiting_provider += 1,
                Openness::RefundUnanswered => tally.refund_unanswered += 1,
                Openness::SettleableLeftOpen => tally.settleable_left_open += 1,
            }
            for why in contradictions(&record, Some(payment)) {
                tally.contradictions += 1;
                findings.push(Finding {
                    kind: FindingKind::RecordContradictsLedger,
                    detail: format!(
                        "{ledger_provider} record of payment {}: {why} (record: state {:?}, \
                         {} refund(s) {:?}; ledger: {:?})",
                        payment.payment_id,
                        record.last_status,
                        record.refunds.len(),
                        record
                            .refunds
                            .iter()
                            .map(|r| (r.amount.to_string(), r.state.name()))
                            .collect::<Vec<_>>(),
                        payment.ops
                    ),
                });
            }
        }
        tally.examined = count_of(&examined, provider);
        tally.changed = count_of(&changed, provider);
        tally.failed = wide(
            last_failed
                .iter()
                .filter(|id| examined.contains(&(provider, (*id).clone())))
                .count(),
        );
        providers.push((*ledger_provider, tally, findings));
    }
    // A record no ledger payment accounts for claims a payment that never existed.
    let unmatched = records.len().saturating_sub(matched);
    if let (true, Some((provider, tally, findings))) = (unmatched > 0, providers.first_mut()) {
        tally.contradictions += wide(unmatched);
        findings.push(Finding {
            kind: FindingKind::RecordContradictsLedger,
            detail: format!(
                "{unmatched} record(s) in the store shared with {provider} match no payment \
                 the simulator registered"
            ),
        });
    }
    Reconciled {
        sweeps,
        took,
        providers,
    }
}

/// Each record of `provider` with the ledger payment it stands for.
///
/// A record is keyed by the provider's payment id, except Maya's gateway's, which records a
/// Checkout by its checkout id, not the id of the payment behind it. An examined record whose
/// id the ledger does not know is paired by its merchant reference with the payment under that
/// reference that moved money (the one the customer paid: other payments under it are
/// registrations whose answer was lost), or, if none did, with one of them.
async fn pairs<'l>(
    store: &dyn PaymentRecords,
    ledger: &'l Ledger,
    ledger_provider: LedgerProvider,
    provider: ProviderId,
    examined: &HashSet<Key>,
) -> Vec<(PaymentRecord, &'l PaymentLedger)> {
    let mut pairs = Vec::new();
    for payment in ledger.payments().filter(|p| p.provider == ledger_provider) {
        if let Ok(Some(record)) = store.get(provider, &payment.payment_id).await {
            pairs.push((record, payment));
        }
    }
    let foreign = examined
        .iter()
        .filter(|(p, id)| *p == provider && ledger.payment(ledger_provider, id).is_none());
    for (_, id) in foreign {
        let Ok(Some(record)) = store.get(provider, id).await else {
            continue;
        };
        let Some(reference) = record.ids.merchant_reference.clone() else {
            continue;
        };
        let under: Vec<&PaymentLedger> = ledger
            .payments()
            .filter(|p| p.provider == ledger_provider && p.order_id.as_ref() == Some(&reference))
            .collect();
        let payment = under
            .iter()
            .find(|p| p.moved_money())
            .or_else(|| under.first())
            .copied();
        if let Some(payment) = payment {
            pairs.push((record, payment));
        }
    }
    pairs
}

/// How many of `keys` belong to `provider`.
fn count_of(keys: &HashSet<Key>, provider: ProviderId) -> u64 {
    wide(keys.iter().filter(|(p, _)| *p == provider).count())
}

/// A count as the report's width.
fn wide(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use paykit_core::{Currency, Money, NextAction, PaymentRecord, PaymentRequest, PaymentStatus};
    use paykit_sim::SimConfig;

    use super::*;

    /// Creates an iPay payment through `client`; the customer pays it when `pay`.
    async fn bog_payment(client: &paykit_bog::BogClient, order: &str, pay: bool) -> String {
        let request = PaymentRequest::new(Money::parse("20.00", Currency::GEL).unwrap())
            .order_id(order)
            .return_url("https://shop.example/paid");
        let created = client.create_payment(&request).await.unwrap();
        let NextAction::Redirect { url } = &created.next_action else {
            panic!("{:?}", created.next_action);
        };
        if pay {
            reqwest::get(url.as_str()).await.unwrap();
        }
        created.provider_payment_id
    }

    /// The phase settles a paid payment its record left open, leaves an unpaid one open and
    /// excused, and finds a record that claims a refund the simulator never made.
    #[tokio::test]
    async fn the_sweeps_settle_what_they_can_and_a_false_record_is_found() {
        let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
        let records = Arc::new(InMemoryPaymentRecords::new());
        let clients = crate::run::clients(&sim, records.clone(), records.clone()).unwrap();
        let bog = Arc::new(clients.bog);
        let paid = bog_payment(&bog, "rec-paid", true).await;
        let unpaid = bog_payment(&bog, "rec-unpaid", false).await;
        let forged = bog_payment(&bog, "rec-forged", true).await;
        let mut lie = PaymentRecord::new(bog.id(), forged.clone());
        lie.last_status = Some(PaymentStatus::Refunded);
        records.put(&lie).await.unwrap();

        let writers: [(LedgerProvider, Arc<dyn PaymentProvider>); 1] =
            [(LedgerProvider::Bog, bog.clone())];
        let reconciled = reconcile(&sim, &records, &writers).await;
        let [(provider, tally, findings)] = reconciled.providers.as_slice() else {
            panic!("{:?}", reconciled.providers);
        };
        assert_eq!(*provider, LedgerProvider::Bog);
        let settled = records.get(bog.id(), &paid).await.unwrap().unwrap();
        assert_eq!(settled.last_status, Some(PaymentStatus::Captured));
        assert_eq!(
            (
                tally.records,
                tally.examined,
                tally.changed,
                tally.settled,
                tally.still_open,
                tally.awaiting_provider,
                tally.contradictions
            ),
            (3, 2, 1, 1, 1, 1, 1),
            "{tally:?} {findings:?}"
        );
        assert_eq!(tally.settleable_left_open, 0);
        let [finding] = findings.as_slice() else {
            panic!("{findings:?}");
        };
        assert_eq!(finding.kind, FindingKind::RecordContradictsLedger);
        assert!(finding.detail.contains(&forged), "{}", finding.detail);
        assert!(finding.detail.contains("no refund"), "{}", finding.detail);
        assert!(!finding.detail.contains(&unpaid));
        assert!(
            reconciled.sweeps >= 2,
            "the second sweep confirms nothing changes"
        );
    }

    /// Maya's gateway records a Checkout by its checkout id. The record is paired with the
    /// payment the customer paid under its reference, not with another registration under the
    /// same reference whose answer was lost (never paid): paired with that one, the record's
    /// "captured" would be reported as a contradiction.
    #[tokio::test]
    async fn a_record_under_a_checkout_id_is_paired_with_the_payment_paid_under_its_reference() {
        let sim = paykit_sim::start(SimConfig::default()).await.unwrap();
        let records = Arc::new(InMemoryPaymentRecords::new());
        let recording = Arc::new(
            crate::run::clients(&sim, records.clone(), records.clone())
                .unwrap()
                .maya_checkout,
        );
        // A client writing elsewhere stands for the registration whose answer was lost.
        let elsewhere = Arc::new(InMemoryPaymentRecords::new());
        let lost = crate::run::clients(&sim, elsewhere.clone(), elsewhere)
            .unwrap()
            .maya_checkout;
        let request = PaymentRequest::new(Money::parse("120.00", Currency::PHP).unwrap())
            .order_id("rec-maya-1")
            .return_url("https://shop.example/paid");
        lost.create_payment(&request).await.unwrap();
        let created = recording.create_payment(&request).await.unwrap();
        let NextAction::Redirect { url } = &created.next_action else {
            panic!("{:?}", created.next_action);
        };
        reqwest::get(url.as_str()).await.unwrap();
        assert!(
            sim.ledger()
                .payment(LedgerProvider::MayaCheckout, &created.provider_payment_id)
                .is_none(),
            "the record's id is the checkout's, not a payment's"
        );

        let writers: [(LedgerProvider, Arc<dyn PaymentProvider>); 1] =
            [(LedgerProvider::MayaCheckout, recording.clone())];
        let reconciled = reconcile(&sim, &records, &writers).await;
        let [(_, tally, findings)] = reconciled.providers.as_slice() else {
            panic!("{:?}", reconciled.providers);
        };
        let record = records
            .get(recording.id(), &created.provider_payment_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.last_status, Some(PaymentStatus::Captured));
        assert_eq!(
            (
                tally.records,
                tally.examined,
                tally.settled,
                tally.contradictions
            ),
            (1, 1, 1, 0),
            "{tally:?} {findings:?}"
        );
        assert!(findings.is_empty(), "{findings:?}");
    }
}
