//! The `paykit` binary as a user runs it: the demo's exit code and output, the simulator's
//! announcement line, and `webhook verify`'s exit codes on the recorded callback fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers outside #[test] functions.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn paykit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_paykit"))
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The exact body bytes of a recorded callback.
fn callback_body(provider: &str, name: &str) -> String {
    let path = fixtures()
        .join(provider)
        .join("callbacks")
        .join(format!("{name}.json"));
    let fixture: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    fixture["body"]["value"]
        .as_str()
        .expect("a text body")
        .to_owned()
}

fn key(provider: &str, file: &str) -> String {
    std::fs::read_to_string(fixtures().join(provider).join("keys").join(file))
        .unwrap()
        .trim()
        .to_owned()
}

fn key_file(provider: &str, file: &str) -> String {
    fixtures()
        .join(provider)
        .join("keys")
        .join(file)
        .to_string_lossy()
        .into_owned()
}

fn verify(args: &[&str], stdin: &str) -> Output {
    verify_with_env(args, stdin, None)
}

fn verify_with_env(args: &[&str], stdin: &str, maib_key: Option<&str>) -> Output {
    let mut command = paykit();
    command
        .args(["webhook", "verify"])
        .args(args)
        .env_remove("PAYKIT_MAIB_SIGNATURE_KEY");
    if let Some(key) = maib_key {
        command.env("PAYKIT_MAIB_SIGNATURE_KEY", key);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_demo_passes_for_every_provider() {
    let output = paykit().arg("demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for provider in ["maib", "miapos", "bog", "maya"] {
        assert!(
            stdout.contains(&format!("== {provider} ==")),
            "{provider} missing:\n{stdout}"
        );
        assert!(
            stdout.contains(&format!("{provider} lifecycle passed")),
            "{provider} did not pass:\n{stdout}"
        );
    }
    // A failed step reads ` FAIL  <error>` in the verdict column (event names such as
    // maib's `FAILED` status may appear in the details).
    assert!(!stdout.contains(" FAIL  "), "{stdout}");
    assert!(!stdout.contains("lifecycle FAILED"), "{stdout}");
}

#[test]
fn the_demo_runs_one_provider_on_request() {
    let output = paykit()
        .args(["demo", "--provider", "maya"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("== maya ==") && !stdout.contains("== maib =="),
        "{stdout}"
    );
}

#[test]
fn sim_announces_every_provider_on_its_first_line() {
    let mut child = paykit()
        .arg("sim")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let announcement: serde_json::Value =
        serde_json::from_str(&first).expect("the first line is JSON");
    let expected: [(&str, &[&str]); 4] = [
        ("maib", &["project_id", "project_secret", "signature_key"]),
        ("miapos", &["merchant_id", "secret_key", "terminal_id"]),
        ("bog", &["client_id", "secret_key"]),
        ("maya", &["client_id", "client_secret", "p2m_id"]),
    ];
    for (provider, keys) in expected {
        let base_url = announcement[provider]["base_url"]
            .as_str()
            .unwrap_or_default();
        assert!(
            base_url.starts_with("http://127.0.0.1:"),
            "{provider}: {announcement}"
        );
        for key in keys {
            assert!(
                announcement[provider][key].is_string(),
                "{provider}.{key}: {announcement}"
            );
        }
    }
}

#[test]
fn an_authentic_maib_callback_prints_the_event() {
    let key = key_file("maib", "signature_key.txt");
    let body = callback_body("maib", "pay_ok_signed");
    let read = |flow: &[&str]| {
        let mut args = vec!["--provider", "maib", "--signature-key-file", &key];
        args.extend_from_slice(flow);
        let output = verify(&args, &body);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let direct = read(&["--flow", "direct"]);
    assert_eq!(direct["authenticity"], "signed");
    assert_eq!(direct["payment"]["status"], "captured");
    assert_eq!(read(&["--flow", "hold"])["payment"]["status"], "authorized");
    // Without the flow, maib's OK could be a capture or a hold: not guessed.
    let unknown = read(&[]);
    assert_eq!(unknown["event"], "unknown", "{unknown}");
    assert_eq!(unknown["name"], "OK", "{unknown}");
}

#[test]
fn a_tampered_maib_callback_exits_1_with_the_reason() {
    let output = verify(
        &[
            "--provider",
            "maib",
            "--signature-key-file",
            &key_file("maib", "signature_key.txt"),
        ],
        &callback_body("maib", "pay_tampered_amount"),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not authentic"));
}

#[test]
fn a_maib_callback_under_the_wrong_key_exits_1() {
    let output = verify_with_env(
        &["--provider", "maib", "--flow", "direct"],
        &callback_body("maib", "pay_ok_signed"),
        Some("not-the-key"),
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn the_maib_key_may_come_from_the_environment() {
    let output = verify_with_env(
        &["--provider", "maib", "--flow", "direct"],
        &callback_body("maib", "pay_ok_signed"),
        Some(&key("maib", "signature_key.txt")),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_authentic_miapos_callback_from_a_file_prints_the_event() {
    let dir = std::env::temp_dir().join(format!("paykit-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("success_qr.json");
    std::fs::write(&file, callback_body("miapos", "success_qr")).unwrap();
    let output = verify(
        &[
            "--provider",
            "miapos",
            "--public-key",
            &key("miapos", "public_key.b64"),
            file.to_str().unwrap(),
        ],
        "",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let event: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(event["provider"], "miapos");
}

#[test]
fn a_pss_signed_miapos_callback_is_rejected() {
    let output = verify(
        &[
            "--provider",
            "miapos",
            "--public-key",
            &key("miapos", "public_key.b64"),
            "-",
        ],
        &callback_body("miapos", "pss_signature"),
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn usage_errors_and_unreadable_input_exit_2() {
    let no_key = verify(&["--provider", "maib"], "{}");
    assert_eq!(no_key.status.code(), Some(2), "missing key");
    let file = key_file("maib", "signature_key.txt");
    let wrong_flag = verify(
        &["--provider", "miapos", "--signature-key-file", &file],
        "{}",
    );
    assert_eq!(wrong_flag.status.code(), Some(2), "maib flag for miapos");
    let on_argv = verify(&["--provider", "maib", "--signature-key", "k"], "{}");
    assert_eq!(on_argv.status.code(), Some(2), "a key on argv is refused");
    let bad_key = verify(
        &["--provider", "miapos", "--public-key", "bm90IGEga2V5"],
        "{}",
    );
    assert_eq!(bad_key.status.code(), Some(2), "unusable key");
    let unsigned = verify(&["--provider", "bog"], "{}");
    assert_eq!(
        unsigned.status.code(),
        Some(2),
        "bog callbacks cannot be verified offline"
    );
    let missing = verify(
        &[
            "--provider",
            "maib",
            "--signature-key-file",
            &file,
            "/nonexistent/callback.json",
        ],
        "",
    );
    assert_eq!(missing.status.code(), Some(2), "unreadable file");
    let unknown = verify(&["--provider", "nope"], "");
    assert_eq!(unknown.status.code(), Some(2), "clap usage error");
}
