//! Shared helpers for the simulator's end-to-end tests: a merchant-side listener that
//! records callbacks, an HTTP client, and small independent signature checks.

#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use paykit_sim::{SimConfig, Simulator};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One request the merchant received.
#[derive(Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("callback body is JSON")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A merchant server on loopback. Answers 200 `OK`, or `{"sessionId":"sess-1"}` on
/// `/session`.
pub struct Merchant {
    pub base: String,
    rx: mpsc::UnboundedReceiver<Received>,
}

impl Merchant {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let tx = tx.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let tx = tx.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let path = parts.uri.path().to_owned();
                            let answer = if path == "/session" {
                                r#"{"sessionId":"sess-1"}"#
                            } else {
                                "OK"
                            };
                            let _ = tx.send(Received {
                                method: parts.method.to_string(),
                                path,
                                headers: parts.headers,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            });
                            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(answer))))
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { base, rx }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next request, within 5 s.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("a callback within 5 s")
            .expect("merchant channel open")
    }

    /// Whether nothing arrives within `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.rx.recv()).await.is_err()
    }
}

pub async fn sim() -> Simulator {
    paykit_sim::start(SimConfig::default()).await.unwrap()
}

/// One HTTP client per test thread (building one costs about 25 ms; each test has its own
/// thread and runtime, so pooled connections never outlive their runtime).
pub fn client() -> reqwest::Client {
    thread_local! {
        static CLIENT: reqwest::Client = reqwest::Client::builder().no_proxy().build().unwrap();
    }
    CLIENT.with(Clone::clone)
}

/// A response's status and JSON body (`Null` when empty or not JSON).
pub async fn json(res: reqwest::Response) -> (u16, serde_json::Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// A response's status, JSON body and exact text (amounts are checked on the text: a
/// `serde_json::Value` would turn `5.00` into the float `5.0`).
pub async fn reply(res: reqwest::Response) -> (u16, serde_json::Value, String) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, value, text)
}

/// What a browser does with the payment page.
pub async fn open_page(url: &str) -> (u16, String) {
    let res = client().get(url).send().await.unwrap();
    let status = res.status().as_u16();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "payment page is HTML"
    );
    (status, res.text().await.unwrap())
}

/// `POST {base}/_sim/trigger` with `body`: the status and the JSON answer.
pub async fn trigger(base: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    json(
        client()
            .post(format!("{base}/_sim/trigger"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}
