//! Starting the simulator, building the clients, running every flow, and the report.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use paykit_bog::{BogClient, InMemoryOrderStore, OrderStore};
use paykit_bog_payments::BogPaymentsClient;
use paykit_core::{InMemoryPaymentRecords, PaymentProvider, PaymentRecords, SecretString};
use paykit_maib::MaibClient;
use paykit_maya::MayaClient;
use paykit_maya_checkout::{Environment, KeyPair, MayaCheckoutClient};
use paykit_miapos::MiaPos;
use paykit_sim::{Faults, LedgerProvider, SimConfig, Simulator};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::Env;
use crate::check::Check;
use crate::drive::maya_checkout::MayaCheckoutSoak;
use crate::drive::{self, FlowLog};
use crate::reconcile;
use crate::report::{ProviderReport, Report};
use crate::rng::Rng;

/// How long the simulator keeps settled payments: longer than the simulated day the clock moves
/// for Maya's refunds, so the sweep after them still finds every payment of the run.
const RETENTION: Duration = Duration::from_secs(3 * 24 * 3600);

/// How big a soak is and how hard it is hit.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SoakConfig {
    /// Payments per provider (each with its captures and refunds).
    pub payments_per_provider: u64,
    /// Payments in flight at once, per provider.
    pub concurrency: usize,
    /// The seed of the plan (amounts, flows, partial amounts).
    pub seed: u64,
    /// The faults the simulator injects.
    pub faults: Faults,
}

impl Default for SoakConfig {
    fn default() -> Self {
        Self {
            payments_per_provider: 1000,
            concurrency: 24,
            seed: 11,
            faults: default_faults(),
        }
    }
}

impl SoakConfig {
    /// Sets the payments per provider.
    #[must_use]
    pub fn payments(mut self, n: u64) -> Self {
        self.payments_per_provider = n;
        self
    }

    /// Sets the seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the payments in flight per provider (at least 1).
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Sets the faults.
    #[must_use]
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }
}

/// The soak's faults: 1 ms latency on every API call, 10 % of API calls failed with a 5xx
/// before processing and 10 % after, 30 % of callbacks dropped, and each token endpoint down
/// for its first 5 requests.
pub fn default_faults() -> Faults {
    Faults::none()
        .with_latency(Duration::from_millis(1))
        .with_error_rate(10)
        .with_error_after_processing_rate(10)
        .with_dropped_callbacks(30)
        .with_token_failures(5)
}

/// Why a soak could not run at all.
#[derive(Debug, Clone)]
pub struct SoakError(String);

impl fmt::Display for SoakError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SoakError {}

fn fail(what: &str) -> impl FnOnce(paykit_core::Error) -> SoakError + '_ {
    move |e| SoakError(format!("{what}: {e}"))
}

/// One client per provider, pointed at the simulator. maib, iPay and the Payments API write to
/// one shared payment-record store, as a merchant's instances would to one database, and the
/// reconciliation phase sweeps it. Maya's gateway writes to a store of its own, swept after its
/// refunds, which run a simulated day later than everything else (the simulator keeps settled
/// payments for [`RETENTION`], longer than that day, so the sweep finds them).
pub(crate) struct Clients {
    pub(crate) maib: MaibClient,
    pub(crate) miapos: MiaPos,
    pub(crate) bog: BogClient,
    pub(crate) maya: MayaClient,
    pub(crate) bog_payments: BogPaymentsClient,
    pub(crate) maya_checkout: MayaCheckoutClient,
}

