//! Reconciliation: callbacks come once, so a payment is polled to a final status with backoff
//! and a deadline through core's `poll_payment` / `poll_until_final`, under paused tokio time.

mod common;

use std::time::Duration;

use async_trait::async_trait;
use common::*;
use paykit_core::http::RetryPolicy;
use paykit_core::{
    Capabilities, PaymentOutcome, PaymentProvider, PaymentRequest, PaymentStatus, PollConfig,
    PollOutcome, ProviderId, Result, poll_payment, poll_until_final,
};
use paykit_miapos::MiaPos;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The client with each HTTP exchange run under [`realtime`], so paused time only moves
/// between queries (the poller's sleeps), never during I/O with the wiremock thread.
struct RealtimeIo<'a>(&'a MiaPos);

#[async_trait]
impl PaymentProvider for RealtimeIo<'_> {
    fn id(&self) -> ProviderId {
        self.0.id()
    }

    fn capabilities(&self) -> &Capabilities {
        self.0.capabilities()
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        realtime(self.0.create_payment(request)).await
    }

    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        realtime(self.0.get_payment(provider_payment_id)).await
    }
}

async fn mount_status(server: &MockServer, status: &str, times: u64, limit: Option<u64>) {
    let mock = Mock::given(method("GET"))
        .and(path(format!("/ecomm/api/v1/payment/{PAYMENT_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json(status)))
        .expect(times);
    match limit {
        Some(n) => mock.up_to_n_times(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

fn config() -> PollConfig {
    PollConfig::new(
        Duration::from_secs(2),
        Duration::from_secs(30),
        Duration::from_secs(15 * 60),
    )
}

#[tokio::test(start_paused = true)]
async fn pending_pending_success_is_final_after_the_backoff() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_status(&server, "PENDING", 2, Some(2)).await;
    mount_status(&server, "SUCCESS", 1, None).await;
    let client = client(&server);
    let started = Instant::now();
    let outcome = poll_payment(&RealtimeIo(&client), PAYMENT_ID, &config())
        .await
        .unwrap();
    match outcome {
        PollOutcome::Final(outcome) => {
            assert_eq!(outcome.status, PaymentStatus::Captured);
            assert_eq!(outcome.raw_status.as_deref(), Some("SUCCESS"));
        }
        other => panic!("{other:?}"),
    }
    // Queries at 0 s, 2 s and 6 s: the interval doubles.
    assert_eq!(started.elapsed(), Duration::from_secs(6));
}

#[tokio::test(start_paused = true)]
async fn a_payment_still_created_at_the_deadline_times_out_with_the_last_answer() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    // Five minutes outlive the 300 s access token: it is renewed with the refresh grant.
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json(ACCESS, REFRESH)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("CREATED")))
        .mount(&server)
        .await;
    let client = client(&server);
    let config = PollConfig::new(
        Duration::from_secs(2),
        Duration::from_secs(30),
        Duration::from_secs(5 * 60),
    );
    let started = Instant::now();
    let outcome = poll_payment(&RealtimeIo(&client), PAYMENT_ID, &config)
        .await
        .unwrap();
    match outcome {
        PollOutcome::TimedOut(last) => assert_eq!(last.status, PaymentStatus::RequiresAction),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() <= Duration::from_secs(5 * 60));
    let requests = server.received_requests().await.unwrap();
    let queries = requests
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert!((5..=20).contains(&queries), "{queries} queries");
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_ridden_out_and_expiry_is_final() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_status(&server, "PENDING", 1, Some(1)).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_status(&server, "EXPIRED", 1, None).await;
    let client = builder(&server)
        .executor_config(fast_executor().retry(RetryPolicy::none()))
        .build()
        .unwrap();
    let outcome = poll_until_final(&config(), || realtime(client.get_payment(PAYMENT_ID)))
        .await
        .unwrap();
    match outcome {
        PollOutcome::Final(last) => assert_eq!(last.status, PaymentStatus::Expired),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn an_unknown_payment_ends_polling_at_once() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "errorCode": "1",
            "errorMessage": "Ecomm payment info not found with payment id [x]"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = poll_payment(&RealtimeIo(&client), PAYMENT_ID, &config())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("1"));
}
