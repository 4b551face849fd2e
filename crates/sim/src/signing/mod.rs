//! How the simulator signs callbacks: maib's hash over PHP-stringified values, and miaPOS's
//! RSA signature over its canonical string.

pub(crate) mod maib;
pub(crate) mod miapos;
mod php;