pub(crate) fn clients(
    sim: &Simulator,
    records: Arc<dyn PaymentRecords>,
    maya_checkout_records: Arc<dyn PaymentRecords>,
) -> Result<Clients, SoakError> {
    let m = sim.maib();
    let maib = MaibClient::builder(
        m.project_id.clone(),
        SecretString::from(m.project_secret.clone()),
    )
    .base_url(m.base_url.clone())
    .signature_key(SecretString::from(m.signature_key.clone()))
    .payment_records(Arc::clone(&records))
    .build()
    .map_err(fail("maib client"))?;
    let p = sim.miapos();
    let miapos = MiaPos::builder(
        p.base_url.clone(),
        p.merchant_id.clone(),
        SecretString::from(p.secret_key.clone()),
    )
    .terminal_id(p.terminal_id.clone())
    .build()
    .map_err(fail("miapos client"))?;
    let b = sim.bog();
    let store: Arc<dyn OrderStore> = Arc::new(InMemoryOrderStore::new());
    let bog = BogClient::builder(
        b.client_id.clone(),
        SecretString::from(b.secret_key.clone()),
    )
    .base_url(format!("{}/opay/api/v1", b.base_url))
    .order_store(store)
    .payment_records(Arc::clone(&records))
    .build()
    .map_err(fail("bog client"))?;
    let y = sim.maya();
    let maya = MayaClient::builder(
        y.client_id.clone(),
        SecretString::from(y.client_secret.clone()),
    )
    .api_base_url(y.base_url.clone())
    .token_url(y.token_url.clone())
    .p2m_id(y.p2m_id.clone())
    .build()
    .map_err(fail("maya client"))?;
    let g = sim.bog_payments();
    let bog_payments = BogPaymentsClient::builder(
        g.client_id.clone(),
        SecretString::from(g.client_secret.clone()),
    )
    .api_base(g.api_base.clone())
    .token_url(g.token_url.clone())
    .callback_key(g.callback_public_key_pem.clone())
    .only_configured_callback_keys()
    .payment_records(Arc::clone(&records))
    .build()
    .map_err(fail("bog-payments client"))?;
    let c = sim.maya_checkout();
    let maya_checkout = KeyPair::new(
        SecretString::from(c.public_key.clone()),
        SecretString::from(c.secret_key.clone()),
    )
    .and_then(|keys| {
        MayaCheckoutClient::builder(Environment::Sandbox, keys)
            .api_base_url(c.base_url.clone())
            .records(maya_checkout_records)
            .build()
    })
    .map_err(fail("maya-checkout client"))?;
    Ok(Clients {
        maib,
        miapos,
        bog,
        maya,
        bog_payments,
        maya_checkout,
    })
}

/// Points Maya's gateway webhooks at the simulator's sink, so the dropped-callback fault has
/// deliveries to drop (the soak reconciles by lookups, not by webhooks). The registration is
/// faulted like any call: a few attempts, and a soak without webhooks still runs.
async fn register_maya_webhooks(client: &MayaCheckoutClient, sink: &str) {
    use paykit_maya_checkout::WebhookEvent;
    for event in [WebhookEvent::PaymentSuccess, WebhookEvent::PaymentFailed] {
        for attempt in 0..drive::MAX_ATTEMPTS {
            if client.create_webhook(&event, sink).await.is_ok() {
                break;
            }
            drive::pause(attempt).await;
        }
    }
}

/// Milliseconds in a day, and Manila's offset from UTC (UTC+8 all year).
const DAY_MS: u64 = 24 * 3600 * 1000;
const MANILA_OFFSET_MS: u64 = 8 * 3600 * 1000;

/// How far to move the simulator's clock to reach 01:00 of the next Manila day.
fn to_next_manila_day(now_ms: u64) -> Duration {
    let day = now_ms.saturating_add(MANILA_OFFSET_MS) / DAY_MS;
    let next_midnight = day
        .saturating_add(1)
        .saturating_mul(DAY_MS)
        .saturating_sub(MANILA_OFFSET_MS);
    let at = next_midnight.saturating_add(3600 * 1000);
    Duration::from_millis(at.saturating_sub(now_ms))
}

/// Runs `flow` over `items`, at most `concurrency` at once.
async fn soak_items<T, F, Fut>(items: Vec<T>, concurrency: usize, flow: F) -> (Vec<Check>, u64)
where
    T: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = FlowLog> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for item in items {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let run = flow(item);
        tasks.spawn(async move {
            let log = run.await;
            drop(slot);
            log
        });
    }
    let (mut checks, mut abandoned) = (Vec::new(), 0_u64);
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(log) => {
                checks.extend(log.checks);
                abandoned = abandoned.saturating_add(log.abandoned);
            }
            Err(_) => abandoned = abandoned.saturating_add(1),
        }
    }
    (checks, abandoned)
}

