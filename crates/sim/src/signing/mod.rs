//! How the simulator signs callbacks: maib's hash over PHP-stringified values, and miaPOS's
//! RSA signature over its canonical string, and the Bank of Georgia Payments API's RSA
//! signature over the exact callback bytes.

pub(crate) mod bog_payments;
pub(crate) mod maib;
pub(crate) mod miapos;
mod php;
