//! Bank of Georgia Payments API: signed callbacks, every answer decoder, and the provider's
//! words.

mod callback;
mod response;
mod words;

pub use self::callback::bog_payments_callback;
pub use self::response::bog_payments_response;
pub use self::words::bog_payments_words;
