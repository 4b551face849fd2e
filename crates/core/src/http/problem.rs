//! RFC 9457 "problem details" (`application/problem+json`), the error body many newer APIs
//! answer with, read once here so no adapter parses it again.

use serde::Deserialize;

use super::RawResponse;
use crate::error::Error;

/// A problem-details body. Every member is optional in the RFC; unknown extension members
/// are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` when absent).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// A short summary of the problem type.
    #[serde(default)]
    pub title: Option<String>,
    /// The HTTP status the server meant, as it wrote it.
    #[serde(default)]
    pub status: Option<u16>,
    /// What went wrong in this occurrence.
    #[serde(default)]
    pub detail: Option<String>,
    /// A URI naming this occurrence.
    #[serde(default)]
    pub instance: Option<String>,
}

impl Problem {
    /// The problem in `response`, when its body is one: a JSON object with a `type`, `title`
    /// or `detail` string. Anything else (another JSON shape, not JSON) is `None`, so the
    /// adapter can try its own envelope or fall back to
    /// [`RawResponse::unrecognized_error`].
    pub fn from_response(response: &RawResponse) -> Option<Problem> {
        let problem: Problem = serde_json::from_slice(&response.body).ok()?;
        let named = problem.kind.is_some() || problem.title.is_some() || problem.detail.is_some();
        named.then_some(problem)
    }

    /// The problem as [`Error::Api`]: the code is the last segment of `type` (or the title),
    /// the message the title and detail. `retryable` is the adapter's call: the RFC says
    /// nothing about it.
    pub fn to_error(&self, response: &RawResponse, retryable: bool) -> Error {
        let code = self
            .kind
            .as_deref()
            .filter(|kind| *kind != "about:blank")
            .and_then(|kind| kind.rsplit('/').find(|segment| !segment.is_empty()))
            .or(self.title.as_deref())
            .unwrap_or("problem")
            .to_owned();
        let message = match (&self.title, &self.detail) {
            (Some(title), Some(detail)) => format!("{title}: {detail}"),
            (Some(text), None) | (None, Some(text)) => text.clone(),
            (None, None) => String::new(),
        };
        Error::Api {
            provider: response.provider,
            http_status: Some(response.status.as_u16()),
            code,
            message,
            retryable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProviderId;
    use http::{HeaderMap, StatusCode};

    fn response(status: u16, body: &str) -> RawResponse {
        RawResponse {
            provider: ProviderId("p"),
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec().into(),
            mutating: false,
            sensitive: false,
        }
    }

    #[test]
    fn a_problem_becomes_an_api_error_with_its_code_and_text() {
        let answer = response(
            422,
            r#"{"type":"https://api.example/problems/insufficient-funds","title":"Not enough money",
                "detail":"balance 30, cost 50","status":422,"balance":30}"#,
        );
        let problem = Problem::from_response(&answer).unwrap();
        assert_eq!(problem.status, Some(422));
        match problem.to_error(&answer, false) {
            Error::Api {
                code,
                message,
                http_status,
                ..
            } => {
                assert_eq!(code, "insufficient-funds");
                assert_eq!(message, "Not enough money: balance 30, cost 50");
                assert_eq!(http_status, Some(422));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn about_blank_falls_back_to_the_title() {
        let answer = response(404, r#"{"type":"about:blank","title":"Not Found"}"#);
        let error = Problem::from_response(&answer)
            .unwrap()
            .to_error(&answer, false);
        assert!(
            matches!(error, Error::Api { ref code, .. } if code == "Not Found"),
            "{error:?}"
        );
    }

    #[test]
    fn other_bodies_are_not_problems() {
        for body in [r#"{"error":"x"}"#, "<html>", "", "[1]", r#"{"title": 5}"#] {
            assert_eq!(Problem::from_response(&response(500, body)), None, "{body}");
        }
    }
}
