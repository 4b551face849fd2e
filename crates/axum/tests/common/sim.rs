//! The simulator side of the end-to-end tests: the routes served on a loopback socket, a
//! customer's browser, the simulator's delivery records, and a log capture for the whole test
//! binary.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use paykit_core::NextAction;
use paykit_sim::{CallbackOutcome, CallbackRecord, Simulator};
use tracing_subscriber::fmt::MakeWriter;

/// How long a callback may take to arrive.
pub const WAIT: Duration = Duration::from_secs(15);

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Serves `router` on 127.0.0.1 and gives its base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// A loopback URL nothing listens on (the port of a listener bound and closed).
pub fn closed_url() -> String {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// What the customer's browser does with a payment page: a plain GET.
pub async fn open_page(next: &NextAction) {
    let url = match next {
        NextAction::Redirect { url } => url.clone(),
        NextAction::Checkout { url: Some(url), .. } => url.clone(),
        other => panic!("no payment page: {other:?}"),
    };
    let answer = http_client().get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 200, "{url}");
}

/// The answered deliveries to `url` once `count` of them have an answer (oldest first).
pub async fn answered(sim: &Simulator, url: &str, count: usize) -> Vec<CallbackRecord> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let done: Vec<CallbackRecord> = sim
            .callbacks()
            .into_iter()
            .filter(|r| r.url == url && !matches!(r.outcome, CallbackOutcome::Pending))
            .collect();
        if done.len() >= count {
            return done;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {count} answered callbacks to {url}: {:?}",
            done.len(),
            sim.callbacks()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The statuses the route answered `records` with.
pub fn statuses(records: &[CallbackRecord]) -> Vec<u16> {
    records
        .iter()
        .map(|r| match r.outcome {
            CallbackOutcome::Delivered { status } => status,
            ref other => panic!("not delivered: {other:?}"),
        })
        .collect()
}

/// Posts a record's exact bytes and headers to `url` again, as a provider's redelivery (or an
/// attacker's replay) would; the status and the body of the answer.
pub async fn post_again(record: &CallbackRecord, url: &str, body: &str) -> (u16, String) {
    let mut request = http_client()
        .post(url)
        .header("content-type", record.content_type)
        .body(body.to_owned());
    for (name, value) in &record.headers {
        request = request.header(name, value);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap())
}

/// Everything every thread of this test binary logs, at TRACE, from every crate.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Fails when any of `secrets` was written, or when nothing of `route_path`'s callbacks
    /// was (a capture that caught nothing proves nothing).
    pub fn assert_clean(&self, route_path: &str, secrets: &[&str]) {
        let logs = self.text();
        let span = format!("path=\"{route_path}\"");
        assert!(
            logs.contains("paykit_callback") && logs.contains(&span),
            "no callback span for {route_path} in:\n{logs}"
        );
        for secret in secrets {
            assert!(!secret.is_empty());
            assert!(!logs.contains(secret), "{secret:?} was logged:\n{logs}");
        }
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The binary's log capture, installed as the global subscriber on first use.
pub fn logs() -> Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(logs.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
    .clone()
}
