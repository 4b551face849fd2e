//! The `paykit` binary as a user runs it: the demo's exit code and output, the simulator's
//! announcement line, `webhook verify`'s exit codes on the recorded callback fixtures,
//! `webhook sign` → `webhook verify` round trips, and where `--sandbox` sends each provider
//! (seen through a refusing loopback proxy: nothing leaves the machine).
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
    for provider in [
        "maib",
        "miapos",
        "bog",
        "maya",
        "bog-payments",
        "maya-checkout",
    ] {
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
fn the_demo_runs_the_bog_payments_lifecycle() {
    let output = paykit()
        .args(["demo", "--provider", "bog-payments"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("== bog-payments =="), "{stdout}");
    assert!(!stdout.contains("== bog =="), "{stdout}");
    for step in [
        "Callback-Signature verified",
        "callback confirmed by the receipt",
        "capture 50.00 of 75.00",
        "refund 10.00 of 30.00",
        "partly refunded",
        "merchant-initiated charge",
        "the bank declined card",
    ] {
        assert!(stdout.contains(step), "{step} missing:\n{stdout}");
    }
    assert!(!stdout.contains(" FAIL  "), "{stdout}");
    assert!(stdout.contains("bog-payments lifecycle passed"), "{stdout}");
}

#[test]
fn the_demo_runs_the_maya_checkout_lifecycle() {
    let output = paykit()
        .args(["demo", "--provider", "maya-checkout"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("== maya-checkout =="), "{stdout}");
    assert!(!stdout.contains("== maya =="), "{stdout}");
    for step in [
        "customer pays on the hosted page",
        "X-Maya-Webhook-Signature v1 verified",
        "webhook confirmed by re-fetching the payment",
        "customer passes 3-D Secure",
        "hold 1000.00 on the vaulted card",
        "capture 600.00 of 1000.00",
        "to 01:00 Manila the next day",
        "refund 200.00 of 600.00",
        "partly refunded",
        "declined",
    ] {
        assert!(stdout.contains(step), "{step} missing:\n{stdout}");
    }
    assert!(!stdout.contains(" FAIL  "), "{stdout}");
    assert!(
        stdout.contains("maya-checkout lifecycle passed"),
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
    let expected: [(&str, &[&str]); 6] = [
        ("maib", &["project_id", "project_secret", "signature_key"]),
        ("miapos", &["merchant_id", "secret_key", "terminal_id"]),
        ("bog", &["client_id", "secret_key"]),
        ("maya", &["client_id", "client_secret", "p2m_id"]),
        (
            "bog-payments",
            &[
                "api_base",
                "token_url",
                "client_id",
                "client_secret",
                "callback_public_key_pem",
            ],
        ),
        (
            "maya-checkout",
            &["public_key", "secret_key", "webhook_public_key_pem"],
        ),
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
    let pem = key_file("bog-payments", "test_callback_public_key.pem");
    let bogp_flag = verify(&["--provider", "maib", "--public-key-file", &pem], "{}");
    assert_eq!(
        bogp_flag.status.code(),
        Some(2),
        "bog-payments flag for maib"
    );
    let maib_flag = verify(
        &[
            "--provider",
            "bog-payments",
            "--flow",
            "direct",
            "--public-key-file",
            &pem,
        ],
        "{}",
    );
    assert_eq!(
        maib_flag.status.code(),
        Some(2),
        "maib flag for bog-payments"
    );
    let bad_header = verify(
        &[
            "--provider",
            "bog-payments",
            "--public-key-file",
            &pem,
            "--header",
            "no colon",
        ],
        "{}",
    );
    assert_eq!(
        bad_header.status.code(),
        Some(2),
        "a header without a colon"
    );
    let not_a_key = verify(
        &["--provider", "bog-payments", "--public-key-file", &file],
        "{}",
    );
    assert_eq!(
        not_a_key.status.code(),
        Some(2),
        "a file that holds no RSA key"
    );
    let both = verify(
        &[
            "--provider",
            "bog-payments",
            "--public-key-file",
            &pem,
            "--sandbox",
        ],
        "{}",
    );
    assert_eq!(both.status.code(), Some(2), "two key sources");
}

/// `paykit webhook sign …` with `stdin`.
fn sign(args: &[&str], stdin: &str) -> Output {
    let mut child = paykit()
        .args(["webhook", "sign"])
        .args(args)
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

fn stdout_of(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

const MAIB_RESULT: &str = r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"A-77","status":"OK","statusCode":"000","statusMessage":"Approved","amount":10.25,"currency":"MDL"}"#;

#[test]
fn a_maib_callback_signed_by_the_cli_verifies_and_a_changed_one_does_not() {
    let key = key_file("maib", "signature_key.txt");
    let body = stdout_of(&sign(
        &["--provider", "maib", "--key-file", &key],
        MAIB_RESULT,
    ));
    let signed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(signed["signature"].is_string(), "{body}");
    // The result is kept byte for byte.
    assert!(body.contains(MAIB_RESULT), "{body}");
    let args = [
        "--provider",
        "maib",
        "--signature-key-file",
        &key,
        "--flow",
        "direct",
    ];
    let verified = verify(&args, &body);
    let event: serde_json::Value = serde_json::from_str(&stdout_of(&verified)).unwrap();
    assert_eq!(event["payment"]["status"], "captured", "{event}");
    assert_eq!(event["payment"]["amount"]["value"], "10.25", "{event}");
    let changed = verify(&args, &body.replace("10.25", "10.26"));
    assert_eq!(changed.status.code(), Some(1));
}

#[test]
fn a_miapos_callback_signed_by_the_cli_verifies_under_the_public_key() {
    let result = r#"{"terminalId":"TE0001","orderId":"order-9","paymentId":"c81b7a16-9c64-494c-88b1-26ec2c6328fe","status":"SUCCESS","amount":145.25,"currency":"MDL","paymentType":"qr","paymentDate":"2026-10-05T22:13:42"}"#;
    let pem = key_file("miapos", "private_key.pem");
    let body = stdout_of(&sign(&["--provider", "miapos", "--key-file", &pem], result));
    let public = key("miapos", "public_key.b64");
    let verified = verify(&["--provider", "miapos", "--public-key", &public], &body);
    let event: serde_json::Value = serde_json::from_str(&stdout_of(&verified)).unwrap();
    assert_eq!(event["provider"], "miapos");
    assert_eq!(event["payment"]["status"], "captured", "{event}");
    let changed = verify(
        &["--provider", "miapos", "--public-key", &public],
        &body.replace("order-9", "order-8"),
    );
    assert_eq!(changed.status.code(), Some(1));
}

#[test]
fn a_bog_payments_callback_signed_by_the_cli_matches_the_recorded_vector_and_verifies() {
    let fixture: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("bog-payments/callbacks/completed_card.json")).unwrap(),
    )
    .unwrap();
    let body = fixture["body"]["value"].as_str().unwrap();
    let recorded = fixture["headers"]["callback-signature"].as_str().unwrap();
    let private = key_file("bog-payments", "test_callback_private_key.pem");
    let printed = stdout_of(&sign(
        &["--provider", "bog-payments", "--key-file", &private],
        body,
    ));
    let (header, signed_body) = printed.split_once("\n\n").unwrap();
    // PKCS#1 v1.5 is deterministic: the same key over the same bytes gives TV-P3's signature.
    assert_eq!(header, format!("Callback-Signature: {recorded}"));
    assert_eq!(signed_body, body, "the body is printed exactly as signed");
    let public = key_file("bog-payments", "test_callback_public_key.pem");
    let args = [
        "--provider",
        "bog-payments",
        "--public-key-file",
        &public,
        "--header",
        header,
    ];
    let verified = verify(&args, signed_body);
    let event: serde_json::Value = serde_json::from_str(&stdout_of(&verified)).unwrap();
    assert_eq!(event["provider"], "bog-payments");
    assert_eq!(event["authenticity"], "signed");
    assert_eq!(event["payment"]["status"], "captured", "{event}");
    let changed = verify(&args, &signed_body.replacen("completed", "rejected", 1));
    assert_eq!(changed.status.code(), Some(1));
    // BOG's published sandbox key did not sign it.
    let sandbox = verify(
        &[
            "--provider",
            "bog-payments",
            "--sandbox",
            "--header",
            header,
        ],
        signed_body,
    );
    assert_eq!(sandbox.status.code(), Some(1));
}

/// A recorded Maya webhook (the notes' vectors): its body and its two headers' values.
fn maya_vector(name: &str) -> (String, String, String) {
    let fixture: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixtures().join(format!("maya-checkout/callbacks/{name}.json"))).unwrap(),
    )
    .unwrap();
    (
        fixture["body"]["value"].as_str().unwrap().to_owned(),
        fixture["headers"]["x-maya-webhook-signature"]
            .as_str()
            .unwrap()
            .to_owned(),
        fixture["headers"]["x-maya-webhook-timestamp"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

#[test]
fn a_maya_checkout_webhook_signed_by_the_cli_matches_the_recorded_vector_and_verifies() {
    let (body, recorded, timestamp) = maya_vector("v2_realistic_payment_success");
    let nonce = recorded
        .split(',')
        .find_map(|part| part.trim().strip_prefix("nonce="))
        .unwrap();
    let private = key_file("maya-checkout", "local_test_private.pem");
    let printed = stdout_of(&sign(
        &[
            "--provider",
            "maya-checkout",
            "--key-file",
            &private,
            "--nonce",
            nonce,
            "--timestamp-ms",
            &timestamp,
        ],
        &body,
    ));
    let (headers, signed_body) = printed.split_once("\n\n").unwrap();
    let lines: Vec<&str> = headers.lines().collect();
    // PKCS#1 v1.5 is deterministic: the same key, nonce and body give the vector's v1.
    assert_eq!(
        lines,
        [
            format!("X-Maya-Webhook-Signature: {recorded}"),
            format!("X-Maya-Webhook-Timestamp: {timestamp}"),
        ]
    );
    assert_eq!(signed_body, body, "the body is printed exactly as signed");
    let public = key_file("maya-checkout", "local_test_public.pem");
    let sent: u64 = timestamp.parse().unwrap();
    let now = (sent + 1_000).to_string();
    let mut args = vec!["--provider", "maya-checkout", "--public-key-file", &public];
    for line in &lines {
        args.extend_from_slice(&["--header", line]);
    }
    let mut at_now = args.clone();
    at_now.extend_from_slice(&["--now-ms", &now]);
    let verified = verify(&at_now, signed_body);
    let event: serde_json::Value = serde_json::from_str(&stdout_of(&verified)).unwrap();
    assert_eq!(event["provider"], "maya-checkout");
    assert_eq!(event["authenticity"], "signed");
    assert_eq!(event["payment"]["status"], "captured", "{event}");
    assert_eq!(event["payment"]["amount"]["value"], "249.50", "{event}");
    assert_eq!(event["payment"]["order_id"], "order-10042", "{event}");
    let changed = verify(&at_now, &signed_body.replacen("249.50", "249.51", 1));
    assert_eq!(changed.status.code(), Some(1));
    // Sent in 2026's first hour: by the system clock it is long stale.
    let stale = verify(&args, signed_body);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&stale.stderr).contains("not authentic"),
        "{}",
        String::from_utf8_lossy(&stale.stderr)
    );
    // Maya's published sandbox keys did not sign it.
    let mut sandbox = vec!["--provider", "maya-checkout", "--sandbox", "--now-ms", &now];
    for line in &lines {
        sandbox.extend_from_slice(&["--header", line]);
    }
    assert_eq!(verify(&sandbox, signed_body).status.code(), Some(1));
}

#[test]
fn a_fresh_maya_checkout_signature_verifies_now_and_differs_each_time() {
    let body = r#"{"id":"d1f4c2a0-5b6e-4f7a-8c9d-0e1f2a3b4c5d","status":"AUTHORIZED","amount":1000,"currency":"PHP","requestReferenceNumber":"MC-9","authorizationType":"NORMAL","capturedAmount":0}"#;
    let private = key_file("maya-checkout", "local_test_private.pem");
    let args = ["--provider", "maya-checkout", "--key-file", &private];
    let first = stdout_of(&sign(&args, body));
    let second = stdout_of(&sign(&args, body));
    assert_ne!(first, second, "a fresh nonce each time");
    let (headers, signed_body) = first.split_once("\n\n").unwrap();
    let public = key_file("maya-checkout", "local_test_public.pem");
    let mut verify_args = vec!["--provider", "maya-checkout", "--public-key-file", &public];
    for line in headers.lines() {
        verify_args.extend_from_slice(&["--header", line]);
    }
    let event: serde_json::Value =
        serde_json::from_str(&stdout_of(&verify(&verify_args, signed_body))).unwrap();
    assert_eq!(event["payment"]["status"], "authorized", "{event}");
}

#[test]
fn maya_checkout_usage_errors_exit_2() {
    let private = key_file("maya-checkout", "local_test_private.pem");
    let public = key_file("maya-checkout", "local_test_public.pem");
    let bad_nonce = sign(
        &[
            "--provider",
            "maya-checkout",
            "--key-file",
            &private,
            "--nonce",
            "not-hex,v1=00",
        ],
        "{}",
    );
    assert_eq!(bad_nonce.status.code(), Some(2));
    let bogp_key = key_file("bog-payments", "test_callback_private_key.pem");
    let nonce_elsewhere = sign(
        &[
            "--provider",
            "bog-payments",
            "--key-file",
            &bogp_key,
            "--nonce",
            "ab",
        ],
        "{}",
    );
    assert_eq!(nonce_elsewhere.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nonce_elsewhere.stderr).contains("for maya-checkout"));
    let not_json = sign(
        &["--provider", "maya-checkout", "--key-file", &private],
        "not json",
    );
    assert_eq!(not_json.status.code(), Some(2));
    let maib_file = key_file("maib", "signature_key.txt");
    let now_elsewhere = verify(
        &[
            "--provider",
            "maib",
            "--signature-key-file",
            &maib_file,
            "--now-ms",
            "1",
        ],
        "{}",
    );
    assert_eq!(now_elsewhere.status.code(), Some(2));
    let maib_flag = verify(
        &[
            "--provider",
            "maya-checkout",
            "--public-key-file",
            &public,
            "--flow",
            "hold",
        ],
        "{}",
    );
    assert_eq!(maib_flag.status.code(), Some(2));
    let not_a_key = verify(
        &[
            "--provider",
            "maya-checkout",
            "--public-key-file",
            &maib_file,
        ],
        "{}",
    );
    assert_eq!(not_a_key.status.code(), Some(2));
    let bad_header = verify(
        &[
            "--provider",
            "maya-checkout",
            "--public-key-file",
            &public,
            "--header",
            "no colon",
        ],
        "{}",
    );
    assert_eq!(bad_header.status.code(), Some(2));
}

#[test]
fn sign_refuses_unsigned_providers_and_unreadable_keys() {
    let key = key_file("maib", "signature_key.txt");
    let ipay = sign(&["--provider", "bog", "--key-file", &key], "{}");
    assert_eq!(ipay.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&ipay.stderr).contains("unsigned"));
    let maya = sign(&["--provider", "maya", "--key-file", &key], "{}");
    assert_eq!(maya.status.code(), Some(2));
    let missing = sign(
        &["--provider", "maib", "--key-file", "/nonexistent/key"],
        MAIB_RESULT,
    );
    assert_eq!(missing.status.code(), Some(2));
    let no_key = sign(&["--provider", "maib"], MAIB_RESULT);
    assert_eq!(no_key.status.code(), Some(2), "--key-file is required");
    let not_a_pem = sign(&["--provider", "miapos", "--key-file", &key], "{}");
    assert_eq!(not_a_pem.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&not_a_pem.stderr);
    assert!(
        !stderr.contains(&self::key("maib", "signature_key.txt")),
        "{stderr}"
    );
    let not_json = sign(&["--provider", "maib", "--key-file", &key], "not json");
    assert_eq!(not_json.status.code(), Some(2));
}

/// A stand-in HTTPS proxy on loopback: records the first line of every request (`CONNECT
/// host:443 HTTP/1.1`) and refuses it, so nothing leaves the machine.
fn recording_proxy() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut first = String::new();
            let _ = BufReader::new(&stream).read_line(&mut first);
            if tx.send(first.trim().to_owned()).is_err() {
                return;
            }
            let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (url, rx)
}

