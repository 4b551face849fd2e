//! Every native endpoint against wiremock: the exact request (method, path, headers, body) and
//! the typed result.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

mod common;

use std::net::Ipv4Addr;

use common::*;
use paykit_core::{Currency, Decimal, Error, Money, SecretString};
use paykit_maib::{
    BillerExpiry, ExecuteOneClickRequest, ExecuteRecurringRequest, Item, Language, PayRequest,
    SaveCardRequest, ThreeDsStatus, TransactionStatus,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer};

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn ip() -> Ipv4Addr {
    Ipv4Addr::new(135, 250, 245, 121)
}

#[tokio::test]
async fn generate_token_by_credentials_and_by_refresh_token() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/generate-token"))
        .and(body_json(json!({"refreshToken": "test-refresh-token"})))
        .respond_with(ok(
            json!({"accessToken": "test-access-token-2", "expiresIn": 300,
                                "refreshToken": "test-refresh-token-2", "refreshExpiresIn": 1800,
                                "tokenType": "Bearer"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let pair = client.generate_token().await.unwrap();
    assert_eq!(pair.expires_in, Some(300));
    assert_eq!(pair.refresh_expires_in, Some(1800));
    assert_eq!(pair.token_type.as_deref(), Some("Bearer"));
    let refresh = pair.refresh_token.unwrap();
    let again = client.generate_token_with_refresh(&refresh).await.unwrap();
    assert_eq!(
        paykit_core::ExposeSecret::expose_secret(&again.access_token),
        "test-access-token-2"
    );
    // Token requests carry no Authorization header.
    for request in server.received_requests().await.unwrap() {
        assert!(!request.headers.contains_key("authorization"));
    }
}

#[tokio::test]
async fn pay_sends_the_documented_body() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/pay"))
        .and(bearer("test-access-token"))
        .and(JsonContentType)
        .and(body_json(json!({
            "amount": 10.25, "currency": "MDL", "clientIp": "135.250.245.121", "language": "ro",
            "description": "Order #123", "clientName": "Ion Popescu", "email": "ion@example.md",
            "phone": "069123456", "orderId": "123", "delivery": 1.25,
            "items": [{"id": "10", "name": "Product 1", "price": 2.50, "quantity": 2},
                      {"id": "11", "name": "Product 2", "price": 4.0, "quantity": 1}],
            "callbackUrl": "https://shop.example.md/maib/callback",
            "okUrl": "https://shop.example.md/maib/ok",
            "failUrl": "https://shop.example.md/maib/fail"
        })))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "payUrl": PAY_URL}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let request = PayRequest::new(Money::parse("10.25", Currency::MDL).unwrap(), ip())
        .language(Language::Ro)
        .description("Order #123")
        .client_name("Ion Popescu")
        .email("ion@example.md")
        .phone("069123456")
        .order_id("123")
        .delivery(dec("1.25"))
        .item(Item::new("Product 1", dec("2.5"), 2).id("10"))
        .item(Item::new("Product 2", dec("4"), 1).id("11"))
        .callback_url("https://shop.example.md/maib/callback")
        .ok_url("https://shop.example.md/maib/ok")
        .fail_url("https://shop.example.md/maib/fail");
    let link = client(&server).pay(&request).await.unwrap();
    assert_eq!(link.pay_id, PAY_ID);
    assert_eq!(link.order_id.as_deref(), Some("123"));
    // The pay URL is opaque: kept verbatim, `/` and `=` in its query included.
    assert_eq!(link.pay_url, PAY_URL);
    // Amounts are number literals with two decimals.
    let text = sent_text(&server, 1).await;
    assert!(text.contains(r#""amount":10.25"#), "{text}");
    assert!(text.contains(r#""price":4.00"#), "{text}");
}

#[tokio::test]
async fn hold_then_complete_partially() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/hold"))
        .and(body_json(json!({"amount": 10.25, "currency": "EUR",
                              "clientIp": "135.250.245.121", "language": "en", "orderId": "124"})))
        .respond_with(ok(json!({"payId": "6ca6f3b5-cd10-4d92-9933-bc5808fdcdbd",
                                "orderId": "124", "payUrl": PAY_URL})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/complete"))
        .and(bearer("test-access-token"))
        .and(body_json(
            json!({"payId": "6ca6f3b5-cd10-4d92-9933-bc5808fdcdbd",
                              "confirmAmount": 8.00}),
        ))
        .respond_with(ok(json!({"payId": "6ca6f3b5-cd10-4d92-9933-bc5808fdcdbd",
                                "orderId": "124", "status": "OK", "statusCode": "000",
                                "statusMessage": "Approved", "rrn": "331711380060",
                                "approval": "327594", "cardNumber": "510218******1124",
                                "confirmAmount": 8.00})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let request =
        PayRequest::new(Money::parse("10.25", Currency::EUR).unwrap(), ip()).order_id("124");
    let link = client.hold(&request).await.unwrap();
    let done = client.complete(&link.pay_id, Some(dec("8"))).await.unwrap();
    assert_eq!(done.status, Some(TransactionStatus::Ok));
    assert_eq!(done.confirm_amount, Some(dec("8.00")));
    assert_eq!(done.rrn.as_deref(), Some("331711380060"));
}

#[tokio::test]
async fn complete_without_amount_reads_the_docs_minimal_answer() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/complete"))
        .and(body_json(json!({"payId": PAY_ID})))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "124", "status": "OK",
                                "statusCode": "000", "statusMessage": "Approved",
                                "confirmAmount": 10.25}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let done = client(&server).complete(PAY_ID, None).await.unwrap();
    assert!(done.rrn.is_none() && done.card_number.is_none());
    assert_eq!(done.confirm_amount, Some(dec("10.25")));
}

#[tokio::test]
async fn refund_full_and_partial() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .and(body_json(json!({"payId": PAY_ID, "refundAmount": 5.00})))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "123", "status": "OK",
                                "statusCode": "400", "statusMessage": "Accepted",
                                "refundAmount": 5.00}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/refund"))
        .and(body_json(
            json!({"payId": "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5"}),
        ))
        .respond_with(ok(json!({"payId": "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5",
                                "status": "REVERSED", "statusCode": "400",
                                "statusMessage": "Accepted", "refundAmount": 6.25})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let partial = client.refund_payment(PAY_ID, Some(dec("5"))).await.unwrap();
    assert_eq!(partial.status, Some(TransactionStatus::Ok));
    assert_eq!(partial.status_code.as_deref(), Some("400"));
    // REVERSED: already refunded. A refusal, never a refund of the 6.25 it mentions.
    let again = client
        .refund_payment("0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&again, Error::Api { code, http_status: Some(200), retryable: false, .. } if code == "REVERSED"),
        "{again:?}"
    );
    assert!(!again.outcome_unknown());
}

#[tokio::test]
async fn pay_info_is_a_bare_get() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .and(bearer("test-access-token"))
        .and(NoBodyNoContentType)
        .respond_with(ok(json!({
            "payId": PAY_ID, "orderId": "123", "status": "OK", "statusCode": "000",
            "statusMessage": "Approved", "threeDs": "AUTHENTICATED", "rrn": "331711380059",
            "approval": "327593", "cardNumber": "510218******1124", "amount": 10.25,
            "currency": "MDL", "description": "Order #123", "clientIp": "135.250.245.121",
            "clientName": "Ion Popescu", "email": "ion@example.md", "phone": "069123456",
            "delivery": "1.25",
            "items": [{"id": "10", "name": "Product 1", "price": 2.5, "quantity": 2}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let info = client(&server).pay_info(PAY_ID).await.unwrap();
    assert_eq!(info.status, Some(TransactionStatus::Ok));
    assert_eq!(info.three_ds, Some(ThreeDsStatus::Authenticated));
    assert_eq!(info.amount, Some(dec("10.25")));
    assert_eq!(info.delivery, Some(dec("1.25")), "delivery as a string");
    assert_eq!(info.items[0].quantity, Some(2));
    assert_eq!(info.client_ip.as_deref(), Some("135.250.245.121"));
}

#[tokio::test]
async fn path_ids_are_escaped() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/pay-info/a%2F..%3Fb"))
        .respond_with(ok(json!({"payId": "a/..?b", "status": "CREATED"})))
        .expect(1)
        .mount(&server)
        .await;
    let info = client(&server).pay_info("a/..?b").await.unwrap();
    assert_eq!(info.pay_id, "a/..?b");
}

#[tokio::test]
async fn savecard_recurring_then_execute_recurring() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/savecard-recurring"))
        .and(body_json(
            json!({"billerExpiry": "1299", "clientIp": "135.250.245.121",
                              "currency": "EUR", "email": "ion@example.md", "amount": 6.25,
                              "language": "en", "orderId": "sub-42"}),
        ))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "sub-42", "payUrl": PAY_URL}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/execute-recurring"))
        .and(body_json(
            json!({"billerId": BILLER_ID, "amount": 6.25, "currency": "EUR",
                              "orderId": "sub-42-m2", "description": "Monthly plan"}),
        ))
        .respond_with(ok(json!({"payId": "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5",
                                "billerId": BILLER_ID, "orderId": "sub-42-m2", "status": "OK",
                                "statusCode": "000", "statusMessage": "Approved",
                                "rrn": "331711380061", "approval": "327595",
                                "cardNumber": "510218******1124", "amount": 6.25,
                                "currency": "EUR"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let save = SaveCardRequest::new(BillerExpiry::parse("1299").unwrap(), ip(), Currency::EUR)
        .amount(Money::parse("6.25", Currency::EUR).unwrap())
        .email("ion@example.md")
        .order_id("sub-42");
    let link = client.savecard_recurring(&save).await.unwrap();
    assert_eq!(link.pay_url, PAY_URL);
    let charge =
        ExecuteRecurringRequest::new(BILLER_ID, Money::parse("6.25", Currency::EUR).unwrap())
            .order_id("sub-42-m2")
            .description("Monthly plan");
    let result = client.execute_recurring(&charge).await.unwrap();
    assert_eq!(result.status, Some(TransactionStatus::Ok));
    assert_eq!(result.biller_id.as_deref(), Some(BILLER_ID));
    assert_eq!(result.amount, Some(dec("6.25")));
}

#[tokio::test]
async fn savecard_oneclick_then_execute_oneclick() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("POST"))
        .and(path("/v1/savecard-oneclick"))
        .and(body_json(
            json!({"billerExpiry": "1299", "clientIp": "135.250.245.121",
                              "currency": "MDL", "language": "ro", "amount": 100.00,
                              "email": "ion@example.md", "orderId": "789"}),
        ))
        .respond_with(ok(
            json!({"payId": PAY_ID, "orderId": "789", "payUrl": PAY_URL}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/execute-oneclick"))
        .and(body_json(
            json!({"billerId": BILLER_ID, "amount": 6.25, "currency": "EUR",
                              "clientIp": "135.250.245.121", "language": "en",
                              "orderId": "790"}),
        ))
        .respond_with(ok(json!({"payId": "0f7c1f4e-2a3b-4c5d-8e9f-a0b1c2d3e4f5",
                                "orderId": "790", "payUrl": PAY_URL})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let save = SaveCardRequest::new(BillerExpiry::parse("1299").unwrap(), ip(), Currency::MDL)
        .amount(Money::parse("100", Currency::MDL).unwrap())
        .language(Language::Ro)
        .email("ion@example.md")
        .order_id("789");
    client.savecard_oneclick(&save).await.unwrap();
    let charge = ExecuteOneClickRequest::new(
        BILLER_ID,
        Money::parse("6.25", Currency::EUR).unwrap(),
        ip(),
    )
    .order_id("790");
    let link = client.execute_oneclick(&charge).await.unwrap();
    assert_eq!(link.order_id.as_deref(), Some("790"));
}

#[tokio::test]
async fn delete_card_is_a_bare_delete_and_reads_string_ok() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v1/delete-card/{BILLER_ID}")))
        .and(bearer("test-access-token"))
        .and(NoBodyNoContentType)
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_string(format!(
                    r#"{{"result":{{"billerId":"{BILLER_ID}","status":"OK"}},"ok":"true"}}"#
                ))
                .insert_header("content-type", "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let deleted = client(&server).delete_card(BILLER_ID).await.unwrap();
    assert_eq!(deleted.biller_id, BILLER_ID);
    assert_eq!(deleted.status, Some(TransactionStatus::Ok));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_serves_many_concurrent_calls() {
    let server = MockServer::start().await;
    mount_token(&server, "test-access-token", 300, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/pay-info/{PAY_ID}")))
        .and(bearer("test-access-token"))
        .respond_with(ok(json!({"payId": PAY_ID, "status": "CREATED"})))
        .expect(20)
        .mount(&server)
        .await;
    let client = client(&server);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.pay_info(PAY_ID).await })
        })
        .collect();
    for task in tasks {
        let info = task.await.unwrap().unwrap();
        assert_eq!(info.status, Some(TransactionStatus::Created));
    }
}

#[tokio::test]
async fn a_client_without_signature_key_refuses_callbacks() {
    use paykit_core::{Webhook, WebhookRequest};
    let client = paykit_maib::MaibClient::builder(PROJECT_ID, SecretString::from(PROJECT_SECRET))
        .build()
        .unwrap();
    let err = client
        .verify(&WebhookRequest::body_only(b"{}"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        paykit_core::Error::Signature(paykit_core::SignatureError::BadKey)
    ));
}
