//! The shape of every key (documented in the crate docs' table), written once.

use paykit_core::ProviderId;
use paykit_core::store::TokenKey;
use serde_json::Value;

/// Builds the keys of one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: impl Into<String>) -> Self {
        Keys {
            prefix: prefix.into(),
        }
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `{prefix}token:{provider}:{account}`.
    pub(crate) fn token(&self, key: &TokenKey) -> String {
        format!("{}token:{}:{}", self.prefix, key.provider(), key.account())
    }

    /// `{prefix}token-lock:{provider}:{account}`.
    pub(crate) fn token_lock(&self, key: &TokenKey) -> String {
        format!(
            "{}token-lock:{}:{}",
            self.prefix,
            key.provider(),
            key.account()
        )
    }

    /// `{prefix}claim:{key}`.
    pub(crate) fn claim(&self, key: &str) -> String {
        format!("{}claim:{key}", self.prefix)
    }

    /// `{prefix}record:{provider}:{provider_payment_id}`.
    pub(crate) fn record(&self, provider: ProviderId, provider_payment_id: &str) -> String {
        format!("{}record:{provider}:{provider_payment_id}", self.prefix)
    }

    /// `{prefix}records:unsettled`, the sorted set of unsettled records.
    pub(crate) fn unsettled_index(&self) -> String {
        format!("{}records:unsettled", self.prefix)
    }

    /// `{prefix}session:{id}`.
    pub(crate) fn session(&self, id: &str) -> String {
        format!("{}session:{id}", self.prefix)
    }
}

/// A record's member in the unsettled index: the JSON array `[provider, provider_payment_id]`.
/// Payment ids may contain `:`, so a plain `provider:id` could not be split back reliably.
pub(crate) fn index_member(provider: ProviderId, provider_payment_id: &str) -> String {
    Value::Array(vec![
        Value::from(provider.as_str()),
        Value::from(provider_payment_id),
    ])
    .to_string()
}

/// The provider and payment id of an index member; `None` for anything else.
pub(crate) fn parse_index_member(member: &str) -> Option<(ProviderId, String)> {
    let value: Value = serde_json::from_str(member).ok()?;
    match value.as_array()?.as_slice() {
        [Value::String(provider), Value::String(id)] => {
            Some((ProviderId::intern(provider)?, id.clone()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_their_documented_shapes() {
        let keys = Keys::new("p:");
        let token = TokenKey::new(ProviderId("maib"), "proj-1");
        assert_eq!(keys.token(&token), "p:token:maib:proj-1");
        assert_eq!(keys.token_lock(&token), "p:token-lock:maib:proj-1");
        assert_eq!(keys.claim("cb:1"), "p:claim:cb:1");
        assert_eq!(keys.record(ProviderId("ipay"), "a:b"), "p:record:ipay:a:b");
        assert_eq!(keys.unsettled_index(), "p:records:unsettled");
        assert_eq!(keys.session("s1"), "p:session:s1");
    }

    #[test]
    fn index_members_round_trip_ids_with_colons_and_quotes() {
        for id in ["plain", "a:b:c", "quote\"d", ""] {
            let member = index_member(ProviderId("maib"), id);
            let (provider, back) = parse_index_member(&member).unwrap();
            assert_eq!((provider.as_str(), back.as_str()), ("maib", id));
        }
        assert_ne!(
            index_member(ProviderId("a"), "b:c"),
            index_member(ProviderId("a:b"), "c")
        );
        for bad in ["maib:x", "[]", "[\"maib\"]", "[\"maib\",1]", "[\"\",\"x\"]"] {
            assert!(parse_index_member(bad).is_none(), "{bad}");
        }
    }
}
