//! Turning a recorded response into what wiremock serves.

use std::time::Duration;

use wiremock::ResponseTemplate;
use wiremock::http::{HeaderName, HeaderValue};

use crate::fixture::ResponseSpec;

/// The response wiremock serves for `spec`: status, headers, exact body bytes and delay.
/// A `json` or `form` body without a recorded `content-type` gets the matching one.
pub fn response_template(spec: &ResponseSpec) -> ResponseTemplate {
    // Loading rejects other statuses; a hand-built spec must not make wiremock panic.
    let status = if (100..=999).contains(&spec.status) {
        spec.status
    } else {
        500
    };
    let mut template = ResponseTemplate::new(status).set_body_bytes(spec.body.to_bytes());
    let mut has_content_type = false;
    for (name, value) in &spec.headers {
        // Loading rejects invalid names and values.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            has_content_type |= name == "content-type";
            template = template.insert_header(name, value);
        }
    }
    if let Some(content_type) = spec.body.default_content_type()
        && !has_content_type
    {
        template = template.insert_header("content-type", content_type);
    }
    if let Some(ms) = spec.delay_ms {
        template = template.set_delay(Duration::from_millis(ms));
    }
    template
}
