//! Issued tokens and their expiry, by the simulator clock. Every provider keeps one store.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Expired tokens are remembered this long, so they can still be told apart from
/// never-issued ones (the providers answer them differently).
const GRACE_MS: u64 = 24 * 3600 * 1000;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A bearer (access) token.
    Access,
    /// A refresh token.
    Refresh,
}

/// One issued token.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) kind: TokenKind,
    pub(crate) expires_ms: u64,
    /// Who it was issued to (a merchant, or a Maya customer).
    pub(crate) subject: String,
}

/// The result of checking a presented token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// Issued by us, of the right kind, not expired; carries the subject.
    Valid(String),
    /// Issued by us but expired.
    Expired,
    /// Never issued, or of the other kind.
    Unknown,
}

/// Tokens issued by one provider.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    grants: HashMap<String, Grant>,
    /// `(when to forget, token)`, earliest first: pruning pops instead of walking every
    /// grant.
    forget_at: BinaryHeap<Reverse<(u64, String)>>,
}

impl TokenStore {
    /// Records `token`, valid for `lifetime_ms` from `now_ms`.
    pub(crate) fn insert(
        &mut self,
        token: &str,
        kind: TokenKind,
        subject: &str,
        now_ms: u64,
        lifetime_ms: u64,
    ) {
        let expires_ms = now_ms.saturating_add(lifetime_ms);
        self.grants.insert(
            token.to_owned(),
            Grant {
                kind,
                expires_ms,
                subject: subject.to_owned(),
            },
        );
        self.forget_at.push(Reverse((
            expires_ms.saturating_add(GRACE_MS),
            token.to_owned(),
        )));
    }

    /// Checks a presented token.
    pub(crate) fn check(&self, token: &str, kind: TokenKind, now_ms: u64) -> Check {
        match self.grants.get(token) {
            Some(g) if g.kind == kind && now_ms < g.expires_ms => Check::Valid(g.subject.clone()),
            Some(g) if g.kind == kind => Check::Expired,
            _ => Check::Unknown,
        }
    }

    /// Forgets a token.
    pub(crate) fn revoke(&mut self, token: &str) {
        self.grants.remove(token);
    }

    /// Forgets up to `budget` tokens that expired more than a day ago (expired ones are kept
    /// a while so they can still be told apart from never-issued ones).
    pub(crate) fn prune(&mut self, now_ms: u64, budget: usize) {
        for _ in 0..budget {
            if self
                .forget_at
                .peek()
                .is_none_or(|Reverse((at, _))| *at > now_ms)
            {
                break;
            }
            if let Some(Reverse((_, token))) = self.forget_at.pop() {
                // A revoked token is already gone; a token is never issued twice.
                self.grants.remove(&token);
            }
        }
    }

    /// How many tokens are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.grants.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_kinds_do_not_mix() {
        let mut store = TokenStore::default();
        store.insert("a", TokenKind::Access, "m", 1000, 500);
        assert_eq!(
            store.check("a", TokenKind::Access, 1499),
            Check::Valid("m".into())
        );
        assert_eq!(store.check("a", TokenKind::Access, 1500), Check::Expired);
        assert_eq!(store.check("a", TokenKind::Refresh, 1000), Check::Unknown);
        assert_eq!(store.check("b", TokenKind::Access, 1000), Check::Unknown);
        store.prune(1500 + GRACE_MS - 1, usize::MAX);
        assert_eq!(store.check("a", TokenKind::Access, 1500), Check::Expired);
        store.prune(u64::MAX, usize::MAX);
        assert_eq!(store.check("a", TokenKind::Access, 1000), Check::Unknown);
    }

    #[test]
    fn pruning_is_bounded_and_forgets_revoked_entries() {
        let mut store = TokenStore::default();
        for i in 0..10 {
            store.insert(&i.to_string(), TokenKind::Access, "m", 0, 1);
        }
        store.revoke("0");
        store.prune(u64::MAX, 4);
        assert_eq!(store.len(), 6);
        store.prune(u64::MAX, usize::MAX);
        assert_eq!(store.len(), 0);
        assert!(store.forget_at.is_empty());
    }
}
