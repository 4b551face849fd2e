//! A reconciler sweep's report as JSON:
//! `{examined, changed: [{provider, ids, from, to}], settled, still_open,
//! failed: [{ids, error}], no_provider}`.

use paykit_core::describe::{describe_error, payment_ids};
use paykit_core::reconcile::{Change, ReconcileReport};
use serde_json::{Value, json};

/// The report as one JSON object. States are [`paykit_core::PaymentStatus::name`] (`from` is
/// `null` when the record's state was unknown); errors are
/// [`paykit_core::describe::describe_error`]'s.
pub(crate) fn describe_report(report: &ReconcileReport) -> Value {
    json!({
        "examined": report.examined,
        "changed": report.changed.iter().map(change).collect::<Vec<_>>(),
        "settled": report.settled,
        "still_open": report.still_open,
        "failed": report
            .failed
            .iter()
            .map(|(ids, error)| json!({ "ids": payment_ids(ids), "error": describe_error(error) }))
            .collect::<Vec<_>>(),
        "no_provider": report.no_provider,
    })
}

/// True when the sweep could not list the records at all.
pub(crate) fn store_unreadable(report: &ReconcileReport) -> bool {
    report.unreadable.is_some()
}

fn change(change: &Change) -> Value {
    json!({
        "provider": change.provider.as_str(),
        "ids": payment_ids(&change.ids),
        "from": change.from.as_ref().map(|status| status.name()),
        "to": change.to.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_core::{Error, PaymentRef, PaymentStatus, ProviderId};

    fn report() -> ReconcileReport {
        let mut report = ReconcileReport::default();
        report.examined = 3;
        report.settled = 1;
        report.still_open = 1;
        report.no_provider = 0;
        report.changed.push(Change {
            provider: ProviderId("bog"),
            ids: PaymentRef::new()
                .provider_payment_id("order-1")
                .payment_hash("hash-secret-4711")
                .merchant_reference("shop-1"),
            from: None,
            to: PaymentStatus::Captured,
        });
        report.failed.push((
            PaymentRef::new()
                .provider_payment_id("order-2")
                .payment_hash("hash-secret-4712"),
            Error::store("redis", "put record", "I/O error: connection refused"),
        ));
        report
    }

    #[test]
    fn the_report_has_every_key_and_never_a_payment_hash() {
        let described = describe_report(&report());
        assert_eq!(described["examined"], 3);
        assert_eq!(described["settled"], 1);
        assert_eq!(described["still_open"], 1);
        assert_eq!(described["no_provider"], 0);
        let changed = &described["changed"][0];
        assert_eq!(changed["provider"], "bog");
        assert_eq!(changed["from"], Value::Null);
        assert_eq!(changed["to"], "captured");
        assert_eq!(changed["ids"]["provider_payment_id"], "order-1");
        assert_eq!(changed["ids"]["provider_order_id"], Value::Null);
        assert_eq!(changed["ids"]["merchant_reference"], "shop-1");
        assert_eq!(changed["ids"]["payment_hash"], true);
        let failed = &described["failed"][0];
        assert_eq!(failed["ids"]["payment_hash"], true);
        assert_eq!(failed["error"]["kind"], "store");
        assert_eq!(failed["error"]["operation"], "put record");
        let text = described.to_string();
        assert!(!text.contains("hash-secret"), "{text}");
    }

    #[test]
    fn only_a_listing_failure_means_the_store_was_unreadable() {
        // A record the provider could not be asked about: the sweep ran.
        assert!(!store_unreadable(&report()));
        let mut listing_failed = ReconcileReport::default();
        listing_failed.unreadable =
            Some(Error::store("postgres", "list unsettled", "no connection"));
        assert!(store_unreadable(&listing_failed));
        assert!(!store_unreadable(&ReconcileReport::default()));
    }
}
