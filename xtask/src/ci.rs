//! `cargo xtask ci`: every check, in order, failing fast.

use std::time::Duration;

use crate::run::{Failure, cargo, seconds, status, step};
use crate::{contract, deny, fixtures, scaffold_check, servers};

/// One step of the pipeline.
struct Step {
    title: &'static str,
    run: fn() -> Result<(), Failure>,
}

/// The steps, in order.
const STEPS: [Step; 10] = [
    // First: the store and browser tests in `cargo test` need these, so a missing one is found
    // (or installed) before minutes of linting and building, not after.
    Step {
        title: "cargo xtask servers",
        run: servers::ensure,
    },
    Step {
        title: "cargo fmt --all -- --check",
        run: || {
            let args = ["fmt", "--all", "--", "--check"];
            status(
                &mut cargo(&args),
                "formatting check (fix with `cargo fmt --all`)",
            )
        },
    },
    Step {
        title: "cargo clippy --workspace --all-targets -- -D warnings",
        run: || {
            let args = [
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ];
            status(&mut cargo(&args), "clippy")
        },
    },
    Step {
        title: "cargo build --workspace --all-targets",
        run: || {
            status(
                &mut cargo(&["build", "--workspace", "--all-targets"]),
                "build",
            )
        },
    },
    Step {
        title: "cargo test --workspace",
        run: || status(&mut cargo(&["test", "--workspace"]), "tests"),
    },
    Step {
        title: "cargo xtask contract",
        run: || contract::run(None),
    },
    Step {
        title: "cargo xtask fixtures check",
        run: fixtures::check,
    },
    Step {
        title: "cargo xtask scaffold-check",
        run: scaffold_check::run,
    },
    Step {
        title: "RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --no-deps",
        run: || {
            let mut command = cargo(&["doc", "--workspace", "--no-deps"]);
            command.env("RUSTDOCFLAGS", "-D warnings");
            status(&mut command, "documentation")
        },
    },
    Step {
        title: "cargo deny check licenses bans sources; cargo deny --offline check advisories",
        run: deny::check,
    },
];

/// Runs every step; stops at the first failure.
pub(crate) fn run() -> Result<(), Failure> {
    let mut times: Vec<(&str, Duration)> = Vec::new();
    for (index, current) in STEPS.iter().enumerate() {
        let took = step(index + 1, STEPS.len(), current.title, current.run)?;
        times.push((current.title, took));
    }
    println!("\nci: all {} steps passed", STEPS.len());
    for (title, took) in &times {
        println!("  {:>7}  {title}", seconds(*took));
    }
    let total: Duration = times.iter().map(|(_, t)| *t).sum();
    println!("  {:>7}  total", seconds(total));
    Ok(())
}
