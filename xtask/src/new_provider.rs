//! `cargo xtask new-provider NAME`: lays out a provider crate, its fixtures and its notes, so
//! that `cargo check -p paykit-NAME` passes at once and `cargo xtask contract --provider NAME`
//! fails listing every conformance scenario still to record.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::run::Failure;
use crate::workspace::{providers_in, root};

/// The crate's files: path under `crates/<name>/`, then the template.
const CRATE_FILES: [(&str, &str); 9] = [
    (
        "Cargo.toml",
        include_str!("../templates/provider/Cargo.toml.tmpl"),
    ),
    (
        "README.md",
        include_str!("../templates/provider/README.md.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../templates/provider/src/lib.rs.tmpl"),
    ),
    (
        "src/auth.rs",
        include_str!("../templates/provider/src/auth.rs.tmpl"),
    ),
    (
        "src/wire.rs",
        include_str!("../templates/provider/src/wire.rs.tmpl"),
    ),
    (
        "src/status.rs",
        include_str!("../templates/provider/src/status.rs.tmpl"),
    ),
    (
        "src/validate.rs",
        include_str!("../templates/provider/src/validate.rs.tmpl"),
    ),
    (
        "src/webhook.rs",
        include_str!("../templates/provider/src/webhook.rs.tmpl"),
    ),
    (
        "tests/contract.rs",
        include_str!("../templates/provider/tests/contract.rs.tmpl"),
    ),
];

/// The notes template, written to `docs/providers/<name>.md`.
const NOTES: &str = include_str!("../templates/provider/notes.md.tmpl");

/// The shared conformance list (paykit-testkit reads the same file).
const CONFORMANCE: &str = "crates/testkit/conformance.json";

/// Runs the command in this workspace and says what comes next.
pub(crate) fn run(name: &str) -> Result<(), Failure> {
    let written = scaffold(&root(), name)?;
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!(
        "\nnext: cargo check -p paykit-{name}, then fill in every TODO: \
         cargo xtask contract --provider {name} lists what is left \
         (docs/writing-an-adapter.md)"
    );
    Ok(())
}

/// Lays out provider `name` under the workspace at `root`; returns the files written.
pub(crate) fn scaffold(root: &Path, name: &str) -> Result<Vec<PathBuf>, Failure> {
    check_name(name)?;
    if providers_in(root).iter().any(|p| p == name) || root.join("crates").join(name).exists() {
        return Err(Failure::new(format!(
            "{name} exists already (crates/{name} or fixtures/{name}/provider.json)"
        )));
    }
    let names = Names::new(name);
    let mut files: Vec<(PathBuf, String)> = CRATE_FILES
        .iter()
        .map(|(path, template)| {
            let path = Path::new("crates").join(name).join(path);
            (path, names.fill(template))
        })
        .collect();
    files.push((
        Path::new("docs/providers").join(format!("{name}.md")),
        names.fill(NOTES),
    ));
    files.extend(fixture_files(root, name)?);
    let mut written = Vec::new();
    for (relative, text) in files {
        let path = root.join(relative);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(|e| io(folder, &e))?;
        }
        fs::write(&path, text).map_err(|e| io(&path, &e))?;
        written.push(path);
    }
    let manifest = root.join("Cargo.toml");
    add_member(&manifest, name)?;
    written.push(manifest);
    Ok(written)
}

/// A provider name: lowercase ASCII words joined by hyphens, as crate and folder names take it.
fn check_name(name: &str) -> Result<(), Failure> {
    let words_ok = name.split('-').all(|word| {
        word.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && word.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
    });
    if words_ok {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "`{name}` is not a provider name: lowercase words joined by hyphens ([a-z][a-z0-9]*(-[a-z][a-z0-9]*)*)"
        )))
    }
}

/// The spellings of a provider's name the templates use.
struct Names {
    /// `tbc-checkout`: folders, package suffix, provider id.
    name: String,
    /// `tbc_checkout`: the library's crate name.
    snake: String,
    /// `TbcCheckout`: type names.
    camel: String,
}

impl Names {
    fn new(name: &str) -> Self {
        let camel = name
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        Names {
            name: name.to_owned(),
            snake: name.replace('-', "_"),
            camel,
        }
    }

    /// `template` with `{name}`, `{snake}`, `{Name}` and `{title}` filled in.
    fn fill(&self, template: &str) -> String {
        template
            .replace("{name}", &self.name)
            .replace("{snake}", &self.snake)
            .replace("{Name}", &self.camel)
            .replace("{title}", &format!("the {} API", self.camel))
    }
}

