//! `checkoutPage`'s shape: an http(s) URL whose `paymentId` query parameter, when present,
//! is the payment's.
//!
//! A URL parse costs as much as the rest of a callback's checks together, so the URLs miaPOS
//! sends (`https://host/checkout?paymentId=<uuid>`: lower-case host, plain ASCII, no escapes)
//! are read by [`plain`], which answers only where it gives the verdict `url` would; anything
//! else (escapes, `+`, user info, IP or IDNA hosts, odd ports, whitespace) goes to `url`
//! (issue 16).

/// Why a `checkoutPage` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    NotUrl,
    NotHttp,
    OtherPayment,
}

/// The verdict on `page` for the payment `payment_id`.
pub(super) fn check(page: &str, payment_id: &str) -> Result<(), Refusal> {
    plain(page, payment_id).unwrap_or_else(|| parsed(page, payment_id))
}

/// The verdict of a full URL parse.
fn parsed(page: &str, payment_id: &str) -> Result<(), Refusal> {
    let url = url::Url::parse(page).map_err(|_| Refusal::NotUrl)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Refusal::NotHttp);
    }
    let other_payment = url
        .query_pairs()
        .any(|(key, value)| key == "paymentId" && !value.eq_ignore_ascii_case(payment_id));
    if other_payment {
        return Err(Refusal::OtherPayment);
    }
    Ok(())
}

/// The verdict without parsing, for plain URLs only; `None` hands `page` to [`parsed`].
fn plain(page: &str, payment_id: &str) -> Option<Result<(), Refusal>> {
    // Visible ASCII only, and none of the bytes a parser would decode or rewrite.
    if !page
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'%' | b'+' | b'\\'))
    {
        return None;
    }
    let rest = page
        .strip_prefix("https://")
        .or_else(|| page.strip_prefix("http://"))?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at_checked(authority_end)?;
    let host = match authority.split_once(':') {
        Some((host, port)) => {
            let plain_port =
                (1..=4).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit());
            if !plain_port {
                return None;
            }
            host
        }
        None => authority,
    };
    if !plain_host(host) {
        return None;
    }
    let without_fragment = tail.split_once('#').map_or(tail, |(before, _)| before);
    let Some((_, query)) = without_fragment.split_once('?') else {
        return Some(Ok(()));
    };
    let other_payment = query.split('&').any(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        key == "paymentId" && !value.eq_ignore_ascii_case(payment_id)
    });
    Some(if other_payment {
        Err(Refusal::OtherPayment)
    } else {
        Ok(())
    })
}

/// A host `url` keeps as it is: lower-case letters, digits, `-` and `.`, no empty label, not
/// punycode, and a last label starting with a letter (so never an IPv4 address).
fn plain_host(host: &str) -> bool {
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with("xn--")
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    let last_is_a_name = host
        .rsplit('.')
        .next()
        .and_then(|label| label.bytes().next())
        .is_some_and(|b| b.is_ascii_lowercase());
    labels_ok && last_is_a_name
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90";

    #[test]
    fn the_shortcut_agrees_with_the_parser_wherever_it_answers() {
        let mut answered = 0;
        for page in [
            "https://ecomm-test.miapos.md/checkout?paymentId=7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90",
            "https://ecomm.miapos.md/checkout?paymentId=7D3F0C2A-1B4E-4F6A-9C8D-2E5F6A7B8C90",
            "https://ecomm.miapos.md/checkout?paymentId=11111111-2222-3333-4444-555555555555",
            "https://ecomm.miapos.md/checkout?lang=ro&paymentId=other&x",
            "https://ecomm.miapos.md/checkout?paymentIdx=other",
            "https://ecomm.miapos.md/checkout#paymentId=other",
            "https://ecomm.miapos.md/checkout?a=1#paymentId=other",
            "https://ecomm.miapos.md:8443/checkout?paymentId=7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90",
            "https://ecomm.miapos.md:99999/checkout",
            "https://ecomm.miapos.md:/checkout",
            "http://localhost",
            "https://a-.b-c.md",
            "https://1.2.3.4/checkout",
            "https://999.2.3.4/checkout",
            "https://host.123/checkout",
            "https://xn--zz.md/",
            "https://xn--80ak6aa92e.com/",
            "https://ECOMM.miapos.md/checkout",
            "https://user:pass@ecomm.miapos.md/checkout",
            "https://ecomm..miapos.md/checkout",
            "https:///checkout",
            "https://",
            "ftp://ecomm.miapos.md/checkout",
            "javascript:alert(1)",
            "mailto:x@y.md",
            "not a url",
            "",
            "https://ecomm.miapos.md/check out",
            " https://ecomm.miapos.md/checkout",
            "https://ecomm.miapos.md/checkout?payment%49d=other",
            "https://ecomm.miapos.md/checkout?paymentId=other+x",
            "https://ecomm.miapos.md/checkout?paymentId=7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90&paymentId=other",
            "https://ecomm.miapos.md/checkout?paymentId",
            "https://ecomm.miapos.md/checkout?=x&&paymentId=7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90",
            "https://[::1]/checkout",
            "https://ecomm.miapos.md\\checkout",
            "HTTPS://ecomm.miapos.md/checkout",
            "https:ecomm.miapos.md/checkout",
            "https://exa_mple.md/",
        ] {
            let full = parsed(page, ID);
            if let Some(fast) = plain(page, ID) {
                assert_eq!(fast, full, "{page}");
                answered += 1;
            }
            assert_eq!(check(page, ID), full, "{page}");
        }
        assert!(answered >= 12, "{answered}");
    }

    #[test]
    fn the_callbacks_own_page_takes_the_shortcut() {
        let page = format!("https://ecomm-test.miapos.md/checkout?paymentId={ID}");
        assert_eq!(plain(&page, ID), Some(Ok(())));
        let other = page.replace("7d3f", "8d3f");
        assert_eq!(plain(&other, ID), Some(Err(Refusal::OtherPayment)));
    }
}
