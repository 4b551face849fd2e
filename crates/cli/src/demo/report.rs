//! Printing demo steps as they pass or fail.

use std::fmt::Display;
use std::io::Write;

/// Counts and prints the steps of one provider's lifecycle.
pub(crate) struct Steps {
    provider: &'static str,
    number: usize,
    failed: bool,
}

impl Steps {
    pub(crate) fn new(provider: &'static str) -> Self {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "\n== {provider} ==");
        Steps {
            provider,
            number: 0,
            failed: false,
        }
    }

    /// Records a step's result and passes the value on; a failure is printed with its error.
    pub(crate) fn check<T, E: Display>(
        &mut self,
        name: &str,
        result: Result<T, E>,
        detail: impl Fn(&T) -> String,
    ) -> Option<T> {
        self.number += 1;
        let mut out = std::io::stdout().lock();
        match result {
            Ok(value) => {
                let _ = writeln!(
                    out,
                    "  {:>2}. {name:<46} ok    {}",
                    self.number,
                    detail(&value)
                );
                Some(value)
            }
            Err(error) => {
                self.failed = true;
                let _ = writeln!(out, "  {:>2}. {name:<46} FAIL  {error}", self.number);
                None
            }
        }
    }

    /// Records a step that is a plain expectation.
    pub(crate) fn expect(&mut self, name: &str, holds: bool, detail: impl Display) -> bool {
        let result: Result<(), String> = if holds {
            Ok(())
        } else {
            Err(format!("unexpected: {detail}"))
        };
        let shown = detail.to_string();
        self.check(name, result, |_| shown.clone()).is_some()
    }

    /// True when every step passed.
    pub(crate) fn finish(self) -> bool {
        let mut out = std::io::stdout().lock();
        let verdict = if self.failed { "FAILED" } else { "passed" };
        let _ = writeln!(
            out,
            "  {} lifecycle {verdict} ({} steps)",
            self.provider, self.number
        );
        !self.failed
    }
}
