//! The callback routes, mounted with paykit-axum: one route per provider, each verifying the
//! raw body, claiming the callback and answering as the provider expects; the shop's part is
//! [`ShopEvents`], which marks the order.

use std::sync::Arc;

use axum::Router;
use paykit_axum::{CallbackHandler, CallbackRoutes, HandlerError, RouteError};
use paykit_core::{VerifiedEvent, async_trait};

use crate::events::ShopEvents;
use crate::state::{ShopState, paths};

#[async_trait]
impl CallbackHandler for ShopEvents {
    async fn handle(&self, event: &VerifiedEvent) -> Result<(), HandlerError> {
        // An error releases paykit-axum's claim and answers 5xx: the provider delivers again.
        self.on_event(event).await.map_err(HandlerError::from)
    }
}

/// The callback routes over `state`.
pub(crate) fn router(state: &Arc<ShopState>) -> Result<Router, RouteError> {
    let clients = &state.clients;
    CallbackRoutes::new(ShopEvents::new(Arc::clone(state)))
        .maib(paths::MAIB, clients.maib.clone())
        .miapos(paths::MIAPOS, clients.miapos.clone())
        .bog(paths::BOG_STATUS, clients.bog_webhook.clone())
        .bog(paths::BOG_REFUND, clients.bog_webhook.clone())
        .bog_payments(paths::BOG_PAYMENTS, clients.bog_payments.clone())
        .maya_checkout(
            paths::MAYA_CHECKOUT,
            clients.maya_checkout_webhook.clone(),
            clients.maya_checkout.clone(),
        )
        .maya_session(
            paths::MAYA_SESSION,
            clients.maya.clone(),
            Arc::clone(&state.maya_sessions),
        )
        .into_router()
}
