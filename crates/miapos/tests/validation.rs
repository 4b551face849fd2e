//! Every documented limit is refused before any I/O: the server expects no request at all.

mod common;

use common::*;
use paykit_core::{CaptureMode, Currency, Customer, Error, Money, PaymentProvider, PaymentRequest};
use paykit_miapos::{DirectRtpRequest, MiaPos, PayRequest, PaymentType};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that fails the test if it receives anything.
async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .named("nothing may be sent")
        .mount(&server)
        .await;
    server
}

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).expect("an MDL amount")
}

fn field(result: paykit_core::Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(Error::InvalidInput { field, .. }) => field.into_owned(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn pay() -> PayRequest {
    PayRequest::new("o-1", mdl("10.00"), "Order o-1")
}

#[tokio::test]
async fn native_pay_limits() {
    let server = silent_server().await;
    let client = client(&server);
    let cases: Vec<(&str, PayRequest)> = vec![
        (
            "amount",
            PayRequest::new("o", Money::zero(Currency::MDL), "d"),
        ),
        (
            "currency",
            PayRequest::new("o", Money::parse("5", Currency::EUR).unwrap(), "d"),
        ),
        ("order_id", PayRequest::new(" ", mdl("1"), "d")),
        ("description", PayRequest::new("o", mdl("1"), "")),
        ("client_phone", pay().payment_type(PaymentType::Rtp)),
        ("client_phone", pay().client_phone("+40712345678")),
        ("client_name", pay().client_name("n".repeat(129))),
        ("client_email", pay().client_email("not-an-email")),
        ("callback_url", pay().callback_url("shop.example.md/cb")),
        ("success_url", pay().success_url("javascript:alert(1)")),
        ("fail_url", pay().fail_url("")),
        ("terminal_id", pay().terminal_id("")),
    ];
    for (expected, request) in cases {
        assert_eq!(field(client.pay(&request).await), expected);
    }
}

#[tokio::test]
async fn a_terminal_is_required_somewhere() {
    let server = silent_server().await;
    let client = MiaPos::builder(server.uri(), "128", paykit_core::SecretString::from(SECRET))
        .build()
        .unwrap();
    assert_eq!(field(client.pay(&pay()).await), "terminal_id");
    let rtp = DirectRtpRequest::new("o", mdl("1"), "d", "Maria", "69123456");
    assert_eq!(
        field(client.request_to_pay_direct(&rtp).await),
        "terminal_id"
    );
}

#[tokio::test]
async fn native_direct_rtp_limits() {
    let server = silent_server().await;
    let client = client(&server);
    let ok = || DirectRtpRequest::new("INV-77", mdl("75.00"), "Abonament", "Maria", "69123456");
    let mut no_name = ok();
    no_name.client_name.clear();
    let mut short_phone = ok();
    short_phone.client_phone = "6912345".into();
    let mut zero = ok();
    zero.amount = Money::zero(Currency::MDL);
    let cases = [
        ("client_name", no_name),
        ("client_phone", short_phone),
        ("amount", zero),
        ("client_email", ok().client_email("a@")),
        ("callback_url", ok().callback_url("ftp://x")),
    ];
    for (expected, request) in cases {
        assert_eq!(
            field(client.request_to_pay_direct(&request).await),
            expected
        );
    }
}

#[tokio::test]
async fn status_queries_need_an_id() {
    let server = silent_server().await;
    let client = client(&server);
    for bad in ["", ".", ".."] {
        assert_eq!(field(client.payment(bad).await), "payment_id");
        assert_eq!(field(client.get_payment(bad).await), "payment_id");
    }
}

#[tokio::test]
async fn common_requests_name_their_own_fields() {
    let server = silent_server().await;
    let client = client(&server);
    let base = || {
        PaymentRequest::new(mdl("10.00"))
            .order_id("o")
            .description("d")
    };
    let cases = [
        (
            "currency",
            PaymentRequest::new(Money::parse("1", Currency::GEL).unwrap())
                .order_id("o")
                .description("d"),
        ),
        (
            "amount",
            PaymentRequest::new(Money::zero(Currency::MDL))
                .order_id("o")
                .description("d"),
        ),
        ("order_id", PaymentRequest::new(mdl("1")).description("d")),
        ("description", PaymentRequest::new(mdl("1")).order_id("o")),
        ("language", base().language("fr")),
        ("return_url", base().return_url("/relative")),
        (
            "fail_url",
            base().return_url("https://ok.example").fail_url("nope"),
        ),
        ("callback_url", base().callback_url("nope")),
        (
            "customer.email",
            base().customer(Customer::default().email("x")),
        ),
        (
            "customer.name",
            base().customer(Customer::default().name("")),
        ),
    ];
    for (expected, request) in cases {
        assert_eq!(field(client.create_payment(&request).await), expected);
    }
    let rtp = builder(&server)
        .payment_type(PaymentType::Rtp)
        .build()
        .unwrap();
    assert_eq!(field(rtp.create_payment(&base()).await), "customer.phone");
    let bad_phone = base().customer(Customer::default().phone("0691-23-45"));
    assert_eq!(
        field(rtp.create_payment(&bad_phone).await),
        "customer.phone"
    );
}

#[tokio::test]
async fn two_step_payments_are_unsupported() {
    let server = silent_server().await;
    let request = PaymentRequest::new(mdl("10.00"))
        .order_id("o")
        .description("d")
        .capture(CaptureMode::Manual);
    let err = client(&server).create_payment(&request).await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
}
