//! Responses as plain data, turned into hyper responses by the listener.

use bytes::Bytes;
use hyper::StatusCode;
use serde::Serialize;

/// An HTTP response.
#[derive(Debug, Clone)]
pub(crate) struct SimResponse {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) body: Bytes,
}

impl SimResponse {
    fn with(status: u16, content_type: Option<&'static str>, body: Bytes) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            content_type,
            body,
        }
    }

    /// A JSON response. Should serialization ever fail, a bare 500.
    pub(crate) fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self::with(status, Some("application/json"), Bytes::from(body)),
            Err(_) => Self::empty(500),
        }
    }

    /// The same response with another status.
    #[must_use]
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = StatusCode::from_u16(status).unwrap_or(self.status);
        self
    }

    /// A response without a body.
    pub(crate) fn empty(status: u16) -> Self {
        Self::with(status, None, Bytes::new())
    }

    /// An HTML page.
    pub(crate) fn html(status: u16, page: String) -> Self {
        Self::with(status, Some("text/html; charset=utf-8"), Bytes::from(page))
    }
}
