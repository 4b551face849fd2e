//! The client's entry points for customer sessions kept in a [`SessionStore`]: storing a
//! pushed pair, and opening a session a fleet shares. The refresh protocol they set up lives
//! in [`crate::shared_session`].

use std::sync::Arc;

use paykit_core::store::SwapOutcome;
use paykit_core::{Error, Result, SessionStore};

use crate::session::{CustomerSession, SessionTokens};
use crate::shared_session::{MAX_ROUNDS, SharedSession};
use crate::{MayaClient, validate};

impl MayaClient {
    /// The customer session stored in `store` under `session_id`, shared with every instance
    /// using that store: a refresh is done by one instance for all of them (see the README's
    /// "Running on a fleet"), and each instance adopts the pair another one stored.
    ///
    /// [`CustomerSession::tokens`] and [`CustomerSession::revision`] describe the newest pair
    /// this instance knows; the store holds the fleet's.
    ///
    /// Fails with [`Error::InvalidInput`] naming `session_id` when the store has no such
    /// session (never stored, or removed), and with the store's error when it cannot be read.
    pub async fn shared_session(
        &self,
        store: Arc<dyn SessionStore>,
        session_id: &str,
    ) -> Result<CustomerSession> {
        validate::store_key("session_id", session_id)?;
        let Some(stored) = store.load(session_id).await? else {
            return Err(Error::invalid_input(
                "session_id",
                "no such session in the session store (never stored, or removed)",
            ));
        };
        let tokens = SessionTokens::from_stored(&stored.value)?;
        self.over_store(store, session_id, tokens, stored.value.ended)
    }

    /// Writes a pair Maya just pushed to the Session URL into `store` under `session_id`, and
    /// returns the shared session over it ([`MayaClient::shared_session`]).
    ///
    /// A push always wins: it is the newest pair Maya issued. When the id already holds a
    /// session (the customer reopened the Mini App and the merchant keys sessions by
    /// customer), the push replaces it, an end or a refresh lease included; an instance that
    /// was refreshing the old pair adopts the pushed one.
    pub async fn store_session(
        &self,
        store: Arc<dyn SessionStore>,
        session_id: &str,
        tokens: SessionTokens,
    ) -> Result<CustomerSession> {
        validate::store_key("session_id", session_id)?;
        let pushed = tokens.to_stored();
        let mut expected = None;
        for _round in 0..MAX_ROUNDS {
            match store
                .compare_and_swap(session_id, expected, &pushed)
                .await?
            {
                SwapOutcome::Swapped(_) => {
                    return self.over_store(store, session_id, tokens, None);
                }
                // Replaced whatever is there now, at its revision.
                SwapOutcome::Conflict(current) => expected = current.map(|c| c.revision),
            }
        }
        Err(Error::store(
            "session",
            "store session",
            format!("the stored session changed {MAX_ROUNDS} times while the push was written"),
        ))
    }

    fn over_store(
        &self,
        store: Arc<dyn SessionStore>,
        session_id: &str,
        tokens: SessionTokens,
        ended: Option<String>,
    ) -> Result<CustomerSession> {
        let shared = SharedSession::new(
            store,
            session_id.to_owned(),
            self.inner.session_lease,
            self.inner.session_cache.refresh_margin,
        );
        CustomerSession::shared(
            self.inner.api.clone(),
            self.inner.client_token.clone(),
            tokens,
            ended,
            shared,
            self.inner.session_cache.clone(),
        )
    }
}
