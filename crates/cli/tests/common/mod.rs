//! Shared helpers for the end-to-end tests: a merchant-side listener that records the
//! callbacks it receives, a recording reverse proxy that sits between a client and the
//! simulator (to count token requests, see every status the client got, and act between two
//! requests), the customer's browser (a plain GET of the payment page), and the `paykit`
//! binary run in its own process ([`paykit`]).

// Helpers, not tests: a broken loopback socket is a test failure, so they panic with a message.
// Each test binary uses a different subset of them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    unreachable_pub,
    missing_docs
)]

pub mod paykit;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// How long a test waits for a callback before failing.
pub const CALLBACK_WAIT: Duration = Duration::from_secs(5);

/// An HTTP client that never goes through a proxy from the environment.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// What the customer's browser does with a payment page: a plain GET. Returns the status and
/// the HTML.
pub async fn open_page(url: &str) -> (u16, String) {
    let response = http_client()
        .get(url)
        .send()
        .await
        .expect("payment page reachable");
    let status = response.status().as_u16();
    let body = response.text().await.expect("payment page body");
    (status, body)
}

/// Polls `condition` every 10 ms until it holds or [`CALLBACK_WAIT`] passes; returns whether
/// it held.
pub async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + CALLBACK_WAIT;
    loop {
        if condition() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Serves `handler` on a fresh loopback port; returns `http://127.0.0.1:<port>`.
async fn serve<H, F>(handler: H) -> String
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(handler(req).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    base
}

fn response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = StatusCode::from_u16(status).expect("status");
    if let Ok(value) = http::HeaderValue::from_str(content_type) {
        res.headers_mut().insert(http::header::CONTENT_TYPE, value);
    }
    res
}

/// One request the merchant received, byte for byte.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the merchant answers: status, content type, body.
pub type Answer = (u16, &'static str, Vec<u8>);

type Responder = Arc<dyn Fn(&Received) -> Answer + Send + Sync>;

/// The merchant's server on loopback: records every request and answers 200 `OK` (or what a
/// custom responder says).
pub struct Merchant {
    pub base: String,
    rx: mpsc::UnboundedReceiver<Received>,
}

impl Merchant {
    /// A merchant answering 200 `OK` to everything.
    pub async fn start() -> Self {
        Self::start_with(|_| (200, "text/plain", b"OK".to_vec())).await
    }

    /// A merchant answering with `responder`.
    pub async fn start_with(
        responder: impl Fn(&Received) -> Answer + Send + Sync + 'static,
    ) -> Self {
        let responder: Responder = Arc::new(responder);
        let (tx, rx) = mpsc::unbounded_channel();
        let base = serve(move |req: Request<Incoming>| {
            let tx = tx.clone();
            let responder = Arc::clone(&responder);
            async move {
                let (parts, body) = req.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|b| b.to_bytes())
                    .unwrap_or_default();
                let received = Received {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    headers: parts.headers,
                    body,
                };
                let (status, content_type, answer) = responder(&received);
                let _ = tx.send(received);
                response(status, content_type, answer)
            }
        })
        .await;
        Self { base, rx }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next request received, waiting at most [`CALLBACK_WAIT`].
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(CALLBACK_WAIT, self.rx.recv())
            .await
            .expect("a callback within the wait")
            .expect("merchant listener alive")
    }

    /// True when nothing arrives within `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.rx.recv()).await.is_err()
    }
}

/// One request that went through the [`Proxy`] and the answer it got.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    pub request_body: String,
    pub status: u16,
    pub response_body: String,
}

type Hook = Arc<dyn Fn(&Exchange) + Send + Sync>;
type Rewrite = Arc<dyn Fn(&Exchange) -> Option<u16> + Send + Sync>;

/// A recording reverse proxy in front of one simulated provider. Clients are pointed at
/// [`Proxy::base`]; every exchange is logged, and a hook runs after the simulator answered and
/// before the client sees the answer.
pub struct Proxy {
    pub base: String,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Proxy {
    /// A proxy to `target` (scheme, host and port).
    pub async fn start(target: &str) -> Self {
        Self::with_hook(target, |_| {}).await
    }

    /// A proxy to `target` running `hook` on every exchange.
    pub async fn with_hook(target: &str, hook: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        Self::full(target, Arc::new(hook), Arc::new(|_| None)).await
    }

    /// A proxy to `target` that forwards every request (so the simulator acts) and then, where
    /// `rewrite` names a status, answers that status with an empty body instead: a fault after
    /// processing, seen by the client only.
    pub async fn with_rewrite(
        target: &str,
        rewrite: impl Fn(&Exchange) -> Option<u16> + Send + Sync + 'static,
    ) -> Self {
        Self::full(target, Arc::new(|_| {}), Arc::new(rewrite)).await
    }

    async fn full(target: &str, hook: Hook, rewrite: Rewrite) -> Self {
        let log: Arc<Mutex<Vec<Exchange>>> = Arc::default();
        let client = http_client();
        let target = target.trim_end_matches('/').to_owned();
        let shared_log = Arc::clone(&log);
        let base = serve(move |req: Request<Incoming>| {
            let hook = Arc::clone(&hook);
            let rewrite = Arc::clone(&rewrite);
            let log = Arc::clone(&shared_log);
            let client = client.clone();
            let target = target.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|b| b.to_bytes())
                    .unwrap_or_default();
                let path_and_query = parts
                    .uri
                    .path_and_query()
                    .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
                let mut headers = parts.headers.clone();
                for name in ["host", "content-length", "connection", "transfer-encoding"] {
                    headers.remove(name);
                }
                let upstream = client
                    .request(parts.method.clone(), format!("{target}{path_and_query}"))
                    .headers(headers)
                    .body(body.clone())
                    .send()
                    .await
                    .expect("simulator reachable through the proxy");
                let status = upstream.status().as_u16();
                let content_type = upstream
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let answer = upstream.bytes().await.expect("simulator answer body");
                let exchange = Exchange {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    request_body: String::from_utf8_lossy(&body).into_owned(),
                    status,
                    response_body: String::from_utf8_lossy(&answer).into_owned(),
                };
                hook(&exchange);
                let replaced = rewrite(&exchange);
                log.lock().expect("proxy log").push(exchange);
                match replaced {
                    Some(status) => response(status, "text/plain", Bytes::new()),
                    None => response(status, &content_type, answer),
                }
            }
        })
        .await;
        Self { base, log }
    }

    /// Every exchange so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().expect("proxy log").clone()
    }

    /// The exchanges of `method` on exactly `path`.
    pub fn calls(&self, method: &str, path: &str) -> Vec<Exchange> {
        self.exchanges()
            .into_iter()
            .filter(|e| e.method == method && e.path == path)
            .collect()
    }

    /// The HTTP statuses of the exchanges of `method` on exactly `path`, in order.
    pub fn statuses(&self, method: &str, path: &str) -> Vec<u16> {
        self.calls(method, path).iter().map(|e| e.status).collect()
    }
}
