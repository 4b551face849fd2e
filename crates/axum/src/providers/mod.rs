//! The provider helpers, each behind its cargo feature.

#[cfg(feature = "bog")]
mod bog;
#[cfg(feature = "maib")]
mod maib;
#[cfg(feature = "miapos")]
mod miapos;
