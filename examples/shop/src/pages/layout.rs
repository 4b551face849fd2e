//! The frame every page shares, and HTML escaping.

/// HTML-escapes `text` for element content and double-quoted attributes.
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

/// Plain CSS: the shop has no build step and no JavaScript.
const STYLE: &str = "
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 0; background: #f6f3ee;
  color: #2b2118; }
header { background: #3b2a1e; color: #fff; padding: 14px 32px; display: flex; gap: 24px;
  align-items: baseline; }
header a { color: #f3d9b1; text-decoration: none; }
header .brand { font-size: 22px; font-weight: bold; color: #fff; margin-right: auto; }
main { max-width: 860px; margin: 24px auto; padding: 0 24px; }
.card { background: #fff; border-radius: 8px; padding: 18px 22px; margin: 14px 0;
  box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.price { font-weight: bold; }
button, .button { background: #b5651d; color: #fff; border: 0; border-radius: 6px;
  padding: 9px 18px; font-size: 15px; cursor: pointer; text-decoration: none;
  display: inline-block; }
button.secondary { background: #6b5b4d; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid #e7dfd4;
  vertical-align: top; }
.status { display: inline-block; padding: 4px 14px; border-radius: 14px; font-weight: bold;
  font-size: 20px; }
.status-paid { background: #d7f0d2; color: #1f6b18; }
.status-pending { background: #fdf1c8; color: #7a5c00; }
.status-declined, .status-cancelled { background: #f8d6d3; color: #8a1c12; }
.status-refunded, .status-partially-refunded { background: #dde6f6; color: #1f3f7a; }
.muted { color: #7b6d60; font-size: 14px; }
.problem { color: #8a1c12; }
label { display: block; margin: 6px 0; }
ol.history { margin: 0; padding-left: 20px; }
";

/// A reload the browser does by itself: after `secs`, a GET of `url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reload<'a> {
    pub(crate) secs: u32,
    pub(crate) url: &'a str,
}

/// A whole page: `title` in the tab and as the heading, `body` as given (already HTML).
/// `reload` makes the browser load a page by itself (an order still pending).
pub(crate) fn page(title: &str, body: &str, reload: Option<Reload<'_>>) -> String {
    let refresh = reload
        .map(|r| {
            format!(
                "<meta http-equiv=\"refresh\" content=\"{};url={}\">",
                r.secs,
                escape(r.url)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{refresh}\
         <title>{title} · paykit coffee</title><style>{STYLE}</style></head><body>\
         <header><a class=\"brand\" href=\"/\">paykit coffee</a><a href=\"/\">Shop</a>\
         <a id=\"admin-link\" href=\"/admin\">Admin</a></header><main><h1>{title}</h1>{body}\
         <p class=\"muted\">Example shop: payments run against the embedded paykit simulator. \
         No real money moves.</p></main></body></html>",
        title = escape(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn a_page_escapes_its_title_and_refreshes_only_when_asked() {
        let html = page("<b>", "<p>body</p>", None);
        assert!(html.contains("<h1>&lt;b&gt;</h1>"));
        assert!(html.contains("<p>body</p>"));
        assert!(!html.contains("http-equiv"));
        let reloading = page(
            "t",
            "",
            Some(Reload {
                secs: 2,
                url: "/orders/o-1/return",
            }),
        );
        assert!(reloading.contains("content=\"2;url=/orders/o-1/return\""));
    }
}
