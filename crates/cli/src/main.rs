//! `paykit`: run the demo, serve the simulator (and make it send a callback), take payments, reconcile them, verify and sign
//! callbacks.
//!
//! Exit codes: 0 success; 1 the operation failed (a step of the demo, a payment error, an
//! inauthentic callback, payment records that cannot be read); 2 usage errors and unreadable
//! input; 3 (`pay`, `status`, `refund`) an outcome that is unknown or was not recorded.

mod args;
mod bog_payments;
mod clients;
mod demo;
mod listener;
mod live;
mod output;
mod reconcile;
mod serve;
mod sign;
mod stores;
mod sweep_json;
mod trigger;
mod webhook;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, SimCommand, WebhookCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.verbose {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("paykit=debug,paykit_sim=debug,paykit_core=debug")
        });
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            output::error(&format!("cannot start the async runtime: {error}"));
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Demo { provider } => demo::run(&provider).await,
            Command::Sim {
                command: Some(SimCommand::Trigger(args)),
                ..
            } => trigger::run(args).await,
            Command::Sim {
                serve: args,
                command: None,
            } => {
                serve::run(serve::Options {
                    port: args.port,
                    bog_callback_url: args.bog_callback_url,
                    latency_ms: args.latency_ms,
                    error_rate: args.error_rate,
                    drop_callbacks: args.drop_callbacks,
                })
                .await
            }
            Command::Pay(args) => live::pay(args).await,
            Command::Status(args) => live::status(args).await,
            Command::Refund(args) => live::refund(args).await,
            Command::Reconcile(args) => reconcile::run(args).await,
            Command::Webhook {
                command: WebhookCommand::Verify(args),
            } => webhook::verify(args).await,
            Command::Webhook {
                command: WebhookCommand::Sign(args),
            } => sign::run(&args),
        }
    })
}
