//! The common ground of both sides: the embedded simulator, a paykit client per provider,
//! payments created and paid through those clients, and one real signed callback body per
//! provider, as the simulator sent it.

use std::net::Ipv4Addr;
use std::time::Duration;

use paykit_core::{
    Currency, Customer, Money, NextAction, PaymentProvider, PaymentRequest, SecretString,
};
use paykit_maib::MaibClient;
use paykit_miapos::MiaPos;
use paykit_sim::{SimConfig, Simulator};
use serde_json::{Value, json};

use crate::page;

/// Why preparing failed, in words.
pub(crate) type Failure = String;

/// What one provider's measurement works on.
pub(crate) struct Prepared {
    /// The provider's payments, each created through paykit and paid on its page.
    pub(crate) payment_ids: Vec<String>,
    /// The exact body of one callback the simulator sent for them.
    pub(crate) callback: String,
}

/// The simulator, the clients and what was prepared on it.
pub(crate) struct Ground {
    pub(crate) sim: Simulator,
    pub(crate) maib: MaibClient,
    pub(crate) miapos: MiaPos,
    pub(crate) maib_prepared: Prepared,
    pub(crate) miapos_prepared: Prepared,
}

impl Ground {
    /// What the Python side needs, as one JSON object: the simulator's announcement, the
    /// miaPOS callback key, and per provider the payment ids and the callback body.
    pub(crate) fn description(&self) -> Value {
        let side = |p: &Prepared| json!({"payment_ids": p.payment_ids, "callback": p.callback});
        json!({
            "announcement": self.sim.announcement(),
            "miapos_public_key": self.sim.miapos().public_key,
            "maib": side(&self.maib_prepared),
            "miapos": side(&self.miapos_prepared),
        })
    }
}

/// Where the simulator's callbacks go: the sink on maib's listener, so none fails.
fn callback_sink(sim: &Simulator) -> String {
    format!("{}/_sim/callbacks", sim.maib().base_url)
}

/// Starts the simulator (no faults, ephemeral ports) and prepares `payments` per provider.
pub(crate) async fn prepare(payments: usize) -> Result<Ground, Failure> {
    let sim = paykit_sim::start(SimConfig::default())
        .await
        .map_err(|e| format!("starting the simulator: {e}"))?;
    let m = sim.maib();
    let maib = MaibClient::builder(
        m.project_id.clone(),
        SecretString::from(m.project_secret.clone()),
    )
    .base_url(m.base_url.clone())
    .signature_key(SecretString::from(m.signature_key.clone()))
    .build()
    .map_err(|e| format!("maib client: {e}"))?;
    let p = sim.miapos();
    let miapos = MiaPos::builder(
        p.base_url.clone(),
        p.merchant_id.clone(),
        SecretString::from(p.secret_key.clone()),
    )
    .terminal_id(p.terminal_id.clone())
    .build()
    .map_err(|e| format!("miaPOS client: {e}"))?;
    let sink = callback_sink(&sim);
    let maib_ids = create_and_pay(&maib, "maib", payments, &sink).await?;
    let miapos_ids = create_and_pay(&miapos, "miapos", payments, &sink).await?;
    let maib_prepared = Prepared {
        callback: callback_body(&sim, "maib").await?,
        payment_ids: maib_ids,
    };
    let miapos_prepared = Prepared {
        callback: callback_body(&sim, "miapos").await?,
        payment_ids: miapos_ids,
    };
    Ok(Ground {
        sim,
        maib,
        miapos,
        maib_prepared,
        miapos_prepared,
    })
}

/// The amount of every payment: approved (only `.01` declines), and one whose value reads the
/// same in PHP and in Python. maib signs `10.00` as PHP renders the float, `10`; maib's Python
/// SDK renders the parsed float as `10.0` and rejects such a genuine callback, so a whole
/// amount would time its refusal instead of its verification.
const AMOUNT: &str = "10.25";

/// Creates `count` payments of [`AMOUNT`] MDL and pays each.
async fn create_and_pay(
    client: &dyn PaymentProvider,
    provider: &str,
    count: usize,
    sink: &str,
) -> Result<Vec<String>, Failure> {
    let amount = Money::parse(AMOUNT, Currency::MDL).map_err(|e| e.to_string())?;
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let request = PaymentRequest::new(amount)
            .order_id(format!("peers-{provider}-{index}"))
            .description("paykit peers bench")
            .language("en")
            .return_url("https://shop.example/paid")
            .callback_url(sink)
            .customer(Customer::default().ip(Ipv4Addr::LOCALHOST));
        let created = client
            .create_payment(&request)
            .await
            .map_err(|e| format!("{provider}: creating payment {index}: {e}"))?;
        let url = match &created.next_action {
            NextAction::Redirect { url } | NextAction::Checkout { url: Some(url), .. } => url,
            other => return Err(format!("{provider}: no payment page in {other:?}")),
        };
        page::open(url.as_str())
            .await
            .map_err(|e| format!("{provider}: paying payment {index}: {e}"))?;
        ids.push(created.provider_payment_id);
    }
    Ok(ids)
}

/// The body of the newest callback `provider` sent, waiting up to five seconds for it (they
/// go out in the background).
async fn callback_body(sim: &Simulator, provider: &str) -> Result<String, Failure> {
    for _ in 0..500 {
        let newest = sim
            .callbacks()
            .into_iter()
            .rev()
            .find(|record| record.provider == provider && !record.body.is_empty());
        if let Some(record) = newest {
            return Ok(record.body);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err(format!("{provider}: the simulator sent no callback"))
}
