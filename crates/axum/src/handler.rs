//! The merchant's side: the work a verified callback triggers.

use std::fmt;
use std::future::Future;

use async_trait::async_trait;
use paykit_core::VerifiedEvent;

/// What the merchant implements: the work a verified callback triggers (mark the order paid,
/// ship it). It runs at most once per callback across everyone sharing the route's claim
/// store, and the provider is answered with success only after it returned `Ok`.
///
/// ```
/// use paykit_axum::{CallbackHandler, HandlerError};
/// use paykit_core::{VerifiedEvent, async_trait};
///
/// struct Orders;
///
/// #[async_trait]
/// impl CallbackHandler for Orders {
///     async fn handle(&self, event: &VerifiedEvent) -> Result<(), HandlerError> {
///         let Some(payment) = event.payment() else {
///             return Ok(()); // an event kind this shop does not act on
///         };
///         if payment.order_id.is_none() {
///             return Err(HandlerError::permanent("no order id"));
///         }
///         // mark the order paid in the database; a database error becomes a 500 via `?`
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait CallbackHandler: Send + Sync + 'static {
    /// Does the work of `event`. An error releases the callback's claim and refuses the
    /// callback, so the provider's next delivery runs this again.
    async fn handle(&self, event: &VerifiedEvent) -> Result<(), HandlerError>;
}

/// A [`CallbackHandler`] made of an async function of the event.
///
/// ```
/// use paykit_axum::{CallbackRoutes, HandlerError, handler_fn};
///
/// let routes = CallbackRoutes::new(handler_fn(|event| async move {
///     println!("{} {}", event.provider, event.dedupe_key);
///     Ok::<_, HandlerError>(())
/// }));
/// # drop(routes);
/// ```
pub fn handler_fn<F, Fut>(function: F) -> FnHandler<F>
where
    F: Fn(VerifiedEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    FnHandler { function }
}

/// The handler [`handler_fn`] makes.
#[derive(Clone)]
pub struct FnHandler<F> {
    function: F,
}

impl<F> fmt::Debug for FnHandler<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnHandler")
    }
}

#[async_trait]
impl<F, Fut> CallbackHandler for FnHandler<F>
where
    F: Fn(VerifiedEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    async fn handle(&self, event: &VerifiedEvent) -> Result<(), HandlerError> {
        (self.function)(event.clone()).await
    }
}

/// Why a [`CallbackHandler`] did not finish. Retryable by default (answered 500, so the
/// provider delivers again); [`HandlerError::permanent`] for an event the merchant will never
/// accept (answered 422). Either way the callback's claim is released.
///
/// Any `std::error::Error` converts into one with `?`. The message is logged (at `warn`), never
/// sent to the provider: keep secrets out of it.
pub struct HandlerError {
    message: String,
    retryable: bool,
}

impl HandlerError {
    /// A failure a later delivery may not meet (the database was down): answered 500.
    pub fn new(message: impl fmt::Display) -> Self {
        HandlerError {
            message: message.to_string(),
            retryable: true,
        }
    }

    /// A refusal that delivering again will not change (the order does not exist): answered
    /// 422.
    pub fn permanent(message: impl fmt::Display) -> Self {
        HandlerError {
            message: message.to_string(),
            retryable: false,
        }
    }

    /// True unless made with [`HandlerError::permanent`].
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl<E> From<E> for HandlerError
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        HandlerError::new(error)
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError")
            .field("message", &self.message)
            .field("retryable", &self.retryable)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_convert_and_are_retryable_unless_permanent() {
        fn failing() -> Result<(), HandlerError> {
            Err(std::io::Error::other("database down"))?;
            Ok(())
        }
        let error = failing().unwrap_err();
        assert!(error.is_retryable());
        assert_eq!(error.message(), "database down");
        assert!(!HandlerError::permanent("no such order").is_retryable());
    }
}
