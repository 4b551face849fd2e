//! The shared conformance list every provider covers or declares unsupported.

use crate::fixture::ProviderFixtures;

/// One conformance scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conformance {
    /// The name used in fixtures' `covers` and in `provider.json`'s `unsupported`.
    pub name: &'static str,
    /// What a fixture covering it shows, in one line.
    pub description: &'static str,
}

/// Declares the list tersely.
const fn c(name: &'static str, description: &'static str) -> Conformance {
    Conformance { name, description }
}

/// Every scenario a provider must cover with a fixture or declare unsupported with a reason.
pub const SCENARIOS: &[Conformance] = &[
    c(
        "create_payment",
        "a payment is registered and the outcome carries the next action",
    ),
    c(
        "get_payment",
        "a payment's status is read and mapped to PaymentStatus",
    ),
    c("capture", "an authorized (held) payment is captured"),
    c("refund_full", "a captured payment is refunded in full"),
    c("refund_partial", "part of a captured payment is refunded"),
    c("void", "an authorization is cancelled before capture"),
    c(
        "recurring_charge",
        "a saved card or agreement is charged without the customer",
    ),
    c(
        "callback_verified",
        "an authentic callback is accepted and turned into an event",
    ),
    c(
        "callback_rejected",
        "a forged or tampered callback is rejected",
    ),
    c(
        "token_refresh",
        "an expired access token is renewed before the call",
    ),
    c(
        "unauthorized_retry",
        "a 401 invalidates the token, fetches a new one and retries once",
    ),
    c(
        "api_error",
        "a provider error response becomes Error::Api with its code",
    ),
    c(
        "server_error",
        "a 5xx response becomes a typed error (retried only when safe)",
    ),
    c(
        "malformed_response",
        "an unparseable or truncated body becomes Error::Decode",
    ),
    c(
        "invalid_input",
        "input breaking a documented limit is refused before any I/O",
    ),
];

/// The conformance scenario called `name`.
pub fn find(name: &str) -> Option<&'static Conformance> {
    SCENARIOS.iter().find(|c| c.name == name)
}

/// Checks that every conformance scenario is covered by some scenario's or callback's
/// `covers`, or declared unsupported with a non-empty reason, and never both. The error lists
/// every problem, one per line.
pub fn check_coverage(fixtures: &ProviderFixtures) -> Result<(), String> {
    let covered = |name: &str| {
        let scenarios = fixtures.scenarios.iter().map(|s| &s.covers);
        let callbacks = fixtures.callbacks.iter().map(|c| &c.covers);
        scenarios.chain(callbacks).flatten().any(|c| c == name)
    };
    let unsupported = &fixtures.meta.unsupported;
    let mut problems = Vec::new();
    for scenario in SCENARIOS {
        match (covered(scenario.name), unsupported.get(scenario.name)) {
            (true, Some(_)) => problems.push(format!(
                "{}: covered by a fixture and also declared unsupported",
                scenario.name
            )),
            (false, None) => problems.push(format!(
                "{}: no fixture covers it and provider.json does not declare it unsupported ({})",
                scenario.name, scenario.description
            )),
            (false, Some(reason)) if reason.trim().is_empty() => problems.push(format!(
                "{}: declared unsupported without a reason",
                scenario.name
            )),
            _ => {}
        }
    }
    for name in unsupported.keys() {
        if find(name).is_none() {
            problems.push(format!(
                "provider.json declares unknown scenario {name:?} unsupported"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: conformance coverage:\n  - {}",
            fixtures.provider(),
            problems.join("\n  - ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::fixture::{ProviderMeta, Scenario};

    fn scenario(covers: &[&str]) -> Scenario {
        let text = serde_json::json!({
            "name": "s",
            "source": {"kind": "derived", "ref": "r"},
            "covers": covers,
            "operation": "create_payment",
            "interactions": [],
            "expect": {"ok": {}},
        });
        serde_json::from_value(text).unwrap()
    }

    fn fixtures(covered: &[&str], unsupported: &[(&str, &str)]) -> ProviderFixtures {
        ProviderFixtures {
            dir: PathBuf::new(),
            meta: ProviderMeta {
                provider: "maib".into(),
                digest: None,
                simulator: Default::default(),
                unsupported: unsupported
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<BTreeMap<_, _>>(),
            },
            scenarios: vec![scenario(covered)],
            callbacks: Vec::new(),
        }
    }

    fn all_but(left_out: &[&str]) -> Vec<&'static str> {
        SCENARIOS
            .iter()
            .map(|c| c.name)
            .filter(|n| !left_out.contains(n))
            .collect()
    }

    #[test]
    fn names_are_unique_and_snake_case() {
        for (index, scenario) in SCENARIOS.iter().enumerate() {
            assert!(
                scenario
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(!scenario.description.is_empty());
            assert_eq!(find(scenario.name), Some(&SCENARIOS[index]));
        }
        assert!(SCENARIOS.len() >= 15);
    }

    #[test]
    fn full_coverage_passes() {
        assert_eq!(check_coverage(&fixtures(&all_but(&[]), &[])), Ok(()));
        let declared = fixtures(&all_but(&["void"]), &[("void", "no void endpoint")]);
        assert_eq!(check_coverage(&declared), Ok(()));
    }

    #[test]
    fn gaps_are_listed() {
        let error = check_coverage(&fixtures(&all_but(&["void", "capture"]), &[])).unwrap_err();
        assert!(error.contains("capture: no fixture covers it"), "{error}");
        assert!(error.contains("void: no fixture covers it"), "{error}");
    }

    #[test]
    fn empty_reasons_double_declarations_and_unknown_names_fail() {
        let unsupported = [("void", " "), ("capture", "no"), ("teleport", "no")];
        let error = check_coverage(&fixtures(&all_but(&["void"]), &unsupported)).unwrap_err();
        assert!(
            error.contains("void: declared unsupported without a reason"),
            "{error}"
        );
        assert!(
            error.contains("capture: covered by a fixture and also declared"),
            "{error}"
        );
        assert!(error.contains("unknown scenario \"teleport\""), "{error}");
    }
}
