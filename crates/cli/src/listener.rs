//! A local HTTP listener that stands in for the merchant's callback URL during the demo.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One callback as received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// Request path, e.g. `/maib`.
    pub(crate) path: String,
    /// Request headers.
    pub(crate) headers: http::HeaderMap,
    /// The raw body.
    pub(crate) body: Bytes,
}

/// A running listener; callbacks arrive on `received`.
pub(crate) struct CallbackListener {
    address: SocketAddr,
    received: mpsc::UnboundedReceiver<Received>,
    task: tokio::task::JoinHandle<()>,
}

impl CallbackListener {
    /// Listens on an ephemeral loopback port.
    pub(crate) async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (sender, received) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sender = sender.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let sender = sender.clone();
                        async move {
                            let path = request.uri().path().to_owned();
                            let headers = request.headers().clone();
                            let body = request
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let _ = sender.send(Received {
                                path,
                                headers,
                                body,
                            });
                            Ok::<_, std::convert::Infallible>(Response::new(Full::new(
                                Bytes::from_static(b"OK"),
                            )))
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(CallbackListener {
            address,
            received,
            task,
        })
    }

    /// The URL for callbacks addressed to `path` (e.g. `/maib`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The next callback for `path`, waiting at most `timeout`; callbacks for other paths are
    /// dropped.
    pub(crate) async fn next(
        &mut self,
        path: &str,
        timeout: std::time::Duration,
    ) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let received = tokio::time::timeout_at(deadline, self.received.recv())
                .await
                .ok()??;
            if received.path == path {
                return Some(received);
            }
        }
    }
}

impl Drop for CallbackListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}
