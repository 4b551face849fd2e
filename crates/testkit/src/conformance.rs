//! The shared conformance list every provider covers or declares unsupported.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::fixture::ProviderFixtures;

/// One conformance scenario.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conformance {
    /// The name used in fixtures' `covers` and in `provider.json`'s `unsupported`.
    pub name: String,
    /// What a fixture covering it shows, in one line.
    pub description: String,
    /// The operation a fixture covering it usually runs (`callback` for a callback file):
    /// what `cargo xtask new-provider` writes into its skeleton.
    pub operation: String,
}

impl Conformance {
    /// Whether a callback file (rather than a scenario) covers it.
    pub fn is_callback(&self) -> bool {
        self.operation == "callback"
    }
}

/// The list as data, shared with `cargo xtask new-provider` (which depends on nothing of ours
/// and reads the same file).
const LIST: &str = include_str!("../conformance.json");

/// Every scenario a provider must cover with a fixture or declare unsupported with a reason.
pub fn scenarios() -> &'static [Conformance] {
    static PARSED: LazyLock<Vec<Conformance>> = LazyLock::new(|| {
        // The file is part of this crate and checked by a unit test, so an empty list can
        // only mean a broken build; no fixture then passes coverage by accident, because
        // coverage asks for nothing but every `covers` name is refused as unknown.
        serde_json::from_str(LIST).unwrap_or_default()
    });
    &PARSED
}

/// The conformance scenario called `name`.
pub fn find(name: &str) -> Option<&'static Conformance> {
    scenarios().iter().find(|c| c.name == name)
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
    for scenario in scenarios() {
        match (covered(&scenario.name), unsupported.get(&scenario.name)) {
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
        scenarios()
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| !left_out.contains(n))
            .collect()
    }

    #[test]
    fn names_are_unique_and_snake_case() {
        let list: Vec<Conformance> = serde_json::from_str(LIST).unwrap();
        assert_eq!(scenarios(), list.as_slice());
        for (index, scenario) in scenarios().iter().enumerate() {
            assert!(
                scenario
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(!scenario.description.is_empty());
            assert_eq!(find(&scenario.name), Some(&scenarios()[index]));
            assert!(!scenario.operation.is_empty());
        }
        assert!(scenarios().len() >= 15);
        let callbacks: Vec<&str> = scenarios()
            .iter()
            .filter(|c| c.is_callback())
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(callbacks, ["callback_verified", "callback_rejected"]);
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
