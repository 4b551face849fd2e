//! # shop: an example merchant web shop on paykit
//!
//! A small coffee shop that sells three products, takes payment through **maib**, **miaPOS**,
//! **Bank of Georgia** (iPay or the Payments API) or **Maya** (the Mini App or Maya Checkout),
//! receives the providers' callbacks through
//! **paykit-axum**, and shows each order as paid, declined, pending or refunded. An admin page
//! captures holds and refunds. It runs against the embedded paykit simulator: no credentials,
//! no network, no real money.
//!
//! ```no_run
//! # async fn demo() -> Result<(), shop::StartError> {
//! let shop = shop::start(shop::ShopConfig::default()).await?;
//! println!("open {}", shop.url());
//! # Ok(()) }
//! ```
//!
//! Pages are rendered on the server as plain HTML (no JavaScript, no build step). Orders live
//! in memory ([`OrderBook`]); an order is fulfilled when it first becomes paid, and paykit-axum's
//! claim keeps a callback delivered twice from reaching the shop's handler twice.

// Library code: no panicking shortcuts (as in every paykit library crate).
#![deny(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable,
    clippy::unwrap_used
)]

mod callbacks;
pub mod catalog;
mod checkout;
mod clients;
pub mod error;
pub mod events;
mod maya_app;
pub mod orders;
mod pages;
pub mod provider;
mod routes;
mod server;
mod state;

pub use error::ShopError;
pub use orders::{Order, OrderBook, OrderState};
pub use provider::Provider;
pub use server::{RunningShop, ShopConfig, StartError, start};
