//! Matching one received request against a recorded one, explaining every difference.

use std::collections::BTreeMap;

use wiremock::{Match, Request};

use crate::fixture::{Body, RequestSpec};
use crate::json::{Exact, cut, diff};

/// Longest body excerpt printed in a difference.
const SNIPPET: usize = 200;

/// A wiremock matcher for one recorded request: method, path, query, headers and body.
#[derive(Debug, Clone)]
pub struct RequestMatcher {
    spec: RequestSpec,
    /// The expected JSON body, parsed once.
    json: Option<Exact>,
}

impl RequestMatcher {
    /// A matcher for `spec`.
    pub fn new(spec: &RequestSpec) -> Self {
        Self {
            json: spec.body.as_ref().and_then(Body::exact),
            spec: spec.clone(),
        }
    }

    /// The recorded request.
    pub fn spec(&self) -> &RequestSpec {
        &self.spec
    }

    /// Every way `request` differs from the recording, one line each; empty when it matches.
    pub fn mismatches(&self, request: &Request) -> Vec<String> {
        let mut found = Vec::new();
        if request.method.as_str() != self.spec.method {
            found.push(format!(
                "method: expected {}, got {}",
                self.spec.method, request.method
            ));
        }
        if request.url.path() != self.spec.path {
            found.push(format!(
                "path: expected {}, got {}",
                self.spec.path,
                request.url.path()
            ));
        }
        if let Some(query) = &self.spec.query {
            found.extend(self.query(query, request));
        }
        found.extend(self.headers(request));
        if let Some(body) = &self.spec.body {
            found.extend(self.body(body, &request.body));
        }
        found
    }

    /// Query parameters, compared as a map.
    fn query(&self, expected: &BTreeMap<String, String>, request: &Request) -> Vec<String> {
        let pairs = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()));
        let (actual, repeated) = to_map(pairs);
        let mut found: Vec<String> = repeated
            .into_iter()
            .map(|name| format!("query {name}: sent more than once"))
            .collect();
        found.extend(compare_maps("query", expected, &actual));
        found
    }

    /// Exact headers, present headers and absent headers.
    fn headers(&self, request: &Request) -> Vec<String> {
        let mut found = Vec::new();
        for (name, want) in &self.spec.headers {
            let got: Vec<&str> = request
                .headers
                .get_all(name.as_str())
                .iter()
                .map(|v| v.to_str().unwrap_or("<not text>"))
                .collect();
            match got.as_slice() {
                [] => found.push(format!("header {name}: missing (expected {want:?})")),
                [one] if one == want => {}
                _ => found.push(format!("header {name}: expected {want:?}, got {got:?}")),
            }
        }
        for name in &self.spec.headers_present {
            if !request.headers.contains_key(name.as_str()) {
                found.push(format!("header {name}: missing (must be present)"));
            }
        }
        for name in &self.spec.headers_absent {
            if let Some(value) = request.headers.get(name.as_str()) {
                found.push(format!("header {name}: must not be sent, got {value:?}"));
            }
        }
        found
    }

    /// The body, by the expected kind.
    fn body(&self, expected: &Body, actual: &[u8]) -> Vec<String> {
        match expected {
            Body::Json(_) => match (&self.json, Exact::parse_bytes(actual)) {
                (Some(want), Ok(got)) => diff(want, &got)
                    .into_iter()
                    .map(|d| format!("body {d}"))
                    .collect(),
                (_, Err(error)) => vec![format!(
                    "body: expected JSON, got {} ({error})",
                    show(actual)
                )],
                (None, Ok(_)) => vec!["body: the recorded JSON could not be read".into()],
            },
            Body::Form(want) => {
                let pairs = url::form_urlencoded::parse(actual).into_owned();
                let (got, repeated) = to_map(pairs);
                let mut found: Vec<String> = repeated
                    .into_iter()
                    .map(|name| format!("form field {name}: sent more than once"))
                    .collect();
                found.extend(compare_maps("form field", want, &got));
                found
            }
            Body::Text(want) if want.as_bytes() == actual => Vec::new(),
            Body::Text(want) => vec![format!(
                "body: expected {}, got {}",
                show(want.as_bytes()),
                show(actual)
            )],
            Body::Empty if actual.is_empty() => Vec::new(),
            Body::Empty => vec![format!(
                "body: expected none, got {} bytes: {}",
                actual.len(),
                show(actual)
            )],
        }
    }
}

impl Match for RequestMatcher {
    fn matches(&self, request: &Request) -> bool {
        self.mismatches(request).is_empty()
    }
}

/// Collects pairs into a map, also returning the names that came more than once.
fn to_map(
    pairs: impl Iterator<Item = (String, String)>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut map = BTreeMap::new();
    let mut repeated = Vec::new();
    for (name, value) in pairs {
        if let Some(_previous) = map.insert(name.clone(), value) {
            repeated.push(name);
        }
    }
    (map, repeated)
}

/// Differences between two string maps, prefixed with `what`.
fn compare_maps(
    what: &str,
    want: &BTreeMap<String, String>,
    got: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (name, value) in want {
        match got.get(name) {
            None => found.push(format!("{what} {name}: missing (expected {value:?})")),
            Some(actual) if actual != value => {
                found.push(format!("{what} {name}: expected {value:?}, got {actual:?}"));
            }
            Some(_) => {}
        }
    }
    for (name, value) in got {
        if !want.contains_key(name) {
            found.push(format!("{what} {name}: not expected, got {value:?}"));
        }
    }
    found
}

/// A body excerpt for messages.
pub(crate) fn show(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "nothing".into();
    }
    format!("{:?}", cut(&String::from_utf8_lossy(bytes), SNIPPET))
}
