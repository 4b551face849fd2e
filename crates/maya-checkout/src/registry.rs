//! The webhook registry (spec §3.8, §6.1): W1 create, W2 list, W3 get, W4 update, W5 delete,
//! all on `/checkout/v1/webhooks` with the secret key. One registration per event name
//! (`PY0039` otherwise); registrations are per environment.

use paykit_core::http::{Effect, Method};
use paykit_core::{PaymentRef, Result};
use serde::{Deserialize, Serialize};

use crate::auth::{KeyKind, Product};
use crate::call::Endpoint;
use crate::status::MayaStatus;
use crate::{MayaCheckoutClient, validate};

const fn hooks(name: &'static str, method: Method, effect: Effect) -> Endpoint {
    Endpoint::new(name, method, Product::Checkout, KeyKind::Secret, effect)
}

const CREATE: Endpoint = hooks("maya-create-webhook", Method::POST, Effect::NoMoney);
const LIST: Endpoint = hooks("maya-list-webhooks", Method::GET, Effect::Read);
const UPDATE: Endpoint = hooks("maya-update-webhook", Method::PUT, Effect::NoMoney);
const DELETE: Endpoint = hooks("maya-delete-webhook", Method::DELETE, Effect::NoMoney);

macro_rules! events {
    ($($variant:ident => $text:literal, $doc:literal;)+) => {
        /// A registrable webhook event name (spec §6.1). Open: unknown names are kept.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            $(#[doc = $doc] $variant,)+
            /// Another name, verbatim.
            Other(String),
        }

        impl WebhookEvent {
            /// Maya's name.
            pub fn as_str(&self) -> &str {
                match self {
                    $(WebhookEvent::$variant => $text,)+
                    WebhookEvent::Other(text) => text,
                }
            }

            /// Reads a name.
            pub fn parse(text: &str) -> WebhookEvent {
                match text {
                    $($text => WebhookEvent::$variant,)+
                    other => WebhookEvent::Other(other.to_owned()),
                }
            }
        }
    };
}

events! {
    PaymentSuccess => "PAYMENT_SUCCESS", "Paid (each capture too).";
    PaymentFailed => "PAYMENT_FAILED", "Declined or failed.";
    PaymentExpired => "PAYMENT_EXPIRED", "Not completed in time.";
    PaymentCancelled => "PAYMENT_CANCELLED", "Cancelled before payment.";
    Authorized => "AUTHORIZED", "Hold placed.";
    Captured => "CAPTURED", "Wallet authorization captured.";
    Done => "DONE", "Wallet authorization closed.";
    CheckoutSuccess => "CHECKOUT_SUCCESS", "Legacy: checkout paid (checkout object body).";
    CheckoutFailure => "CHECKOUT_FAILURE", "Legacy: checkout failed (checkout object body).";
    CheckoutDropout => "CHECKOUT_DROPOUT", "Legacy: checkout abandoned (checkout object body).";
    CheckoutCancelled => "CHECKOUT_CANCELLED", "Legacy: checkout cancelled (checkout object body).";
}

impl WebhookEvent {
    /// True for the legacy `CHECKOUT_*` events, whose body is a checkout object.
    pub fn is_legacy_checkout(&self) -> bool {
        matches!(
            self,
            WebhookEvent::CheckoutSuccess
                | WebhookEvent::CheckoutFailure
                | WebhookEvent::CheckoutDropout
                | WebhookEvent::CheckoutCancelled
        ) || self.as_str() == "CHECKOUT_FAILED"
    }

    /// The event a payment object of `status` is delivered as (the body names no event, so
    /// Maya's own plugin routes on `status`).
    pub fn for_status(status: &MayaStatus) -> WebhookEvent {
        WebhookEvent::parse(status.as_str())
    }
}

impl Serialize for WebhookEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(WebhookEvent::parse(&String::deserialize(deserializer)?))
    }
}

/// A registration (W1–W5).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookRegistration {
    /// The registration id.
    pub id: String,
    /// The event.
    pub name: WebhookEvent,
    /// Where Maya posts it.
    pub callback_url: String,
    /// ISO-8601.
    #[serde(default)]
    pub created_at: Option<String>,
    /// ISO-8601.
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Registration<'a> {
    name: &'a WebhookEvent,
    callback_url: &'a str,
}

fn body<'a>(event: &'a WebhookEvent, url: &'a str) -> Result<Registration<'a>> {
    validate::url("callback_url", url)?;
    if event.as_str().trim().is_empty() {
        return Err(paykit_core::Error::invalid_input(
            "name",
            "the event name must not be empty",
        ));
    }
    Ok(Registration {
        name: event,
        callback_url: url,
    })
}

fn path(webhook_id: &str) -> Result<String> {
    Ok(format!(
        "/checkout/v1/webhooks/{}",
        validate::segment("webhook_id", webhook_id)?
    ))
}

impl MayaCheckoutClient {
    /// W1 `POST /checkout/v1/webhooks`.
    pub async fn create_webhook(
        &self,
        event: &WebhookEvent,
        callback_url: &str,
    ) -> Result<WebhookRegistration> {
        let request = self
            .request(&CREATE, "/checkout/v1/webhooks".to_owned())?
            .json(&body(event, callback_url)?)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// W2 `GET /checkout/v1/webhooks`.
    pub async fn webhooks(&self) -> Result<Vec<WebhookRegistration>> {
        let request = self.request(&LIST, "/checkout/v1/webhooks".to_owned())?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// W3 `GET /checkout/v1/webhooks/{id}` (inferred from the legacy registry; if Maya answers
    /// 404 for a known id, filter [`MayaCheckoutClient::webhooks`] instead).
    pub async fn webhook(&self, webhook_id: &str) -> Result<WebhookRegistration> {
        let request = self.request(&LIST, path(webhook_id)?)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// W4 `PUT /checkout/v1/webhooks/{id}`.
    pub async fn update_webhook(
        &self,
        webhook_id: &str,
        event: &WebhookEvent,
        callback_url: &str,
    ) -> Result<WebhookRegistration> {
        let request = self
            .request(&UPDATE, path(webhook_id)?)?
            .json(&body(event, callback_url)?)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// W5 `DELETE /checkout/v1/webhooks/{id}`: answers the deleted registration.
    pub async fn delete_webhook(&self, webhook_id: &str) -> Result<WebhookRegistration> {
        let request = self.request(&DELETE, path(webhook_id)?)?;
        self.send(&request, &PaymentRef::new()).await
    }
}
