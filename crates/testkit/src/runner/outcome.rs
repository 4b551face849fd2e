//! Running one closure safely and comparing its result with `expect`.

use std::any::Any;
use std::future::Future;
use std::time::Duration;

use serde_json::Value;

use crate::fixture::Expect;
use crate::json::subset_diff;

/// What a contract closure returns: `Ok(describe_outcome(..))` on success or
/// `Err(describe_error(..))` on failure (see [`paykit_core::describe`]).
pub type Described = Result<Value, Value>;

/// How long one scenario may take.
pub const SCENARIO_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `future` on its own task, so a panic or a hang becomes a reported problem.
pub(crate) async fn run_isolated<Fut>(future: Fut) -> Result<Described, String>
where
    Fut: Future<Output = Described> + Send + 'static,
{
    let mut task = tokio::spawn(future);
    match tokio::time::timeout(SCENARIO_TIMEOUT, &mut task).await {
        Ok(Ok(described)) => Ok(described),
        Ok(Err(join)) if join.is_panic() => {
            Err(format!("panicked: {}", message(join.into_panic())))
        }
        Ok(Err(join)) => Err(format!("task failed: {join}")),
        Err(_) => {
            task.abort();
            Err(format!("timed out after {} s", SCENARIO_TIMEOUT.as_secs()))
        }
    }
}

/// The text of a panic payload.
fn message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(|| "(no message)".to_owned(), |s| (*s).to_owned()),
    }
}

/// The ways `described` does not meet `expect`; empty when it does.
pub fn compare(expect: &Expect, described: &Described) -> Vec<String> {
    let (side, want, got) = match (expect, described) {
        (Expect::Ok(want), Ok(got)) => ("ok", want, got),
        (Expect::Error(want), Err(got)) => ("error", want, got),
        (Expect::Ok(_), Err(got)) => return vec![format!("expected ok, got error {got}")],
        (Expect::Error(_), Ok(got)) => return vec![format!("expected an error, got ok {got}")],
    };
    subset_diff(want, got)
        .into_iter()
        .map(|d| format!("expect.{side}: {d}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn compares_the_right_side() {
        let expect = Expect::Ok(json!({"status": "pending"}));
        assert!(compare(&expect, &Ok(json!({"status": "pending", "id": "1"}))).is_empty());
        assert_eq!(
            compare(&expect, &Ok(json!({"status": "failed"}))),
            [r#"expect.ok: $.status: expected "pending", got "failed""#]
        );
        assert_eq!(
            compare(&expect, &Err(json!({"kind": "api"}))),
            [r#"expected ok, got error {"kind":"api"}"#]
        );
        let expect = Expect::Error(json!({"kind": "decode"}));
        assert!(compare(&expect, &Err(json!({"kind": "decode", "code": null}))).is_empty());
        assert_eq!(
            compare(&expect, &Ok(json!({}))),
            ["expected an error, got ok {}"]
        );
    }

    #[tokio::test]
    async fn panics_are_reported() {
        let outcome = run_isolated(async { panic!("boom") }).await;
        assert_eq!(outcome, Err("panicked: boom".to_owned()));
        let outcome = run_isolated(async { Ok(json!(1)) }).await;
        assert_eq!(outcome, Ok(Ok(json!(1))));
    }
}
