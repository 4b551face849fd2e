//! The running simulator: what `start` returns.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::bog::{Bog, CallbackUrls};
use crate::bog_payments::{self, BogPayments};
use crate::callback::{CallbackRecord, Dispatcher};
use crate::clock::SimClock;
use crate::config::SimConfig;
use crate::ctx::Ctx;
use crate::error::SimError;
use crate::faults::{FaultCounts, FaultState, Faults};
use crate::info::{
    BogInfo, BogPaymentsInfo, MaibInfo, MayaCheckoutInfo, MayaInfo, MayaSession, MiaposInfo,
};
use crate::ledger::{Ledger, LedgerBook, LedgerProvider};
use crate::maib::Maib;
use crate::maya::{self, Maya};
use crate::maya_checkout::MayaCheckout;
use crate::miapos::Miapos;
use crate::random;
use crate::server::{self, Provider};
use crate::signing::bog_payments::CallbackSigner;
use crate::signing::miapos::RsaSigner;
use crate::trigger::{self, TriggerError};

/// A running simulator of all six providers. Dropping it stops the listeners.
#[derive(Debug)]
pub struct Simulator {
    maib: MaibInfo,
    miapos: MiaposInfo,
    bog: BogInfo,
    maya: MayaInfo,
    maya_checkout: MayaCheckoutInfo,
    bog_payments: BogPaymentsInfo,
    clock: Arc<SimClock>,
    faults: Arc<FaultState>,
    dispatcher: Dispatcher,
    ledger: LedgerBook,
    providers: Vec<Arc<dyn Provider>>,
    bog_provider: Arc<Bog>,
    maya_provider: Arc<Maya>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

async fn bind(
    provider: &'static str,
    config: &SimConfig,
    port: u16,
) -> Result<server::Listener, SimError> {
    server::bind(SocketAddr::new(config.host, port))
        .await
        .map_err(|source| SimError::Bind { provider, source })
}

/// A signing key from PKCS#8 DER, or a fresh RSA-2048 key.
async fn signer(pkcs8: Option<Vec<u8>>) -> Result<RsaSigner, SimError> {
    match pkcs8 {
        Some(der) => RsaSigner::from_pkcs8(&der),
        None => tokio::task::spawn_blocking(RsaSigner::generate)
            .await
            .map_err(|e| SimError::Key(e.to_string()))?,
    }
    .map_err(|e| SimError::Key(e.0))
}

/// Starts the simulator: binds six listeners (maib, miaPOS, iPay, Maya Mini App, Bank of
/// Georgia Payments API, Maya's payment gateway) and serves them on the current Tokio runtime
/// until the returned [`Simulator`] is shut down or dropped.
///
/// # Errors
///
/// [`SimError::Bind`] when a port is taken, [`SimError::Key`] when a configured signing key
/// (miaPOS, Maya webhooks) is not an RSA PKCS#8 key, [`SimError::BogPaymentsKey`] when the
/// configured Payments API key is not, [`SimError::NoRuntime`] outside Tokio.
pub async fn start(config: SimConfig) -> Result<Simulator, SimError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| SimError::NoRuntime)?;
    // Key generation takes a while: the keys are made side by side, off the runtime.
    let payments_key = config.bog_payments.private_key_pkcs8.clone();
    let payments_signer = tokio::task::spawn_blocking(move || match payments_key {
        Some(der) => CallbackSigner::from_pkcs8(&der),
        None => CallbackSigner::generate(),
    });
    let (signer, webhook_signer) = tokio::try_join!(
        signer(config.miapos.private_key_pkcs8.clone()),
        signer(config.maya_checkout.webhook_private_key_pkcs8.clone()),
    )?;
    let payments_signer = payments_signer
        .await
        .map_err(|e| SimError::BogPaymentsKey(e.to_string()))?
        .map_err(SimError::BogPaymentsKey)?;

    let listeners = [
        bind("maib", &config, config.ports.maib).await?,
        bind("miapos", &config, config.ports.miapos).await?,
        bind("bog", &config, config.ports.bog).await?,
        bind("maya", &config, config.ports.maya).await?,
        bind("bog-payments", &config, config.ports.bog_payments).await?,
        bind("maya-checkout", &config, config.ports.maya_checkout).await?,
    ];
    let base_urls: Vec<String> = listeners
        .iter()
        .map(|l| format!("http://{}", l.addr()))
        .collect();
    let base = |i: usize| base_urls.get(i).cloned().unwrap_or_default();

    let clock = Arc::new(SimClock::default());
    let faults = Arc::new(FaultState::new(config.faults.clone()));
    let dispatcher =
        Dispatcher::new(runtime, Arc::clone(&faults)).map_err(|e| SimError::Http(e.to_string()))?;
    let ledger = LedgerBook::default();
    let ctx = |i: usize| Ctx {
        clock: Arc::clone(&clock),
        dispatcher: dispatcher.clone(),
        base_url: base(i),
        ledger: ledger.clone(),
        horizon_ms: config.retention.horizon_ms(),
        ledger_follows_eviction: config.ledger_follows_eviction,
    };

    let maib_info = MaibInfo {
        base_url: base(0),
        project_id: config.maib.project_id.clone(),
        project_secret: config.maib.project_secret.clone(),
        signature_key: config.maib.signature_key.clone(),
    };
    let miapos_info = MiaposInfo {
        base_url: base(1),
        merchant_id: config.miapos.merchant_id.clone(),
        secret_key: config.miapos.secret_key.clone(),
        terminal_id: config.miapos.terminal_id.clone(),
        rtp_terminal_id: config.miapos.rtp_terminal_id.clone(),
        public_key: signer.public_key_b64().to_owned(),
    };
    let bog_info = BogInfo {
        base_url: base(2),
        client_id: config.bog.client_id.clone(),
        secret_key: config.bog.secret_key.clone(),
    };
    let maya_info = MayaInfo {
        base_url: base(3),
        client_id: config.maya.client_id.clone(),
        client_secret: config.maya.client_secret.clone(),
        p2m_id: config.maya.p2m_id.clone(),
        token_url: format!("{}{}", base(3), maya::TOKEN_PATH),
    };
    let maya_checkout_info = MayaCheckoutInfo {
        base_url: base(5),
        public_key: config.maya_checkout.public_key.clone(),
        secret_key: config.maya_checkout.secret_key.clone(),
        webhook_public_key_pem: webhook_signer.public_key_pem(),
    };

    let bog_payments_info = BogPaymentsInfo {
        base_url: base(4),
        api_base: format!("{}{}", base(4), bog_payments::API_PREFIX),
        token_url: format!("{}{}", base(4), bog_payments::TOKEN_PATH),
        client_id: config.bog_payments.client_id.clone(),
        client_secret: config.bog_payments.client_secret.clone(),
        callback_public_key_pem: payments_signer.public_key_pem().to_owned(),
    };

    let bog_provider = Arc::new(Bog::new(ctx(2), config.bog.clone()));
    let maya_provider = Arc::new(Maya::new(ctx(3), config.maya.clone()));
    let providers: Vec<Arc<dyn Provider>> = vec![
        Arc::new(Maib::new(ctx(0), config.maib.clone())),
        Arc::new(Miapos::new(ctx(1), config.miapos.clone(), signer)),
        Arc::clone(&bog_provider) as Arc<dyn Provider>,
        Arc::clone(&maya_provider) as Arc<dyn Provider>,
        Arc::new(BogPayments::new(
            ctx(4),
            config.bog_payments.clone(),
            payments_signer,
        )),
        Arc::new(MayaCheckout::new(
            ctx(5),
            config.maya_checkout.clone(),
            webhook_signer,
        )),
    ];

    let limits = server::Limits {
        header_read_timeout: config.header_read_timeout,
        max_connections: config.max_connections.max(1),
    };
    let (shutdown, stop) = watch::channel(false);
    let tasks = listeners
        .into_iter()
        .zip(&providers)
        .map(|(listener, provider)| {
            listener.serve(
                Arc::clone(provider),
                dispatcher.clone(),
                limits,
                stop.clone(),
            )
        })
        .collect();
    tracing::info!(
        maib = %maib_info.base_url,
        miapos = %miapos_info.base_url,
        bog = %bog_info.base_url,
        maya = %maya_info.base_url,
        bog_payments = %bog_payments_info.base_url,
        maya_checkout = %maya_checkout_info.base_url,
        "paykit-sim: listening"
    );
    Ok(Simulator {
        maib: maib_info,
        miapos: miapos_info,
        bog: bog_info,
        maya: maya_info,
        bog_payments: bog_payments_info,
        maya_checkout: maya_checkout_info,
        clock,
        faults,
        dispatcher,
        ledger,
        providers,
        bog_provider,
        maya_provider,
        shutdown,
        tasks,
    })
}

