//! DESIGN.md §7 targets, measured as ratios within one run (`cargo bench -p paykit-core` or
//! `cargo xtask bench`):
//!
//! 1. executor overhead: a status call through [`HttpExecutor`] (token, request description,
//!    retry loop, size-capped body, typed parse) against the same call written by hand on
//!    reqwest + serde, both against one loopback keep-alive server; target ratio <= 1.10.
//! 2. token cache: 1,000 concurrent `token()` calls on an expired token make exactly 1 token
//!    request; also reported: their cost relative to 1,000 calls on a fresh token.
//!
//! Rounds alternate the two sides so drift on a busy machine hits both alike; the median of the
//! per-round ratios is reported.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::float_arithmetic,
    missing_docs
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use paykit_core::http::{ApiRequest, Credential, ExecutorConfig, HttpExecutor};
use paykit_core::{
    CachedTokenSource, Expiry, ProviderId, Result, SecretString, StaticToken, TokenCacheConfig,
    TokenFetcher, TokenGrant, TokenSource,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BODY: &str = r#"{"result":{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","status":"OK","statusCode":"000","amount":10.25,"currency":"MDL"},"ok":true}"#;
const CALLS_PER_ROUND: usize = 200;
const ROUNDS: usize = 15;

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Envelope {
    result: Status,
    ok: bool,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct Status {
    pay_id: String,
    status: String,
    status_code: String,
    #[serde(with = "paykit_core::wire::decimal_number")]
    amount: paykit_core::Decimal,
    currency: String,
}

/// A minimal HTTP/1.1 keep-alive server answering every request with `BODY`.
async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let response = response.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::with_capacity(4096);
                let mut chunk = [0_u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        buffer.drain(..end + 4);
                        if socket.write_all(response.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

async fn executor_overhead() -> f64 {
    let base = serve().await;
    let client = reqwest::Client::new();
    let executor = HttpExecutor::with_client(
        ProviderId("bench"),
        &base,
        client.clone(),
        ExecutorConfig::default(),
    )
    .unwrap();
    let tokens: Arc<dyn TokenSource> =
        Arc::new(StaticToken::new(SecretString::from("bench-token")));
    let status_url = format!("{base}/v1/pay-info/f16a9006-128a-46bc-8e2a-77a6ee99df75");

    let paykit_call = || {
        let executor = &executor;
        let tokens = Arc::clone(&tokens);
        async move {
            let request = ApiRequest::get(
                "pay-info",
                "/v1/pay-info/f16a9006-128a-46bc-8e2a-77a6ee99df75",
            )
            .auth(Credential::Bearer(tokens));
            let response = executor.send(&request).await.unwrap();
            let parsed: Envelope = response.json().unwrap();
            std::hint::black_box(parsed);
        }
    };
    let by_hand = || {
        let client = &client;
        let url = status_url.as_str();
        async move {
            let response = client
                .get(url)
                .bearer_auth("bench-token")
                .send()
                .await
                .unwrap();
            let bytes = response.bytes().await.unwrap();
            let parsed: Envelope = serde_json::from_slice(&bytes).unwrap();
            std::hint::black_box(parsed);
        }
    };

    for _ in 0..CALLS_PER_ROUND {
        paykit_call().await;
        by_hand().await;
    }
    let mut ratios = Vec::with_capacity(ROUNDS);
    let (mut paykit_total, mut hand_total) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..CALLS_PER_ROUND {
            by_hand().await;
        }
        let hand = started.elapsed();
        let started = Instant::now();
        for _ in 0..CALLS_PER_ROUND {
            paykit_call().await;
        }
        let paykit = started.elapsed();
        paykit_total += paykit;
        hand_total += hand;
        ratios.push(paykit.as_secs_f64() / hand.as_secs_f64());
    }
    let calls = (CALLS_PER_ROUND * ROUNDS) as u32;
    println!(
        "executor: paykit {:?}/call, hand-written reqwest+serde {:?}/call",
        paykit_total / calls,
        hand_total / calls
    );
    median(ratios)
}

#[derive(Debug, Default)]
struct SlowFetcher {
    calls: AtomicUsize,
}

#[async_trait]
impl TokenFetcher for SlowFetcher {
    async fn fetch_with_credentials(&self) -> Result<TokenGrant> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(TokenGrant::access_only(
            SecretString::from("t"),
            Expiry::After(Duration::from_secs(3600)),
        ))
    }
}

async fn thousand_callers(cache: &Arc<CachedTokenSource<SlowFetcher>>) -> Duration {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let cache = Arc::clone(cache);
        tasks.spawn(async move { cache.token().await.map(|t| t.expose_secret().len()) });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap().unwrap();
    }
    started.elapsed()
}

async fn token_contention() -> (usize, f64) {
    let mut ratios = Vec::new();
    let mut fetches = 0;
    for _ in 0..ROUNDS {
        let cache = Arc::new(CachedTokenSource::new(
            SlowFetcher::default(),
            TokenCacheConfig::default(),
        ));
        let cold = thousand_callers(&cache).await;
        fetches = fetches.max(cache.fetcher().calls.load(Ordering::SeqCst));
        let warm = thousand_callers(&cache).await;
        ratios.push(cold.as_secs_f64() / warm.as_secs_f64());
    }
    (fetches, median(ratios))
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent; only measure on request.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let ratio = executor_overhead().await;
        println!("executor_overhead_ratio = {ratio:.3} (target <= 1.10)");
        let (fetches, ratio) = token_contention().await;
        println!("token_cache_fetches_for_1000_concurrent_callers = {fetches} (target == 1)");
        println!("token_cache_cold_vs_warm_ratio = {ratio:.2} (1,000 callers on an empty cache vs a fresh token; includes the 5 ms fetch)");
        if fetches != 1 {
            eprintln!("FAILED: expected exactly one token fetch");
            std::process::exit(1);
        }
    });
}
