//! The customer step: the small HTML page a browser sees on the provider's payment page.

/// What the customer sees.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    /// The provider's display name.
    pub(crate) provider: &'a str,
    /// One-line outcome, e.g. "Payment approved".
    pub(crate) heading: &'a str,
    /// Label/value rows.
    pub(crate) rows: Vec<(&'a str, String)>,
    /// An optional "back to the shop" link.
    pub(crate) link: Option<String>,
}

impl Page<'_> {
    /// The HTML document.
    pub(crate) fn render(&self) -> String {
        let mut rows = String::new();
        for (label, value) in &self.rows {
            rows.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(label),
                escape(value)
            ));
        }
        let link = self
            .link
            .as_deref()
            .map(|href| {
                format!(
                    "<p><a id=\"return\" href=\"{}\">Return to the shop</a></p>",
                    escape(href)
                )
            })
            .unwrap_or_default();
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{provider} (paykit \
             simulator)</title></head><body><h1>{heading}</h1><p>{provider}, simulated by \
             paykit-sim</p><table>{rows}</table>{link}</body></html>",
            provider = escape(self.provider),
            heading = escape(self.heading),
        )
    }
}

/// The simulator's stand-in for a merchant's return page (used when neither the request nor
/// the configuration names one): shows the query parameters the provider appended.
pub(crate) fn landing(
    provider: &str,
    req: &crate::server::SimRequest,
) -> crate::server::SimResponse {
    let pairs = req.query_pairs();
    let page = Page {
        provider,
        heading: "Back at the shop",
        rows: pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect(),
        link: None,
    };
    crate::server::SimResponse::html(200, page.render())
}

/// HTML-escapes text for element content and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Appends query parameters to a merchant URL, with `?` or `&` as the URL needs.
pub(crate) fn append_query(url: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", crate::form::encode(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_it_prints() {
        let html = Page {
            provider: "maib",
            heading: "<script>",
            rows: vec![("Order", "a&b".into())],
            link: Some("https://x/?a=1&b=\"2\"".into()),
        }
        .render();
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("a&amp;b"));
        assert!(html.contains("href=\"https://x/?a=1&amp;b=&quot;2&quot;\""));
    }

    #[test]
    fn appends_query_with_the_right_separator() {
        assert_eq!(
            append_query("https://s/ok", &[("payId", "1".into())]),
            "https://s/ok?payId=1"
        );
        assert_eq!(
            append_query("https://s/ok?n=1", &[("payId", "1".into())]),
            "https://s/ok?n=1&payId=1"
        );
    }
}