/// `fixtures/<name>/provider.json` and one skeleton per conformance scenario, each failing
/// until it holds a recording.
fn fixture_files(root: &Path, name: &str) -> Result<Vec<(PathBuf, String)>, Failure> {
    let list_path = root.join(CONFORMANCE);
    let text = fs::read_to_string(&list_path).map_err(|e| io(&list_path, &e))?;
    let list: Vec<Value> = serde_json::from_str(&text)
        .map_err(|e| Failure::new(format!("{}: {e}", list_path.display())))?;
    let folder = Path::new("fixtures").join(name);
    let meta = json!({
        "provider": name,
        "digest": format!("{name}.md"),
        "simulator": "none",
        "unsupported": {},
    });
    let mut files = vec![(folder.join("provider.json"), pretty(&meta))];
    for entry in &list {
        let field = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or_default();
        let (scenario, operation) = (field("name"), field("operation"));
        let description = format!("TODO: record an exchange where {}", field("description"));
        let source = json!({"kind": "derived", "ref": format!("docs/providers/{name}.md §TODO")});
        let (place, skeleton) = if operation == "callback" {
            let expect = if scenario == "callback_rejected" {
                json!({"error": {"kind": "signature"}})
            } else {
                json!({"ok": {"authenticity": "confirmed"}})
            };
            let callback = json!({
                "name": scenario,
                "description": description,
                "source": source,
                "covers": [scenario],
                "headers": {"content-type": "application/json"},
                "body": {"kind": "text", "value": "TODO: the callback body, byte for byte"},
                "interactions": [],
                "expect": expect,
            });
            ("callbacks", callback)
        } else {
            let skeleton = json!({
                "name": scenario,
                "description": description,
                "source": source,
                "covers": [scenario],
                "operation": operation,
                "input": {},
                "interactions": [{
                    "request": {"method": "GET", "path": "/TODO"},
                    "response": {"status": 200, "body": {"kind": "json", "value": {}}},
                }],
                "expect": {"ok": {}},
                "sim": "skip: no simulator yet",
            });
            ("scenarios", skeleton)
        };
        let path = folder.join(place).join(format!("{scenario}.json"));
        files.push((path, pretty(&skeleton)));
    }
    Ok(files)
}

/// Pretty JSON with a final newline.
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// Adds `crates/<name>` to the workspace members, before the first non-provider crate.
fn add_member(manifest: &Path, name: &str) -> Result<(), Failure> {
    let text = fs::read_to_string(manifest).map_err(|e| io(manifest, &e))?;
    let entry = format!("    \"crates/{name}\",\n");
    let Some(anchor) = text.find("    \"crates/testkit\",\n").or_else(|| {
        text.find("members = [\n")
            .map(|at| at + "members = [\n".len())
    }) else {
        return Err(Failure::new(format!(
            "{}: no `members = [` list to add crates/{name} to",
            manifest.display()
        )));
    };
    let mut updated = text.clone();
    updated.insert_str(anchor, &entry);
    fs::write(manifest, updated).map_err(|e| io(manifest, &e))
}

fn io(path: &Path, error: &std::io::Error) -> Failure {
    Failure::new(format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway workspace root with a manifest and the conformance list.
    fn workspace(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("paykit-scaffold-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("crates/testkit")).unwrap();
        fs::write(
            dir.join("Cargo.toml"),
            "[workspace]\nmembers = [\n    \"crates/core\",\n    \"crates/testkit\",\n]\n",
        )
        .unwrap();
        fs::copy(root().join(CONFORMANCE), dir.join(CONFORMANCE)).unwrap();
        dir
    }

    #[test]
    fn names_are_spelt_for_each_use() {
        let names = Names::new("tbc-checkout");
        assert_eq!(
            names.fill("{name} {snake} {Name}Client"),
            "tbc-checkout tbc_checkout TbcCheckoutClient"
        );
        assert!(check_name("acme").is_ok());
        for bad in ["Acme", "1acme", "acme-", "-acme", "ac_me", "", "acme--x"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_layout_is_complete_and_every_placeholder_filled() {
        let dir = workspace("layout");
        let written = scaffold(&dir, "acme").unwrap();
        let list: Vec<Value> =
            serde_json::from_str(&fs::read_to_string(dir.join(CONFORMANCE)).unwrap()).unwrap();
        // 9 crate files, the notes, provider.json, one skeleton per scenario, the manifest.
        assert_eq!(written.len(), 9 + 1 + 1 + list.len() + 1);
        for path in &written {
            let text = fs::read_to_string(path).unwrap();
            for placeholder in ["{name}", "{snake}", "{Name}", "{title}"] {
                assert!(
                    !text.contains(placeholder),
                    "{placeholder} in {}",
                    path.display()
                );
            }
            if path.extension().is_some_and(|e| e == "json") {
                let value: Value = serde_json::from_str(&text).unwrap();
                if !path.ends_with("provider.json") {
                    assert!(value["description"].as_str().unwrap().starts_with("TODO"));
                }
            }
        }
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("    \"crates/acme\",\n    \"crates/testkit\","),
            "{manifest}"
        );
        assert_eq!(providers_in(&dir), ["acme"]);
        assert!(
            scaffold(&dir, "acme").is_err(),
            "a second scaffold must not overwrite"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
