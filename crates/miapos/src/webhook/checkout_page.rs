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
///
/// Byte by byte, each part found with one scan: searching the `str` by `char` patterns cost
/// about as much as the rest of a callback's shape checks (issue 16 profile).
fn plain(page: &str, payment_id: &str) -> Option<Result<(), Refusal>> {
    let page = page.as_bytes();
    // Visible ASCII only, and none of the bytes a parser would decode or rewrite.
    let odd = |w: u64| below(w, 0x21) | above_7e(w) | equal(w, b'%') | equal(w, b'+');
    if first_flag(page, |w| odd(w) | equal(w, b'\\')).is_some() {
        return None;
    }
    let rest = page
        .strip_prefix(b"https://")
        .or_else(|| page.strip_prefix(b"http://"))?;
    let authority_end = first_flag(rest, |w| equal(w, b'/') | equal(w, b'?') | equal(w, b'#'))
        .unwrap_or(rest.len());
    let (authority, tail) = rest.split_at_checked(authority_end)?;
    let host = match split_once(authority, b':') {
        Some((host, port)) => {
            let plain_port = (1..=4).contains(&port.len()) && port.iter().all(u8::is_ascii_digit);
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
    let without_fragment = split_once(tail, b'#').map_or(tail, |(before, _)| before);
    let Some((_, query)) = split_once(without_fragment, b'?') else {
        return Some(Ok(()));
    };
    // `query.split('&').any(..)`, each pair found a word at a time.
    let mut pairs = query;
    let other_payment = loop {
        let (pair, more) = match split_once(pairs, b'&') {
            Some((pair, more)) => (pair, Some(more)),
            None => (pairs, None),
        };
        let (key, value) = split_once(pair, b'=').unwrap_or((pair, b""));
        if key == b"paymentId" && !value.eq_ignore_ascii_case(payment_id.as_bytes()) {
            break true;
        }
        match more {
            Some(more) => pairs = more,
            None => break false,
        }
    };
    Some(if other_payment {
        Err(Refusal::OtherPayment)
    } else {
        Ok(())
    })
}

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

// Each flags (in its high bit) every byte of a word it is true of, and possibly bytes above
// a flagged one (a borrow or carry runs upward from a byte it is truly of), never one below:
// so the lowest flag, or the lowest of several such masks or-ed, is always a true one.

/// Bytes below `n` (n <= 0x80).
fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// Bytes above 0x7e.
fn above_7e(word: u64) -> u64 {
    (word.wrapping_add(ONES) | word) & HIGHS
}

/// Bytes equal to `byte`.
fn equal(word: u64, byte: u8) -> u64 {
    below(word ^ (ONES * u64::from(byte)), 1)
}

/// The index of the first byte of `bytes` that `flags` flags, eight bytes at a time (the last
/// few padded with `a`, and a flag on the padding ignored): most of a page is its query.
fn first_flag(bytes: &[u8], flags: impl Fn(u64) -> u64) -> Option<usize> {
    // Little-endian on every target: the lowest flag is the first byte in memory.
    let at = |offset: usize, mask: u64| offset + (mask.trailing_zeros() / 8) as usize;
    let mut offset = 0;
    while let Some(chunk) = bytes.get(offset..offset + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let mask = flags(u64::from_le_bytes(word));
        if mask != 0 {
            return Some(at(offset, mask));
        }
        offset += 8;
    }
    let mut word = [b'a'; 8];
    for (slot, byte) in word.iter_mut().zip(bytes.get(offset..)?) {
        *slot = *byte;
    }
    let mask = flags(u64::from_le_bytes(word));
    Some(at(offset, mask)).filter(|at| mask != 0 && *at < bytes.len())
}

/// `bytes` around the first `byte`, which belongs to neither side.
fn split_once(bytes: &[u8], byte: u8) -> Option<(&[u8], &[u8])> {
    let at = first_flag(bytes, |w| equal(w, byte))?;
    Some((bytes.get(..at)?, bytes.get(at.checked_add(1)?..)?))
}

/// A host `url` keeps as it is: lower-case letters, digits, `-` and `.`, no empty label, not
/// punycode, and a last label starting with a letter (so never an IPv4 address).
fn plain_host(host: &[u8]) -> bool {
    let labels_ok = host.split(|b| *b == b'.').all(|label| {
        !label.is_empty()
            && !label.starts_with(b"xn--")
            && label
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
    });
    let last_is_a_name = host
        .rsplit(|b| *b == b'.')
        .next()
        .and_then(|label| label.first())
        .is_some_and(u8::is_ascii_lowercase);
    labels_ok && last_is_a_name
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "7d3f0c2a-1b4e-4f6a-9c8d-2e5f6a7b8c90";

    /// The shortcut as first written, over `str` patterns: the reference the byte scan must match.
    fn plain_by_str(page: &str, payment_id: &str) -> Option<Result<(), Refusal>> {
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
        if !plain_host_by_str(host) {
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
    fn plain_host_by_str(host: &str) -> bool {
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

    /// The byte scan gives the first shortcut's answer (verdict or hand-off) on the test pages
    /// and on every truncation and one-byte change of the callback's own page.
    #[test]
    fn the_byte_scan_answers_as_the_str_shortcut_did() {
        let own = format!("https://ecomm-test.miapos.md:8443/checkout?lang=ro&paymentId={ID}#top");
        let mut pages: Vec<String> = vec![
            own.clone(),
            "https://a.b?paymentId".to_owned(),
            "https://a.b?paymentId=".to_owned(),
            "https://a.b/?&=&paymentId=x".to_owned(),
            "http://x:1".to_owned(),
            "http://x:".to_owned(),
            "http://x:1:2/".to_owned(),
            "http://.x/".to_owned(),
            "http://x./".to_owned(),
            "http://x-1.y2/".to_owned(),
            "http://x.2y/".to_owned(),
            "http://a.b/?paymentId=x&".to_owned(),
            "http://a.b/?&&&paymentId=&".to_owned(),
            "http://abcdefg.hi/jklmnop?q=r#s".to_owned(),
            "http://a.b/\u{7f}".to_owned(),
            "http://a.b/~~~~~~~~".to_owned(),
            "http://a.b/!!!!!!!!\u{ff}".to_owned(),
        ];
        for end in 0..=own.len() {
            pages.push(own[..end].to_owned());
        }
        for at in 0..own.len() {
            for byte in [
                "/", "?", "#", ":", ".", "&", "=", "%", "+", "\\", " ", "A", "a", "0", "-", "@",
                "xn--", "é", "~", "!", "\u{7f}", "\u{1}", "\t",
            ] {
                let mut page = own.clone();
                page.replace_range(at..at + 1, byte);
                pages.push(page);
            }
        }
        let mut answered = 0;
        for page in &pages {
            let reference = plain_by_str(page, ID);
            assert_eq!(plain(page, ID), reference, "{page}");
            answered += usize::from(reference.is_some());
        }
        assert!(answered > pages.len() / 2, "{answered} of {}", pages.len());
    }

    #[test]
    fn the_callbacks_own_page_takes_the_shortcut() {
        let page = format!("https://ecomm-test.miapos.md/checkout?paymentId={ID}");
        assert_eq!(plain(&page, ID), Some(Ok(())));
        let other = page.replace("7d3f", "8d3f");
        assert_eq!(plain(&other, ID), Some(Err(Refusal::OtherPayment)));
    }
}
