//! The callback sign string (protocol notes maib.md §6.2-§6.3), reproducing maib's reference PHP:
//!
//! ```text
//! signature = base64(sha256(implode(":", leaves(ksort_recursive(result)) + [key])))
//! ```
//!
//! - Keys are sorted recursively, byte-wise (`ksort($a, SORT_STRING)`: `Zeta` before `alpha`).
//!   The reference applies `ksort` to lists as well, so list indices are ordered as strings:
//!   identical to index order up to 10 elements, `0, 1, 10, 11, 2, ...` beyond.
//! - Leaves are converted like PHP's `(string)` after `json_decode($body, true)`: strings as
//!   they are, `true` → `1`, `false` and `null` → empty, integers as written, other numbers as
//!   a PHP float with 14 significant digits (`10.00` → `10`, `0.00001` → `1.0E-5`).
//! - A nested empty array or object contributes one empty element.
//! - Duplicate keys: the last one wins, as in `json_decode`.
//!
//! Because maib does not document how its server renders round amounts, the verifier also
//! accepts the sign string built from the number literals exactly as received (`10.00`), and,
//! for lists longer than 10, lists in index order; every variant still needs the key.

use std::borrow::Cow;

use paykit_core::json_literal::JsonRef;

/// How numbers enter the sign string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Numbers {
    /// PHP's `(string)` of the decoded value (the reference).
    Php,
    /// The literal as received.
    Literal,
}

/// How list elements are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lists {
    /// Indices sorted as strings, as the reference `ksort` does.
    Php,
    /// Index order.
    Index,
}

/// The sign string of `result` (an object's members, in received order) under `key`, or the
/// first key found twice within one object of it.
///
/// A repeated key is refused rather than resolved as `json_decode` would (the last one wins):
/// one reader may take the first value and another the last, so a signature over such a body
/// covers something other than what is believed. The check rides on the sort the sign string
/// needs anyway, so it costs no second walk of the tree (issue 16).
pub(crate) fn sign_string<'m>(
    result: &'m [(Cow<'_, str>, JsonRef<'_>)],
    key: &str,
    numbers: Numbers,
    lists: Lists,
) -> Result<String, Repeated<'m>> {
    let mut out = String::with_capacity(256);
    object_leaves(result, numbers, lists, &mut out)?;
    out.push_str(key);
    Ok(out)
}

/// A key that appears twice within one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Repeated<'m>(pub(crate) &'m str);

/// Whether any number of `members` renders differently as a literal, i.e.
/// [`Numbers::Literal`] is a distinct candidate.
pub(crate) fn has_raw_number_variant(members: &[(Cow<'_, str>, JsonRef<'_>)]) -> bool {
    members.iter().any(|(_, v)| value_has_raw_number_variant(v))
}

fn value_has_raw_number_variant(value: &JsonRef<'_>) -> bool {
    match value {
        JsonRef::Number(literal) => php_number(literal) != *literal,
        JsonRef::Array(items) => items.iter().any(value_has_raw_number_variant),
        JsonRef::Object(members) => has_raw_number_variant(members),
        _ => false,
    }
}

/// Whether any list inside `members` is longer than 10, i.e. [`Lists::Index`] is a distinct
/// candidate.
pub(crate) fn has_long_list(members: &[(Cow<'_, str>, JsonRef<'_>)]) -> bool {
    members.iter().any(|(_, v)| value_has_long_list(v))
}

fn value_has_long_list(value: &JsonRef<'_>) -> bool {
    match value {
        JsonRef::Array(items) => items.len() > 10 || items.iter().any(value_has_long_list),
        JsonRef::Object(members) => has_long_list(members),
        _ => false,
    }
}

/// Objects up to this many members are ordered on the stack; larger ones (only hostile senders
/// write them) take a vector.
const STACK_MEMBERS: usize = 32;

