//! §4.6 and §5: input that breaks a documented rule is refused with `InvalidInput` naming the
//! field, and nothing is sent (the server sees no request at all, not even a token request).

mod common;

use common::*;
use paykit_bog_payments::{
    BasketItem, CaptureMethod, ChargeSaved, CreateOrder, IdempotencyKey, Loan, OrderConfig,
    PaymentMethod, SplitPayment, SplitShare,
};
use paykit_core::{Currency, Decimal, Error, Money, PaymentProvider, PaymentRequest};

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal literal")
}

fn order() -> CreateOrder {
    CreateOrder::new(
        "https://shop.example.ge/bog/callback",
        Currency::GEL,
        dec("30"),
        vec![
            BasketItem::new("SKU-1001", 2, dec("12.5")),
            BasketItem::new("SHIP", 1, dec("5")),
        ],
    )
}

fn with(change: impl FnOnce(&mut CreateOrder)) -> CreateOrder {
    let mut order = order();
    change(&mut order);
    order
}

fn field_of(error: &Error) -> String {
    match error {
        Error::InvalidInput { field, .. } => field.to_string(),
        other => panic!("not InvalidInput: {other:?}"),
    }
}

#[tokio::test]
async fn every_order_rule_names_its_field_and_sends_nothing() {
    let server = server().await;
    let client = client(&server);
    let key = IdempotencyKey::generate().unwrap();
    let mut split = OrderConfig::default();
    split.split = vec![SplitPayment {
        iban: "GE29NB0000000101904917".into(),
        share: SplitShare::Percent(dec("10")),
        description: None,
    }];
    let mut too_many = OrderConfig::default();
    too_many.split = (0..11)
        .map(|i| SplitPayment {
            iban: format!("GE{i:02}"),
            share: SplitShare::Amount(dec("1")),
            description: None,
        })
        .collect();
    let mut long_description = OrderConfig::default();
    long_description.split = vec![SplitPayment {
        iban: "GE29".into(),
        share: SplitShare::Amount(dec("1")),
        description: Some("x".repeat(26)),
    }];
    let mut bad_percent = OrderConfig::default();
    bad_percent.split = vec![SplitPayment {
        iban: "GE29".into(),
        share: SplitShare::Percent(dec("101")),
        description: None,
    }];
    let mut loan = OrderConfig::default();
    loan.loan = Some(Loan {
        kind: String::new(),
        month: 0,
    });
    let mut empty_gpay = OrderConfig::default();
    empty_gpay.google_pay_token = Some(" ".into());
    let cases: Vec<(CreateOrder, &str)> = vec![
        (
            with(|o| {
                o.callback_url = "http://shop.example.ge/cb".into();
            }),
            "callback_url",
        ),
        (
            with(|o| {
                o.callback_url = "/bog/callback".into();
            }),
            "callback_url",
        ),
        (
            with(|o| {
                o.currency = Currency::MDL;
            }),
            "currency",
        ),
        (
            with(|o| {
                o.total_amount = dec("0");
            }),
            "total_amount",
        ),
        (
            with(|o| {
                o.total_amount = dec("30.001");
            }),
            "total_amount",
        ),
        (
            with(|o| {
                o.total_amount = dec("31");
            }),
            "total_amount",
        ),
        (
            with(|o| {
                o.basket = vec![];
            }),
            "basket",
        ),
        (
            with(|o| {
                o.basket = vec![BasketItem::new("A", 0, dec("30"))];
            }),
            "basket[0].quantity",
        ),
        (
            with(|o| {
                o.basket = vec![BasketItem::new(" ", 1, dec("30"))];
            }),
            "basket[0].product_id",
        ),
        (
            with(|o| {
                o.basket = vec![BasketItem::new("A", 1, dec("-30"))];
            }),
            "basket[0].unit_price",
        ),
        (
            with(|o| {
                o.basket = vec![BasketItem::new("A", 1, dec("30")).vat(dec("0.001"), dec("18"))];
                o.total_amount = dec("30");
            }),
            "basket[0].vat",
        ),
        (order().ttl_minutes(1), "ttl"),
        (order().ttl_minutes(1441), "ttl"),
        (
            order().redirect_urls("ftp://x", "https://shop.example.ge/f"),
            "redirect_urls.success",
        ),
        (
            order()
                .capture(CaptureMethod::Manual)
                .payment_methods(vec![PaymentMethod::Card, PaymentMethod::BogP2p]),
            "capture",
        ),
        (
            order().payment_methods(vec![PaymentMethod::BogLoan]),
            "config.loan",
        ),
        (
            order().payment_methods(vec![PaymentMethod::Bnpl]),
            "config.loan",
        ),
        (
            order().payment_methods(vec![PaymentMethod::Other("crypto".into())]),
            "payment_method",
        ),
        (order().config(loan), "config.loan"),
        (
            order().config(empty_gpay),
            "config.google_pay.google_pay_token",
        ),
        (
            with(|o| {
                o.currency = Currency::USD;
            })
            .config(split.clone()),
            "config.split",
        ),
        (order().config(too_many), "config.split"),
        (
            order().config(long_description),
            "config.split[0].description",
        ),
        (order().config(bad_percent), "config.split[0].percent"),
        (order().external_order_id(" "), "external_order_id"),
        (order().delivery_amount(dec("5")), "total_amount"),
    ];
    for (order, field) in cases {
        let error = client.create_order(&order, &key).await.unwrap_err();
        assert_eq!(field_of(&error), field, "{order:?}");
    }
    // Valid variants pass validation (and are then sent).
    assert!(
        paykit_bog_payments::BogPaymentsClient::create_order(&client, &order().config(split), &key)
            .await
            .is_err()
    );
    let sent = server.received_requests().await.unwrap();
    assert!(
        sent.iter()
            .filter(|r| r.url.path().ends_with("/ecommerce/orders"))
            .count()
            == 1,
        "only the last, valid order may be sent"
    );
}

