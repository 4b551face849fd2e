//! Where things are in the workspace.

use std::path::{Path, PathBuf};

/// The providers, each with a crate `crates/<p>` (package `paykit-<p>`) and `fixtures/<p>`.
pub(crate) const PROVIDERS: [&str; 4] = ["maib", "miapos", "bog", "maya"];

/// The workspace root: the folder above this crate's.
pub(crate) fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The spec digest file of a provider, under `docs/providers/`.
pub(crate) fn digest(provider: &str) -> &'static str {
    match provider {
        "maib" => "maib.md",
        "miapos" => "miapos.md",
        "bog" => "bog-ipay.md",
        _ => "maya.md",
    }
}
