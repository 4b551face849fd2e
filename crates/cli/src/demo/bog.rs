//! Bank of Georgia iPay: a pre-authorized order approved, its unsigned callback confirmed by
//! re-querying, captured, then partly refunded.

use std::sync::Arc;

use paykit_bog::{BogClient, InMemoryOrderStore, OrderStore};
use paykit_core::{CaptureMode, Currency, Money, PaymentProvider, PaymentRequest, SecretString};
use paykit_sim::Simulator;

use super::report::Steps;
use super::{customer_opens, event_summary, verified_callback};
use crate::listener::CallbackListener;

pub(super) async fn run(sim: &Simulator, listener: &mut CallbackListener) -> bool {
    let mut steps = Steps::new("bog");
    let info = sim.bog();
    let store: Arc<dyn OrderStore> = Arc::new(InMemoryOrderStore::new());
    let client = BogClient::builder(
        info.client_id.clone(),
        SecretString::from(info.secret_key.clone()),
    )
    .base_url(format!("{}/opay/api/v1", info.base_url))
    .order_store(store)
    .build();
    let Some(client) = steps.check("client", client, |_| "iPay v1".into()) else {
        return steps.finish();
    };
    let Some(hook) = steps.check(
        "callback verifier",
        client.webhook().ok_or("no order store"),
        |_| "order_id + payment_hash, then re-query".into(),
    ) else {
        return steps.finish();
    };
    let Some(_) = steps.check(
        "token (oauth2/token)",
        client.token_source().token().await,
        |t| format!("access token, generation {}", t.generation()),
    ) else {
        return steps.finish();
    };
    let order = async {
        let request = PaymentRequest::new(Money::parse("120.00", Currency::GEL)?)
            .order_id("demo-bog")
            .description("paykit demo")
            .language("en-US")
            .capture(CaptureMode::Manual)
            .return_url("https://shop.example/paid");
        client.create_payment(&request).await
    };
    let Some(created) = steps.check(
        "pre-authorize 120.00 GEL (checkout/orders)",
        order.await,
        |o| format!("order_id {}, {}", o.provider_payment_id, o.status),
    ) else {
        return steps.finish();
    };
    let id = created.provider_payment_id.clone();
    if steps
        .check(
            "customer approves (approve link)",
            customer_opens(&created.next_action).await,
            |s| format!("HTTP {s}"),
        )
        .is_none()
    {
        return steps.finish();
    }
    steps.check(
        "callback confirmed by re-query",
        verified_callback(listener, "/bog", &hook).await,
        event_summary,
    );
    steps.check(
        "status (checkout/payment)",
        client.get_payment(&id).await,
        |o| o.status.to_string(),
    );
    let capture = async {
        match client.capture() {
            Some(capture) => capture.capture(&id, None).await.map_err(|e| e.to_string()),
            None => Err("iPay offers no capture".to_owned()),
        }
    };
    steps.check(
        "capture in full (pre-auth/completion)",
        capture.await,
        |o: &paykit_core::PaymentOutcome| o.status.to_string(),
    );
    let refund = async {
        let amount = Money::parse("20.00", Currency::GEL).map_err(|e| e.to_string())?;
        match client.refund() {
            Some(refund) => refund
                .refund(&id, Some(amount))
                .await
                .map_err(|e| e.to_string()),
            None => Err("iPay offers no refund".to_owned()),
        }
    };
    steps.check(
        "refund 20.00 (checkout/refund)",
        refund.await,
        |o: &paykit_core::PaymentOutcome| o.status.to_string(),
    );
    steps.check("status after refund", client.get_payment(&id).await, |o| {
        o.status.to_string()
    });
    steps.finish()
}
