//! A payment-records store the tests can look into while a request is on the wire, and stop.
//!
//! It keeps records in memory and merges writes as every store must
//! ([`PaymentRecord::merged_over`]); what it adds is a synchronous [`TestRecords::snapshot`]
//! (a wiremock responder is synchronous, so it can read the store at the moment maib would
//! receive the call) and a switch that makes every write fail.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::SystemTime;

use paykit_core::store::whole_millis;
use paykit_core::{Error, PaymentRecord, PaymentRecords, ProviderId, Result};

#[derive(Default)]
pub struct TestRecords {
    records: Mutex<HashMap<(ProviderId, String), PaymentRecord>>,
    writes_fail: AtomicBool,
    writes: AtomicUsize,
}

impl TestRecords {
    pub fn new() -> Self {
        TestRecords::default()
    }

    /// The record of maib payment `pay_id`, as stored now.
    pub fn snapshot(&self, pay_id: &str) -> Option<PaymentRecord> {
        self.records
            .lock()
            .unwrap()
            .get(&(paykit_maib::PROVIDER, pay_id.to_owned()))
            .cloned()
    }

    /// From now on every write fails (reads still answer).
    pub fn fail_writes(&self) {
        self.writes_fail.store(true, Ordering::SeqCst);
    }

    /// Writes that succeeded.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl PaymentRecords for TestRecords {
    async fn get(&self, provider: ProviderId, id: &str) -> Result<Option<PaymentRecord>> {
        Ok(self
            .records
            .lock()
            .unwrap()
            .get(&(provider, id.to_owned()))
            .cloned())
    }

    async fn put(&self, record: &PaymentRecord) -> Result<()> {
        if self.writes_fail.load(Ordering::SeqCst) {
            return Err(Error::store("test", "put record", "the store is down"));
        }
        let key = (record.provider, record.provider_payment_id().to_owned());
        let mut records = self.records.lock().unwrap();
        let mut merged = match records.get(&key) {
            Some(stored) => record.merged_over(stored),
            None => record.clone(),
        };
        merged.updated_at = whole_millis(SystemTime::now());
        records.insert(key, merged);
        self.writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn unsettled(&self, before: SystemTime, limit: usize) -> Result<Vec<PaymentRecord>> {
        let mut found: Vec<_> = self
            .records
            .lock()
            .unwrap()
            .values()
            .filter(|r| !r.is_settled() && r.updated_at < before)
            .cloned()
            .collect();
        found.sort_by_key(|r| r.updated_at);
        found.truncate(limit);
        Ok(found)
    }
}
