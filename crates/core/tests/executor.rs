//! The executor against a real loopback server: retries, re-authentication, limits, faults.

#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use paykit_core::http::{
    ApiRequest, Credential, ExecutorConfig, HttpExecutor, Idempotency, RetryPolicy,
};
use paykit_core::{
    AccessToken, CachedTokenSource, Error, Expiry, ProviderId, Result, SecretString, Sent,
    TokenCacheConfig, TokenFetcher, TokenGrant, TokenSource, TransportKind,
};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const P: ProviderId = ProviderId("test");

fn fast_retries() -> ExecutorConfig {
    ExecutorConfig::default()
        .timeout(Duration::from_secs(5))
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .delays(Duration::from_millis(1), Duration::from_millis(5)),
        )
}

fn executor(server: &MockServer) -> HttpExecutor {
    HttpExecutor::new(P, &server.uri(), fast_retries()).unwrap()
}

/// Issues `t1`, `t2`, ... and counts fetches.
#[derive(Debug, Default)]
struct Sequential(AtomicUsize);

#[async_trait]
impl TokenFetcher for Sequential {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(TokenGrant::access_only(
            SecretString::from(format!("t{n}")),
            Expiry::After(Duration::from_secs(300)),
        ))
    }
}

/// Counts `token()` calls: one per attempt.
#[derive(Debug, Default)]
struct CountingSource(AtomicUsize);

#[async_trait]
impl TokenSource for CountingSource {
    async fn token(&self) -> Result<AccessToken> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(AccessToken::new(SecretString::from("static"), 0))
    }
    fn invalidate(&self, _stale: &AccessToken) {}
}

#[tokio::test]
async fn reads_are_retried_on_503() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    let response = executor(&server)
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn reads_give_up_after_the_last_attempt_and_return_the_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(3)
        .mount(&server)
        .await;
    let response = executor(&server)
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap();
    assert_eq!(response.status, 500);
    assert!(response.unrecognized_error().is_retryable());
}

#[tokio::test]
async fn retry_after_is_honoured_on_429() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let response = executor(&server)
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "86400"))
        .expect(1)
        .mount(&server)
        .await;
    let response = executor(&server)
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap();
    assert_eq!(response.status, 429);
}

#[tokio::test]
async fn a_payment_is_not_retried_once_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let request = ApiRequest::post("pay", "/pay")
        .json(&serde_json::json!({"amount": 1}))
        .unwrap();
    let response = executor(&server).send(&request).await.unwrap();
    let error = response.unrecognized_error();
    assert!(error.outcome_unknown(), "{error}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_payment_that_times_out_is_reported_unknown_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(800)))
        .expect(1)
        .mount(&server)
        .await;
    let config = fast_retries().timeout(Duration::from_millis(200));
    let executor = HttpExecutor::new(P, &server.uri(), config).unwrap();
    let error = executor
        .send(&ApiRequest::post("pay", "/pay"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Timeout,
                sent: Sent::MaybeSent,
                mutating: true,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.outcome_unknown());
}

#[tokio::test]
async fn a_read_that_times_out_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(800)))
        .expect(3)
        .mount(&server)
        .await;
    let config = fast_retries().timeout(Duration::from_millis(150));
    let executor = HttpExecutor::new(P, &server.uri(), config).unwrap();
    let error = executor
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap_err();
    assert!(error.is_retryable() && !error.outcome_unknown(), "{error}");
}

#[tokio::test]
async fn a_payment_is_retried_after_a_connect_failure() {
    // Nothing listens on this port: every attempt fails to connect, so nothing was sent and
    // retrying is safe. The token source is asked once per attempt.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let executor =
        HttpExecutor::new(P, &format!("http://127.0.0.1:{port}"), fast_retries()).unwrap();
    let tokens = Arc::new(CountingSource::default());
    let request = ApiRequest::post("pay", "/pay").auth(Credential::Bearer(tokens.clone()));
    let error = executor.send(&request).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Connect,
                sent: Sent::NotSent,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.is_retryable() && !error.outcome_unknown());
    assert_eq!(tokens.0.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retry_safe_mutations_are_retried_like_reads() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let request =
        ApiRequest::post("execute", "/execute").idempotency(Idempotency::MutatingRetrySafe);
    assert_eq!(executor(&server).send(&request).await.unwrap().status, 200);
}

