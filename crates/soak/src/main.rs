//! `paykit-soak [--payments N] [--seed S] [--concurrency C]`: runs the fault soak, prints the
//! per-provider numbers, exits non-zero when money was misreported or an operation was
//! performed twice.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on its standard streams"
)]

use std::process::ExitCode;

use paykit_soak::SoakConfig;

fn usage() -> ExitCode {
    eprintln!("usage: paykit-soak [--payments N] [--seed S] [--concurrency C]");
    ExitCode::from(2)
}

fn parse(args: &[String]) -> Option<SoakConfig> {
    let mut config = SoakConfig::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next()?;
        config = match flag.as_str() {
            "--payments" => config.payments(value.parse().ok()?),
            "--seed" => config.seed(value.parse().ok()?),
            "--concurrency" => config.concurrency(value.parse().ok()?),
            _ => return None,
        };
    }
    Some(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(config) = parse(&args) else {
        return usage();
    };
    println!(
        "paykit soak: {} payments per provider, {} in flight, seed {}, faults {:?}",
        config.payments_per_provider, config.concurrency, config.seed, config.faults
    );
    match paykit_soak::run(config).await {
        Ok(report) => {
            println!("{report}");
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("paykit soak: {error}");
            ExitCode::FAILURE
        }
    }
}
