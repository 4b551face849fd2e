//! What goes over the wire for the endpoints the fixtures do not pin byte for byte: keys on
//! every mutating call (raw, v4, one per operation), the Google Pay / Apple Pay variants of
//! create, `config` serialization, and the records a create leaves.

mod common;

use common::*;
use paykit_bog_payments::{
    BasketItem, Campaign, CampaignCard, CampaignType, CreateOrder, IdempotencyKey, Loan,
    OrderConfig, OrderStatus, PaymentMethod, SplitPayment, SplitShare, Theme,
};
use paykit_core::{
    CardUsage, Currency, Decimal, Money, PaymentProvider, PaymentRequest, Recurring,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn created(id: &str) -> serde_json::Value {
    json!({"id": id, "_links": {"details": {"href": format!("https://api.bog.ge/payments/v1/receipt/{id}")},
                                 "redirect": {"href": format!("https://payment.bog.ge/?order_id={id}")}}})
}

/// The orders endpoint answers 200 with the order `ORDER` created.
async fn orders_answer_created(server: &wiremock::MockServer) {
    Mock::given(method("POST"))
        .and(path(format!("{API}/ecommerce/orders")))
        .respond_with(ResponseTemplate::new(200).set_body_json(created(ORDER)))
        .mount(server)
        .await;
}

fn order() -> CreateOrder {
    CreateOrder::new(
        "https://shop.example.ge/bog/callback",
        Currency::GEL,
        Decimal::new(30, 0),
        vec![BasketItem::new("SKU-1", 1, Decimal::new(30, 0))],
    )
    .external_order_id("A-1")
}

fn is_v4(text: &str) -> bool {
    IdempotencyKey::parse(text).is_ok()
}

/// Every mutating call of the common traits sends a fresh v4 key, raw (not JSON-quoted); the
/// receipt sends none.
#[tokio::test]
async fn every_mutating_call_carries_a_raw_v4_key() {
    let server = server().await;
    orders_answer_created(&server).await;
    Mock::given(method("PUT"))
        .and(path(format!("{API}/orders/{ORDER}/cards")))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{API}/charges/card/{ORDER}")))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    let client = client(&server);
    let request = PaymentRequest::new(Money::parse("30.00", Currency::GEL).unwrap())
        .callback_url("https://shop.example.ge/bog/callback");
    client.create_payment(&request).await.unwrap();
    let outcome = client
        .save_card(&request, CardUsage::OneClick)
        .await
        .unwrap();
    assert_eq!(outcome.provider_payment_id, ORDER);
    client.delete_saved_card(ORDER).await.unwrap();
    let sent = server.received_requests().await.unwrap();
    let keys: Vec<String> = sent
        .iter()
        .filter(|r| r.url.path().starts_with(API))
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 4, "create, create, save, delete");
    assert!(keys.iter().all(|k| is_v4(k)), "{keys:?}");
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "one key per operation: {keys:?}");
}

/// The create records the order (amount, currency, reference) for the callback check.
#[tokio::test]
async fn a_created_order_is_recorded() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/ecommerce/orders")))
        .respond_with(ResponseTemplate::new(201).set_body_json(created(ORDER)))
        .mount(&server)
        .await;
    let client = client(&server);
    let key = IdempotencyKey::generate().unwrap();
    let created = client.create_order(&order(), &key).await.unwrap();
    assert_eq!(created.idempotency_key, key);
    let record = client
        .payment_records()
        .get(paykit_bog_payments::PROVIDER, ORDER)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        record.amount,
        Some(Money::parse("30", Currency::GEL).unwrap())
    );
    assert_eq!(record.ids.merchant_reference.as_deref(), Some("A-1"));
    assert_eq!(
        record.ids.idempotency_key, None,
        "a key is per call, not per payment"
    );
}

/// With `allow_loopback_http_callbacks`, an order whose callback goes to a loopback host over
/// plain http is sent, its URL as given.
#[tokio::test]
async fn a_loopback_http_callback_goes_out_when_allowed() {
    let server = server().await;
    orders_answer_created(&server).await;
    let client = builder(&server)
        .allow_loopback_http_callbacks()
        .build()
        .unwrap();
    for url in [
        "http://127.0.0.1:8080/bog/cb",
        "http://localhost/cb",
        "http://[::1]:81/cb",
    ] {
        let mut order = order();
        order.callback_url = url.into();
        client
            .create_order(&order, &IdempotencyKey::generate().unwrap())
            .await
            .unwrap();
        let sent = requests_to(&server, &format!("{API}/ecommerce/orders")).await;
        let last = sent.last().unwrap();
        assert_eq!(json_body(last)["callback_url"], url);
    }
}

