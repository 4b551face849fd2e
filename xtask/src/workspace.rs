//! Where things are in the workspace, and which providers it has.
//!
//! No list of providers is written down anywhere: a provider is a folder of `fixtures/` with a
//! `provider.json`, and its crate is `crates/<provider>` (package `paykit-<provider>`).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::run::Failure;

/// The workspace root: the folder above this crate's. `cargo xtask` (a `cargo run`) sets
/// `CARGO_MANIFEST_DIR` at run time; that is preferred over the one compiled in, because a
/// binary built from a copy of the workspace into the same target folder (the scaffold check
/// shares it) keeps the copy's path.
pub(crate) fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest
        .parent()
        .map_or_else(|| manifest.clone(), Path::to_path_buf)
}

/// The providers of the workspace at `root`: the folders of `fixtures/` holding a
/// `provider.json`, sorted.
pub(crate) fn providers_in(root: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(root.join("fixtures")) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("provider.json").is_file())
        .filter_map(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
        .collect();
    found.sort();
    found
}

/// The providers of this workspace.
pub(crate) fn providers() -> Vec<String> {
    providers_in(&root())
}

/// `provider` if the workspace has it, or an error saying what a provider needs.
pub(crate) fn known_provider(provider: &str) -> Result<String, Failure> {
    let known = providers();
    if known.iter().any(|p| p == provider) {
        return Ok(provider.to_owned());
    }
    Err(Failure::new(format!(
        "unknown provider `{provider}`: fixtures/{provider}/provider.json does not exist \
         (providers found: {}; `cargo xtask new-provider {provider}` lays one out)",
        known.join(", ")
    )))
}

/// The protocol notes of a provider: the `digest` its `provider.json` names, a file under
/// `docs/providers/`.
pub(crate) fn digest(provider: &str) -> Result<String, Failure> {
    let path = root().join("fixtures").join(provider).join("provider.json");
    let text =
        fs::read_to_string(&path).map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
    let meta: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
    match meta.get("digest").and_then(Value::as_str) {
        Some(name) => Ok(name.to_owned()),
        None => Err(Failure::new(format!(
            "{}: names no `digest` (the provider's protocol notes under docs/providers/)",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_providers_are_found_from_their_fixture_folders() {
        let found = providers();
        for provider in ["maib", "miapos", "bog", "maya"] {
            assert!(
                found.iter().any(|p| p == provider),
                "{provider} in {found:?}"
            );
        }
        assert!(!found.iter().any(|p| p == "README.md"));
    }

    #[test]
    fn every_provider_names_notes_that_exist() {
        for provider in providers() {
            let name = digest(&provider).unwrap();
            let notes = root().join("docs/providers").join(&name);
            assert!(
                notes.is_file(),
                "{provider}: {} is missing",
                notes.display()
            );
        }
    }

    #[test]
    fn an_unknown_provider_says_what_is_missing() {
        let message = known_provider("acme").unwrap_err().to_string();
        assert!(message.contains("fixtures/acme/provider.json"), "{message}");
        assert!(message.contains("maib"), "{message}");
    }
}
