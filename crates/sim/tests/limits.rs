//! Bounds on client connections: a client that never finishes its headers is dropped at the
//! header read timeout, connections beyond the cap are closed unanswered, and the simulator
//! keeps answering. Time is tokio's paused clock, so nothing here waits for real.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on unexpected answers"
)]

use std::time::Duration;

use paykit_sim::SimConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Headers started, never finished.
const SLOW_LORIS: &[u8] = b"POST /v1/generate-token HTTP/1.1\r\nHost: sim\r\nX-Slow: ";

/// A complete request (an invalid token request: any answer will do).
const WHOLE: &[u8] =
    b"POST /v1/generate-token HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

fn addr(base_url: &str) -> String {
    base_url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes; what it sent before that.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0_u8; 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
}

async fn loris(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(SLOW_LORIS).await.unwrap();
    stream
}

#[tokio::test(start_paused = true)]
async fn a_slow_loris_client_is_dropped_at_the_header_read_timeout() {
    let sim = paykit_sim::start(SimConfig::default().with_header_read_timeout(HEADER_TIMEOUT))
        .await
        .unwrap();
    let mut stream = loris(&addr(&sim.maib().base_url)).await;
    let started = Instant::now();
    let answered = timeout(Duration::from_secs(300), read_to_close(&mut stream))
        .await
        .expect("the simulator must close a connection whose headers never end");
    let held = started.elapsed();
    assert!(
        held >= HEADER_TIMEOUT && held < HEADER_TIMEOUT + Duration::from_secs(1),
        "held {held:?}"
    );
    // Closed, with at most a 408; never a processed request.
    let text = String::from_utf8_lossy(&answered);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn connections_beyond_the_cap_are_refused_and_the_simulator_stays_responsive() {
    let sim = paykit_sim::start(
        SimConfig::default()
            .with_header_read_timeout(HEADER_TIMEOUT)
            .with_max_connections(2),
    )
    .await
    .unwrap();
    let addr = addr(&sim.maib().base_url);
    let mut first = loris(&addr).await;
    let mut second = loris(&addr).await;

    let mut third = TcpStream::connect(&addr).await.unwrap();
    // The write may already fail if the close came first; either way, no answer.
    let _ = third.write_all(WHOLE).await;
    let answered = timeout(Duration::from_secs(1), read_to_close(&mut third))
        .await
        .expect("a connection over the cap is closed at once, not held");
    assert!(
        answered.is_empty(),
        "{}",
        String::from_utf8_lossy(&answered)
    );

    // The slow clients go at their deadline, and their slots with them.
    for stream in [&mut first, &mut second] {
        timeout(HEADER_TIMEOUT * 2, read_to_close(stream))
            .await
            .expect("slow clients are dropped");
    }
    let mut fourth = TcpStream::connect(&addr).await.unwrap();
    fourth.write_all(WHOLE).await.unwrap();
    let answered = timeout(Duration::from_secs(1), async {
        let mut buf = [0_u8; 64];
        let n = fourth.read(&mut buf).await.unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    })
    .await
    .expect("the simulator answers again");
    assert!(answered.starts_with("HTTP/1.1 "), "{answered}");
}
