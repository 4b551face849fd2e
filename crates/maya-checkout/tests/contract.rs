//! Contract tests: every fixture in fixtures/maya-checkout/ against the real client on
//! wiremock (scenarios) and the real webhook receiver (callbacks).

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{NOW_MS, PK, SK, builder, clock_at, receiver};
use paykit_core::{
    CardUsage, ExposeSecret as _, Money, PaymentOutcome, PaymentProvider, PaymentRequest,
    SavedCardCharge, SecretString, WebhookRequest,
};
use paykit_maya_checkout::{
    CardDetails, CardPayment, KeyPair, LinkCard, MayaCheckoutClient, MayaStatus, Person,
    RecordStatus, RedirectUrls, RefundAnswer, WebhookEvent, payment_outcome,
};
use paykit_testkit::fixture::{Callback, Scenario};
use paykit_testkit::{
    Described, describe_error, describe_event, describe_outcome, run_callbacks, run_provider,
    unknown_operation,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The contract clock: 12:00 Manila on 6 January 2026. Fixtures' "today" payments were made at
/// 09:00 Manila that day, "yesterday" ones on 5 January.
const CONTRACT_NOW: &str = "2026-01-06T04:00:00Z";

#[tokio::test]
async fn contract() {
    run_provider("maya-checkout", call).await;
}

#[tokio::test]
async fn callbacks() {
    run_callbacks("maya-checkout", verify).await;
}

#[test]
fn every_endpoint_has_a_fixture() {
    let root = paykit_testkit::fixture::fixtures_root().unwrap();
    let fixtures = paykit_testkit::fixture::load_provider(&root, "maya-checkout").unwrap();
    let seen: Vec<String> = fixtures
        .scenarios
        .iter()
        .flat_map(|s| {
            s.interactions
                .iter()
                .map(|i| format!("{} {}", i.request.method, i.request.path))
        })
        .collect();
    for (method, needle) in [
        ("POST", "/checkout/v1/checkouts"),
        ("GET", "/checkout/v1/checkouts/"),
        ("POST", "/payments/v1/payment-tokens"),
        ("POST", "/payments/v1/payments"),
        ("POST", "/payments/v1/customers"),
        ("GET", "/payments/v1/customers/"),
        ("PUT", "/payments/v1/customers/"),
        ("DELETE", "/payments/v1/customers/"),
        ("POST", "/cards"),
        ("PUT", "/cards/"),
        ("DELETE", "/cards/"),
        ("POST", "/payments"),
        ("POST", "/payby/v2/paymaya/payments"),
        ("POST", "/payby/v2/paymaya/link"),
        ("GET", "/payby/v2/paymaya/link/"),
        ("POST", "/execute"),
        ("DELETE", "/payby/v2/paymaya/link/"),
        ("GET", "/status"),
        ("GET", "/payments/v1/payment-rrns/"),
        ("POST", "/voids"),
        ("GET", "/voids"),
        ("POST", "/refunds"),
        ("GET", "/refunds"),
        ("POST", "/capture"),
        ("POST", "/cancel"),
        ("POST", "/checkout/v1/webhooks"),
        ("GET", "/checkout/v1/webhooks"),
        ("PUT", "/checkout/v1/webhooks/"),
        ("DELETE", "/checkout/v1/webhooks/"),
    ] {
        assert!(
            seen.iter()
                .any(|s| s.starts_with(method) && s.contains(needle)),
            "no fixture for {method} …{needle}"
        );
    }
    assert!(
        fixtures.scenarios.len() >= 60,
        "{}",
        fixtures.scenarios.len()
    );
}

fn client(base_url: &str, scenario: &Scenario) -> paykit_core::Result<MayaCheckoutClient> {
    let keys = match scenario.input.get("keys").and_then(Value::as_str) {
        Some("public_only") => KeyPair::public_only(SecretString::from(PK))?,
        Some("secret_only") => KeyPair::secret_only(SecretString::from(SK))?,
        _ => common::keys(),
    };
    MayaCheckoutClient::builder(paykit_maya_checkout::Environment::Sandbox, keys)
        .api_base_url(base_url)
        .executor_config(common::fast_executor())
        .clock(clock_at(CONTRACT_NOW))
        .build()
}

fn redirect() -> RedirectUrls {
    RedirectUrls::new(
        "https://shop.example.ph/r/10042?s=ok",
        "https://shop.example.ph/r/10042?s=fail",
        "https://shop.example.ph/r/10042?s=fail",
    )
}

fn outcome(result: paykit_core::Result<PaymentOutcome>) -> Described {
    result
        .map(|o| describe_outcome(&o))
        .map_err(|e| describe_error(&e))
}

fn done<T>(result: paykit_core::Result<T>, describe: impl FnOnce(T) -> Value) -> Described {
    result.map(describe).map_err(|e| describe_error(&e))
}

fn opt_money(scenario: &Scenario) -> Result<Option<Money>, Value> {
    match scenario.input_opt_str("amount")? {
        Some(_) => scenario.input_money("amount").map(Some),
        None => Ok(None),
    }
}

fn trait_request(scenario: &Scenario) -> Result<PaymentRequest, Value> {
    let mut request = PaymentRequest::new(scenario.input_money("amount")?);
    if let Some(order) = scenario.input_opt_str("order_id")? {
        request = request.order_id(order);
    }
    if let Some(url) = scenario.input_opt_str("return_url")? {
        request = request.return_url(url);
    }
    if let Some(url) = scenario.input_opt_str("fail_url")? {
        request = request.fail_url(url);
    }
    if scenario.input_opt_str("capture")? == Some("manual") {
        request = request.capture(paykit_core::CaptureMode::Manual);
    }
    Ok(request)
}

fn person(scenario: &Scenario) -> Person {
    serde_json::from_value(scenario.input["customer"].clone()).unwrap()
}

fn card_json(card: &paykit_maya_checkout::VaultedCard) -> Value {
    json!({
        "card_token_id": card.card_token_id,
        "state": card.state.as_ref().map(|s| s.as_str().to_owned()),
        "verification_url": card.verification_url,
        "usable": card.state.as_ref().is_some_and(|s| s.is_usable()),
    })
}

async fn call(scenario: Scenario, base_url: String) -> Described {
    let client = client(&base_url, &scenario).map_err(|e| describe_error(&e))?;
    let s = &scenario;
    match s.operation.as_str() {
        "create_payment" => outcome(client.create_payment(&trait_request(s)?).await),
        "get_payment" => outcome(client.get_payment(s.input_str("payment_id")?).await),
        "capture" => {
            let capture = PaymentProvider::capture(&client).unwrap();
            outcome(
                capture
                    .capture(s.input_str("payment_id")?, opt_money(s)?)
                    .await,
            )
        }
        "refund" => {
            let refund = PaymentProvider::refund(&client).unwrap();
            outcome(
                refund
                    .refund(s.input_str("payment_id")?, opt_money(s)?)
                    .await,
            )
        }
        "void" => {
            let void = PaymentProvider::void(&client).unwrap();
            outcome(void.void(s.input_str("payment_id")?).await)
        }
        "charge_saved_card" => {
            let recurring = PaymentProvider::recurring(&client).unwrap();
            let mut request = PaymentRequest::new(s.input_money("amount")?);
            if let Some(order) = s.input_opt_str("order_id")? {
                request = request.order_id(order);
            }
            if let Some(url) = s.input_opt_str("return_url")? {
                request = request.return_url(url);
            }
            let charge =
                SavedCardCharge::new(s.input_str("card_id")?, CardUsage::Recurring, request);
            outcome(recurring.charge_saved_card(&charge).await)
        }
        "save_card" => {
            let recurring = PaymentProvider::recurring(&client).unwrap();
            outcome(
                recurring
                    .save_card(&trait_request(s)?, CardUsage::Recurring)
                    .await,
            )
        }
        "delete_saved_card" => {
            let recurring = PaymentProvider::recurring(&client).unwrap();
            done(
                recurring.delete_saved_card(s.input_str("card_id")?).await,
                |()| json!({ "deleted": true }),
            )
        }
        "get_checkout" => done(
            client.get_checkout(s.input_str("checkout_id")?).await,
            |c| {
                let total = c.money().unwrap();
                json!({
                    "id": c.id,
                    "status": c.status.map(|s| s.as_str().to_owned()),
                    "payment_status": c.payment_status.map(|s| s.as_str().to_owned()),
                    "total": { "value": total.to_fixed_string(), "currency": total.currency().code() },
                })
            },
        ),
        "create_payment_token" => {
            let card = CardDetails::new(
                SecretString::from(s.input_str("number")?),
                s.input_str("exp_month")?,
                s.input_str("exp_year")?,
                SecretString::from(s.input_str("cvc")?),
            )
            .map_err(|e| describe_error(&e))?;
            done(client.create_payment_token(&card).await, |t| {
                json!({
                    "payment_token_id": t.payment_token_id,
                    "state": t.state.map(|s| s.as_str().to_owned()),
                })
            })
        }
        "create_card_payment" => {
            let payment = CardPayment::new(
                s.input_str("payment_token_id")?,
                &s.input_money("amount")?,
                s.input_str("order_id")?,
                redirect(),
            );
            done(client.create_card_payment(&payment).await, |p| {
                describe_outcome(&payment_outcome(&p, None, true))
            })
        }
        "create_customer" => done(
            client.create_customer(&person(s)).await,
            |c| json!({ "id": c.id }),
        ),
        "get_customer" => done(
            client.get_customer(s.input_str("customer_id")?).await,
            |c| json!({ "id": c.id }),
        ),
        "update_customer" => done(
            client
                .update_customer(s.input_str("customer_id")?, &person(s))
                .await,
            |c| json!({ "id": c.id }),
        ),
        "delete_customer" => done(
            client.delete_customer(s.input_str("customer_id")?).await,
            |()| json!({ "deleted": true }),
        ),
        "link_card" => done(
            client
                .link_card(
                    s.input_str("customer_id")?,
                    &LinkCard::new(s.input_str("payment_token_id")?, redirect()),
                )
                .await,
            |c| card_json(&c),
        ),
        "list_cards" => done(
            client.list_cards(s.input_str("customer_id")?).await,
            |cards| {
                json!({
                    "count": cards.len(),
                    "usable": cards.iter().map(|c| c.state.as_ref().is_some_and(|s| s.is_usable())).collect::<Vec<_>>(),
                })
            },
        ),
        "get_card" => done(
            client
                .get_card(s.input_str("customer_id")?, s.input_str("card_token_id")?)
                .await,
            |c| card_json(&c),
        ),
        "set_default_card" => done(
            client
                .set_default_card(s.input_str("customer_id")?, s.input_str("card_token_id")?)
                .await,
            |c| card_json(&c),
        ),
        "create_wallet_payment" => {
            let payment = paykit_maya_checkout::WalletPayment::new(
                &s.input_money("amount")?,
                s.input_str("order_id")?,
                redirect(),
            );
            done(
                client.create_wallet_payment(&payment).await,
                |c| json!({ "payment_id": c.payment_id, "redirect_url": c.redirect_url }),
            )
        }
        "get_wallet_link" => done(
            client.get_wallet_link(s.input_str("link_id")?).await,
            |l| json!({ "profile_id": l.profile_id, "usable": l.is_usable() }),
        ),
        "payment_status" => done(
            client.payment_status(s.input_str("payment_id")?).await,
            |a| json!({ "id": a.id, "status": a.status.as_str() }),
        ),
        "payments_by_reference" => done(
            client
                .payments_by_reference(s.input_str("reference")?)
                .await,
            |all| {
                let paid = all
                    .iter()
                    .find(|p| {
                        p.is_paid == Some(true)
                            || matches!(
                                p.status,
                                MayaStatus::PaymentSuccess | MayaStatus::Authorized
                            )
                    })
                    .map(|p| p.id.clone());
                json!({
                    "count": all.len(),
                    "ids": all.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
                    "paid": paid,
                })
            },
        ),
        "void_by_reference" => done(
            client
                .void_by_reference(
                    s.input_str("reference")?,
                    paykit_maya_checkout::DEFAULT_REASON,
                )
                .await,
            |v| {
                json!({
                    "id": v.id,
                    "payment": v.payment,
                    "status": v.status.map(|s| s.as_str().to_owned()),
                })
            },
        ),
        "void_record" => done(
            client
                .void_record(s.input_str("payment_id")?, s.input_str("void_id")?)
                .await,
            |v| json!({ "id": v.id, "status": v.status.map(|s| s.as_str().to_owned()) }),
        ),
        "refund_record" => done(
            client
                .refund_record(s.input_str("payment_id")?, s.input_str("refund_id")?)
                .await,
            |r| {
                json!({
                    "id": r.id,
                    "status": r.status.map(|s| s.as_str().to_owned()),
                    "amount": r.amount.map(|a| a.to_string()),
                })
            },
        ),
        "voids" => done(
            client.voids(s.input_str("payment_id")?).await,
            |v| json!({ "count": v.len() }),
        ),
        "refund_by_reference" => done(
            client
                .refund_by_reference(
                    s.input_str("reference")?,
                    &s.input_money("amount")?,
                    paykit_maya_checkout::DEFAULT_REASON,
                )
                .await,
            |answer| {
                let shape = match &answer {
                    RefundAnswer::Record(_) => "record",
                    RefundAnswer::Receipt(_) => "receipt",
                    _ => "ongoing",
                };
                json!({ "shape": shape, "success": answer.is_success() })
            },
        ),
        "refunds" => done(client.refunds(s.input_str("payment_id")?).await, |all| {
            let total: Decimal = all
                .iter()
                .filter(|r| r.status == Some(RecordStatus::Success))
                .filter_map(|r| r.amount)
                .sum();
            json!({ "count": all.len(), "refunded_total": total.to_string() })
        }),
        "cancel" => done(
            client.cancel(s.input_str("payment_id")?).await,
            |a| json!({ "status": a.status.map(|s| s.as_str().to_owned()) }),
        ),
        "create_webhook" => done(
            client
                .create_webhook(
                    &WebhookEvent::parse(s.input_str("event")?),
                    s.input_str("callback_url")?,
                )
                .await,
            |w| json!({ "id": w.id, "name": w.name.as_str() }),
        ),
        "webhooks" => done(client.webhooks().await, |all| {
            json!({
                "count": all.len(),
                "names": all.iter().map(|w| w.name.as_str().to_owned()).collect::<Vec<_>>(),
            })
        }),
        "webhook" => done(
            client.webhook(s.input_str("webhook_id")?).await,
            |w| json!({ "id": w.id, "name": w.name.as_str() }),
        ),
        "update_webhook" => done(
            client
                .update_webhook(
                    s.input_str("webhook_id")?,
                    &WebhookEvent::parse(s.input_str("event")?),
                    s.input_str("callback_url")?,
                )
                .await,
            |w| json!({ "id": w.id, "callback_url": w.callback_url }),
        ),
        "delete_webhook" => done(
            client.delete_webhook(s.input_str("webhook_id")?).await,
            |w| json!({ "id": w.id }),
        ),
        _ => unknown_operation(&scenario),
    }
}

/// Callbacks are verified at the vectors' clock with Maya's sandbox keys and the local test key.
async fn verify(callback: Callback) -> Described {
    let (headers, body) = (callback.header_map(), callback.body.to_bytes());
    let hook = receiver(NOW_MS);
    paykit_core::Webhook::verify(&hook, &WebhookRequest::new(&headers, &body))
        .await
        .map(|event| describe_event(&event))
        .map_err(|e| describe_error(&e))
}

#[test]
fn the_fake_keys_are_the_digests() {
    assert!(PK.starts_with("pk-") && SK.starts_with("sk-"));
    let basic = |key: &str| {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
        )
    };
    assert_eq!(basic(PK), common::PK_BASIC);
    assert_eq!(basic(SK), common::SK_BASIC);
    let _ = SecretString::from(SK).expose_secret().len();
    let _ = builder("http://127.0.0.1:1");
}
