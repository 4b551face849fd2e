//! miaPOS (feature `miapos`): RSA-signed callbacks, confirmed with `GET /payment/{id}`.

use std::sync::Arc;

use async_trait::async_trait;
use paykit_core::{Result, VerifiedEvent};
use paykit_miapos::MiaPos;

use crate::{Accept, Answer, CallbackRoutes, CallbackVerifier, Confirm};

#[async_trait]
impl Confirm for MiaPos {
    /// [`MiaPos::confirm`]: `GET /payment/{paymentId}`; the payment id, order id, amount,
    /// currency and state must agree.
    async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        MiaPos::confirm(self, event).await
    }
}

impl CallbackVerifier {
    /// miaPOS's verification: the client's key (fetched and cached, or the one it was built
    /// with), then confirmation with `GET /payment/{id}` ([`Accept::Confirmed`]).
    pub fn miapos(client: MiaPos) -> Self {
        CallbackVerifier::new(Arc::new(client.clone()), Accept::Confirmed)
            .confirm_with(Arc::new(client))
            .provider("miapos")
    }
}

impl CallbackRoutes {
    /// miaPOS's callback route at `path` ([`CallbackVerifier::miapos`], [`Answer::miapos`]):
    /// the handler sees confirmed events only. miaPOS sends each callback once and never
    /// again, whatever the answer: keep a reconciler polling pending payments.
    pub fn miapos(self, path: &str, client: MiaPos) -> Self {
        self.route(path, CallbackVerifier::miapos(client), Answer::miapos())
    }
}
