//! Test infrastructure for paykit: the fixture format and its loader, wiremock mounting of
//! recorded interactions, the shared conformance list, the contract-test runner, independent
//! test signers for callbacks, and JSON descriptions of outcomes and errors.
//!
//! The file format is `fixtures/README.md`. A provider crate proves itself against its
//! fixtures with one `tests/contract.rs`:
//!
//! ```rust,ignore
//! //! Contract tests: every fixture in fixtures/maib/ against the real client on wiremock.
//!
//! use paykit_core::WebhookRequest;
//! use paykit_testkit::fixture::{Callback, Scenario, read_key};
//! use paykit_testkit::{
//!     Described, describe_error, describe_event, describe_outcome, run_callbacks, run_provider,
//!     unknown_operation,
//! };
//!
//! #[tokio::test]
//! async fn contract() {
//!     run_provider("maib", call).await;
//! }
//!
//! #[tokio::test]
//! async fn callbacks() {
//!     run_callbacks("maib", verify).await;
//! }
//!
//! /// One operation of the scenario against a client pointed at wiremock.
//! async fn call(scenario: Scenario, base_url: String) -> Described {
//!     let client = client(&base_url).map_err(|e| describe_error(&e))?;
//!     let outcome = match scenario.operation.as_str() {
//!         "create_payment" => {
//!             let amount = scenario.input_money("amount")?;
//!             client.create_payment(&request(&scenario, amount)?).await
//!         }
//!         "get_payment" => client.get_payment(scenario.input_str("pay_id")?).await,
//!         // ... one arm per operation the fixtures use ...
//!         _ => return unknown_operation(&scenario),
//!     };
//!     outcome.map(|o| describe_outcome(&o)).map_err(|e| describe_error(&e))
//! }
//!
//! /// One callback through the provider's webhook verifier.
//! async fn verify(callback: Callback) -> Described {
//!     let key = read_key("maib", "keys/signature_key.txt").expect("test key");
//!     let hook = webhook(&key);
//!     let (headers, body) = (callback.header_map(), callback.body.to_bytes());
//!     hook.verify(&WebhookRequest::new(&headers, &body))
//!         .await
//!         .map(|event| describe_event(&event))
//!         .map_err(|e| describe_error(&e))
//! }
//! ```
//!
//! `PAYKIT_SCENARIO=name[,name]` runs only those scenarios or callbacks.

pub mod bench;
#[cfg(feature = "harness")]
pub mod conformance;

#[cfg(feature = "harness")]
pub mod fixture;
#[cfg(feature = "harness")]
pub mod fleet;
pub mod json;
#[cfg(feature = "harness")]
pub mod mock;
#[cfg(feature = "harness")]
pub mod runner;
#[cfg(feature = "harness")]
pub mod servers;
pub mod signers;
#[cfg(feature = "harness")]
pub mod truth;

pub use paykit_core::describe::{describe_error, describe_event, describe_outcome};
#[cfg(feature = "harness")]
pub use runner::{
    Described, check_scenario, run_callbacks, run_confirmed_callbacks, run_provider,
    unknown_operation,
};

#[cfg(test)]
mod temp;