/// The host `paykit status --sandbox` first connects to, through [`recording_proxy`].
fn sandbox_host(provider: &str, envs: &[(&str, &str)]) -> (Option<i32>, String) {
    let (proxy, seen) = recording_proxy();
    let mut command = paykit();
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("PAYKIT_") || name.to_ascii_lowercase().ends_with("_proxy") {
            command.env_remove(name);
        }
    }
    let output = command
        .args(["status", "--provider", provider, "--sandbox", "--id", "abc"])
        .envs(envs.iter().copied())
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .output()
        .unwrap();
    let first = seen
        .recv_timeout(std::time::Duration::from_secs(5))
        .unwrap_or_default();
    (output.status.code(), first)
}

#[test]
fn sandbox_sends_each_provider_to_its_documented_sandbox_host() {
    let (code, first) = sandbox_host(
        "miapos",
        &[
            ("PAYKIT_MIAPOS_MERCHANT_ID", "m"),
            ("PAYKIT_MIAPOS_SECRET_KEY", "s"),
            ("PAYKIT_MIAPOS_TERMINAL_ID", "t"),
            // Ignored: --sandbox wins over the environment.
            ("PAYKIT_MIAPOS_BASE_URL", "https://elsewhere.example"),
        ],
    );
    assert_eq!(first, "CONNECT ecomm-test.miapos.md:443 HTTP/1.1");
    assert_ne!(code, Some(0));
    let (_, first) = sandbox_host(
        "bog",
        &[
            ("PAYKIT_BOG_CLIENT_ID", "c"),
            ("PAYKIT_BOG_SECRET_KEY", "s"),
        ],
    );
    assert_eq!(first, "CONNECT dev.ipay.ge:443 HTTP/1.1");
    let (_, first) = sandbox_host(
        "bog-payments",
        &[
            ("PAYKIT_BOG_PAYMENTS_CLIENT_ID", "10000999"),
            ("PAYKIT_BOG_PAYMENTS_CLIENT_SECRET", "s"),
        ],
    );
    // The token first, from the sandbox's own token host.
    let token_host = paykit_bog_payments::SANDBOX_TOKEN_URL
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(first, format!("CONNECT {token_host}:443 HTTP/1.1"));
    let (_, first) = sandbox_host(
        "maya-checkout",
        &[
            ("PAYKIT_MAYA_CHECKOUT_SECRET_KEY", "sk-test"),
            ("PAYKIT_MAYA_CHECKOUT_BASE_URL", "https://elsewhere.example"),
        ],
    );
    assert_eq!(first, "CONNECT pg-sandbox.paymaya.com:443 HTTP/1.1");
}

