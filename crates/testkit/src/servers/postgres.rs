//! A PostgreSQL server for tests: a throwaway cluster made by `initdb` in a fresh directory and
//! served by `postgres` on 127.0.0.1 and a free port, with trust authentication for the
//! `paykit` role. Loopback only, and stopped when the test process ends.
//!
//! ```no_run
//! use paykit_testkit::servers::PostgresServer;
//!
//! let server = PostgresServer::shared();
//! let url = server.create_database("records_round_trip");
//! assert!(url.ends_with("/records_round_trip"));
//! ```

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{ServerError, Tied, find_program, free_port, fresh_dir, is_root, tail};

/// The role `initdb` makes the superuser; tests connect as it, without a password.
const ROLE: &str = "paykit";
/// PostgreSQL refuses to run as root; the Debian package creates this user for it.
const SYSTEM_USER: &str = "postgres";
/// Where Debian keeps each installed version's server programs (off `PATH`).
const VERSIONS_DIR: &str = "/usr/lib/postgresql";
/// How long a start may take before it is reported as failed.
const READY_WITHIN: Duration = Duration::from_secs(20);
/// Starts tried, each on a new free port (another process may take a port first).
const START_ATTEMPTS: usize = 3;
/// How much of a log a start error quotes.
const LOG_TAIL: usize = 2_000;
/// What [`fresh_dir`] names our directories after.
const DIR_KIND: &str = "postgres";

/// A running PostgreSQL server on loopback, with its own cluster in a temporary directory.
///
/// Dropping it stops the server and removes the directory. [`PostgresServer::shared`] is one
/// server for a whole test binary; [`PostgresServer::create_database`] isolates tests on it.
pub struct PostgresServer {
    port: u16,
    dir: PathBuf,
    psql: PathBuf,
    server: Option<Tied>,
}

impl fmt::Debug for PostgresServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresServer")
            .field("url", &self.url())
            .field("dir", &self.dir)
            .finish()
    }
}

/// The programs a server needs, all from one installation.
struct Programs {
    initdb: PathBuf,
    postgres: PathBuf,
    psql: PathBuf,
}

impl Programs {
    /// `postgres` on `PATH` or in the highest installed version's directory, and `initdb` and
    /// `psql` beside it (so client and server come from the same version), else wherever they
    /// are found.
    fn find() -> Result<Programs, ServerError> {
        let versions = installed_versions(Path::new(VERSIONS_DIR));
        let postgres = find_program("postgres", &versions).ok_or(ServerError::Missing {
            program: "postgres",
        })?;
        // `/usr/local/bin/postgres` may be a link into a versioned directory: look beside the
        // real file first.
        let home = std::fs::canonicalize(&postgres)
            .ok()
            .and_then(|real| real.parent().map(Path::to_path_buf));
        let beside = |program: &'static str| {
            home.as_ref()
                .map(|dir| dir.join(program))
                .filter(|candidate| candidate.is_file())
                .or_else(|| find_program(program, &versions))
                .ok_or(ServerError::Missing { program })
        };
        Ok(Programs {
            initdb: beside("initdb")?,
            psql: beside("psql")?,
            postgres,
        })
    }
}

/// The `bin` directories of the versions installed under `root`, highest version first.
fn installed_versions(root: &Path) -> Vec<PathBuf> {
    let names = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    highest_first(names)
        .into_iter()
        .map(|name| root.join(name).join("bin"))
        .collect()
}

