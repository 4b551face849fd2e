//! Collecting results of a run, then failing once with every failure listed.

use std::fmt;

/// The results of one run over a provider's fixtures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// What ran, e.g. `maib scenarios`.
    pub title: String,
    /// Names that passed.
    pub passed: Vec<String>,
    /// Names that failed, each with its explanation.
    pub failed: Vec<(String, String)>,
    /// Names left out by the filter.
    pub skipped: usize,
}

impl Summary {
    /// An empty summary.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Records one result.
    pub fn record(&mut self, name: &str, problems: Vec<String>) {
        if problems.is_empty() {
            self.passed.push(name.to_owned());
        } else {
            self.failed.push((name.to_owned(), problems.join("\n")));
        }
    }

    /// Whether nothing failed.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }

    /// `Ok` when nothing failed, the full report otherwise.
    pub fn into_result(self) -> Result<Self, String> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.to_string())
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} passed, {} failed",
            self.title,
            self.passed.len(),
            self.failed.len()
        )?;
        if self.skipped > 0 {
            write!(f, ", {} filtered out", self.skipped)?;
        }
        for (name, explanation) in &self.failed {
            write!(
                f,
                "\n\nFAILED {name}\n  {}",
                explanation.replace('\n', "\n  ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_failure() {
        let mut summary = Summary::new("maib scenarios");
        summary.record("a", vec![]);
        summary.record("b", vec!["x differs".into(), "y differs".into()]);
        summary.record("c", vec!["z".into()]);
        let report = summary.clone().into_result().unwrap_err();
        assert!(report.starts_with("maib scenarios: 1 passed, 2 failed"));
        assert!(report.contains("FAILED b\n  x differs\n  y differs"));
        assert!(report.contains("FAILED c\n  z"));
        assert!(!summary.is_success());
    }

    #[test]
    fn success_passes_through() {
        let mut summary = Summary::new("t");
        summary.record("a", vec![]);
        assert_eq!(
            summary.into_result().map(|s| s.passed),
            Ok(vec!["a".to_owned()])
        );
    }
}
