//! `application/x-www-form-urlencoded` bodies and query strings.

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`). Malformed escapes are
/// kept literally; invalid UTF-8 is replaced, never rejected.
pub(crate) fn percent_decode(input: &str, plus_is_space: bool) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|c| char::from(*c).to_digit(16));
                let lo = bytes.get(i + 2).and_then(|c| char::from(*c).to_digit(16));
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a form body or query string into ordered name/value pairs.
pub(crate) fn parse(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// The last value of `name` in parsed pairs.
pub(crate) fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Encodes name/value pairs as a form body (unreserved characters kept, space as `+`).
pub(crate) fn encode(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        escape_into(&mut out, k);
        out.push('=');
        escape_into(&mut out, v);
    }
    out
}

fn escape_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let pairs = parse("order_id=abc&amount=5.25&pan=411111%2A%2A1111&x=a+b&bad=%zz&empty");
        assert_eq!(get(&pairs, "order_id"), Some("abc"));
        assert_eq!(get(&pairs, "pan"), Some("411111**1111"));
        assert_eq!(get(&pairs, "x"), Some("a b"));
        assert_eq!(get(&pairs, "bad"), Some("%zz"));
        assert_eq!(get(&pairs, "empty"), Some(""));
        assert_eq!(get(&pairs, "nope"), None);
    }

    #[test]
    fn round_trips() {
        let body = encode(&[("pan", "411111******1111".into()), ("d", "a b&c".into())]);
        assert_eq!(body, "pan=411111%2A%2A%2A%2A%2A%2A1111&d=a+b%26c");
        let pairs = parse(&body);
        assert_eq!(get(&pairs, "d"), Some("a b&c"));
    }

    #[test]
    fn never_panics_on_truncated_escapes() {
        assert_eq!(percent_decode("%", false), "%");
        assert_eq!(percent_decode("%4", false), "%4");
        assert_eq!(percent_decode("%C3%A", false), "\u{fffd}%A");
    }
}
