//! What a page handler can fail with, and the page the buyer then sees.

use std::fmt;

/// A request the shop could not serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopError {
    /// No such product or order (404).
    NotFound(String),
    /// The form or link is not one the shop made, or no longer valid (400).
    BadRequest(String),
    /// The provider refused or failed (502): the buyer may try again.
    Provider(String),
}

impl ShopError {
    /// The HTTP status of the error page.
    pub fn status(&self) -> u16 {
        match self {
            ShopError::NotFound(_) => 404,
            ShopError::BadRequest(_) => 400,
            ShopError::Provider(_) => 502,
        }
    }
}

impl fmt::Display for ShopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShopError::NotFound(what) => write!(f, "not found: {what}"),
            ShopError::BadRequest(why) => write!(f, "bad request: {why}"),
            ShopError::Provider(why) => write!(f, "the payment provider failed: {why}"),
        }
    }
}

impl std::error::Error for ShopError {}
