//! `cargo xtask scaffold-check`: the adapter author's first five minutes, proven. In a copy of
//! the workspace it runs `new-provider acme`, then `cargo check` and `cargo clippy` of the new
//! crate must pass and its contract test must fail naming every conformance scenario still to
//! record.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::new_provider::scaffold;
use crate::run::{Failure, cargo, status};
use crate::workspace::root;

/// The provider the check lays out.
const NAME: &str = "acme";

/// Runs the check in `target/xtask/scaffold-check/`.
pub(crate) fn run() -> Result<(), Failure> {
    let copy = root().join("target/xtask/scaffold-check");
    copy_workspace(&root(), &copy)?;
    scaffold(&copy, NAME)?;
    let package = format!("paykit-{NAME}");
    let in_copy = |args: &[&str]| {
        let mut command = cargo(args);
        command
            .current_dir(&copy)
            // The copy shares the workspace's target folder, so only its own path crates are
            // built again, not every dependency.
            .env("CARGO_TARGET_DIR", root().join("target"));
        command
    };
    status(
        &mut in_copy(&["check", "-p", &package, "--all-targets"]),
        "cargo check of the scaffold",
    )?;
    status(
        &mut in_copy(&[
            "clippy",
            "-p",
            &package,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
        "cargo clippy of the scaffold",
    )?;
    let output = in_copy(&["test", "-p", &package, "--test", "contract"])
        .env("RUST_BACKTRACE", "0")
        .stderr(Stdio::null())
        .output()
        .map_err(|e| Failure::new(format!("the scaffold's contract test could not start: {e}")))?;
    if output.status.success() {
        return Err(Failure::new(
            "the scaffold's contract test passed: skeletons must fail until recorded",
        ));
    }
    let report = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<String> = scenario_names(&copy)?
        .into_iter()
        .filter(|name| !names_skeleton(&report, name))
        .collect();
    if !missing.is_empty() {
        return Err(Failure::new(format!(
            "the scaffold's contract test does not name these scenarios as left to record: {}",
            missing.join(", ")
        )));
    }
    println!(
        "scaffold-check: {NAME} checks, lints clean, and its contract test names every scenario left"
    );
    fs::remove_dir_all(&copy).map_err(|e| Failure::new(format!("{}: {e}", copy.display())))
}

/// Whether the contract report lists `name` as a skeleton.
fn names_skeleton(report: &str, name: &str) -> bool {
    let scenario = format!("FAILED {NAME}/{name} (");
    let callback = format!("FAILED {NAME}/callbacks/{name}\n  a skeleton still to fill in");
    report.contains(&callback)
        || report.split(&scenario).nth(1).is_some_and(|rest| {
            rest.lines()
                .nth(1)
                .is_some_and(|l| l.contains("a skeleton"))
        })
}

/// The conformance scenario names.
fn scenario_names(root: &Path) -> Result<Vec<String>, Failure> {
    let path = root.join("crates/testkit/conformance.json");
    let text =
        fs::read_to_string(&path).map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
    let list: Vec<Value> = serde_json::from_str(&text)
        .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
    Ok(list
        .iter()
        .filter_map(|entry| entry.get("name")?.as_str().map(str::to_owned))
        .collect())
}

/// Copies the files git knows (tracked, and new ones not ignored) from `from` to `to`.
fn copy_workspace(from: &Path, to: &Path) -> Result<(), Failure> {
    if to.exists() {
        fs::remove_dir_all(to).map_err(|e| Failure::new(format!("{}: {e}", to.display())))?;
    }
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(from)
        .output()
        .map_err(|e| Failure::new(format!("git ls-files could not start: {e}")))?;
    if !listed.status.success() {
        return Err(Failure::new(
            "git ls-files failed: the check needs a git checkout",
        ));
    }
    for relative in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let relative = PathBuf::from(String::from_utf8_lossy(relative).into_owned());
        let source = from.join(&relative);
        if !source.is_file() {
            continue; // deleted in the work tree but still in the index
        }
        let target = to.join(&relative);
        if let Some(folder) = target.parent() {
            fs::create_dir_all(folder)
                .map_err(|e| Failure::new(format!("{}: {e}", folder.display())))?;
        }
        fs::copy(&source, &target)
            .map_err(|e| Failure::new(format!("{}: {e}", target.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_counts_only_when_reported_as_a_skeleton() {
        let report = "FAILED acme/capture (capture)\n  a skeleton still to fill in: record ...\n\
                      FAILED acme/void (void)\n  http: expected 1 call(s)\n\
                      FAILED acme/callbacks/callback_verified\n  a skeleton still to fill in: x\n";
        assert!(names_skeleton(report, "capture"));
        assert!(!names_skeleton(report, "void"), "failed for another reason");
        assert!(
            !names_skeleton(report, "refund_full"),
            "not reported at all"
        );
        assert!(names_skeleton(report, "callback_verified"));
    }
}
