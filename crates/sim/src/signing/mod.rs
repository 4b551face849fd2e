//! How the simulator signs callbacks: maib's hash over PHP-stringified values, miaPOS's RSA
//! signature over its canonical string, the Bank of Georgia Payments API's RSA signature
//! over the exact callback bytes, and Maya's v1 webhook signature over the flattened body.

pub(crate) mod bog_payments;
pub(crate) mod maib;
pub(crate) mod maya;
pub(crate) mod miapos;
mod php;
