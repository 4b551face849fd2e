//! The Session URL push is public: its body is capped before anything is parsed
//! (`paykit_core::MAX_CALLBACK_BYTES` by default, configurable).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a broken setup should panic"
)]

use http::{HeaderMap, HeaderValue};
use paykit_core::{Error, MAX_CALLBACK_BYTES, WebhookRequest};
use paykit_maya::SessionPush;

const PUSH: &str = r#"{"accessToken":"test-access-token","refreshToken":"test-refresh-token","expiresAt":1767225600}"#;

/// A valid push padded with trailing whitespace (still valid JSON) to exactly `len` bytes.
fn padded(len: usize) -> Vec<u8> {
    let mut body = PUSH.as_bytes().to_vec();
    body.resize(len, b' ');
    body
}

fn refused_as_too_large(result: paykit_core::Result<SessionPush>) {
    match result {
        Err(Error::InvalidInput { field, reason }) => {
            assert_eq!(field, "body");
            assert!(reason.contains("larger than"), "{reason}");
        }
        other => panic!("expected the body cap, got {other:?}"),
    }
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}

#[test]
fn the_default_cap_is_cores_and_one_byte_over_is_refused() {
    assert_eq!(SessionPush::MAX_BODY_BYTES, MAX_CALLBACK_BYTES);
    // The same push parses at the limit and is refused one byte over: only the cap differs.
    SessionPush::parse_body(&padded(MAX_CALLBACK_BYTES)).unwrap();
    refused_as_too_large(SessionPush::parse_body(&padded(MAX_CALLBACK_BYTES + 1)));
    let headers = json_headers();
    SessionPush::parse(&headers, &padded(MAX_CALLBACK_BYTES)).unwrap();
    refused_as_too_large(SessionPush::parse(
        &headers,
        &padded(MAX_CALLBACK_BYTES + 1),
    ));
}

#[test]
fn the_cap_comes_before_the_headers_and_the_body_are_read() {
    // A wrong Content-Type and a body that is not JSON: still the size is what is reported.
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain"),
    );
    let garbage = vec![0xff; MAX_CALLBACK_BYTES + 1];
    refused_as_too_large(SessionPush::parse(&headers, &garbage));
}

#[test]
fn a_configured_limit_is_honoured_both_ways() {
    let len = PUSH.len();
    let body = padded(len);
    let headers = json_headers();
    let request = WebhookRequest::new(&headers, &body);
    let push = SessionPush::parse_request_within(&request, len).unwrap();
    assert_eq!(push.tokens().expires_at(), 1_767_225_600);
    refused_as_too_large(SessionPush::parse_request_within(&request, len - 1));
    // A limit above the default admits a larger body.
    let big = padded(MAX_CALLBACK_BYTES + 1);
    SessionPush::parse_request_within(&WebhookRequest::body_only(&big), MAX_CALLBACK_BYTES + 1)
        .unwrap();
}
