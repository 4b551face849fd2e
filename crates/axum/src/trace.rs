//! One `tracing` span per callback: provider, path, dedupe key, outcome, status, duration.
//! Never the body, a signature, a hash or a token: those fields do not exist.

use std::time::Instant;

use http::StatusCode;
use paykit_core::VerifiedEvent;
use tracing::Span;
use tracing::field::Empty;

use crate::outcome::CallbackOutcome;

/// The span of one callback to `path`, with the route's provider when it names one.
pub(crate) fn callback_span(provider: Option<&'static str>, path: &str) -> Span {
    tracing::info_span!(
        "paykit_callback",
        provider,
        path,
        dedupe_key = Empty,
        outcome = Empty,
        status = Empty,
        duration_ms = Empty,
    )
}

/// Records the verified `event`'s dedupe key, and who sent it when the route did not name
/// its provider (`labelled`) when the span began.
pub(crate) fn record_event(span: &Span, event: &VerifiedEvent, labelled: Option<&'static str>) {
    if labelled.is_none() {
        span.record("provider", event.provider.as_str());
    }
    span.record("dedupe_key", event.dedupe_key.as_str());
}

/// Records how the callback ended, and logs one line with it (`info` for an accepted one,
/// `warn` for a refusal).
/// `status` is `None` when the merchant's own route answers (the [`Verified`](crate::Verified)
/// extractor let the callback through).
pub(crate) fn finish(
    span: &Span,
    outcome: CallbackOutcome,
    status: Option<StatusCode>,
    started: Instant,
) {
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = status.map(|s| s.as_u16());
    span.record("outcome", outcome.as_str());
    span.record("status", status);
    span.record("duration_ms", duration_ms);
    let _entered = span.enter();
    if outcome.refusal_status().is_none() {
        tracing::info!(
            outcome = outcome.as_str(),
            status,
            duration_ms,
            "callback answered"
        );
    } else {
        tracing::warn!(
            outcome = outcome.as_str(),
            status,
            duration_ms,
            "callback refused"
        );
    }
}
