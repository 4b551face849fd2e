//! Maya Mini App payments as a browser flow.
//!
//! Maya has no hosted payment page: the buyer taps the shop's tile in the Maya app, Maya
//! pushes the buyer's token pair to the shop's Session URL and opens the shop's landing page
//! with the `sessionId` the shop answered; the shop then creates and executes the payment in
//! that session (maya.md §4.1). Here the simulator plays the app: the shop's "Maya app" page
//! stands for the tile, and its button has the simulator push the session
//! ([`paykit_sim::Simulator::open_maya_session`]) to the Session URL, which paykit-axum serves
//! and stores.

use paykit_core::PaymentRequest;

use crate::checkout::order_path;
use crate::error::ShopError;
use crate::orders::Order;
use crate::provider::Provider;
use crate::state::{ShopState, paths};

/// The Maya order `id`, still waiting for its payment.
fn pending_maya_order(state: &ShopState, id: &str) -> Result<Order, ShopError> {
    let order = state
        .book
        .get(id)
        .ok_or_else(|| ShopError::NotFound(format!("order {id}")))?;
    if order.provider != Provider::Maya {
        return Err(ShopError::BadRequest(format!(
            "order {id} is not paid with Maya"
        )));
    }
    Ok(order)
}

/// The tile is tapped: Maya pushes a session to the Session URL, and the app opens the
/// landing page with its `sessionId`. Returns the landing page's path.
pub(crate) async fn open(state: &ShopState, id: &str) -> Result<String, ShopError> {
    let order = pending_maya_order(state, id)?;
    let session = state
        .sim
        .open_maya_session(Some(&state.url(paths::MAYA_SESSION)))
        .await
        .map_err(|e| ShopError::Provider(format!("Maya could not open the Mini App: {e}")))?;
    let session_id = session
        .session_id
        .ok_or_else(|| ShopError::Provider("the Session URL gave Maya no sessionId".into()))?;
    Ok(format!(
        "/maya/landing?order={}&sessionId={session_id}",
        order.id
    ))
}

/// The landing page is opened with `session_id`: the stored session is looked up and bound to
/// the order, once (the `sessionId` is single use).
pub(crate) async fn land(
    state: &ShopState,
    id: &str,
    session_id: &str,
) -> Result<Order, ShopError> {
    let order = pending_maya_order(state, id)?;
    state
        .clients
        .maya
        .shared_session(state.maya_sessions.clone(), session_id)
        .await
        .map_err(|_| ShopError::BadRequest("this Maya session is unknown".into()))?;
    if !state.book.bind_maya_session(&order.id, session_id) {
        return Err(ShopError::BadRequest(
            "this Maya link was already used; open the Mini App again".into(),
        ));
    }
    Ok(order)
}

/// The buyer approves: the payment is created and executed in the buyer's session. Returns
/// the order page's path.
pub(crate) async fn pay(state: &ShopState, id: &str) -> Result<String, ShopError> {
    let order = pending_maya_order(state, id)?;
    let session_id = state.book.begin_maya_payment(&order.id).ok_or_else(|| {
        ShopError::BadRequest(format!(
            "order {id} has no open Maya session, or is already paid"
        ))
    })?;
    let maya = &state.clients.maya;
    let session = maya
        .shared_session(state.maya_sessions.clone(), &session_id)
        .await
        .map_err(|e| ShopError::Provider(e.to_string()))?;
    let request = PaymentRequest::new(order.amount).order_id(order.id.clone());
    match paykit_core::PaymentProvider::create_payment(&maya.payments(session), &request).await {
        Ok(outcome) => {
            state
                .book
                .attach_payment(&order.id, &outcome.provider_payment_id);
            state.book.update(&order.id, &outcome.status, "execute");
            Ok(order_path(&order.id))
        }
        Err(error) => {
            state.book.problem(&order.id, error.to_string());
            Err(ShopError::Provider(error.to_string()))
        }
    }
}
