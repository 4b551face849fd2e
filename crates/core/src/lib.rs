//! # paykit-core
//!
//! The provider-independent half of paykit: the traits every payment provider implements, money
//! without floating point, one error type that says whether money may have moved, a token cache,
//! and the one HTTP executor all adapters share.
//!
//! An adapter *describes* each call as an [`http::ApiRequest`] and parses the
//! [`http::RawResponse`]; [`http::HttpExecutor`] does the I/O: base URL, credentials, timeouts,
//! a response size cap, retries that never repeat a payment blindly, and one re-authentication on
//! HTTP 401.
//!
//! ```
//! use paykit_core::{Currency, Money, PaymentRequest, CaptureMode};
//!
//! let request = PaymentRequest::new(Money::parse("10.25", Currency::MDL)?)
//!     .order_id("order-1")
//!     .capture(CaptureMode::Automatic);
//! assert_eq!(request.amount.to_fixed_string(), "10.25");
//! # Ok::<(), paykit_core::Error>(())
//! ```

// No panic on any bytes a provider or a callback sender can send (issue 11): these lints
// keep panicking shortcuts out of library code. `arithmetic_side_effects` is left out: it
// flags every `Instant + Duration` and `Decimal` sum, whose bounds validation sets; the
// property tests and fuzzers in crates/props look for the overflow it would guard.
#![deny(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable,
    clippy::unwrap_used
)]

pub mod capabilities;
pub mod describe;
pub mod error;
pub mod http;
pub mod json_literal;
pub mod money;
pub mod outcome;
pub mod payment_ref;
pub mod poll;
pub mod provider;
pub mod reconcile;
pub mod request;
pub mod store;
pub mod token;
pub mod webhook;
pub mod wire;

pub use async_trait::async_trait;
pub use rust_decimal::Decimal;
pub use secrecy::{ExposeSecret, SecretString};

pub use capabilities::{CallbackAuthenticity, Capabilities, RefundSupport};
pub use error::{Error, ProviderId, Result, Sent, SignatureError, TransportKind, UnknownCause};
pub use money::{Currency, Money};
pub use outcome::{NextAction, PaymentOutcome, PaymentStatus, SavedCard};
pub use payment_ref::PaymentRef;
pub use poll::{PollConfig, PollOutcome, poll_payment, poll_until_final};
pub use provider::{Capture, PaymentProvider, Recurring, Refund, Void};
pub use request::{
    CaptureMode, CardUsage, Customer, LineItem, PaymentMethod, PaymentRequest, SavedCardCharge,
};
pub use store::{
    ClaimStore, Flow, InMemoryPaymentRecords, PaymentRecord, PaymentRecords, RefundRecord,
    RefundState, SessionStore, TokenStore,
};
pub use token::{
    AccessToken, CachedTokenSource, Expiry, StaticToken, TokenCacheConfig, TokenFetcher,
    TokenGrant, TokenSource,
};
pub use webhook::{
    Authenticity, EventKind, MAX_CALLBACK_BYTES, VerifiedEvent, Webhook, WebhookRequest,
};
