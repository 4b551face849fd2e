//! Command-line parsing and help texts.

use crate::fuzz::{DEFAULT_SECS, FuzzArgs};
use crate::peers::PeersArgs;
use crate::run::Failure;
use crate::soak::SoakArgs;
use crate::workspace::known_provider;

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// Print this text.
    Help(&'static str),
    /// Every check CI runs.
    Ci,
    /// Contract tests, optionally for one provider.
    Contract { provider: Option<String> },
    /// Validate every fixture file.
    FixturesCheck,
    /// Write a scenario skeleton.
    FixturesNew { provider: String, name: String },
    /// Run the benchmarks (or only one suite: a package name or `footprint`).
    Bench { only: Option<String> },
    /// paykit against the providers' own Python SDKs (`bench --peers`).
    BenchPeers(PeersArgs),
    /// The dependency policy and the offline advisories check.
    Deny,
    /// The fuzz targets (libFuzzer on nightly, property tests on stable).
    Fuzz(FuzzArgs),
    /// The fault soak against the simulator.
    Soak(SoakArgs),
    /// Check (and as root install) the servers and browser the tests start.
    Servers,
    /// Lay out a new provider crate with its fixtures and notes.
    NewProvider { name: String },
    /// Prove the scaffold in a copy of the workspace.
    ScaffoldCheck,
}

pub(crate) const HELP: &str = "\
cargo xtask: paykit project automation

USAGE:
    cargo xtask <COMMAND> [OPTIONS]

COMMANDS:
    ci                          every check CI runs, in order, failing fast
    servers                     check that redis-server, PostgreSQL (initdb, postgres, psql),
                                chromium and chromedriver are installed for the store and
                                browser tests; as root, apt-get install what is missing
    contract [--provider P]     contract tests of every provider (or P) and the simulator replay
    fixtures check              validate every file under fixtures/
    fixtures new <P> <NAME>     write fixtures/<P>/scenarios/<NAME>.json, a skeleton to fill in
    new-provider <NAME>         lay out crates/<NAME> (paykit-<NAME>), fixtures/<NAME>/ with one
                                skeleton per conformance scenario, docs/providers/<NAME>.md and
                                the workspace entry
    scaffold-check              in a copy of the workspace: new-provider acme, then its crate
                                must check and lint clean and its contract test must fail
                                naming every conformance scenario left to record
    bench [SUITE]               run the benchmarks (paykit-core, paykit-sim, paykit-redis, ...) and the
                                build footprint, and print their ratios; SUITE runs one
    bench --peers [--rounds N] [--millis MS]
                                paykit's maib and miaPOS status calls and callback checks
                                against the providers' own Python SDKs, as ratios
    deny                        cargo-deny: licenses, bans, sources, and advisories against the
                                offline RustSec snapshot in xtask/advisory-db/
    fuzz [--time SECS] [TARGET] the fuzz targets in fuzz/ (libFuzzer on nightly, else the
                                stable property tests); --seed writes the seed corpora only
    soak [--payments N] [--seed S]
                                the fault soak: every provider against the simulator with
                                faults on, checked against its ledger (default 2000 payments
                                per provider, seed 11)

Each command takes --help.";

pub(crate) const CI_HELP: &str = "\
cargo xtask ci: every check CI runs, in order, stopping at the first failure

STEPS:
    1. cargo xtask servers (redis-server and PostgreSQL for the store tests, chromium and
       chromedriver for the shop's browser test; installed with apt-get when missing and
       running as root)
    2. cargo fmt --all -- --check
    3. cargo clippy --workspace --all-targets -- -D warnings
    4. cargo build --workspace --all-targets
    5. cargo test --workspace
    6. cargo xtask contract
    7. cargo xtask fixtures check
    8. cargo xtask scaffold-check (new-provider acme in a copy: checks, lints, fails naming
       every scenario left)
    9. RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --no-deps
   10. cargo deny check licenses bans sources, then advisories offline (installs cargo-deny 0.20.2 when missing)";

pub(crate) const SERVERS_HELP: &str = "\
cargo xtask servers: the servers and browser the tests start, installed

USAGE:
    cargo xtask servers

