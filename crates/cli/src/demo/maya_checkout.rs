//! Maya's payment gateway: a Checkout paid on the hosted page, its v1-signed webhook verified
//! with the simulator's announced key and confirmed by re-fetching the payment; a card vaulted
//! for a customer (3-D Secure page), charged with manual capture, partly captured and, on the
//! next Manila day, partly refunded; and a declined Checkout.
//!
//! Maya voids on the payment's day and refunds from the next (Asia/Manila), by the simulator
//! clock. The demo moves that clock with [`Simulator::advance`], so the client's clock and the
//! webhook's timestamp window follow it too ([`SimTime`]): otherwise the client would still
//! think it is the payment's day and choose a void.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use paykit_core::{
    CaptureMode, CardUsage, Currency, Money, NextAction, PaymentOutcome, PaymentProvider,
    PaymentRequest, PaymentStatus, SavedCardCharge, SecretString, WebhookRequest,
};
use paykit_maya_checkout::{
    CARD_PREFIX, CardDetails, Contact, Delivery, Environment, KeyPair, LinkCard,
    MayaCheckoutClient, MayaCheckoutWebhook, Person, RedirectUrls, WebhookConfig, WebhookEvent,
    WebhookKeys,
};
use paykit_sim::Simulator;

use super::report::Steps;
use super::{CALLBACK_WAIT, customer_opens, event_summary};
use crate::listener::CallbackListener;

/// Where the listener takes Maya's webhooks.
const WEBHOOK_PATH: &str = "/maya-checkout";
/// The simulator's test card (Mastercard) for Vault.
const TEST_CARD: &str = "5123456789012346";
const DAY_MS: u64 = 24 * 3600 * 1000;
/// Manila is UTC+8 all year.
const MANILA_OFFSET_MS: u64 = 8 * 3600 * 1000;

/// The simulator's clock as the demo moved it: wall-clock time plus what it advanced.
#[derive(Clone, Default)]
struct SimTime {
    advanced_ms: Arc<AtomicU64>,
}

impl SimTime {
    fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_millis(self.advanced_ms.load(Ordering::Relaxed))
    }

    fn clock(&self) -> paykit_maya_checkout::Clock {
        let time = self.clone();
        Arc::new(move || time.now())
    }

    /// Moves `sim` (and this clock) to 01:00 Manila of the next day.
    fn next_manila_day(&self, sim: &Simulator) -> u64 {
        let now = sim.now_unix_ms();
        let next_midnight = ((now + MANILA_OFFSET_MS) / DAY_MS + 1) * DAY_MS - MANILA_OFFSET_MS;
        let by = next_midnight - now + 3600 * 1000;
        self.advanced_ms.fetch_add(by, Ordering::Relaxed);
        sim.advance(Duration::from_millis(by));
        by
    }
}

fn php(amount: &str) -> paykit_core::Result<Money> {
    Money::parse(amount, Currency::PHP)
}

fn request(
    amount: &str,
    reference: &str,
    capture: CaptureMode,
) -> paykit_core::Result<PaymentRequest> {
    Ok(PaymentRequest::new(php(amount)?)
        .order_id(reference)
        .description("paykit demo")
        .capture(capture)
        .return_url("https://shop.example.ph/return"))
}

pub(super) async fn run(sim: &Simulator, listener: &mut CallbackListener) -> bool {
    let mut steps = Steps::new("maya-checkout");
    let info = sim.maya_checkout();
    let time = SimTime::default();
    let client = KeyPair::new(
        SecretString::from(info.public_key.clone()),
        SecretString::from(info.secret_key.clone()),
    )
    .and_then(|keys| {
        MayaCheckoutClient::builder(Environment::Sandbox, keys)
            .api_base_url(info.base_url.clone())
            .clock(time.clock())
            .build()
    });
    let Some(client) = steps.check("client (pk-/sk- keys)", client, |_| {
        "payment gateway, Manila calendar".into()
    }) else {
        return steps.finish();
    };
    let hook = WebhookKeys::new()
        .with_pem("sim", &info.webhook_public_key_pem)
        .map(|keys| MayaCheckoutWebhook::new(WebhookConfig::new(keys)).clock(time.clock()));
    let Some(hook) = steps.check("webhook keys (the announced PEM)", hook, |_| {
        "1 key, ±5 min window".into()
    }) else {
        return steps.finish();
    };
    let registered = client
        .create_webhook(&WebhookEvent::PaymentSuccess, &listener.url(WEBHOOK_PATH))
        .await;
    if steps
        .check("register PAYMENT_SUCCESS webhook", registered, |r| {
            format!("{} -> {}", r.name.as_str(), r.callback_url)
        })
        .is_none()
    {
        return steps.finish();
    }

    checkout_paid(&mut steps, &client, &hook, listener).await;
    vaulted_card(&mut steps, &client, sim, &time).await;
    declined(&mut steps, &client).await;
    steps.finish()
}

