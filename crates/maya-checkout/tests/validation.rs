//! Every documented limit is enforced before any I/O: the client points at a port nobody
//! listens on, so an `InvalidInput` proves nothing was sent (a send would be a transport error).

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{PK, SK, builder, client, keys};
use paykit_core::{
    CardUsage, Currency, Error, Money, PaymentProvider, PaymentRequest, SavedCardCharge,
    SecretString,
};
use paykit_maya_checkout::{
    ApiKey, CaptureRequest, CardDetails, CardPayment, CheckoutItem, CreateCheckout, Environment,
    KeyPair, LinkCard, MayaCheckoutClient, RedirectUrls, ReversalChoice, SavedCardPayment,
    WalletCharge, WalletLinkRequest, WalletPayment, WebhookEvent,
};
use rust_decimal::Decimal;

const NOWHERE: &str = "http://127.0.0.1:1";

fn php(amount: &str) -> Money {
    Money::parse(amount, Currency::PHP).unwrap()
}

fn urls() -> RedirectUrls {
    RedirectUrls::new(
        "https://a.ph/ok",
        "https://a.ph/fail",
        "https://a.ph/cancel",
    )
}

fn field(error: Error) -> String {
    match error {
        Error::InvalidInput { field, .. } => field.into_owned(),
        other => panic!("expected invalid input, got {other}"),
    }
}

#[tokio::test]
async fn references_are_one_to_thirty_six_characters_everywhere() {
    let c = client(NOWHERE);
    let long = "r".repeat(37);
    let ok36 = "r".repeat(36);
    let errors = vec![
        c.create_checkout(&CreateCheckout::new(&php("1.00"), &long, urls()))
            .await
            .unwrap_err(),
        c.create_checkout(&CreateCheckout::new(&php("1.00"), "", urls()))
            .await
            .unwrap_err(),
        c.create_card_payment(&CardPayment::new("tok", &php("1.00"), &long, urls()))
            .await
            .unwrap_err(),
        c.pay_with_saved_card("c", "k", &SavedCardPayment::new(&php("1.00"), &long))
            .await
            .unwrap_err(),
        c.create_wallet_payment(&WalletPayment::new(&php("1.00"), &long, urls()))
            .await
            .unwrap_err(),
        c.execute_wallet_link("l", &WalletCharge::new(&php("1.00"), &long))
            .await
            .unwrap_err(),
        c.capture_payment("a", &CaptureRequest::new(&php("1.00"), &long))
            .await
            .unwrap_err(),
        c.create_wallet_link(&WalletLinkRequest::new(urls()).reference(&long))
            .await
            .unwrap_err(),
    ];
    for error in errors {
        assert_eq!(field(error), "request_reference_number");
    }
    for error in [
        c.payments_by_reference(&long).await.unwrap_err(),
        c.void_by_reference(&long, "r").await.unwrap_err(),
        c.refund_by_reference(&long, &php("1.00"), "r")
            .await
            .unwrap_err(),
    ] {
        assert_eq!(field(error), "request_reference_number");
    }
    // 36 passes validation and reaches the (absent) network.
    let sent = c
        .create_checkout(&CreateCheckout::new(&php("1.00"), &ok36, urls()))
        .await
        .unwrap_err();
    assert!(matches!(sent, Error::Transport { .. }), "{sent}");
}

#[tokio::test]
async fn amounts_currency_reasons_and_urls_are_checked() {
    let c = client(NOWHERE);
    let eur = Money::parse("10", Currency::EUR).unwrap();
    assert_eq!(
        field(
            c.create_checkout(&CreateCheckout::new(&eur, "r", urls()))
                .await
                .unwrap_err()
        ),
        "currency"
    );
    assert_eq!(
        field(c.refund_payment("p", &php("0"), "r").await.unwrap_err()),
        "amount"
    );
    assert_eq!(
        field(
            c.refund_payment("p", &php("10000000000.00"), "r")
                .await
                .unwrap_err()
        ),
        "amount"
    );
    assert_eq!(
        field(c.void_payment("p", "  ").await.unwrap_err()),
        "reason"
    );
    assert_eq!(
        field(c.void_payment("p", &"x".repeat(513)).await.unwrap_err()),
        "reason"
    );
    let bad_url = RedirectUrls::new("javascript:alert(1)", "https://a.ph", "https://a.ph");
    assert_eq!(
        field(
            c.create_checkout(&CreateCheckout::new(&php("1.00"), "r", bad_url))
                .await
                .unwrap_err()
        ),
        "redirect_url.success"
    );
    assert_eq!(
        field(
            c.create_webhook(&WebhookEvent::PaymentSuccess, "ftp://x")
                .await
                .unwrap_err()
        ),
        "callback_url"
    );
    let item = CheckoutItem::new("", 1, Decimal::ONE);
    assert_eq!(
        field(
            c.create_checkout(&CreateCheckout::new(&php("1.00"), "r", urls()).item(item))
                .await
                .unwrap_err()
        ),
        "items"
    );
    let huge = CheckoutItem::new("x", u32::MAX, Decimal::MAX);
    assert_eq!(
        field(
            c.create_checkout(&CreateCheckout::new(&php("1.00"), "r", urls()).item(huge))
                .await
                .unwrap_err()
        ),
        "items"
    );
}