paykit-redis and paykit-postgres test against real servers started by paykit_testkit::servers;
the example shop's browser test drives headless Chromium through chromedriver.
Looks for redis-server (PATH, /usr/bin, /usr/sbin), initdb, postgres and psql (PATH or
/usr/lib/postgresql/<version>/bin), chromium and chromedriver (PATH, /usr/bin) and, as root,
runuser and the postgres user. When something is missing: as root, runs `apt-get update` and
`apt-get install -y --no-install-recommends` of the packages that ship it (redis-server,
postgresql, chromium, chromium-driver) non-interactively (output in
target/xtask/apt-get-*.log); otherwise fails with the command to run. The first step of
`cargo xtask ci`.";

pub(crate) const CONTRACT_HELP: &str = "\
cargo xtask contract: run the recorded-fixture contract tests

USAGE:
    cargo xtask contract [--provider P]

For each provider (every folder of fixtures/ with a provider.json, or only P) runs
`cargo test -p paykit-P --test contract`, then the simulator's replay test
(`cargo test -p paykit-sim --test replay`, with PAYKIT_PROVIDER=P when --provider is given)
if crates/sim/tests/replay.rs exists. Fails when a provider has no tests/contract.rs or no
fixtures. PAYKIT_SCENARIO=name[,name] runs only those scenarios.";

pub(crate) const FIXTURES_HELP: &str = "\
cargo xtask fixtures: work with fixtures/

USAGE:
    cargo xtask fixtures check
        Runs paykit-testkit's fixtures_check test: every file parses under the schema, names
        equal file stems, every file has a source, no secret-looking values, every key file is
        used or documented.
    cargo xtask fixtures new <PROVIDER> <NAME>
        Writes fixtures/<PROVIDER>/scenarios/<NAME>.json, a skeleton with source kind
        \"derived\" and TODO markers (refuses to overwrite).";

pub(crate) const NEW_PROVIDER_HELP: &str = "\
cargo xtask new-provider: lay out a new provider

USAGE:
    cargo xtask new-provider <NAME>

NAME is lowercase words joined by hyphens (tbc, tbc-checkout). Writes crates/<NAME> (package
paykit-<NAME>: lib.rs, auth.rs, wire.rs, status.rs, webhook.rs, validate.rs, a README whose
example is compiled as a doctest, tests/contract.rs), fixtures/<NAME>/provider.json
(simulator \"none\") with one skeleton per conformance scenario of
crates/testkit/conformance.json, docs/providers/<NAME>.md for your protocol notes, and adds
the crate to the workspace members. `cargo check -p paykit-<NAME>` passes at once; `cargo
xtask contract --provider <NAME>` fails naming every scenario still to record. Every
TODO(scaffold) marks a step; docs/writing-an-adapter.md walks through them.";

pub(crate) const BENCH_HELP: &str = "\
cargo xtask bench: the benchmarks and the ratios they report

USAGE:
    cargo xtask bench [SUITE]
    cargo xtask bench --peers [--rounds N] [--millis MS]

Runs `cargo bench -p P` for each package with benches (paykit-core, paykit-sim, paykit-redis,
...) and the footprint: fresh release builds of xtask/footprint-floor (reqwest + serde + tokio)
and of paykit-maib alone, in crates compiled and time. Prints every line mentioning \"ratio\"
or \"target\". SUITE is one package name or `footprint`. The Redis bench starts its own
redis-server (see `cargo xtask servers`).

--peers compares paykit with the providers' own Python SDKs on the same simulator: it makes a
throwaway virtual environment in target/xtask/peers-venv (Python 3.12+: $PAYKIT_PEERS_PYTHON,
python3.13, python3.12 or python3; maib-ecommerce-sdk 1.1.4 needs 3.12) and pip-installs
maib-ecommerce-sdk 1.1.4 and finergy-mia-pos-sdk 1.1.3 from PyPI, builds paykit-peers in
release, then runs paykit's side (paykit-peers) and the SDKs' side (xtask/peers/measure.py
against `paykit-peers serve`) alternately, N rounds each (default 3, at least 3), MS
milliseconds per metric (default 1500). Prints, per provider, status calls per second and
callback verifications per second, medians, and their ratio paykit ÷ SDK (>1: paykit faster).";

pub(crate) const FUZZ_HELP: &str = "\
cargo xtask fuzz: the fuzz targets of paykit-props (crates/props/README.md)

USAGE:
    cargo xtask fuzz [--time SECS] [--stable] [TARGET]
    cargo xtask fuzz --seed [TARGET]

With a nightly toolchain and cargo-fuzz: writes fuzz/corpus/<target>/ from fixtures/, then runs
`cargo +nightly fuzz run <target>` for SECS (default 60) per target, or only TARGET, and prints
executions and crashes per target. Without them: says so and runs the same targets as stable
property tests (`cargo test -p paykit-props --release`), as --stable does anywhere. --seed only
writes the corpora.";

pub(crate) const SOAK_HELP: &str = "\
cargo xtask soak: the fault soak of crates/soak

USAGE:
    cargo xtask soak [--payments N] [--seed S]

Starts the simulator in-process with faults on (latency, 5xx before and after processing,
dropped callbacks, each token endpoint down for its first requests) and drives N payments per
provider (default 2000), with their captures and refunds, through every client at once. Every
unknown outcome is reconciled; every belief is then compared with the simulator's ledger.
Prints per provider: operations, faults injected, outcomes known/unknown, unknowns resolved,
money moved but reported not moved, and operations performed twice. Then the faults stop and
core's Reconciler sweeps the payment records of maib and iPay until a sweep changes nothing:
records examined, changed, settled, still open and failed (rec:*), and records contradicting
the ledger (contra). Fails unless misreports, doubles and contradictions are all 0.
The seed (default 11) fixes the plan of payments; the simulator places faults at random.";

/// `fuzz` options: `--time SECS`, `--seed`, and at most one target name.
fn fuzz_args(rest: &[&str]) -> Result<FuzzArgs, Failure> {
    let mut args = FuzzArgs {
        secs: DEFAULT_SECS,
        target: None,
        seed_only: false,
        stable: false,
    };
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--time" => {
                let value = rest.next().copied().unwrap_or_default();
                args.secs =
                    value.parse().ok().filter(|secs| *secs > 0).ok_or_else(|| {
                        Failure::new(format!("--time needs seconds, got `{value}`"))
                    })?;
            }
            "--seed" => args.seed_only = true,
            "--stable" => args.stable = true,
            name if !name.starts_with('-') && args.target.is_none() => {
                args.target = Some(name.to_owned());
            }
            other => return Err(Failure::new(format!("unexpected `{other}`\n\n{FUZZ_HELP}"))),
        }
    }
    Ok(args)
}