/// A Checkout paid on the hosted page, its webhook verified and confirmed.
async fn checkout_paid(
    steps: &mut Steps,
    client: &MayaCheckoutClient,
    hook: &MayaCheckoutWebhook,
    listener: &mut CallbackListener,
) {
    let created = async {
        client
            .create_payment(&request("1500.00", "demo-mayac-1", CaptureMode::Automatic)?)
            .await
    };
    let Some(created) = steps.check("checkout 1500.00 PHP (checkout/v1)", created.await, |o| {
        format!("checkout {}, {}", o.provider_payment_id, o.status)
    }) else {
        return;
    };
    if steps
        .check(
            "customer pays on the hosted page",
            customer_opens(&created.next_action).await,
            |s| format!("HTTP {s}"),
        )
        .is_none()
    {
        return;
    }
    let Some(delivery) = steps.check(
        "X-Maya-Webhook-Signature v1 verified",
        signed_delivery(listener, hook).await,
        |d| format!("{}, payment {}, key {:?}", d.event.as_str(), d.id(), d.key),
    ) else {
        return;
    };
    steps.check(
        "webhook confirmed by re-fetching the payment",
        client.confirm_delivery(&delivery).await,
        event_summary,
    );
    if let Some(paid) = steps.check(
        "status by checkout id",
        client.get_payment(&created.provider_payment_id).await,
        status,
    ) {
        steps.expect("paid", paid.status == PaymentStatus::Captured, &paid.status);
    }
}

/// The next webhook the listener receives, through the receiver's checks.
async fn signed_delivery(
    listener: &mut CallbackListener,
    hook: &MayaCheckoutWebhook,
) -> Result<Delivery, String> {
    let received = listener
        .next(WEBHOOK_PATH, CALLBACK_WAIT)
        .await
        .ok_or_else(|| format!("no webhook within {} s", CALLBACK_WAIT.as_secs()))?;
    hook.check(&WebhookRequest::new(&received.headers, &received.body))
        .await
        .map_err(|e| e.to_string())
}

