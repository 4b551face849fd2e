//! What one executor call remembers across its HTTP attempts, for the functions core calls
//! without context (plain `fn` pointers: the per-attempt header and the 401 blame): the
//! `Request-Reference-No` its last attempt sent, and which token its first 401 blamed.
//!
//! The record lives in the task, not the thread: the attempts and the parse function run in
//! the same task wherever the runtime moves it. A call nested in an attempt (the customer
//! token refresh that attempt needed) opens its own [`scope`], so it never passes its reference
//! or its 401 off as the outer call's.

use std::cell::RefCell;
use std::future::Future;

use crate::reference::RequestReference;

tokio::task_local! {
    static CURRENT: RefCell<CallRecord>;
}

/// One call's record.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallRecord {
    /// The reference the last attempt carried (made per attempt).
    pub(crate) last_reference: Option<RequestReference>,
    /// What the executor's 401 handling blamed (`Some(None)`: both tokens).
    pub(crate) first_blame: Option<Option<usize>>,
    /// The token the final 401 blamed, when it is another one than the executor renewed.
    pub(crate) renew_next: Option<usize>,
}

/// Runs `call` with a fresh record and hands the record back with its output.
pub(crate) async fn scope<F: Future>(call: F) -> (F::Output, CallRecord) {
    CURRENT
        .scope(RefCell::new(CallRecord::default()), async {
            let output = call.await;
            let record = CURRENT.try_with(|record| record.take()).unwrap_or_default();
            (output, record)
        })
        .await
}

/// Changes the current call's record; nothing outside a [`scope`].
pub(crate) fn update(change: impl FnOnce(&mut CallRecord)) {
    let _ = CURRENT.try_with(|record| change(&mut record.borrow_mut()));
}

/// Reads the current call's record; `None` outside a [`scope`].
pub(crate) fn read<T>(get: impl FnOnce(&CallRecord) -> T) -> Option<T> {
    CURRENT.try_with(|record| get(&record.borrow())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_are_per_scope_and_nested_scopes_do_not_leak() {
        let ((inner, outer_seen), outer) = scope(async {
            update(|r| r.first_blame = Some(Some(0)));
            let (_, inner) = scope(async { update(|r| r.renew_next = Some(1)) }).await;
            (inner, read(|r| r.renew_next))
        })
        .await;
        assert_eq!(inner.renew_next, Some(1));
        assert_eq!(inner.first_blame, None);
        assert_eq!(outer_seen, Some(None));
        assert_eq!(outer.first_blame, Some(Some(0)));
        // Outside any scope: nothing recorded, nothing read, nothing fails.
        update(|r| r.renew_next = Some(0));
        assert!(read(|r| r.renew_next).is_none());
    }
}
