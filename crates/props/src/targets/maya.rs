//! Maya: the Session URL push (the only request Maya sends to the merchant), callbacks (none
//! are supported: every one is refused) and the error body of every answer.

use std::sync::OnceLock;

use http::{HeaderMap, HeaderValue};
use paykit_core::{ExposeSecret, SecretString, Webhook, WebhookRequest};
use paykit_maya::{ErrorBody, MayaClient, MayaWebhook, SessionPush};

use crate::ready::ready;

fn webhook() -> Option<&'static MayaWebhook> {
    static HOOK: OnceLock<Option<MayaWebhook>> = OnceLock::new();
    HOOK.get_or_init(|| {
        let client = MayaClient::builder("props-client", SecretString::from("props-secret"))
            .api_base_url("http://127.0.0.1:9")
            .token_url("http://127.0.0.1:9/oauth/token")
            .build()
            .ok()?;
        Some(client.webhook())
    })
    .as_ref()
}

/// `SessionPush::parse_body`, `SessionPush::parse` with headers (the first line of the input,
/// when there is one, is the `Request-Reference-No`), and `MayaWebhook::verify`. A push that
/// parses never shows a token in its error or `Debug`.
pub fn maya_session(data: &[u8]) {
    let body_only = SessionPush::parse_body(data);
    match &body_only {
        Ok(push) => {
            let tokens = push.tokens();
            let shown = format!("{push:?}");
            for secret in [tokens.access_token(), tokens.refresh_token()] {
                let secret = secret.expose_secret();
                assert!(
                    secret.len() < 4 || !shown.contains(secret),
                    "a token in Debug"
                );
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let (reference, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (
            data.get(..at),
            data.get(at.saturating_add(1)..).unwrap_or(b""),
        ),
        None => (None, data),
    };
    if let Some(value) = reference.and_then(|r| HeaderValue::from_bytes(r).ok()) {
        headers.insert("request-reference-no", value);
    }
    let with_headers = SessionPush::parse(&headers, body);
    if let Ok(push) = &with_headers {
        if let Some(reference) = push.request_reference() {
            assert!(paykit_maya::RequestReference::parse(reference).is_ok());
        }
    }
    if reference.is_none() {
        assert_eq!(
            body_only.is_ok(),
            with_headers.is_ok(),
            "parse vs parse_body"
        );
    }
    let Some(hook) = webhook() else {
        panic!("a MayaClient for loopback could not be built");
    };
    let Some(verdict) = ready(hook.verify(&WebhookRequest::new(&headers, data))) else {
        panic!("the Maya webhook waited on I/O");
    };
    assert!(verdict.is_err(), "Maya sends no callbacks paykit accepts");
}

/// `ErrorBody::parse`: every error shape Maya answers with; a body that parses has a code.
pub fn maya_error_body(data: &[u8]) {
    let Some(body) = ErrorBody::parse(data) else {
        return;
    };
    assert!(!body.code.is_empty(), "an error body without a code");
    let _ = (
        body.is_server_fault(),
        body.is_decline(),
        body.is_already_processed(),
        body.is_key_error(),
        body.describe(),
        body.to_string(),
    );
}
