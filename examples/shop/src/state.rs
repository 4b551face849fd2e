//! What every request handler shares.

use std::sync::Arc;

use paykit_core::SessionStore;
use paykit_sim::Simulator;

use crate::clients::Clients;
use crate::orders::OrderBook;

/// Paths the providers call (and the simulator is told about).
pub(crate) mod paths {
    /// maib's signed callbacks.
    pub(crate) const MAIB: &str = "/callbacks/maib";
    /// miaPOS's signed callbacks.
    pub(crate) const MIAPOS: &str = "/callbacks/miapos";
    /// iPay's Payment Status Change callbacks.
    pub(crate) const BOG_STATUS: &str = "/callbacks/ipay";
    /// iPay's Payment Amount Return (refund) callbacks.
    pub(crate) const BOG_REFUND: &str = "/callbacks/ipay-refund";
    /// The Payments API's signed callbacks (each order names this URL).
    pub(crate) const BOG_PAYMENTS: &str = "/callbacks/bog-payments";
    /// Maya's gateway webhooks (registered once, at start).
    pub(crate) const MAYA_CHECKOUT: &str = "/callbacks/maya-checkout";
    /// Maya's Session URL: the customer's token pair, pushed when the Mini App opens.
    pub(crate) const MAYA_SESSION: &str = "/maya/session";
}

/// The shop: its address, orders, clients and the simulator behind them.
pub(crate) struct ShopState {
    /// `http://127.0.0.1:port`, no trailing slash.
    pub(crate) base_url: String,
    pub(crate) book: OrderBook,
    pub(crate) clients: Clients,
    /// The embedded simulator: the providers' hosted pages, and the Maya app's stand-in.
    pub(crate) sim: Simulator,
    /// Maya customer sessions, by the `sessionId` the Session URL answered with.
    pub(crate) maya_sessions: Arc<dyn SessionStore>,
}

impl std::fmt::Debug for ShopState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The simulator's Debug shows its test credentials; the shop shows none.
        f.debug_struct("ShopState")
            .field("base_url", &self.base_url)
            .field("book", &self.book)
            .finish_non_exhaustive()
    }
}

impl ShopState {
    /// An absolute URL on the shop.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}
