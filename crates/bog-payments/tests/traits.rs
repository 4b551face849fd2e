//! The common traits: honest capabilities, and what each trait call does on the wire.

mod common;

use common::*;
use paykit_core::{
    CallbackAuthenticity, CaptureMode, CardUsage, Currency, Error, Money, NextAction,
    PaymentProvider, PaymentRequest, RefundSupport, SavedCardCharge,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn gel(text: &str) -> Money {
    Money::parse(text, Currency::GEL).expect("a GEL amount")
}

#[tokio::test]
async fn capabilities_say_what_the_api_offers() {
    let server = server().await;
    let client = client(&server);
    let caps = client.capabilities();
    assert_eq!(
        caps.currencies,
        vec![Currency::GEL, Currency::USD, Currency::EUR, Currency::GBP]
    );
    assert!(caps.capture_modes.contains(&CaptureMode::Manual) && caps.partial_capture);
    assert!(caps.void);
    assert_eq!(caps.refunds, RefundSupport::FullAndPartial);
    assert_eq!(
        caps.saved_cards,
        vec![CardUsage::Recurring, CardUsage::OneClick]
    );
    assert_eq!(caps.callbacks, CallbackAuthenticity::Signed);
    assert_eq!(client.id().as_str(), "bog-payments");
    assert!(client.capture().is_some() && client.void().is_some());
    assert!(client.refund().is_some() && client.recurring().is_some());
}

/// `save_card(Recurring)` creates the parent order, then saves for automatic charges
/// (`/subscriptions`) before the customer is redirected.
#[tokio::test]
async fn saving_a_card_happens_before_the_redirect() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/ecommerce/orders")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ORDER,
            "_links": {"redirect": {"href": "https://payment.bog.ge/?order_id=x"}}})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{API}/orders/{ORDER}/subscriptions")))
        .respond_with(ResponseTemplate::new(501))
        .mount(&server)
        .await;
    let request = PaymentRequest::new(gel("30.00")).callback_url("https://shop.example.ge/cb");
    // The sandbox's 501 on the save endpoints (§1.4) is an error, not a silent success.
    let error = client(&server)
        .recurring()
        .unwrap()
        .save_card(&request, CardUsage::Recurring)
        .await
        .unwrap_err();
    assert!(!error.outcome_unknown(), "{error:?}");
    let order = server.received_requests().await.unwrap();
    let paths: Vec<&str> = order
        .iter()
        .map(|r| r.url.path())
        .filter(|p| p.starts_with(API))
        .collect();
    assert_eq!(
        paths.first().copied(),
        Some(format!("{API}/ecommerce/orders").as_str())
    );
    assert!(paths.iter().all(|p| !p.ends_with("/cards")));
}

/// An automatic charge repeats the parent's amount: a different recorded amount is refused
/// before anything is sent.
#[tokio::test]
async fn automatic_charges_cannot_change_the_amount() {
    let server = server().await;
    let client = builder(&server)
        .payment_records(records().await)
        .build()
        .unwrap();
    let charge = SavedCardCharge::new(
        ORDER,
        CardUsage::Recurring,
        PaymentRequest::new(gel("31.00")),
    );
    let error = client
        .recurring()
        .unwrap()
        .charge_saved_card(&charge)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { ref field, .. } if field == "amount"),
        "{error:?}"
    );
    assert!(
        requests_to(
            &server,
            &format!("{API}/ecommerce/orders/{ORDER}/subscribe")
        )
        .await
        .is_empty()
    );
}

/// A refund of a payment that is not in a refundable state is refused after the receipt.
#[tokio::test]
async fn unrefundable_states_are_refused_before_the_refund() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{HOLD}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(receipt_of("preauth_blocked")))
        .mount(&server)
        .await;
    let error = client(&server)
        .refund()
        .unwrap()
        .refund(HOLD, None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(
        requests_to(&server, &format!("{API}/payment/refund/{HOLD}"))
            .await
            .is_empty()
    );
}

/// The outcome of a create redirects to BOG's link verbatim; a created receipt reads as
/// requires_action, and the status of an unknown key is pending with the raw key kept.
#[tokio::test]
async fn outcomes_carry_the_link_and_the_raw_status() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/ecommerce/orders")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ORDER,
            "_links": {"redirect": {"href": "https://payment.bog.ge/?order_id=abc&x=1"}}})))
        .mount(&server)
        .await;
    let mut odd = receipt_of("completed_card");
    odd["order_status"]["key"] = "captured".into();
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(odd))
        .mount(&server)
        .await;
    let client = client(&server);
    let request = PaymentRequest::new(gel("30.00")).callback_url("https://shop.example.ge/cb");
    let created = client.create_payment(&request).await.unwrap();
    assert_eq!(
        created.next_action,
        NextAction::Redirect {
            url: "https://payment.bog.ge/?order_id=abc&x=1".into()
        }
    );
    let read = client.get_payment(ORDER).await.unwrap();
    assert_eq!(read.status.name(), "pending");
    assert_eq!(read.raw_status.as_deref(), Some("captured"));
}

/// A receipt echoing another order id is an integrity error, not that other order's state.
#[tokio::test]
async fn a_receipt_for_another_order_is_refused() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{HOLD}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(receipt_of("completed_card")))
        .mount(&server)
        .await;
    let error = client(&server).get_payment(HOLD).await.unwrap_err();
    assert!(
        matches!(error, Error::Integrity { ref field, .. } if field == "order_id"),
        "{error:?}"
    );
}

/// Refunds of installment, BNPL, loyalty and gift-card payments are not described by BOG
/// (§5.2): the trait refuses them as unsupported, without sending a refund.
#[tokio::test]
async fn undescribed_refund_methods_are_unsupported() {
    let server = server().await;
    let mut loan = receipt_of("completed_card");
    loan["payment_detail"]["transfer_method"] = json!({"key": "bog_loan", "value": "loan"});
    Mock::given(method("GET"))
        .and(path(format!("{API}/receipt/{ORDER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(loan))
        .mount(&server)
        .await;
    let error = client(&server)
        .refund()
        .unwrap()
        .refund(ORDER, None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unsupported { .. }), "{error:?}");
    assert!(
        requests_to(&server, &format!("{API}/payment/refund/{ORDER}"))
            .await
            .is_empty()
    );
}
