//! Client construction and the mapping from the common request to the native one.

use paykit_core::{CaptureMode, Customer, Money};

use super::*;

fn builder() -> MiaPosBuilder {
    MiaPos::builder(
        "http://127.0.0.1:9",
        "128",
        SecretString::from("demo-secret-key"),
    )
}

fn client() -> MiaPos {
    builder().terminal_id("TE0001").build().unwrap()
}

fn field(error: Error) -> String {
    match error {
        Error::InvalidInput { field, .. } => field.into_owned(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn payment() -> PaymentRequest {
    PaymentRequest::new(Money::parse("10.50", Currency::MDL).unwrap())
        .order_id("o-1")
        .description("Order o-1")
}

#[test]
fn builder_rejects_unusable_configuration() {
    let empty_id = MiaPos::builder("http://x", " ", SecretString::from("s"));
    assert_eq!(field(empty_id.build().unwrap_err()), "merchant_id");
    let empty_secret = MiaPos::builder("http://x", "128", SecretString::from(""));
    assert_eq!(field(empty_secret.build().unwrap_err()), "secret_key");
    assert_eq!(
        field(builder().terminal_id(" ").build().unwrap_err()),
        "terminal_id"
    );
    let bad_url = MiaPos::builder("ecomm-test.miapos.md", "128", SecretString::from("s"));
    assert_eq!(field(bad_url.build().unwrap_err()), "base_url");
}

#[test]
fn sandbox_is_the_default_environment_and_any_base_url_works() {
    let sandbox = MiaPos::sandbox("128", SecretString::from("s"))
        .build()
        .unwrap();
    assert_eq!(sandbox.base_url(), "https://ecomm-test.miapos.md/");
    let bank = MiaPos::builder(
        "https://pay.bank.example/miapos/",
        "1",
        SecretString::from("s"),
    )
    .build()
    .unwrap();
    assert_eq!(bank.base_url(), "https://pay.bank.example/miapos/");
}

#[test]
fn capabilities_are_honest() {
    let client = client();
    let caps = client.capabilities();
    assert_eq!(caps.currencies, [Currency::MDL]);
    assert_eq!(caps.refunds, RefundSupport::None);
    assert_eq!(caps.capture_modes, [CaptureMode::Automatic]);
    assert!(!caps.void && !caps.partial_capture && caps.saved_cards.is_empty());
    assert_eq!(caps.callbacks, CallbackAuthenticity::Signed);
    assert_eq!(caps.min_amount, Some(Decimal::new(1, 2)));
    assert!(client.capture().is_none());
    assert!(client.refund().is_none());
    assert!(client.void().is_none());
    assert!(client.recurring().is_none());
    assert_eq!(client.id(), PROVIDER);
}

#[test]
fn common_requests_map_to_pay() {
    let request = payment()
        .language("EN")
        .callback_url("https://shop.example.md/cb")
        .return_url("https://shop.example.md/back")
        .customer(
            Customer::default()
                .name("Ion")
                .email("ion@example.md")
                .phone("69123456"),
        );
    let native = client().pay_request_from(&request).unwrap();
    assert_eq!(native.order_id, "o-1");
    assert_eq!(native.description, "Order o-1");
    assert_eq!(native.language, Some(Language::En));
    assert_eq!(native.payment_type, Some(PaymentType::Qr));
    assert_eq!(native.client_name.as_deref(), Some("Ion"));
    assert_eq!(native.client_email.as_deref(), Some("ion@example.md"));
    assert_eq!(
        native.client_phone, None,
        "the phone is for request-to-pay only"
    );
    assert_eq!(
        native.success_url.as_deref(),
        Some("https://shop.example.md/back")
    );
    assert_eq!(
        native.fail_url.as_deref(),
        Some("https://shop.example.md/back")
    );
    let rtp = builder()
        .terminal_id("RTP0001")
        .payment_type(PaymentType::Rtp)
        .build()
        .unwrap();
    let native = rtp.pay_request_from(&request).unwrap();
    assert_eq!(native.client_phone.as_deref(), Some("69123456"));
    assert_eq!(native.payment_type, Some(PaymentType::Rtp));
}

#[test]
fn common_requests_without_required_fields_name_the_field() {
    let client = client();
    let no_order = PaymentRequest::new(Money::parse("1", Currency::MDL).unwrap()).description("d");
    assert_eq!(
        field(client.pay_request_from(&no_order).unwrap_err()),
        "order_id"
    );
    let no_description =
        PaymentRequest::new(Money::parse("1", Currency::MDL).unwrap()).order_id("o");
    assert_eq!(
        field(client.pay_request_from(&no_description).unwrap_err()),
        "description"
    );
    let bad_language = payment().language("de");
    assert_eq!(
        field(client.pay_request_from(&bad_language).unwrap_err()),
        "language"
    );
}

#[test]
fn debug_output_holds_no_secret() {
    let builder = builder().terminal_id("TE0001");
    let text = format!("{builder:?}");
    assert!(!text.contains("demo-secret-key"), "{text}");
    let client = builder.build().unwrap();
    let text = format!(
        "{client:?} {:?} {:?}",
        client.webhook(),
        client.token_source()
    );
    assert!(!text.contains("demo-secret-key"), "{text}");
    assert!(text.contains("TE0001") && text.contains("128"), "{text}");
}
