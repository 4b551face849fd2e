//! Input breaking a documented rule is refused before any I/O: the server sees nothing.

mod common;

use common::*;
use paykit_bog::{
    BogClient, CreateOrder, Intent, OrderItem, PreAuthCompletion, SubscriptionCharge,
};
use paykit_core::{
    CardUsage, Currency, Error, LineItem, Money, PaymentProvider, PaymentRequest, SavedCardCharge,
    SecretString,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that fails the test if anything reaches it.
async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .named("nothing may be sent")
        .mount(&server)
        .await;
    server
}

fn order() -> CreateOrder {
    CreateOrder::new(Intent::Capture, gel("25.00"), "https://shop.example.ge/r")
        .item(OrderItem::new("SKU-1", "Mug", gel("12.50"), 2))
}

fn payment() -> PaymentRequest {
    PaymentRequest::new(gel("25.00"))
        .order_id("A-1")
        .return_url("https://shop.example.ge/r")
}

#[tokio::test]
async fn native_orders_are_checked_field_by_field() {
    let server = silent_server().await;
    let client = client(&server);
    let usd = Money::parse("25.00", Currency::USD).unwrap();
    let cases: Vec<(CreateOrder, &str)> = vec![
        (
            CreateOrder::new(Intent::Capture, gel("25"), "https://shop.example.ge/r"),
            "items",
        ),
        (
            order().item(OrderItem::new("", "Tea", gel("1"), 1)),
            "items[1].product_id",
        ),
        (
            order().item(OrderItem::new("T", " ", gel("1"), 1)),
            "items[1].description",
        ),
        (
            order().item(OrderItem::new("T", "Tea", gel("1"), 0)),
            "items[1].quantity",
        ),
        (
            order().item(OrderItem::new("T", "Tea", Money::zero(Currency::GEL), 1)),
            "items[1].amount",
        ),
        (
            order().item(OrderItem::new("T", "Tea", gel("1"), 1)),
            "purchase_units[0].amount.value",
        ),
        (
            {
                let mut o = order();
                o.total = usd;
                o
            },
            "purchase_units[0].amount.currency_code",
        ),
        (
            {
                let mut o = order();
                o.redirect_url = "shop.example.ge/r".into();
                o
            },
            "redirect_url",
        ),
        (order().shop_order_id(""), "shop_order_id"),
    ];
    for (order, field) in cases {
        assert_eq!(invalid_field(client.create_order(&order).await), field);
    }
    server.verify().await;
}

#[tokio::test]
async fn other_native_calls_are_checked() {
    let server = silent_server().await;
    let client = client(&server);
    assert_eq!(invalid_field(client.payment_details("").await), "order_id");
    assert_eq!(
        invalid_field(client.payment_details("..").await),
        "order_id"
    );
    assert_eq!(
        invalid_field(client.refund_order(" ", None).await),
        "order_id"
    );
    assert_eq!(
        invalid_field(
            client
                .refund_order(ORDER_ID, Some(Money::zero(Currency::GEL)))
                .await
        ),
        "amount"
    );
    assert_eq!(
        invalid_field(
            client
                .refund_order(ORDER_ID, Some(Money::parse("1", Currency::EUR).unwrap()))
                .await
        ),
        "currency"
    );
    assert_eq!(
        invalid_field(
            client
                .complete_pre_auth(
                    ORDER_ID,
                    &PreAuthCompletion::Partial(Money::zero(Currency::GEL))
                )
                .await
        ),
        "amount"
    );
    assert_eq!(
        invalid_field(client.complete_pre_auth("", &PreAuthCompletion::Full).await),
        "order_id"
    );
    assert_eq!(
        invalid_field(
            client
                .charge_subscription(&SubscriptionCharge::new("", gel("1")))
                .await
        ),
        "order_id"
    );
    assert_eq!(
        invalid_field(
            client
                .charge_subscription(&SubscriptionCharge::new(
                    ORDER_ID,
                    Money::zero(Currency::GEL)
                ))
                .await
        ),
        "amount.value"
    );
    assert_eq!(invalid_field(client.legacy_order("").await), "order_id");
    assert_eq!(
        invalid_field(client.legacy_order_status("").await),
        "order_id"
    );
    server.verify().await;
}

