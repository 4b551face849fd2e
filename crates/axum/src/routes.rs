//! The router builder: one route per configured provider, all sharing one handler and one
//! claim store.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use paykit_core::store::{ClaimConfig, ClaimStore, InMemoryClaimStore};
use paykit_core::{MAX_CALLBACK_BYTES, Webhook};

use crate::answer::Answer;
use crate::confirm::Accept;
use crate::handler::CallbackHandler;
use crate::route::{CallbackRoute, serve_callback};
use crate::verifier::CallbackVerifier;

/// Callback routes for an axum service: for each provider, a `POST` route that reads the raw
/// body within a limit, verifies it with the provider's webhook (and confirms it, per
/// [`Accept`]), claims it so that a duplicate delivery is answered without running the handler
/// again, runs the merchant's [`CallbackHandler`], and answers as the provider expects: its
/// success [`Answer`] only after the handler succeeded, 4xx for a callback that is forged,
/// malformed or too large, 5xx when a later delivery can succeed
/// ([`CallbackOutcome`](crate::CallbackOutcome) has the whole contract).
///
/// Routes are `POST` only (other methods get 405) and carry no state of the merchant's
/// router: [`CallbackRoutes::into_router`] gives a `Router<S>` for any `S`, to merge or nest.
#[must_use = "the routes do nothing until mounted with into_router"]
pub struct CallbackRoutes {
    handler: Arc<dyn CallbackHandler>,
    claims: Arc<dyn ClaimStore>,
    claim_config: ClaimConfig,
    body_limit: usize,
    mounts: Vec<Mount>,
    problems: Vec<RouteError>,
}

/// One route to mount.
pub(crate) enum Mount {
    Callback {
        path: String,
        verifier: CallbackVerifier,
        answer: Answer,
    },
    #[cfg(feature = "maya")]
    MayaSession {
        path: String,
        route: crate::maya::SessionRoute,
    },
}

impl Mount {
    fn path(&self) -> &str {
        match self {
            Mount::Callback { path, .. } => path,
            #[cfg(feature = "maya")]
            Mount::MayaSession { path, .. } => path,
        }
    }

    /// The merchant-chosen success answer (Maya's Session URL has a fixed one).
    fn success_answer(&self) -> Option<&Answer> {
        match self {
            Mount::Callback { answer, .. } => Some(answer),
            #[cfg(feature = "maya")]
            Mount::MayaSession { .. } => None,
        }
    }
}

