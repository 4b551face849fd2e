//! No secret appears in `Debug` or `Display` of any public type that holds one, in errors, or in
//! tracing output at the most verbose level.

#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::http::{
    ApiRequest, BasicAuth, Credential, ExecutorConfig, HttpExecutor, RetryPolicy,
};
use paykit_core::{
    AccessToken, CachedTokenSource, Error, Expiry, ProviderId, Result, SecretString, StaticToken,
    TokenCacheConfig, TokenFetcher, TokenGrant, TokenSource,
};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCESS: &str = "sEcReT-access-0001";
const REFRESH: &str = "sEcReT-refresh-0002";
const PASSWORD: &str = "sEcReT-password-0003";
const SECRETS: [&str; 3] = [ACCESS, REFRESH, PASSWORD];

fn assert_clean(label: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{label} leaks {secret}: {text}");
    }
}

#[derive(Debug)]
struct Fetcher {
    #[allow(dead_code)] // Present so that Debug of the cache includes a secret-holding fetcher.
    password: SecretString,
}

#[async_trait]
impl TokenFetcher for Fetcher {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        Ok(TokenGrant {
            access_token: SecretString::from(ACCESS),
            expires: Expiry::After(Duration::from_secs(300)),
            refresh_token: Some(SecretString::from(REFRESH)),
            refresh_expires: None,
        })
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_in_debug_display_errors_or_traces() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let basic = BasicAuth::new("client-id", SecretString::from(PASSWORD));
    let grant = Fetcher {
        password: SecretString::from(PASSWORD),
    }
    .fetch_with_credentials()
    .await
    .unwrap();
    let cache = Arc::new(CachedTokenSource::new(
        Fetcher {
            password: SecretString::from(PASSWORD),
        },
        TokenCacheConfig::default(),
    ));
    let token: AccessToken = cache.token().await.unwrap();
    let static_token = StaticToken::new(SecretString::from(ACCESS));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            // A provider echoing nothing secret; the executor's own output is what is checked.
            "{\"error\":\"invalid_token\"}",
        ))
        .mount(&server)
        .await;
    let config = ExecutorConfig::default().retry(RetryPolicy::none());
    let executor = HttpExecutor::new(ProviderId("test"), &server.uri(), config).unwrap();
    let request = ApiRequest::post("pay", "/pay")
        .json(&serde_json::json!({ "projectSecret": PASSWORD }))
        .unwrap()
        .auth(Credential::Bearer(cache.clone()))
        .auth(Credential::TokenHeader {
            header: http::HeaderName::from_static("x-authorization"),
            source: Arc::new(static_token.clone()),
        })
        .auth(Credential::Basic(basic.clone()));
    let response = executor.send(&request).await.unwrap();
    let errors = [
        response.unrecognized_error(),
        Error::decode(
            ProviderId("test"),
            "bad",
            format!("{{\"access_token\":\"{ACCESS}\"").as_bytes(),
            true,
        ),
    ];

    assert_clean("BasicAuth", &format!("{basic:?}"));
    assert_clean("TokenGrant", &format!("{grant:?}"));
    assert_clean("CachedTokenSource", &format!("{cache:?}"));
    assert_clean("AccessToken", &format!("{token:?}"));
    assert_clean("StaticToken", &format!("{static_token:?}"));
    assert_clean("ApiRequest", &format!("{request:?}"));
    assert_clean("HttpExecutor", &format!("{executor:?}"));
    assert_clean("RawResponse", &format!("{response:?}"));
    for error in &errors {
        assert_clean("Error (Debug)", &format!("{error:?}"));
        assert_clean("Error (Display)", &format!("{error}"));
    }
    let traces = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("paykit.http"),
        "the executor traced nothing: {traces}"
    );
    assert_clean("tracing output", &traces);
    // The secrets did travel where they belong.
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(sent.headers.get("x-authorization").unwrap(), ACCESS);
}