#[tokio::test]
async fn unauthorized_invalidates_the_token_and_retries_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer t2"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = Arc::new(CachedTokenSource::new(
        Sequential::default(),
        TokenCacheConfig::default(),
    ));
    let request = ApiRequest::post("pay", "/pay").auth(Credential::Bearer(tokens.clone()));
    assert_eq!(executor(&server).send(&request).await.unwrap().status, 200);
    assert_eq!(tokens.fetcher().0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_unauthorized_is_returned_not_retried_again() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let tokens = Arc::new(CachedTokenSource::new(
        Sequential::default(),
        TokenCacheConfig::default(),
    ));
    let request = ApiRequest::get("status", "/status").auth(Credential::Bearer(tokens));
    let response = executor(&server).send(&request).await.unwrap();
    assert_eq!(response.status, 401);
    assert!(matches!(response.unrecognized_error(), Error::Auth { .. }));
}

#[tokio::test]
async fn unauthorized_without_token_credentials_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let response = executor(&server)
        .send(&ApiRequest::post("token", "/token"))
        .await
        .unwrap();
    assert_eq!(response.status, 401);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(10_000)))
        .mount(&server)
        .await;
    let config = fast_retries().max_response_bytes(1024);
    let executor = HttpExecutor::new(P, &server.uri(), config).unwrap();
    let error = executor
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::BodyTooLarge { limit: 1024 },
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"ok\": tru"))
        .mount(&server)
        .await;
    let response = executor(&server)
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap();
    let error = response.json::<serde_json::Value>().unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error}");
}

#[tokio::test]
async fn bodies_headers_and_queries_go_out_as_described() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/pay"))
        .and(header("content-type", "application/json"))
        .and(body_json(serde_json::json!({"amount": 10.25})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/pay-info/a%2Fb"))
        .and(query_param("lang", "ro"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let executor = executor(&server);
    let amount = paykit_core::Money::parse("10.25", paykit_core::Currency::MDL).unwrap();
    #[derive(serde::Serialize)]
    struct Pay {
        #[serde(with = "paykit_core::wire::decimal_number")]
        amount: paykit_core::Decimal,
    }
    let pay = ApiRequest::post("pay", "/v1/pay")
        .json(&Pay {
            amount: amount.amount(),
        })
        .unwrap();
    assert_eq!(executor.send(&pay).await.unwrap().status, 200);
    let token =
        ApiRequest::post("token", "/oauth2/token").form(&[("grant_type", "client_credentials")]);
    assert_eq!(executor.send(&token).await.unwrap().status, 200);
    let id = paykit_core::http::encode_path_segment("pay_id", "a/b").unwrap();
    let info = ApiRequest::get("pay-info", format!("/v1/pay-info/{id}")).query("lang", "ro");
    assert_eq!(executor.send(&info).await.unwrap().status, 200);
    let received = server.received_requests().await.unwrap();
    let get = received
        .iter()
        .find(|r| r.method.as_str() == "GET")
        .unwrap();
    assert!(
        get.headers.get("content-type").is_none(),
        "no Content-Type on a bodiless GET"
    );
    assert!(get.body.is_empty());
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/opay/api/v1/checkout/payment/7"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let executor =
        HttpExecutor::new(P, &format!("{}/opay/api/v1/", server.uri()), fast_retries()).unwrap();
    let response = executor
        .send(&ApiRequest::get("details", "/checkout/payment/7"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
}

#[test]
fn bad_base_urls_are_input_errors() {
    for bad in [
        "",
        "not a url",
        "ftp://example.com",
        "mailto:x@y",
        "http://api.example.com",
        "http://10.0.0.5:8080",
        "https://user:secret@api.example.com",
        "https://user@api.example.com",
    ] {
        let error = HttpExecutor::new(P, bad, ExecutorConfig::default()).unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput { ref field, .. } if field == "base_url"),
            "{bad}: {error}"
        );
        assert!(!error.to_string().contains("secret"), "{error}");
    }
    for good in [
        "https://api.example.com",
        "http://127.0.0.1:9000",
        "http://localhost:9000",
        "http://[::1]:9000",
    ] {
        assert!(
            HttpExecutor::new(P, good, ExecutorConfig::default()).is_ok(),
            "{good}"
        );
    }
    let lab = ExecutorConfig::default().allow_plain_http(true);
    assert!(HttpExecutor::new(P, "http://sim.internal:8080", lab).is_ok());
}

#[tokio::test]
async fn a_truncated_body_is_an_error_not_a_panic() {
    // A server that promises 100 bytes and closes after 5.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0_u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"ok\"")
                .await;
        }
    });
    let executor =
        HttpExecutor::new(P, &format!("http://127.0.0.1:{port}"), fast_retries()).unwrap();
    let error = executor
        .send(&ApiRequest::post("pay", "/pay"))
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
}