impl Simulator {
    /// maib's base URL and test credentials.
    pub fn maib(&self) -> &MaibInfo {
        &self.maib
    }

    /// miaPOS's base URL, test credentials and callback public key.
    pub fn miapos(&self) -> &MiaposInfo {
        &self.miapos
    }

    /// iPay's base URL and test credentials.
    pub fn bog(&self) -> &BogInfo {
        &self.bog
    }

    /// Maya's (Mini App) base URL and test credentials.
    pub fn maya(&self) -> &MayaInfo {
        &self.maya
    }

    /// The Bank of Georgia Payments API's base URL, API base, token URL, test credentials
    /// and callback public key.
    pub fn bog_payments(&self) -> &BogPaymentsInfo {
        &self.bog_payments
    }

    /// Maya's payment gateway: base URL, the public and secret keys, and the public key
    /// its webhooks are signed with.
    pub fn maya_checkout(&self) -> &MayaCheckoutInfo {
        &self.maya_checkout
    }

    /// Base URLs and credentials of all six providers, as one JSON object:
    /// `{"maib":{"base_url",..,"project_id",..,"project_secret",..,"signature_key",..},
    /// "miapos":{"base_url",..,"merchant_id",..,"secret_key",..,"terminal_id",..},
    /// "bog":{"base_url",..,"client_id",..,"secret_key",..},
    /// "maya":{"base_url",..,"client_id",..,"client_secret",..,"p2m_id",..},
    /// "bog-payments":{"base_url",..,"api_base",..,"token_url",..,"client_id",..,
    /// "client_secret",..,"callback_public_key_pem",..},
    /// "maya-checkout":{"base_url",..,"public_key",..,"secret_key",..,
    /// "webhook_public_key_pem",..}}`.
    pub fn announcement(&self) -> Value {
        json!({
            "maib": {
                "base_url": self.maib.base_url,
                "project_id": self.maib.project_id,
                "project_secret": self.maib.project_secret,
                "signature_key": self.maib.signature_key,
            },
            "miapos": {
                "base_url": self.miapos.base_url,
                "merchant_id": self.miapos.merchant_id,
                "secret_key": self.miapos.secret_key,
                "terminal_id": self.miapos.terminal_id,
            },
            "bog": {
                "base_url": self.bog.base_url,
                "client_id": self.bog.client_id,
                "secret_key": self.bog.secret_key,
            },
            "maya": {
                "base_url": self.maya.base_url,
                "client_id": self.maya.client_id,
                "client_secret": self.maya.client_secret,
                "p2m_id": self.maya.p2m_id,
            },
            "bog-payments": {
                "base_url": self.bog_payments.base_url,
                "api_base": self.bog_payments.api_base,
                "token_url": self.bog_payments.token_url,
                "client_id": self.bog_payments.client_id,
                "client_secret": self.bog_payments.client_secret,
                "callback_public_key_pem": self.bog_payments.callback_public_key_pem,
            },
            "maya-checkout": {
                "base_url": self.maya_checkout.base_url,
                "public_key": self.maya_checkout.public_key,
                "secret_key": self.maya_checkout.secret_key,
                "webhook_public_key_pem": self.maya_checkout.webhook_public_key_pem,
            },
        })
    }

