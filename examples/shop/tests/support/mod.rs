//! Helpers of the browser test.

pub(crate) mod chrome;
pub(crate) mod webdriver;
