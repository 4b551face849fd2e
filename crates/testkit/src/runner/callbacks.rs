//! Running a provider's callback fixtures against its webhook verifier.

use std::future::Future;

use super::outcome::{Described, compare, run_isolated};
use super::skeleton;
use super::{Filter, Summary, progress};
use crate::fixture::{Callback, ProviderFixtures, fixtures_root, load_provider};
use crate::mock::ScenarioServer;
use crate::signers;

/// Runs every callback fixture of `provider` (or those named in `PAYKIT_SCENARIO`) and
/// panics at the end with a summary of every failure.
///
/// `verify` gets the callback (headers and body bytes via `callback.body.to_bytes()`),
/// verifies it with the provider's webhook code and returns `Ok(describe_event(..))` or
/// `Err(describe_error(..))`, which must contain the callback's `expect`. A callback with
/// `signed_with` is also re-signed with testkit's own signer: an `ok` callback's stored
/// signature must match it and a callback expecting a `signature` error must not (fixture
/// drift). A callback carrying `interactions` (a confirming re-query) fails here: it needs a
/// server, which [`run_confirmed_callbacks`] gives.
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
    let fixtures = load(provider)?;
    check_all(&fixtures, &Filter::from_env(), false, |callback, server| match server {
        None => Ok(verify(callback)),
        Some(_) => Err(format!(
            "it carries {} interaction(s) (a confirming re-query): run the provider's callbacks \
             with run_confirmed_callbacks, which serves them",
            callback.interactions.len()
        )),
    })
    .await
    .into_result()
}

/// Like [`run_callbacks`], for verifiers that confirm a callback by asking the provider:
/// `verify` also gets the base URI of a mock server serving the callback's `interactions` in
/// order with exact counts (a server with nothing mounted when it has none), and the
/// requests it received are checked like a scenario's.
///
/// # Panics
///
/// When anything failed: that is how the calling test fails.
pub async fn run_confirmed_callbacks<F, Fut>(provider: &str, verify: F)
where
    F: Fn(Callback, String) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    if let Err(report) = check_confirmed_callbacks(provider, verify).await {
        panic!("{report}");
    }
}

/// [`run_confirmed_callbacks`] without the panic.
pub async fn check_confirmed_callbacks<F, Fut>(provider: &str, verify: F) -> Result<Summary, String>
where
    F: Fn(Callback, String) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    let fixtures = load(provider)?;
    check_all(&fixtures, &Filter::from_env(), true, |callback, server| {
        let uri = server.map(ScenarioServer::uri).unwrap_or_default();
        Ok(verify(callback, uri))
    })
    .await
    .into_result()
}

/// Runs each allowed callback: `start` gets it and the server of its interactions when `serve`
/// is set or it carries some; it answers the verification to await or why none can run.
pub(crate) async fn check_all<S, Fut>(
    fixtures: &ProviderFixtures,
    filter: &Filter,
    serve: bool,
    start: S,
) -> Summary
where
    S: Fn(Callback, Option<&ScenarioServer>) -> Result<Fut, String>,
    Fut: Future<Output = Described> + Send + 'static,
{
    let provider = fixtures.provider();
    let mut summary = Summary::new(format!("{provider} callbacks"));
    for callback in &fixtures.callbacks {
        if !filter.allows(&callback.name) {
            summary.skipped += 1;
            continue;
        }
        let label = format!("{provider}/callbacks/{}", callback.name);
        if let Some(left) = skeleton(&callback.description, &callback.covers) {
            progress("TODO", &label);
            summary.record(&label, vec![left]);
            continue;
        }
        let mut problems = drift(fixtures, callback);
        let server = ScenarioServer::with_interactions(&callback.interactions).await;
        let offered = (serve || !callback.interactions.is_empty()).then_some(&server);
        match start(callback.clone(), offered) {
            Ok(verification) => match run_isolated(verification).await {
                Ok(described) => problems.extend(compare(&callback.expect, &described)),
                Err(problem) => problems.push(problem),
            },
            Err(problem) => problems.push(problem),
        }
        if let Err(report) = server.verify().await {
            problems.push(format!("http: {}", report.replace('\n', "\n  ")));
        }
        progress(if problems.is_empty() { "ok" } else { "FAILED" }, &label);
        summary.record(&label, problems);
    }
    summary
}

/// The fixtures of `provider`, or why they cannot be read.
fn load(provider: &str) -> Result<ProviderFixtures, String> {
    fixtures_root()
        .and_then(|root| load_provider(&root, provider))
        .map_err(|e| format!("{provider}: cannot load fixtures: {e}"))
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
            signers::stored_signature_matches(
                fixtures.provider(),
                &callback.headers,
                &callback.body.to_bytes(),
                &key,
            )
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
