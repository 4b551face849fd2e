//! `paykit sim`: serve the simulator until stopped.

use std::process::ExitCode;
use std::time::Duration;

use paykit_sim::{Faults, SimConfig};

use crate::output;

/// What `paykit sim` was asked for.
pub(crate) struct Options {
    pub(crate) port: Option<u16>,
    pub(crate) bog_callback_url: Option<String>,
    pub(crate) latency_ms: u64,
    pub(crate) error_rate: u8,
    pub(crate) drop_callbacks: bool,
}

pub(crate) async fn run(options: Options) -> ExitCode {
    let faults = Faults::none()
        .with_latency(Duration::from_millis(options.latency_ms))
        .with_error_rate(options.error_rate)
        .with_dropped_callbacks(if options.drop_callbacks { 100 } else { 0 });
    let mut config = SimConfig::default().with_faults(faults);
    if let Some(port) = options.port {
        config = config.with_base_port(port);
    }
    if let Some(url) = options.bog_callback_url {
        config = config.with_bog_callback_url(url);
    }
    let simulator = match paykit_sim::start(config).await {
        Ok(simulator) => simulator,
        Err(error) => {
            output::error(&format!("cannot start the simulator: {error}"));
            return ExitCode::FAILURE;
        }
    };
    // The announcement is the first line on stdout: programs read it to find the endpoints.
    output::line(&simulator.announcement().to_string());
    // Serve until the process is stopped (Ctrl-C or a signal ends it; the simulator keeps all
    // state in memory, so nothing needs flushing).
    std::future::pending::<()>().await;
    drop(simulator);
    ExitCode::SUCCESS
}