/// A token request (Basic credentials in its header) answered by a redirect to another host.
#[tokio::test]
async fn redirects_are_answers_never_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    for status in [301_u16, 302, 303, 307, 308] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Location", format!("{}/token", elsewhere.uri()).as_str()),
            )
            .expect(2)
            .mount(&server)
            .await;
        let basic = Credential::Basic(paykit_core::http::BasicAuth::new(
            "client",
            SecretString::from("s3cret"),
        ));
        let token = ApiRequest::post("token", "/token")
            .auth(basic)
            .idempotency(Idempotency::Read);
        let error = executor(&server).send(&token).await.unwrap_err();
        assert!(
            matches!(
                error,
                Error::Transport { kind: TransportKind::Redirect(s), .. } if s == status
            ),
            "{status}: {error:?}"
        );
        let payment = ApiRequest::post("refund", "/refund");
        let error = executor(&server)
            .call(&payment, &paykit_core::PaymentRef::new(), |_| Ok(()))
            .await
            .unwrap_err();
        assert!(error.outcome_unknown(), "{status}: {error:?}");
    }
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

/// A caller's own client may follow redirects; its answer is refused all the same.
#[tokio::test]
async fn an_answer_through_a_followed_redirect_is_not_believed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"status\":\"ok\"}"))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/moved", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let following = reqwest::Client::builder().build().unwrap();
    let executor = HttpExecutor::with_client(P, &server.uri(), following, fast_retries()).unwrap();
    let error = executor
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::FollowedRedirect,
                ..
            }
        ),
        "{error:?}"
    );
}

/// `call` applies the money-truth rule: a success that cannot be read leaves a refund unknown.
#[tokio::test]
async fn call_reports_an_unreadable_refund_answer_as_unknown_with_its_ids() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"result\":"))
        .expect(1)
        .mount(&server)
        .await;
    let ids = paykit_core::PaymentRef::new()
        .provider_payment_id("pay-7")
        .merchant_reference("order-7");
    let error = executor(&server)
        .call(&ApiRequest::post("refund", "/refund"), &ids, |response| {
            response.json::<serde_json::Value>()
        })
        .await
        .unwrap_err();
    assert!(
        error.outcome_unknown() && !error.is_retryable(),
        "{error:?}"
    );
    assert_eq!(error.payment_ref(), Some(&ids));
    let shown = error.to_string();
    assert!(shown.contains("pay-7") && shown.contains("order-7") && shown.contains("refund"));
}

/// The token endpoint fails: the refund that needed the token was never sent, so its outcome
/// is known (nothing happened), and the call is not re-sent in a loop.
#[tokio::test]
async fn a_token_failure_leaves_a_money_moving_call_unsent() {
    #[derive(Debug)]
    struct Down;
    #[async_trait]
    impl TokenSource for Down {
        async fn token(&self) -> Result<AccessToken> {
            Err(Error::Transport {
                provider: P,
                kind: TransportKind::Timeout,
                sent: Sent::MaybeSent,
                mutating: false,
            })
        }
        fn invalidate(&self, _stale: &AccessToken) {}
    }
    let server = MockServer::start().await;
    let request = ApiRequest::post("refund", "/refund").auth(Credential::Bearer(Arc::new(Down)));
    let error = executor(&server)
        .call(&request, &paykit_core::PaymentRef::new(), |_| Ok(()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::NoToken(_),
                sent: Sent::NotSent,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.outcome_unknown() && error.is_retryable());
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A `Retry-After` that would cross the call's deadline is not waited for.
#[tokio::test]
async fn a_wait_beyond_the_deadline_returns_the_answer_instead() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "2"))
        .expect(1)
        .mount(&server)
        .await;
    let config = fast_retries().deadline(Duration::from_millis(500));
    let executor = HttpExecutor::new(P, &server.uri(), config).unwrap();
    let response = executor
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap();
    assert_eq!(response.status, 503);
}