/// A member to sort: its key's [`prefix`], and the member (always `Some` once filled).
type Sortable<'m, 'a> = (u64, Option<&'m (Cow<'a, str>, JsonRef<'a>)>);

fn key_of<'m>(sortable: &Sortable<'m, '_>) -> &'m [u8] {
    sortable.1.map_or(&b""[..], |(key, _)| key.as_bytes())
}

/// A key's first eight bytes as a big-endian integer, zero-padded: ordering two prefixes orders
/// their keys whenever the prefixes differ (a shorter key pads with zero bytes, below any byte
/// a longer one has there, or ties and is decided by the whole keys).
fn prefix(key: &[u8]) -> u64 {
    let mut word = [0_u8; 8];
    for (slot, byte) in word.iter_mut().zip(key) {
        *slot = *byte;
    }
    u64::from_be_bytes(word)
}

/// Appends the leaves of an object's `members` by byte-wise key order, each followed by `:`.
fn object_leaves<'m>(
    members: &'m [(Cow<'_, str>, JsonRef<'_>)],
    numbers: Numbers,
    lists: Lists,
    out: &mut String,
) -> Result<(), Repeated<'m>> {
    let mut on_stack = [(0, None); STACK_MEMBERS];
    let mut on_heap = Vec::new();
    let order: &mut [Sortable<'m, '_>] = match on_stack.get_mut(..members.len()) {
        Some(order) => order,
        None => {
            on_heap.resize(members.len(), (0, None));
            &mut on_heap
        }
    };
    for (slot, member) in order.iter_mut().zip(members) {
        *slot = (prefix(member.0.as_bytes()), Some(member));
    }
    // Equal keys are refused below, so an unstable sort orders everything that is signed.
    // The first eight bytes, compared as one integer, decide almost every comparison of
    // callback keys; only a tie compares the whole keys.
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key_of(a).cmp(key_of(b))));
    if let Some(pair) = order.windows(2).find(|pair| match pair {
        [a, b] => a.0 == b.0 && key_of(a) == key_of(b),
        _ => false,
    }) {
        let repeated = pair.first().and_then(|(_, member)| *member);
        return Err(Repeated(repeated.map_or("", |(key, _)| key.as_ref())));
    }
    for (_, value) in order.iter().filter_map(|(_, member)| *member) {
        leaves(value, numbers, lists, out)?;
    }
    Ok(())
}

/// Appends `value`'s leaves, each followed by `:`.
fn leaves<'m>(
    value: &'m JsonRef<'_>,
    numbers: Numbers,
    lists: Lists,
    out: &mut String,
) -> Result<(), Repeated<'m>> {
    match value {
        JsonRef::Object(members) if members.is_empty() => out.push(':'),
        JsonRef::Array(items) if items.is_empty() => out.push(':'),
        JsonRef::Object(members) => object_leaves(members, numbers, lists, out)?,
        JsonRef::Array(items) => match lists {
            Lists::Index => {
                for item in items {
                    leaves(item, numbers, lists, out)?;
                }
            }
            // Up to 10 indices, string order is index order.
            Lists::Php if items.len() <= 10 => {
                for item in items {
                    leaves(item, numbers, lists, out)?;
                }
            }
            Lists::Php => {
                let mut order: Vec<(String, usize)> =
                    (0..items.len()).map(|i| (i.to_string(), i)).collect();
                order.sort();
                for (_, index) in order {
                    if let Some(item) = items.get(index) {
                        leaves(item, numbers, lists, out)?;
                    }
                }
            }
        },
        JsonRef::Null | JsonRef::Bool(false) => out.push(':'),
        JsonRef::Bool(true) => out.push_str("1:"),
        JsonRef::String(text) => {
            out.push_str(text);
            out.push(':');
        }
        JsonRef::Number(literal) => {
            match numbers {
                Numbers::Literal => out.push_str(literal),
                Numbers::Php => out.push_str(&php_number(literal)),
            }
            out.push(':');
        }
    }
    Ok(())
}

/// Significant digits of PHP's float-to-string (`precision = 14`).
const PHP_PRECISION: usize = 14;

/// PHP's `(string)` of the value `json_decode` makes of the JSON number `literal`: an `int`
/// when the literal is an integer that fits 64 bits, a `float` otherwise.
///
/// The float is rounded to 14 significant digits on its decimal literal (half up). PHP
/// rounds the binary double instead; the two agree for every literal of at most 15
/// significant digits, which covers any amount.
pub(crate) fn php_number(literal: &str) -> Cow<'_, str> {
    let literal = literal.trim();
    if !literal.contains(['.', 'e', 'E']) {
        if let Ok(int) = literal.parse::<i64>() {
            // A JSON integer is written as PHP prints it, but for `-0`.
            return if int == 0 && literal.starts_with('-') {
                Cow::Borrowed("0")
            } else {
                Cow::Borrowed(literal)
            };
        }
    }
    if let Some(plain) = plain_decimal(literal) {
        return Cow::Borrowed(plain);
    }
    php_float(literal).map_or(Cow::Borrowed(literal), Cow::Owned)
}

