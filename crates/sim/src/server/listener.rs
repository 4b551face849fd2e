//! Accepting connections and serving them until shutdown, with two bounds against clients
//! that hold connections open: a deadline for reading each request's headers (a slow-loris
//! client is dropped) and a cap on open connections per listener (connections beyond it are
//! closed at once, so the ones already served keep being answered).

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
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use super::{Provider, SimRequest, SimResponse};
use crate::callback::Dispatcher;
use crate::faults::{FaultState, Injected};
use crate::random;
use crate::trigger;

/// Largest request body accepted; larger bodies get HTTP 413.
const MAX_BODY: usize = 1024 * 1024;

/// How long a client may take to send a request's headers (hyper's own default).
pub(crate) const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Open connections one listener serves at once (far above what a soak or a demo opens).
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The bounds on client connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) header_read_timeout: Duration,
    pub(crate) max_connections: usize,
}

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

    /// Starts serving `provider` until `shutdown` turns true; `dispatcher` sends the
    /// callbacks `POST /_sim/trigger` asks for.
    pub(crate) fn serve(
        self,
        provider: Arc<dyn Provider>,
        dispatcher: Dispatcher,
        limits: Limits,
        shutdown: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        tokio::spawn(accept_loop(
            self.inner, provider, dispatcher, limits, shutdown,
        ))
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
    dispatcher: Dispatcher,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
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
        // Over the cap the connection is closed unanswered: queueing it would let idle
        // clients starve the listener.
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(
                provider = provider.name(),
                max = limits.max_connections,
                "paykit-sim: connection refused, too many open"
            );
            drop(stream);
            continue;
        };
        let provider = Arc::clone(&provider);
        let dispatcher = dispatcher.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service =
                service_fn(move |req| serve_one(Arc::clone(&provider), dispatcher.clone(), req));
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), service);
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
    dispatcher: Dispatcher,
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
    Ok(to_hyper(
        answer(provider.as_ref(), &dispatcher, &sim_req).await,
    ))
}

/// Applies the current faults around the provider's handler.
async fn answer(provider: &dyn Provider, dispatcher: &Dispatcher, req: &SimRequest) -> SimResponse {
    if req.path == trigger::TRIGGER_PATH {
        // Swept first, so the callback is of the state a status query would show now.
        provider.sweep(crate::retention::REQUEST_SWEEP_BUDGET);
        return trigger::answer(provider, dispatcher, req).await;
    }
    let faults: &FaultState = dispatcher.faults();
    if provider.is_page(req) || req.path.starts_with("/_sim/") {
        provider.sweep(crate::retention::REQUEST_SWEEP_BUDGET);
        return provider.handle(req);
    }
    let current = faults.get();
    let name = provider.name();
    if !current.latency.is_zero() {
        faults.count(name, Injected::Delayed);
        tokio::time::sleep(current.latency).await;
    }
    if provider.is_token(req) && faults.token_outage(name) {
        tracing::debug!(path = %req.path, "paykit-sim: token endpoint down (fault)");
        return provider.fault_response();
    }
    if current.rate_limited_percent > 0 {
        if let Some(limited) = provider.rate_limited_response() {
            if random::hit(current.rate_limited_percent) {
                faults.count(name, Injected::RateLimited);
                tracing::debug!(path = %req.path, "paykit-sim: injected 429 (not processed)");
                return limited;
            }
        }
    }
    if random::hit(current.error_rate_percent) {
        faults.count(name, Injected::FailedBefore);
        tracing::debug!(path = %req.path, "paykit-sim: injected 5xx (not processed)");
        return provider.fault_response();
    }
    provider.sweep(crate::retention::REQUEST_SWEEP_BUDGET);
    let response = provider.handle(req);
    if random::hit(current.error_after_processing_percent) {
        faults.count(name, Injected::FailedAfter);
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
