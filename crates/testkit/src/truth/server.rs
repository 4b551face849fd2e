//! A tiny HTTP/1.1 server that can misbehave on purpose: answer late, cut a body short and
//! close the connection, redirect. wiremock cannot reset a connection mid-body, so the truth
//! matrix runs on this instead. Every request is counted per `METHOD path`, so a test can
//! prove a money-moving call was sent once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// How one route answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response.
    Full {
        /// HTTP status.
        status: u16,
        /// Extra headers (`Content-Type` defaults to JSON).
        headers: Vec<(String, String)>,
        /// The body.
        body: String,
    },
    /// Headers announcing the whole body, then only its first `keep` bytes, then a closed
    /// connection: a reset mid-body.
    Cut {
        /// HTTP status.
        status: u16,
        /// The body as it would have been.
        body: String,
        /// How many bytes actually go out.
        keep: usize,
    },
    /// The reply, after a pause (longer than the client's timeout: a timeout after sending).
    Late(Duration, Box<Reply>),
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A JSON response with extra headers.
    pub fn with_headers(status: u16, headers: &[(&str, &str)], body: impl Into<String>) -> Self {
        Reply::Full {
            status,
            headers: headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            body: body.into(),
        }
    }
}

/// One route: requests whose method matches and whose path (without the query) equals `path`.
#[derive(Debug, Clone)]
pub struct Route {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, e.g. `/v1/refund`.
    pub path: String,
    /// The answer.
    pub reply: Reply,
}

impl Route {
    /// A route.
    pub fn new(method: &str, path: &str, reply: Reply) -> Self {
        Route {
            method: method.to_owned(),
            path: path.to_owned(),
            reply,
        }
    }
}

/// A running [`Route`] server on loopback; stops when dropped.
#[derive(Debug)]
pub struct TruthServer {
    base_url: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TruthServer {
    /// Starts serving `routes`; unknown routes answer 404 with an empty JSON object.
    pub async fn start(routes: Vec<Route>) -> std::io::Result<TruthServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let routes = Arc::new(routes);
        let counter = Arc::clone(&hits);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let routes = Arc::clone(&routes);
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    // A client that hangs up early is not the server's problem.
                    let _ = serve(stream, &routes, &counter).await;
                });
            }
        });
        Ok(TruthServer {
            base_url,
            hits,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many requests arrived for `METHOD path` (e.g. `"POST /v1/refund"`).
    pub fn hits(&self, route: &str) -> usize {
        self.hits
            .lock()
            .map(|hits| hits.get(route).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Every `METHOD path` that was requested, with its count, sorted.
    pub fn all_hits(&self) -> Vec<(String, usize)> {
        let mut all: Vec<_> = self
            .hits
            .lock()
            .map(|hits| hits.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        all.sort();
        all
    }
}

impl Drop for TruthServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback port held bound but never listening: a connection to it is refused at once, so
/// nothing is ever sent. The port stays taken while this lives: a port bound, freed and handed
/// out could be taken by another test's server before the connection, which then reaches that
/// server (seen once under load as a reset instead of a refusal).
#[derive(Debug)]
pub struct RefusingPort {
    // Held only to keep the port taken.
    _socket: tokio::net::TcpSocket,
    base_url: String,
}

impl RefusingPort {
    /// Takes a free loopback port without listening on it.
    pub fn bind() -> std::io::Result<RefusingPort> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let base_url = format!("http://{}", socket.local_addr()?);
        Ok(RefusingPort {
            _socket: socket,
            base_url,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// Reads one request (headers and a `Content-Length` body), answers it, closes.
async fn serve(
    mut stream: TcpStream,
    routes: &[Route],
    hits: &Mutex<HashMap<String, usize>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let header_end = loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let mut request_line = head.lines().next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default().to_owned();
    if let Ok(mut hits) = hits.lock() {
        *hits.entry(format!("{method} {path}")).or_insert(0) += 1;
    }
    let reply = routes
        .iter()
        .find(|route| route.method == method && route.path == path)
        .map_or_else(|| Reply::json(404, "{}"), |route| route.reply.clone());
    answer(&mut stream, reply).await
}

async fn answer(stream: &mut TcpStream, mut reply: Reply) -> std::io::Result<()> {
    while let Reply::Late(pause, inner) = reply {
        tokio::time::sleep(pause).await;
        reply = *inner;
    }
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            if !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            {
                head.push_str("Content-Type: application/json\r\n");
            }
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body.as_bytes()).await?;
        }
        Reply::Cut { status, body, keep } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reason(status),
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            let keep = keep.min(body.len());
            stream.write_all(&body.as_bytes()[..keep]).await?;
        }
        Reply::Late(..) => {}
    }
    stream.flush().await?;
    stream.shutdown().await
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection to the port is refused, and no listener can take the port meanwhile.
    #[tokio::test]
    async fn a_refusing_port_refuses_and_stays_taken() {
        let port = RefusingPort::bind().unwrap();
        let address = port.base_url().trim_start_matches("http://").to_owned();
        let refused = TcpStream::connect(&address).await.unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        assert!(
            TcpListener::bind(&address).await.is_err(),
            "{address} was free"
        );
        drop(port);
        assert!(TcpListener::bind(&address).await.is_ok());
    }
}