/// Runs `flow` for payments `0..n`, at most `concurrency` at once.
async fn soak_provider<C, F, Fut>(
    env: Arc<Env>,
    client: Arc<C>,
    n: u64,
    concurrency: usize,
    mut rng: Rng,
    flow: F,
) -> (Vec<Check>, u64)
where
    C: Send + Sync + 'static,
    F: Fn(Arc<Env>, Arc<C>, u64, Rng) -> Fut,
    Fut: Future<Output = FlowLog> + Send + 'static,
{
    // Each payment's generator forked in index order, as the flows always got them.
    let items: Vec<(u64, Rng)> = (0..n).map(|index| (index, rng.fork())).collect();
    soak_items(items, concurrency, |(index, rng)| {
        flow(Arc::clone(&env), Arc::clone(&client), index, rng)
    })
    .await
}

/// Runs a soak on the current Tokio runtime and reports it.
///
/// # Errors
///
/// [`SoakError`] when the simulator cannot start or a client cannot be built; findings are
/// in the [`Report`], not errors.
pub async fn run(config: SoakConfig) -> Result<Report, SoakError> {
    let started = Instant::now();
    let sim = paykit_sim::start(
        SimConfig::default()
            .with_faults(config.faults.clone())
            .with_retention(RETENTION),
    )
    .await
    .map_err(|e| SoakError(format!("simulator: {e}")))?;
    let sim = Arc::new(sim);
    let records = Arc::new(InMemoryPaymentRecords::new());
    let maya_checkout_records = Arc::new(InMemoryPaymentRecords::new());
    let c = clients(&sim, records.clone(), maya_checkout_records.clone())?;
    let (maib_client, bog_client) = (Arc::new(c.maib), Arc::new(c.bog));
    let bog_payments_client = Arc::new(c.bog_payments);
    let maya_checkout = Arc::new(MayaCheckoutSoak::new(c.maya_checkout));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| SoakError(format!("http client: {e}")))?;
    let callback_sink = format!("{}/_sim/callbacks", sim.maib().base_url);
    sim.set_bog_callback_urls(Some(callback_sink.clone()), Some(callback_sink.clone()));
    let env = Arc::new(Env {
        sim: Arc::clone(&sim),
        http,
        seed: config.seed,
        callback_sink,
    });
    register_maya_webhooks(&maya_checkout.client, &env.callback_sink).await;
    let mut rng = Rng::new(config.seed);
    let (n, k) = (config.payments_per_provider, config.concurrency);
    let (maib, miapos, bog, maya, bog_payments, mut maya_checkout_run) = tokio::join!(
        soak_provider(
            Arc::clone(&env),
            Arc::clone(&maib_client),
            n,
            k,
            rng.fork(),
            |env, client, i, rng| async move { drive::maib::flow(&env, &client, i, rng).await },
        ),
        soak_provider(
            Arc::clone(&env),
            Arc::new(c.miapos),
            n,
            k,
            rng.fork(),
            |env, client, i, rng| async move { drive::miapos::flow(&env, &client, i, rng).await },
        ),
        soak_provider(
            Arc::clone(&env),
            Arc::clone(&bog_client),
            n,
            k,
            rng.fork(),
            |env, client, i, rng| async move { drive::bog::flow(&env, &client, i, rng).await },
        ),
        soak_provider(
            Arc::clone(&env),
            Arc::new(c.maya),
            n,
            k,
            rng.fork(),
            |env, client, i, rng| async move { drive::maya::flow(&env, &client, i, rng).await },
        ),
        soak_provider(
            Arc::clone(&env),
            Arc::clone(&bog_payments_client),
            n,
            k,
            rng.fork(),
            |env, client, i, rng| async move { drive::bog_payments::flow(&env, &client, i, rng).await },
        ),
        soak_provider(
            Arc::clone(&env),
            Arc::clone(&maya_checkout),
            n,
            k,
            rng.fork(),
            |env, soak, i, rng| async move { drive::maya_checkout::flow(&env, &soak, i, rng).await },
        ),
    );
    let faults: Vec<_> = [
        LedgerProvider::Maib,
        LedgerProvider::Miapos,
        LedgerProvider::Bog,
        LedgerProvider::Maya,
        LedgerProvider::BogPayments,
    ]
    .into_iter()
    .map(|provider| (provider, sim.fault_counts(provider)))
    .collect();
    let writers: [(LedgerProvider, Arc<dyn PaymentProvider>); 3] = [
        (LedgerProvider::Maib, maib_client),
        (LedgerProvider::Bog, bog_client),
        (LedgerProvider::BogPayments, bog_payments_client),
    ];
    let reconciled = reconcile::reconcile(&sim, &records, &writers).await;
    drop(writers);
    let ledger = sim.ledger();
    // Maya refunds from the next Manila day only: with everything else done and reconciled,
    // the faults come back, the clock moves on a day, and the planned refunds run.
    sim.set_faults(config.faults.clone());
    sim.advance(to_next_manila_day(sim.now_unix_ms()));
    let plans = maya_checkout.take_plans();
    let soak = Arc::clone(&maya_checkout);
    let (refund_checks, refund_abandoned) = soak_items(plans, k, move |plan| {
        let soak = Arc::clone(&soak);
        async move { drive::maya_checkout::refund_flow(&soak, plan).await }
    })
    .await;
    maya_checkout_run.0.extend(refund_checks);
    // The faults stop again in the sweep.
    let maya_writer: [(LedgerProvider, Arc<dyn PaymentProvider>); 1] = [(
        LedgerProvider::MayaCheckout,
        Arc::new(maya_checkout.client.clone()),
    )];
    let maya_reconciled = reconcile::reconcile(&sim, &maya_checkout_records, &maya_writer).await;
    drop(maya_writer);
    maya_checkout_run.1 = maya_checkout_run.1.saturating_add(refund_abandoned);
    let maya_checkout_faults = sim.fault_counts(LedgerProvider::MayaCheckout);
    let maya_checkout_report = ProviderReport::build(
        LedgerProvider::MayaCheckout,
        &maya_checkout_run.0,
        maya_checkout_run.1,
        &sim.ledger(),
        maya_checkout_faults,
    );
    let mut providers: Vec<(LedgerProvider, ProviderReport)> = [
        (LedgerProvider::Maib, maib),
        (LedgerProvider::Miapos, miapos),
        (LedgerProvider::Bog, bog),
        (LedgerProvider::Maya, maya),
        (LedgerProvider::BogPayments, bog_payments),
    ]
    .into_iter()
    .map(|(provider, (checks, abandoned))| {
        let faults = faults
            .iter()
            .find(|(p, _)| *p == provider)
            .map(|(_, counts)| *counts)
            .unwrap_or_default();
        (
            provider,
            ProviderReport::build(provider, &checks, abandoned, &ledger, faults),
        )
    })
    .collect();
    providers.push((LedgerProvider::MayaCheckout, maya_checkout_report));
    for (provider, tally, findings) in reconciled
        .providers
        .into_iter()
        .chain(maya_reconciled.providers)
    {
        if let Some((_, report)) = providers.iter_mut().find(|(p, _)| *p == provider) {
            report.records = Some(tally);
            report.findings.extend(findings);
        }
    }
    drop(env);
    drop(maya_checkout);
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
    Ok(Report {
        providers,
        seed: config.seed,
        wall_ms: started.elapsed().as_millis(),
        sweeps: reconciled.sweeps.saturating_add(maya_reconciled.sweeps),
        reconcile_ms: reconciled
            .took
            .saturating_add(maya_reconciled.took)
            .as_millis(),
    })
}
