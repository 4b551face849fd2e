//! The `paykit` binary run as a user runs it: a fresh process per command, with credentials in
//! its environment and nothing of the test's own `PAYKIT_*` or proxy settings.

use std::process::{Child, Command, Stdio};

use paykit_sim::Simulator;

/// What one invocation did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as JSON, or a failure that shows both streams.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }

    /// Both streams, for "never printed" checks.
    pub fn everything(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics with both streams unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "{self}");
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `paykit args…` with `envs`, and no inherited `PAYKIT_*` or proxy variable.
pub fn command(args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paykit"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let proxy = name.to_ascii_lowercase().ends_with("_proxy");
        if name.starts_with("PAYKIT_") || proxy {
            command.env_remove(&*name);
        }
    }
    command.args(args).envs(envs.iter().copied());
    command
}

/// Runs `paykit args…` to completion off the async runtime (the simulator the process talks to
/// runs on it).
pub async fn paykit(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut command = command(args, envs);
    let output = tokio::task::spawn_blocking(move || command.stdin(Stdio::null()).output())
        .await
        .expect("the blocking task")
        .expect("paykit runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `paykit args…` to completion with `stdin` as its standard input (a callback body
/// for `webhook verify`), off the async runtime.
pub async fn paykit_with_stdin(args: Vec<String>, stdin: String) -> Run {
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = command(&args, &[])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("paykit starts");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).expect("stdin is written");
        }
        let output = child.wait_with_output().expect("paykit runs");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("the blocking task")
}

/// Starts `paykit args…` in the background with piped stdout (for `--watch`).
pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Child {
    command(args, envs)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paykit starts")
}

/// The environment `status` reads maib's credentials from, for `sim`'s maib.
pub fn maib_env(sim: &Simulator) -> Vec<(&'static str, String)> {
    let info = sim.maib();
    vec![
        ("PAYKIT_MAIB_PROJECT_ID", info.project_id.clone()),
        ("PAYKIT_MAIB_PROJECT_SECRET", info.project_secret.clone()),
    ]
}

/// The same for `sim`'s iPay.
pub fn bog_env(sim: &Simulator) -> Vec<(&'static str, String)> {
    let info = sim.bog();
    vec![
        ("PAYKIT_BOG_CLIENT_ID", info.client_id.clone()),
        ("PAYKIT_BOG_SECRET_KEY", info.secret_key.clone()),
    ]
}

/// `pairs` borrowed, as [`paykit`] takes them.
pub fn borrowed<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// A Redis key prefix of its own for each test (and each run of the binary), so tests sharing
/// one server never see each other's records or tokens (every simulator has the same
/// credentials, so a token of one would be offered to another).
pub fn prefix(test: &str) -> String {
    format!("cli-{test}-{}:", std::process::id())
}

/// The payment page URL of a `pay` outcome.
pub fn page_url(outcome: &serde_json::Value) -> String {
    outcome["next_action"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("no page URL in {outcome}"))
        .to_owned()
}
