//! `paykit-peers`: paykit's half of `cargo xtask bench --peers`.
//!
//! - `paykit-peers [measure]` starts the embedded simulator, creates and pays payments through
//!   paykit's maib and miaPOS clients, then measures status calls per second (`get_payment`,
//!   sequential, one client reused) and callback verifications per second of a real signed
//!   callback body (maib's `MaibWebhook` through `Webhook::verify` on the raw bytes; miaPOS's
//!   webhook with its key parsed once). Prints one JSON object of operation counts and
//!   nanoseconds.
//! - `paykit-peers serve` prepares the same simulator, prints one JSON line (the simulator's
//!   announcement, the miaPOS callback key, per provider the payment ids and one callback
//!   body) and keeps serving until stdin closes, so the providers' own SDKs can be measured
//!   against it (xtask/peers/measure.py).
//!
//! Options: `--payments N` per provider (default 50), `--millis MS` per metric (default 1500).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on its standard streams"
)]

mod args;
mod measure;
mod page;
mod prepare;
mod timing;

use std::io::Read as _;
use std::process::ExitCode;
use std::time::Duration;

use args::Mode;

#[tokio::main]
async fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(args) = args::parse(&argv) else {
        eprintln!("{}", args::USAGE);
        return ExitCode::from(2);
    };
    let ground = match prepare::prepare(args.payments).await {
        Ok(ground) => ground,
        Err(failure) => {
            eprintln!("paykit-peers: {failure}");
            return ExitCode::FAILURE;
        }
    };
    match args.mode {
        Mode::Measure => {
            match measure::measure(&ground, Duration::from_millis(args.millis)).await {
                Ok(numbers) => println!("{numbers}"),
                Err(failure) => {
                    eprintln!("paykit-peers: {failure}");
                    return ExitCode::FAILURE;
                }
            }
        }
        Mode::Serve => {
            println!("{}", ground.description());
            // Serve until the reader is done with us: the end of stdin is the signal.
            let drained = tokio::task::spawn_blocking(|| {
                std::io::stdin().read_to_end(&mut Vec::new()).map(|_| ())
            })
            .await;
            if !matches!(drained, Ok(Ok(()))) {
                eprintln!("paykit-peers: stdin could not be read; stopping");
            }
        }
    }
    ground.sim.shutdown().await;
    ExitCode::SUCCESS
}
