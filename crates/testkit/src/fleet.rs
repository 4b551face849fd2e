//! Several OS processes for fleet tests: the test binary starts copies of itself, each running
//! one worker test, so that "two instances" in a test really share nothing but the store.
//!
//! A fleet test names a worker: an `#[ignore]`d test in the same file that does nothing unless
//! it was started by [`Fleet::spawn`] (it panics otherwise, so running ignored tests by hand
//! does not pass silently). Workers get their parameters through environment variables and
//! report through tagged lines on stdout, which [`Worker::finish`] collects.
//!
//! ```ignore
//! #[test]
//! #[ignore = "a worker process of the fleet tests"]
//! fn worker() {
//!     let role = paykit_testkit::fleet::role();
//!     // ... do the work for `role`, then:
//!     paykit_testkit::fleet::report(&serde_json::json!({"fetched": 1}));
//! }
//! ```

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// The environment variable carrying a worker's role.
pub const ROLE_VAR: &str = "PAYKIT_FLEET_ROLE";

/// The prefix of a worker's report lines.
const REPORT_TAG: &str = "PAYKIT-FLEET-REPORT ";

/// Starts worker processes of the current test binary.
#[derive(Debug, Clone)]
pub struct Fleet {
    worker_test: String,
}

impl Fleet {
    /// Workers run the test named `worker_test` (its full path inside the test binary, e.g.
    /// `worker`, or `module::worker`).
    pub fn new(worker_test: impl Into<String>) -> Self {
        Fleet {
            worker_test: worker_test.into(),
        }
    }

    /// Starts one worker in `role` with extra environment `env`.
    pub fn spawn(&self, role: &str, env: &[(&str, String)]) -> Worker {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
        let mut command = Command::new(exe);
        command
            .args([
                self.worker_test.as_str(),
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ROLE_VAR, role)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start worker {role}: {e}"));
        Worker {
            role: role.to_owned(),
            child,
        }
    }
}

/// One running worker process.
#[derive(Debug)]
pub struct Worker {
    role: String,
    child: Child,
}

impl Worker {
    /// The worker's OS process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the worker at once (SIGKILL: no cleanup, as a crash).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits until the worker has printed a report line, and returns it, leaving the worker
    /// running (for a worker that reports "ready" and then waits to be killed).
    pub fn first_report(&mut self, within: Duration) -> Value {
        let Some(stdout) = self.child.stdout.as_mut() else {
            panic!("worker {} has no stdout", self.role);
        };
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while Instant::now() < deadline {
            match stdout.read(&mut byte) {
                Ok(0) => break,
                Ok(_) => {
                    seen.push(byte[0]);
                    if byte[0] == b'\n' {
                        let line = String::from_utf8_lossy(&seen).into_owned();
                        if let Some(report) = parse_report(&line) {
                            return report;
                        }
                        seen.clear();
                    }
                }
                Err(e) => panic!("reading worker {}: {e}", self.role),
            }
        }
        panic!("worker {} reported nothing within {within:?}", self.role);
    }

    /// Waits for the worker to end; panics with its output unless it passed. Returns its
    /// reports, in order.
    pub fn finish(self) -> Vec<Value> {
        let role = self.role;
        let output = self
            .child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("waiting for worker {role}: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "worker {role} failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
        let reports: Vec<Value> = stdout.lines().filter_map(parse_report).collect();
        assert!(
            !reports.is_empty(),
            "worker {role} did not run (no report): is the worker test name right?\n{stdout}"
        );
        reports
    }
}

fn parse_report(line: &str) -> Option<Value> {
    let at = line.find(REPORT_TAG)?;
    let text = line.get(at + REPORT_TAG.len()..)?;
    serde_json::from_str(text.trim()).ok()
}

/// The role this process was started in. Panics when it was not started by [`Fleet::spawn`]:
/// a worker run by hand must not pass.
pub fn role() -> String {
    std::env::var(ROLE_VAR).unwrap_or_else(|_| {
        panic!("this test is a worker of the fleet tests, started by them; it does not run alone")
    })
}

/// A required environment variable of a worker.
pub fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("worker environment lacks {name}"))
}

/// Prints one report line for the parent.
pub fn report(value: &Value) {
    // Workers run with --nocapture, so this reaches the parent's pipe.
    #[allow(clippy::print_stdout)]
    {
        println!("{REPORT_TAG}{value}");
    }
}

/// Milliseconds since the Unix epoch, for start times shared between processes.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Sleeps until Unix time `at_ms`: workers started one by one begin their work together.
pub fn wait_until(at_ms: u64) {
    let now = unix_ms();
    if at_ms > now {
        std::thread::sleep(Duration::from_millis(at_ms - now));
    }
}
