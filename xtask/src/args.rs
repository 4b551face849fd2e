//! Command-line parsing and help texts.

use crate::run::Failure;
use crate::workspace::PROVIDERS;

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
    /// Run the core benchmarks.
    Bench,
    /// The dependency policy and the offline advisories check.
    Deny,
}

pub(crate) const HELP: &str = "\
cargo xtask: paykit project automation

USAGE:
    cargo xtask <COMMAND> [OPTIONS]

COMMANDS:
    ci                          every check CI runs, in order, failing fast
    contract [--provider P]     contract tests of every provider (or P) and the simulator replay
    fixtures check              validate every file under fixtures/
    fixtures new <P> <NAME>     write fixtures/<P>/scenarios/<NAME>.json, a skeleton to fill in
    bench                       run paykit-core's benchmarks and print their ratios
    deny                        cargo-deny: licenses, bans, sources, and advisories against the
                                offline RustSec snapshot in xtask/advisory-db/

Each command takes --help.";

pub(crate) const CI_HELP: &str = "\
cargo xtask ci: every check CI runs, in order, stopping at the first failure

STEPS:
    1. cargo fmt --all -- --check
    2. cargo clippy --workspace --all-targets -- -D warnings
    3. cargo build --workspace --all-targets
    4. cargo test --workspace
    5. cargo xtask contract
    6. cargo xtask fixtures check
    7. RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --no-deps
    8. cargo deny check licenses bans sources, then advisories offline (installs cargo-deny 0.20.2 when missing)";

pub(crate) const CONTRACT_HELP: &str = "\
cargo xtask contract: run the recorded-fixture contract tests

USAGE:
    cargo xtask contract [--provider P]

For each provider (maib, miapos, bog, maya, or only P) runs
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

pub(crate) const BENCH_HELP: &str = "\
cargo xtask bench: run `cargo bench -p paykit-core` and print the ratios it reports
(lines mentioning \"ratio\" or \"target\"). Says so and succeeds when paykit-core has no benches yet.";

/// Parses the arguments after `cargo xtask`.
pub(crate) fn parse(args: &[String]) -> Result<Command, Failure> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let wants_help = args.iter().any(|a| matches!(*a, "--help" | "-h" | "help"));
    match args.as_slice() {
        [] => Ok(Command::Help(HELP)),
        ["ci", ..] if wants_help => Ok(Command::Help(CI_HELP)),
        ["contract", ..] if wants_help => Ok(Command::Help(CONTRACT_HELP)),
        ["fixtures", ..] if wants_help => Ok(Command::Help(FIXTURES_HELP)),
        ["bench", ..] if wants_help => Ok(Command::Help(BENCH_HELP)),
        _ if wants_help => Ok(Command::Help(HELP)),
        ["ci"] => Ok(Command::Ci),
        ["contract"] => Ok(Command::Contract { provider: None }),
        ["contract", "--provider", provider] => Ok(Command::Contract {
            provider: Some(known_provider(provider)?),
        }),
        ["fixtures", "check"] => Ok(Command::FixturesCheck),
        ["fixtures", "new", provider, name] => Ok(Command::FixturesNew {
            provider: known_provider(provider)?,
            name: (*name).to_owned(),
        }),
        ["bench"] => Ok(Command::Bench),
        ["deny"] => Ok(Command::Deny),
        _ => Err(Failure::new(format!(
            "unknown command `{}`\n\n{HELP}",
            args.join(" ")
        ))),
    }
}

/// `provider` if it is one of ours.
fn known_provider(provider: &str) -> Result<String, Failure> {
    if PROVIDERS.contains(&provider) {
        Ok(provider.to_owned())
    } else {
        Err(Failure::new(format!(
            "unknown provider `{provider}`: expected one of {}",
            PROVIDERS.join(", ")
        )))
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
        assert_eq!(p("bench").unwrap(), Command::Bench);
        assert_eq!(p("deny").unwrap(), Command::Deny);
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