/// PHP's rendering of a plain decimal literal (`-?int.frac`, no exponent) when it is the
/// literal itself less trailing fractional zeros: at most 14 significant digits, and neither
/// so large nor so small that PHP switches to exponent form. `None` sends the literal to
/// [`php_float`]; this only spares the common amount (`10.25`, `10.00`) the digit vector.
fn plain_decimal(literal: &str) -> Option<&str> {
    let unsigned = literal.strip_prefix('-').unwrap_or(literal);
    let (int, frac) = unsigned.split_once('.')?;
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let significant = if int.trim_start_matches('0').is_empty() {
        // 0.000d: PHP writes 0.0001 but 1.0E-5.
        let zeros = frac.len() - frac.trim_start_matches('0').len();
        if !frac.is_empty() && zeros > 3 {
            return None;
        }
        frac.len() - zeros
    } else {
        if int.starts_with('0') {
            return None;
        }
        int.len() + frac.len()
    };
    if significant > PHP_PRECISION || int.len() > PHP_PRECISION {
        return None;
    }
    // The literal minus its trailing zeros, and minus the point when nothing follows it.
    let keep = literal.len() - (unsigned.len() - int.len() - 1 - frac.len());
    let keep = if frac.is_empty() { keep - 1 } else { keep };
    literal.get(..keep)
}

/// `%.14G` as PHP writes it: `10`, `10.25`, `0.0001`, `1.0E-5`, `1.5E+20`, `INF`.
fn php_float(literal: &str) -> Option<String> {
    let (negative, unsigned) = match literal.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, literal),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, parse_exponent(e)?),
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    // value = 0.d1 d2 d3 ... × 10^point
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let mut point = i64::try_from(int.len()).ok()?.saturating_add(exponent);
    let leading = digits.iter().take_while(|d| **d == 0).count();
    digits.drain(..leading);
    point = point.saturating_sub(i64::try_from(leading).ok()?);
    trim_zeros(&mut digits);
    let sign = if negative { "-" } else { "" };
    if digits.is_empty() {
        return Some(format!("{sign}0"));
    }
    if digits.len() > PHP_PRECISION {
        let round_up = digits.get(PHP_PRECISION).is_some_and(|digit| *digit >= 5);
        digits.truncate(PHP_PRECISION);
        if round_up && increment(&mut digits) {
            digits.insert(0, 1);
            digits.truncate(PHP_PRECISION);
            point = point.saturating_add(1);
        }
        trim_zeros(&mut digits);
    }
    let exp10 = point.saturating_sub(1);
    if exp10 > 308 {
        return Some(format!("{sign}INF"));
    }
    if exp10 < -324 {
        return Some(format!("{sign}0"));
    }
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let precision = i64::try_from(PHP_PRECISION).unwrap_or(14);
    let body = if exp10 < -4 || exp10 >= precision {
        let (first, rest) = text.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        let exp_sign = if exp10 < 0 { '-' } else { '+' };
        format!("{first}.{rest}E{exp_sign}{}", exp10.unsigned_abs())
    } else if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
        format!("0.{zeros}{text}")
    } else {
        let point = usize::try_from(point).unwrap_or(0);
        if point >= text.len() {
            format!("{text}{}", "0".repeat(point - text.len()))
        } else {
            format!("{}.{}", &text[..point], &text[point..])
        }
    };
    Some(format!("{sign}{body}"))
}

