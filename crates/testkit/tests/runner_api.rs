//! The runner's public API as provider crates use it: plain `async fn`s passed directly.

use paykit_testkit::fixture::{Callback, Scenario};
use paykit_testkit::runner::{check_callbacks, check_provider};
use paykit_testkit::{Described, describe_error, unknown_operation};

async fn call(scenario: Scenario, _base_url: String) -> Described {
    match scenario.operation.as_str() {
        "create_payment" => {
            let amount = scenario.input_money("amount")?;
            Ok(serde_json::json!({ "amount": amount.to_fixed_string() }))
        }
        _ => unknown_operation(&scenario),
    }
}

async fn verify(callback: Callback) -> Described {
    let error = paykit_core::Error::Signature(paykit_core::SignatureError::Missing);
    let _ = (callback.header_map(), callback.body.to_bytes());
    Err(describe_error(&error))
}

#[tokio::test]
async fn a_provider_without_fixtures_fails_with_the_reason() {
    let report = check_provider("no_such_provider", call).await.unwrap_err();
    assert!(
        report.contains("no_such_provider: cannot load fixtures"),
        "{report}"
    );
    let report = check_callbacks("no_such_provider", verify)
        .await
        .unwrap_err();
    assert!(report.contains("no fixtures for this provider"), "{report}");
}
