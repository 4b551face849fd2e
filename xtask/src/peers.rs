//! `cargo xtask bench --peers`: paykit against the providers' own Python SDKs on the same
//! simulator.
//!
//! paykit's side is `paykit-peers` (crates/peers), built in release. The SDKs' side is
//! xtask/peers/measure.py in a throwaway virtual environment (target/xtask/peers-venv) with
//! the SDKs pinned below. The two sides run alternately, [`DEFAULT_ROUNDS`] rounds each, each
//! round on a fresh simulator; the medians are compared as ratios, paykit ÷ SDK, so above 1
//! means paykit is faster.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::run::{Failure, cargo, status};
use crate::workspace::root;

/// The SDK versions measured (the ones this was written and tested against).
const PINS: [&str; 2] = ["maib-ecommerce-sdk==1.1.4", "finergy-mia-pos-sdk==1.1.3"];

/// maib-ecommerce-sdk 1.1.4 nests quotes inside f-strings, which Python reads from 3.12 on.
const MIN_PYTHON: (u32, u32) = (3, 12);

/// Alternating rounds per side unless `--rounds` says otherwise.
pub(crate) const DEFAULT_ROUNDS: u32 = 3;

/// Milliseconds per metric and round unless `--millis` says otherwise.
pub(crate) const DEFAULT_MILLIS: u64 = 1500;

/// Payments prepared per provider on each simulator.
const PAYMENTS: &str = "50";

/// `bench --peers` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PeersArgs {
    /// Rounds per side.
    pub(crate) rounds: u32,
    /// Budget per metric and round, in milliseconds.
    pub(crate) millis: u64,
}

/// Parses `--rounds N` (at least 3) and `--millis MS`.
pub(crate) fn parse(rest: &[&str]) -> Result<PeersArgs, String> {
    let mut args = PeersArgs {
        rounds: DEFAULT_ROUNDS,
        millis: DEFAULT_MILLIS,
    };
    let mut rest = rest.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().copied().unwrap_or_default();
        match *flag {
            "--rounds" => match value.parse::<u32>() {
                Ok(n) if n >= 3 => args.rounds = n,
                _ => {
                    return Err(format!(
                        "--rounds needs a number of at least 3, got `{value}`"
                    ));
                }
            },
            "--millis" => match value.parse::<u64>() {
                Ok(n) if n > 0 => args.millis = n,
                _ => return Err(format!("--millis needs a positive number, got `{value}`")),
            },
            other => return Err(format!("unexpected `{other}`")),
        }
    }
    Ok(args)
}

/// One metric: operations and the nanoseconds they took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Measurement {
    ops: u128,
    elapsed_ns: u128,
}

impl Measurement {
    /// Operations per second, in thousandths (integer arithmetic: no float lint, no rounding
    /// drift between the two sides).
    fn milli_per_sec(self) -> u128 {
        self.ops.saturating_mul(1_000_000_000_000) / self.elapsed_ns.max(1)
    }
}

/// One side's numbers of one round, by (provider, metric).
type Numbers = BTreeMap<(String, String), Measurement>;

/// Reads `{"<provider>":{"<metric>":{"ops":N,"elapsed_ns":N},..},..}`; other keys (notes,
/// versions) are skipped.
fn parse_numbers(text: &str) -> Result<Numbers, Failure> {
    let value: Value = serde_json::from_str(text.trim())
        .map_err(|e| Failure::new(format!("not the JSON of a measurement ({e}): {text}")))?;
    let mut numbers = Numbers::new();
    for provider in ["maib", "miapos"] {
        let metrics = value
            .get(provider)
            .and_then(Value::as_object)
            .ok_or_else(|| Failure::new(format!("no `{provider}` in {text}")))?;
        for (metric, m) in metrics {
            let field = |name: &str| m.get(name).and_then(Value::as_u64).map(u128::from);
            let (Some(ops), Some(elapsed_ns)) = (field("ops"), field("elapsed_ns")) else {
                return Err(Failure::new(format!(
                    "{provider}.{metric}: no ops/elapsed_ns"
                )));
            };
            if ops == 0 || elapsed_ns == 0 {
                return Err(Failure::new(format!(
                    "{provider}.{metric}: nothing measured"
                )));
            }
            numbers.insert(
                (provider.to_owned(), metric.clone()),
                Measurement { ops, elapsed_ns },
            );
        }
    }
    Ok(numbers)
}

