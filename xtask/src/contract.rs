//! `cargo xtask contract`: every provider's contract test and the simulator replay.

use crate::run::{Failure, cargo, status};
use crate::workspace::{providers, root};

/// Runs the contract tests of `only` (or every provider), then the simulator replay.
/// Every provider is run; the failure lists each one that failed.
pub(crate) fn run(only: Option<&str>) -> Result<(), Failure> {
    let providers: Vec<String> = match only {
        Some(provider) => vec![provider.to_owned()],
        None => providers(),
    };
    let mut failures = Vec::new();
    for provider in &providers {
        println!("--- contract: {provider}");
        if let Err(failure) = provider_contract(provider) {
            println!("--- contract: {provider}: FAILED");
            failures.push(failure.to_string());
        }
    }
    if root().join("crates/sim/tests/replay.rs").is_file() {
        println!(
            "--- simulator replay{}",
            only.map(|p| format!(" ({p})")).unwrap_or_default()
        );
        let mut command = cargo(&[
            "test",
            "-p",
            "paykit-sim",
            "--test",
            "replay",
            "--",
            "--nocapture",
        ]);
        if let Some(provider) = only {
            command.env("PAYKIT_PROVIDER", provider);
        }
        if let Err(failure) = status(&mut command, "simulator replay") {
            failures.push(failure.to_string());
        }
    } else {
        println!("--- simulator replay: crates/sim/tests/replay.rs does not exist yet; skipped");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "contract:\n  - {}",
            failures.join("\n  - ")
        )))
    }
}

/// Checks one provider has a contract test and fixtures, then runs the test.
fn provider_contract(provider: &str) -> Result<(), Failure> {
    let root = root();
    let test = format!("crates/{provider}/tests/contract.rs");
    if !root.join(&test).is_file() {
        return Err(Failure::new(format!(
            "{provider}: no contract test ({test} is missing)"
        )));
    }
    let meta = format!("fixtures/{provider}/provider.json");
    if !root.join(&meta).is_file() {
        return Err(Failure::new(format!(
            "{provider}: no fixtures ({meta} is missing)"
        )));
    }
    let package = format!("paykit-{provider}");
    let what = format!("{provider}: cargo test -p {package} --test contract");
    status(
        &mut cargo(&["test", "-p", &package, "--test", "contract"]),
        &what,
    )
}
