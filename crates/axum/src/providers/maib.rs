//! maib e-commerce v1 (feature `maib`): signed callbacks, confirmed with `pay-info`.

use std::sync::Arc;

use async_trait::async_trait;
use paykit_core::{Result, VerifiedEvent};
use paykit_maib::MaibClient;

use crate::{Accept, Answer, CallbackRoutes, CallbackVerifier, Confirm, RouteError};

#[async_trait]
impl Confirm for MaibClient {
    /// [`MaibClient::confirm`]: `pay-info`, read with the flow in the client's records.
    async fn confirm(&self, event: VerifiedEvent) -> Result<VerifiedEvent> {
        MaibClient::confirm(self, event).await
    }
}

impl CallbackVerifier {
    /// maib's verification: the client's Signature Key and records (an `OK` reads as captured
    /// or authorized), then confirmation with `pay-info` ([`Accept::Confirmed`]). maib signs
    /// values, not names, so only a confirmed event is fit for fulfilment.
    pub fn maib(client: MaibClient) -> Self {
        CallbackVerifier::new(Arc::new(client.clone()), Accept::Confirmed)
            .confirm_with(Arc::new(client))
            .provider("maib")
    }
}

impl CallbackRoutes {
    /// maib's callback route at `path` ([`CallbackVerifier::maib`], [`Answer::maib`]): the
    /// handler sees confirmed events only. The client needs its Signature Key
    /// (`MaibClientBuilder::signature_key`); without one,
    /// [`CallbackRoutes::into_router`] refuses with [`RouteError::Unusable`].
    pub fn maib(self, path: &str, client: MaibClient) -> Self {
        if client.webhook().is_none() {
            return self.problem(RouteError::Unusable {
                path: path.to_owned(),
                reason: "the maib client has no Signature Key \
                         (MaibClientBuilder::signature_key), so it cannot verify callbacks",
            });
        }
        self.route(path, CallbackVerifier::maib(client), Answer::maib())
    }
}
