//! Running a provider's scenarios against its client on wiremock.

use std::future::Future;

use serde_json::json;

use super::outcome::{Described, compare, run_isolated};
use super::{Filter, Summary, progress, skeleton};
use crate::conformance::check_coverage;
use crate::fixture::{ProviderFixtures, Scenario, fixtures_root, load_provider};
use crate::mock::ScenarioServer;

/// Runs every scenario of `provider` (or those named in `PAYKIT_SCENARIO`) and panics at the
/// end with a summary of every failure.
///
/// For each scenario a fresh wiremock server serves its interactions; `run` gets the
/// scenario and the server's base URI, calls the client and returns
/// `Ok(describe_outcome(..))` or `Err(describe_error(..))`. The result must contain the
/// scenario's `expect`, the server must have received exactly the recorded requests, and
/// (when no filter is set) the conformance list must be covered. Each scenario runs on its
/// own task with a [`SCENARIO_TIMEOUT`](super::SCENARIO_TIMEOUT) on the real clock: do not
/// use `#[tokio::test(start_paused = true)]` with it.
///
/// # Panics
///
/// When anything failed: that is how the calling test fails.
pub async fn run_provider<F, Fut>(provider: &str, run: F)
where
    F: Fn(Scenario, String) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    if let Err(report) = check_provider(provider, run).await {
        panic!("{report}");
    }
}

/// [`run_provider`] without the panic: the summary, or the full report as the error.
pub async fn check_provider<F, Fut>(provider: &str, run: F) -> Result<Summary, String>
where
    F: Fn(Scenario, String) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    let fixtures = fixtures_root()
        .and_then(|root| load_provider(&root, provider))
        .map_err(|e| format!("{provider}: cannot load fixtures: {e}"))?;
    run_scenarios(&fixtures, &Filter::from_env(), run)
        .await
        .into_result()
}

/// Runs the scenarios `filter` allows, plus the coverage check when it allows everything.
pub(crate) async fn run_scenarios<F, Fut>(
    fixtures: &ProviderFixtures,
    filter: &Filter,
    run: F,
) -> Summary
where
    F: Fn(Scenario, String) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    let provider = fixtures.provider();
    let mut summary = Summary::new(format!("{provider} scenarios"));
    if filter.is_everything() {
        let problems = check_coverage(fixtures).err().into_iter().collect();
        summary.record("conformance coverage", problems);
    }
    for scenario in &fixtures.scenarios {
        if !filter.allows(&scenario.name) {
            summary.skipped += 1;
            continue;
        }
        let label = format!("{provider}/{} ({})", scenario.name, scenario.operation);
        if let Some(left) = skeleton(&scenario.description, &scenario.covers) {
            progress("TODO", &label);
            summary.record(&label, vec![left]);
            continue;
        }
        let problems = run_one(scenario, &run).await;
        progress(if problems.is_empty() { "ok" } else { "FAILED" }, &label);
        summary.record(&label, problems);
    }
    summary
}

/// Runs one scenario (a built one, say: [`Scenario::builder`]) the way [`run_provider`] runs
/// each file: a fresh wiremock server serving its interactions, `run` given the scenario and
/// the server's URI, the result compared with `expect`, the requests with the recorded ones.
/// Returns every problem; none means it passed.
pub async fn check_scenario<F, Fut>(scenario: &Scenario, run: F) -> Vec<String>
where
    F: Fn(Scenario, String) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    run_one(scenario, &run).await
}

/// Runs one scenario; returns its problems.
async fn run_one<F, Fut>(scenario: &Scenario, run: &F) -> Vec<String>
where
    F: Fn(Scenario, String) -> Fut,
    Fut: Future<Output = Described> + Send + 'static,
{
    let server = ScenarioServer::start(scenario).await;
    let mut problems = match run_isolated(run(scenario.clone(), server.uri())).await {
        Ok(described) => compare(&scenario.expect, &described),
        Err(problem) => vec![problem],
    };
    if let Err(report) = server.verify().await {
        problems.push(format!("http: {}", report.replace('\n', "\n  ")));
    }
    problems
}

/// The result to return for an operation the contract test does not know; it fails the
/// scenario with a clear message.
pub fn unknown_operation(scenario: &Scenario) -> Described {
    Err(json!({
        "kind": "unknown_operation",
        "operation": scenario.operation,
        "hint": "map this operation to a client call in tests/contract.rs",
    }))
}
