//! A stored session as the JSON its key holds:
//! `{revision, access_token, refresh_token, expires_at, refreshing: {owner, until_ms} | null,
//! ended: string | null}`. The swap script reads `revision` only.

use paykit_core::store::{SessionLease, StoredSession, Versioned};
use paykit_core::{Error, ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use crate::error::unreadable;

const OPERATION: &str = "load session";

/// The stored form of `session` at `revision`.
pub(crate) fn encode(revision: u64, session: &StoredSession) -> String {
    json!({
        "revision": revision,
        "access_token": session.access_token.expose_secret(),
        "refresh_token": session.refresh_token.expose_secret(),
        "expires_at": session.expires_at,
        "refreshing": session.refreshing.as_ref().map(|lease| json!({
            "owner": lease.owner,
            "until_ms": lease.until_ms,
        })),
        "ended": session.ended,
    })
    .to_string()
}

/// The session in `text`; an error naming the field (never its value) when unreadable.
pub(crate) fn decode(text: &str) -> Result<Versioned<StoredSession>, Error> {
    let value: Value = serde_json::from_str(text).map_err(|_| unreadable(OPERATION, "not JSON"))?;
    let doc = value
        .as_object()
        .ok_or_else(|| unreadable(OPERATION, "not an object"))?;
    let revision = doc
        .get("revision")
        .and_then(Value::as_u64)
        .ok_or_else(|| unreadable(OPERATION, "revision not a whole number"))?;
    let mut session = StoredSession::new(
        SecretString::from(text_field(doc, "access_token")?),
        SecretString::from(text_field(doc, "refresh_token")?),
        int_field(doc, "expires_at")?,
    );
    session.refreshing = match doc.get("refreshing") {
        None | Some(Value::Null) => None,
        Some(Value::Object(lease)) => Some(SessionLease {
            owner: text_field(lease, "owner")?,
            until_ms: int_field(lease, "until_ms")?,
        }),
        Some(_) => return Err(unreadable(OPERATION, "refreshing not an object")),
    };
    session.ended = match doc.get("ended") {
        None | Some(Value::Null) => None,
        Some(Value::String(reason)) => Some(reason.clone()),
        Some(_) => return Err(unreadable(OPERATION, "ended not a string")),
    };
    Ok(Versioned {
        revision,
        value: session,
    })
}

fn text_field(doc: &Map<String, Value>, field: &'static str) -> Result<String, Error> {
    doc.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| unreadable(OPERATION, format!("{field} not a string")))
}

fn int_field(doc: &Map<String, Value>, field: &'static str) -> Result<i64, Error> {
    doc.get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| unreadable(OPERATION, format!("{field} not a whole number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> StoredSession {
        let mut session = StoredSession::new(
            SecretString::from("acc-secret"),
            SecretString::from("ref-secret"),
            1_767_225_600,
        );
        session.refreshing = Some(SessionLease {
            owner: "me".into(),
            until_ms: 42,
        });
        session.ended = Some("refused".into());
        session
    }

    #[test]
    fn a_session_reads_back_whole() {
        let back = decode(&encode(7, &session())).unwrap();
        assert_eq!(back.revision, 7);
        assert_eq!(back.value.access_token.expose_secret(), "acc-secret");
        assert_eq!(back.value.refresh_token.expose_secret(), "ref-secret");
        assert_eq!(back.value.expires_at, 1_767_225_600);
        assert_eq!(back.value.refreshing, session().refreshing);
        assert_eq!(back.value.ended.as_deref(), Some("refused"));
        let plain = StoredSession::new(SecretString::from("a"), SecretString::from("r"), 1);
        let back = decode(&encode(1, &plain)).unwrap();
        assert!(back.value.refreshing.is_none() && back.value.ended.is_none());
    }

    #[test]
    fn unreadable_sessions_name_the_field_not_the_value() {
        let doc = encode(3, &session());
        for (text, field) in [
            (doc.replace("\"revision\":3", "\"revision\":-3"), "revision"),
            (doc.replace("\"refresh_token\"", "\"x\""), "refresh_token"),
            (
                doc.replace("\"until_ms\":42", "\"until_ms\":\"42\""),
                "until_ms",
            ),
            ("ref-secret".to_owned(), "not JSON"),
        ] {
            let shown = decode(&text).unwrap_err().to_string();
            assert!(shown.contains(field), "{shown}");
            assert!(!shown.contains("secret"), "{shown}");
        }
    }
}
