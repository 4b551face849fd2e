use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::capabilities::Capabilities;
use crate::error::{Result, Sent, TransportKind};
use crate::money::Currency;
use crate::outcome::PaymentOutcome;
use crate::request::PaymentRequest;
use crate::store::InMemoryPaymentRecords;

const P: ProviderId = ProviderId("fake");

/// A provider whose answers the test sets per payment id; an id with no answer fails.
struct Scripted {
    capabilities: Capabilities,
    answers: Mutex<HashMap<String, PaymentStatus>>,
    asked: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(answers: &[(&str, PaymentStatus)]) -> Arc<Self> {
        Arc::new(Scripted {
            capabilities: Capabilities::new([Currency::MDL]),
            answers: Mutex::new(
                answers
                    .iter()
                    .map(|(id, status)| ((*id).to_owned(), status.clone()))
                    .collect(),
            ),
            asked: Mutex::new(Vec::new()),
        })
    }
}

#[async_trait]
impl PaymentProvider for Scripted {
    fn id(&self) -> ProviderId {
        P
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    async fn create_payment(&self, _request: &PaymentRequest) -> Result<PaymentOutcome> {
        Err(Error::unsupported(P, "create"))
    }

    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        self.asked
            .lock()
            .unwrap()
            .push(provider_payment_id.to_owned());
        match self.answers.lock().unwrap().get(provider_payment_id) {
            Some(status) => Ok(PaymentOutcome::new(provider_payment_id, status.clone())),
            None => Err(Error::Transport {
                provider: P,
                kind: TransportKind::Timeout,
                sent: Sent::MaybeSent,
                mutating: false,
            }),
        }
    }
}

async fn seed(records: &InMemoryPaymentRecords, id: &str, status: Option<PaymentStatus>) {
    let mut record = PaymentRecord::new(P, id);
    record.last_status = status;
    records.put(&record).await.unwrap();
}

#[tokio::test]
async fn a_sweep_settles_what_the_provider_knows_and_reports_the_rest() {
    let records = Arc::new(InMemoryPaymentRecords::new());
    seed(&records, "unknown-paid", None).await;
    seed(&records, "pending-failed", Some(PaymentStatus::Pending)).await;
    seed(&records, "still-pending", Some(PaymentStatus::Pending)).await;
    seed(&records, "unreachable", None).await;
    seed(&records, "done", Some(PaymentStatus::Captured)).await;
    let provider = Scripted::new(&[
        ("unknown-paid", PaymentStatus::Captured),
        ("pending-failed", PaymentStatus::Failed { reason: None }),
        ("still-pending", PaymentStatus::Pending),
        ("done", PaymentStatus::Captured),
    ]);
    let reconciler = Reconciler::new(
        records.clone(),
        [provider.clone() as Arc<dyn PaymentProvider>],
        ReconcilerConfig::default().older_than(Duration::ZERO),
    );
    let report = reconciler.sweep().await;
    assert_eq!(report.examined, 4, "{report}");
    assert_eq!(report.settled, 2);
    assert_eq!(report.still_open, 1);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(
        report.failed[0].0.provider_payment_id.as_deref(),
        Some("unreachable")
    );
    let mut changed: Vec<_> = report
        .changed
        .iter()
        .map(|c| (c.ids.provider_payment_id.clone().unwrap(), c.to.name()))
        .collect();
    changed.sort();
    assert_eq!(
        changed,
        vec![
            ("pending-failed".to_owned(), "failed"),
            ("unknown-paid".to_owned(), "captured")
        ]
    );
    assert!(!provider.asked.lock().unwrap().contains(&"done".to_owned()));
    let paid = records.get(P, "unknown-paid").await.unwrap().unwrap();
    assert_eq!(paid.last_status, Some(PaymentStatus::Captured));

    // A second sweep asks only about what is still open.
    provider.asked.lock().unwrap().clear();
    let again = reconciler.sweep().await;
    assert_eq!(again.examined, 2, "{again}");
    assert!(again.changed.is_empty());
}

#[tokio::test]
async fn young_records_and_foreign_providers_are_left_alone() {
    let records = Arc::new(InMemoryPaymentRecords::new());
    seed(&records, "young", None).await;
    let mut foreign = PaymentRecord::new(ProviderId("other"), "x");
    foreign.last_status = None;
    records.put(&foreign).await.unwrap();
    let provider = Scripted::new(&[("young", PaymentStatus::Captured)]);
    let patient = Reconciler::new(
        records.clone(),
        [provider.clone() as Arc<dyn PaymentProvider>],
        ReconcilerConfig::default().older_than(Duration::from_secs(3600)),
    );
    assert_eq!(patient.sweep().await.examined, 0);
    let eager = Reconciler::new(
        records,
        [provider as Arc<dyn PaymentProvider>],
        ReconcilerConfig::default()
            .older_than(Duration::ZERO)
            .batch(10),
    );
    let report = eager.sweep().await;
    assert_eq!((report.examined, report.no_provider), (2, 1), "{report}");
}