    /// Moves the simulator clock forward: tokens and payments expire as if `by` had passed,
    /// and settled payments past the retention horizon are forgotten, all before it returns.
    /// Expiry callbacks (miaPOS `EXPIRED`, iPay `error`, Payments API `rejected` with
    /// `reject_reason = expiration`) are sent at once.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
        for provider in &self.providers {
            provider.sweep(usize::MAX);
        }
    }

    /// How many payments the six providers hold right now (what the retention horizon
    /// bounds).
    pub fn live_payments(&self) -> usize {
        self.providers.iter().map(|p| p.live_payments()).sum()
    }

    /// How many payments the ledger records: every payment ever registered, unless
    /// [`SimConfig::with_ledger_following_eviction`] was set.
    pub fn ledger_len(&self) -> usize {
        self.ledger.len()
    }

    /// The simulator clock, in milliseconds since the Unix epoch.
    pub fn now_unix_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.faults.get()
    }

    /// How many faults `provider`'s listener and callbacks injected so far.
    pub fn fault_counts(&self, provider: LedgerProvider) -> FaultCounts {
        self.faults.counts(provider.name())
    }

    /// Replaces the faults in force (takes effect for the next request or callback).
    pub fn set_faults(&self, faults: Faults) {
        self.faults.set(faults);
    }

    /// What every provider actually did so far, per payment: registrations, charges, holds,
    /// captures, refunds, voids and executes, with amounts, including operations whose answer
    /// an injected fault replaced.
    pub fn ledger(&self) -> Ledger {
        self.ledger.snapshot()
    }

    /// Replaces iPay's merchant callback URLs: Payment Status Change and Payment Amount
    /// Return (`None` stops that kind of callback).
    pub fn set_bog_callback_urls(&self, status_url: Option<String>, refund_url: Option<String>) {
        self.bog_provider.set_callback_urls(CallbackUrls {
            status: status_url,
            refund: refund_url,
        });
    }

    /// Sends `payment_id`'s callback now, as `provider` would send it for the payment's
    /// current state (the same body and signing as its normal delivery), to `url` or else
    /// to the URL on record for the payment, and waits for the merchant's answer (at most
    /// 30 s). The attempt is recorded in [`Simulator::callbacks`] like any other; the
    /// returned record carries its outcome.
    ///
    /// The dropped-callback fault applies (the record says so), and so do the signature
    /// faults of header-signed callbacks (bad signature; Maya's stale timestamp and missing
    /// headers). A triggered callback is posted exactly once: it is never duplicated,
    /// reordered, resent or retried by the faults or the providers' schedules, since the
    /// caller waits for this one post (trigger again for a duplicate).
    ///
    /// Payment ids are what the provider's API returned: maib `payId`, miaPOS `paymentId`,
    /// iPay `order_id`, the Payments API's order id, Maya's gateway `paymentId` or checkout
    /// id.
    ///
    /// # Errors
    ///
    /// [`TriggerError::UnknownPayment`]; [`TriggerError::NoCallbacks`] for Maya's Mini
    /// App; [`TriggerError::NoCallbackYet`] for a state without a callback (e.g. a payment
    /// still waiting for the customer: which states have one is in the crate docs,
    /// "Control endpoints"); [`TriggerError::NoUrl`] when the payment has no callback URL
    /// on record and none is given; [`TriggerError::BadUrl`] when `url` is not an absolute
    /// http(s) URL.
    pub async fn trigger_callback(
        &self,
        provider: LedgerProvider,
        payment_id: &str,
        url: Option<&str>,
    ) -> Result<CallbackRecord, TriggerError> {
        let Some(target) = self.providers.iter().find(|p| p.name() == provider.name()) else {
            return Err(TriggerError::NoCallbacks {
                provider: provider.name(),
            });
        };
        target.sweep(crate::retention::REQUEST_SWEEP_BUDGET);
        trigger::run(target.as_ref(), &self.dispatcher, payment_id, url).await
    }

    /// Every callback sent (or dropped) so far, oldest first (the last 1000).
    pub fn callbacks(&self) -> Vec<CallbackRecord> {
        self.dispatcher.records()
    }

    /// Opens a Maya customer session, as when a customer taps the merchant's Mini App tile:
    /// mints a customer token pair and, when `session_url` is given, POSTs
    /// `{accessToken, refreshToken, expiresAt}` to it with a `Request-Reference-No` header and
    /// reads back its `{sessionId}` (maya.md §4.1).
    ///
    /// # Errors
    ///
    /// [`SimError::Session`] when the Session URL cannot be reached, answers non-2xx, or
    /// returns no `sessionId`.
    pub async fn open_maya_session(
        &self,
        session_url: Option<&str>,
    ) -> Result<MayaSession, SimError> {
        let mut session = self.maya_provider.new_session();
        let Some(url) = session_url else {
            return Ok(session);
        };
        let body = json!({
            "accessToken": session.access_token,
            "refreshToken": session.refresh_token,
            "expiresAt": session.expires_at,
        });
        let response = self
            .dispatcher
            .client()
            .post(url)
            .header("content-type", "application/json")
            .header("request-reference-no", random::uuid_v4())
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| SimError::Session(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(SimError::Session(format!("Session URL answered {status}")));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SimError::Session(e.to_string()))?;
        let session_id = crate::json::Object::parse(&bytes)
            .and_then(|o| o.str("sessionId").ok().flatten())
            .ok_or_else(|| SimError::Session("no sessionId in the answer".into()))?;
        session.session_id = Some(session_id);
        Ok(session)
    }

    /// Stops the listeners and waits for them to close. In-flight requests finish first.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
