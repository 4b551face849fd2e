//! A callback body taken apart without copying: `result`'s fields and the signature, borrowed
//! from core's one-pass reader ([`JsonRef`], the [`paykit_core::json_literal`] grammar).
//!
//! Strings without escapes and number literals are slices of the body; only an escaped string
//! is unescaped. The envelope rules: the body is one JSON object; `result` is an object and
//! `signature` a string or `null`, each at most once.

use paykit_core::json_literal::JsonRef;
use paykit_core::{Error, Result, SignatureError};

use super::bad_body;

/// A value of `result`, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value<'a> {
    /// `null`: absent, and not signed.
    Null,
    /// A JSON string, unescaped.
    Text(&'a str),
    /// A JSON number, as written.
    Number(&'a str),
    /// A boolean, array or object: no signed form.
    Other,
}

/// `result`'s fields (in received order) and the base64 signature.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Envelope<'a> {
    pub(super) fields: Vec<(&'a str, Value<'a>)>,
    pub(super) signature: Option<&'a str>,
}

/// Reads `body` in one pass, refusing what is not JSON.
pub(super) fn parse(body: &[u8]) -> Result<JsonRef<'_>> {
    JsonRef::parse(body).map_err(|_| bad_body("not JSON"))
}

/// The envelope of a parsed body, refusing what is not a callback.
pub(super) fn envelope<'d>(document: &'d JsonRef<'_>) -> Result<Envelope<'d>> {
    let JsonRef::Object(members) = document else {
        return Err(bad_body("not a JSON object"));
    };
    let mut result = None;
    let mut signature = None;
    for (key, value) in members {
        let slot = match key.as_ref() {
            "result" => &mut result,
            "signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(bad_body(format!("`{key}` appears twice")));
        }
    }
    let Some(JsonRef::Object(result)) = result else {
        return Err(bad_body("`result` is missing or not an object"));
    };
    let signature = match signature {
        None | Some(JsonRef::Null) => None,
        Some(JsonRef::String(text)) => Some(text.as_ref()),
        Some(_) => return Err(Error::Signature(SignatureError::Malformed)),
    };
    let fields = result
        .iter()
        .map(|(key, value)| {
            let value = match value {
                JsonRef::Null => Value::Null,
                JsonRef::String(text) => Value::Text(text),
                JsonRef::Number(literal) => Value::Number(literal),
                JsonRef::Bool(_) | JsonRef::Array(_) | JsonRef::Object(_) => Value::Other,
            };
            (key.as_ref(), value)
        })
        .collect();
    Ok(Envelope { fields, signature })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `result`'s fields and the signature, copied out of the body.
    type Read = (Vec<(String, Value<'static>)>, Option<String>);

    fn read(body: &str) -> Result<Read> {
        let document = parse(body.as_bytes())?;
        let envelope = envelope(&document)?;
        // Leaked for the test's convenience: owned copies with a 'static borrow.
        let own = |text: &str| -> &'static str { Box::leak(text.to_owned().into_boxed_str()) };
        let fields = envelope
            .fields
            .iter()
            .map(|(key, value)| {
                let value = match value {
                    Value::Text(text) => Value::Text(own(text)),
                    Value::Number(literal) => Value::Number(own(literal)),
                    Value::Null => Value::Null,
                    Value::Other => Value::Other,
                };
                ((*key).to_owned(), value)
            })
            .collect();
        Ok((fields, envelope.signature.map(str::to_owned)))
    }

    #[test]
    fn fields_and_signature_are_read_as_written() {
        let (fields, signature) = read(
            r#"{"result":{"a":"x","amount":10.50,"n":null,"e":-1.5e+3,"q":"\"quoted\"","b":true,"l":[1]},"signature":"c2ln"}"#,
        )
        .unwrap();
        assert_eq!(
            fields,
            [
                ("a".to_owned(), Value::Text("x")),
                ("amount".to_owned(), Value::Number("10.50")),
                ("n".to_owned(), Value::Null),
                ("e".to_owned(), Value::Number("-1.5e+3")),
                ("q".to_owned(), Value::Text("\"quoted\"")),
                ("b".to_owned(), Value::Other),
                ("l".to_owned(), Value::Other),
            ]
        );
        assert_eq!(signature.as_deref(), Some("c2ln"));
        let (fields, signature) =
            read(" {\r\n\t\"signature\" : null , \"extra\": true, \"result\" : { } } \n").unwrap();
        assert!(fields.is_empty() && signature.is_none());
        // An escaped spelling of `result` is `result`.
        let (fields, _) = read(r#"{"res\u0075lt":{"a":"x"},"signature":"s"}"#).unwrap();
        assert_eq!(fields, [("a".to_owned(), Value::Text("x"))]);
    }

    #[test]
    fn what_is_not_a_callback_envelope_is_refused() {
        for body in [
            r#"{"result":{},"result":{},"signature":"s"}"#,
            r#"{"result":{},"signature":"s","signature":"t"}"#,
            r#"{"signature":"s"}"#,
            r#"{"result":"x"}"#,
            r#"{}"#,
            r#"{"result":{"a":01}}"#,
            r#"{"result":{"a":1,}}"#,
            r#"{"result":{}} x"#,
            r#"[{"result":{}}]"#,
            "",
            "{\"result\":{\"a\":\"tab\there\"}}",
        ] {
            assert!(
                matches!(
                    read(body),
                    Err(Error::Signature(SignatureError::BadBody(_)))
                ),
                "{body}"
            );
        }
        assert!(matches!(
            read(r#"{"result":{},"signature":5}"#),
            Err(Error::Signature(SignatureError::Malformed))
        ));
        assert!(read("{\"result\":{\"a\":\"\u{00ff}\"}}").is_ok());
        assert!(parse(b"{\"result\":{\"a\":\"\xff\"}}").is_err());
    }
}
