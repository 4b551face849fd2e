//! One place that turns an endpoint description into an authenticated [`ApiRequest`] and runs
//! it under core's money-truth rule.

use paykit_core::http::{ApiRequest, Effect, Idempotency, Method};
use paykit_core::{PaymentRef, Result};
use serde::de::DeserializeOwned;

use crate::MayaCheckoutClient;
use crate::auth::{KeyKind, Product};
use crate::error;

/// An endpoint: its name, method, product, key kind and effect on money.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    pub(crate) product: Product,
    pub(crate) key: KeyKind,
    pub(crate) effect: Effect,
}

impl Endpoint {
    pub(crate) const fn new(
        name: &'static str,
        method: Method,
        product: Product,
        key: KeyKind,
        effect: Effect,
    ) -> Endpoint {
        Endpoint {
            name,
            method,
            product,
            key,
            effect,
        }
    }
}

impl MayaCheckoutClient {
    /// The request for `endpoint` at `path`, with its key. A missing key is an error here,
    /// before anything is sent. Every state change is [`Idempotency::Mutating`]: Maya documents
    /// no idempotency, so nothing that may have arrived is ever sent again.
    pub(crate) fn request(&self, endpoint: &Endpoint, path: String) -> Result<ApiRequest> {
        let key = self.inner.keys.key(endpoint.product, endpoint.key)?;
        let idempotency = if endpoint.method == Method::GET {
            Idempotency::Read
        } else {
            Idempotency::Mutating
        };
        Ok(
            ApiRequest::new(endpoint.name, endpoint.method.clone(), path)
                .header(
                    http::header::ACCEPT,
                    http::HeaderValue::from_static("application/json"),
                )
                .auth(key.credential())
                .idempotency(idempotency)
                .effect(endpoint.effect),
        )
    }

    /// Sends `request` and parses a 2xx as `T` (any other status as Maya's error).
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        ids: &PaymentRef,
    ) -> Result<T> {
        self.inner.api.call(request, ids, error::parse::<T>).await
    }

    /// Sends `request`, parses with `parse`.
    pub(crate) async fn send_with<T>(
        &self,
        request: &ApiRequest,
        ids: &PaymentRef,
        parse: impl FnOnce(&paykit_core::http::RawResponse) -> Result<T>,
    ) -> Result<T> {
        self.inner.api.call(request, ids, parse).await
    }
}
