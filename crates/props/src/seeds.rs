//! Seed inputs read from `fixtures/`: every callback body, every recorded response body and
//! every Session URL push, byte for byte as the fixtures store them.
//!
//! Fuzzing from real shapes reaches the code behind the first `{` much sooner than random
//! bytes do; the mutations then wander off from there.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::value::RawValue;

/// One seed: where it came from and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// `maib/callbacks/pay_ok_signed.json`, or `built-in` for the hand-written ones.
    pub origin: String,
    /// The input.
    pub bytes: Vec<u8>,
}

impl Seed {
    /// A seed with `origin` and `bytes`.
    pub fn new(origin: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Seed {
            origin: origin.into(),
            bytes: bytes.into(),
        }
    }
}

/// The providers with a folder under `fixtures/`.
pub const PROVIDERS: &[&str] = &[
    "maib",
    "miapos",
    "bog",
    "maya",
    "bog-payments",
    "maya-checkout",
];

/// The repository's `fixtures/` folder (this crate is `crates/props`).
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A key file under `fixtures/<provider>/keys/`, trimmed.
pub fn key(provider: &str, name: &str) -> Result<String, String> {
    let path = fixtures_root().join(provider).join("keys").join(name);
    fs::read_to_string(&path)
        .map(|text| text.trim().to_owned())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[derive(Deserialize)]
struct RawBody {
    kind: String,
    #[serde(default)]
    value: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct CallbackFile {
    body: RawBody,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct ScenarioFile {
    #[serde(default)]
    operation: String,
    #[serde(default)]
    input: Option<Box<RawValue>>,
    #[serde(default)]
    interactions: Vec<Interaction>,
}

#[derive(Deserialize)]
struct Interaction {
    response: Response,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: Option<RawBody>,
}

#[derive(Deserialize)]
struct SessionInput {
    #[serde(default)]
    body: Option<Box<RawValue>>,
}

/// The bytes a fixture body stands for: JSON as written, text verbatim, a form encoded.
fn bytes_of(body: &RawBody) -> Option<Vec<u8>> {
    let raw = body.value.as_ref()?;
    match body.kind.as_str() {
        "json" => Some(raw.get().as_bytes().to_vec()),
        "text" => serde_json::from_str::<String>(raw.get())
            .ok()
            .map(String::into_bytes),
        "form" => serde_json::from_str::<Vec<(String, String)>>(raw.get())
            .ok()
            .or_else(|| {
                serde_json::from_str::<std::collections::BTreeMap<String, String>>(raw.get())
                    .ok()
                    .map(|map| map.into_iter().collect())
            })
            .map(|pairs| form_encode(&pairs).into_bytes()),
        _ => None,
    }
}

/// `application/x-www-form-urlencoded` of `pairs`.
fn form_encode(pairs: &[(String, String)]) -> String {
    fn escape(text: &str, out: &mut String) {
        for byte in text.bytes() {
            match byte {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    out.push(char::from(byte));
                }
                b' ' => out.push('+'),
                other => out.push_str(&format!("%{other:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        escape(key, &mut out);
        out.push('=');
        escape(value, &mut out);
    }
    out
}

/// The `.json` files of `fixtures/<provider>/<folder>/`, sorted by name.
fn files(provider: &str, folder: &str) -> Result<Vec<(String, String)>, String> {
    let dir = fixtures_root().join(provider).join(folder);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            fs::read_to_string(&path)
                .map(|text| (format!("{provider}/{folder}/{name}"), text))
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Every callback body of `provider`.
pub fn callbacks(provider: &str) -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for (origin, text) in files(provider, "callbacks")? {
        let file: CallbackFile =
            serde_json::from_str(&text).map_err(|e| format!("{origin}: {e}"))?;
        if let Some(bytes) = bytes_of(&file.body) {
            seeds.push(Seed::new(origin, bytes));
        }
    }
    Ok(seeds)
}

/// Every callback of `provider` as one input: the value of each of `headers` (lower-case
/// names) on a line of its own, an empty line where the fixture sends none, then the body.
/// The callback targets read their input back the same way ([`split_lines`]).
pub fn callbacks_with_headers(provider: &str, headers: &[&str]) -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for (origin, text) in files(provider, "callbacks")? {
        let file: CallbackFile =
            serde_json::from_str(&text).map_err(|e| format!("{origin}: {e}"))?;
        let Some(body) = bytes_of(&file.body) else {
            continue;
        };
        let mut bytes = Vec::new();
        for name in headers {
            if let Some(value) = file.headers.get(*name) {
                bytes.extend_from_slice(value.as_bytes());
            }
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&body);
        seeds.push(Seed::new(origin, bytes));
    }
    Ok(seeds)
}

/// The first `N` lines of `data` (without their `\n`) and the rest. Missing lines are empty.
pub fn split_lines<const N: usize>(data: &[u8]) -> ([&[u8]; N], &[u8]) {
    let mut lines: [&[u8]; N] = [b""; N];
    let mut rest = data;
    for line in &mut lines {
        match rest.iter().position(|b| *b == b'\n') {
            Some(at) => {
                *line = rest.get(..at).unwrap_or(b"");
                rest = rest.get(at.saturating_add(1)..).unwrap_or(b"");
            }
            None => {
                *line = rest;
                rest = b"";
            }
        }
    }
    (lines, rest)
}

/// Every recorded response body of `provider` (empty bodies left out).
pub fn responses(provider: &str) -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for (origin, text) in files(provider, "scenarios")? {
        let file: ScenarioFile =
            serde_json::from_str(&text).map_err(|e| format!("{origin}: {e}"))?;
        for (index, interaction) in file.interactions.iter().enumerate() {
            if let Some(bytes) = interaction.response.body.as_ref().and_then(bytes_of) {
                seeds.push(Seed::new(format!("{origin}#{index}"), bytes));
            }
        }
    }
    Ok(seeds)
}

/// Every recorded response of `provider`: its status (200 when the fixture names none) and its
/// body, empty bodies included.
pub fn recorded_responses(provider: &str) -> Result<Vec<(u16, Seed)>, String> {
    let mut out = Vec::new();
    for (origin, text) in files(provider, "scenarios")? {
        let file: ScenarioFile =
            serde_json::from_str(&text).map_err(|e| format!("{origin}: {e}"))?;
        for (index, interaction) in file.interactions.iter().enumerate() {
            let response = &interaction.response;
            let bytes = response
                .body
                .as_ref()
                .and_then(bytes_of)
                .unwrap_or_default();
            let status = response.status.unwrap_or(200);
            out.push((status, Seed::new(format!("{origin}#{index}"), bytes)));
        }
    }
    Ok(out)
}

/// The Session URL pushes among Maya's scenarios (`operation: session_push`).
pub fn session_pushes() -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for (origin, text) in files("maya", "scenarios")? {
        let file: ScenarioFile =
            serde_json::from_str(&text).map_err(|e| format!("{origin}: {e}"))?;
        if file.operation != "session_push" {
            continue;
        }
        let body = file
            .input
            .as_ref()
            .and_then(|raw| serde_json::from_str::<SessionInput>(raw.get()).ok())
            .and_then(|input| input.body);
        if let Some(body) = body {
            seeds.push(Seed::new(origin, body.get().as_bytes().to_vec()));
        }
    }
    Ok(seeds)
}

/// Every callback and response body of every provider.
pub fn every_body() -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for provider in PROVIDERS {
        seeds.extend(callbacks(provider)?);
        seeds.extend(responses(provider)?);
    }
    seeds.extend(session_pushes()?);
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_seeds() {
        for provider in PROVIDERS {
            assert!(!responses(provider).unwrap().is_empty(), "{provider}");
            assert!(!callbacks(provider).unwrap().is_empty(), "{provider}");
        }
        assert!(!session_pushes().unwrap().is_empty());
        assert!(key("maib", "signature_key.txt").is_ok());
        assert!(key("miapos", "public_key.b64").is_ok());
    }

    #[test]
    fn callbacks_with_headers_split_back_into_their_parts() {
        let seeds = callbacks_with_headers("bog-payments", &["callback-signature"]).unwrap();
        let bodies = callbacks("bog-payments").unwrap();
        assert_eq!(seeds.len(), bodies.len());
        for (seed, body) in seeds.iter().zip(&bodies) {
            let ([header], rest) = split_lines::<1>(&seed.bytes);
            assert_eq!(rest, body.bytes.as_slice(), "{}", seed.origin);
            assert!(!header.contains(&b'\n'));
        }
        assert_eq!(
            split_lines::<2>(b"a\nb\nc\nd"),
            ([&b"a"[..], b"b"], &b"c\nd"[..])
        );
        assert_eq!(split_lines::<2>(b"a"), ([&b"a"[..], b""], &b""[..]));
    }

    #[test]
    fn forms_are_encoded() {
        let pairs = vec![("a b".to_owned(), "x&y=é".to_owned())];
        assert_eq!(form_encode(&pairs), "a+b=x%26y%3D%C3%A9");
    }
}
