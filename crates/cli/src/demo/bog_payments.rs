//! Bank of Georgia Payments API: a paid order with its signed callback verified and
//! confirmed, a pre-authorization partly captured, a partial refund, a card saved for
//! merchant-initiated charges and then charged, and a declined card.
//!
//! The client accepts only `https` callback URLs (BOG requires them), and the demo's listener
//! is plain HTTP on loopback, so the simulator's delivery cannot reach it. The callback is
//! therefore taken from the simulator's record of what it sent (the exact bytes and the
//! `Callback-Signature` header) and verified as the merchant's endpoint would verify it.

use std::time::{Duration, Instant};

use paykit_bog_payments::{BogPaymentsClient, SIGNATURE_HEADER};
use paykit_core::{
    CaptureMode, CardUsage, Currency, Money, PaymentOutcome, PaymentProvider, PaymentRequest,
    PaymentStatus, SavedCardCharge, SecretString, VerifiedEvent, WebhookRequest,
};
use paykit_sim::Simulator;

use super::report::Steps;
use super::{CALLBACK_WAIT, customer_opens, event_summary};
use crate::listener::CallbackListener;

/// The sandbox card the simulator (like BOG's sandbox) declines.
const DECLINED_CARD: &str = "4000000000000002";

pub(super) async fn run(sim: &Simulator, listener: &CallbackListener) -> bool {
    let mut steps = Steps::new("bog-payments");
    let info = sim.bog_payments();
    let client = BogPaymentsClient::builder(
        info.client_id.clone(),
        SecretString::from(info.client_secret.clone()),
    )
    .api_base(info.api_base.clone())
    .token_url(info.token_url.clone())
    .callback_key(info.callback_public_key_pem.clone())
    .only_configured_callback_keys()
    .build();
    let Some(client) = steps.check("client", client, |_| "Payments API v1".into()) else {
        return steps.finish();
    };
    let Some(_) = steps.check(
        "token (Keycloak client credentials)",
        client.token_source().token().await,
        |t| format!("access token, generation {}", t.generation()),
    ) else {
        return steps.finish();
    };
    // https, as the client requires; see the module docs for how the callback is read.
    let callback_url = listener.url("/bog-payments").replacen("http:", "https:", 1);
    let request = |amount: &str, order_id: &str, capture: CaptureMode| {
        Money::parse(amount, Currency::GEL).map(|amount| {
            PaymentRequest::new(amount)
                .order_id(order_id)
                .description("paykit demo")
                .capture(capture)
                .callback_url(callback_url.clone())
                .return_url("https://shop.example/paid")
        })
    };

    // A paid order, its signed callback verified and confirmed.
    let paid = async {
        client
            .create_payment(&request("30.00", "demo-bogp-1", CaptureMode::Automatic)?)
            .await
    };
    let Some(paid) = steps.check("pay 30.00 GEL (ecommerce/orders)", paid.await, created) else {
        return steps.finish();
    };
    let id = paid.provider_payment_id.clone();
    if customer_pays(&mut steps, &paid, None).await.is_none() {
        return steps.finish();
    }
    let Some(event) = steps.check(
        "Callback-Signature verified",
        signed_callback(sim, &client, &id, "completed").await,
        event_summary,
    ) else {
        return steps.finish();
    };
    steps.check(
        "callback confirmed by the receipt",
        client.confirm_event(event).await,
        event_summary,
    );
    steps.check("status (receipt)", client.get_payment(&id).await, status);

    // A pre-authorization, partly captured.
    let held = async {
        client
            .create_payment(&request("75.00", "demo-bogp-2", CaptureMode::Manual)?)
            .await
    };
    if let Some(held) = steps.check(
        "pre-authorize 75.00 GEL (capture: manual)",
        held.await,
        created,
    ) {
        let held_id = held.provider_payment_id.clone();
        if customer_pays(&mut steps, &held, None).await.is_some() {
            steps.check(
                "status: held (receipt)",
                client.get_payment(&held_id).await,
                status,
            );
            let capture = async {
                let capture = client.capture().ok_or("no capture")?;
                let amount = Money::parse("50.00", Currency::GEL).map_err(|e| e.to_string())?;
                capture
                    .capture(&held_id, Some(amount))
                    .await
                    .map_err(|e| e.to_string())
            };
            steps.check(
                "capture 50.00 of 75.00 (authorization/approve)",
                capture.await,
                status,
            );
            steps.check(
                "status after capture (receipt)",
                client.get_payment(&held_id).await,
                status,
            );
        }
    }

    // A partial refund of the paid order.
    let refund = async {
        let refund = client.refund().ok_or("no refund")?;
        let amount = Money::parse("10.00", Currency::GEL).map_err(|e| e.to_string())?;
        refund
            .refund(&id, Some(amount))
            .await
            .map_err(|e| e.to_string())
    };
    steps.check(
        "refund 10.00 of 30.00 (payment/refund)",
        refund.await,
        status,
    );
    if let Some(after) = steps.check("status after refund", client.get_payment(&id).await, status) {
        steps.expect(
            "partly refunded",
            after.status == PaymentStatus::PartiallyRefunded,
            &after.status,
        );
    }

    // A card saved for merchant-initiated charges, then charged.
    saved_card(&mut steps, &client, &request).await;

    // The sandbox's declining card.
    let declined = async {
        client
            .create_payment(&request("12.00", "demo-bogp-4", CaptureMode::Automatic)?)
            .await
    };
    if let Some(declined) = steps.check("pay 12.00 GEL", declined.await, created) {
        let declined_id = declined.provider_payment_id.clone();
        if customer_pays(&mut steps, &declined, Some(DECLINED_CARD))
            .await
            .is_some()
        {
            if let Some(outcome) = steps.check(
                "status (receipt)",
                client.get_payment(&declined_id).await,
                status,
            ) {
                steps.expect(
                    "the bank declined card ...0002",
                    matches!(outcome.status, PaymentStatus::Failed { .. }),
                    &outcome.status,
                );
            }
        }
    }
    steps.finish()
}

