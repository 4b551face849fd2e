//! Running cargo, timing steps and reporting failures.

use std::fmt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::workspace;

/// Why a command failed, in words for the developer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure(String);

impl Failure {
    /// A failure with this message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `cargo` (the one running us, when known) with `args`, in the workspace root.
pub(crate) fn cargo(args: &[&str]) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.args(args).current_dir(workspace::root());
    command
}

/// Runs `command` with inherited output; fails with `what` when it fails.
pub(crate) fn status(command: &mut Command, what: &str) -> Result<(), Failure> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(Failure::new(format!("{what} failed ({status})"))),
        Err(error) => Err(Failure::new(format!("{what} could not start: {error}"))),
    }
}

/// Whether `command` runs and succeeds, its output discarded.
pub(crate) fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Prints a step header, runs `step`, prints how long it took.
pub(crate) fn step(
    number: usize,
    total: usize,
    title: &str,
    step: impl FnOnce() -> Result<(), Failure>,
) -> Result<Duration, Failure> {
    println!("\n==> [{number}/{total}] {title}");
    let started = Instant::now();
    let result = step();
    let took = started.elapsed();
    match result {
        Ok(()) => {
            println!("==> [{number}/{total}] {title}: ok in {}", seconds(took));
            Ok(took)
        }
        Err(failure) => Err(Failure::new(format!(
            "step {number}/{total} `{title}` failed after {}: {failure}",
            seconds(took)
        ))),
    }
}

/// `12.3s`.
pub(crate) fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}
