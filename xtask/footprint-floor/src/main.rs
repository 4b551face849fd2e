//! One status call, the way a hand-written integration would make it: the floor of what any
//! HTTP client pays to build.

use serde::Deserialize;

/// A payment status answer.
#[derive(Debug, Deserialize)]
struct Status {
    status: String,
}

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:9/status".to_owned());
    let status: Status = reqwest::get(url).await?.json().await?;
    println!("{}", status.status);
    Ok(())
}
