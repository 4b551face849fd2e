//! A [`SharedToken`] as the JSON its key holds.
//!
//! `{"id", "access_token", "issued_at_ms", "expires_at_ms", "refresh_token",
//! "refresh_expires_at_ms"}`: the tokens are exposed only here, to build the stored value.

use paykit_core::store::SharedToken;
use paykit_core::{Error, ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use crate::error::unreadable;

const OPERATION: &str = "load token";

/// The stored form of `token`.
pub(crate) fn encode(token: &SharedToken) -> String {
    json!({
        "id": token.id,
        "access_token": token.access_token.expose_secret(),
        "issued_at_ms": token.issued_at_ms,
        "expires_at_ms": token.expires_at_ms,
        "refresh_token": token.refresh_token.as_ref().map(ExposeSecret::expose_secret),
        "refresh_expires_at_ms": token.refresh_expires_at_ms,
    })
    .to_string()
}

/// The token in `text`; an error naming the field (never its value) when unreadable.
pub(crate) fn decode(text: &str) -> Result<SharedToken, Error> {
    let value: Value = serde_json::from_str(text).map_err(|_| unreadable(OPERATION, "not JSON"))?;
    let doc = value
        .as_object()
        .ok_or_else(|| unreadable(OPERATION, "not an object"))?;
    let mut token = SharedToken::new(
        text_field(doc, "id")?,
        SecretString::from(text_field(doc, "access_token")?),
        int_field(doc, "issued_at_ms")?,
        int_field(doc, "expires_at_ms")?,
    );
    if let Some(refresh) = optional_text(doc, "refresh_token")? {
        let expires = match doc.get("refresh_expires_at_ms") {
            None | Some(Value::Null) => None,
            Some(_) => Some(int_field(doc, "refresh_expires_at_ms")?),
        };
        token = token.with_refresh(SecretString::from(refresh), expires);
    }
    Ok(token)
}

fn text_field(doc: &Map<String, Value>, field: &'static str) -> Result<String, Error> {
    optional_text(doc, field)?.ok_or_else(|| unreadable(OPERATION, format!("{field} missing")))
}

fn optional_text(doc: &Map<String, Value>, field: &'static str) -> Result<Option<String>, Error> {
    match doc.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(unreadable(OPERATION, format!("{field} not a string"))),
    }
}

fn int_field(doc: &Map<String, Value>, field: &'static str) -> Result<i64, Error> {
    doc.get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| unreadable(OPERATION, format!("{field} not whole milliseconds")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_with_its_secrets() {
        let token = SharedToken::new("id-1", SecretString::from("acc-secret"), 10, 20)
            .with_refresh(SecretString::from("ref-secret"), Some(30));
        let back = decode(&encode(&token)).unwrap();
        assert_eq!(back.access_token.expose_secret(), "acc-secret");
        assert_eq!(
            back.refresh_token.as_ref().map(ExposeSecret::expose_secret),
            Some("ref-secret")
        );
        assert_eq!(
            (back.id.as_str(), back.issued_at_ms, back.expires_at_ms),
            ("id-1", 10, 20)
        );
        assert_eq!(back.refresh_expires_at_ms, Some(30));
        let bare = decode(&encode(&SharedToken::new(
            "b",
            SecretString::from("x"),
            1,
            2,
        )))
        .unwrap();
        assert!(bare.refresh_token.is_none() && bare.refresh_expires_at_ms.is_none());
    }

    #[test]
    fn unreadable_tokens_name_the_field_not_the_value() {
        let doc = encode(&SharedToken::new(
            "i",
            SecretString::from("acc-secret"),
            1,
            2,
        ));
        for (text, field) in [
            (
                doc.replace("\"expires_at_ms\":2", "\"expires_at_ms\":\"2\""),
                "expires_at_ms",
            ),
            (doc.replace("\"access_token\"", "\"other\""), "access_token"),
            ("acc-secret".to_owned(), "not JSON"),
            ("[]".to_owned(), "not an object"),
        ] {
            let shown = decode(&text).unwrap_err().to_string();
            assert!(shown.contains(field), "{shown}");
            assert!(!shown.contains("acc-secret"), "{shown}");
        }
    }
}