#[tokio::test]
async fn ids_cannot_change_the_path() {
    let c = client(NOWHERE);
    assert_eq!(field(c.payment("..").await.unwrap_err()), "payment_id");
    assert_eq!(field(c.payment("").await.unwrap_err()), "payment_id");
    assert_eq!(
        field(c.get_card("c", &"x".repeat(129)).await.unwrap_err()),
        "card_token_id"
    );
    assert_eq!(
        field(
            c.link_card(".", &LinkCard::new("tok", urls()))
                .await
                .unwrap_err()
        ),
        "customer_id"
    );
}

#[test]
fn card_details_are_checked() {
    let card = |n: &str, m: &str, y: &str, cvc: &str| {
        CardDetails::new(SecretString::from(n), m, y, SecretString::from(cvc))
    };
    assert!(card("4123450131001522", "12", "2027", "123").is_ok());
    assert!(card("41234501", "12", "2027", "123").is_err());
    assert!(card("4123450131001522", "13", "2027", "123").is_err());
    assert!(card("4123450131001522", "1", "2027", "123").is_err());
    assert!(card("4123450131001522", "12", "27", "123").is_err());
    assert!(card("4123450131001522", "12", "2027", "12").is_err());
}

#[tokio::test]
async fn a_missing_key_kind_is_a_configuration_error_before_io() {
    let public_only = MayaCheckoutClient::builder(
        Environment::Sandbox,
        KeyPair::public_only(SecretString::from(PK)).unwrap(),
    )
    .api_base_url(NOWHERE)
    .build()
    .unwrap();
    assert_eq!(
        field(public_only.payment("p").await.unwrap_err()),
        "secret_key"
    );
    assert_eq!(
        field(public_only.webhooks().await.unwrap_err()),
        "secret_key"
    );
    let secret_only = MayaCheckoutClient::builder(
        Environment::Sandbox,
        KeyPair::secret_only(SecretString::from(SK)).unwrap(),
    )
    .api_base_url(NOWHERE)
    .build()
    .unwrap();
    assert_eq!(
        field(
            secret_only
                .create_checkout(&CreateCheckout::new(&php("1.00"), "r", urls()))
                .await
                .unwrap_err()
        ),
        "public_key"
    );
    // The public-key endpoints still reach the network with only the public key.
    assert!(matches!(
        public_only.payment_status("p").await.unwrap_err(),
        Error::Transport { .. }
    ));
    assert!(ApiKey::public(SecretString::from(SK)).is_err());
}

#[test]
fn the_builder_checks_its_configuration() {
    assert!(builder("not a url").build().is_err());
    assert!(builder(NOWHERE).reason("").build().is_err());
    assert!(
        MayaCheckoutClient::builder(Environment::Production, keys())
            .build()
            .is_ok()
    );
    let error = builder("ftp://x").build().unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput { field, .. } if field == "api_base_url"),
        "{error}"
    );
}

#[tokio::test]
async fn the_common_traits_check_before_io() {
    let c = client(NOWHERE);
    let no_order = PaymentRequest::new(php("10.00")).return_url("https://a.ph");
    assert_eq!(
        field(c.create_payment(&no_order).await.unwrap_err()),
        "order_id"
    );
    let no_return = PaymentRequest::new(php("10.00")).order_id("o-1");
    assert_eq!(
        field(c.create_payment(&no_return).await.unwrap_err()),
        "return_url"
    );
    let recurring = c.recurring().unwrap();
    let charge = SavedCardCharge::new(
        "visa-1234",
        CardUsage::Recurring,
        PaymentRequest::new(php("1.00")).order_id("o-2"),
    );
    assert_eq!(
        field(recurring.charge_saved_card(&charge).await.unwrap_err()),
        "card_id"
    );
    assert!(matches!(
        recurring
            .save_card(&no_return, CardUsage::OneClick)
            .await
            .unwrap_err(),
        Error::Unsupported { .. }
    ));
    let refund = PaymentProvider::refund(&c).unwrap();
    assert!(
        refund
            .refund("p", Some(Money::zero(Currency::PHP)))
            .await
            .is_err()
    );
    let _ = ReversalChoice::default();
}
