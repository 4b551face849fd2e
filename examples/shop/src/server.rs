//! Starting the shop: the listener, the simulator, the clients and the routes.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use paykit_core::store::InMemorySessionStore;
use paykit_maya_checkout::WebhookEvent;
use paykit_sim::{SimConfig, Simulator};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clients::Clients;
use crate::orders::{Order, OrderBook};
use crate::state::{ShopState, paths};

/// How to start the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ShopConfig {
    /// The port on 127.0.0.1; `0` picks a free one.
    pub port: u16,
}

impl ShopConfig {
    /// Listens on `port` (`0`: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
}

/// Why the shop did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The port could not be bound.
    Bind(std::io::Error),
    /// The embedded simulator did not start.
    Simulator(paykit_sim::SimError),
    /// A provider client could not be built.
    Client(paykit_core::Error),
    /// The callback routes could not be built.
    Routes(paykit_axum::RouteError),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Bind(e) => write!(f, "cannot listen on 127.0.0.1: {e}"),
            StartError::Simulator(e) => write!(f, "cannot start the simulator: {e}"),
            StartError::Client(e) => write!(f, "cannot build a provider client: {e}"),
            StartError::Routes(e) => write!(f, "cannot build the callback routes: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// The running shop. Dropping it stops the server and the simulator.
#[derive(Debug)]
pub struct RunningShop {
    state: Arc<ShopState>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Starts the simulator and the shop on the current Tokio runtime.
///
/// # Errors
///
/// [`StartError`] when the port is taken, the simulator does not start, or a client cannot be
/// built.
pub async fn start(config: ShopConfig) -> Result<RunningShop, StartError> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)))
        .await
        .map_err(StartError::Bind)?;
    let address = listener.local_addr().map_err(StartError::Bind)?;
    let base_url = format!("http://{address}");
    let sim = paykit_sim::start(SimConfig::default())
        .await
        .map_err(StartError::Simulator)?;
    // iPay's callback URLs are merchant settings, not part of the payment request.
    sim.set_bog_callback_urls(
        Some(format!("{base_url}{}", paths::BOG_STATUS)),
        Some(format!("{base_url}{}", paths::BOG_REFUND)),
    );
    let clients = Clients::for_simulator(&sim).map_err(StartError::Client)?;
    // Maya's gateway sends webhooks to the URLs registered for each event, not per payment.
    let webhook_url = format!("{base_url}{}", paths::MAYA_CHECKOUT);
    for event in [
        WebhookEvent::PaymentSuccess,
        WebhookEvent::PaymentFailed,
        WebhookEvent::PaymentExpired,
    ] {
        clients
            .maya_checkout
            .create_webhook(&event, &webhook_url)
            .await
            .map_err(StartError::Client)?;
    }
    let state = Arc::new(ShopState {
        base_url,
        book: OrderBook::default(),
        clients,
        sim,
        maya_sessions: Arc::new(InMemorySessionStore::new()),
    });
    let app = crate::routes::router(Arc::clone(&state)).map_err(StartError::Routes)?;
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%error, "the shop's server stopped");
        }
    });
    tracing::info!(url = %state.base_url, "shop: listening");
    Ok(RunningShop {
        state,
        stop,
        task: Some(task),
    })
}

impl RunningShop {
    /// The shop's address, e.g. `http://127.0.0.1:41234`: open it in a browser.
    pub fn url(&self) -> &str {
        &self.state.base_url
    }

    /// Every order, newest first.
    pub fn orders(&self) -> Vec<Order> {
        self.state.book.all()
    }

    /// The order `id`.
    pub fn order(&self, id: &str) -> Option<Order> {
        self.state.book.get(id)
    }

    /// The embedded simulator (its ledger, the callbacks it sent).
    pub fn simulator(&self) -> &Simulator {
        &self.state.sim
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningShop {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