/// `PUT …/subscriptions` on a new order, the customer pays it, then `…/subscribe` charges
/// the saved card without the customer.
async fn saved_card<F>(steps: &mut Steps, client: &BogPaymentsClient, request: &F)
where
    F: Fn(&str, &str, CaptureMode) -> paykit_core::Result<PaymentRequest>,
{
    let Some(recurring) = client.recurring() else {
        steps.expect("saved cards", false, "the client offers no Recurring");
        return;
    };
    let parent = async {
        let parent = request("15.00", "demo-bogp-3", CaptureMode::Automatic)?;
        recurring.save_card(&parent, CardUsage::Recurring).await
    };
    let Some(parent) = steps.check(
        "save the card for charges (15.00 GEL)",
        parent.await,
        created,
    ) else {
        return;
    };
    if customer_pays(steps, &parent, None).await.is_none() {
        return;
    }
    let charge = async {
        let payment = request("15.00", "demo-bogp-3-renewal", CaptureMode::Automatic)?;
        let charge =
            SavedCardCharge::new(&parent.provider_payment_id, CardUsage::Recurring, payment);
        recurring.charge_saved_card(&charge).await
    };
    if let Some(charged) = steps.check("merchant-initiated charge (subscribe)", charge.await, |o| {
        format!("order {}, {}", o.provider_payment_id, o.status)
    }) {
        steps.check(
            "status of the new order (receipt)",
            client.get_payment(&charged.provider_payment_id).await,
            status,
        );
    }
}

/// The customer opens BOG's page (with `card`, the sandbox test card they enter).
async fn customer_pays(
    steps: &mut Steps,
    created: &PaymentOutcome,
    card: Option<&str>,
) -> Option<u16> {
    let action = match (card, &created.next_action) {
        (Some(card), paykit_core::NextAction::Redirect { url }) => {
            paykit_core::NextAction::Redirect {
                url: format!("{url}&card={card}"),
            }
        }
        (_, other) => other.clone(),
    };
    let name = match card {
        Some(card) => format!("customer pays with card {card}"),
        None => "customer pays on the redirect page".to_owned(),
    };
    steps.check(&name, customer_opens(&action).await, |s| {
        format!("HTTP {s}")
    })
}

/// The callback the simulator signed for order `id` once it reached `state`, verified with
/// the client's own webhook (signature first, then the order against the payment records).
async fn signed_callback(
    sim: &Simulator,
    client: &BogPaymentsClient,
    id: &str,
    state: &str,
) -> Result<VerifiedEvent, String> {
    let order = format!("\"order_id\":\"{id}\"");
    let key = format!("\"key\":\"{state}\"");
    let deadline = Instant::now() + CALLBACK_WAIT;
    let record = loop {
        let found = sim.callbacks().into_iter().find(|record| {
            record.provider == "bog-payments"
                && record.body.contains(&order)
                && record.body.contains(&key)
        });
        if let Some(record) = found {
            break record;
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "no {state} callback within {} s",
                CALLBACK_WAIT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut headers = http::HeaderMap::new();
    for (name, value) in &record.headers {
        let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let value = http::HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        headers.append(name, value);
    }
    if !headers.contains_key(SIGNATURE_HEADER) {
        return Err(format!("the callback has no {SIGNATURE_HEADER}"));
    }
    let hook = client.webhook();
    paykit_core::Webhook::verify(
        &hook,
        &WebhookRequest::new(&headers, record.body.as_bytes()),
    )
    .await
    .map_err(|e| e.to_string())
}

fn created(outcome: &PaymentOutcome) -> String {
    format!("order {}, {}", outcome.provider_payment_id, outcome.status)
}

fn status(outcome: &PaymentOutcome) -> String {
    match (&outcome.amount, &outcome.refunded) {
        (Some(amount), Some(refunded)) => {
            format!("{} ({amount}, {refunded} refunded)", outcome.status)
        }
        (Some(amount), None) => format!("{} ({amount})", outcome.status),
        _ => outcome.status.to_string(),
    }
}
