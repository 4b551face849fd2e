//! miaPOS: a QR payment registered, paid on the checkout page, its RSA-signed callback verified
//! with the key fetched from the provider, then reconciled by polling.

use std::time::Duration;

use paykit_core::{
    Currency, Money, PaymentProvider, PaymentRequest, PollConfig, PollOutcome, RefundSupport,
    SecretString, poll_payment,
};
use paykit_miapos::MiaPos;
use paykit_sim::Simulator;

use super::report::Steps;
use super::{customer_opens, event_summary, verified_callback};
use crate::listener::CallbackListener;

pub(super) async fn run(sim: &Simulator, listener: &mut CallbackListener) -> bool {
    let mut steps = Steps::new("miapos");
    let info = sim.miapos();
    let client = MiaPos::builder(
        info.base_url.clone(),
        info.merchant_id.clone(),
        SecretString::from(info.secret_key.clone()),
    )
    .terminal_id(info.terminal_id.clone())
    .build();
    let Some(client) = steps.check("client", client, |_| "miaPOS e-commerce".into()) else {
        return steps.finish();
    };
    let Some(_) = steps.check("token (token)", client.token_source().token().await, |t| {
        format!("access token, generation {}", t.generation())
    }) else {
        return steps.finish();
    };
    let payment = async {
        let request = PaymentRequest::new(Money::parse("49.90", Currency::MDL)?)
            .order_id("demo-miapos")
            .description("paykit demo")
            .language("en")
            .callback_url(listener.url("/miapos"))
            .return_url("https://shop.example/paid");
        client.create_payment(&request).await
    };
    let Some(created) = steps.check("QR payment 49.90 MDL (pay)", payment.await, |o| {
        format!("paymentId {}, {}", o.provider_payment_id, o.status)
    }) else {
        return steps.finish();
    };
    let id = created.provider_payment_id.clone();
    if steps
        .check(
            "customer pays on checkoutPage",
            customer_opens(&created.next_action).await,
            |s| format!("HTTP {s}"),
        )
        .is_none()
    {
        return steps.finish();
    }
    steps.check(
        "callback RSA signature verified",
        verified_callback(listener, "/miapos", &client).await,
        event_summary,
    );
    let polled = poll_payment(
        &client,
        &id,
        &PollConfig::new(
            Duration::from_millis(100),
            Duration::from_secs(1),
            Duration::from_secs(10),
        ),
    )
    .await;
    if let Some(PollOutcome::Final(outcome)) | Some(PollOutcome::TimedOut(outcome)) = steps.check(
        "status polled to final (payment/{id})",
        polled,
        |p| match p {
            PollOutcome::Final(o) => format!("final: {}", o.status),
            PollOutcome::TimedOut(o) => format!("still {} at the deadline", o.status),
        },
    ) {
        steps.expect(
            "the payment is captured",
            outcome.status.is_paid(),
            outcome.status,
        );
    }
    let no_refunds =
        client.capabilities().refunds == RefundSupport::None && client.refund().is_none();
    steps.expect(
        "refunds: none in the protocol (capabilities)",
        no_refunds,
        "declared unsupported, nothing sent",
    );
    steps.finish()
}