/// `config` goes out under BOG's names: loan `type`/`month`, campaign, account tag, split
/// `split_payments` with `amount` or `percent`, the Theme header and application_type.
#[tokio::test]
async fn config_is_serialized_under_bogs_names() {
    let server = server().await;
    orders_answer_created(&server).await;
    let mut config = OrderConfig::default();
    config.loan = Some(Loan {
        kind: "zero-12".into(),
        month: 12,
    });
    config.campaign = Some(Campaign {
        card: CampaignCard::Visa,
        kind: CampaignType::ClientDiscount,
    });
    config.account_tag = Some("pos-2".into());
    config.split = vec![
        SplitPayment {
            iban: "GE29NB0000000101904917".into(),
            share: SplitShare::Amount(Decimal::new(1050, 2)),
            description: Some("partner".into()),
        },
        SplitPayment {
            iban: "GE60BG0000000123456789".into(),
            share: SplitShare::Percent(Decimal::new(15, 0)),
            description: None,
        },
    ];
    let order = order()
        .payment_methods(vec![PaymentMethod::BogLoan])
        .config(config)
        .theme(Theme::Dark)
        .application_type(paykit_bog_payments::ApplicationType::Web)
        .delivery_amount(Decimal::new(0, 0));
    client(&server)
        .create_order(&order, &IdempotencyKey::generate().unwrap())
        .await
        .unwrap();
    let sent = &requests_to(&server, &format!("{API}/ecommerce/orders")).await[0];
    assert_eq!(sent.headers.get("theme").unwrap(), "dark");
    let body = json_body(sent);
    assert_eq!(
        body["config"],
        json!({
            "loan": {"type": "zero-12", "month": 12},
            "campaign": {"card": "visa", "type": "client_discount"},
            "account": {"tag": "pos-2"},
            "split": {"split_payments": [
                {"iban": "GE29NB0000000101904917", "amount": 10.5, "description": "partner"},
                {"iban": "GE60BG0000000123456789", "percent": 15}
            ]}
        })
    );
    assert_eq!(body["application_type"], "web");
    assert_eq!(body["payment_method"], json!(["bog_loan"]));
    assert_eq!(body["purchase_units"]["delivery"], json!({"amount": 0}));
    assert!(
        !String::from_utf8_lossy(&sent.body).contains("e-"),
        "no exponent notation"
    );
}

/// Google Pay on the merchant's page: the token goes in `config.google_pay`, the answer may
/// carry `status` and `order_details`; such a create may charge at once, so a 5xx of it is an
/// unknown outcome.
#[tokio::test]
async fn google_pay_creates_may_finish_at_once_and_move_money() {
    let server = server().await;
    let mut config = OrderConfig::default();
    config.google_pay_token = Some("{\"signature\":\"test\"}".into());
    let order = order()
        .payment_methods(vec![PaymentMethod::GooglePay])
        .config(config);
    let guard = Mock::given(method("POST"))
        .and(path(format!("{API}/ecommerce/orders")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": ORDER, "status": "completed", "order_details": receipt_of("completed_card"),
            "_links": {"details": {"href": "x"}, "redirect": {"href": "https://payment.bog.ge/api/3ds/post-form?x=1"}}
        })))
        .mount_as_scoped(&server)
        .await;
    let client = client(&server);
    let created = client
        .create_order(&order, &IdempotencyKey::generate().unwrap())
        .await
        .unwrap();
    assert_eq!(created.immediate_status, Some(OrderStatus::Completed));
    assert_eq!(created.order_details.unwrap().order_id, ORDER);
    let body = json_body(&requests_to(&server, &format!("{API}/ecommerce/orders")).await[0]);
    assert_eq!(
        body["config"]["google_pay"],
        json!({"external": true, "google_pay_token": "{\"signature\":\"test\"}"})
    );
    drop(guard);
    Mock::given(method("POST"))
        .and(path(format!("{API}/ecommerce/orders")))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let error = client
        .create_order(&order, &IdempotencyKey::generate().unwrap())
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error:?}");
}

/// Apple Pay on the merchant's page: no redirect, an accept link; the trait outcome offers it.
#[tokio::test]
async fn apple_pay_creates_answer_an_accept_link() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/ecommerce/orders")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": ORDER, "result": {"merchantSession": "x"},
            "_links": {"accept": {"href": format!("https://api.bog.ge/payments/v1/ecommerce/orders/{ORDER}/payment")}}
        })))
        .mount(&server)
        .await;
    let mut config = OrderConfig::default();
    config.apple_pay_external = true;
    let order = order()
        .payment_methods(vec![PaymentMethod::ApplePay])
        .config(config);
    let created = client(&server)
        .create_order(&order, &IdempotencyKey::generate().unwrap())
        .await
        .unwrap();
    assert!(created.redirect_url.is_none());
    assert!(created.accept_url.unwrap().ends_with("/payment"));
    let body = json_body(&requests_to(&server, &format!("{API}/ecommerce/orders")).await[0]);
    assert_eq!(body["config"], json!({"apple_pay": {"external": true}}));
}

/// The sandbox quirk (§1.4): with `explicit_full_amounts`, a full trait refund sends the
/// refundable amount instead of `{}`.
#[tokio::test]
async fn explicit_full_amounts_send_the_whole_amount() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(receipt_of("completed_card")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/payment/refund/{ORDER}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"key": "request_received", "action_id": "a"})),
        )
        .mount(&server)
        .await;
    let client = builder(&server)
        .explicit_full_amounts(true)
        .build()
        .unwrap();
    client.refund().unwrap().refund(ORDER, None).await.unwrap();
    let body = json_body(&requests_to(&server, &format!("{API}/payment/refund/{ORDER}")).await[0]);
    assert_eq!(body, json!({"amount": 30}));
}
