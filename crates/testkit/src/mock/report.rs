//! Checking what a mock server received against the recorded interactions.

use std::fmt::Write as _;

use wiremock::Request;

use super::matcher::{RequestMatcher, show};
use crate::fixture::Interaction;

/// Checks `received` (in arrival order) against `interactions`, assigning each request to
/// the first recorded interaction that matches it and still has calls left, as wiremock
/// does. Fails with a readable report when a request matched nothing (with the differences
/// from the closest recording), an interaction was not called exactly `times` times, or
/// requests came out of the recorded order.
pub fn verify_received(interactions: &[Interaction], received: &[Request]) -> Result<(), String> {
    let matchers: Vec<RequestMatcher> = interactions
        .iter()
        .map(|i| RequestMatcher::new(&i.request))
        .collect();
    let mut counts = vec![0_u64; interactions.len()];
    let mut problems = Vec::new();
    let mut furthest: Option<usize> = None;
    for (number, request) in (1..).zip(received) {
        let slot = (0..interactions.len()).find(|&i| {
            counts[i] < interactions[i].times && matchers[i].mismatches(request).is_empty()
        });
        let Some(index) = slot else {
            problems.push(unmatched(number, request, interactions, &matchers, &counts));
            continue;
        };
        counts[index] += 1;
        if let Some(last) = furthest
            && index < last
        {
            problems.push(format!(
                "request #{number} matched interactions[{index}] after interactions[{last}] \
                 had been served: out of the recorded order"
            ));
        }
        furthest = furthest.max(Some(index));
    }
    for (index, (interaction, count)) in interactions.iter().zip(&counts).enumerate() {
        if *count != interaction.times {
            problems.push(format!(
                "interactions[{index}] {}: expected {} call(s), received {count}",
                label(&matchers[index]),
                interaction.times
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut report = problems.join("\n");
    report.push_str("\nreceived:");
    if received.is_empty() {
        report.push_str(" nothing");
    }
    for (number, request) in (1..).zip(received) {
        let _ = write!(
            report,
            "\n  #{number} {} {} {}",
            request.method,
            path_and_query(request),
            show(&request.body)
        );
    }
    Err(report)
}

/// Explains a request no interaction took, by its differences from the closest recording.
fn unmatched(
    number: usize,
    request: &Request,
    interactions: &[Interaction],
    matchers: &[RequestMatcher],
    counts: &[u64],
) -> String {
    let head = format!(
        "request #{number} {} {} matched no recorded interaction",
        request.method,
        path_and_query(request)
    );
    // Closest: fewest differences, preferring interactions with calls left.
    let closest = matchers
        .iter()
        .enumerate()
        .map(|(i, m)| (m.mismatches(request), counts[i] >= interactions[i].times, i))
        .min_by_key(|(differences, exhausted, i)| (differences.len(), *exhausted, *i));
    match closest {
        None => format!("{head}: nothing may be sent in this scenario"),
        Some((differences, _, index)) if differences.is_empty() => format!(
            "{head}: it equals interactions[{index}] {}, which was already called its {} time(s)",
            label(&matchers[index]),
            interactions[index].times
        ),
        Some((differences, _, index)) => format!(
            "{head}; closest is interactions[{index}] {}:\n    {}",
            label(&matchers[index]),
            differences.join("\n    ")
        ),
    }
}

/// `METHOD path` of a recorded request.
fn label(matcher: &RequestMatcher) -> String {
    format!("{} {}", matcher.spec().method, matcher.spec().path)
}

/// The request's path with its query, if any.
fn path_and_query(request: &Request) -> String {
    match request.url.query() {
        Some(query) => format!("{}?{query}", request.url.path()),
        None => request.url.path().to_owned(),
    }
}
