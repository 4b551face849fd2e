//! Error answers and faults: envelopes, 5xx, timeouts, malformed bodies.

mod common;

use std::time::Duration;

use common::*;
use paykit_bog::{BogClient, CreateOrder, Intent, OrderItem};
use paykit_core::http::ExecutorConfig;
use paykit_core::{Error, SecretString, Sent, TransportKind, UnknownCause};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn order() -> CreateOrder {
    CreateOrder::new(Intent::Capture, gel("10"), "https://shop.example.ge/r").item(OrderItem::new(
        "SKU-1",
        "Mug",
        gel("10"),
        1,
    ))
}

async fn answer(
    server: &MockServer,
    verb: &str,
    route: &str,
    template: ResponseTemplate,
    times: u64,
) {
    Mock::given(method(verb))
        .and(path(format!("{API}{route}")))
        .respond_with(template)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn an_error_envelope_becomes_an_api_error() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "GET",
        &format!("/checkout/payment/{ORDER_ID}"),
        ResponseTemplate::new(400).set_body_json(
            json!({"error_code": "INVALID_ORDER", "error_message": "Order not found"}),
        ),
        1,
    )
    .await;
    let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { code, message, http_status: Some(400), retryable: false, .. }
            if code == "INVALID_ORDER" && message == "Order not found"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_spring_error_is_read_too() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "POST",
        "/checkout/refund",
        ResponseTemplate::new(415).set_body_json(json!({
            "timestamp": "2024-03-14T09:26:53.589+0000", "status": 415,
            "error": "Unsupported Media Type",
            "message": "Content type 'application/json' not supported",
            "path": "/opay/api/v1/checkout/refund"
        })),
        1,
    )
    .await;
    let err = client(&server)
        .refund_order(ORDER_ID, None)
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("Unsupported Media Type"));
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn a_bodiless_404_is_an_api_error_coded_by_status() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "GET",
        &format!("/checkout/payment/{ORDER_ID}"),
        ResponseTemplate::new(404).set_body_string("<html>Not Found</html>"),
        1,
    )
    .await;
    let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
    assert_eq!(err.api_code(), Some("404"));
}

#[tokio::test]
async fn a_500_on_create_order_is_retryable_and_never_repeated() {
    // Creating an order registers a page nobody has paid: nothing was charged, so the fault is
    // retryable for the caller; the client itself never sends it twice.
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "POST",
        "/checkout/orders",
        ResponseTemplate::new(500).set_body_json(json!({"error": "Internal Server Error"})),
        1,
    )
    .await;
    let err = client(&server).create_order(&order()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Status(500),
                sent: Sent::MaybeSent,
                mutating: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.outcome_unknown());
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_503_on_a_read_is_retried() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    answer(
        &server,
        "GET",
        &format!("/checkout/payment/{ORDER_ID}"),
        ResponseTemplate::new(200).set_body_json(details_body(ORDER_ID, PAYMENT_HASH, "success")),
        1,
    )
    .await;
    client(&server).payment_details(ORDER_ID).await.unwrap();
}

#[tokio::test]
async fn a_read_that_keeps_failing_ends_retryable() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "GET",
        &format!("/checkout/payment/{ORDER_ID}"),
        ResponseTemplate::new(502),
        3,
    )
    .await;
    let err = client(&server).payment_details(ORDER_ID).await.unwrap_err();
    assert!(err.is_retryable() && !err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn a_timeout_on_a_refund_is_an_unknown_outcome_sent_once() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "POST",
        "/checkout/refund",
        ResponseTemplate::new(200).set_delay(Duration::from_millis(800)),
        1,
    )
    .await;
    let client = builder(&server)
        .executor_config(ExecutorConfig::default().timeout(Duration::from_millis(200)))
        .build()
        .unwrap();
    let err = client.refund_order(ORDER_ID, None).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::OutcomeUnknown {
                call: "refund",
                cause: UnknownCause::Transport(TransportKind::Timeout),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.outcome_unknown() && !err.is_retryable());
    assert_eq!(
        err.payment_ref().unwrap().provider_payment_id.as_deref(),
        Some(ORDER_ID)
    );
}

#[tokio::test]
async fn an_unreachable_host_is_not_sent() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("http://127.0.0.1:{port}");
    let client = BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
        .base_url(format!("{uri}{API}"))
        .executor_config(ExecutorConfig::default().retry(paykit_core::http::RetryPolicy::none()))
        .build()
        .unwrap();
    let err = client.create_order(&order()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                sent: Sent::NotSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn malformed_success_bodies_are_decode_errors_or_unknown_when_money_moves() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "GET",
        &format!("/checkout/payment/{ORDER_ID}"),
        ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"),
        1,
    )
    .await;
    answer(
        &server,
        "POST",
        "/checkout/orders",
        ResponseTemplate::new(200).set_body_string(r#"{"status":"CREATED","payment_hash":"3f0c"#),
        1,
    )
    .await;
    answer(
        &server,
        "POST",
        "/checkout/payment/subscription",
        ResponseTemplate::new(200),
        1,
    )
    .await;
    let client = client(&server);
    let err = client.payment_details(ORDER_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { snippet, .. } if snippet.contains("maintenance")),
        "{err:?}"
    );
    let err = client.create_order(&order()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    // A charge whose answer cannot be read may have happened: unknown, not a decode error.
    let err = client
        .charge_subscription(&paykit_bog::SubscriptionCharge::new(ORDER_ID, gel("1")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::OutcomeUnknown {
                cause: UnknownCause::Decode { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_created_order_without_an_approve_link_is_a_decode_error() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "POST",
        "/checkout/orders",
        ResponseTemplate::new(200).set_body_json(json!({
            "status": "CREATED", "payment_hash": PAYMENT_HASH, "order_id": ORDER_ID,
            "links": [{"href": "https://ipay.ge/opay/api/v1/checkout/orders/x", "rel": "self", "method": "GET"}]
        })),
        1,
    )
    .await;
    let err = client(&server).create_order(&order()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn a_completion_answered_error_is_an_api_error_through_capture() {
    use paykit_core::PaymentProvider;
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 1).await;
    answer(
        &server,
        "POST",
        &format!("/checkout/payment/{ORDER_ID}/pre-auth/completion"),
        ResponseTemplate::new(200).set_body_json(
            json!({"status": "error", "description": "Pre-authorization not found"}),
        ),
        1,
    )
    .await;
    let client = client(&server);
    let err = client
        .capture()
        .unwrap()
        .capture(ORDER_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { code, message, .. } if code == "error" && message == "Pre-authorization not found"),
        "{err:?}"
    );
}
