//! The provider helpers, each behind its cargo feature.

#[cfg(feature = "bog")]
mod bog;
#[cfg(feature = "bog-payments")]
mod bog_payments;
#[cfg(feature = "maib")]
mod maib;
#[cfg(feature = "maya-checkout")]
mod maya_checkout;
#[cfg(feature = "miapos")]
mod miapos;
