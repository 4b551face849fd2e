//! Serving recorded interactions with wiremock and checking what the client sent.

mod matcher;
mod report;
mod respond;
mod server;

pub use matcher::RequestMatcher;
pub use report::verify_received;
pub use respond::response_template;
pub use server::{ScenarioServer, mount};

#[cfg(test)]
mod tests;
