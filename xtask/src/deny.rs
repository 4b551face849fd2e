//! `cargo deny`: the policy of deny.toml (licenses, bans, sources) and the RustSec advisories,
//! checked offline against the snapshot in `xtask/advisory-db/`. Installs the pinned
//! cargo-deny when it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::run::{Failure, cargo, seconds, status, succeeds};
use crate::workspace;

/// The cargo-deny CI installs and the advisory snapshot was checked with.
const CARGO_DENY_VERSION: &str = "0.20.2";

/// The folder cargo-deny derives from `db-urls` in deny.toml (it must be a git checkout).
const DB_FOLDER: &str = "advisory-db-3157b0e258782691";

/// Runs the policy check of deny.toml, then the advisories check.
pub(crate) fn check() -> Result<(), Failure> {
    ensure_installed()?;
    let args = ["deny", "check", "licenses", "bans", "sources"];
    status(&mut cargo(&args), "cargo deny (policy in deny.toml)")?;
    advisories()
}

/// `cargo deny --offline check advisories` against the bundled snapshot.
fn advisories() -> Result<(), Failure> {
    let root = workspace::root();
    let bundle = root.join("xtask/advisory-db/advisory-db.bundle");
    let checkout = root.join("target/advisory-db").join(DB_FOLDER);
    prepare_database(&bundle, &checkout)?;
    let snapshot = git_output(&checkout, &["log", "-1", "--format=%s, bundled %cs"])
        .unwrap_or_else(|| "an unreadable snapshot".to_owned());
    println!("advisories: checking against {snapshot}");
    status(
        &mut cargo(&["deny", "--offline", "check", "advisories"]),
        "cargo deny advisories (offline snapshot in xtask/advisory-db)",
    )
}

/// Clones `bundle` to `checkout` unless the checkout already holds the bundle's commit.
fn prepare_database(bundle: &Path, checkout: &Path) -> Result<(), Failure> {
    let wanted = bundle_head(bundle)?;
    if git_output(checkout, &["rev-parse", "HEAD"]).as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    if checkout.exists() {
        std::fs::remove_dir_all(checkout).map_err(|error| {
            Failure::new(format!("cannot replace {}: {error}", checkout.display()))
        })?;
    }
    let parent = checkout.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&parent)
        .map_err(|error| Failure::new(format!("cannot create {}: {error}", parent.display())))?;
    status(
        Command::new("git")
            .args([
                "-c",
                "init.defaultBranch=main",
                "clone",
                "--quiet",
                "--branch",
                "main",
            ])
            .arg(bundle)
            .arg(checkout),
        "cloning the advisory snapshot",
    )
}

/// The commit the bundle's `main` points at.
fn bundle_head(bundle: &Path) -> Result<String, Failure> {
    let output = Command::new("git")
        .args(["bundle", "list-heads"])
        .arg(bundle)
        .output()
        .map_err(|error| Failure::new(format!("git could not start: {error}")))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find(|line| line.ends_with("refs/heads/main"))
        .and_then(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .ok_or_else(|| Failure::new(format!("{} has no main branch", bundle.display())))
}

fn git_output(dir: &Path, args: &[&str]) -> Option<String> {
    if !dir.join(".git").exists() {
        return None;
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Installs cargo-deny `CARGO_DENY_VERSION` unless that version is already installed.
fn ensure_installed() -> Result<(), Failure> {
    let installed = Command::new(cargo_program())
        .args(["deny", "--version"])
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    if installed
        .split_whitespace()
        .any(|word| word == CARGO_DENY_VERSION)
    {
        return Ok(());
    }
    println!(
        "cargo-deny {CARGO_DENY_VERSION} is not installed (found {:?}): \
         cargo install cargo-deny --version {CARGO_DENY_VERSION} --locked (takes a few minutes)",
        installed.trim()
    );
    let started = Instant::now();
    status(
        &mut cargo(&[
            "install",
            "cargo-deny",
            "--version",
            CARGO_DENY_VERSION,
            "--locked",
            "--force",
        ]),
        "installing cargo-deny",
    )
    .map_err(|failure| {
        Failure::new(format!(
            "{failure}. cargo-deny comes from crates.io: when this machine is offline it \
             cannot be installed; install it by hand (cargo install cargo-deny --version \
             {CARGO_DENY_VERSION} --locked) where crates.io is reachable, then run again"
        ))
    })?;
    if !succeeds(&mut cargo(&["deny", "--version"])) {
        return Err(Failure::new("cargo-deny was installed but does not run"));
    }
    println!("cargo-deny installed in {}", seconds(started.elapsed()));
    Ok(())
}

fn cargo_program() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| "cargo".into())
}
