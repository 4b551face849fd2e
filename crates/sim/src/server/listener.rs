//! Accepting connections and serving them until shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Provider, SimRequest, SimResponse};
use crate::faults::FaultState;
use crate::random;

/// Largest request body accepted; larger bodies get HTTP 413.
const MAX_BODY: usize = 1024 * 1024;

/// A bound, not yet serving, listener.
#[derive(Debug)]
pub(crate) struct Listener {
    inner: TcpListener,
    addr: SocketAddr,
}

impl Listener {
    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts serving `provider` until `shutdown` turns true.
    pub(crate) fn serve(
        self,
        provider: Arc<dyn Provider>,
        faults: Arc<FaultState>,
        shutdown: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        tokio::spawn(accept_loop(self.inner, provider, faults, shutdown))
    }
}

/// Binds `addr` (port 0 picks a free port).
pub(crate) async fn bind(addr: SocketAddr) -> std::io::Result<Listener> {
    let inner = TcpListener::bind(addr).await?;
    let addr = inner.local_addr()?;
    Ok(Listener { inner, addr })
}

async fn accept_loop(
    listener: TcpListener,
    provider: Arc<dyn Provider>,
    faults: Arc<FaultState>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                tracing::warn!(%err, "paykit-sim: accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let provider = Arc::clone(&provider);
        let faults = Arc::clone(&faults);
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let service =
                service_fn(move |req| serve_one(Arc::clone(&provider), Arc::clone(&faults), req));
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(%err, "paykit-sim: connection ended with an error");
                    }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}

async fn serve_one(
    provider: Arc<dyn Provider>,
    faults: Arc<FaultState>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(to_hyper(SimResponse::empty(413))),
    };
    let sim_req = SimRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
    };
    Ok(to_hyper(answer(provider.as_ref(), &faults, &sim_req).await))
}

/// Applies the current faults around the provider's handler.
async fn answer(provider: &dyn Provider, faults: &FaultState, req: &SimRequest) -> SimResponse {
    if provider.is_page(req) || req.path.starts_with("/_sim/") {
        provider.sweep();
        return provider.handle(req);
    }
    let current = faults.get();
    if !current.latency.is_zero() {
        tokio::time::sleep(current.latency).await;
    }
    if random::hit(current.error_rate_percent) {
        tracing::debug!(path = %req.path, "paykit-sim: injected 5xx (not processed)");
        return provider.fault_response();
    }
    provider.sweep();
    let response = provider.handle(req);
    if random::hit(current.error_after_processing_percent) {
        tracing::debug!(path = %req.path, "paykit-sim: injected 5xx (processed)");
        return provider.fault_response();
    }
    response
}

fn to_hyper(res: SimResponse) -> Response<Full<Bytes>> {
    let mut out = Response::new(Full::new(res.body));
    *out.status_mut() = res.status;
    if let Some(ct) = res.content_type {
        out.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    out
}
