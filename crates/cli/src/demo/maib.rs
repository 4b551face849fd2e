//! maib: a two-step payment held, approved, called back, partly captured and partly refunded;
//! then a declined payment.

use std::net::Ipv4Addr;

use paykit_core::{
    CaptureMode, Currency, Customer, Money, PaymentProvider, PaymentRequest, PaymentStatus,
    SecretString,
};
use paykit_maib::MaibClient;
use paykit_sim::Simulator;

use super::report::Steps;
use super::{customer_opens, event_summary, verified_callback};
use crate::listener::CallbackListener;

pub(super) async fn run(sim: &Simulator, listener: &mut CallbackListener) -> bool {
    let mut steps = Steps::new("maib");
    let info = sim.maib();
    let client = MaibClient::builder(
        info.project_id.clone(),
        SecretString::from(info.project_secret.clone()),
    )
    .base_url(info.base_url.clone())
    .signature_key(SecretString::from(info.signature_key.clone()))
    .build();
    let Some(client) = steps.check("client", client, |_| "maib e-commerce v1".into()) else {
        return steps.finish();
    };
    let Some(_) = steps.check(
        "token (generate-token)",
        client.token_source().token().await,
        |t| format!("access token, generation {}", t.generation()),
    ) else {
        return steps.finish();
    };
    let callback_url = listener.url("/maib");
    let request = |amount: &str, capture: CaptureMode| {
        Money::parse(amount, Currency::MDL).map(|amount| {
            PaymentRequest::new(amount)
                .order_id("demo-maib")
                .description("paykit demo")
                .language("en")
                .capture(capture)
                .customer(Customer::default().ip(Ipv4Addr::LOCALHOST))
                .callback_url(callback_url.clone())
        })
    };
    let Some(hold) = steps.check(
        "hold 25.00 MDL (hold)",
        async {
            client
                .create_payment(&request("25.00", CaptureMode::Manual)?)
                .await
        }
        .await,
        |o| format!("payId {}, {}", o.provider_payment_id, o.status),
    ) else {
        return steps.finish();
    };
    let id = hold.provider_payment_id.clone();
    if steps
        .check(
            "customer pays on payUrl",
            customer_opens(&hold.next_action).await,
            |s| format!("HTTP {s}"),
        )
        .is_none()
    {
        return steps.finish();
    }
    let Some(event) = steps.check(
        "callback signature verified",
        verified_callback(listener, "/maib", &client).await,
        event_summary,
    ) else {
        return steps.finish();
    };
    steps.expect(
        "callback is about this payment",
        event.payment().is_some_and(|p| p.provider_payment_id == id),
        &event.dedupe_key,
    );
    steps.check("status (pay-info)", client.get_payment(&id).await, |o| {
        o.status.to_string()
    });
    let capture = async {
        let capture = client.capture().ok_or("maib offers no capture")?;
        let amount = Money::parse("20.00", Currency::MDL).map_err(|e| e.to_string())?;
        capture
            .capture(&id, Some(amount))
            .await
            .map_err(|e| e.to_string())
    };
    steps.check(
        "capture 20.00 of 25.00 (complete)",
        capture.await,
        |o: &paykit_core::PaymentOutcome| o.status.to_string(),
    );
    let refund = async {
        let refund = client.refund().ok_or("maib offers no refund")?;
        let amount = Money::parse("5.00", Currency::MDL).map_err(|e| e.to_string())?;
        refund
            .refund(&id, Some(amount))
            .await
            .map_err(|e| e.to_string())
    };
    steps.check(
        "refund 5.00 (refund)",
        refund.await,
        |o: &paykit_core::PaymentOutcome| o.status.to_string(),
    );
    steps.check(
        "status after refund (pay-info)",
        client.get_payment(&id).await,
        |o| o.status.to_string(),
    );

    let Some(declined) = steps.check(
        "pay 10.01 MDL (pay)",
        async {
            client
                .create_payment(&request("10.01", CaptureMode::Automatic)?)
                .await
        }
        .await,
        |o| format!("payId {}, {}", o.provider_payment_id, o.status),
    ) else {
        return steps.finish();
    };
    if steps
        .check(
            "customer pays on payUrl",
            customer_opens(&declined.next_action).await,
            |s| format!("HTTP {s}"),
        )
        .is_some()
    {
        if let Some(event) = steps.check(
            "callback signature verified",
            verified_callback(listener, "/maib", &client).await,
            event_summary,
        ) {
            let failed = event
                .payment()
                .is_some_and(|p| matches!(p.status, PaymentStatus::Failed { .. }));
            steps.expect("the bank declined it (.01)", failed, event_summary(&event));
        }
    }
    steps.finish()
}
