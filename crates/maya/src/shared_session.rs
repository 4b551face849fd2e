//! A customer session shared by a fleet: the pair lives in a [`SessionStore`], and an instance
//! refreshes it only under a lease it took by compare-and-swap. Maya spends a refresh token on
//! its first use, so two instances refreshing one session at once would end it; here it is
//! spent once, however many instances need a new access token at the same moment.
//!
//! Core's cache calls [`SessionRefresher::refresh_shared`] under its in-process single flight,
//! so each instance sends one caller here at a time. Then, in rounds:
//!
//! 1. **Read** the stored session (revision `n`). A fresh access token other than the one this
//!    instance holds means someone refreshed: adopt it, send nothing. An ended session is
//!    adopted as ended. "Fresh" is the cache's own test: more than its refresh margin left.
//! 2. **Wait** while another instance's lease is live: re-read every 20 ms until the revision
//!    changes or the lease lapses, for at most one lease length whatever deadline the lease
//!    claims (a clock far ahead must not block the fleet); then read again.
//! 3. **Lease**: swap in `refreshing = (random owner, now + lease)` expecting `n`. A conflict
//!    means someone moved first: read again.
//! 4. **Refresh**: `POST /tokens` with the *stored* refresh token, never a local one, renewing
//!    the lease every third of its length while the answer is awaited (a slow answer must not
//!    let the lease lapse: another instance would then spend the same refresh token). Then
//!    swap, expecting the lease's revision:
//!    - a new pair: the pair, lease cleared;
//!    - a refusal that ends the session: `ended`, lease cleared, so every instance learns it
//!      instead of trying again;
//!    - a passing failure (timeout, 5xx): the lease cleared, so another instance may try; the
//!      error is reported as without a store.
//! 5. **Conflict on that swap**: someone wrote while this instance refreshed (its lease
//!    lapsed, or the customer reopened the Mini App and the push was stored). A stored pair
//!    that still carries the refresh token this refresh spent is not newer, whatever else it
//!    says (a lease, or `ended` written by an instance refused for that same token): it is
//!    replaced. Any other pair is newer (a push, or a refresh after this one): it is adopted,
//!    never overwritten.
//!
//! **A failing store fails the refresh** with the store's error ([`Error::Store`]) and sends
//! nothing: refreshing without the store is exactly what ends sessions (two instances spending
//! one refresh token). The access token this instance holds keeps serving while it is valid.
//! The one exception is the store failing *after* Maya issued a new pair: the pair is kept and
//! used by this instance (it is the only live one) and the failure is logged as an error.
//!
//! Lease deadlines are wall-clock milliseconds, the one clock separate machines share: their
//! clocks must agree to well within a lease (NTP does).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use paykit_core::store::{
    SessionLease, SessionStore, StoredSession, SwapOutcome, Versioned, random_id, unix_millis,
};
use paykit_core::{Error, ExposeSecret, Result, SecretString};
use tokio::time::Instant;

use crate::auth::{RefreshFailure, SessionRefresher, session_ended};
use crate::session::SessionTokens;

/// How often an instance waiting for another's refresh re-reads the store.
const POLL: Duration = Duration::from_millis(20);

/// Rounds of one refresh (or of one final swap) before giving up. Every round means another
/// instance wrote the session, or a lease was waited out; this many in a row means the store
/// is not behaving like one.
pub(crate) const MAX_ROUNDS: u32 = 64;

/// Where a shared session lives, and the protocol's tuning.
pub(crate) struct SharedSession {
    store: Arc<dyn SessionStore>,
    id: String,
    lease: Duration,
    margin: Duration,
}

