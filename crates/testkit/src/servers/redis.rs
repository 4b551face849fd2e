//! A Redis server for tests: `redis-server` from Debian's package, on 127.0.0.1, on a free port,
//! with persistence off and its working directory in a fresh temporary directory.
//!
//! ```no_run
//! use paykit_testkit::servers::RedisServer;
//!
//! // One server per test binary; each test uses its own key prefix.
//! let url = RedisServer::shared().url();
//! assert!(url.starts_with("redis://127.0.0.1:"));
//! ```

use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{ServerError, Tied, free_port, fresh_dir, tail};

const PROGRAM: &str = "redis-server";

/// How long a start may take before it is given up.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// Starts on a fresh port after losing a port race (another process bound the free port first).
const START_ATTEMPTS: u32 = 3;

/// What `redis-server` logs when it cannot listen on its port; the start is then retried on
/// another one.
const BIND_FAILURES: [&str; 2] = ["Address already in use", "Failed listening on port"];

/// A running `redis-server` on loopback; dropping it stops the server.
pub struct RedisServer {
    program: PathBuf,
    dir: PathBuf,
    port: u16,
    process: Option<Tied>,
}

impl RedisServer {
    /// Starts a new server, waiting until it answers `PING`.
    ///
    /// # Errors
    ///
    /// [`ServerError::Missing`] when `redis-server` is not installed; [`ServerError::Start`],
    /// with the end of the server's log, when it did not answer within 10 seconds.
    pub fn start() -> Result<RedisServer, ServerError> {
        let dirs = [PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")];
        let program =
            super::find_program(PROGRAM, &dirs).ok_or(ServerError::Missing { program: PROGRAM })?;
        let dir = fresh_dir("redis").map_err(|e| failed(format!("temporary directory: {e}")))?;
        let mut last = String::from("not attempted");
        for _attempt in 0..START_ATTEMPTS {
            let port = free_port().map_err(|e| failed(format!("no free port: {e}")))?;
            match launch(&program, &dir, port) {
                Ok(process) => {
                    return Ok(RedisServer {
                        program,
                        dir,
                        port,
                        process: Some(process),
                    });
                }
                Err(Launch::PortTaken(reason)) => last = reason,
                Err(Launch::Failed(reason)) => return Err(failed(reason)),
            }
        }
        Err(failed(last))
    }

    /// The server of this test binary, started on first use and shared by its tests (each
    /// should use its own key prefix). It stops when the test process ends.
    ///
    /// # Panics
    ///
    /// When the server cannot start, with the one-line reason (which names the packages to
    /// install when `redis-server` is missing), so that every test using it fails clearly.
    pub fn shared() -> &'static RedisServer {
        static SHARED: OnceLock<RedisServer> = OnceLock::new();
        SHARED.get_or_init(|| match RedisServer::start() {
            // A static is never dropped, so its directory is removed now: persistence is off,
            // the server keeps its open log and working directory, and a shared server is
            // never restarted (that takes `&mut`).
            Ok(server) => {
                let _ = std::fs::remove_dir_all(&server.dir);
                server
            }
            Err(error) => panic!("{error}"),
        })
    }

    /// The URL clients connect to: `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port it listens on (kept across [`RedisServer::restart`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server (for "Redis went down" tests); [`RedisServer::restart`] brings it back on
    /// the same port. Returns once the server has exited.
    pub fn stop(&mut self) {
        // Tied's drop closes the watchdog's pipe and waits for the server to exit.
        drop(self.process.take());
    }

    /// Starts the server again on the same port (stopping it first if it runs), with an empty
    /// data set (persistence is off).
    ///
    /// # Errors
    ///
    /// [`ServerError::Start`] when it does not answer in time, or when another process took
    /// the port while it was down.
    pub fn restart(&mut self) -> Result<(), ServerError> {
        self.stop();
        let process = launch(&self.program, &self.dir, self.port).map_err(|e| match e {
            Launch::PortTaken(reason) | Launch::Failed(reason) => failed(reason),
        })?;
        self.process = Some(process);
        Ok(())
    }

    /// True while the server answers `PING`.
    pub fn answers(&self) -> bool {
        ping(self.port)
    }
}

