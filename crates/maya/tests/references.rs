//! `Request-Reference-No` names one HTTP request (spec §5.1 "your unique reference for this
//! request", §6.1 "fresh per HTTP attempt"): every attempt gets its own unless the merchant
//! supplied one for tracing, and the `requestReferenceNumber` echo is read against the request
//! it answers.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

mod common;

use std::collections::HashSet;

use common::*;
use paykit_core::{Currency, Money};
use paykit_maya::{CreatePayment, ExecutePayment, RequestReference};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The `Request-Reference-No` of every request sent to `route`, in order.
async fn references(server: &MockServer, route: &str) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == route)
        .map(|r| {
            r.headers["request-reference-no"]
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn mount(server: &MockServer, route: &str, response: impl Respond + 'static, times: u64) {
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(response)
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

/// Answers with the payment, echoing the request's own `Request-Reference-No` as Maya does.
fn echoing(status: Option<&'static str>) -> impl Fn(&Request) -> ResponseTemplate {
    move |request: &Request| {
        let mut body = payment_body(status);
        body["requestReferenceNumber"] =
            json!(request.headers["request-reference-no"].to_str().unwrap());
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn setup() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    server
}

fn all_distinct_uuids(sent: &[String]) {
    for reference in sent {
        RequestReference::parse(reference).unwrap();
    }
    let distinct: HashSet<&String> = sent.iter().collect();
    assert_eq!(distinct.len(), sent.len(), "{sent:?}");
}

#[tokio::test]
async fn an_execute_retried_after_5xx_sends_a_new_reference_on_each_attempt() {
    let server = setup().await;
    mount(&server, &execute_path(), ResponseTemplate::new(503), 2).await;
    mount(&server, &execute_path(), echoing(Some("APPROVED")), 1).await;
    let client = client(&server);
    let outcome = client
        .execute_payment(&session(&client), &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    let sent = references(&server, &execute_path()).await;
    assert_eq!(sent.len(), 3, "the executor's three attempts");
    all_distinct_uuids(&sent);
    let paykit_maya::ExecuteOutcome::Executed(payment) = outcome else {
        panic!("{outcome:?}")
    };
    // The echo is the answered (last) attempt's reference.
    assert_eq!(
        payment.request_reference_number.as_deref(),
        sent.last().map(String::as_str)
    );
}

#[tokio::test]
async fn faults_5xx_and_fault_codes_together_never_repeat_a_reference() {
    let server = setup().await;
    // Attempts: 503, then PY0001 as HTTP 400 (ExecuteRetry repeats), 503, then approved.
    mount(&server, &execute_path(), ResponseTemplate::new(503), 1).await;
    mount(
        &server,
        &execute_path(),
        ResponseTemplate::new(400)
            .set_body_json(json!({"code": "PY0001", "message": "System error"})),
        1,
    )
    .await;
    mount(&server, &execute_path(), ResponseTemplate::new(503), 1).await;
    mount(&server, &execute_path(), echoing(Some("APPROVED")), 1).await;
    let client = client(&server);
    let outcome = client
        .execute_payment(&session(&client), &ExecutePayment::new(PAYMENT_ID))
        .await
        .unwrap();
    assert!(outcome.is_approved());
    let sent = references(&server, &execute_path()).await;
    assert_eq!(sent.len(), 4);
    all_distinct_uuids(&sent);
}

#[tokio::test]
async fn a_merchant_reference_is_kept_on_every_attempt() {
    let server = setup().await;
    mount(&server, &execute_path(), ResponseTemplate::new(503), 2).await;
    mount(&server, &execute_path(), echoing(Some("APPROVED")), 1).await;
    let client = client(&server);
    let mine = RequestReference::parse(REFERENCE).unwrap();
    client
        .execute_payment(
            &session(&client),
            &ExecutePayment::new(PAYMENT_ID).request_reference(mine),
        )
        .await
        .unwrap();
    assert_eq!(references(&server, &execute_path()).await, [REFERENCE; 3]);
}

#[tokio::test]
async fn create_reports_the_reference_of_the_request_maya_answered() {
    // A 401 makes the executor send create once more: the reported reference is the second
    // request's, the one Maya's answer echoes, not the refused first one's.
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": ACCESS_2, "refreshToken": REFRESH_2, "expiresAt": FUTURE,
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount(&server, "/merchant/payments", ResponseTemplate::new(401), 1).await;
    mount(&server, "/merchant/payments", echoing(None), 1).await;
    let client = client(&server);
    let created = client
        .create_payment(
            &session(&client),
            &CreatePayment::new(Money::parse("249.50", Currency::PHP).unwrap()),
        )
        .await
        .unwrap();
    let sent = references(&server, "/merchant/payments").await;
    assert_eq!(sent.len(), 2);
    all_distinct_uuids(&sent);
    assert_eq!(created.request_reference.as_str(), sent[1]);
    // The token refresh names its own request too.
    all_distinct_uuids(&[references(&server, "/tokens").await, sent].concat());
}
