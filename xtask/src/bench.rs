//! `cargo xtask bench`: paykit-core's benchmarks and the ratios they report.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::run::{Failure, cargo};
use crate::workspace::root;

/// Runs `cargo bench -p paykit-core`, echoing its output, then prints every line that reports a target or
/// a ratio. Succeeds with a note when there are no benches yet.
pub(crate) fn run() -> Result<(), Failure> {
    let benches = root().join("crates/core/benches");
    let has_benches = std::fs::read_dir(&benches)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "rs"))
        })
        .unwrap_or(false);
    if !has_benches {
        println!("paykit-core has no benches yet (crates/core/benches/*.rs): nothing to run");
        return Ok(());
    }
    let mut child = cargo(&["bench", "-p", "paykit-core"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::new(format!("cargo bench could not start: {e}")))?;
    let mut ratios = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            let lower = line.to_ascii_lowercase();
            if lower.contains("ratio") || lower.contains("target") {
                ratios.push(line);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| Failure::new(format!("cargo bench: {e}")))?;
    println!("\nratios reported:");
    if ratios.is_empty() {
        println!("  (none: the benches printed no line mentioning \"ratio\" or \"target\")");
    }
    for line in &ratios {
        println!("  {}", line.trim());
    }
    if status.success() {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "cargo bench -p paykit-core failed ({status})"
        )))
    }
}
