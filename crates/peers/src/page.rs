//! The customer's step: a plain `GET` of the simulator's payment page pays the payment.
//!
//! A few lines over a TCP socket rather than an HTTP client crate: the page is on loopback,
//! plain HTTP/1.1, and this crate should pull in nothing the measured clients do not.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Splits `http://host:port/path?query` into `host:port` and `/path?query`.
pub(crate) fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    (!authority.is_empty()).then_some((authority, path))
}

/// Whether an HTTP response starts with a 2xx status line.
pub(crate) fn is_success(response: &[u8]) -> bool {
    let line = response.split(|b| *b == b'\r').next().unwrap_or_default();
    let mut words = line.split(|b| *b == b' ');
    let version = words.next().unwrap_or_default();
    let status = words.next().unwrap_or_default();
    version.starts_with(b"HTTP/1.") && status.len() == 3 && status.first() == Some(&b'2')
}

/// Opens the payment page at `url` as a browser would; an error unless it answered 2xx.
pub(crate) async fn open(url: &str) -> io::Result<()> {
    let bad = |why: String| io::Error::new(io::ErrorKind::InvalidData, why);
    let (authority, path) = split_url(url).ok_or_else(|| bad(format!("not an http URL: {url}")))?;
    let mut stream = TcpStream::connect(authority).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    if is_success(&response) {
        Ok(())
    } else {
        let head = String::from_utf8_lossy(response.get(..64).unwrap_or(&response)).into_owned();
        Err(bad(format!("the payment page answered `{head}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_authority_and_path() {
        assert_eq!(
            split_url("http://127.0.0.1:4000/checkout?paymentId=1"),
            Some(("127.0.0.1:4000", "/checkout?paymentId=1"))
        );
        assert_eq!(
            split_url("http://127.0.0.1:4000"),
            Some(("127.0.0.1:4000", "/"))
        );
        assert_eq!(split_url("https://pay.example/x"), None);
        assert_eq!(split_url("http:///x"), None);
    }

    #[test]
    fn only_a_2xx_status_line_is_success() {
        assert!(is_success(b"HTTP/1.1 200 OK\r\n\r\n<html>"));
        assert!(is_success(b"HTTP/1.1 204 No Content\r\n\r\n"));
        assert!(!is_success(b"HTTP/1.1 404 Not Found\r\n\r\n"));
        assert!(!is_success(b"HTTP/1.1 2000 OK\r\n"));
        assert!(!is_success(b"SSH-2.0 200"));
        assert!(!is_success(b""));
    }
}
