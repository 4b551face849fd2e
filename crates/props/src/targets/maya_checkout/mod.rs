//! Maya's payment gateway: v1-signed webhooks, every answer decoder and the charge echo
//! check, and the gateway's words, headers and timestamps.

mod response;
mod webhook;
mod words;

pub use self::response::maya_checkout_response;
pub use self::webhook::maya_checkout_webhook;
pub use self::words::maya_checkout_words;

/// "Now" for every delivery and every timestamp: a minute after the fixtures'
/// `X-Maya-Webhook-Timestamp`.
const NOW_MS: u64 = 1_767_225_660_000;