/// Version directory names (`"15"`, `"9.6"`) ordered highest first, numerically; names that are
/// not versions are dropped.
fn highest_first(names: Vec<String>) -> Vec<String> {
    let mut versions: Vec<(Vec<u32>, String)> = names
        .into_iter()
        .filter_map(|name| {
            let parts = name
                .split('.')
                .map(|part| part.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((parts, name))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, name)| name).collect()
}

fn start_error(program: &'static str, reason: impl Into<String>) -> ServerError {
    ServerError::Start {
        program,
        reason: reason.into(),
    }
}

impl PostgresServer {
    /// Makes a cluster in a fresh temporary directory and starts a server on it, on 127.0.0.1
    /// and a free port; returns once the server answers a query (within about 20 s).
    ///
    /// As root, the cluster is made and served by the `postgres` system user (PostgreSQL
    /// refuses to run as root), which owns the directory.
    pub fn start() -> Result<PostgresServer, ServerError> {
        let programs = Programs::find()?;
        remove_stale_dirs();
        let dir = fresh_dir(DIR_KIND)
            .map_err(|e| start_error("initdb", format!("temporary directory: {e}")))?;
        let result = Self::start_in(&programs, &dir);
        if result.is_err() {
            // The error already quotes the log; a failed cluster is not worth keeping.
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }

    fn start_in(programs: &Programs, dir: &Path) -> Result<PostgresServer, ServerError> {
        let run_as = is_root().then_some(SYSTEM_USER);
        if let Some(user) = run_as {
            hand_over(dir, user)?;
        }
        init_cluster(programs, dir, run_as)?;
        let log = dir.join("postgres.log");
        let mut last_failure = String::new();
        for _ in 0..START_ATTEMPTS {
            let port =
                free_port().map_err(|e| start_error("postgres", format!("free port: {e}")))?;
            let args = server_args(dir, port);
            let server = Tied::spawn(&programs.postgres, &args, run_as, &log)
                .map_err(|e| start_error("postgres", format!("spawn: {e}")))?;
            let mut candidate = PostgresServer {
                port,
                dir: dir.to_path_buf(),
                psql: programs.psql.clone(),
                server: Some(server),
            };
            match candidate.wait_ready() {
                Ok(()) => return Ok(candidate),
                Err(failure) => {
                    last_failure = failure;
                    // Stop this attempt without removing the cluster the next one uses.
                    drop(candidate.server.take());
                    candidate.dir = PathBuf::new();
                }
            }
        }
        Err(start_error(
            "postgres",
            format!("{last_failure}; log:\n{}", tail(&log, LOG_TAIL)),
        ))
    }

    /// Waits until the server answers `SELECT 1`, or fails when it exits or
    /// [`READY_WITHIN`] passes.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_WITHIN;
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut last = String::from("no answer yet");
        while Instant::now() < deadline {
            if !self.server.as_mut().is_some_and(Tied::running) {
                return Err(format!("the server exited on port {}", self.port));
            }
            // A TCP connect is cheap; only then spend a psql process on a real query.
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                match self.psql("postgres", "SELECT 1") {
                    Ok(answer) if answer == "1" => return Ok(()),
                    Ok(answer) => last = format!("SELECT 1 answered {answer:?}"),
                    Err(error) => last = error,
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "not ready within {} s ({last})",
            READY_WITHIN.as_secs()
        ))
    }

    /// One server for the whole test binary, started on first use and stopped when the binary
    /// ends. Each test takes its own database with [`PostgresServer::create_database`].
    ///
    /// # Panics
    ///
    /// When the server cannot start, with the [`ServerError`]'s message (which names the
    /// Debian packages to install when PostgreSQL is missing).
    pub fn shared() -> &'static PostgresServer {
        static SHARED: OnceLock<PostgresServer> = OnceLock::new();
        SHARED.get_or_init(|| PostgresServer::start().unwrap_or_else(|error| panic!("{error}")))
    }

    /// The port the server listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of the `postgres` database, as the `paykit` superuser (no password: trust
    /// authentication on loopback).
    pub fn url(&self) -> String {
        self.database_url("postgres")
    }

    fn database_url(&self, database: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates the empty database `name` and returns its URL, so a test (or a test file) has
    /// tables of its own on a shared server.
    ///
    /// # Panics
    ///
    /// When `name` is not a plain lowercase identifier (`a-z`, `0-9`, `_`, at most 63 bytes,
    /// not starting with a digit), already exists, or the server refuses.
    pub fn create_database(&self, name: &str) -> String {
        let plain = !name.is_empty()
            && name.len() <= 63
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        assert!(
            plain,
            "database name {name:?} is not a plain lowercase identifier"
        );
        // A plain identifier needs no quoting beyond the double quotes.
        if let Err(error) = self.psql("postgres", &format!("CREATE DATABASE \"{name}\"")) {
            panic!("could not create database {name}: {error}");
        }
        self.database_url(name)
    }

    /// Runs `sql` in `database` through `psql`; the unaligned, tuples-only answer, trimmed.
    fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        let output = Command::new(&self.psql)
            .args(["-X", "-w", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &port, "-U", ROLE, "-d", database])
            .args(["-c", sql])
            .env("PGCONNECT_TIMEOUT", "2")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(format!(
                "psql: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // Stop first (the watchdog waits for the server), then remove the cluster.
        drop(self.server.take());
        if !self.dir.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The server's command line: loopback TCP, its socket in `dir`, and no durability (a test
/// cluster is thrown away; this makes it several times faster).
fn server_args(dir: &Path, port: u16) -> Vec<String> {
    let mut args = vec![
        "-D".to_owned(),
        dir.join("data").display().to_string(),
        "-p".to_owned(),
        port.to_string(),
        "-k".to_owned(),
        dir.display().to_string(),
    ];
    for setting in [
        "listen_addresses=127.0.0.1",
        "fsync=off",
        "synchronous_commit=off",
        "full_page_writes=off",
    ] {
        args.push("-c".to_owned());
        args.push(setting.to_owned());
    }
    args
}

/// Makes `dir` owned by `user`, who will run the server in it.
fn hand_over(dir: &Path, user: &str) -> Result<(), ServerError> {
    let output = Command::new("chown")
        .arg("-R")
        .arg(user)
        .arg(dir)
        .output()
        .map_err(|e| start_error("initdb", format!("chown: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(start_error(
            "initdb",
            format!(
                "chown -R {user} {}: {} (does the `{user}` user exist? the Debian package creates it)",
                dir.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ))
    }
}

/// `initdb` of `dir/data`: the `paykit` superuser with trust authentication, UTF-8, locale C,
/// nothing synced to disk.
fn init_cluster(programs: &Programs, dir: &Path, run_as: Option<&str>) -> Result<(), ServerError> {
    let data = dir.join("data");
    let mut command = match run_as {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(&programs.initdb);
            command
        }
        None => Command::new(&programs.initdb),
    };
    let output = command
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            ROLE,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        // The system user may not be able to enter the test's working directory.
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| start_error("initdb", format!("spawn: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let start = said.len().saturating_sub(LOG_TAIL);
    let said = said.get(start..).unwrap_or(&said);
    Err(start_error(
        "initdb",
        format!("{}: {}", output.status, said.trim()),
    ))
}

/// Removes the clusters of earlier test processes. The shared server lives in a static that is
/// never dropped: its watchdog stops it when the test binary ends, but nothing removes its
/// directory (tens of megabytes), so the next start does. A directory is removed only when the
/// process it is named after is gone and its server has shut down (no `postmaster.pid`).
fn remove_stale_dirs() {
    // Whether a process lives is read from /proc; without it, remove nothing.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!("paykit-{DIR_KIND}-");
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(&prefix))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if !alive && !path.join("data").join("postmaster.pid").exists() {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_ordered_numerically_highest_first() {
        let names = ["9.6", "15", "16", "10", "not-a-version", "15.2"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(highest_first(names), ["16", "15.2", "15", "10", "9.6"]);
    }

    #[test]
    fn starts_creates_an_isolated_database_and_stops_on_drop() {
        let began = Instant::now();
        let server = PostgresServer::start().unwrap();
        let started_in = began.elapsed();
        println!("PostgreSQL cluster made and started in {started_in:?}");
        let port = server.port();
        let dir = server.dir.clone();
        assert_eq!(
            server.url(),
            format!("postgres://paykit@127.0.0.1:{port}/postgres")
        );

        let url = server.create_database("testkit_probe");
        assert_eq!(
            url,
            format!("postgres://paykit@127.0.0.1:{port}/testkit_probe")
        );
        server
            .psql("testkit_probe", "CREATE TABLE only_here (n int)")
            .unwrap();
        assert_eq!(
            server
                .psql("testkit_probe", "SELECT current_database()")
                .unwrap(),
            "testkit_probe"
        );
        // The table is in the new database, not in `postgres`.
        assert_eq!(
            server
                .psql(
                    "postgres",
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"
                )
                .unwrap(),
            "0"
        );
        // A second database of the same name is refused, loudly.
        let again = std::panic::catch_unwind(|| server.create_database("testkit_probe"));
        assert!(again.is_err());

        drop(server);
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        assert!(
            TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_err(),
            "still listening on {port} after drop"
        );
        assert!(!dir.exists(), "{} left behind", dir.display());
        assert!(started_in < READY_WITHIN, "started in {started_in:?}");
    }

    #[test]
    fn unplain_database_names_are_refused_before_reaching_the_server() {
        let server = PostgresServer::shared();
        for name in ["", "Upper", "semi;colon", "quote\"", "1starts_with_digit"] {
            let refused = std::panic::catch_unwind(|| server.create_database(name));
            assert!(refused.is_err(), "{name:?} accepted");
        }
    }
}
