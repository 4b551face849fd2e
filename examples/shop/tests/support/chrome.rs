//! Headless Chromium for the browser test: Debian's `chromium` driven through
//! `chromedriver`, both started here on loopback and stopped when dropped.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::webdriver::Session;

/// The packages that ship the two programs.
const PACKAGES: &str = "chromium chromium-driver";

/// How long chromedriver may take to answer `/status`.
const DRIVER_START: Duration = Duration::from_secs(15);

/// Chromium's switches: headless, and nothing that reaches for the network (this machine has
/// none) or for a desktop (there is none).
const SWITCHES: [&str; 14] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-default-browser-check",
    "--disable-crash-reporter",
    "--disable-breakpad",
    "--window-size=1100,860",
];

/// `program` on `PATH`, else in `/usr/bin` (where Debian puts both).
fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A free port on loopback (bound, read and released: chromedriver binds it next).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on 127.0.0.1")
}

/// A running chromedriver and one Chromium session through it.
pub(crate) struct Browser {
    pub(crate) session: Session,
    driver: Driver,
}

/// The chromedriver process and the profile directory, cleaned up when dropped (also when a
/// flow fails half way).
struct Driver {
    process: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium. A missing program fails the test
    /// with one line naming the packages (never a silent skip).
    pub(crate) async fn start(scratch: &Path) -> Browser {
        let (chromium, chromedriver) = match (find("chromium"), find("chromedriver")) {
            (Some(chromium), Some(chromedriver)) => (chromium, chromedriver),
            (chromium, chromedriver) => {
                let missing: Vec<&str> = [("chromium", chromium), ("chromedriver", chromedriver)]
                    .into_iter()
                    .filter(|(_, found)| found.is_none())
                    .map(|(name, _)| name)
                    .collect();
                panic!(
                    "the shop's browser test needs {} (not on PATH or in /usr/bin): apt-get \
                     install -y {PACKAGES} (as root, `cargo xtask servers` installs them)",
                    missing.join(" and ")
                );
            }
        };
        std::fs::create_dir_all(scratch).unwrap();
        // Chromium never answers chromedriver when its profile path holds `..`: resolve it.
        let scratch = &std::fs::canonicalize(scratch).unwrap();
        let port = free_port();
        let log = std::fs::File::create(scratch.join("chromedriver.log")).unwrap();
        let process = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            // Its own process group, which the Chromium it starts joins: stopping the group
            // stops the browser too, even when the test failed before closing the session.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let server = format!("http://127.0.0.1:{port}");
        // From here a failure still stops chromedriver (Driver's Drop).
        let profile = scratch.join(format!("profile-{}", std::process::id()));
        let driver = Driver {
            process,
            profile: profile.clone(),
        };
        wait_ready(&server).await;

        // A fresh profile per run: no state from an earlier run, nothing shared with a person.
        let _ = std::fs::remove_dir_all(&profile);
        let mut args: Vec<String> = SWITCHES.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let session = match Session::open(&server, capabilities).await {
            Ok(session) => session,
            Err(error) => panic!(
                "chromedriver could not start Chromium: {error} (log: {})",
                scratch.join("chromedriver.log").display()
            ),
        };
        Browser { session, driver }
    }

    /// Quits the browser, then stops chromedriver.
    pub(crate) async fn stop(self) {
        let Browser { session, driver } = self;
        let _ = session.close().await;
        drop(driver);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group this test started: chromedriver and its Chromium processes.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--"])
            .arg(format!("-{}", self.process.id()))
            .stderr(Stdio::null())
            .status();
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Waits until chromedriver answers `GET /status` with `ready: true`.
async fn wait_ready(server: &str) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let until = Instant::now() + DRIVER_START;
    loop {
        if let Ok(response) = http.get(format!("{server}/status")).send().await {
            if let Ok(status) = response.json::<serde_json::Value>().await {
                if status["value"]["ready"] == true {
                    return;
                }
            }
        }
        assert!(
            Instant::now() < until,
            "chromedriver did not answer on {server} within {DRIVER_START:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
