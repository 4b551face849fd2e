//! Bank of Georgia iPay (feature `bog`): unsigned callbacks, confirmed by `BogWebhook` itself.

use std::sync::Arc;

use paykit_bog::BogWebhook;

use crate::{Accept, Answer, CallbackRoutes, CallbackVerifier};

impl CallbackVerifier {
    /// iPay's verification: `BogWebhook` matches the order id and payment hash against what
    /// paykit stored, re-queries the order and builds the event from iPay's answer, so every
    /// event is confirmed ([`Accept::Confirmed`]); when iPay cannot be asked the callback is
    /// answered 503 and iPay delivers it again.
    pub fn bog(webhook: BogWebhook) -> Self {
        CallbackVerifier::new(Arc::new(webhook), Accept::Confirmed).provider("bog")
    }
}

impl CallbackRoutes {
    /// An iPay callback route at `path` ([`CallbackVerifier::bog`], [`Answer::bog`]). iPay
    /// has two callback URLs (payment status change, payment amount return): mount both with
    /// clones of one webhook (`BogClient::webhook` gives one).
    pub fn bog(self, path: &str, webhook: BogWebhook) -> Self {
        self.route(path, CallbackVerifier::bog(webhook), Answer::bog())
    }
}