/// A decimal exponent, saturated far beyond any double's range.
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    let magnitude = if significant.len() > 6 {
        100_000
    } else {
        significant.parse::<i64>().unwrap_or(0).min(100_000)
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn trim_zeros(digits: &mut Vec<u8>) {
    while digits.last() == Some(&0) {
        digits.pop();
    }
}

/// Adds one unit in the last place; true when it carried out of the first digit.
fn increment(digits: &mut [u8]) -> bool {
    for digit in digits.iter_mut().rev() {
        if *digit == 9 {
            *digit = 0;
        } else {
            *digit += 1;
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: &str = "8508706b-3454-4733-8295-56e617c4abcf";

    fn members(json: &str) -> paykit_core::json_literal::Members<'_> {
        match JsonRef::parse_nested_at_most(json.as_bytes(), 32).unwrap() {
            JsonRef::Object(m) => m,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn php_numbers() {
        let cases = [
            ("10", "10"),
            ("10.25", "10.25"),
            ("10.00", "10"),
            ("10.0", "10"),
            ("9.00", "9"),
            ("2.5", "2.5"),
            ("2.50", "2.5"),
            ("-0", "0"),
            ("-0.0", "-0"),
            ("-3", "-3"),
            ("-3.10", "-3.1"),
            ("0", "0"),
            ("0.0", "0"),
            ("0.1", "0.1"),
            ("0.0001", "0.0001"),
            ("0.00001", "1.0E-5"),
            ("1.5e-7", "1.5E-7"),
            ("1E2", "100"),
            ("1e+2", "100"),
            ("1e20", "1.0E+20"),
            ("1.5e20", "1.5E+20"),
            ("100000000000000.0", "1.0E+14"),
            ("12345678901234.0", "12345678901234"),
            ("0.123456789012345678", "0.12345678901235"),
            ("99999999999999.9", "1.0E+14"),
            ("9223372036854775807", "9223372036854775807"),
            ("9223372036854775808", "9.2233720368548E+18"),
            ("1e400", "INF"),
            ("-1e400", "-INF"),
            ("1e-400", "0"),
            ("1e99999999999999999999", "INF"),
            ("0e5", "0"),
            ("90071992547409.93", "90071992547410"),
        ];
        for (literal, want) in cases {
            assert_eq!(php_number(literal), want, "{literal}");
        }
    }

    #[test]
    fn the_plain_decimal_shortcut_agrees_with_the_full_rendering() {
        let mut checked = 0;
        for int in [
            "0",
            "1",
            "10",
            "-0",
            "-7",
            "12345678901234",
            "123456789012345",
        ] {
            for frac in [
                "0",
                "00",
                "5",
                "50",
                "25",
                "0001",
                "00001",
                "000",
                "12345678901234",
            ] {
                let literal = format!("{int}.{frac}");
                if let Some(short) = plain_decimal(&literal) {
                    assert_eq!(Some(short.to_owned()), php_float(&literal), "{literal}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 30, "{checked}");
    }

    #[test]
    fn tv1_sign_string() {
        let result = members(
            r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"123","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#,
        );
        assert_eq!(
            sign_string(&result, K, Numbers::Php, Lists::Php).unwrap(),
            format!(
                "10.25:327593:510218******1124:MDL:123:f16a9006-128a-46bc-8e2a-77a6ee99df75:\
                 331711380059:OK:000:Approved:AUTHENTICATED:{K}"
            )
        );
    }

    #[test]
    fn nested_objects_are_sorted_and_spliced() {
        let result = members(r#"{"b":{"d":3,"c":2},"a":1}"#);
        assert_eq!(
            sign_string(&result, "K", Numbers::Php, Lists::Php).unwrap(),
            "1:2:3:K"
        );
    }

    #[test]
    fn empties_and_scalars() {
        let result = members(r#"{"a":[],"b":{},"c":null,"d":false,"e":true,"f":""}"#);
        assert_eq!(
            sign_string(&result, "K", Numbers::Php, Lists::Php).unwrap(),
            "::::1::K"
        );
        assert_eq!(
            sign_string(&[], "K", Numbers::Php, Lists::Php).unwrap(),
            "K"
        );
    }

    #[test]
    fn repeated_keys_are_refused_at_any_depth_and_named() {
        for (json, key) in [
            (r#"{"a":"first","b":"x","a":"last"}"#, "a"),
            (r#"{"b":{"d":1,"c":2,"d":3},"a":1}"#, "d"),
            (r#"{"l":[1,{"z":1,"z":2}]}"#, "z"),
        ] {
            let result = members(json);
            for lists in [Lists::Php, Lists::Index] {
                assert_eq!(
                    sign_string(&result, "K", Numbers::Php, lists),
                    Err(Repeated(key)),
                    "{json}"
                );
            }
        }
        // Forty keys, past the stack's room, one repeated.
        let mut keys: Vec<String> = (0..40).map(|i| format!(r#""k{i}":{i}"#)).collect();
        keys.push(r#""k7":0"#.to_owned());
        let json = format!("{{{}}}", keys.join(","));
        assert_eq!(
            sign_string(&members(&json), "K", Numbers::Php, Lists::Php),
            Err(Repeated("k7"))
        );
        keys.pop();
        let json = format!("{{{}}}", keys.join(","));
        let text = sign_string(&members(&json), "K", Numbers::Php, Lists::Php).unwrap();
        assert!(text.starts_with("0:1:10:11:"), "{text}");
    }

    #[test]
    fn long_lists_follow_phps_string_ordered_indices() {
        let list: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        let json = format!(r#"{{"l":[{}]}}"#, list.join(","));
        let result = members(&json);
        assert_eq!(
            sign_string(&result, "K", Numbers::Php, Lists::Php).unwrap(),
            "0:1:10:11:2:3:4:5:6:7:8:9:K"
        );
        assert_eq!(
            sign_string(&result, "K", Numbers::Php, Lists::Index).unwrap(),
            "0:1:2:3:4:5:6:7:8:9:10:11:K"
        );
        assert!(has_long_list(&result));
        assert!(!has_long_list(&members(r#"{"l":[1,2],"o":{"m":[3]}}"#)));
    }

    #[test]
    fn raw_variants_are_detected() {
        assert!(has_raw_number_variant(&members(r#"{"a":[{"p":10.00}]}"#)));
        assert!(!has_raw_number_variant(&members(
            r#"{"a":10.25,"b":"10.00","c":7}"#
        )));
    }
}