impl fmt::Debug for SharedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The id is left out: it is the key to the customer's tokens in the store.
        f.debug_struct("SharedSession")
            .field("store", &self.store)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl SharedSession {
    /// Session `id` in `store`; refreshes hold a lease of `lease`, and a stored access token
    /// with more than `margin` left is fresh.
    pub(crate) fn new(
        store: Arc<dyn SessionStore>,
        id: String,
        lease: Duration,
        margin: Duration,
    ) -> Self {
        SharedSession {
            store,
            id,
            lease,
            margin,
        }
    }

    async fn load(&self) -> Result<Option<Versioned<StoredSession>>> {
        self.store.load(&self.id).await
    }

    async fn swap(&self, expected: u64, session: &StoredSession) -> Result<SwapOutcome> {
        self.store
            .compare_and_swap(&self.id, Some(expected), session)
            .await
    }

    /// A lease for this instance, lapsing one lease length from now.
    fn new_lease(&self) -> SessionLease {
        SessionLease {
            owner: random_id(),
            until_ms: self.deadline_ms(),
        }
    }

    /// How often a lease is renewed while Maya answers: a third of it, so two renewals may be
    /// late before it lapses (never more often than the waiters poll).
    fn renew_every(&self) -> Duration {
        (self.lease / 3).max(POLL)
    }

    fn deadline_ms(&self) -> i64 {
        let lease = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
        unix_millis().saturating_add(lease)
    }

    /// Step 2: re-reads until the revision moves on from `revision` or `lease` lapses, for at
    /// most one lease length. `Some(revision)` when it was waited out unchanged: its lease may
    /// be taken over even if its deadline claims otherwise.
    async fn wait_for_change(&self, revision: u64, lease: &SessionLease) -> Result<Option<u64>> {
        let left = u64::try_from(lease.until_ms.saturating_sub(unix_millis())).unwrap_or(0);
        let start = Instant::now();
        let until = start
            .checked_add(Duration::from_millis(left).min(self.lease))
            .unwrap_or(start);
        loop {
            let now = Instant::now();
            if now >= until {
                break;
            }
            tokio::time::sleep(POLL.min(until.saturating_duration_since(now))).await;
            match self.load().await? {
                Some(current) if current.revision == revision => {}
                _ => return Ok(None),
            }
        }
        tracing::debug!(
            revision,
            "waited out another instance's customer-token refresh lease"
        );
        Ok(Some(revision))
    }

    /// Step 4 after a passing failure: clears this instance's lease so another may try at
    /// once. A conflict means someone moved since; there is nothing of ours left to clear.
    async fn release(&self, revision: u64, leased: &StoredSession) {
        let mut released = leased.clone();
        released.refreshing = None;
        if let Err(error) = self.swap(revision, &released).await {
            tracing::warn!(%error, "could not clear the customer-token refresh lease; it lapses on its own");
        }
    }
}

/// True when `stored` still carries `spent`, the refresh token a refresh just used: whatever
/// else it says, it is not newer than that refresh's answer.
fn carries(stored: &StoredSession, spent: &SecretString) -> bool {
    stored.refresh_token.expose_secret() == spent.expose_secret()
}

/// The error after [`MAX_ROUNDS`] rounds without getting anywhere.
fn kept_changing() -> Error {
    Error::store(
        "session",
        "refresh",
        format!("the stored session changed {MAX_ROUNDS} times during one refresh; giving up"),
    )
}

impl SessionRefresher {
    /// The fleet protocol of this module's documentation; the pair it returns is held.
    pub(crate) async fn refresh_shared(&self, shared: &SharedSession) -> Result<SessionTokens> {
        let mut waited_out = None;
        for _round in 0..MAX_ROUNDS {
            // 1. Read.
            let Some(stored) = shared.load().await? else {
                return Err(self.removed());
            };
            let tokens = SessionTokens::from_stored(&stored.value)?;
            if let Some(reason) = &stored.value.ended {
                self.hold(&tokens, Some(reason.clone()));
                return Err(session_ended(reason));
            }
            if tokens.is_fresh(shared.margin) && !self.holds_access_token(&tokens) {
                tracing::debug!(
                    revision = stored.revision,
                    "adopting the customer token another instance refreshed"
                );
                self.hold(&tokens, None);
                return Ok(tokens);
            }
            // 2. Wait for another instance's live lease.
            if let Some(lease) = &stored.value.refreshing {
                if lease.until_ms > unix_millis() && waited_out != Some(stored.revision) {
                    waited_out = shared.wait_for_change(stored.revision, lease).await?;
                    continue;
                }
            }
            // The client token first, so the lease covers little more than `POST /tokens`.
            self.client_token.token().await?;
            // 3. Lease.
            let mut leased = stored.value.clone();
            leased.refreshing = Some(shared.new_lease());
            match shared.swap(stored.revision, &leased).await? {
                SwapOutcome::Swapped(revision) => {
                    return self.refresh_leased(shared, &tokens, leased, revision).await;
                }
                SwapOutcome::Conflict(_) => continue,
            }
        }
        Err(kept_changing())
    }

    /// True when this instance already holds `tokens`' access token.
    fn holds_access_token(&self, tokens: &SessionTokens) -> bool {
        self.lock().tokens.access_token().expose_secret() == tokens.access_token().expose_secret()
    }

    /// 4. Refresh, holding the lease taken at `revision`, and store what came of it.
    async fn refresh_leased(
        &self,
        shared: &SharedSession,
        current: &SessionTokens,
        leased: StoredSession,
        revision: u64,
    ) -> Result<SessionTokens> {
        let (outcome, revision) = self
            .send_keeping_lease(shared, current, &leased, revision)
            .await;
        match outcome {
            Ok(tokens) => {
                self.publish(shared, revision, current.refresh_token(), &tokens)
                    .await
            }
            Err(failure) if failure.ends_session => {
                self.publish_end(shared, revision, current, failure.error)
                    .await
            }
            Err(failure) => {
                shared.release(revision, &leased).await;
                Err(failure.error)
            }
        }
    }