#[test]
fn sandbox_is_a_usage_error_for_maib_and_with_a_base_url() {
    let maib = paykit()
        .args(["status", "--provider", "maib", "--sandbox", "--id", "x"])
        .env("PAYKIT_MAIB_PROJECT_ID", "p")
        .env("PAYKIT_MAIB_PROJECT_SECRET", "s")
        .output()
        .unwrap();
    assert_eq!(maib.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&maib.stderr);
    assert!(stderr.contains("no sandbox host"), "{stderr}");
    // Maya's sandbox, like production, hands the token URL over per merchant: never derived.
    let maya = paykit()
        .args(["status", "--provider", "maya", "--sandbox", "--id", "x"])
        .env_remove("PAYKIT_MAYA_TOKEN_URL")
        .output()
        .unwrap();
    assert_eq!(maya.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&maya.stderr);
    assert!(stderr.contains("PAYKIT_MAYA_TOKEN_URL"), "{stderr}");
    for command in [
        vec!["status", "--id", "x"],
        vec!["refund", "--id", "x"],
        vec!["pay", "--amount", "1.00"],
    ] {
        let both = paykit()
            .args(&command)
            .args([
                "--provider",
                "bog-payments",
                "--sandbox",
                "--base-url",
                "http://127.0.0.1:9",
            ])
            .output()
            .unwrap();
        assert_eq!(both.status.code(), Some(2), "{command:?}");
        let stderr = String::from_utf8_lossy(&both.stderr);
        assert!(stderr.contains("--base-url"), "{stderr}");
    }
}
