//! URL checks shared by the providers' validation.

/// Whether `text` is an absolute http(s) URL with a host.
pub(crate) fn is_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !text.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_absolute_http_urls() {
        assert!(is_url("https://shop.example.md/cb?x=1"));
        assert!(is_url("http://127.0.0.1:8080"));
        for bad in [
            "",
            "https://",
            "ftp://x",
            "shop.example.md",
            "https://a b",
            "http:///x",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }
}
