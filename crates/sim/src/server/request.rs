//! A fully read HTTP request, and the header helpers every provider needs.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use hyper::{HeaderMap, Method};

use crate::form;

/// An HTTP request with its body already read.
#[derive(Debug, Clone)]
pub(crate) struct SimRequest {
    pub(crate) method: Method,
    /// The raw path, still percent-encoded.
    pub(crate) path: String,
    /// The raw query string without `?` (empty when absent).
    pub(crate) query: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl SimRequest {
    /// The path's segments, percent-decoded (`/v1/pay-info/x` gives `["v1", "pay-info", "x"]`).
    /// A trailing slash is ignored.
    pub(crate) fn segments(&self) -> Vec<String> {
        let trimmed = self.path.trim_start_matches('/');
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Vec::new();
        }
        trimmed
            .split('/')
            .map(|s| form::percent_decode(s, false))
            .collect()
    }

    /// A header's value, if present and visible ASCII.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The credentials of an `Authorization: <scheme> <credentials>` header whose scheme
    /// matches `scheme` case-insensitively.
    fn authorization(&self, scheme: &str) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (given, rest) = value.split_once(' ')?;
        given
            .eq_ignore_ascii_case(scheme)
            .then(|| rest.trim())
            .filter(|t| !t.is_empty())
    }

    /// The token of an `Authorization: Bearer <token>` header.
    pub(crate) fn bearer(&self) -> Option<&str> {
        self.authorization("Bearer")
    }

    /// The user and password of an `Authorization: Basic <base64(user:password)>` header.
    pub(crate) fn basic(&self) -> Option<(String, String)> {
        let decoded = STANDARD.decode(self.authorization("Basic")?).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        Some((user.to_owned(), password.to_owned()))
    }

    /// Whether the `Content-Type` media type (parameters ignored) equals `mime`.
    pub(crate) fn content_type_is(&self, mime: &str) -> bool {
        self.header("content-type")
            .and_then(|v| v.split(';').next())
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(mime))
    }

    /// Whether a `Content-Type` header was sent at all.
    pub(crate) fn has_content_type(&self) -> bool {
        self.headers.contains_key("content-type")
    }

    /// The query string as decoded name/value pairs.
    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        form::parse(&self.query)
    }

    /// The body as a decoded form.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        form::parse(&String::from_utf8_lossy(&self.body))
    }

    /// A query parameter's value with `%XX` decoded but `+` kept (opaque ids such as maib's
    /// base64 `trans_id` may contain `/`, `=` and `+`).
    pub(crate) fn query_opaque(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|part| {
            let (k, v) = part.split_once('=')?;
            (k == name).then(|| form::percent_decode(v, false))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(path: &str, query: &str, headers: &[(&'static str, &str)]) -> SimRequest {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        SimRequest {
            method: Method::GET,
            path: path.into(),
            query: query.into(),
            headers: map,
            body: Bytes::new(),
        }
    }

    #[test]
    fn splits_and_decodes_segments() {
        assert_eq!(
            req("/v1/pay-info/a%2Fb/", "", &[]).segments(),
            ["v1", "pay-info", "a/b"]
        );
        assert!(req("/", "", &[]).segments().is_empty());
    }

    #[test]
    fn reads_auth_headers() {
        let r = req("/", "", &[("authorization", "bearer  abc ")]);
        assert_eq!(r.bearer(), Some("abc"));
        assert_eq!(r.basic(), None);
        let r = req("/", "", &[("authorization", "Basic MTAwNjpzZWNyZXQ=")]);
        assert_eq!(r.basic(), Some(("1006".into(), "secret".into())));
        assert_eq!(req("/", "", &[("authorization", "Bearer")]).bearer(), None);
    }

    #[test]
    fn content_type_essence() {
        let r = req(
            "/",
            "",
            &[("content-type", "Application/JSON; charset=utf-8")],
        );
        assert!(r.content_type_is("application/json"));
        assert!(!r.content_type_is("application/x-www-form-urlencoded"));
    }

    #[test]
    fn opaque_query_keeps_plus_and_slash() {
        let r = req("/", "trans_id=ab+c/d%3D&x=1", &[]);
        assert_eq!(r.query_opaque("trans_id").as_deref(), Some("ab+c/d="));
    }
}
