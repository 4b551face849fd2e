//! Running a provider's callback fixtures against its webhook verifier.

use std::future::Future;

use super::outcome::{Described, compare, run_isolated};
use super::{Filter, Summary, progress};
use crate::fixture::{Callback, ProviderFixtures, fixtures_root, load_provider};
use crate::signers;

/// Runs every callback fixture of `provider` (or those named in `PAYKIT_SCENARIO`) and
/// panics at the end with a summary of every failure.
///
/// `verify` gets the callback (headers and body bytes via `callback.body.to_bytes()`),
/// verifies it with the provider's webhook code and returns `Ok(describe_event(..))` or
/// `Err(describe_error(..))`, which must contain the callback's `expect`. A callback with
/// `signed_with` is also re-signed with testkit's own signer: an `ok` callback's stored
/// signature must match it and a callback expecting a `signature` error must not (fixture
/// drift).
///
/// # Panics
///
/// When anything failed: that is how the calling test fails.
pub async fn run_callbacks<F, Fut>(provider: &str, verify: F)
where
    F: Fn(Callback) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    if let Err(report) = check_callbacks(provider, verify).await {
        panic!("{report}");
    }
}

/// [`run_callbacks`] without the panic: the summary, or the full report as the error.
pub async fn check_callbacks<F, Fut>(provider: &str, verify: F) -> Result<Summary, String>
where
    F: Fn(Callback) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    let fixtures = fixtures_root()
        .and_then(|root| load_provider(&root, provider))
        .map_err(|e| format!("{provider}: cannot load fixtures: {e}"))?;
    let filter = Filter::from_env();
    let mut summary = Summary::new(format!("{provider} callbacks"));
    for callback in &fixtures.callbacks {
        if !filter.allows(&callback.name) {
            summary.skipped += 1;
            continue;
        }
        let mut problems = drift(&fixtures, callback);
        match run_isolated(verify(callback.clone())).await {
            Ok(described) => problems.extend(compare(&callback.expect, &described)),
            Err(problem) => problems.push(problem),
        }
        let label = format!("{provider}/callbacks/{}", callback.name);
        progress(if problems.is_empty() { "ok" } else { "FAILED" }, &label);
        summary.record(&label, problems);
    }
    summary.into_result()
}

/// Checks a signed callback's stored signature against testkit's signer.
pub(crate) fn drift(fixtures: &ProviderFixtures, callback: &Callback) -> Vec<String> {
    let Some(key_file) = &callback.signed_with else {
        return Vec::new();
    };
    let should_match = callback.expect.error_kind() != Some("signature");
    let verdict = fixtures
        .read_key(key_file)
        .map_err(|e| e.to_string())
        .and_then(|key| {
            signers::stored_signature_matches(fixtures.provider(), &callback.body.to_bytes(), &key)
                .map_err(|e| e.to_string())
        });
    match verdict {
        Ok(matches) if matches == should_match => Vec::new(),
        Ok(true) => vec![format!(
            "drift: the stored signature is valid under {key_file}, but the callback expects \
             a signature error"
        )],
        Ok(false) => vec![format!(
            "drift: the stored signature is not the one {key_file} gives; re-sign it with \
             paykit_testkit::signers"
        )],
        Err(error) => vec![format!("drift check: {error}")],
    }
}
