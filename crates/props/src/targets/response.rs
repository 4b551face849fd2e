//! paykit-core's generic answer readers, which every adapter's own decoders start from:
//! `RawResponse::json`, `unrecognized_error`, `retry_after` and `rate_limited`.

use http::{HeaderMap, HeaderValue, StatusCode};
use paykit_core::http::RawResponse;
use paykit_core::{Error, ProviderId};

/// The status (first two bytes), the `Retry-After` value (up to the first newline after
/// them) and the body (the rest).
fn split(data: &[u8]) -> (u16, &[u8], &[u8]) {
    let (head, rest) = data.split_at_checked(2).unwrap_or((b"\0\0", data));
    let code = u16::from_le_bytes([
        head.first().copied().unwrap_or(0),
        head.get(1).copied().unwrap_or(0),
    ]);
    match rest.iter().position(|b| *b == b'\n') {
        Some(at) => (
            code,
            rest.get(..at).unwrap_or(b""),
            rest.get(at.saturating_add(1)..).unwrap_or(b""),
        ),
        None => (code, b"", rest),
    }
}

/// A response of any status, `Retry-After` and body, read as a money-moving, secret-bearing
/// answer: decoding never panics, a sensitive body never appears in the error, and the error
/// kinds are the ones `unrecognized_error` documents.
pub fn raw_response(data: &[u8]) {
    let (code, retry_after, body) = split(data);
    let status = StatusCode::from_u16(code.checked_rem(500).unwrap_or(0).saturating_add(100))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(retry_after) {
        headers.insert(http::header::RETRY_AFTER, value);
    }
    let response = RawResponse {
        provider: ProviderId("props"),
        status,
        headers,
        body: body.to_vec().into(),
        mutating: true,
        sensitive: true,
    };
    let _ = (
        response.is_success(),
        response.is_empty(),
        response.retry_after(),
    );
    if let Err(error) = response.json::<serde_json::Value>() {
        let shown = format!("{error} {error:?}");
        if let Ok(text) = std::str::from_utf8(body) {
            let text = text.trim();
            assert!(
                text.len() < 12 || !shown.contains(text),
                "a sensitive body in a decode error: {shown}"
            );
        }
    }
    match response.unrecognized_error() {
        Error::RateLimited { .. } => assert_eq!(status.as_u16(), 429),
        Error::Auth { .. } => assert!(matches!(status.as_u16(), 401 | 403)),
        Error::Transport { mutating, .. } => {
            assert!(mutating, "a money-moving answer lost `mutating`")
        }
        other => panic!("unrecognized_error gave {other:?}"),
    }
}
