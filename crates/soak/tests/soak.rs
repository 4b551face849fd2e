//! The CI-sized soak: a few hundred operations across every provider, faults on, checked
//! against the simulator's ledger. `cargo xtask soak` is the full one.

use paykit_sim::LedgerProvider;
use paykit_soak::{SoakConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_soak_misreports_no_money_and_repeats_no_operation() {
    let report = run(SoakConfig::default().payments(40).concurrency(8).seed(11))
        .await
        .unwrap_or_else(|e| panic!("the soak could not run: {e}"));
    let text = report.to_string();
    for provider in [
        LedgerProvider::Maib,
        LedgerProvider::Miapos,
        LedgerProvider::Bog,
        LedgerProvider::Maya,
    ] {
        let r = report
            .provider(provider)
            .unwrap_or_else(|| panic!("no report for {provider}\n{text}"));
        assert!(r.operations >= 40, "{provider} ran too little\n{text}");
        assert!(r.faults.total() > 0, "{provider} was never faulted\n{text}");
        assert_eq!(r.moved_reported_not_moved, 0, "{provider}\n{text}");
        assert_eq!(r.performed_twice, 0, "{provider}\n{text}");
    }
    assert!(report.passed(), "{text}");
    let ops: u64 = report.providers.iter().map(|(_, r)| r.operations).sum();
    let unknown: u64 = report.providers.iter().map(|(_, r)| r.unknown).sum();
    assert!(ops >= 300, "a few hundred operations, got {ops}\n{text}");
    assert!(
        unknown > 0,
        "faults after processing must leave some outcomes unknown\n{text}"
    );
}