impl fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisServer")
            .field("port", &self.port)
            .field("dir", &self.dir)
            .field("running", &self.process.is_some())
            .finish()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        // Only the log is in it; a failure to remove it leaves a small directory in /tmp.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Why one launch did not produce a ready server.
enum Launch {
    /// Another process holds the port: worth retrying on another.
    PortTaken(String),
    /// Anything else: retrying would fail the same way.
    Failed(String),
}

fn failed(reason: String) -> ServerError {
    ServerError::Start {
        program: PROGRAM,
        reason,
    }
}

/// Runs `program` on `port` under the watchdog and waits until it answers.
fn launch(program: &Path, dir: &Path, port: u16) -> Result<Tied, Launch> {
    let log = dir.join("redis.log");
    // Each launch reads only its own lines: a bind failure of the previous attempt must not
    // fail this one.
    std::fs::write(&log, "").map_err(|e| Launch::Failed(format!("log file: {e}")))?;
    let args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        &dir.to_string_lossy(),
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut process = Tied::spawn(program, &args, None, &log)
        .map_err(|e| Launch::Failed(format!("could not run {}: {e}", program.display())))?;
    let deadline = Instant::now() + READY_WITHIN;
    while Instant::now() < deadline {
        // A server that lost the port race exits at once; a foreign server on the port would
        // answer PING, so the log is read first.
        let text = tail(&log, 4096);
        if BIND_FAILURES.iter().any(|failure| text.contains(failure)) {
            return Err(Launch::PortTaken(format!("port {port} taken: {text}")));
        }
        if ping(port) {
            return Ok(process);
        }
        if !process.running() {
            return Err(Launch::Failed(format!(
                "its watchdog exited: {}",
                tail(&log, 2048)
            )));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    drop(process);
    Err(Launch::Failed(format!(
        "no answer to PING on port {port} within {READY_WITHIN:?}: {}",
        tail(&log, 2048)
    )))
}

/// True when something on `port` answers `PING` with `+PONG`, within a short timeout.
fn ping(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let short = Duration::from_millis(250);
    let Ok(mut stream) = TcpStream::connect_timeout(&address, short) else {
        return false;
    };
    if stream.set_read_timeout(Some(short)).is_err()
        || stream.write_all(b"*1\r\n$4\r\nPING\r\n").is_err()
    {
        return false;
    }
    let mut answer = [0_u8; 7];
    stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_answers_restarts_and_stops_on_drop() {
        let mut server = RedisServer::start().unwrap();
        let port = server.port();
        assert_eq!(server.url(), format!("redis://127.0.0.1:{port}/"));
        assert!(ping(port), "{server:?} does not answer");
        server.stop();
        assert!(!ping(port), "still answers after stop");
        server.restart().unwrap();
        assert!(server.answers());
        assert_eq!(server.port(), port);
        let dir = server.dir.clone();
        drop(server);
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        assert!(
            TcpStream::connect_timeout(&address, Duration::from_millis(250)).is_err(),
            "port {port} still accepts connections after drop"
        );
        assert!(!dir.exists(), "{} left behind", dir.display());
    }

    #[test]
    fn a_taken_port_is_reported_as_a_race_to_retry() {
        let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = holder.local_addr().unwrap().port();
        let program = super::super::find_program(PROGRAM, &[PathBuf::from("/usr/bin")]).unwrap();
        let dir = fresh_dir("redis-race").unwrap();
        let started = Instant::now();
        match launch(&program, &dir, port) {
            Err(Launch::PortTaken(reason)) => assert!(reason.contains(&port.to_string())),
            Err(Launch::Failed(reason)) => panic!("not seen as a port race: {reason}"),
            Ok(_) => panic!("started on a port another socket listens on"),
        }
        assert!(started.elapsed() < READY_WITHIN, "waited for the timeout");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn shared_is_one_server_and_leaves_no_directory() {
        let first = RedisServer::shared();
        assert!(first.answers());
        assert_eq!(first.port(), RedisServer::shared().port());
        assert!(!first.dir.exists(), "{} left behind", first.dir.display());
    }
}
