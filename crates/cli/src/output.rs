//! Writing to stdout and stderr without panicking on a closed pipe.

use std::io::Write;

/// Prints a line to stdout.
pub(crate) fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Prints a JSON value, pretty, to stdout.
pub(crate) fn json(value: &serde_json::Value) {
    line(&serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
}

/// Prints `paykit: <message>` to stderr.
pub(crate) fn error(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "paykit: {message}");
}
