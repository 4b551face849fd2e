//! The merchant's side of Maya's webhooks: an endpoint that answers planned statuses, and a
//! verifier of the v1 signature written from maya-checkout.md §6.4.2 (independently of the
//! simulator's signer).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Delivery {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub(crate) fn nonce(&self) -> String {
        parse_signature(self.header("x-maya-webhook-signature"))
            .unwrap()
            .0
    }
}

/// A merchant endpoint answering the planned statuses in order, then 200.
pub(crate) struct Receiver {
    base: String,
    rx: mpsc::UnboundedReceiver<Delivery>,
    plan: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::unbounded_channel();
        let plan: Arc<Mutex<VecDeque<u16>>> = Arc::default();
        let answers = Arc::clone(&plan);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let tx = tx.clone();
                let answers = Arc::clone(&answers);
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let tx = tx.clone();
                        let answers = Arc::clone(&answers);
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.unwrap().to_bytes();
                            let status = answers.lock().unwrap().pop_front().unwrap_or(200);
                            let _ = tx.send(Delivery {
                                path: parts.uri.path().to_owned(),
                                headers: parts.headers,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            });
                            let mut res = Response::new(Full::new(Bytes::from("{}")));
                            *res.status_mut() = StatusCode::from_u16(status).unwrap();
                            Ok::<_, Infallible>(res)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { base, rx, plan }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn answer_next(&self, statuses: &[u16]) {
        self.plan.lock().unwrap().extend(statuses);
    }

    pub(crate) async fn next(&mut self) -> Delivery {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("a webhook within 5 s")
            .unwrap()
    }

    pub(crate) async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.rx.recv()).await.is_err()
    }
}

/// `nonce=…,v1=…` in any order, spaces tolerated, unknown keys ignored.
fn parse_signature(header: &str) -> Option<(String, String)> {
    let (mut nonce, mut v1) = (None, None);
    for part in header.split(',').map(str::trim) {
        if let Some(n) = part.strip_prefix("nonce=") {
            nonce = Some(n.to_owned());
        } else if let Some(s) = part.strip_prefix("v1=") {
            v1 = Some(s.to_owned());
        }
    }
    Some((
        nonce.filter(|n| !n.is_empty())?,
        v1.filter(|s| !s.is_empty())?,
    ))
}

fn walk(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (k, v) in children {
        let key = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::Array(a) if a.is_empty() => {}
            Value::Object(o) if o.is_empty() => {}
            Value::Object(_) | Value::Array(_) => walk(v, &key, out),
            Value::Bool(b) => out.push(format!("{key}={b}")),
            // JavaScript's String(n) for ordinary amounts: `100.0` -> `100`, `199.50` -> `199.5`.
            Value::Number(n) => match n.as_i64() {
                Some(i) => out.push(format!("{key}={i}")),
                None => out.push(format!("{key}={}", n.as_f64().unwrap())),
            },
            Value::String(s) => out.push(format!("{key}={s}")),
        }
    }
}

/// The receiver side of the v1 scheme; `Ok(nonce)` or why it failed.
pub(crate) fn verify(
    pem: &str,
    headers: &HeaderMap,
    body: &str,
    now_ms: u64,
) -> Result<String, &'static str> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (nonce, v1) = get("x-maya-webhook-signature")
        .and_then(parse_signature)
        .ok_or("missing signature")?;
    let ts: u64 = get("x-maya-webhook-timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or("bad timestamp")?;
    if ts.abs_diff(now_ms) > 300_000 {
        return Err("stale timestamp");
    }
    if v1.len() % 2 != 0 || !v1.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("bad signature encoding");
    }
    let sig: Vec<u8> = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v1[i..i + 2], 16).unwrap())
        .collect();
    let tree: Value = serde_json::from_str(body).map_err(|_| "bad body")?;
    let mut pairs = Vec::new();
    walk(&tree, "", &mut pairs);
    pairs.sort();
    let message = format!("{}&nonce={nonce}", pairs.join("&"));
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, STANDARD.decode(der).unwrap())
        .verify(message.as_bytes(), &sig)
        .map_err(|_| "invalid signature")?;
    Ok(nonce)
}
