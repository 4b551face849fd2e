//! The build footprint of one provider (DESIGN.md §7): a fresh release build of `paykit-maib`
//! alone against the floor any HTTP client pays, `xtask/footprint-floor` (reqwest with rustls,
//! serde and tokio, with the features paykit-core uses), in crates compiled and in time.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use crate::run::{Failure, cargo};
use crate::workspace::root;

/// Neither ratio may exceed this, in thousandths (1.15×).
const TARGET_MILLI: u128 = 1150;

/// What one fresh build took.
struct Build {
    crates: u128,
    millis: u128,
}

/// `a / b` in thousandths, as text (`1.133`).
fn ratio(a: u128, b: u128) -> (u128, String) {
    let milli = a * 1000 / b.max(1);
    (milli, format!("{}.{:03}", milli / 1000, milli % 1000))
}

/// Milliseconds as seconds with one decimal.
fn secs(millis: u128) -> String {
    format!("{}.{}", millis / 1000, millis % 1000 / 100)
}

/// Builds the floor and paykit-maib from empty target folders, one after the other; returns
/// the lines to report.
pub(crate) fn measure() -> Result<Vec<String>, Failure> {
    let root = root();
    let floor_dir = root.join("xtask/footprint-floor");
    // The workspace's lock file, so both builds compile the same versions.
    fs::copy(root.join("Cargo.lock"), floor_dir.join("Cargo.lock"))
        .map_err(|e| Failure::new(format!("copying Cargo.lock to the floor crate: {e}")))?;
    let manifest = floor_dir.join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    let floor = fresh_build(&root, "floor", &["--manifest-path", &manifest])?;
    let maib = fresh_build(&root, "maib", &["-p", "paykit-maib"])?;
    let (crates_milli, crates) = ratio(maib.crates, floor.crates);
    let (time_milli, time) = ratio(maib.millis, floor.millis);
    let met = crates_milli <= TARGET_MILLI && time_milli <= TARGET_MILLI;
    Ok(vec![
        format!(
            "footprint: paykit-maib alone, fresh release build: {} crates in {} s; floor \
             (reqwest + serde + tokio): {} crates in {} s",
            maib.crates,
            secs(maib.millis),
            floor.crates,
            secs(floor.millis)
        ),
        format!(
            "footprint ratio: crates {crates}, time {time} (target <= 1.15 each: {})",
            if met { "met" } else { "NOT met" }
        ),
    ])
}

/// `cargo build --release <args>` into an empty target folder, counting `Compiling` lines.
fn fresh_build(root: &Path, name: &str, args: &[&str]) -> Result<Build, Failure> {
    let target = root.join("target/xtask/footprint").join(name);
    if target.exists() {
        fs::remove_dir_all(&target)
            .map_err(|e| Failure::new(format!("{}: {e}", target.display())))?;
    }
    let mut all = vec!["build", "--release"];
    all.extend_from_slice(args);
    let started = Instant::now();
    let mut child = cargo(&all)
        .env("CARGO_TARGET_DIR", &target)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::new(format!("cargo build ({name}) could not start: {e}")))?;
    let mut crates = 0;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.trim_start().starts_with("Compiling ") {
                crates += 1;
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| Failure::new(format!("cargo build ({name}): {e}")))?;
    let millis = started.elapsed().as_millis();
    if !status.success() {
        return Err(Failure::new(format!(
            "cargo build ({name}) failed ({status})"
        )));
    }
    // The build is measured, not kept: two release targets are gigabytes.
    let _ = fs::remove_dir_all(&target);
    Ok(Build { crates, millis })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_exact_thousandths() {
        assert_eq!(ratio(102, 90), (1133, "1.133".to_owned()));
        assert_eq!(ratio(90, 90).1, "1.000");
        assert_eq!(
            ratio(5, 0).0,
            5000,
            "an empty floor does not divide by zero"
        );
        assert_eq!(secs(127_640), "127.6");
    }
}