/// The median of `values` (the mean of the middle two when their count is even).
fn median(values: &[u128]) -> Option<u128> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(mid).copied(),
        _ => Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2),
    }
}

/// Thousandths as a decimal: `1234` → `1.234`.
fn thousandths(milli: u128) -> String {
    format!("{}.{:03}", milli / 1000, milli % 1000)
}

/// `a ÷ b` in thousandths, as text.
fn ratio(a: u128, b: u128) -> String {
    thousandths(a.saturating_mul(1000) / b.max(1))
}

/// Microseconds per operation, one decimal, from a rate in thousandths per second.
fn micros_per_op(milli_per_sec: u128) -> String {
    let tenths = 10_000_000_000 / milli_per_sec.max(1);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// What is compared: provider, the SDK's metric, paykit's metric, and the words for it.
const COMPARISONS: [(&str, &str, &str, &str); 6] = [
    ("maib", "status", "status", "status calls (pay-info)"),
    (
        "maib",
        "verify",
        "verify",
        "callback verify (SDK: parsed dict, its best case; paykit: raw bytes)",
    ),
    (
        "maib",
        "verify_with_parse",
        "verify",
        "callback verify (SDK: json.loads + dict; paykit: raw bytes)",
    ),
    (
        "miapos",
        "status",
        "status",
        "status calls (payment status)",
    ),
    (
        "miapos",
        "verify",
        "verify",
        "callback verify (both with the key in hand; the SDK loads its PEM per call)",
    ),
    (
        "miapos",
        "verify_public_call",
        "verify",
        "callback verify (SDK's validate_callback_signature: fetches the key per call)",
    ),
];

/// One metric's rate in every round, in thousandths per second; an error when a round lacks it.
fn rates(rounds: &[Numbers], provider: &str, metric: &str) -> Result<Vec<u128>, Failure> {
    let key = (provider.to_owned(), metric.to_owned());
    rounds
        .iter()
        .map(|n| n.get(&key).map(|m| m.milli_per_sec()))
        .collect::<Option<Vec<u128>>>()
        .filter(|rates| !rates.is_empty())
        .ok_or_else(|| Failure::new(format!("{provider}.{metric} is missing from a round")))
}

/// The report lines: per comparison, both medians, their ratio, and the spread of the ratios
/// of the rounds taken pairwise (round i of paykit ÷ round i of the SDK), to show the noise.
fn report(paykit: &[Numbers], sdk: &[Numbers]) -> Result<Vec<String>, Failure> {
    let mut lines = Vec::new();
    for (provider, sdk_metric, paykit_metric, words) in COMPARISONS {
        let ours = rates(paykit, provider, paykit_metric)?;
        let theirs = rates(sdk, provider, sdk_metric)?;
        let pairwise: Vec<u128> = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| a.saturating_mul(1000) / (*b).max(1))
            .collect();
        let missing = || Failure::new(format!("{provider}: no rounds"));
        let (ours, theirs) = (
            median(&ours).ok_or_else(missing)?,
            median(&theirs).ok_or_else(missing)?,
        );
        let low = pairwise.iter().min().copied().unwrap_or_default();
        let high = pairwise.iter().max().copied().unwrap_or_default();
        lines.push(format!(
            "peers {provider} {words}: paykit {}/s ({} µs), SDK {}/s ({} µs): ratio {} \
             (paykit ÷ SDK, >1 means paykit faster; rounds {}–{})",
            thousandths(ours),
            micros_per_op(ours),
            thousandths(theirs),
            micros_per_op(theirs),
            ratio(ours, theirs),
            thousandths(low),
            thousandths(high),
        ));
    }
    Ok(lines)
}

