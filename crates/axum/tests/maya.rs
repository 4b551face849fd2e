//! Maya's Session URL: the pushed pair is stored, and the answer is a fresh single-use
//! `{"sessionId": ...}`.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use std::sync::Arc;

use common::*;
use http::StatusCode;
use paykit_axum::CallbackRoutes;
use paykit_core::store::InMemorySessionStore;
use paykit_core::{ExposeSecret, SecretString, SessionStore};
use paykit_maya::MayaClient;

const PUSH: &str = r#"{"accessToken":"test-maya-access-token-0451","refreshToken":"test-maya-refresh-token-9932","expiresAt":1767225600}"#;

fn client() -> MayaClient {
    MayaClient::builder("test-client-id", SecretString::from("test-client-secret"))
        .token_url("http://127.0.0.1:9/oauth/token")
        .build()
        .unwrap()
}

fn router(store: Arc<dyn SessionStore>, handler: &Recorder) -> axum::Router {
    CallbackRoutes::new(handler.clone())
        .maya_session("/maya/session", client(), store)
        .into_router()
        .unwrap()
}

fn session_id(answered: &Answered) -> String {
    let value: serde_json::Value = serde_json::from_slice(&answered.body).unwrap();
    let object = value.as_object().unwrap();
    assert_eq!(object.len(), 1, "only sessionId: {value}");
    object["sessionId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_push_is_stored_under_a_fresh_url_safe_session_id() {
    let store: Arc<dyn SessionStore> = Arc::new(InMemorySessionStore::new());
    let handler = Recorder::new();
    let router = router(store.clone(), &handler);
    let headers = [
        ("content-type", "application/json"),
        (
            "request-reference-no",
            "3f1c2a9e-8b7d-4c55-9e21-6d0b7a1f4c10",
        ),
    ];
    let first = post(&router, "/maya/session", &headers, PUSH).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(
        first.headers.get("content-type").unwrap(),
        "application/json"
    );
    let id = session_id(&first);
    assert_eq!(id.len(), 36, "a UUIDv4: {id}");
    assert!(
        id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
        "{id}"
    );
    let stored = store.load(&id).await.unwrap().expect("the pair is stored");
    assert_eq!(
        stored.value.access_token.expose_secret(),
        "test-maya-access-token-0451"
    );
    assert_eq!(
        stored.value.refresh_token.expose_secret(),
        "test-maya-refresh-token-9932"
    );
    assert_eq!(stored.value.expires_at, 1767225600);
    // The landing page's instance opens it.
    let session = client().shared_session(store.clone(), &id).await.unwrap();
    assert!(session.is_shared());

    // Every push gets its own id: single use.
    let second = post(&router, "/maya/session", &headers, PUSH).await;
    assert_ne!(session_id(&second), id);
    assert_eq!(handler.runs(), 0, "a session push is not a payment event");
}

#[tokio::test]
async fn pushes_that_are_not_a_token_pair_are_refused() {
    let store: Arc<dyn SessionStore> = Arc::new(InMemorySessionStore::new());
    let router = router(store, &Recorder::new());
    let json = [("content-type", "application/json")];
    for body in [
        "",
        "{}",
        r#"{"accessToken":"a","refreshToken":"b"}"#,
        r#"{"accessToken":"","refreshToken":"b","expiresAt":1767225600}"#,
    ] {
        let answered = post(&router, "/maya/session", &json, body).await;
        assert_eq!(answered.status, StatusCode::BAD_REQUEST, "{body}");
    }
    // The headers reach the parser: a push must be JSON.
    let text = post(
        &router,
        "/maya/session",
        &[("content-type", "text/plain")],
        PUSH,
    )
    .await;
    assert_eq!(text.status, StatusCode::BAD_REQUEST);
    let huge = format!(r#"{{"accessToken":"{}"}}"#, "a".repeat(70 * 1024));
    assert_eq!(
        post(&router, "/maya/session", &json, huge).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

/// A session store that cannot be reached.
#[derive(Debug)]
struct DownSessions;

#[paykit_core::async_trait]
impl SessionStore for DownSessions {
    async fn load(
        &self,
        _id: &str,
    ) -> paykit_core::Result<Option<paykit_core::store::Versioned<paykit_core::store::StoredSession>>>
    {
        Err(paykit_core::Error::store(
            "test",
            "load",
            "connection refused",
        ))
    }
    async fn compare_and_swap(
        &self,
        _id: &str,
        _expected: Option<u64>,
        _session: &paykit_core::store::StoredSession,
    ) -> paykit_core::Result<paykit_core::store::SwapOutcome> {
        Err(paykit_core::Error::store(
            "test",
            "swap",
            "connection refused",
        ))
    }
    async fn remove(&self, _id: &str) -> paykit_core::Result<()> {
        Err(paykit_core::Error::store(
            "test",
            "remove",
            "connection refused",
        ))
    }
}

#[tokio::test]
async fn a_store_that_cannot_be_reached_is_503_and_no_session_id_is_given() {
    let router = router(Arc::new(DownSessions), &Recorder::new());
    let answered = post(
        &router,
        "/maya/session",
        &[("content-type", "application/json")],
        PUSH,
    )
    .await;
    assert_eq!(answered.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!answered.text().contains("sessionId"));
}
