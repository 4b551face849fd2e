//! paykit's project automation, run as `cargo xtask <command>`.
//!
//! It drives cargo and depends on nothing of ours (DESIGN.md §2): std plus serde_json.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on its standard streams"
)]

mod args;
mod bench;
mod ci;
mod contract;
mod deny;
mod fixtures;
mod footprint;
mod fuzz;
mod new_provider;
mod peers;
mod run;
mod scaffold_check;
mod servers;
mod soak;
mod workspace;

use std::process::ExitCode;

use args::Command;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = match args::parse(&argv) {
        Ok(Command::Help(text)) => {
            println!("{text}");
            Ok(())
        }
        Ok(Command::Ci) => ci::run(),
        Ok(Command::Contract { provider }) => contract::run(provider.as_deref()),
        Ok(Command::FixturesCheck) => fixtures::check(),
        Ok(Command::FixturesNew { provider, name }) => fixtures::new(&provider, &name),
        Ok(Command::Bench { only }) => bench::run(only.as_deref()),
        Ok(Command::BenchPeers(args)) => peers::run(args),
        Ok(Command::Deny) => deny::check(),
        Ok(Command::Fuzz(args)) => fuzz::run(&args),
        Ok(Command::Soak(args)) => soak::run(&args),
        Ok(Command::Servers) => servers::ensure(),
        Ok(Command::NewProvider { name }) => new_provider::run(&name),
        Ok(Command::ScaffoldCheck) => scaffold_check::run(),
        Err(failure) => Err(failure),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("\nerror: {failure}");
            ExitCode::FAILURE
        }
    }
}
