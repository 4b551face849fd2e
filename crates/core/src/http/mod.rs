//! Describe, then execute: adapters describe each call as an [`ApiRequest`] (pure data) and
//! parse the [`RawResponse`]; [`HttpExecutor`] does all I/O, retries and re-authentication.

mod auth;
mod classify;
mod executor;
mod problem;
mod request;
mod response;
mod retry;
mod retry_after;

pub use auth::{BasicAuth, Credential};
pub use classify::Effect;
pub use executor::{ExecutorConfig, HttpExecutor};
pub use problem::Problem;
pub use request::{
    ApiRequest, AttemptHeader, Body, Idempotency, UnauthorizedBlame, encode_path_segment,
};
pub use reqwest::{Method, StatusCode};
pub use response::RawResponse;
pub use retry::{FailureBackoff, RetryPolicy};