/// Attempts share one deadline: a read whose answers never come stops at it.
#[tokio::test]
async fn attempts_stop_at_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let config = fast_retries()
        .timeout(Duration::from_secs(5))
        .deadline(Duration::from_millis(400));
    let executor = HttpExecutor::new(P, &server.uri(), config).unwrap();
    let error = executor
        .send(&ApiRequest::get("status", "/status"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Timeout,
                sent: Sent::MaybeSent,
                ..
            }
        ),
        "{error:?}"
    );
}

/// A token source that never answers: the deadline covers getting the token too, and nothing
/// was sent.
#[tokio::test]
async fn the_deadline_covers_the_token() {
    #[derive(Debug)]
    struct Hanging;
    #[async_trait]
    impl TokenSource for Hanging {
        async fn token(&self) -> Result<AccessToken> {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(AccessToken::new(SecretString::from("late"), 1))
        }
        fn invalidate(&self, _stale: &AccessToken) {}
    }
    let server = MockServer::start().await;
    let config = fast_retries().deadline(Duration::from_millis(300));
    let executor = HttpExecutor::new(P, &server.uri(), config).unwrap();
    let request = ApiRequest::post("refund", "/refund").auth(Credential::Bearer(Arc::new(Hanging)));
    let error = executor.send(&request).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Timeout,
                sent: Sent::NotSent,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.outcome_unknown());
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// Two tokens on one request (Maya: a client token header and a customer Bearer); the 401 body
/// blames the client token, so the customer's token is kept.
#[tokio::test]
async fn a_blamed_401_invalidates_only_the_credential_at_fault() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-client", "t1"))
        .respond_with(ResponseTemplate::new(401).set_body_string("{\"code\":\"K003\"}"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("x-client", "t2"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = Arc::new(CachedTokenSource::new(
        Sequential::default(),
        TokenCacheConfig::default(),
    ));
    let customer = Arc::new(CachedTokenSource::new(
        Sequential::default(),
        TokenCacheConfig::default(),
    ));
    fn blame(response: &paykit_core::http::RawResponse) -> Option<usize> {
        response.body.windows(4).any(|w| w == b"K003").then_some(0)
    }
    let request = ApiRequest::post("execute", "/execute")
        .auth(Credential::TokenHeader {
            header: http::HeaderName::from_static("x-client"),
            source: client.clone(),
        })
        .auth(Credential::Bearer(customer.clone()))
        .on_unauthorized(blame);
    assert_eq!(executor(&server).send(&request).await.unwrap().status, 200);
    assert_eq!(
        client.fetcher().0.load(Ordering::SeqCst),
        2,
        "client token renewed"
    );
    assert_eq!(
        customer.fetcher().0.load(Ordering::SeqCst),
        1,
        "customer token kept"
    );
}

/// A header made per attempt differs between a request and its retry.
#[tokio::test]
async fn per_attempt_headers_are_fresh_on_every_retry() {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    fn next_id() -> Result<http::HeaderValue> {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        Ok(http::HeaderValue::from_str(&format!("ref-{n}")).unwrap())
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let request = ApiRequest::get("status", "/status").header_per_attempt(
        http::HeaderName::from_static("request-reference-no"),
        next_id,
    );
    executor(&server).send(&request).await.unwrap();
    let seen: std::collections::HashSet<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| r.headers.get("request-reference-no"))
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[tokio::test]
async fn a_secret_header_goes_on_every_call_and_a_401_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/orders/1"))
        .and(header("apikey", "k-123-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/2"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let credential =
        Credential::secret_header("apikey", SecretString::from("k-123-secret")).unwrap();
    assert!(!format!("{credential:?}").contains("k-123-secret"));
    let executor = executor(&server);
    for _ in 0..2 {
        let request = ApiRequest::get("order", "/orders/1").auth(credential.clone());
        assert_eq!(executor.send(&request).await.unwrap().status, 200);
    }
    let refused = ApiRequest::get("order", "/orders/2").auth(credential);
    assert_eq!(executor.send(&refused).await.unwrap().status, 401);
}

#[test]
fn a_secret_header_with_a_bad_name_is_refused_without_quoting_the_secret() {
    let error = Credential::secret_header("bad header", SecretString::from("s3cr3t")).unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput { field, .. } if field == "credentials"),
        "{error:?}"
    );
    assert!(!error.to_string().contains("s3cr3t"));
    let error = Credential::secret_header("apikey", SecretString::from("line\nbreak")).unwrap_err();
    assert!(!error.to_string().contains("line"));
}
