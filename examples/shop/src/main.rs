//! `cargo run -p shop`: the example shop against the embedded simulator.

use std::process::ExitCode;

use clap::Parser;

/// The paykit example shop: maib, miaPOS, iPay, the BOG Payments API, Maya and Maya Checkout
/// against the embedded simulator.
#[derive(Debug, Parser)]
#[command(name = "shop", version)]
struct Args {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, env = "SHOP_PORT", default_value_t = 0)]
    port: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("shop=info,paykit_axum=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let shop = match shop::start(shop::ShopConfig::default().port(args.port)).await {
        Ok(shop) => shop,
        Err(error) => {
            tracing::error!(%error, "the shop did not start");
            return ExitCode::FAILURE;
        }
    };
    // The one line a person needs; everything else is in the log on stderr.
    #[allow(clippy::print_stdout)]
    {
        println!(
            "paykit example shop: open {}/ (admin: {}/admin); Ctrl-C stops it",
            shop.url(),
            shop.url()
        );
    }
    // Runs until the process is interrupted; the simulator and orders live in memory.
    std::future::pending::<()>().await;
    drop(shop);
    ExitCode::SUCCESS
}
