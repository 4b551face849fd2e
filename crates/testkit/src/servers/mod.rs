//! Real servers for tests (DESIGN.md §9): Redis and PostgreSQL from Debian's packages, started by
//! the test itself on loopback, in a temporary directory, on a free port. No mocks.
//!
//! A server is tied to the test process: it runs under a small shell watchdog that reads the
//! test's pipe and stops the server when the pipe closes, which happens however the test
//! process ends (a pass, a panic, a kill). So no server outlives its test binary.
//!
//! When a server's program is missing the start fails with one line naming the Debian packages
//! to install; `cargo xtask ci` installs them itself when it runs as root (as CI does).

mod postgres;
mod redis;

pub use postgres::PostgresServer;
pub use redis::RedisServer;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The Debian packages the store tests need.
pub const PACKAGES: &str = "redis-server postgresql";

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The server's program is not installed.
    #[error(
        "{program} not found: install the Debian packages `{PACKAGES}` (apt-get install -y {PACKAGES}); `cargo xtask ci` does this itself when run as root"
    )]
    Missing {
        /// The program looked for.
        program: &'static str,
    },
    /// It was found but did not start or did not become ready.
    #[error("{program} did not start: {reason}")]
    Start {
        /// The program.
        program: &'static str,
        /// What went wrong, with the server's log when there is one.
        reason: String,
    },
}

/// A free TCP port on 127.0.0.1 (bound and released: another process could take it before the
/// server binds, which a start retry covers).
pub(crate) fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A new empty directory under the system's temporary directory, named after `what`, this
/// process and a counter.
pub(crate) fn fresh_dir(what: &str) -> std::io::Result<PathBuf> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "paykit-{what}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `program` on `PATH`, or in one of `dirs` (Debian keeps PostgreSQL's server programs in
/// `/usr/lib/postgresql/<version>/bin`, off `PATH`).
pub(crate) fn find_program(program: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .iter()
        .chain(dirs)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A server process under a watchdog shell: the server stops when this handle is dropped or
/// when the test process ends (its end of the watchdog's stdin closes).
pub(crate) struct Tied {
    child: Child,
    pipe: Option<ChildStdin>,
}

impl Tied {
    /// Starts `program args…` under the watchdog, as `user` when given (through `runuser`,
    /// for servers that refuse to run as root), with its output appended to `log`.
    pub(crate) fn spawn(
        program: &Path,
        args: &[String],
        user: Option<&str>,
        log: &Path,
    ) -> std::io::Result<Tied> {
        // `read` returns when the pipe closes; the trap also covers the shell being killed.
        const WATCHDOG: &str = r#"log="$1"; shift; "$@" >>"$log" 2>&1 & server=$!; trap 'kill -INT $server 2>/dev/null; wait $server' EXIT INT TERM; read -r _ignored; exit 0"#;
        let mut command = match user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--", "sh", "-c", WATCHDOG, "sh"]);
                command
            }
            None => {
                let mut command = Command::new("sh");
                command.args(["-c", WATCHDOG, "sh"]);
                command
            }
        };
        command
            .arg(log)
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = command.spawn()?;
        let pipe = child.stdin.take();
        Ok(Tied { child, pipe })
    }

    /// True while the watchdog (and so the server) runs.
    pub(crate) fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Tied {
    fn drop(&mut self) {
        // Closing the pipe makes the watchdog stop the server and wait for it.
        drop(self.pipe.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !self.running() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last `max` bytes of the file at `path`, for start errors.
pub(crate) fn tail(path: &Path, max: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.len().saturating_sub(max);
    let start = (start..text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    text.get(start..).unwrap_or_default().to_owned()
}

/// True when this process runs as root (servers like PostgreSQL then run as another user).
pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| out.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}