    /// `POST /tokens`, renewing the lease every third of its length until the answer arrives.
    /// Returns the answer and the revision of the last lease written. A renewal that conflicts
    /// or fails stops the renewals; the final swap then sorts out what happened.
    async fn send_keeping_lease(
        &self,
        shared: &SharedSession,
        current: &SessionTokens,
        leased: &StoredSession,
        mut revision: u64,
    ) -> (std::result::Result<SessionTokens, RefreshFailure>, u64) {
        let send = self.send_refresh(current);
        tokio::pin!(send);
        let mut renewed = leased.clone();
        let mut renewing = true;
        loop {
            tokio::select! {
                biased;
                outcome = &mut send => return (outcome, revision),
                () = tokio::time::sleep(shared.renew_every()), if renewing => {
                    if let Some(lease) = renewed.refreshing.as_mut() {
                        lease.until_ms = shared.deadline_ms();
                    }
                    match shared.swap(revision, &renewed).await {
                        Ok(SwapOutcome::Swapped(next)) => revision = next,
                        Ok(SwapOutcome::Conflict(_)) => {
                            tracing::warn!("the customer-token refresh lease was taken over while Maya answered slowly");
                            renewing = false;
                        }
                        Err(error) => {
                            tracing::warn!(%error, "could not renew the customer-token refresh lease");
                            renewing = false;
                        }
                    }
                }
            }
        }
    }

    /// 4 and 5 after a new pair: stores it unless a newer pair is stored, which is adopted.
    async fn publish(
        &self,
        shared: &SharedSession,
        mut expected: u64,
        spent: &SecretString,
        tokens: &SessionTokens,
    ) -> Result<SessionTokens> {
        // Held first: should the store fail now, this instance has the only live pair.
        self.hold(tokens, None);
        let next = tokens.to_stored();
        for _round in 0..MAX_ROUNDS {
            let current = match shared.swap(expected, &next).await {
                Ok(SwapOutcome::Swapped(_)) => return Ok(tokens.clone()),
                Ok(SwapOutcome::Conflict(current)) => current,
                Err(error) => {
                    tracing::error!(%error, "the refreshed customer token pair could not be stored; only this instance holds it");
                    return Ok(tokens.clone());
                }
            };
            match current {
                Some(current) if carries(&current.value, spent) => {
                    tracing::warn!(
                        revision = current.revision,
                        "the customer-token refresh lease lapsed during the refresh; storing its pair over the stale one"
                    );
                    expected = current.revision;
                }
                Some(current) => {
                    tracing::warn!(
                        revision = current.revision,
                        "a newer customer token pair was stored during this refresh; adopting it"
                    );
                    return self.adopt(&current.value);
                }
                None => return Err(self.removed()),
            }
        }
        tracing::error!(
            "the refreshed customer token pair could not be stored; only this instance holds it"
        );
        Ok(tokens.clone())
    }

    /// 4 and 5 after a refusal that ends the session: records it for every instance, unless a
    /// newer pair is stored (then the refusal was of a token already replaced, and the session
    /// lives on).
    async fn publish_end(
        &self,
        shared: &SharedSession,
        mut expected: u64,
        current: &SessionTokens,
        error: Error,
    ) -> Result<SessionTokens> {
        let reason = error.to_string();
        self.mark_ended(reason.clone());
        let mut ended = current.to_stored();
        ended.ended = Some(reason);
        for _round in 0..MAX_ROUNDS {
            match shared.swap(expected, &ended).await {
                Ok(SwapOutcome::Swapped(_)) => return Err(error),
                Ok(SwapOutcome::Conflict(Some(stored)))
                    if carries(&stored.value, current.refresh_token()) =>
                {
                    if stored.value.ended.is_some() {
                        return Err(error);
                    }
                    expected = stored.revision;
                }
                Ok(SwapOutcome::Conflict(Some(stored))) => {
                    tracing::warn!(
                        revision = stored.revision,
                        "the refresh was refused, but a newer customer token pair was stored meanwhile; adopting it"
                    );
                    return self.adopt(&stored.value);
                }
                Ok(SwapOutcome::Conflict(None)) => return Err(self.removed()),
                Err(store_error) => {
                    tracing::warn!(%store_error, "could not record in the session store that the customer session ended");
                    return Err(error);
                }
            }
        }
        Err(error)
    }

    /// Holds what the store holds: its pair, ended or not.
    fn adopt(&self, stored: &StoredSession) -> Result<SessionTokens> {
        let tokens = SessionTokens::from_stored(stored)?;
        self.hold(&tokens, stored.ended.clone());
        match &stored.ended {
            Some(reason) => Err(session_ended(reason)),
            None => Ok(tokens),
        }
    }

    /// The session is gone from the store: ended here too.
    fn removed(&self) -> Error {
        const WHY: &str = "the customer's session is no longer in the session store (it was \
                           removed: the customer logged out, or the merchant ended it)";
        self.mark_ended(WHY.to_owned());
        Error::invalid_input("session", WHY)
    }
}