#[tokio::test]
async fn common_requests_are_checked_with_the_callers_field_names() {
    let server = silent_server().await;
    let client = client(&server);
    let cases: Vec<(PaymentRequest, &str)> = vec![
        (PaymentRequest::new(gel("1")).order_id("A-1"), "return_url"),
        (payment().return_url("not a url"), "return_url"),
        (payment().language("ru"), "language"),
        (payment().order_id(""), "order_id"),
        (
            PaymentRequest::new(Money::parse("25", Currency::MDL).unwrap())
                .return_url("https://shop.example.ge/r"),
            "currency",
        ),
        (
            PaymentRequest::new(Money::zero(Currency::GEL)).return_url("https://x.ge/r"),
            "amount",
        ),
        (
            payment().item(LineItem::new("Mug", gel("12.50"), 1)),
            "items",
        ),
        (
            payment().item(LineItem::new("", gel("25"), 1)),
            "items[0].name",
        ),
        (
            payment().item(LineItem::new("Mug", gel("25"), 0)),
            "items[0].quantity",
        ),
        (
            payment().item(LineItem::new(
                "Mug",
                Money::parse("25", Currency::USD).unwrap(),
                1,
            )),
            "items[0].unit_price",
        ),
    ];
    for (request, field) in cases {
        assert_eq!(
            invalid_field(client.create_payment(&request).await),
            field,
            "{request:?}"
        );
    }
    let recurring = client.recurring().unwrap();
    assert_eq!(
        invalid_field(
            recurring
                .save_card(
                    &PaymentRequest::new(gel("0.09")).return_url("https://x.ge/r"),
                    CardUsage::Recurring
                )
                .await
        ),
        "amount"
    );
    assert_eq!(
        invalid_field(
            recurring
                .charge_saved_card(&SavedCardCharge::new("", CardUsage::Recurring, payment()))
                .await
        ),
        "card_id"
    );
    let refund = client.refund().unwrap();
    assert_eq!(
        invalid_field(
            refund
                .refund(ORDER_ID, Some(Money::zero(Currency::GEL)))
                .await
        ),
        "amount"
    );
    let capture = client.capture().unwrap();
    assert_eq!(
        invalid_field(
            capture
                .capture(ORDER_ID, Some(Money::zero(Currency::GEL)))
                .await
        ),
        "amount"
    );
    assert_eq!(invalid_field(client.get_payment("").await), "order_id");
    server.verify().await;
}

#[tokio::test]
async fn unsupported_options_are_refused_before_io() {
    let server = silent_server().await;
    let client = client(&server);
    let recurring = client.recurring().unwrap();
    for result in [
        recurring
            .save_card(&payment(), CardUsage::OneClick)
            .await
            .map(drop),
        recurring
            .charge_saved_card(&SavedCardCharge::new(
                ORDER_ID,
                CardUsage::OneClick,
                payment(),
            ))
            .await
            .map(drop),
        recurring.delete_saved_card(ORDER_ID).await,
    ] {
        assert!(
            matches!(result, Err(Error::Unsupported { .. })),
            "{result:?}"
        );
    }
    server.verify().await;
}

#[test]
fn the_builder_refuses_bad_settings() {
    let build = |id: &str, secret: &str| BogClient::builder(id, SecretString::from(secret)).build();
    assert_eq!(invalid_field(build("", SECRET)), "client_id");
    assert_eq!(invalid_field(build("10:06", SECRET)), "client_id");
    assert_eq!(invalid_field(build(CLIENT_ID, "")), "secret_key");
    assert_eq!(
        invalid_field(
            BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
                .base_url("ftp://x")
                .build()
        ),
        "base_url"
    );
    assert_eq!(
        invalid_field(
            BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
                .currencies(vec![])
                .build()
        ),
        "currencies"
    );
    assert_eq!(
        invalid_field(
            BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
                .token_max_lifetime(std::time::Duration::ZERO)
                .build()
        ),
        "token_max_lifetime"
    );
}

#[test]
fn other_currencies_can_be_enabled() {
    let client = BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
        .currencies(vec![Currency::GEL, Currency::USD])
        .build()
        .unwrap();
    assert!(client.capabilities().currencies.contains(&Currency::USD));
}
