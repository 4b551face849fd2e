//! Shared helpers: signed callbacks, provider mocks, a recording handler, and a router driven
//! with `oneshot`.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod sim;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use paykit_axum::{CallbackHandler, HandlerError};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{Flow, InMemoryPaymentRecords, PaymentRecord, PaymentRecords, SecretString};
use paykit_core::{VerifiedEvent, async_trait};
use paykit_maib::MaibClient;
use serde_json::{Value, json};
use tokio::sync::Notify;
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The maib test Signature Key (fixtures/maib/keys).
pub const MAIB_KEY: &str = include_str!("../../../../fixtures/maib/keys/signature_key.txt");
pub const PAY_ID: &str = "f16a9006-128a-46bc-8e2a-77a6ee99df75";
pub const MAIB_PROJECT_SECRET: &str = "test-project-secret-60462913";
pub const MAIB_ACCESS_TOKEN: &str = "test-maib-access-token-5150";

/// maib's `result` for a paid `amount` (the literal is kept as written).
pub fn maib_result(amount: &str) -> String {
    format!(
        r#"{{"payId":"{PAY_ID}","orderId":"order-7","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":{amount},"currency":"MDL"}}"#
    )
}

/// A maib callback body for `result`, signed as maib's reference code signs.
pub fn maib_body(result: &str) -> String {
    paykit_testkit::signers::maib::signed_body(result, MAIB_KEY.trim()).unwrap()
}

/// The signature field of a callback body.
pub fn signature_of(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap();
    value["signature"].as_str().unwrap().to_owned()
}

/// Fast retries, so a failing mock costs milliseconds.
pub fn fast() -> ExecutorConfig {
    ExecutorConfig::default()
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)))
}

/// A maib client on `server` that recorded [`PAY_ID`] as a direct payment, so its `OK` reads
/// as captured.
pub async fn maib_client(server: &MockServer) -> MaibClient {
    let records = Arc::new(InMemoryPaymentRecords::new());
    records
        .put(&PaymentRecord::new(paykit_maib::PROVIDER, PAY_ID).with_flow(Flow::Pay))
        .await
        .unwrap();
    MaibClient::builder("8508706", SecretString::from(MAIB_PROJECT_SECRET))
        .base_url(server.uri())
        .signature_key(SecretString::from(MAIB_KEY.trim()))
        .payment_records(records)
        .executor_config(fast())
        .build()
        .unwrap()
}

/// maib's token endpoint.
pub async fn mount_maib_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "result": {"accessToken": MAIB_ACCESS_TOKEN, "expiresIn": 300,
                       "refreshToken": "test-maib-refresh", "refreshExpiresIn": 1800,
                       "tokenType": "Bearer"},
            "ok": true
        })))
        .mount(server)
        .await;
}

/// maib's `pay-info` for [`PAY_ID`]: paid `amount` MDL.
pub fn maib_pay_info(amount: &str) -> ResponseTemplate {
    let amount: Value = serde_json::from_str(amount).unwrap();
    ResponseTemplate::new(200).set_body_json(json!({
        "result": {"payId": PAY_ID, "orderId": "order-7", "status": "OK", "statusCode": "000",
                   "statusMessage": "Approved", "amount": amount, "currency": "MDL"},
        "ok": true
    }))
}

/// Mounts `pay-info` answering `response`.
pub async fn mount_pay_info(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .respond_with(response)
        .mount(server)
        .await;
}

/// A handler that records every event it runs for, fails its first `failures` runs, and can
/// be held inside its run until released.
#[derive(Clone, Default)]
pub struct Recorder {
    inner: Arc<RecorderState>,
}

#[derive(Default)]
pub struct RecorderState {
    events: Mutex<Vec<VerifiedEvent>>,
    failures: AtomicUsize,
    permanent: std::sync::atomic::AtomicBool,
    hold: Mutex<Option<Arc<Notify>>>,
    entered: Notify,
}

impl Recorder {
    pub fn new() -> Self {
        Recorder::default()
    }

    /// Fails the next `n` runs (retryable).
    pub fn fail_next(&self, n: usize) {
        self.inner.failures.store(n, Ordering::SeqCst);
    }

    /// Fails the next run for good.
    pub fn refuse_next(&self) {
        self.inner
            .permanent
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.fail_next(1);
    }

    /// Holds each run until the returned `Notify` is notified.
    pub fn hold(&self) -> Arc<Notify> {
        let gate = Arc::new(Notify::new());
        *self.inner.hold.lock().unwrap() = Some(gate.clone());
        gate
    }

    /// Waits until a run has started.
    pub async fn entered(&self) {
        self.inner.entered.notified().await;
    }

    /// Every event a run saw (including failed runs).
    pub fn events(&self) -> Vec<VerifiedEvent> {
        self.inner.events.lock().unwrap().clone()
    }

    pub fn runs(&self) -> usize {
        self.inner.events.lock().unwrap().len()
    }
}

#[async_trait]
impl CallbackHandler for Recorder {
    async fn handle(&self, event: &VerifiedEvent) -> Result<(), HandlerError> {
        self.inner.events.lock().unwrap().push(event.clone());
        self.inner.entered.notify_one();
        let gate = self.inner.hold.lock().unwrap().clone();
        if let Some(gate) = gate {
            gate.notified().await;
        }
        let fail = self
            .inner
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if fail {
            if self.inner.permanent.swap(false, Ordering::SeqCst) {
                return Err(HandlerError::permanent("no such order"));
            }
            return Err(HandlerError::new("database unavailable"));
        }
        Ok(())
    }
}

/// An answer read whole.
#[derive(Debug)]
pub struct Answered {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answered {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }
}

/// POSTs `body` to `path` with `headers` through `router`, without a socket.
pub async fn post(
    router: &Router,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Answered {
    let mut request = Request::builder().method("POST").uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(router, request.body(body.into()).unwrap()).await
}

/// A JSON POST.
pub async fn post_json(router: &Router, path: &str, body: &str) -> Answered {
    post(
        router,
        path,
        &[("content-type", "application/json")],
        body.to_owned(),
    )
    .await
}

/// Sends `request` through `router`.
pub async fn send(router: &Router, request: Request<Body>) -> Answered {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answered {
        status,
        headers,
        body,
    }
}