impl CallbackRoutes {
    /// Routes that call `handler` with each verified callback, claimed in an
    /// [`InMemoryClaimStore`] (one process; a fleet shares a store: [`CallbackRoutes::claims`]).
    pub fn new(handler: impl CallbackHandler) -> Self {
        CallbackRoutes {
            handler: Arc::new(handler),
            claims: Arc::new(InMemoryClaimStore::new()),
            claim_config: ClaimConfig::default(),
            body_limit: MAX_CALLBACK_BYTES,
            mounts: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Claims callbacks in `store` (Redis, PostgreSQL: shared by every instance, so a callback
    /// delivered to two instances runs the handler once), for as long as `config` says.
    /// [`ClaimConfig::ttl`] must be longer than the slowest handler.
    pub fn claims(mut self, store: Arc<dyn ClaimStore>, config: ClaimConfig) -> Self {
        self.claims = store;
        self.claim_config = config;
        self
    }

    /// Refuses bodies larger than `bytes` with 413 before reading them whole (default
    /// [`MAX_CALLBACK_BYTES`], 64 KiB; real callbacks are under 4 KiB). A route's own
    /// [`CallbackVerifier::body_limit`] wins. The provider webhooks have limits of their own
    /// (64 KiB by default): raising this one above theirs changes nothing.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// A route at `path` for any provider's webhook. `answer` is what the provider must
    /// receive on success; `accept` which events reach the handler. With
    /// [`Accept::Confirmed`] the webhook must confirm by itself (iPay's `BogWebhook` does);
    /// for signed-only webhooks use [`CallbackRoutes::route`] with a
    /// [`CallbackVerifier::confirm_with`], or the provider helpers, which confirm through the
    /// client.
    pub fn webhook(
        self,
        path: &str,
        webhook: Arc<dyn Webhook>,
        answer: Answer,
        accept: Accept,
    ) -> Self {
        self.route(path, CallbackVerifier::new(webhook, accept), answer)
    }

    /// A route at `path` verifying with `verifier` and answering `answer` on success.
    pub fn route(mut self, path: &str, verifier: CallbackVerifier, answer: Answer) -> Self {
        self.mounts.push(Mount::Callback {
            path: path.to_owned(),
            verifier,
            answer,
        });
        self
    }

    #[cfg(feature = "maya")]
    pub(crate) fn mount(mut self, mount: Mount) -> Self {
        self.mounts.push(mount);
        self
    }

    /// Remembers a problem found while adding a route; [`CallbackRoutes::into_router`]
    /// reports it.
    #[cfg(any(feature = "maib", feature = "maya-checkout"))]
    pub(crate) fn problem(mut self, problem: RouteError) -> Self {
        self.problems.push(problem);
        self
    }

    /// The router with every route, or the first configuration problem: a path that is not a
    /// plain absolute path (`/`, letters, digits, `-`, `.`, `_`, `~`), a path mounted twice,
    /// a success answer that is not a 2xx, a provider helper given a client that cannot verify.
    pub fn into_router<S>(self) -> Result<Router<S>, RouteError>
    where
        S: Clone + Send + Sync + 'static,
    {
        if let Some(problem) = self.problems.into_iter().next() {
            return Err(problem);
        }
        let mut seen = HashSet::new();
        for mount in &self.mounts {
            check_path(mount.path())?;
            if !seen.insert(mount.path()) {
                return Err(RouteError::DuplicatePath(mount.path().to_owned()));
            }
            if let Some(answer) = mount.success_answer() {
                if !answer.status().is_success() {
                    return Err(RouteError::AnswerNotSuccess {
                        path: mount.path().to_owned(),
                        status: answer.status().as_u16(),
                    });
                }
            }
        }
        let mut router = Router::new();
        for mount in self.mounts {
            router = match mount {
                Mount::Callback {
                    path,
                    verifier,
                    answer,
                } => {
                    let route = Arc::new(CallbackRoute {
                        body_limit: verifier.limit_or(self.body_limit),
                        path: path.clone(),
                        verifier,
                        answer,
                        handler: self.handler.clone(),
                        claims: self.claims.clone(),
                        claim_config: self.claim_config.clone(),
                    });
                    router.route(&path, post(serve_callback).with_state(route))
                }
                #[cfg(feature = "maya")]
                Mount::MayaSession { path, route } => {
                    let route = Arc::new(route.mounted(&path, self.body_limit));
                    router.route(&path, post(crate::maya::serve_session).with_state(route))
                }
            };
        }
        Ok(router)
    }
}

/// Only plain absolute paths: axum would panic on captures (`{id}`), wildcards and the
/// syntax of its earlier versions (`:id`), and a callback URL needs none of them.
fn check_path(path: &str) -> Result<(), RouteError> {
    let invalid = |reason: &'static str| RouteError::InvalidPath {
        path: path.to_owned(),
        reason,
    };
    if !path.starts_with('/') {
        return Err(invalid("must start with `/`"));
    }
    if path.len() > 1024 {
        return Err(invalid("longer than 1024 bytes"));
    }
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~'));
    if !plain {
        return Err(invalid(
            "may hold only letters, digits, `/`, `-`, `.`, `_` and `~`",
        ));
    }
    Ok(())
}

impl fmt::Debug for CallbackRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackRoutes")
            .field(
                "paths",
                &self.mounts.iter().map(Mount::path).collect::<Vec<_>>(),
            )
            .field("claims", &self.claims)
            .field("claim_config", &self.claim_config)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// Why [`CallbackRoutes::into_router`] refused to build.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteError {
    /// The path is not a plain absolute path.
    InvalidPath {
        /// The path.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two routes have this path.
    DuplicatePath(String),
    /// The success answer is not a 2xx: a provider would take every handled callback for a
    /// failure and deliver it again.
    AnswerNotSuccess {
        /// The route's path.
        path: String,
        /// The answer's status.
        status: u16,
    },
    /// The route's provider client cannot verify callbacks as configured.
    Unusable {
        /// The route's path.
        path: String,
        /// What is missing.
        reason: &'static str,
    },
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::InvalidPath { path, reason } => {
                write!(f, "callback path {path:?} {reason}")
            }
            RouteError::DuplicatePath(path) => write!(f, "callback path {path:?} is mounted twice"),
            RouteError::AnswerNotSuccess { path, status } => write!(
                f,
                "callback path {path:?}: the success answer must be a 2xx, not {status}"
            ),
            RouteError::Unusable { path, reason } => write!(f, "callback path {path:?}: {reason}"),
        }
    }
}

impl std::error::Error for RouteError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_absolute_paths_are_mounted() {
        for good in ["/", "/callbacks/maib", "/cb/bog-ipay_v1.status~x"] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "callbacks",
            "/cb/{id}",
            "/cb/:id",
            "/cb/*rest",
            "/cb?x=1",
            "/c b",
        ] {
            assert!(
                matches!(check_path(bad), Err(RouteError::InvalidPath { .. })),
                "{bad}"
            );
        }
    }
}