#[tokio::test]
async fn follow_up_calls_check_ids_amounts_and_keys_first() {
    let server = server().await;
    let client = client(&server);
    let key = IdempotencyKey::generate().unwrap();
    let cases: Vec<(paykit_core::Result<()>, &str)> = vec![
        (
            client.refund_order("", None, &key).await.map(|_| ()),
            "order_id",
        ),
        (
            client.refund_order("a b", None, &key).await.map(|_| ()),
            "order_id",
        ),
        (
            client
                .refund_order(ORDER, Some(dec("0")), &key)
                .await
                .map(|_| ()),
            "amount",
        ),
        (
            client
                .refund_order(ORDER, Some(dec("1.234")), &key)
                .await
                .map(|_| ()),
            "amount",
        ),
        (
            client
                .approve_preauth(HOLD, Some(dec("-1")), None, &key)
                .await
                .map(|_| ()),
            "amount",
        ),
        (
            client
                .approve_preauth(HOLD, None, Some(&"x".repeat(256)), &key)
                .await
                .map(|_| ()),
            "description",
        ),
        (
            client.cancel_preauth("..", None, &key).await.map(|_| ()),
            "order_id",
        ),
        (
            client.save_card_recurrent("", &key).await.map(|_| ()),
            "order_id",
        ),
        (
            client.delete_card("", &key).await.map(|_| ()),
            "parent_order_id",
        ),
        (
            client.apple_pay_accept(ORDER, " ", &key).await.map(|_| ()),
            "apple_pay_token",
        ),
        (
            client
                .charge_subscription(
                    ORDER,
                    &ChargeSaved::new(Some("http://x".into()), None),
                    &key,
                )
                .await
                .map(|_| ()),
            "callback_url",
        ),
        (client.receipt("").await.map(|_| ()), "order_id"),
    ];
    for (result, field) in cases {
        assert_eq!(field_of(&result.unwrap_err()), field);
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn trait_requests_need_a_callback_url_and_a_supported_currency() {
    let server = server().await;
    let client = client(&server);
    let request = PaymentRequest::new(Money::parse("10.00", Currency::GEL).unwrap());
    assert_eq!(
        field_of(&client.create_payment(&request).await.unwrap_err()),
        "callback_url"
    );
    let mdl = PaymentRequest::new(Money::parse("10.00", Currency::MDL).unwrap())
        .callback_url("https://shop.example.ge/cb");
    assert_eq!(
        field_of(&client.create_payment(&mdl).await.unwrap_err()),
        "currency"
    );
    let with_default = builder(&server)
        .default_callback_url("http://insecure.example")
        .build()
        .unwrap_err();
    assert_eq!(field_of(&with_default), "default_callback_url");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A loopback `http://` callback URL is refused unless the client allows it, and a
/// non-loopback one even then; nothing is sent.
#[tokio::test]
async fn plain_http_callbacks_go_only_to_loopback_and_only_when_allowed() {
    let server = server().await;
    let key = IdempotencyKey::generate().unwrap();
    let strict = client(&server);
    let local = builder(&server)
        .allow_loopback_http_callbacks()
        .build()
        .unwrap();
    let loopback = with(|o| o.callback_url = "http://127.0.0.1:8080/bog/cb".into());
    let error = strict.create_order(&loopback, &key).await.unwrap_err();
    assert_eq!(field_of(&error), "callback_url");
    assert!(
        error.to_string().contains("allow_loopback_http_callbacks"),
        "{error}"
    );
    for remote in [
        "http://shop.example.ge/bog/cb",
        "http://10.0.0.7/bog/cb",
        "ftp://127.0.0.1/bog/cb",
    ] {
        let order = with(|o| o.callback_url = remote.into());
        let error = local.create_order(&order, &key).await.unwrap_err();
        assert_eq!(field_of(&error), "callback_url", "{remote}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
