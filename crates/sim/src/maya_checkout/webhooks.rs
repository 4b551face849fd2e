//! The webhook registry (§3.8, W1–W5: one registration per event name) and delivery (§6):
//! each event goes to the URL registered for its name, signed with the v1 signature at
//! every attempt (a fresh nonce and timestamp), retried on non-2xx or no answer after the
//! configured schedule (Maya: 5, 15 and 45 minutes), with the webhook faults applied.

use std::sync::Arc;
use std::time::Duration;

use super::errors::{self, Parameter, Product};
use super::settle::{self, Event};
use super::state::Webhook;
use super::validate::{self, Reader};
use super::{J, MayaCheckout, wire};
use crate::callback::{Delivery, Prepared};
use crate::faults::Injected;
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::signing::maya;
use crate::trigger::TriggerError;
use crate::urls::is_url;

/// The event names the registry accepts (§6.1).
const EVENTS: &[&str] = &[
    "PAYMENT_SUCCESS",
    "PAYMENT_FAILED",
    "PAYMENT_EXPIRED",
    "PAYMENT_CANCELLED",
    "AUTHORIZED",
    "CAPTURED",
    "DONE",
    "CHECKOUT_SUCCESS",
    "CHECKOUT_FAILURE",
    "CHECKOUT_DROPOUT",
    "CHECKOUT_CANCELLED",
    "3DS_PAYMENT_SUCCESS",
    "3DS_PAYMENT_FAILURE",
    "3DS_PAYMENT_DROPOUT",
    "RECURRING_PAYMENT_SUCCESS",
    "RECURRING_PAYMENT_FAILURE",
];

/// How long the reorder fault holds a delivery back, so later events overtake it.
const REORDER_DELAY: Duration = Duration::from_secs(1);

/// How far the stale-timestamp fault moves the timestamp into the past (beyond ±5 min).
const STALE_BY_MS: u64 = 10 * 60 * 1000;

fn no_webhook() -> SimResponse {
    errors::payment(404, "PY0038", "Webhook does not exist.")
}

fn duplicate() -> SimResponse {
    errors::payment(400, "PY0039", "Webhook already exists.")
}

/// `name` and `callbackUrl` of a create or update.
fn read(req: &SimRequest) -> Result<(String, String), SimResponse> {
    let obj = validate::body(req, false)?;
    let mut r = Reader::default();
    let name = r.string(&obj, "name", true, 64);
    let url = r.string(&obj, "callbackUrl", true, 2048);
    if name.as_deref().is_some_and(|n| !EVENTS.contains(&n)) {
        r.problems
            .push(Parameter::new("name", "name is not a supported event"));
    }
    if url.as_deref().is_some_and(|u| !is_url(u)) {
        r.problems.push(Parameter::new(
            "callbackUrl",
            "callbackUrl must be a valid URL",
        ));
    }
    r.finish(Product::Gateway)?;
    match (name, url) {
        (Some(name), Some(url)) => Ok((name, url)),
        _ => Err(errors::invalid(Product::Gateway, &[])),
    }
}

/// `POST /checkout/v1/webhooks`.
pub(crate) fn create(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let (name, callback_url) = match read(req) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    if state.webhooks.iter().any(|w| w.name == name) {
        return duplicate();
    }
    let hook = Webhook {
        id: random::uuid_v4(),
        name,
        callback_url,
        created_ms: now,
        updated_ms: now,
    };
    let body = wire::webhook(&hook);
    state.webhooks.push(hook);
    SimResponse::json(200, &body)
}

/// `GET /checkout/v1/webhooks`.
pub(crate) fn list(mc: &MayaCheckout) -> SimResponse {
    let state = lock(&mc.state);
    SimResponse::json(
        200,
        &J::Arr(state.webhooks.iter().map(wire::webhook).collect()),
    )
}

/// `GET /checkout/v1/webhooks/{id}`.
pub(crate) fn get(mc: &MayaCheckout, id: &str) -> SimResponse {
    let state = lock(&mc.state);
    state
        .webhooks
        .iter()
        .find(|w| w.id == id)
        .map_or_else(no_webhook, |w| SimResponse::json(200, &wire::webhook(w)))
}

/// `PUT /checkout/v1/webhooks/{id}`.
pub(crate) fn update(mc: &MayaCheckout, req: &SimRequest, id: &str) -> SimResponse {
    let (name, callback_url) = match read(req) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    if state.webhooks.iter().any(|w| w.name == name && w.id != id) {
        return duplicate();
    }
    let Some(hook) = state.webhooks.iter_mut().find(|w| w.id == id) else {
        return no_webhook();
    };
    hook.name = name;
    hook.callback_url = callback_url;
    hook.updated_ms = now;
    SimResponse::json(200, &wire::webhook(hook))
}

