//! `cargo xtask fuzz`: the cargo-fuzz targets in `fuzz/` for a given time each, where a
//! nightly toolchain and cargo-fuzz exist; otherwise the same targets as stable property tests
//! (`cargo test -p paykit-props --release`), saying so.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::run::{Failure, cargo, status};
use crate::workspace::root;

/// Seconds per target when `--time` is not given.
pub(crate) const DEFAULT_SECS: u64 = 60;

/// What `cargo xtask fuzz` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FuzzArgs {
    /// Seconds of libFuzzer per target.
    pub(crate) secs: u64,
    /// Only this target.
    pub(crate) target: Option<String>,
    /// Only write the seed corpora from the fixtures.
    pub(crate) seed_only: bool,
    /// Run the stable property tests even where libFuzzer could run.
    pub(crate) stable: bool,
}

/// The targets: `fuzz/fuzz_targets/<name>.rs`, sorted.
fn targets(fuzz_dir: &Path) -> Result<Vec<String>, Failure> {
    let dir = fuzz_dir.join("fuzz_targets");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?;
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Ok(names)
}

/// `cargo` from PATH (rustup's proxy, which understands `+nightly`), without the variables
/// the stable cargo running us set.
fn rustup_cargo(args: &[&str]) -> Command {
    let mut command = Command::new("cargo");
    command
        .args(args)
        .current_dir(root())
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN");
    command
}

/// Why libFuzzer cannot run here, or `None` when it can.
fn missing_tools() -> Option<&'static str> {
    let quiet = |mut command: Command| {
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !quiet(rustup_cargo(&["+nightly", "--version"])) {
        return Some("no nightly toolchain (`rustup toolchain install nightly`)");
    }
    if !quiet(rustup_cargo(&["+nightly", "fuzz", "--version"])) {
        return Some("no cargo-fuzz (`cargo install cargo-fuzz`)");
    }
    None
}

/// Writes `fuzz/corpus/<target>/` from the fixtures.
fn seed(corpus: &Path, target: Option<&str>) -> Result<(), Failure> {
    let corpus = corpus.to_string_lossy().into_owned();
    let mut args = vec![
        "run",
        "-q",
        "-p",
        "paykit-props",
        "--example",
        "seed_corpus",
        "--",
        &corpus,
    ];
    if let Some(target) = target {
        args.push(target);
    }
    status(&mut cargo(&args), "writing the seed corpora")
}

/// What one libFuzzer run reported.
struct RunReport {
    executions: Option<u64>,
    crash: Option<String>,
    ok: bool,
}

/// `cargo +nightly fuzz run <target>` for `secs`, its output echoed and its final stats read.
fn run_libfuzzer(target: &str, corpus: &Path, secs: u64) -> Result<RunReport, Failure> {
    let corpus = corpus.join(target).to_string_lossy().into_owned();
    let time = format!("-max_total_time={secs}");
    let mut child = rustup_cargo(&[
        "+nightly",
        "fuzz",
        "run",
        target,
        &corpus,
        "--",
        &time,
        "-print_final_stats=1",
    ])
    .stderr(Stdio::piped())
    .spawn()
    .map_err(|e| Failure::new(format!("cargo fuzz could not start: {e}")))?;
    let mut report = RunReport {
        executions: None,
        crash: None,
        ok: false,
    };
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            if let Some(count) = line.strip_prefix("stat::number_of_executed_units:") {
                report.executions = count.trim().parse().ok();
            }
            if line.contains("Test unit written to") {
                report.crash = line.rsplit(' ').next().map(str::to_owned);
            }
        }
    }
    let exit = child
        .wait()
        .map_err(|e| Failure::new(format!("cargo fuzz: {e}")))?;
    report.ok = exit.success();
    Ok(report)
}

/// Runs `cargo xtask fuzz`.
pub(crate) fn run(args: &FuzzArgs) -> Result<(), Failure> {
    let fuzz_dir = root().join("fuzz");
    let corpus = fuzz_dir.join("corpus");
    let all = targets(&fuzz_dir)?;
    let chosen: Vec<String> = match &args.target {
        Some(name) if all.contains(name) => vec![name.clone()],
        Some(name) => {
            return Err(Failure::new(format!(
                "unknown fuzz target `{name}`: expected one of {}",
                all.join(", ")
            )));
        }
        None => all,
    };
    if args.seed_only {
        return seed(&corpus, args.target.as_deref());
    }
    let missing = if args.stable {
        Some("--stable asked for the property tests")
    } else {
        missing_tools()
    };
    if let Some(why) = missing {
        println!("libFuzzer cannot run here: {why}.");
        println!("Running the same targets as stable property tests instead.");
        let mut test = cargo(&["test", "-p", "paykit-props", "--release"]);
        if let Some(name) = &args.target {
            test.args(["--test", "no_panic", "--", &format!("{name}::")]);
        }
        return status(&mut test, "the stable property tests");
    }
    seed(&corpus, args.target.as_deref())?;
    let mut summary = Vec::new();
    for target in &chosen {
        println!("\n==> fuzz {target} for {}s", args.secs);
        let report = run_libfuzzer(target, &corpus, args.secs)?;
        summary.push((target.clone(), report));
    }
    println!("\nfuzz summary ({}s per target):", args.secs);
    let mut failed = Vec::new();
    for (target, report) in &summary {
        let executions = report
            .executions
            .map_or_else(|| "?".to_owned(), |n| n.to_string());
        let verdict = match (&report.crash, report.ok) {
            (Some(path), _) => format!("CRASH, input in {path}"),
            (None, true) => "no crash".to_owned(),
            (None, false) => "failed to run".to_owned(),
        };
        println!("  {target:<18} {executions:>12} executions  {verdict}");
        if !report.ok {
            failed.push(target.as_str());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "fuzzing failed: {}",
            failed.join(", ")
        )))
    }
}
