//! # paykit-axum
//!
//! Receiving payment callbacks in an axum service (DESIGN.md §10). The hard part of a callback
//! endpoint is not parsing it: frameworks re-serialise bodies and break signatures, endpoints
//! acknowledge before the work is done, and providers deliver the same callback more than once.
//! [`CallbackRoutes`] mounts one `POST` route per provider that
//!
//! 1. reads the **raw body bytes** (never a parsed and re-serialised form), refusing bodies
//!    over the limit with 413 before reading them whole;
//! 2. verifies them, with the headers, through the provider's [`paykit_core::Webhook`], and,
//!    where a signature alone does not make an event fit for fulfilment (maib, miaPOS, the
//!    Payments API, Maya's gateway), **confirms** the event by asking the provider
//!    ([`Accept`]); a delivery Maya's gateway signed with a nonce seen before is acknowledged
//!    and goes no further ([`CallbackOutcome::Replayed`]);
//! 3. **claims** `"{provider}:{dedupe_key}"` ([`paykit_core::store::handle_once`]), so a
//!    duplicate delivery is acknowledged without running the handler again, and one being
//!    handled right now is answered 503 and delivered again later;
//! 4. runs the merchant's [`CallbackHandler`]; a failure releases the claim and answers 5xx, so
//!    the provider's retry is handled (once);
//! 5. answers what the provider expects ([`Answer`]) only after the handler succeeded; 4xx for
//!    a forged, malformed or oversized callback; 5xx when a later delivery can succeed. The
//!    whole contract is [`CallbackOutcome`] and the crate's README.
//!
//! Each callback runs in a `tracing` span `paykit_callback` with `provider`, `path`,
//! `dedupe_key`, `outcome`, `status` and `duration_ms`; no body, signature, hash or token is
//! ever logged.
//!
//! Provider helpers are behind features, all off by default so a merchant builds only the
//! providers it takes payments with: `maib`, `miapos`, `bog` (iPay), `maya` (Maya's Session
//! URL), `bog-payments` (Bank of Georgia's Payments API) and `maya-checkout` (Maya's gateway).
//! The generic [`CallbackRoutes::webhook`] route works with any [`paykit_core::Webhook`].
//! Merchants who write their own route use the [`Verified`] extractor.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use axum::Router;
//! use paykit_axum::{CallbackHandler, CallbackRoutes, HandlerError};
//! use paykit_core::store::InMemorySessionStore;
//! use paykit_core::{SecretString, VerifiedEvent, async_trait};
//!
//! /// The shop's side: mark the order paid. Runs once per callback, only for confirmed events.
//! struct MarkPaid;
//!
//! #[async_trait]
//! impl CallbackHandler for MarkPaid {
//!     async fn handle(&self, event: &VerifiedEvent) -> Result<(), HandlerError> {
//!         let Some(payment) = event.payment() else { return Ok(()) };
//!         // orders.set_state(payment.order_id, payment.status).await?;
//!         let _ = payment;
//!         Ok(())
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let maib = paykit_maib::MaibClient::builder("project-id", SecretString::from("project-secret"))
//!     .signature_key(SecretString::from("signature-key"))
//!     .build()?;
//! let miapos = paykit_miapos::MiaPos::sandbox("merchant-id", SecretString::from("secret-key"))
//!     .terminal_id("terminal-id")
//!     .build()?;
//! let bog = paykit_bog::BogClient::builder("client-id", SecretString::from("secret-key"))
//!     .build()?;
//! let bog_webhook = bog.webhook().ok_or("iPay callbacks need the client's records")?;
//! let maya = paykit_maya::MayaClient::builder("client-id", SecretString::from("client-secret"))
//!     .token_url("https://connect.example.ph/oauth/token")
//!     .build()?;
//! // The Payments API: the client's callback keys and payment records verify, its receipt
//! // confirms.
//! let bog_payments = paykit_bog_payments::BogPaymentsClient::builder(
//!     "10000999",
//!     SecretString::from("client-secret"),
//! )
//! .build()?;
//! // Maya's gateway: the receiver checks signatures and nonces, the client (secret key)
//! // confirms.
//! use paykit_maya_checkout::{Environment, KeyPair, MayaCheckoutClient, MayaCheckoutWebhook};
//! let keys = KeyPair::new(SecretString::from("pk-public"), SecretString::from("sk-secret"))?;
//! let maya_checkout = MayaCheckoutClient::builder(Environment::Sandbox, keys).build()?;
//! let maya_webhook = MayaCheckoutWebhook::new(paykit_maya_checkout::WebhookConfig::new(
//!     paykit_maya_checkout::WebhookKeys::maya(Environment::Sandbox)?,
//! ));
//!
//! let callbacks = CallbackRoutes::new(MarkPaid)
//!     .maib("/callbacks/maib", maib)
//!     .miapos("/callbacks/miapos", miapos)
//!     .bog("/callbacks/bog/status", bog_webhook.clone())
//!     .bog("/callbacks/bog/refund", bog_webhook)
//!     .maya_session("/maya/session", maya, Arc::new(InMemorySessionStore::new()))
//!     .bog_payments("/callbacks/bog-payments", bog_payments)
//!     .maya_checkout("/callbacks/maya-checkout", maya_webhook, maya_checkout)
//!     .into_router()?;
//! let app: Router = Router::new().merge(callbacks);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

// No panic on any bytes a callback sender can send (issue 11): these lints keep panicking
// shortcuts out of library code.
#![deny(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable,
    clippy::unwrap_used
)]

mod answer;
mod body;
mod check;
mod classify;
mod confirm;
mod extract;
mod handler;
#[cfg(feature = "maya")]
mod maya;
mod outcome;
mod providers;
mod route;
mod routes;
mod trace;
mod verifier;

pub use answer::Answer;
pub use confirm::{Accept, Confirm, ConfirmByQuery};
pub use extract::{CallbackRejection, Verified};
pub use handler::{CallbackHandler, FnHandler, HandlerError, handler_fn};
pub use outcome::CallbackOutcome;
pub use route::claim_key;
pub use routes::{CallbackRoutes, RouteError};
pub use verifier::CallbackVerifier;