/// `major.minor` as printed by the interpreter.
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The interpreter's version, if it runs.
fn version_of(python: &str) -> Option<(u32, u32)> {
    let out = Command::new(python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| parse_version(&String::from_utf8_lossy(&out.stdout)))
        .flatten()
}

/// The first Python 3.12+ of `$PAYKIT_PEERS_PYTHON`, python3.13, python3.12, python3.
fn find_python() -> Result<String, Failure> {
    let mut candidates: Vec<String> = std::env::var("PAYKIT_PEERS_PYTHON").into_iter().collect();
    candidates.extend(["python3.13", "python3.12", "python3"].map(str::to_owned));
    let mut too_old = Vec::new();
    for python in candidates {
        match version_of(&python) {
            Some(v) if v >= MIN_PYTHON => return Ok(python),
            Some((major, minor)) => too_old.push(format!("{python} is {major}.{minor}")),
            None => {}
        }
    }
    let (want_major, want_minor) = MIN_PYTHON;
    if too_old.is_empty() {
        return Err(Failure::new(format!(
            "python3 is missing: bench --peers needs Python {want_major}.{want_minor}+ with venv \
             and pip (e.g. apt-get install python3 python3-venv python3-pip), or \
             PAYKIT_PEERS_PYTHON naming one"
        )));
    }
    Err(Failure::new(format!(
        "maib-ecommerce-sdk 1.1.4 needs Python {want_major}.{want_minor}+ (it nests quotes in \
         f-strings), but {}: set PAYKIT_PEERS_PYTHON to a newer interpreter",
        too_old.join(", ")
    )))
}

