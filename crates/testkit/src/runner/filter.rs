//! Running only some scenarios while debugging: `PAYKIT_SCENARIO=name[,name...]`.

/// The variable naming the scenarios or callbacks to run (comma-separated exact names).
pub const SCENARIO_FILTER_ENV: &str = "PAYKIT_SCENARIO";

/// Which names to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    names: Option<Vec<String>>,
}

impl Filter {
    /// The filter from [`SCENARIO_FILTER_ENV`]; everything when unset or empty.
    pub fn from_env() -> Self {
        Self::parse(std::env::var(SCENARIO_FILTER_ENV).ok().as_deref())
    }

    /// The filter for a comma-separated list of names; everything for `None` or blank.
    pub fn parse(spec: Option<&str>) -> Self {
        let names: Vec<String> = spec
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        Self {
            names: (!names.is_empty()).then_some(names),
        }
    }

    /// Whether every name passes.
    pub fn is_everything(&self) -> bool {
        self.names.is_none()
    }

    /// Whether `name` is to be run.
    pub fn allows(&self, name: &str) -> bool {
        self.names
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_means_everything() {
        assert!(Filter::parse(None).is_everything());
        assert!(Filter::parse(Some(" , ")).allows("anything"));
    }

    #[test]
    fn names_are_exact() {
        let filter = Filter::parse(Some("pay_ok, refund_ok"));
        assert!(filter.allows("pay_ok"));
        assert!(filter.allows("refund_ok"));
        assert!(!filter.allows("pay"));
        assert!(!filter.is_everything());
    }
}
