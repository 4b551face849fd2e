//! Reading a callback's body: the raw bytes, never a parsed and re-serialised form (signatures
//! cover what was sent), and never more than the limit.

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::outcome::CallbackOutcome;

/// The body, byte for byte, if it is at most `limit` bytes. A declared `Content-Length` over
/// the limit is refused before a byte is read; a body that turns out longer is refused as
/// soon as the limit is passed, without buffering the rest.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, CallbackOutcome> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(CallbackOutcome::TooLarge);
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(CallbackOutcome::TooLarge)
        }
        // The sender went away mid-body, or sent a broken chunked encoding.
        Err(_) => Err(CallbackOutcome::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_whether_declared_or_not() {
        let none = HeaderMap::new();
        let fits = read_limited(&none, Body::from(vec![b'x'; 8]), 8).await;
        assert_eq!(fits.map(|b| b.len()), Ok(8));
        let over = read_limited(&none, Body::from(vec![b'x'; 9]), 8).await;
        assert_eq!(over, Err(CallbackOutcome::TooLarge));
        let mut declared = HeaderMap::new();
        declared.insert(header::CONTENT_LENGTH, "9".parse().unwrap());
        let refused = read_limited(&declared, Body::from(vec![b'x'; 1]), 8).await;
        assert_eq!(refused, Err(CallbackOutcome::TooLarge));
    }
}