/// Parses the arguments after `cargo xtask`.
pub(crate) fn parse(args: &[String]) -> Result<Command, Failure> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let wants_help = args.iter().any(|a| matches!(*a, "--help" | "-h" | "help"));
    match args.as_slice() {
        [] => Ok(Command::Help(HELP)),
        ["ci", ..] if wants_help => Ok(Command::Help(CI_HELP)),
        ["servers", ..] if wants_help => Ok(Command::Help(SERVERS_HELP)),
        ["contract", ..] if wants_help => Ok(Command::Help(CONTRACT_HELP)),
        ["fixtures", ..] if wants_help => Ok(Command::Help(FIXTURES_HELP)),
        ["bench", ..] if wants_help => Ok(Command::Help(BENCH_HELP)),
        ["fuzz", ..] if wants_help => Ok(Command::Help(FUZZ_HELP)),
        ["soak", ..] if wants_help => Ok(Command::Help(SOAK_HELP)),
        ["new-provider", ..] if wants_help => Ok(Command::Help(NEW_PROVIDER_HELP)),
        _ if wants_help => Ok(Command::Help(HELP)),
        ["ci"] => Ok(Command::Ci),
        ["servers"] => Ok(Command::Servers),
        ["contract"] => Ok(Command::Contract { provider: None }),
        ["contract", "--provider", provider] => Ok(Command::Contract {
            provider: Some(known_provider(provider)?),
        }),
        ["fixtures", "check"] => Ok(Command::FixturesCheck),
        ["scaffold-check"] => Ok(Command::ScaffoldCheck),
        ["new-provider", name] => Ok(Command::NewProvider {
            name: (*name).to_owned(),
        }),
        ["fixtures", "new", provider, name] => Ok(Command::FixturesNew {
            provider: known_provider(provider)?,
            name: (*name).to_owned(),
        }),
        ["bench"] => Ok(Command::Bench { only: None }),
        ["bench", "--peers", rest @ ..] => crate::peers::parse(rest)
            .map(Command::BenchPeers)
            .map_err(|e| Failure::new(format!("{e}\n\n{BENCH_HELP}"))),
        ["bench", only] => Ok(Command::Bench {
            only: Some((*only).to_owned()),
        }),
        ["deny"] => Ok(Command::Deny),
        ["fuzz", rest @ ..] => fuzz_args(rest).map(Command::Fuzz),
        ["soak", rest @ ..] => crate::soak::parse(rest)
            .map(Command::Soak)
            .map_err(|e| Failure::new(format!("{e}\n\n{SOAK_HELP}"))),
        _ => Err(Failure::new(format!(
            "unknown command `{}`\n\n{HELP}",
            args.join(" ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Result<Command, Failure> {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        parse(&args)
    }

    #[test]
    fn commands() {
        assert_eq!(p("ci").unwrap(), Command::Ci);
        assert_eq!(
            p("new-provider tbc").unwrap(),
            Command::NewProvider { name: "tbc".into() }
        );
        assert_eq!(p("scaffold-check").unwrap(), Command::ScaffoldCheck);
        assert_eq!(p("contract").unwrap(), Command::Contract { provider: None });
        assert_eq!(
            p("contract --provider bog").unwrap(),
            Command::Contract {
                provider: Some("bog".into())
            }
        );
        assert_eq!(p("fixtures check").unwrap(), Command::FixturesCheck);
        assert_eq!(
            p("fixtures new maya pay_ok").unwrap(),
            Command::FixturesNew {
                provider: "maya".into(),
                name: "pay_ok".into()
            }
        );
        assert_eq!(p("bench").unwrap(), Command::Bench { only: None });
        assert_eq!(
            p("bench footprint").unwrap(),
            Command::Bench {
                only: Some("footprint".into())
            }
        );
        assert_eq!(
            p("bench --peers").unwrap(),
            Command::BenchPeers(PeersArgs {
                rounds: crate::peers::DEFAULT_ROUNDS,
                millis: crate::peers::DEFAULT_MILLIS
            })
        );
        assert_eq!(
            p("bench --peers --rounds 5").unwrap(),
            Command::BenchPeers(PeersArgs {
                rounds: 5,
                millis: crate::peers::DEFAULT_MILLIS
            })
        );
        assert!(p("bench --peers --rounds 1").is_err());
        assert!(p("bench --peers paykit-core").is_err());
        assert_eq!(
            p("bench --peers --help").unwrap(),
            Command::Help(BENCH_HELP)
        );
        assert!(BENCH_HELP.contains("--peers"), "documented");
        assert_eq!(p("deny").unwrap(), Command::Deny);
        assert_eq!(p("servers").unwrap(), Command::Servers);
        assert_eq!(p("servers --help").unwrap(), Command::Help(SERVERS_HELP));
        assert!(p("servers --install").is_err());
        assert!(HELP.contains("\n    servers "), "listed in the help");
    }

    #[test]
    fn fuzz_options() {
        let fuzz = |secs, target: Option<&str>, seed_only| {
            Command::Fuzz(FuzzArgs {
                secs,
                target: target.map(str::to_owned),
                seed_only,
                stable: false,
            })
        };
        assert_eq!(p("fuzz").unwrap(), fuzz(DEFAULT_SECS, None, false));
        assert_eq!(
            p("fuzz --time 5 maib_callback").unwrap(),
            fuzz(5, Some("maib_callback"), false)
        );
        assert_eq!(p("fuzz --seed").unwrap(), fuzz(DEFAULT_SECS, None, true));
        assert!(matches!(
            p("fuzz --stable").unwrap(),
            Command::Fuzz(FuzzArgs { stable: true, .. })
        ));
        assert_eq!(p("fuzz --help").unwrap(), Command::Help(FUZZ_HELP));
        for bad in [
            "fuzz --time",
            "fuzz --time 0",
            "fuzz --time x",
            "fuzz a b",
            "fuzz --fast",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn help_everywhere() {
        assert_eq!(p("").unwrap(), Command::Help(HELP));
        assert_eq!(p("--help").unwrap(), Command::Help(HELP));
        assert_eq!(p("ci --help").unwrap(), Command::Help(CI_HELP));
        assert_eq!(p("contract --help").unwrap(), Command::Help(CONTRACT_HELP));
        assert_eq!(
            p("fixtures check -h").unwrap(),
            Command::Help(FIXTURES_HELP)
        );
        assert_eq!(p("bench --help").unwrap(), Command::Help(BENCH_HELP));
    }

    #[test]
    fn mistakes_are_refused() {
        assert!(p("contract --provider stripe").is_err());
        assert!(p("contract maib").is_err());
        assert!(p("fixtures new maib").is_err());
        assert!(p("record").is_err());
    }
}
