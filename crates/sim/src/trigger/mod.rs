//! Callbacks sent on demand: [`crate::Simulator::trigger_callback`] and `POST /_sim/trigger`
//! on every listener. The provider builds the callback of the payment's current state with
//! the code of its normal delivery (`Provider::prepare_callback`); the dispatcher posts it
//! once and waits ([`crate::callback::Dispatcher::send_now`], which says which faults apply).
//!
//! Which states have a callback, per provider, is in the crate docs ("Control endpoints").

mod route;

use std::fmt;

use crate::callback::{CallbackRecord, Dispatcher};
use crate::server::Provider;
use crate::urls::is_url;

pub(crate) use route::{TRIGGER_PATH, answer};

/// Why a callback could not be triggered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerError {
    /// The provider holds no payment by that id (never made, or forgotten past the
    /// retention horizon).
    UnknownPayment {
        /// The provider's short name.
        provider: &'static str,
        /// The id asked for.
        payment: String,
    },
    /// The provider sends no callbacks at all (Maya's Mini App).
    NoCallbacks {
        /// The provider's short name.
        provider: &'static str,
    },
    /// The payment's current state has no callback (e.g. still waiting for the customer).
    NoCallbackYet {
        /// The provider's short name.
        provider: &'static str,
        /// The payment's id.
        payment: String,
        /// Its status, as the provider's API shows it.
        status: String,
        /// Why that status has no callback.
        reason: &'static str,
    },
    /// No callback URL is on record for the payment, and none was given.
    NoUrl {
        /// The provider's short name.
        provider: &'static str,
        /// The payment's id.
        payment: String,
        /// Where the provider would take the URL from.
        hint: &'static str,
    },
    /// The URL given is not an absolute http(s) URL.
    BadUrl {
        /// The URL given.
        url: String,
    },
    /// The callback could not be built or signed (should not happen).
    Unbuildable {
        /// The provider's short name.
        provider: &'static str,
        /// The payment's id.
        payment: String,
    },
}

impl TriggerError {
    /// A short machine-readable code: `unknown_payment`, `no_callbacks`,
    /// `no_callback_yet`, `no_url`, `bad_url`, `unbuildable`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownPayment { .. } => "unknown_payment",
            Self::NoCallbacks { .. } => "no_callbacks",
            Self::NoCallbackYet { .. } => "no_callback_yet",
            Self::NoUrl { .. } => "no_url",
            Self::BadUrl { .. } => "bad_url",
            Self::Unbuildable { .. } => "unbuildable",
        }
    }

    /// The HTTP status `POST /_sim/trigger` answers it with.
    pub(crate) fn http_status(&self) -> u16 {
        match self {
            Self::UnknownPayment { .. } => 404,
            Self::NoCallbacks { .. } | Self::BadUrl { .. } => 400,
            Self::NoCallbackYet { .. } => 409,
            Self::NoUrl { .. } => 422,
            Self::Unbuildable { .. } => 500,
        }
    }

    pub(crate) fn unknown(provider: &'static str, payment: &str) -> Self {
        Self::UnknownPayment {
            provider,
            payment: shown(payment),
        }
    }

    pub(crate) fn not_yet(
        provider: &'static str,
        payment: &str,
        status: &str,
        reason: &'static str,
    ) -> Self {
        Self::NoCallbackYet {
            provider,
            payment: shown(payment),
            status: status.to_owned(),
            reason,
        }
    }

    pub(crate) fn no_url(provider: &'static str, payment: &str, hint: &'static str) -> Self {
        Self::NoUrl {
            provider,
            payment: shown(payment),
            hint,
        }
    }

    pub(crate) fn unbuildable(provider: &'static str, payment: &str) -> Self {
        Self::Unbuildable {
            provider,
            payment: shown(payment),
        }
    }
}

/// Longest id an error repeats: an id is whatever a caller sent, and an error should not
/// echo a megabyte back.
const SHOWN_ID_CHARS: usize = 100;

/// `id` as an error shows it: whole up to [`SHOWN_ID_CHARS`], cut with `…` beyond.
fn shown(id: &str) -> String {
    match id.char_indices().nth(SHOWN_ID_CHARS) {
        Some((at, _)) => format!("{}…", id.get(..at).unwrap_or_default()),
        None => id.to_owned(),
    }
}

impl fmt::Display for TriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPayment { provider, payment } => {
                write!(f, "{provider} has no payment {payment:?}")
            }
            Self::NoCallbacks { provider } => write!(f, "{provider} sends no callbacks"),
            Self::NoCallbackYet {
                provider,
                payment,
                status,
                reason,
            } => write!(
                f,
                "{provider} payment {payment:?} is {status}, which has no callback: {reason}"
            ),
            Self::NoUrl {
                provider,
                payment,
                hint,
            } => write!(
                f,
                "no callback URL on record for {provider} payment {payment:?} ({hint}); give one"
            ),
            Self::BadUrl { url } => write!(f, "{url:?} is not an absolute http(s) URL"),
            Self::Unbuildable { provider, payment } => {
                write!(
                    f,
                    "the callback of {provider} payment {payment:?} could not be built"
                )
            }
        }
    }
}

impl std::error::Error for TriggerError {}

/// Builds `payment`'s callback on `provider` as of now and posts it once to `url`, or to
/// the URL on record; the attempt's record.
pub(crate) async fn run(
    provider: &dyn Provider,
    dispatcher: &Dispatcher,
    payment: &str,
    url: Option<&str>,
) -> Result<CallbackRecord, TriggerError> {
    if let Some(url) = url {
        if !is_url(url) {
            return Err(TriggerError::BadUrl { url: shown(url) });
        }
    }
    let prepared = provider.prepare_callback(payment, url.map(str::to_owned))?;
    Ok(dispatcher.send_now(prepared).await)
}