/// A customer's card vaulted through 3-D Secure, held, partly captured, and on the next Manila
/// day partly refunded.
async fn vaulted_card(
    steps: &mut Steps,
    client: &MayaCheckoutClient,
    sim: &Simulator,
    time: &SimTime,
) {
    let token = async {
        let card = CardDetails::new(
            SecretString::from(TEST_CARD),
            "12",
            "2035",
            SecretString::from("111"),
        )?;
        client.create_payment_token(&card).await
    };
    let Some(token) = steps.check("payment token (card ...2346)", token.await, |_| {
        "single-use token".into()
    }) else {
        return;
    };
    let customer = Person {
        first_name: Some("Juan".into()),
        last_name: Some("dela Cruz".into()),
        contact: Some(Contact {
            phone: None,
            email: Some("juan@example.ph".into()),
        }),
        ..Person::default()
    };
    let Some(customer) = steps.check(
        "vault customer",
        client.create_customer(&customer).await,
        |c| format!("customer {}", c.id),
    ) else {
        return;
    };
    let urls = RedirectUrls::new(
        "https://shop.example.ph/card/ok",
        "https://shop.example.ph/card/fail",
        "https://shop.example.ph/card/cancel",
    );
    let link = LinkCard::new(token.payment_token_id.clone(), urls);
    let Some(card) = steps.check(
        "vault the card",
        client.link_card(&customer.id, &link).await,
        |c| match &c.state {
            Some(state) => format!("card {}, {state:?}", c.card_token_id),
            None => format!("card {}", c.card_token_id),
        },
    ) else {
        return;
    };
    let Some(page) = card.verification_url.clone() else {
        steps.expect("3-D Secure page", false, "the card has no verificationUrl");
        return;
    };
    let verify = NextAction::Redirect { url: page };
    if steps
        .check(
            "customer passes 3-D Secure",
            customer_opens(&verify).await,
            |s| format!("HTTP {s}"),
        )
        .is_none()
    {
        return;
    }

    let card_id = format!("{CARD_PREFIX}{}/{}", customer.id, card.card_token_id);
    let held = async {
        let recurring = paykit_core::PaymentProvider::recurring(client).ok_or_else(|| {
            paykit_core::Error::unsupported(paykit_maya_checkout::PROVIDER, "saved cards")
        })?;
        let mut payment = request("1000.00", "demo-mayac-2", CaptureMode::Manual)?;
        // No 3-D Secure on the charge: the card was verified when vaulted.
        payment.return_url = None;
        recurring
            .charge_saved_card(&SavedCardCharge::new(
                card_id,
                CardUsage::Recurring,
                payment,
            ))
            .await
    };
    let Some(held) = steps.check("hold 1000.00 on the vaulted card", held.await, status) else {
        return;
    };
    steps.expect(
        "authorized, not captured",
        held.status == PaymentStatus::Authorized,
        &held.status,
    );
    let capture = async {
        let capture = client.capture().ok_or("no capture")?;
        let amount = php("600.00").map_err(|e| e.to_string())?;
        capture
            .capture(&held.provider_payment_id, Some(amount))
            .await
            .map_err(|e| e.to_string())
    };
    let Some(captured) = steps.check("capture 600.00 of 1000.00", capture.await, |o| {
        format!("capture {}, {}", o.provider_payment_id, status(o))
    }) else {
        return;
    };
    let advanced = time.next_manila_day(sim);
    // The client decides void or refund by its clock: it must read the simulator's.
    let client_ms = time
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    steps.expect(
        "to 01:00 Manila the next day (sim.advance)",
        client_ms.abs_diff(sim.now_unix_ms()) < 60_000,
        format!(
            "advanced {} h {:02} min; the client's clock follows",
            advanced / 3_600_000,
            advanced % 3_600_000 / 60_000
        ),
    );
    let refund = async {
        let refund = client.refund().ok_or("no refund")?;
        let amount = php("200.00").map_err(|e| e.to_string())?;
        refund
            .refund(&captured.provider_payment_id, Some(amount))
            .await
            .map_err(|e| e.to_string())
    };
    steps.check(
        "refund 200.00 of 600.00 (next day: a refund)",
        refund.await,
        status,
    );
    if let Some(after) = steps.check(
        "status of the capture",
        client.get_payment(&captured.provider_payment_id).await,
        status,
    ) {
        steps.expect(
            "partly refunded",
            after.status == PaymentStatus::PartiallyRefunded,
            &after.status,
        );
    }
}

/// A Checkout for an amount ending in .01, which the simulator (like a declining card) refuses.
async fn declined(steps: &mut Steps, client: &MayaCheckoutClient) {
    let created = async {
        client
            .create_payment(&request("250.01", "demo-mayac-3", CaptureMode::Automatic)?)
            .await
    };
    let Some(created) = steps.check("checkout 250.01 PHP", created.await, |o| {
        format!("checkout {}, {}", o.provider_payment_id, o.status)
    }) else {
        return;
    };
    if steps
        .check(
            "customer tries to pay",
            customer_opens(&created.next_action).await,
            |s| format!("HTTP {s}"),
        )
        .is_none()
    {
        return;
    }
    if let Some(outcome) = steps.check(
        "status by checkout id",
        client.get_payment(&created.provider_payment_id).await,
        status,
    ) {
        steps.expect(
            "declined",
            matches!(outcome.status, PaymentStatus::Failed { .. }),
            &outcome.status,
        );
    }
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
