//! `cargo deny check licenses bans sources`, installing cargo-deny when it is missing.

use std::time::Instant;

use crate::run::{Failure, cargo, seconds, status, succeeds};

/// Runs the policy check of deny.toml.
pub(crate) fn check() -> Result<(), Failure> {
    ensure_installed()?;
    let args = ["deny", "check", "licenses", "bans", "sources"];
    status(&mut cargo(&args), "cargo deny (policy in deny.toml)")
}

/// Installs cargo-deny with `cargo install cargo-deny --locked` unless `cargo deny --version`
/// already works.
fn ensure_installed() -> Result<(), Failure> {
    if succeeds(&mut cargo(&["deny", "--version"])) {
        return Ok(());
    }
    println!(
        "cargo-deny is not installed: cargo install cargo-deny --locked (takes a few minutes)"
    );
    let started = Instant::now();
    status(
        &mut cargo(&["install", "cargo-deny", "--locked"]),
        "installing cargo-deny",
    )
    .map_err(|failure| {
        Failure::new(format!(
            "{failure}. cargo-deny comes from crates.io: when this machine is offline it \
                 cannot be installed; install it by hand (cargo install cargo-deny --locked) \
                 where crates.io is reachable, then run again"
        ))
    })?;
    println!("cargo-deny installed in {}", seconds(started.elapsed()));
    Ok(())
}
