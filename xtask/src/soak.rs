//! `cargo xtask soak`: the fault soak (crates/soak), every provider client against the
//! in-process simulator with faults on, checked against the simulator's ledger.

use crate::run::{Failure, cargo, status};

/// Payments per provider of a full soak (80 to 100 s on the shared 2-core machine, debug build).
pub(crate) const DEFAULT_PAYMENTS: u64 = 2000;

/// The fixed seed of a full soak, so two runs plan the same payments.
pub(crate) const DEFAULT_SEED: u64 = 11;

/// `soak` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SoakArgs {
    /// Payments per provider.
    pub(crate) payments: u64,
    /// The plan's seed.
    pub(crate) seed: u64,
}

/// Parses `--payments N` and `--seed S`.
pub(crate) fn parse(rest: &[&str]) -> Result<SoakArgs, String> {
    let mut args = SoakArgs {
        payments: DEFAULT_PAYMENTS,
        seed: DEFAULT_SEED,
    };
    let mut rest = rest.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().copied().unwrap_or_default();
        let number = value.parse::<u64>().ok();
        match (*flag, number) {
            ("--payments", Some(n)) if n > 0 => args.payments = n,
            ("--seed", Some(s)) => args.seed = s,
            ("--payments" | "--seed", _) => {
                return Err(format!("{flag} needs a number, got `{value}`"));
            }
            (other, _) => return Err(format!("unexpected `{other}`")),
        }
    }
    Ok(args)
}

/// Runs the soak binary; it prints the per-provider numbers and fails on a misreport or a
/// double operation.
pub(crate) fn run(args: &SoakArgs) -> Result<(), Failure> {
    let payments = args.payments.to_string();
    let seed = args.seed.to_string();
    status(
        cargo(&[
            "run",
            "-q",
            "-p",
            "paykit-soak",
            "--",
            "--payments",
            &payments,
            "--seed",
            &seed,
        ])
        .env("RUST_LOG", "off"),
        "the fault soak",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        assert_eq!(
            parse(&[]).unwrap(),
            SoakArgs {
                payments: DEFAULT_PAYMENTS,
                seed: DEFAULT_SEED
            }
        );
        assert_eq!(
            parse(&["--payments", "50", "--seed", "7"]).unwrap(),
            SoakArgs {
                payments: 50,
                seed: 7
            }
        );
        for bad in [
            &["--payments"][..],
            &["--payments", "0"],
            &["--seed", "x"],
            &["--fast"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