/// The venv's interpreter, made (or remade when the pins or interpreter changed) with the SDKs.
fn venv(python: &str) -> Result<PathBuf, Failure> {
    let dir = root().join("target/xtask/peers-venv");
    let stamp = dir.join("paykit-pins.txt");
    let wanted = format!("{python}\n{}\n", PINS.join("\n"));
    let venv_python = dir.join("bin/python");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && venv_python.is_file() {
        return Ok(venv_python);
    }
    let _ = fs::remove_dir_all(&dir);
    let dir_text = dir.to_string_lossy().into_owned();
    status(
        Command::new(python).args(["-m", "venv", &dir_text]),
        &format!("{python} -m venv {dir_text} (is python3-venv installed?)"),
    )?;
    let has_pip = Command::new(&venv_python)
        .args(["-m", "pip", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_pip {
        return Err(Failure::new(format!(
            "pip is missing in {dir_text}: install python3-pip (or ensurepip) for {python}"
        )));
    }
    let mut pip = Command::new(&venv_python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(PINS);
    status(&mut pip, &format!("pip install {}", PINS.join(" ")))?;
    fs::write(&stamp, wanted).map_err(|e| Failure::new(format!("{}: {e}", stamp.display())))?;
    Ok(venv_python)
}

/// `cargo run --release -q -p paykit-peers -- <args>`.
fn paykit_peers(args: &[&str]) -> Command {
    let mut all = vec!["run", "--release", "-q", "-p", "paykit-peers", "--"];
    all.extend_from_slice(args);
    cargo(&all)
}

/// A command's standard output, or why it failed.
fn output_of(command: &mut Command, what: &str) -> Result<String, Failure> {
    let out = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::new(format!("{what} could not start: {e}")))?;
    if !out.status.success() {
        return Err(Failure::new(format!("{what} failed ({})", out.status)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One round of paykit's side.
fn paykit_round(millis: &str) -> Result<Numbers, Failure> {
    let text = output_of(
        &mut paykit_peers(&["measure", "--payments", PAYMENTS, "--millis", millis]),
        "paykit-peers measure",
    )?;
    parse_numbers(&text)
}

/// One round of the SDKs' side: a simulator served by paykit-peers, measure.py against it.
fn sdk_round(venv_python: &Path, millis: &str) -> Result<Numbers, Failure> {
    let mut server = paykit_peers(&["serve", "--payments", PAYMENTS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::new(format!("paykit-peers serve could not start: {e}")))?;
    let mut line = String::new();
    if let Some(stdout) = server.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    let result = (|| {
        if line.trim().is_empty() {
            return Err(Failure::new("paykit-peers serve printed nothing"));
        }
        let sim = root().join("target/xtask/peers-sim.json");
        fs::write(&sim, &line).map_err(|e| Failure::new(format!("{}: {e}", sim.display())))?;
        let script = root().join("xtask/peers/measure.py");
        let mut python = Command::new(venv_python);
        python.arg(&script).arg(&sim).args(["--millis", millis]);
        let text = output_of(&mut python, "xtask/peers/measure.py")?;
        parse_numbers(&text)
    })();
    // Closing its stdin is the server's signal to stop.
    if let Some(mut stdin) = server.stdin.take() {
        let _ = stdin.flush();
    }
    let _ = server.wait();
    result
}

/// Runs the comparison and prints the ratios.
pub(crate) fn run(args: PeersArgs) -> Result<(), Failure> {
    let python = find_python()?;
    println!(
        "--- peers: Python SDKs in target/xtask/peers-venv ({python}): {}",
        PINS.join(", ")
    );
    let venv_python = venv(&python)?;
    println!("--- peers: building paykit-peers (release)");
    status(
        &mut cargo(&["build", "--release", "-q", "-p", "paykit-peers"]),
        "cargo build --release -p paykit-peers",
    )?;
    let millis = args.millis.to_string();
    let (mut paykit, mut sdk) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        println!("--- peers: round {round}/{}: paykit", args.rounds);
        paykit.push(paykit_round(&millis)?);
        println!(
            "--- peers: round {round}/{}: the providers' SDKs",
            args.rounds
        );
        sdk.push(sdk_round(&venv_python, &millis)?);
    }
    println!(
        "\nratios reported (medians of {} alternating rounds):",
        args.rounds
    );
    for line in report(&paykit, &sdk)? {
        println!("  {line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Numbers {
        parse_numbers(text).unwrap()
    }

    const PAYKIT: &str = r#"{"maib":{"status":{"ops":3000,"elapsed_ns":1500000000},
        "verify":{"ops":150000,"elapsed_ns":1500000000}},
        "miapos":{"status":{"ops":3000,"elapsed_ns":1000000000},
        "verify":{"ops":30000,"elapsed_ns":1500000000}}}"#;

    const SDK: &str = r#"{"maib":{"status":{"ops":32,"elapsed_ns":1600000000},
        "verify":{"ops":300000,"elapsed_ns":1500000000},
        "verify_with_parse":{"ops":100000,"elapsed_ns":1500000000}},
        "miapos":{"status":{"ops":32,"elapsed_ns":1600000000},
        "verify":{"ops":15000,"elapsed_ns":1500000000},
        "verify_public_call":{"ops":32,"elapsed_ns":1600000000}},
        "python":"3.12.1","notes":{"maib.verify":"best case"}}"#;

    #[test]
    fn options() {
        assert_eq!(
            parse(&[]).unwrap(),
            PeersArgs {
                rounds: DEFAULT_ROUNDS,
                millis: DEFAULT_MILLIS
            }
        );
        assert_eq!(
            parse(&["--rounds", "5", "--millis", "200"]).unwrap(),
            PeersArgs {
                rounds: 5,
                millis: 200
            }
        );
        for bad in [
            &["--rounds", "2"][..],
            &["--rounds"],
            &["--millis", "0"],
            &["--millis", "x"],
            &["--fast"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7));
        assert_eq!(median(&[9, 1, 5]), Some(5));
        assert_eq!(median(&[4, 1, 3, 100]), Some(3));
    }

    #[test]
    fn ratios_and_rates_are_formatted_in_thousandths() {
        assert_eq!(thousandths(1007), "1.007");
        assert_eq!(thousandths(42), "0.042");
        assert_eq!(ratio(2, 3), "0.666");
        assert_eq!(ratio(5, 0), "5.000", "a zero divisor counts as 1, no panic");
        let m = Measurement {
            ops: 3,
            elapsed_ns: 2_000_000_000,
        };
        assert_eq!(m.milli_per_sec(), 1500);
        assert_eq!(micros_per_op(1500), "666666.6");
        assert_eq!(micros_per_op(100_000_000), "10.0");
    }

    #[test]
    fn both_sides_json_is_read_and_notes_are_skipped() {
        let sdk = numbers(SDK);
        assert_eq!(sdk.len(), 6);
        assert_eq!(
            sdk[&("maib".to_owned(), "verify_with_parse".to_owned())],
            Measurement {
                ops: 100_000,
                elapsed_ns: 1_500_000_000
            }
        );
        assert_eq!(numbers(PAYKIT).len(), 4);
        for bad in [
            "",
            "not json",
            r#"{"maib":{}}"#,
            r#"{"maib":{"status":{"ops":1}},"miapos":{}}"#,
            r#"{"maib":{"status":{"ops":0,"elapsed_ns":5}},"miapos":{}}"#,
            r#"{"maib":{"status":{"ops":-1,"elapsed_ns":5}},"miapos":{}}"#,
        ] {
            assert!(parse_numbers(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_report_has_a_ratio_per_comparison_from_the_medians() {
        let fast = numbers(PAYKIT);
        let mut slow = numbers(PAYKIT);
        for m in slow.values_mut() {
            m.elapsed_ns *= 2;
        }
        // paykit's median is the middle round (`fast`), whatever the order.
        let paykit = [slow.clone(), fast, numbers(&PAYKIT.replace("3000", "9000"))];
        let sdk = [numbers(SDK), numbers(SDK), numbers(SDK)];
        let lines = report(&paykit, &sdk).unwrap();
        assert_eq!(lines.len(), COMPARISONS.len());
        assert!(lines.iter().all(|l| l.contains("ratio")));
        // maib status: 2000/s against 20/s.
        assert!(
            lines[0].contains("paykit 2000.000/s") && lines[0].contains("ratio 100.000"),
            "{}",
            lines[0]
        );
        // Round by round: 1000/20, 2000/20, 6000/20.
        assert!(lines[0].contains("rounds 50.000–300.000"), "{}", lines[0]);
        // maib verify against the parsed dict: 100000/s against 200000/s.
        assert!(lines[1].contains("ratio 0.500"), "{}", lines[1]);
        // miaPOS's public call, 20/s.
        assert!(lines[5].contains("SDK 20.000/s"), "{}", lines[5]);

        let missing = [numbers(PAYKIT), numbers(PAYKIT), numbers(PAYKIT)];
        let mut short = numbers(SDK);
        short.remove(&("miapos".to_owned(), "verify_public_call".to_owned()));
        let sdk = [numbers(SDK), short, numbers(SDK)];
        let failure = report(&missing, &sdk).unwrap_err().to_string();
        assert!(failure.contains("miapos.verify_public_call"), "{failure}");
    }

    #[test]
    fn python_versions_are_read() {
        assert_eq!(parse_version("3.12\n"), Some((3, 12)));
        assert_eq!(parse_version("3.9"), Some((3, 9)));
        assert!(parse_version("3.9") < Some(MIN_PYTHON));
        assert!(parse_version("3.13") >= Some(MIN_PYTHON));
        assert_eq!(parse_version("Python 3"), None);
        assert_eq!(parse_version(""), None);
        assert_eq!(version_of("/nonexistent/python3"), None);
    }

    #[test]
    fn the_script_and_the_pins_are_where_the_command_looks() {
        assert!(root().join("xtask/peers/measure.py").is_file());
        let script = fs::read_to_string(root().join("xtask/peers/measure.py")).unwrap();
        for (provider, sdk_metric, _, _) in COMPARISONS {
            assert!(script.contains(&format!("def {provider}(")), "{provider}");
            assert!(
                script.contains(&format!("\"{sdk_metric}\"")),
                "{sdk_metric}"
            );
        }
        assert!(PINS.iter().all(|p| p.contains("==1.1.")));
    }
}
