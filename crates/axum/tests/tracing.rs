//! One span per callback with provider, path, dedupe key, outcome, status and duration, and
//! no body, signature, key or token anywhere in the output (every crate's logs, at TRACE).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use http::StatusCode;
use paykit_axum::CallbackRoutes;
use paykit_core::SessionStore;
use paykit_core::store::InMemorySessionStore;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::MockServer;

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs a TRACE subscriber for this thread (the tests run on one: current-thread runtime).
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

#[tokio::test]
async fn each_callback_has_a_span_with_its_outcome_and_no_secret_is_written() {
    let server = MockServer::start().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("10.25")).await;
    let handler = Recorder::new();
    let sessions: Arc<dyn SessionStore> = Arc::new(InMemorySessionStore::new());
    let maya = paykit_maya::MayaClient::builder(
        "test-client-id",
        paykit_core::SecretString::from("test-maya-client-secret-3310"),
    )
    .token_url("http://127.0.0.1:9/oauth/token")
    .build()
    .unwrap();
    let router = CallbackRoutes::new(handler.clone())
        .maib("/callbacks/maib", maib_client(&server).await)
        .maya_session("/maya/session", maya, sessions)
        .into_router()
        .unwrap();
    let body = maib_body(&maib_result("10.25"));
    let signature = signature_of(&body);
    let forged = body.replace("10.25", "99.25");
    let push = r#"{"accessToken":"test-maya-access-token-0451","refreshToken":"test-maya-refresh-token-9932","expiresAt":1767225600}"#;

    let (captured, guard) = capture();
    handler.fail_next(1);
    let failed = post_json(&router, "/callbacks/maib", &body).await;
    let handled = post_json(&router, "/callbacks/maib", &body).await;
    let duplicate = post_json(&router, "/callbacks/maib", &body).await;
    let refused = post_json(&router, "/callbacks/maib", &forged).await;
    let session = post_json(&router, "/maya/session", push).await;
    drop(guard);
    assert_eq!(
        [
            failed.status,
            handled.status,
            duplicate.status,
            refused.status,
            session.status
        ],
        [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::UNAUTHORIZED,
            StatusCode::OK
        ]
    );
    let session_id: serde_json::Value = serde_json::from_slice(&session.body).unwrap();
    let session_id = session_id["sessionId"].as_str().unwrap().to_owned();

    let logs = captured.text();
    // The span and its fields, for each outcome.
    for expected in [
        "paykit_callback",
        "provider=\"maib\"",
        "provider=\"maya\"",
        "path=\"/callbacks/maib\"",
        &format!("dedupe_key=\"{PAY_ID}:OK\""),
        "outcome=\"handler_failed\"",
        "outcome=\"handled\"",
        "outcome=\"duplicate\"",
        "outcome=\"forged\"",
        "status=500",
        "status=200",
        "status=401",
        "duration_ms=",
    ] {
        assert!(logs.contains(expected), "missing {expected:?} in:\n{logs}");
    }
    // Nothing secret and nothing of the body: the signature, the keys and tokens, fields
    // that appear only in the body, the Maya pair and the session id it is stored under.
    for secret in [
        signature.as_str(),
        MAIB_KEY.trim(),
        MAIB_PROJECT_SECRET,
        MAIB_ACCESS_TOKEN,
        "510218******1124",
        "331711380059",
        "327593",
        "\"result\"",
        "test-maya-access-token-0451",
        "test-maya-refresh-token-9932",
        "test-maya-client-secret-3310",
        session_id.as_str(),
    ] {
        assert!(!logs.contains(secret), "{secret:?} was logged:\n{logs}");
    }
}