/// `DELETE /checkout/v1/webhooks/{id}`: answers the deleted registration.
pub(crate) fn delete(mc: &MayaCheckout, id: &str) -> SimResponse {
    let mut state = lock(&mc.state);
    let Some(at) = state.webhooks.iter().position(|w| w.id == id) else {
        return no_webhook();
    };
    let gone = state.webhooks.remove(at);
    SimResponse::json(200, &wire::webhook(&gone))
}

/// Sends every event to the URL registered for its name (unregistered events go nowhere).
pub(crate) fn fire(mc: &MayaCheckout, events: Vec<Event>) {
    if events.is_empty() {
        return;
    }
    let hooks: Vec<(String, String)> = lock(&mc.state)
        .webhooks
        .iter()
        .map(|w| (w.name.clone(), w.callback_url.clone()))
        .collect();
    for event in events {
        for (_, url) in hooks.iter().filter(|(name, _)| name == event.name) {
            deliver(mc, url, event.body.clone());
        }
    }
}

/// The webhook `id` (a payment id or a checkout id) fires now, for a trigger: the first of
/// its events with a registered webhook (or the first event, to `url`).
pub(crate) fn prepare(
    mc: &MayaCheckout,
    id: &str,
    url: Option<String>,
) -> Result<Prepared, TriggerError> {
    let provider = crate::ledger::LedgerProvider::MayaCheckout.name();
    let now = mc.now();
    let state = lock(&mc.state);
    let payment = state.payments.get(id).or_else(|| {
        state
            .checkouts
            .get(id)
            .and_then(|c| state.payments.get(&c.payment_id))
    });
    let Some(payment) = payment else {
        return Err(TriggerError::unknown(provider, id));
    };
    let events = settle::events(&state, payment, now);
    if events.is_empty() {
        return Err(TriggerError::not_yet(
            provider,
            id,
            payment.status.as_str(),
            "Maya fires webhooks for PAYMENT_SUCCESS, PAYMENT_FAILED, PAYMENT_EXPIRED, \
             PAYMENT_CANCELLED and AUTHORIZED payments (and 3-D Secure failures)",
        ));
    }
    let chosen = match url {
        Some(url) => events.into_iter().next().map(|e| (url, e.body)),
        None => events.into_iter().find_map(|e| {
            state
                .webhooks
                .iter()
                .find(|w| w.name == e.name)
                .map(|w| (w.callback_url.clone(), e.body))
        }),
    };
    drop(state);
    let Some((url, body)) = chosen else {
        return Err(TriggerError::no_url(
            provider,
            id,
            "a webhook registered with POST /checkout/v1/webhooks for one of its events",
        ));
    };
    Ok(Prepared::Scheduled(delivery(mc, &url, body)))
}

fn deliver(mc: &MayaCheckout, url: &str, body: J) {
    mc.ctx.dispatcher.deliver(delivery(mc, url, body));
}

/// `body` to `url`, signed at every attempt with the webhook faults rolled per attempt, on
/// the configured retry schedule.
fn delivery(mc: &MayaCheckout, url: &str, body: J) -> Delivery {
    let provider = crate::ledger::LedgerProvider::MayaCheckout.name();
    let faults = Arc::clone(mc.ctx.dispatcher.faults());
    let signer = Arc::clone(&mc.signer);
    let text = body.to_text();
    // The signature faults are rolled per attempt: each attempt is signed afresh.
    let headers = move |now_ms: u64| {
        if faults.roll(provider, Injected::UnsignedCallback) {
            return Vec::new();
        }
        let mut timestamp = now_ms;
        if faults.roll(provider, Injected::StaleTimestamp) {
            timestamp = now_ms.saturating_sub(STALE_BY_MS);
        }
        let Some(mut signed) = maya::sign(&signer, &body, timestamp) else {
            return Vec::new();
        };
        if faults.roll(provider, Injected::BadSignature) {
            signed.signature = corrupt(&signed.signature);
        }
        vec![
            ("x-maya-webhook-signature", signed.signature),
            ("x-maya-webhook-timestamp", signed.timestamp),
        ]
    };
    let retry_after_ms = mc
        .config
        .webhook_retry_schedule
        .iter()
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .collect();
    Delivery {
        provider,
        url: url.to_owned(),
        body: text,
        headers: Arc::new(headers),
        retry_after_ms,
        clock: Arc::clone(&mc.ctx.clock),
        reorder_delay: REORDER_DELAY,
    }
}

/// The signature with its last hex digit changed: well-formed, but it never verifies.
fn corrupt(signature: &str) -> String {
    let mut out = signature.to_owned();
    if let Some(last) = out.pop() {
        out.push(if last == '0' { '1' } else { '0' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::corrupt;

    #[test]
    fn corrupting_changes_only_the_last_digit() {
        assert_eq!(corrupt("nonce=a,v1=ab0"), "nonce=a,v1=ab1");
        assert_eq!(corrupt("nonce=a,v1=ab7"), "nonce=a,v1=ab0");
    }
}
