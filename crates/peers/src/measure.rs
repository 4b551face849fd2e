//! paykit's side: status calls and callback verification, as a merchant runs them.

use std::time::Duration;

use paykit_core::{PaymentProvider, SecretString, Webhook, WebhookRequest};
use paykit_maib::MaibWebhook;
use paykit_miapos::MiaPosWebhook;
use serde_json::{Value, json};

use crate::prepare::{Failure, Ground};
use crate::timing::{Measurement, run_for};

/// The id at position `i`, cycling.
fn nth(ids: &[String], i: u64) -> &str {
    let len = u64::try_from(ids.len()).unwrap_or(u64::MAX).max(1);
    usize::try_from(i % len)
        .ok()
        .and_then(|i| ids.get(i))
        .map_or("", String::as_str)
}

/// Sequential `get_payment` calls through one reused client, cycling over `ids`.
async fn status_calls(
    client: &dyn PaymentProvider,
    ids: &[String],
    budget: Duration,
) -> Result<Measurement, Failure> {
    run_for(budget, |i| {
        let id = nth(ids, i);
        async move { client.get_payment(id).await.map(|_| ()) }
    })
    .await
    .map_err(|e| format!("get_payment: {e}"))
}

/// Measures both providers on `ground`, each metric for `budget`; the numbers as JSON
/// (`{"maib":{"status":{"ops","elapsed_ns"},"verify":{..}},"miapos":{..}}`).
pub(crate) async fn measure(ground: &Ground, budget: Duration) -> Result<Value, Failure> {
    let maib_status = status_calls(&ground.maib, &ground.maib_prepared.payment_ids, budget).await?;
    let miapos_status =
        status_calls(&ground.miapos, &ground.miapos_prepared.payment_ids, budget).await?;

    // maib: the raw bytes as they arrive, through `Webhook::verify` as a merchant's route calls
    // it (and as `cargo xtask bench` measures it against its floor): signature, duplicate keys,
    // decisive-field shapes and the event, on every call.
    let key = SecretString::from(ground.sim.maib().signature_key.clone());
    let maib_hook = MaibWebhook::new(key).map_err(|e| format!("maib webhook: {e}"))?;
    let maib_body = ground.maib_prepared.callback.as_bytes();
    let maib_verify = run_for(budget, |_| {
        let hook = &maib_hook;
        async move {
            hook.verify(&WebhookRequest::body_only(maib_body))
                .await
                .map(|_| ())
        }
    })
    .await
    .map_err(|e| format!("maib verify: {e}"))?;

    // miaPOS: the key parsed once, as a merchant's long-lived webhook holds it.
    let miapos_hook = MiaPosWebhook::from_spki_base64(&ground.sim.miapos().public_key)
        .map_err(|e| format!("miaPOS key: {e}"))?;
    let miapos_body = ground.miapos_prepared.callback.as_bytes();
    let miapos_verify = run_for(budget, |_| {
        let hook = &miapos_hook;
        async move { hook.verify_callback(miapos_body).await.map(|_| ()) }
    })
    .await
    .map_err(|e| format!("miaPOS verify: {e}"))?;

    Ok(json!({
        "maib": {"status": maib_status.to_json(), "verify": maib_verify.to_json()},
        "miapos": {"status": miapos_status.to_json(), "verify": miapos_verify.to_json()},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_taken_in_turn() {
        let ids: Vec<String> = ["a", "b", "c"].map(str::to_owned).to_vec();
        let taken: Vec<&str> = (0..7).map(|i| nth(&ids, i)).collect();
        assert_eq!(taken, ["a", "b", "c", "a", "b", "c", "a"]);
        assert_eq!(nth(&[], 5), "");
    }

    /// The whole paykit side against a real simulator, briefly: every callback verifies and
    /// every status call succeeds, so a number printed is a number of successes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_providers_are_measured_on_real_payments() {
        let ground = crate::prepare::prepare(3).await.unwrap();
        assert_eq!(ground.maib_prepared.payment_ids.len(), 3);
        assert!(ground.maib_prepared.callback.contains("\"signature\""));
        assert!(ground.miapos_prepared.callback.contains("\"signature\""));
        let numbers = measure(&ground, Duration::from_millis(50)).await.unwrap();
        for provider in ["maib", "miapos"] {
            for metric in ["status", "verify"] {
                let m = &numbers[provider][metric];
                assert!(m["ops"].as_u64().unwrap() >= 16, "{provider} {metric}: {m}");
                assert!(m["elapsed_ns"].as_u64().unwrap() >= 50_000_000);
            }
        }
        let description = ground.description();
        assert_eq!(
            description["maib"]["payment_ids"].as_array().unwrap().len(),
            3
        );
        assert!(description["announcement"]["maib"]["base_url"].is_string());
        assert!(description["miapos_public_key"].is_string());
    }
}
