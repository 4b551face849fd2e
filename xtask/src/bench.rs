//! `cargo xtask bench`: the benchmarks and the ratios they report: paykit-core's targets
//! (DESIGN.md §7), every signed callback's verification against its floor (maib, miaPOS, the
//! Payments API, Maya's gateway: issue 16),
//! the simulator's memory past its retention horizon, and paykit-redis's shared token store
//! against the in-process cache.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use crate::run::{Failure, cargo};
use crate::workspace::root;

/// The packages with benches, and where their bench files are.
const SUITES: [(&str, &str); 7] = [
    ("paykit-core", "crates/core/benches"),
    // Callback verification against its floor (issue 16): sha256 + base64 of the sign string.
    ("paykit-maib", "crates/maib/benches"),
    // Callback verification against one raw RSA PKCS#1 SHA-256 verify (issue 16).
    ("paykit-miapos", "crates/miapos/benches"),
    // Payments API callbacks against one raw RSA PKCS#1 SHA-256 verify of the raw body (issue 16).
    ("paykit-bog-payments", "crates/bog-payments/benches"),
    // Maya's v1 webhook signature against one RSA verify of the string it signs (issue 16).
    ("paykit-maya-checkout", "crates/maya-checkout/benches"),
    // The simulator's memory per live payment and after eviction past its retention horizon.
    ("paykit-sim", "crates/sim/benches"),
    // Starts a redis-server of its own (`paykit_testkit::servers`): `cargo xtask servers`
    // installs it when it is missing.
    ("paykit-redis", "crates/redis/benches"),
];

/// Runs `cargo bench -p <package>` for each suite, echoing its output, then prints every line
/// that reports a target or a ratio. A suite that fails does not stop the others: every ratio
/// is printed, then the run fails naming the suites that did. A suite with no benches yet is
/// skipped with a note. `only` names one suite (a package, or `footprint`).
pub(crate) fn run(only: Option<&str>) -> Result<(), Failure> {
    let known = SUITES.iter().any(|(package, _)| Some(*package) == only);
    if only.is_some_and(|only| !known && only != "footprint") {
        let names: Vec<&str> = SUITES.iter().map(|(package, _)| *package).collect();
        return Err(Failure::new(format!(
            "unknown suite: expected one of {}, footprint",
            names.join(", ")
        )));
    }
    let mut reported = Vec::new();
    let mut failed = Vec::new();
    for (package, dir) in SUITES {
        if only.is_some_and(|only| only != package) {
            continue;
        }
        if !has_benches(&root().join(dir)) {
            println!("{package} has no benches yet ({dir}): nothing to run");
            continue;
        }
        match bench(package) {
            Ok(lines) => reported.push((package, lines)),
            Err((lines, failure)) => {
                reported.push((package, lines));
                failed.push(failure.to_string());
            }
        }
    }
    if only.is_none_or(|only| only == "footprint") {
        println!("--- footprint: fresh release builds of the floor crate and paykit-maib");
        match crate::footprint::measure() {
            Ok(lines) => reported.push(("footprint", lines)),
            Err(failure) => failed.push(failure.to_string()),
        }
    }
    println!("\nratios reported:");
    for (package, lines) in &reported {
        println!("  {package}:");
        if lines.is_empty() {
            println!("    (none: its benches printed no line mentioning \"ratio\" or \"target\")");
        }
        for line in lines {
            println!("    {}", line.trim());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(failed.join("; ")))
    }
}

/// Runs one package's benches: the lines that report a ratio or a target, or those lines and
/// why it failed.
fn bench(package: &str) -> Result<Vec<String>, (Vec<String>, Failure)> {
    let mut child = cargo(&["bench", "-p", package])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            let failure = Failure::new(format!("cargo bench -p {package} could not start: {e}"));
            (Vec::new(), failure)
        })?;
    let mut lines = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if reports_ratio(&line) {
                lines.push(line);
            }
        }
    }
    match child.wait() {
        Ok(status) if status.success() => Ok(lines),
        Ok(status) => {
            let failure = Failure::new(format!("cargo bench -p {package} failed ({status})"));
            Err((lines, failure))
        }
        Err(e) => Err((
            lines,
            Failure::new(format!("cargo bench -p {package}: {e}")),
        )),
    }
}

/// Whether a bench's output line reports a ratio or a target.
fn reports_ratio(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.contains("ratio") || lower.contains("target")
}

/// Whether `dir` holds a bench: a `*.rs` file, or a folder with a `main.rs` (a bench of
/// several files).
fn has_benches(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().any(|entry| {
                let path = entry.path();
                if path.is_dir() {
                    path.join("main.rs").is_file()
                } else {
                    path.extension().is_some_and(|x| x == "rs")
                }
            })
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh empty folder for one test.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_bench_is_a_rust_file_or_a_folder_with_a_main() {
        let missing = scratch("missing").join("benches");
        assert!(!has_benches(&missing));

        let empty = scratch("empty");
        std::fs::write(empty.join("notes.md"), "").unwrap();
        std::fs::create_dir_all(empty.join("data")).unwrap();
        std::fs::write(empty.join("data/helper.rs"), "").unwrap();
        assert!(!has_benches(&empty), "no main.rs in the folder");

        let file = scratch("file");
        std::fs::write(file.join("targets.rs"), "").unwrap();
        assert!(has_benches(&file));

        let folder = scratch("folder");
        std::fs::create_dir_all(folder.join("shared_token")).unwrap();
        std::fs::write(folder.join("shared_token/main.rs"), "").unwrap();
        assert!(has_benches(&folder));

        for dir in [missing.parent().unwrap(), &empty, &file, &folder] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[test]
    fn ratio_and_target_lines_are_reported() {
        assert!(reports_ratio(
            "shared-token status call: median ratio B/A = 1.003 (target < 1.10) PASS"
        ));
        assert!(reports_ratio("token_cache_fetches = 1 (TARGET == 1)"));
        assert!(!reports_ratio("  A in-process token cache   130 µs"));
    }
}
